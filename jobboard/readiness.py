"""What `/readyz` checks: can this web server do its work now?

`/healthz` says the process answers (liveness: restart it if not). `/readyz` says whether
what its pages need answers too (readiness: send it requests or not): the primary
database, each replica, the cache, the media storage. Each check is one round trip, so
a load balancer may poll it every second:

- databases: `SELECT 1` on the alias's connection, which DATABASE_CONNECT_TIMEOUT bounds;
  a replica's lag is reported too (a lagging replica is read around, not a failure);
- the cache: a write and a read of one key, bounded by the Redis socket timeouts;
- the storage: whether one fixed name exists (an S3 HEAD request, never a listing), in a
  thread of its own per process, waited for STORAGE_TIMEOUT seconds. A check still
  waiting from an earlier poll is not repeated: the part is reported as not answering, so
  polling a hung storage never piles up threads.

The answer names each part and says ok or failing, never why: an error's text may hold a
host name or a credential. The reason goes to the log.
"""

import logging
import secrets
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections

from jobboard.replicas import is_the_primary, replica_lag

logger = logging.getLogger(__name__)

STORAGE_TIMEOUT = 2.0
PROBE_NAME = "readyz-probe"  # never written: only whether it exists is asked

_storage_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz-storage")
_storage_check: Future | None = None


def check_database(alias: str) -> None:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        connection.close()  # the next request connects afresh
        raise


def check_cache() -> None:
    value = secrets.token_hex(8)
    cache.set(PROBE_NAME, value, timeout=10)
    if cache.get(PROBE_NAME) != value:
        raise RuntimeError("the cache did not return what was just stored in it")


def check_storage() -> None:
    global _storage_check
    if _storage_check is None or _storage_check.done():
        _storage_check = _storage_executor.submit(default_storage.exists, PROBE_NAME)
    try:
        _storage_check.result(timeout=STORAGE_TIMEOUT)
    except FutureTimeout:
        raise TimeoutError(f"no answer within {STORAGE_TIMEOUT} s") from None


def readiness() -> list[tuple[str, bool, str]]:
    """(part, ready, note) for each part, in a fixed order."""
    checks = [("database", lambda: check_database(DEFAULT_DB_ALIAS))]
    for alias in settings.REPLICA_DATABASES:
        # A test run's mirror is the primary's database, asked through its connection.
        target = DEFAULT_DB_ALIAS if is_the_primary(alias) else alias
        checks.append((alias, lambda target=target: check_database(target)))
    checks += [("cache", check_cache), ("storage", check_storage)]
    results = []
    for part, check in checks:
        try:
            check()
        except Exception:
            logger.warning("/readyz: %s is not ready", part, exc_info=True)
            results.append((part, False, "failing"))
            continue
        note = "ok"
        if part in settings.REPLICA_DATABASES and not is_the_primary(part):
            note = f"ok, {replica_lag(part):.1f} s behind"
        results.append((part, True, note))
    return results
