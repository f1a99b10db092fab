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
# Counts are computed on each request (tests/test_market.py tests the stored figures).
MARKET_STATS_SECONDS = 0
