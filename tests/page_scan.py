"""What in an HTML page could run script, or would be blocked by our Content-Security-Policy."""

import re
from html.parser import HTMLParser
from urllib.parse import unquote

# Browsers skip ASCII whitespace and control characters inside a URL's scheme.
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")
DATA_SCRIPT_TYPES = ("application/ld+json", "application/json")
NEVER_ON_OUR_PAGES = ("iframe", "object", "embed", "frame", "base", "style")


def is_script_url(url: str) -> bool:
    """Whether a (entity-decoded) URL attribute would run script or load a document."""
    url = IGNORED_IN_SCHEME.sub("", unquote(url)).lower()
    return url.startswith(("javascript:", "vbscript:", "data:text", "data:application"))


class PageScan(HTMLParser):
    """`problems`: inline script, handlers, style attributes, script URLs, frames, and
    scripts or stylesheets from another origin. `assets`: the scripts and stylesheets."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.assets: list[str] = []
        self._in_inline_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        asset = None
        if tag == "script":
            if attrs.get("src"):
                asset = attrs["src"]
            elif attrs.get("type") not in DATA_SCRIPT_TYPES:
                self._in_inline_script = True
        if tag == "link" and "stylesheet" in attrs.get("rel", ""):
            asset = attrs.get("href", "")
        if asset is not None:
            self.assets.append(asset)
            if not asset.startswith("/") or asset.startswith("//"):
                self.problems.append(f"<{tag}> from another origin: {asset}")
        if tag in NEVER_ON_OUR_PAGES:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attrs:
            self.problems.append("<meta http-equiv>")
        if "style" in attrs:
            self.problems.append(f"<{tag} style={attrs['style']!r}>")
        self.problems += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            if is_script_url(attrs.get(name, "")):
                self.problems.append(f"<{tag} {name}={attrs[name][:40]!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False
