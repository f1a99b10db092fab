"""The project's settings with what a test run needs: a throwaway key, fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("TESTING", "1")

from jobboard.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app folders without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests see every change at once: the anonymous page cache is off, except in
# tests/test_caching.py, which turns it on to test it.
PAGE_CACHE_SECONDS = 0
# Counts are computed on each request (tests/test_stats.py tests the stored figures).
MARKET_STATS_SECONDS = 0

# Tests never use a Redis database they did not ask for: whatever REDIS_URL says, the
# default cache is this process's memory. A test that needs Redis takes the `redis_cache`
# fixture (tests/conftest.py): TEST_REDIS_URL's database (a high number, away from the
# 0 that development and production default to) under a key prefix of its own, and on
# teardown it deletes the keys under that prefix only, never the whole database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jobboard-tests",
        "KEY_PREFIX": "jobboard",
        "TIMEOUT": 300,
    }
}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_CACHE_KEY_PREFIX = os.environ.get("TEST_CACHE_KEY_PREFIX", "jobboard-test")

# The suite runs as a board with a read replica would: a replica alias and the router, the
# replica a TEST MIRROR of the primary (the same database, so every test sees its rows;
# jobboard/replicas.py reads a mirror as the primary). tests/test_replicas.py and
# tests/test_cluster.py test real replicas.
if not REPLICA_DATABASES:  # noqa: F405
    DATABASES["replica_1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
    REPLICA_DATABASES = ["replica_1"]
    DATABASE_ROUTERS = ["jobboard.replicas.ReplicaRouter"]
