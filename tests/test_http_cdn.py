"""What a CDN in front of the site may keep, for how long, and what is compressed
(README.md, "Behind a CDN"; jobboard/http_caching.py).

Anonymous pages: `public` with `s-maxage` and `stale-while-revalidate` of
PAGE_CACHE_SECONDS, an ETag that moves with every edit and with time, no `Vary: Cookie`,
304 without rendering. Staff, the admin and any response with a CSRF token or a cookie:
`private, no-store`, never compressed (BREACH).
"""

import gzip
import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

import jobboard.urls
from jobboard.http_methods import read_only
from tests.factories import LivePostingFactory

pytestmark = pytest.mark.django_db


# Pages an app may add: a form that posts (as alerts' pages do) and a page that sets a
# cookie. The rules must hold for them without naming them.
@read_only
def form_page(request):
    template = engines["django"].from_string(
        '<!doctype html><title>Form</title><form method="post">{% csrf_token %}'
        '<label>E-mail <input name="email"></label><button>Send</button></form>' + "." * 500
    )
    return HttpResponse(template.render(request=request))


@read_only
def cookie_page(request):
    response = HttpResponse("<!doctype html><title>Cookie</title>" + "." * 500)
    response.set_cookie("chosen", "1")
    return response


urlpatterns = [
    *jobboard.urls.urlpatterns,
    path("test-form/", form_page),
    path("test-cookie/", cookie_page),
]


@pytest.fixture
def cdn(settings):
    """The page cache on, at its default bound, and the clock stopped: the requests of a
    test see one time window (tests that move the clock say so)."""
    settings.PAGE_CACHE_SECONDS = 10
    with time_machine.travel(time.time(), tick=False):
        yield settings


@pytest.fixture
def pages(live_posting, skill, company):
    return [
        reverse("home"),
        reverse("postings:list"),
        reverse("postings:list") + "?q=engineer&remote=remote",
        live_posting.get_absolute_url(),
        skill.get_absolute_url(),
        company.get_absolute_url(),
        reverse("feeds:postings-atom"),
        reverse("feeds:postings-rss"),
        reverse("sitemap"),
    ]


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def vary(response) -> set[str]:
    return {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}


def never_kept(response) -> bool:
    return {"private", "no-store"} <= directives(response) and "public" not in directives(response)


class Renders:
    """Templates rendered and queries run while it is open."""

    def __enter__(self):
        self.templates = []
        template_rendered.connect(self.record)
        self.queries = CaptureQueriesContext(connection).__enter__()
        return self

    def record(self, sender, template, **kwargs):
        self.templates.append(template)

    def __exit__(self, *exc):
        template_rendered.disconnect(self.record)
        self.queries.__exit__(*exc)


@pytest.mark.parametrize("seconds", [10, 45])
def test_anonymous_pages_may_be_kept_by_a_cdn_as_long_as_the_page_cache(
    client, settings, pages, seconds
):
    settings.PAGE_CACHE_SECONDS = seconds
    for url in pages:
        response = client.get(url)

        assert response.status_code == 200, url
        assert directives(response) == {
            "public",
            "max-age=0",
            f"s-maxage={seconds}",
            f"stale-while-revalidate={seconds}",
        }, url
        assert response["ETag"].startswith('W/"'), url
        # The session middleware's Vary: Cookie (the replica router asks whether the
        # visitor is signed in) is gone: a CDN keeps one copy, not one per visitor.
        assert "cookie" not in vary(response), url
        assert not response.cookies, url


def test_a_conditional_request_is_answered_before_any_query_or_template(client, cdn, pages):
    for url in pages:
        # HEAD is not stored by the page cache: the GET below cannot be a cache hit.
        etag = client.head(url)["ETag"]

        with Renders() as renders:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == 304, url
        assert response.content == b""
        assert response["ETag"] == etag
        assert f"s-maxage={cdn.PAGE_CACHE_SECONDS}" in directives(response)
        assert "accept-encoding" in vary(response)
        assert len(renders.queries) == 0, url
        assert renders.templates == [], url


