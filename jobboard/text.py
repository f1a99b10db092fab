"""Text shortened for a page: `excerpt()` ends at a sentence, not in the middle of one."""

import re

# A sentence ends at ".", "!", "?" or "…" (and any closing quote or bracket after it),
# followed by a space and what can start a sentence.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
# Full stops that end an abbreviation, not a sentence ("e.g. Python").
_ABBREVIATIONS = ("e.g", "i.e", "vs", "cf", "approx", "incl", "Mr", "Mrs", "Ms", "Dr", "St", "No")


def excerpt(text: str, length: int) -> str:
    """`text` cut at the last sentence end within `length` characters; the whole text when
    it fits. When even its first sentence is longer, at the last word within `length`,
    with "…"."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    end = None
    for match in _SENTENCE_END.finditer(text, 0, length + 1):
        last_word = text[: match.start()].rsplit(" ", 1)[-1].lstrip("\"'“‘([")
        if text[match.start()] != "." or last_word not in _ABBREVIATIONS:
            end = match.end()
    if end is not None:
        return text[:end]
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return f"{cut} …"
