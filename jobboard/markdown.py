"""Markdown written by staff, rendered once on save to sanitised HTML.

Raw HTML in the source is escaped by the parser (``html=False``) and the output goes
through an nh3 allow-list anyway, so a guide or a posting can never carry a script,
an event handler or a ``javascript:``/``data:`` link onto a public page.
"""

from dataclasses import dataclass, field

import nh3
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
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
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


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def render_markdown(text: str) -> RenderedMarkdown:
    tokens = _md.parse(text or "")
    toc = []
    for index, token in enumerate(tokens):
        level = int(token.tag[1]) if token.type == "heading_open" else 0
        if level in TOC_LEVELS and token.attrGet("id"):
            toc.append(
                {"id": token.attrGet("id"), "text": tokens[index + 1].content, "level": level}
            )
    html = sanitise_html(_md.renderer.render(tokens, _md.options, {}))
    return RenderedMarkdown(html=html, toc=toc, word_count=len((text or "").split()))