def test_an_other_etag_gets_the_page(client, cdn, live_posting):
    url = reverse("postings:list")
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH='W/"1.2.abc", "other"')
    assert response.status_code == 200
    assert response["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 200
    # Several tags, one of them current (as a CDN holding two copies sends them).
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"old", {etag}').status_code == 304


def test_the_etag_is_per_url(client, cdn, pages):
    etags = {client.get(url)["ETag"] for url in pages}

    assert len(etags) == len(pages)


def test_an_edit_changes_the_etag_and_the_old_copy_gets_the_new_page(client, cdn, live_posting):
    for url in [reverse("postings:list"), live_posting.get_absolute_url()]:
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

        live_posting.title = f"Renamed for {url}"
        live_posting.save()

        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag
        assert live_posting.title in response.content.decode()


def test_the_etag_changes_at_least_every_page_cache_seconds(client, cdn, live_posting):
    """Time alone changes pages (a posting expires), so a copy is never confirmed for
    longer than the bound, whatever second it was fetched in."""
    url = reverse("postings:list")
    seconds = cdn.PAGE_CACHE_SECONDS
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, 0, 400_000, UTC), tick=False) as t:
        etags = []
        for _ in range(3 * seconds):
            etags.append(client.get(url)["ETag"])
            t.shift(1)

    longest = run = 1
    for previous, etag in itertools.pairwise(etags):
        run = run + 1 if etag == previous else 1
        longest = max(longest, run)
    assert longest == seconds
    assert len(set(etags)) >= 3


def test_a_stored_page_is_confirmed_until_it_expires_and_never_longer(client, cdn, live_posting):
    """A page the page cache stored keeps the ETag it was rendered with, in later time
    windows too, for as long as it is stored: PAGE_CACHE_SECONDS from its rendering."""
    url = reverse("postings:list")
    seconds = cdn.PAGE_CACHE_SECONDS
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC), tick=False) as t:
        etag = client.get(url)["ETag"]
        for _ in range(seconds - 1):
            t.shift(1)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
            assert len(queries) == 0

        t.shift(1)

        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag


def test_a_posting_that_expires_leaves_the_copy_within_the_bound(client, cdn, company):
    start = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as t:
        posting = LivePostingFactory(
            title="Expiring Harbour Pilot",
            company=company,
            expires_at=start + timedelta(seconds=3),
        )
        url = reverse("postings:list")
        first = client.get(url)
        assert posting.title in first.content.decode()

        t.shift(3 + cdn.PAGE_CACHE_SECONDS)  # expired, no save announced it

        response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200
        assert posting.title not in response.content.decode()


def test_not_found_is_kept_briefly_without_a_validator(client, cdn):
    response = client.get("/jobs/no-such-posting/")

    assert response.status_code == 404
    assert f"s-maxage={cdn.PAGE_CACHE_SECONDS}" in directives(response)
    assert "ETag" not in response


def test_without_a_page_cache_a_cdn_must_ask_every_time(client, settings, live_posting):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get(reverse("postings:list"))

    assert directives(response) == {"no-cache"}
    assert "ETag" not in response
    assert "cookie" not in vary(response)


def test_a_visitor_with_a_csrf_cookie_gets_the_shared_page_and_304s(cdn, live_posting):
    """The CSRF cookie of a form seen earlier changes nothing a page shows: the page is
    rendered (never stored: cookies may hold a session), shared and revalidated."""
    visitor = Client(HTTP_COOKIE="csrftoken=" + "a" * 32)
    url = reverse("postings:list")
    response = visitor.get(url)
    assert "public" in directives(response)
    assert response["ETag"] == Client().get(url)["ETag"]

    assert visitor.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize("cookie", ["sessionid=expired", "messages=x", "read_primary=1", "a=b"])
def test_a_visitor_with_a_cookie_a_page_may_read_gets_a_page_never_kept(cdn, live_posting, cookie):
    """A session (staff, expired or not), a notice, the replica pin, or a cookie some app
    reads: the page may be theirs, so a CDN must not keep it for others."""
    visitor = Client(HTTP_COOKIE=cookie, HTTP_ACCEPT_ENCODING="gzip")
    response = visitor.get(reverse("postings:list"))

    assert response.status_code == 200
    assert never_kept(response)
    assert "ETag" not in response
    assert "Content-Encoding" not in response


