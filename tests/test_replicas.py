"""Which database each read goes to with a replica configured (jobboard/replicas.py), and
/readyz (jobboard/readiness.py).

The suite's replica, `replica_1`, is a TEST MIRROR of the primary (tests/settings.py),
which the router reads as the primary. Tests here that need it read as a replica say it
is another database (`as_a_replica`): it is then a second connection to the test
database, and the queries each connection ran show where the reads went.
tests/test_cluster.py does the same with a real streaming replica.
"""

import runpy
import socket
import threading
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from companies.models import Company
from content.models import ContentUpload
from jobboard import readiness, replicas
from jobboard.replicas import PIN_COOKIE, ReplicaRouter, RequestReads, request_reads
from postings.models import Posting
from skills.models import Skill
from tests.conftest import PRODUCTION_HOST
from tests.factories import LivePostingFactory

REPLICA = "replica_1"
both_databases = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(autouse=True)
def forget_measured_lags():
    replicas._measured_lag.clear()
    yield
    replicas._measured_lag.clear()


@pytest.fixture
def as_a_replica(monkeypatch):
    """replica_1 read as a replica of its own, 0 s behind unless a test says otherwise."""
    monkeypatch.setattr(replicas, "is_the_primary", lambda alias: False)
    lags = {REPLICA: 0.0}
    monkeypatch.setattr(replicas, "replica_lag", lambda alias: lags[alias])
    return lags


