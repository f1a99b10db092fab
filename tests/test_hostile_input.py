"""No request, however hostile, makes a public page answer with a server error.

Property-based: hypothesis sends arbitrary query strings (the real parameter names and
random ones; text, bytes, numbers, malformed percent-escapes) to every public URL, and
arbitrary path segments to every URL with a path parameter (a slug, a sitemap section, a
media path). The profile in conftest.py gives ≥ 500 examples per URL in CI. Named cases
send the known-bad values to every URL too.

Every case runs twice: with the test settings, and with the paths production takes
(stored market figures, which only PostgreSQL stores, and the page cache on) — the jobs
sitemap answered `?p=abc` with a 500 only on the second. A new URL is one line in `URLS`
(and `PATH_PARAMETERS`); `test_every_url_of_the_site_is_covered` fails until it is.
"""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from postings import stats
from tests import factories

LISTING = (
    "q", "skill", "company", "location", "country", "work_from", "utc_offset", "remote", "type",
    "seniority", "salary_min", "pay", "posted", "sort", "page",
)  # fmt: skip
PAGE = ("page",)  # every HTML page reads it: its canonical URL keeps it
GUIDE = ("remote", "seniority", "country", *PAGE)  # the chips narrowing a guide's openings
SITEMAP_PAGE = ("p",)
ADMIN_LOGIN = f"/{settings.ADMIN_URL}login/"
# Path (with the slugs of the `site` fixture) -> the GET parameters it reads.
URLS = {
    "/": ("q", *PAGE),
    "/jobs/": LISTING,
    "/jobs/backend-engineer/": PAGE,
    "/jobs/closed-role/": PAGE,
    "/jobs/feed/atom/": LISTING,
    "/jobs/feed/rss/": LISTING,
    "/skills/": PAGE,
    "/skills/backend-development/": GUIDE,
    "/skills/no-guide/": GUIDE,
    "/skills/backend-development/feed/atom/": (),
    "/skills/backend-development/feed/rss/": (),
    "/companies/": PAGE,
    "/companies/northwind-bank/": PAGE,
    "/companies/northwind-bank/feed/atom/": (),
    "/companies/northwind-bank/feed/rss/": (),
    "/sitemap.xml": SITEMAP_PAGE,
    "/sitemap-pages.xml": SITEMAP_PAGE,
    "/sitemap-skills.xml": SITEMAP_PAGE,
    "/sitemap-companies.xml": SITEMAP_PAGE,
    "/sitemap-jobs.xml": SITEMAP_PAGE,
    "/robots.txt": (),
    "/healthz": (),
    "/readyz": (),
    "/media/logos/missing.png": (),
    ADMIN_LOGIN: ("next",),
    # Job alerts: the subscribe page reads the listing's parameters; the signed links' pages
    # are walked with tokens that are not ones (valid ones: tests/test_alerts_*.py).
    "/alerts/new/": LISTING,
    "/alerts/new/sent/": PAGE,
    "/alerts/confirm/not-a-token/": (),
    "/alerts/manage/not-a-token/": ("done",),
    "/alerts/unsubscribe/not-a-token/": (),
}
# Sample URLs that answer other than 200 by design.
SAMPLE_STATUS = {
    "/alerts/confirm/not-a-token/": 400,
    "/alerts/manage/not-a-token/": 400,
    "/alerts/unsubscribe/not-a-token/": 400,
}
# Every URL with a path parameter, `{}` standing for it.
PATH_PARAMETERS = [
    "/jobs/{}/",
    "/skills/{}/",
    "/companies/{}/",
    "/skills/{}/feed/atom/",
    "/skills/{}/feed/rss/",
    "/companies/{}/feed/atom/",
    "/companies/{}/feed/rss/",
    "/sitemap-{}.xml",
    "/media/{}",
    "/alerts/confirm/{}/",
    "/alerts/manage/{}/",
    "/alerts/unsubscribe/{}/",
]
ALL_PARAMETERS = sorted({name for names in URLS.values() for name in names})

SPECIAL_VALUES = [
    "", "0", "-1", "1e9", "1e3", "1.0", "1e400", "-1e400", "NaN", "nan", "inf", "-inf",
    "Infinity", "9" * 20, "-" + "9" * 20, "0x10", "1_000", "٣", "１２", " 1 ", "1.5", "None",
    "null", "true", "[]", "{}", "' OR 1=1--", "a & | !(", '"', "\\", "%", "%%", "%zz", "%f",
    "<script>alert(1)</script>", "../../etc/passwd", "//evil.example", "https://evil.example",
    "\x00", "\r\n", "newest", "salary", "relevance", "remote", "senior", "full-time",
    "backend-development", "northwind-bank", "stated", "DE", "de", "EU", "ANYWHERE", "XK",
    "-120", "330", "-720", "840", "841", "-0", "+60",
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


# A path segment: any text or bytes, percent-encoded, or raw pieces with dots and slashes.
segments = st.one_of(
    st.sampled_from(["", ".", "..", "%2e%2e", "..%2f..%2fmanage.py", "%00", "%ff", "a" * 300]),
    st.text(max_size=30).map(encode),
    st.binary(max_size=30).map(encode),
    st.text(alphabet="%./\\-_aZ09\xe9", max_size=30),
)


@pytest.fixture(params=["test-settings", "production-paths"])
def paths(request, settings):
    """The test settings (figures computed live, no page cache), or the paths production
    takes: market figures stored and read from MarketStats rows (on PostgreSQL; SQLite
    always computes them live) and the anonymous page cache on, in this process's memory."""
    stats._read_recently.clear()
    if request.param == "production-paths":
        settings.MARKET_STATS_SECONDS = 300
        settings.PAGE_CACHE_SECONDS = 10
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "hostile-input",
            }
        }
    yield request.param
    stats._read_recently.clear()


