"""The real gunicorn, as production runs it, while the database changes under it.

gunicorn.conf.py's workers on PostgreSQL, with Redis as the shared cache and the page
cache and stored market figures at their production values, DEBUG off, hashed static
files. The server boots and serves pages first; then the test process publishes and
closes a posting through the ORM, and a management command in another process renames
its company: each change shows on the next request, with no restart and no waiting.
Workers that froze "now" at boot, or a cache that only web workers invalidate, fail it.
A CDN's view of the same server: 304 for a current copy, the new page after an edit, gzip.
"""

import contextlib
import gzip
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.factories import CompanyFactory, PostingFactory, SkillFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: gunicorn's workers must see the test's committed rows",
    ),
    # Committed rows: gunicorn reads the test database from other processes.
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(django_settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLOSED_BANNER = "This posting is no longer accepting applications."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database (test_…), which gunicorn's workers open as production does."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Hashed, compressed static files, as `make run` collects them (DEBUG off needs the
    manifest: a page naming a file missing from it is a 500)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(root)),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return root


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TESTING", "DJANGO_SETTINGS_MODULE", "CACHE_BACKEND", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="jobboard.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # The production defaults, whatever the environment running the tests says.
        PAGE_CACHE_SECONDS="10",
        MARKET_STATS_SECONDS="300",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


@pytest.fixture
def server(transactional_db, redis_cache, static_root, tmp_path):
    """gunicorn serving the test database, sharing this test's Redis keys: a save here
    moves the content generation the workers read. Stopped before the tables are emptied."""
    port = free_port()
    env = production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=django_settings.TEST_REDIS_URL,
        CACHE_KEY_PREFIX=redis_cache.key_prefix,
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
        SITE_URL=f"http://127.0.0.1:{port}",
        # Several workers, as in production (cores + 1 there), fewer on a shared machine.
        WEB_CONCURRENCY="2",
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "jobboard.wsgi"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if fetch(base + "/healthz")[0] == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not answer:\n{log_path.read_text()[-3000:]}")
        yield base, env
    finally:
        process.terminate()
        process.wait(timeout=30)
        # Shown with the test's output when it fails.
        print(log_path.read_text()[-5000:])


def fetch(url: str) -> tuple[int, str]:
    """Status and body of an anonymous GET (no cookies: the page cache applies)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_each_change_shows_on_the_next_request(server):
    base, env = server
    company = CompanyFactory(name="Harbour Lights", slug="harbour-lights")
    skill = SkillFactory(name="Seamanship", slug="seamanship")
    posting = PostingFactory(title="Night Harbour Pilot", company=company, skills=[skill])
    page, listing, company_page = (
        base + posting.get_absolute_url(),
        base + "/jobs/",
        base + company.get_absolute_url(),
    )
    # Served, and the pages stored in the cache, before anything changes.
    for _ in range(2):
        assert fetch(page)[0] == 404
        assert posting.title not in fetch(listing)[1]
        assert posting.title not in fetch(company_page)[1]
        assert "No open roles right now" in fetch(base + "/companies/")[1]

    posting.publish()

    status, body = fetch(page)
    assert status == 200
    assert posting.title in body
    assert CLOSED_BANNER not in body
    assert posting.title in fetch(listing)[1]
    assert posting.title in fetch(company_page)[1]
    assert "1 open role" in fetch(base + "/companies/")[1]

    posting.close()

    status, body = fetch(page)
    assert status == 200
    assert CLOSED_BANNER in body
    assert posting.title not in fetch(listing)[1]
    assert posting.title not in fetch(company_page)[1]
    assert "No open roles right now" in fetch(base + "/companies/")[1]

    # A save from a management command, a process that never builds the middleware.
    rename = (
        "from companies.models import Company; "
        "company = Company.objects.get(slug='harbour-lights'); "
        "company.name = 'Harbour Beacons'; company.save()"
    )
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-startup", "-c", rename],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert "Harbour Beacons" in fetch(company_page)[1]
    assert "Harbour Beacons" in fetch(page)[1]


def fetch_with(url: str, **headers: str):
    """Status, headers and raw body of an anonymous GET with `headers`."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:  # 304 is an "error" to urllib
        return error.code, error.headers, error.read()


def confirmed_copy(url: str):
    """The headers and body of a page, once the server has answered 304 to its ETag.
    Asked again should the page's time window (PAGE_CACHE_SECONDS) end in between."""
    for _ in range(3):
        status, headers, body = fetch_with(url)
        assert status == 200
        again = fetch_with(url, **{"If-None-Match": headers["ETag"]})
        if again[0] == 304:
            assert again[1]["ETag"] == headers["ETag"] and again[2] == b""
            return headers, body
    pytest.fail(f"{url}: no 304 for its own ETag")


def test_a_cdn_revalidates_and_gets_compressed_pages(server):
    """What a CDN in front of gunicorn sees: a shared page with an ETag, a 304 for the
    copy it holds while nothing changed, the new page after an edit, gzip when asked."""
    base, _ = server
    posting = PostingFactory(title="Lighthouse Keeper")
    posting.publish()
    url = base + "/jobs/"

    headers, plain = confirmed_copy(url)
    assert "public" in headers["Cache-Control"] and "s-maxage=10" in headers["Cache-Control"]
    assert "Cookie" not in headers.get("Vary", "")
    etag = headers["ETag"]

    status, headers, compressed = fetch_with(url, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed) == plain

    posting.title = "Lighthouse Keeper, renamed"
    posting.save()

    status, headers, body = fetch_with(url, **{"If-None-Match": etag})
    assert status == 200
    assert headers["ETag"] != etag
    assert posting.title in body.decode()

    # The admin's login carries a CSRF token: never shared, never compressed.
    status, headers, _ = fetch_with(base + "/admin/login/", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert "private" in headers["Cache-Control"] and "no-store" in headers["Cache-Control"]
    assert "Content-Encoding" not in headers
