"""Reads from PostgreSQL replicas, and read-your-writes (settings: DATABASE_REPLICA_URL).

The design is django-multidb-router's pinning router (a cookie sends a client that has
just written to the primary for a few seconds), narrowed to what is safe here:

- **Replicas are opt-in, per request.** `ReplicaReadsMiddleware` lets an anonymous GET
  or HEAD outside the admin, from a client without the pinning cookie, read from a
  replica. Everything else reads the primary: workers, the scheduler, management
  commands, the shell, staff, the admin, any write. (The library sends every read of
  every process to a replica unless pinned: a task would read what it is about to change
  from a copy that may be behind.)
- **Only the published content is read from a replica**: the models of `REPLICA_APPS`,
  what anonymous pages, feeds and sitemaps show. The task backend's tables, sessions,
  users, the login-attempt records, the uploads' reports always read the primary, and so
  does every `select_for_update()` (Django routes it as a write).
- **A write in the request pins the rest of it** to the primary, and a response to a
  POST, PUT, PATCH or DELETE sets `PIN_COOKIE` for REPLICA_PIN_SECONDS. Anonymous GET
  responses never get it: they stay cacheable (jobboard/cache.py stores no response
  with a cookie).
- **A replica more than REPLICA_MAX_LAG_SECONDS behind is not read** until it catches
  up. Each process measures each replica's lag at most once a second (`LAG_CHECK_SECONDS`,
  the one thing this module keeps in memory); a replica that does not answer counts as
  behind. So a page built from a replica is at most that lag plus a second old, and the
  page cache keeps it PAGE_CACHE_SECONDS more: README.md, "Running on several machines",
  adds these up.
"""

import contextvars
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# The apps whose rows anonymous pages show, and only they, may be read from a replica.
REPLICA_APPS = frozenset({"skills", "companies", "postings"})
PIN_COOKIE = "read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# How long a process trusts its last measure of a replica's lag.
LAG_CHECK_SECONDS = 1.0

# How far the replica's replay is behind what it has received from the primary, as the
# age of the last transaction it replayed; 0 when it has replayed all it received, or is
# not a replica at all. A replay that has received new WAL but no transaction yet counts
# as infinitely behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(
        EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 'Infinity'
    )
END
"""


@dataclass
class RequestReads:
    """Where this request's reads of the published content go: a replica's alias, or
    the primary's once the request has written."""

    alias: str = DEFAULT_DB_ALIAS


# The primary unless ReplicaReadsMiddleware says otherwise for the current request.
request_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "request_reads", default=None
)


class ReplicaRouter:
    """DATABASE_ROUTERS' router when replicas are configured (settings.py)."""

    def db_for_read(self, model, **hints):
        reads = request_reads.get()
        if reads is None or model._meta.app_label not in REPLICA_APPS:
            return DEFAULT_DB_ALIAS
        return reads.alias

    def db_for_write(self, model, **hints):
        # Whatever this request reads after writing, it reads from what it wrote to.
        reads = request_reads.get()
        if reads is not None:
            reads.alias = DEFAULT_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary's schema


# alias -> (time.monotonic() of the measure, lag in seconds)
_measured_lag: dict[str, tuple[float, float]] = {}


def replica_lag(alias: str) -> float:
    """Seconds `alias` is behind the primary; infinite when it does not answer."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except Exception:  # any failure means: do not read from it now
        connection.close()  # the next measure connects afresh
        return math.inf


def measured_lag(alias: str) -> float:
    now = time.monotonic()
    measured_at, lag = _measured_lag.get(alias, (-math.inf, math.inf))
    if now - measured_at >= LAG_CHECK_SECONDS:
        lag = replica_lag(alias)
        _measured_lag[alias] = (time.monotonic(), lag)
    return lag


def is_the_primary(alias: str) -> bool:
    """Whether `alias` names the primary's own database: a test run's mirror (TEST
    MIRROR), whose reads must use the test's own connection to see its rows."""
    replica, primary = (connections[a].settings_dict for a in (alias, DEFAULT_DB_ALIAS))
    return all(replica.get(key) == primary.get(key) for key in ("HOST", "PORT", "NAME"))


def readable_replica() -> str:
    """A replica close enough behind to read from, picked at random; else the primary."""
    usable = [
        alias
        for alias in settings.REPLICA_DATABASES
        if not is_the_primary(alias) and measured_lag(alias) <= settings.REPLICA_MAX_LAG_SECONDS
    ]
    return random.choice(usable) if usable else DEFAULT_DB_ALIAS


def may_read_replica(request) -> bool:
    return (
        bool(settings.REPLICA_DATABASES)
        and request.method in SAFE_METHODS
        and PIN_COOKIE not in request.COOKIES
        and not request.path_info.startswith(f"/{settings.ADMIN_URL}")
        and not request.user.is_authenticated
    )


class ReplicaReadsMiddleware:
    """Chooses the database of each request's reads, and pins a client after a write.

    After AuthenticationMiddleware (it asks whether the visitor is signed in). Pages the
    anonymous page cache serves never get here: they read no database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads = RequestReads(readable_replica()) if may_read_replica(request) else None
        token = request_reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            request_reads.reset(token)
        if settings.REPLICA_DATABASES and request.method not in {*SAFE_METHODS, "OPTIONS"}:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
