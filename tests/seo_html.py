"""What search engines and link previews read from a page's HTML, for the tests."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Head:
    titles: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)  # name or property → contents
    links: list[dict[str, str]] = field(default_factory=list)
    jsonld: list[dict] = field(default_factory=list)
    anchors: list[dict[str, str]] = field(default_factory=list)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def link(self, rel: str, **attributes) -> list[str]:
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and all(link.get(k) == v for k, v in attributes.items())
        ]

    def of_type(self, schema_type: str) -> list[dict]:
        return [data for data in self.jsonld if data.get("@type") == schema_type]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head = Head()
        self._capture = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._capture, self._text = "title", []
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._capture, self._text = "jsonld", []
        elif tag == "meta" and ("name" in attributes or "property" in attributes):
            key = attributes.get("property") or attributes["name"]
            self.head.meta.setdefault(key, []).append(attributes.get("content", ""))
        elif tag == "link":
            self.head.links.append(attributes)
        elif tag == "a":
            self._capture, self._text = "a", []
            self.head.anchors.append(attributes)

    def handle_data(self, data):
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._text)
        if tag == "title" and self._capture == "title":
            self.head.titles.append(text.strip())
        elif tag == "script" and self._capture == "jsonld":
            self.head.jsonld.append(json.loads(text))
        elif tag == "a" and self._capture == "a":
            self.head.anchors[-1]["text"] = " ".join(text.split())
        if tag in ("title", "script", "a"):
            self._capture = None


def read_head(html: str) -> Head:
    parser = _Parser()
    parser.feed(html)
    return parser.head
