"""Staff-written Markdown cannot put a script on a public page, whatever it contains."""

from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError

from jobboard.markdown import render_markdown
from tests import factories
from tests.page_scan import IGNORED_IN_SCHEME, PageScan

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<details open ontoggle="alert(1)">',
    "<body onload=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=//evil.example/>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="#" onclick="alert(1)">x</a>',
    "<p/onmouseover=alert(1)>x",
    '<img """><script>alert(1)</script>">',
    "<<script>script>alert(1)<</script>/script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![img](https://evil.example/x.png)",
    '[click](https://example.com "title\\" onmouseover=\\"alert(1)")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\ncode\n```',
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
]

DANGEROUS_TAGS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "input",
    "button", "meta", "base", "link", "details", "body", "div", "frame", "frameset",
}  # fmt: skip


class Elements(HTMLParser):
    """Every start tag of a fragment with its attributes, entities decoded."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def assert_harmless(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag not in DANGEROUS_TAGS, html
        assert not any(name.startswith("on") for name in attrs), html
        assert "style" not in attrs, html
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            url = IGNORED_IN_SCHEME.sub("", unquote(attrs.get(name, ""))).lower()
            assert not url.startswith(("javascript:", "vbscript:", "data:")), html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_markdown_neutralises_the_payload(payload):
    assert_harmless(render_markdown(payload).html)


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_payload_inside_ordinary_markdown_is_neutralised_too(payload):
    source = f"## Section\n\nSome *text* before. {payload} And after.\n\n- item {payload}\n"
    assert_harmless(render_markdown(source).html)


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## What it is\n\n"
        "A **strong** and *emphasised* word, `inline code` and a "
        '[guide](https://docs.djangoproject.com/ "Django docs").\n\n'
        "### In practice\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second\n\n"
        "> a quote\n\n"
        "```python\nprint('hi')\n```\n\n"
        "| left | right |\n|:-----|------:|\n| a | b |\n\n"
        "[jobs](/jobs/?skill=python) and [mail](mailto:jobs@example.com)\n"
    ).html
    for fragment in [
        '<h2 id="what-it-is">What it is</h2>',
        '<h3 id="in-practice">In practice</h3>',
        "<strong>strong</strong>",
        "<em>emphasised</em>",
        "<code>inline code</code>",
        "<li>one</li>",
        "<ol>",
        "<blockquote>",
        '<pre><code class="language-python">',
        '<td class="align-right">b</td>',
        '<a href="/jobs/?skill=python">jobs</a>',
        '<a href="mailto:jobs@example.com">mail</a>',
    ]:
        assert fragment in html
    (link,) = [a for tag, a in Elements(html).found if a.get("href", "").startswith("https:")]
    assert link["title"] == "Django docs"


@pytest.mark.parametrize(
    "href", ["https://example.com/", "http://example.com/a?b=c", "//example.com/path"]
)
def test_external_links_get_nofollow_noopener(href):
    (attrs,) = [a for tag, a in Elements(render_markdown(f"[x]({href})").html).found if tag == "a"]
    assert {"nofollow", "noopener"} <= set(attrs["rel"].split())


@pytest.mark.parametrize("href", ["/jobs/", "#openings", "http://127.0.0.1:8000/skills/"])
def test_internal_links_keep_their_ranking_credit(settings, href):
    settings.SITE_URL = "http://127.0.0.1:8000"
    (attrs,) = [a for tag, a in Elements(render_markdown(f"[x]({href})").html).found if tag == "a"]
    assert "rel" not in attrs


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["https://acme.example/jobs/1", "http://acme.example/jobs/1"],
)
def test_apply_url_accepts_http_and_https(url):
    posting = factories.PostingFactory.build(
        company=factories.CompanyFactory(), apply_url=url, slug="a-job"
    )
    posting.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://acme.example/jobs",
        "file:///etc/passwd",
        "mailto:jobs@acme.example",  # e-mail goes in apply_email
    ],
)
def test_apply_url_refuses_other_schemes(url):
    posting = factories.PostingFactory.build(
        company=factories.CompanyFactory(), apply_url=url, slug="a-job"
    )
    with pytest.raises(ValidationError) as error:
        posting.full_clean()
    assert "apply_url" in error.value.message_dict


@pytest.mark.django_db
def test_apply_href_is_mailto_for_an_email():
    posting = factories.PostingFactory.build(apply_url="", apply_email="jobs@acme.example")
    assert posting.apply_href == "mailto:jobs@acme.example"


@pytest.mark.django_db
def test_the_corpus_is_harmless_on_the_posting_and_guide_pages(client):
    corpus = "\n\n".join(XSS_CORPUS)
    skill = factories.SkillFactory(name="Backend <script>alert(1)</script>", slug="backend")
    factories.SkillGuideFactory(
        skill=skill, title='Guide "><svg onload=alert(1)>', lede=XSS_CORPUS[3], body=corpus
    )
    company = factories.CompanyFactory(name="Acme <img src=x onerror=alert(1)>", slug="acme")
    posting = factories.LivePostingFactory(
        company=company,
        skills=[skill],
        title="Engineer </script><script>alert(1)</script>",
        summary="<iframe src=javascript:alert(1)>",
        description=corpus,
        location="</title><script>alert(1)</script>",
    )
    for url in [posting.get_absolute_url(), skill.get_absolute_url(), company.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = PageScan(response.content.decode())
        assert page.problems == [], url
