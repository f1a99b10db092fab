"""What anonymous visitors get from the cache, and how soon they see a staff edit.

The documented bound (jobboard/cache.py, README "Caching"): a save or delete of a posting,
company, skill or guide shows on the next request; a change no save announces (a posting
reaching its expiry, a bulk UPDATE) shows within PAGE_CACHE_SECONDS.
"""

import gzip
import io
import os
import runpy
import secrets
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from jobboard.cache import content_generation
from postings.models import Posting
from tests.factories import (
    CompanyFactory,
    ExpiredPostingFactory,
    LivePostingFactory,
    PostingFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on, with the per-process cache and, when it runs here, Redis (its
    own database and key prefix: the `redis_cache` fixture)."""
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    settings.PAGE_CACHE_SECONDS = 10
    return settings


def get(client, url):
    """The response and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def test_a_repeated_anonymous_page_comes_from_the_cache(client, page_cache, live_posting):
    first, queries = get(client, "/jobs/")
    again, queries_again = get(client, "/jobs/")

    assert queries > 0
    assert queries_again == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # Headers added around the cache (security middleware, CSP) are there on a hit too.
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["X-Frame-Options"] == first["X-Frame-Options"]


def test_different_urls_are_different_pages(client, page_cache, live_posting):
    get(client, "/jobs/")

    _, queries = get(client, "/jobs/?remote=remote")

    assert queries > 0


def test_a_guide_narrowed_by_chips_comes_from_the_cache(client, page_cache):
    skill = SkillFactory(name="Go", slug="go")
    LivePostingFactory(skills=[skill], remote_policy=Posting.RemotePolicy.REMOTE)
    url = f"{skill.get_absolute_url()}?remote=remote&seniority=mid"

    first, queries = get(client, url)
    again, queries_again = get(client, url)

    # No cookie, no token: every visitor's page, stored once per URL.
    assert not first.cookies and queries > 0
    assert queries_again == 0 and again.content == first.content


def test_a_published_posting_shows_at_once(client, page_cache, live_posting):
    draft = PostingFactory(title="Freshly Published Role")
    assert "Freshly Published Role" not in get(client, "/jobs/")[0].content.decode()

    draft.publish()

    assert "Freshly Published Role" in get(client, "/jobs/")[0].content.decode()


def test_an_edited_posting_shows_at_once(client, page_cache, live_posting):
    url = live_posting.get_absolute_url()
    get(client, url)
    get(client, "/jobs/")

    live_posting.title = "Renamed Role"
    live_posting.save()

    assert "Renamed Role" in get(client, url)[0].content.decode()
    assert "Renamed Role" in get(client, "/jobs/")[0].content.decode()


def test_a_closed_posting_leaves_the_listing_at_once(client, page_cache, live_posting):
    assert live_posting.title in get(client, "/jobs/")[0].content.decode()

    live_posting.close()

    assert live_posting.title not in get(client, "/jobs/")[0].content.decode()


def test_skill_and_company_edits_show_at_once(client, page_cache, live_posting):
    url = live_posting.get_absolute_url()
    get(client, url)

    live_posting.skills.add(SkillFactory(name="Cobol"))
    assert "Cobol" in get(client, url)[0].content.decode()

    company = live_posting.company
    company.name = "Renamed Company"
    company.save()
    assert "Renamed Company" in get(client, url)[0].content.decode()


def test_a_deleted_posting_leaves_the_listing_at_once(client, page_cache, live_posting):
    get(client, "/jobs/")

    live_posting.delete()

    assert live_posting.title not in get(client, "/jobs/")[0].content.decode()


def test_a_change_no_save_announces_shows_within_the_bound(client, page_cache):
    page_cache.PAGE_CACHE_SECONDS = 1
    posting = LivePostingFactory(title="Quietly Expiring Role")
    assert posting.title in get(client, "/jobs/")[0].content.decode()

    # What time does to a posting, or a bulk UPDATE: no save, no signal.
    Posting.objects.filter(pk=posting.pk).update(status=Posting.Status.CLOSED)
    time.sleep(1.1)

    assert posting.title not in get(client, "/jobs/")[0].content.decode()


def test_staff_with_a_session_always_get_fresh_pages(client, page_cache, admin_user):
    posting = LivePostingFactory(title="Visible Role")
    get(client, "/jobs/")  # cached for anonymous visitors
    Posting.objects.filter(pk=posting.pk).update(title="Bulk Renamed Role")

    client.force_login(admin_user)
    response, queries = get(client, "/jobs/")

    assert queries > 0
    assert "Bulk Renamed Role" in response.content.decode()


def test_pages_that_are_private_or_not_ok_are_not_stored(
    client, page_cache, live_posting, monkeypatch
):
    backend = caches["default"]
    stored = []
    original_set = backend.set

    def recording_set(key, *args, **kwargs):
        stored.append(key)
        return original_set(key, *args, **kwargs)

    monkeypatch.setattr(backend, "set", recording_set)
    for url in ["/healthz", "/jobs/?salary_min=lots", "/jobs/no-such-posting/"]:
        assert client.get(url).status_code in {200, 400, 404}
    client.post("/jobs/")
    Client().get("/jobs/", HTTP_COOKIE="sessionid=abc")

    assert not [key for key in stored if key.startswith("page:")]
    Client().get("/jobs/")
    assert [key for key in stored if key.startswith("page:")]


def test_the_cache_is_off_when_page_cache_seconds_is_zero(client, settings, live_posting):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/jobs/")

    assert get(client, "/jobs/")[1] > 0


def test_a_cached_part_follows_edits(page_cache):
    from jobboard.cache import cached

    company = CompanyFactory(name="Before")
    assert cached("name", lambda: company.name) == "Before"

    company.name = "After"
    company.save()

    assert cached("name", lambda: company.name) == "After"


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "LocMemCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_BACKEND": "dummy"}, "DummyCache"),
        ({"CACHE_BACKEND": "dummy"}, "DummyCache"),
    ],
)
def test_the_cache_backend_follows_the_environment(settings, monkeypatch, env, backend):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("CACHE_BACKEND", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    computed = runpy.run_path(str(settings.BASE_DIR / "jobboard" / "settings.py"))

    assert computed["CACHES"]["default"]["BACKEND"].endswith(backend)


def test_a_save_from_a_management_command_reaches_the_page_cache(
    client, redis_cache, settings, live_posting, tmp_path
):
    """A save in a process that never builds the cache middleware (here `manage.py shell`,
    as from cron, a worker or a staff member's shell) moves the content generation too."""
    settings.PAGE_CACHE_SECONDS = 10
    url = live_posting.get_absolute_url()
    get(client, url)
    assert get(client, url)[1] == 0  # served from the cache
    generation = content_generation()

    # The production settings on their own SQLite file, sharing this test's Redis keys.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobboard.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'command.sqlite3'}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": redis_cache.key_prefix,
    }
    env.pop("CACHE_BACKEND", None)
    script = (
        "from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        "from skills.models import Skill; "
        "Skill.objects.create(name='Saved from a command', slug='saved-from-a-command')"
    )
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-startup", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert content_generation() > generation
    assert get(client, url)[1] > 0  # rendered afresh