def test_staff_pages_and_the_admin_are_never_kept(admin_client, cdn, live_posting):
    for url in [reverse("postings:list"), live_posting.get_absolute_url(), reverse("admin:index")]:
        response = admin_client.get(url, HTTP_ACCEPT_ENCODING="gzip")

        assert response.status_code == 200, url
        assert never_kept(response), url
        assert "ETag" not in response, url
        assert "Content-Encoding" not in response, url
        # Conditional requests get the page: nothing of it was shared.
        assert admin_client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 200


def staff_importer() -> User:
    user = User.objects.create_user("importer", password="a-long-passphrase-1", is_staff=True)
    for codename in ["import_content", "view_posting"]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.mark.urls(__name__)
def test_a_response_with_a_csrf_token_or_a_cookie_is_never_shared_or_compressed(cdn, client):
    importer = Client()
    importer.force_login(staff_importer())
    responses = {
        "admin login": client.get(reverse("admin:login"), HTTP_ACCEPT_ENCODING="gzip"),
        "import page": importer.get(
            reverse("admin:postings_posting_import"), HTTP_ACCEPT_ENCODING="gzip"
        ),
        "an app's form": client.get("/test-form/", HTTP_ACCEPT_ENCODING="gzip"),
        "a cookie": client.get("/test-cookie/", HTTP_ACCEPT_ENCODING="gzip"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert never_kept(response), name
        assert "ETag" not in response, name
        assert "Content-Encoding" not in response, name
        assert "Accept-Encoding" not in response.get("Vary", ""), name
    for name in ["admin login", "import page", "an app's form"]:
        assert 'name="csrfmiddlewaretoken"' in responses[name].content.decode(), name
    # The forms still work: the token is set as a cookie and varies with it.
    assert responses["an app's form"].cookies["csrftoken"].value
    assert "cookie" in vary(responses["an app's form"])


@pytest.mark.parametrize("name", ["listing", "posting", "atom", "rss", "sitemap", "home"])
def test_shared_responses_are_compressed_for_clients_that_accept_gzip(
    client, cdn, live_posting, name
):
    url = {
        "listing": reverse("postings:list"),
        "posting": live_posting.get_absolute_url(),
        "atom": reverse("feeds:postings-atom"),
        "rss": reverse("feeds:postings-rss"),
        "sitemap": reverse("sitemap"),
        "home": reverse("home"),
    }[name]
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(compressed)
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content)
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] == plain["ETag"]  # weak: the same page, either encoding


def test_compression_does_not_depend_on_the_page_cache(client, settings, live_posting):
    settings.PAGE_CACHE_SECONDS = 0
    plain = client.get(reverse("postings:list"))
    compressed = client.get(reverse("postings:list"), HTTP_ACCEPT_ENCODING="gzip")

    assert gzip.decompress(compressed.content) == plain.content


def test_images_and_tiny_responses_are_not_compressed(client, cdn, company, png_upload):
    company.logo.save("logo.png", png_upload)
    logo = client.get(company.logo.url, HTTP_ACCEPT_ENCODING="gzip")
    assert logo.status_code == 200
    assert "Content-Encoding" not in logo  # PNG is compressed already
    assert directives(logo) == {"public", "max-age=31536000", "immutable"}

    robots = client.get(reverse("robots"), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in robots  # too short to gain
    assert directives(robots) == {"max-age=3600", "public"}  # its view's own policy

    health = client.get(reverse("healthz"), HTTP_ACCEPT_ENCODING="gzip")
    assert never_kept(health)


@pytest.mark.parametrize(
    "value", ["", "*", ",", "W/", 'W/"', '"unterminated', "\x00\xff", "a" * 5000, 'W/"1.2.3", *']
)
def test_a_malformed_if_none_match_gets_the_page(client, cdn, live_posting, value):
    response = client.get(reverse("postings:list"), HTTP_IF_NONE_MATCH=value)

    assert response.status_code == 200
