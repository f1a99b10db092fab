"""Markdown written by staff, rendered once on save to sanitised HTML.

Raw HTML in the source is escaped by the parser (``html=False``) and the output goes
through an nh3 allow-list anyway, so a guide or a posting can never carry a script,
an event handler or a ``javascript:``/``data:`` link onto a public page.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Links to other sites: no ranking credit passed on, no window.opener, no referrer.
EXTERNAL_LINK_REL = "nofollow noopener noreferrer"
# Table column alignment as classes: a style attribute would be blocked by the
# Content-Security-Policy (style-src 'self'), so the site's CSS styles these instead.
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
ATTRIBUTE_VALUES = {
    "a": {"rel": {EXTERNAL_LINK_REL}},
    "th": {"class": ALIGN_CLASSES},
    "td": {"class": ALIGN_CLASSES},
}
# Fenced code blocks carry their language ("```python") as the only class allowed.
CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
# Script and data schemes, as a browser reads them: ignoring whitespace and control
# characters, in any case.
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")
TOC_LEVELS = (2, 3)


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    # [{"id": "what-it-is", "text": "What it is", "level": 2}, …] for a table of contents.
    toc: list[dict] = field(default_factory=list)
    word_count: int = 0


def _parser() -> MarkdownIt:
    # Headings in an article start at h2: the page's h1 is the guide's title.
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
        .enable(["table", "strikethrough", "replacements", "smartquotes"])
        .use(anchors_plugin, min_level=TOC_LEVELS[0], max_level=TOC_LEVELS[-1])
    )


_md = _parser()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "code" and attribute == "class":
        return value if CODE_CLASS.fullmatch(value) else None
    if attribute == "href" and _looks_like_script(unquote(value)):
        # "jav%09ascript:" is a harmless relative path to a browser, but nothing a
        # staff member meant to write either: drop it rather than argue.
        return None
    return value


def _looks_like_script(url: str) -> bool:
    return _IGNORED_IN_SCHEME.sub("", url).lower().startswith(SCRIPT_SCHEMES)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ATTRIBUTE_VALUES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        # rel is set by `_mark_links` on external links only: internal links keep
        # passing ranking credit to our own guides and listings.
        link_rel=None,
    )


def _is_external(href: str) -> bool:
    try:
        parts = urlsplit(href)
        # `//host/path` (no scheme) leaves the site too.
        return bool(parts.netloc) and parts.hostname != urlsplit(settings.SITE_URL).hostname
    except ValueError:  # e.g. "http://[::1": whatever it is, it is not one of ours
        return True


def _mark_links(tokens) -> None:
    """Give external links their rel, and table alignment a class instead of a style."""
    for token in tokens:
        if token.children:
            _mark_links(token.children)
        if token.type == "link_open" and _is_external(token.attrGet("href") or ""):
            token.attrSet("rel", EXTERNAL_LINK_REL)
        elif token.type in ("th_open", "td_open") and token.attrGet("style"):
            align = token.attrGet("style").removeprefix("text-align:")
            token.attrs.pop("style")
            token.attrSet("class", f"align-{align}")


def render_markdown(text: str) -> RenderedMarkdown:
    tokens = _md.parse(text or "")
    toc = []
    for index, token in enumerate(tokens):
        level = int(token.tag[1]) if token.type == "heading_open" else 0
        if level in TOC_LEVELS and token.attrGet("id"):
            toc.append(
                {"id": token.attrGet("id"), "text": tokens[index + 1].content, "level": level}
            )
    _mark_links(tokens)
    html = sanitise_html(_md.renderer.render(tokens, _md.options, {}))
    return RenderedMarkdown(html=html, toc=toc, word_count=len((text or "").split()))