def test_clearing_a_test_cache_on_redis_leaves_other_keys_alone(redis_cache, settings):
    """Tests on Redis use their own database and key prefix; emptying their cache deletes
    their keys only, never the database (RedisCache.clear() is FLUSHDB)."""
    assert urlsplit(settings.CACHES["default"]["LOCATION"]).path not in {"", "/", "/0"}
    others = redis.Redis.from_url(settings.TEST_REDIS_URL)
    other_key = f"someone-else:{secrets.token_hex(4)}"
    others.set(other_key, b"kept", ex=60)
    try:
        cache.set("page:mine", "gone")

        cache.clear()

        assert cache.get("page:mine") is None
        assert others.get(other_key) == b"kept"
    finally:
        others.delete(other_key)


def close_expired(posting):
    call_command("close_expired_postings", verbosity=0)


def render_logos(posting):
    # A company written without save() (as generate_postings and older databases do) has
    # no logo sizes yet.
    Company.objects.filter(pk=posting.company_id).update(logo_variants="")
    call_command("render_logos", stdout=io.StringIO())


def generate_postings(posting):
    call_command("generate_postings", count=3, seed=1, verbosity=0, stdout=io.StringIO())


@pytest.mark.parametrize("command", [close_expired, render_logos, generate_postings])
def test_a_command_that_writes_in_bulk_announces_its_change(client, settings, command):
    """UPDATE, bulk_create and COPY send no post_save: a command that writes that way
    moves the content generation itself, so the change shows on the next request rather
    than after PAGE_CACHE_SECONDS."""
    settings.PAGE_CACHE_SECONDS = 10
    posting = LivePostingFactory()
    ExpiredPostingFactory(company=posting.company)
    get(client, "/jobs/")
    assert get(client, "/jobs/")[1] == 0  # served from the cache
    generation = content_generation()
    command(posting)

    assert content_generation() > generation
    assert get(client, "/jobs/")[1] > 0  # rendered afresh


