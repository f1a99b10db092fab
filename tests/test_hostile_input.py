"""No query string, however hostile, makes a public page answer with a server error.

Property-based: hypothesis sends arbitrary query strings (the real parameter names and
random ones; text, bytes, numbers, malformed percent-escapes) to every public URL that
reads GET parameters. The profile in conftest.py gives ≥ 500 examples per URL in CI.
A new URL is one line in `URLS`.
"""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests import factories

LISTING = (
    "q", "skill", "company", "location", "remote", "type", "seniority", "salary_min",
    "posted", "sort", "page",
)  # fmt: skip
# Path (with the slugs of the `site` fixture) -> the GET parameters it reads.
URLS = {
    "/": ("q",),
    "/jobs/": LISTING,
    "/jobs/feed/atom/": LISTING,
    "/jobs/feed/rss/": LISTING,
    "/skills/": ("page",),
    "/skills/backend-development/": ("page",),
    "/skills/backend-development/feed/atom/": (),
    "/companies/": ("page",),
    "/companies/northwind-bank/": ("page",),
    "/companies/northwind-bank/feed/rss/": (),
    "/sitemap.xml": ("p",),
}
ALL_PARAMETERS = sorted({name for names in URLS.values() for name in names})

SPECIAL_VALUES = [
    "", "0", "-1", "1e9", "1e400", "-1e400", "NaN", "nan", "inf", "-inf", "Infinity",
    "9" * 20, "-" + "9" * 20, "0x10", "1_000", "٣", "１２", " 1 ", "1.5", "None", "null",
    "true", "[]", "{}", "' OR 1=1--", "a & | !(", '"', "\\", "%", "%%", "%zz", "%f",
    "<script>alert(1)</script>", "../../etc/passwd", "\x00", "\r\n", "newest", "salary",
    "relevance", "remote", "senior", "full-time", "backend-development", "northwind-bank",
]  # fmt: skip


def encode(part: str | bytes) -> str:
    data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
    return quote_from_bytes(data, safe="")


def names_for(parameters) -> st.SearchStrategy:
    real = [st.sampled_from(parameters)] if parameters else []
    return st.one_of(*real, st.text(max_size=20), st.sampled_from(ALL_PARAMETERS))


values = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.integers().map(str),
    st.floats().map(repr),
    st.lists(st.sampled_from(SPECIAL_VALUES), max_size=3).map(",".join),
)
# Raw pieces, not percent-encoded: stray separators, malformed escapes, Latin-1 bytes
# (a WSGI QUERY_STRING is bytes decoded as Latin-1).
raw_pieces = st.text(alphabet="%&=;+#?/abcfzF019 \x00\xe9\xff", max_size=30)


def query_strings(parameters) -> st.SearchStrategy:
    pair = st.tuples(names_for(parameters), values).map(
        lambda kv: f"{encode(kv[0])}={encode(kv[1])}"
    )
    return st.lists(st.one_of(pair, pair, pair, raw_pieces), max_size=8).map("&".join)


@pytest.fixture
def site(db):
    skill = factories.SkillFactory(name="Backend development", slug="backend-development")
    factories.SkillGuideFactory(skill=skill)
    company = factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")
    factories.LivePostingFactory.create_batch(3, company=company, skills=[skill])
    factories.ExpiredPostingFactory(company=company, skills=[skill])


@pytest.mark.parametrize("url", URLS)
def test_no_query_string_gives_a_server_error(site, client, url):
    sent = []

    @given(query=query_strings(URLS[url]))
    def check(query):
        sent.append(query)
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, f"{url}?{query}"

    check()
    print(f"{url}: {len(sent)} query strings")  # pytest -s shows them
    # The whole budget was spent (500 per URL in CI): the search space is never exhausted.
    assert len(sent) >= hypothesis_settings.default.max_examples


def named_cases():
    yield from (f"page={page}" for page in ["0", "-1", "abc", "1e9", "9" * 20, "", "2.5"])
    for name in LISTING:
        yield f"{name}=%00"
        yield f"{name}=a%00b"
        yield f"{name}=%ff"
        yield f"{name}=%1B%7F"  # control characters (XML, feeds, cannot carry them)
        yield f"{name}=%C0%AF"  # an overlong UTF-8 encoding
        yield f"{name}={'x' * 10_240}"
        yield f"{name}=1&{name}=2&{name}="  # repeated keys
    yield from (f"salary_min={v}" for v in ["1e400", "NaN", "-inf", "inf", "-1", "9" * 20])
    yield "sort=unknown"
    yield "sort=-id"
    yield "sort=salary&sort=newest&sort=relevance"
    yield "q=" + quote("a & | !(")
    yield "q=" + quote("' OR 1=1--")
    yield "q=" + quote('"unbalanced') + "&sort=relevance"
    yield "q=" + quote("!!! ((( ::: <-> ***")
    yield "q=" + quote("-") + "&page=2"
    yield "skill=does-not-exist&company=does-not-exist"
    yield "skill=" + quote("Backend development") + "&skill=backend-development"
    yield from ["posted=999", "posted=-1", "remote=everywhere", "type=x&seniority=y"]
    yield from ["%ff=%ff", "=", "&&&", "a=b=c", "%", "%2", "%%%"]


@pytest.mark.parametrize("query", list(named_cases()))
def test_named_hostile_query_on_the_listing(site, client, query):
    for url in ("/jobs/", "/jobs/feed/atom/"):
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, f"{url}?{query}"


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1e9", "page=" + "9" * 20])
def test_bad_pages_are_not_found_or_the_first_page(site, client, query):
    for url in ("/jobs/", "/companies/", "/skills/backend-development/"):
        assert client.get(url, QUERY_STRING=query).status_code in (200, 404), f"{url}?{query}"


@pytest.mark.parametrize(
    "url",
    [
        "/jobs/no-such-posting/",
        "/skills/no-such-skill/",
        "/companies/no-such-company/",
        "/skills/no-such-skill/feed/atom/",
        "/companies/no-such-company/feed/rss/",
        "/sitemap-nothing.xml",
    ],
)
def test_unknown_slugs_are_not_found(site, client, url):
    assert client.get(url).status_code == 404


def test_a_host_we_do_not_serve_is_a_bad_request(site, client):
    assert client.get("/jobs/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/", HTTP_HOST="127.0.0.1:8000@evil.example").status_code == 400


# A POST to a read-only page is 405 before any CSRF check (tests/test_http_methods.py).
@pytest.mark.parametrize("url_name", ["admin:login"])
def test_a_post_without_a_csrf_token_is_forbidden(site, url_name):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(url_name), {"username": "admin", "password": "x"})
    assert response.status_code == 403