def reads(client, url, **extra):
    """The response to an anonymous GET, and the tables each database was asked for."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url, **extra)
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_outside_a_web_request_every_read_is_the_primarys():
    """Workers, the scheduler, commands and the shell never read a replica."""
    router = ReplicaRouter()
    for model in (Posting, Company, Skill, DBTaskResult, Session, AccessAttempt, User):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS


def test_in_an_anonymous_request_only_the_published_content_reads_the_replica():
    router = ReplicaRouter()
    token = request_reads.set(RequestReads(REPLICA))
    try:
        for model in (Posting, Company, Skill):
            assert router.db_for_read(model) == REPLICA
        for model in (DBTaskResult, Session, AccessAttempt, User, ContentUpload):
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS
        assert Posting.objects.all().db == REPLICA
        # SELECT … FOR UPDATE is routed as a write: the primary, and so is what the
        # request reads after it, as after any write.
        assert Posting.objects.select_for_update().db == DEFAULT_DB_ALIAS
        assert router.db_for_read(Posting) == DEFAULT_DB_ALIAS
    finally:
        request_reads.reset(token)
    assert router.allow_migrate(REPLICA, "postings") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "postings") is True


@both_databases
def test_an_anonymous_page_reads_the_replica_and_stays_cacheable(client, as_a_replica):
    posting = LivePostingFactory(title="Harbour Pilot")

    response, primary, replica = reads(client, "/jobs/")

    assert posting.title in response.content.decode()
    assert any("postings_posting" in sql for sql in replica)
    assert not any("postings_posting" in sql for sql in primary)
    assert not response.cookies  # no pinning cookie: the page cache may keep it


@both_databases
def test_a_lagging_replica_is_read_around_until_it_catches_up(
    client, as_a_replica, settings, monkeypatch
):
    LivePostingFactory()
    settings.REPLICA_MAX_LAG_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(replicas.time, "monotonic", lambda: clock[0])
    as_a_replica[REPLICA] = 30.0

    _, primary, replica = reads(client, "/jobs/")
    assert any("postings_posting" in sql for sql in primary) and not replica

    # Caught up: this process notices within LAG_CHECK_SECONDS, not before.
    as_a_replica[REPLICA] = 0.2
    clock[0] += replicas.LAG_CHECK_SECONDS / 2
    _, primary, replica = reads(client, "/jobs/")
    assert not replica
    clock[0] += replicas.LAG_CHECK_SECONDS
    _, primary, replica = reads(client, "/jobs/")
    assert any("postings_posting" in sql for sql in replica)


@both_databases
def test_a_client_that_wrote_reads_the_primary_for_the_pinning_time(client, as_a_replica, settings):
    LivePostingFactory()
    # A write: any POST (here a failed login, which axes records).
    response = client.post("/admin/login/", {"username": "nobody", "password": "wrong-1"})
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
    assert pin["httponly"]

    _, primary, replica = reads(client, "/jobs/")  # the client sends the cookie back
    assert any("postings_posting" in sql for sql in primary) and not replica

    client.cookies.pop(PIN_COOKIE)  # expired
    _, primary, replica = reads(client, "/jobs/")
    assert any("postings_posting" in sql for sql in replica)


@both_databases
def test_staff_and_the_admin_read_the_primary(client, as_a_replica):
    LivePostingFactory()
    staff = User.objects.create_superuser("editor", password="a-long-passphrase-1")
    client.force_login(staff)
    for url in ("/jobs/", "/admin/postings/posting/"):
        response, primary, replica = reads(client, url)
        assert response.status_code == 200
        assert any("postings_posting" in sql for sql in primary) and not replica, url


def test_readyz_names_each_part_and_says_ok(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert [line.split(":")[0] for line in lines] == ["database", REPLICA, "cache", "storage"]
    assert all(line.split(": ", 1)[1].startswith("ok") for line in lines)
    assert client.post("/readyz").status_code == 405


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def test_readyz_is_503_naming_an_unreachable_cache_without_its_address(client, db, settings):
    port = closed_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:hunter2-secret@127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.content.decode()
    assert "cache: failing" in body
    assert "database: ok" in body
    assert str(port) not in body and "hunter2" not in body


def test_readyz_answers_within_its_timeout_while_the_storage_hangs(client, db, monkeypatch):
    release = threading.Event()
    calls = []

    def hanging_exists(name):
        calls.append(name)
        release.wait(30)
        return False

    monkeypatch.setattr(default_storage, "exists", hanging_exists)
    monkeypatch.setattr(readiness, "STORAGE_TIMEOUT", 0.3)
    try:
        for _ in range(3):  # a load balancer polling
            started = time.monotonic()
            response = client.get("/readyz")
            assert time.monotonic() - started < 2
            assert response.status_code == 503
            assert "storage: failing" in response.content.decode()
        assert len(calls) == 1  # one hung check per process, however often it is asked
    finally:
        release.set()
        readiness._storage_check.result(timeout=5)
    assert client.get("/readyz").status_code == 200


def computed_settings(monkeypatch, settings, **env):
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(settings.BASE_DIR / "jobboard" / "settings.py"))


def test_each_replica_url_is_an_alias_read_through_the_router(monkeypatch, settings):
    computed = computed_settings(
        monkeypatch,
        settings,
        DATABASE_URL="postgres://app@primary.internal:5432/jobboard",
        DATABASE_REPLICA_URL="postgres://app@replica-a.internal/jobboard, "
        "postgres://app@replica-b.internal:5433/jobboard",
    )

    assert computed["REPLICA_DATABASES"] == ["replica_1", "replica_2"]
    assert computed["DATABASE_ROUTERS"] == ["jobboard.replicas.ReplicaRouter"]
    databases = computed["DATABASES"]
    assert databases["replica_2"]["HOST"] == "replica-b.internal"
    assert databases["replica_2"]["PORT"] == 5433
    # The primary's session options (no JIT, the connect timeout), a test mirror in tests.
    assert databases["replica_1"]["OPTIONS"] == databases["default"]["OPTIONS"]
    assert databases["replica_1"]["TEST"] == {"MIRROR": "default"}


def test_without_replicas_there_is_no_router(monkeypatch, settings):
    computed = computed_settings(monkeypatch, settings)

    assert computed["REPLICA_DATABASES"] == [] and computed["DATABASE_ROUTERS"] == []
    assert list(computed["DATABASES"]) == ["default"]


def test_a_replica_of_another_kind_of_database_is_refused(monkeypatch, settings):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        computed_settings(
            monkeypatch,
            settings,
            DATABASE_URL="postgres://app@primary.internal/jobboard",
            DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3",
        )


def test_the_pinning_cookie_is_secure_behind_https(production_settings, client, db):
    response = client.post(
        "/admin/login/", {"username": "nobody"}, secure=True, HTTP_HOST=PRODUCTION_HOST
    )

    pin = response.cookies[PIN_COOKIE]
    assert pin["secure"] and pin["httponly"] and pin["samesite"] == "Lax"