def test_a_logo_rendered_by_a_worker_shows_at_once(client, page_cache, png_upload):
    """The worker stores the rendered sizes with an UPDATE, which sends no signal."""
    company = CompanyFactory(name="Harbour Lights", slug="harbour-lights")
    company.logo.save("logo.png", png_upload)
    page = company.get_absolute_url()
    assert "logo--monogram" in get(client, page)[0].content.decode()

    Company.objects.get(pk=company.pk).render_logo_variants()

    body = get(client, page)[0].content.decode()
    assert "logo--monogram" not in body.split("<main", 1)[1].split("</h1>", 1)[0]
    assert '<picture class="logo-picture">' in body


@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_before_a_transaction_commits_is_not_served_after_it(page_cache):
    """A save bumps the generation at once and again when its transaction commits: what
    another server rendered in between, from the old rows, is not served afterwards.
    Once per transaction, however many saves it holds."""
    posting = LivePostingFactory(title="Before")
    with transaction.atomic():
        posting.title = "Renamed"
        posting.save()
        posting.company.save()
        during = content_generation()  # another server's page, of the old rows, is keyed so
    assert content_generation() == during + 1


def test_a_page_is_stored_once_as_html_and_sent_in_each_encoding(
    client, page_cache, live_posting, monkeypatch
):
    """Compression sits outside the page cache: one stored copy, uncompressed, and each
    client gets the encoding it accepts (jobboard/http_caching.py)."""
    backend = caches["default"]
    stored = []
    original_set = backend.set

    def recording_set(key, value, *args, **kwargs):
        stored.append((key, value))
        return original_set(key, value, *args, **kwargs)

    monkeypatch.setattr(backend, "set", recording_set)
    compressed = client.get("/jobs/", HTTP_ACCEPT_ENCODING="gzip")
    with CaptureQueriesContext(connection) as queries:
        plain = client.get("/jobs/")
        compressed_again = client.get("/jobs/", HTTP_ACCEPT_ENCODING="gzip")

    assert len(queries) == 0  # both from the one stored copy
    pages = [value for key, value in stored if key.startswith("page:")]
    assert len(pages) == 1
    _, headers, content = pages[0]
    assert content == plain.content
    assert "Content-Encoding" not in dict(headers)
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == compressed_again["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert gzip.decompress(compressed_again.content) == plain.content


def test_a_conditional_request_for_a_stored_page_runs_no_query(client, page_cache, live_posting):
    url = live_posting.get_absolute_url()
    etag = get(client, url)[0]["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert len(queries) == 0
    live_posting.close()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_redis_cache_shares_one_client(redis_cache, settings, monkeypatch):
    # Django builds a redis.Redis per operation (a quarter of a cached page's CPU); ours
    # keeps one per connection pool, for every operation, reads and writes alike.
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("shared", {"a": 1})
    assert redis_cache.get("shared") == {"a": 1}
    assert redis_cache.get_many(["shared", "absent"]) == {"shared": {"a": 1}}
    assert redis_cache.add("counter", 1)
    assert redis_cache.incr("counter") == 2
    assert redis_cache._cache.get_client() is client
    # Production's setting: REDIS_URL set means this backend.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("CACHE_BACKEND", raising=False)
    computed = runpy.run_path(str(settings.BASE_DIR / "jobboard" / "settings.py"))
    assert computed["CACHES"]["default"]["BACKEND"] == "jobboard.redis_cache.RedisCache"