@pytest.fixture
def site(db, paths):
    skill = factories.SkillFactory(name="Backend development", slug="backend-development")
    factories.SkillGuideFactory(skill=skill)
    factories.SkillFactory(name="No guide", slug="no-guide")
    company = factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")
    factories.LivePostingFactory.create_batch(3, company=company, skills=[skill])
    factories.LivePostingFactory(slug="backend-engineer", company=company, skills=[skill])
    factories.ClosedPostingFactory(slug="closed-role", company=company, skills=[skill])
    factories.ExpiredPostingFactory(company=company, skills=[skill])


def site_routes(patterns=None, prefix=""):
    """The route of every URL pattern of the site, the admin's own excepted."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from site_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_url_of_the_site_is_covered():
    routes = set(site_routes())
    assert routes - {resolve(url).route for url in URLS} == set()
    with_parameters = {route for route in routes if "<" in route}
    covered = {resolve(url.format("x")).route for url in PATH_PARAMETERS}
    assert with_parameters - covered == set()


def test_the_sample_urls_exist(site, client):
    for url in URLS:
        expected = 404 if url.startswith("/media/") else SAMPLE_STATUS.get(url, 200)
        assert client.get(url).status_code == expected, url


def budget(paths) -> int:
    """Examples per URL: the profile's full count with the test settings; a fifth of it on
    production's paths, which differ only where stored figures and the cache are read (the
    named cases run in full on both), so CI's time goes to drawing, not to repeating."""
    full = hypothesis_settings.default.max_examples
    return full if paths == "test-settings" else max(20, full // 5)


@pytest.mark.parametrize("url", URLS)
def test_no_query_string_gives_a_server_error(site, paths, client, url):
    sent = []

    @hypothesis_settings(max_examples=budget(paths))
    @given(query=query_strings(URLS[url]))
    def check(query):
        sent.append(query)
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, f"{url}?{query}"

    check()
    print(f"{url}: {len(sent)} query strings")  # pytest -s shows them
    # The whole budget was spent (500 per URL in CI): the search space is never exhausted.
    assert len(sent) >= budget(paths)


@pytest.mark.parametrize("url", PATH_PARAMETERS)
def test_no_path_parameter_gives_a_server_error(site, paths, client, url):
    sent = []

    @hypothesis_settings(max_examples=budget(paths))
    @given(segment=segments)
    def check(segment):
        sent.append(segment)
        response = client.get(url.format(segment))
        assert response.status_code < 500, url.format(segment)

    check()
    assert len(sent) >= budget(paths)


BAD_NUMBERS = ["0", "-1", "abc", "1e9", "1e3", "1.0", "2.5", "9" * 20, "", "%00", "NaN", "0x1"]


def named_cases(parameters):
    for name in parameters:
        if name in ("page", "p", "salary_min", "posted"):
            yield from (f"{name}={value}" for value in BAD_NUMBERS)
        yield f"{name}=%00"
        yield f"{name}=a%00b"
        yield f"{name}=%ff"
        yield f"{name}=%1B%7F"  # control characters (XML, feeds, cannot carry them)
        yield f"{name}=%C0%AF"  # an overlong UTF-8 encoding
        yield f"{name}={'x' * 10_240}"
        yield f"{name}=1&{name}=2&{name}="  # repeated keys
    if "sort" in parameters:
        yield from (f"salary_min={v}" for v in ["1e400", "NaN", "-inf", "inf", "-1", "9" * 20])
        yield "sort=unknown"
        yield "sort=-id"
        yield "sort=salary&sort=newest&sort=relevance"
        yield from ["sort=closing&page=999", "sort=closing&q=" + quote("' OR 1=1--")]
        yield "sort=closing&sort=" + "x" * 1000
        yield "q=" + quote("a & | !(")
        yield "q=" + quote("' OR 1=1--")
        yield "q=" + quote('"unbalanced') + "&sort=relevance"
        yield "q=" + quote("!!! ((( ::: <-> ***")
        yield "q=" + quote("-") + "&page=2"
        yield "skill=does-not-exist&company=does-not-exist"
        yield "skill=" + quote("Backend development") + "&skill=backend-development"
        yield from ["posted=999", "posted=-1", "remote=everywhere", "type=x&seniority=y"]
        yield from ["pay=stated&salary_min=1e400", "pay=on", "pay=1", "pay=stated&sort=salary"]
    if "next" in parameters:
        for target in ["//evil.example", "https://evil.example", "javascript:alert(1)", "/\\x"]:
            yield f"next={quote(target)}"
    yield from ["%ff=%ff", "=", "&&&", "a=b=c", "%", "%2", "%%%", "p=abc&page=abc"]


@pytest.mark.parametrize("url", URLS)
def test_named_hostile_queries(site, client, url):
    for query in named_cases(URLS[url]):
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, f"{url}?{query}"


@pytest.mark.parametrize("url", [url for url, names in URLS.items() if {"page", "p"} & set(names)])
def test_bad_pages_are_not_found_or_the_first_page(site, client, url):
    name = "p" if "p" in URLS[url] else "page"
    for value in BAD_NUMBERS:
        status = client.get(url, QUERY_STRING=f"{name}={value}").status_code
        assert status in (200, 404), f"{url}?{name}={value}"


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
@pytest.mark.parametrize("url_name", ["admin:login", "alerts:subscribe"])
def test_a_post_without_a_csrf_token_is_forbidden(site, url_name):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(url_name), {"username": "admin", "password": "x"})
    assert response.status_code == 403
