import io
import os
import runpy
import secrets
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from PIL import Image

from jobboard.redis_cache import RedisCache
from tests import factories

# Property-based tests: ≥ 500 examples per test in CI (`CI` or HYPOTHESIS_PROFILE=ci, as
# .ci/run sets), fewer while developing. No deadline: the machine is shared and noisy.
hypothesis_settings.register_profile(
    "ci",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

# The production environment README.md documents ("Production"), with a fresh key.
PRODUCTION_HOST = "jobs.example.com"
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": PRODUCTION_HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{PRODUCTION_HOST}",
    "SITE_URL": f"https://{PRODUCTION_HOST}",
    "HTTPS": "1",
    "EMAIL_URL": "smtp://jobboard:secret@mail.example.com:587/?tls=1",
    "DEFAULT_FROM_EMAIL": f"Jobboard <jobs@{PRODUCTION_HOST}>",
}
# What that environment changes and a test run can take over (not the database or storage).
PRODUCTION_SETTINGS_PREFIXES = (
    "SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "CSRF_TRUSTED_ORIGINS", "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY", "ALLOWED_HOSTS", "HTTPS", "TRUSTED_PROXY_COUNT", "SITE_URL",
)  # fmt: skip


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached parts of pages never leak between
    tests (a rolled-back transaction announces nothing to jobboard.cache)."""
    cache.clear()


class PrefixedRedisCache(RedisCache):
    """The board's Redis cache (jobboard/redis_cache.py) whose clear() empties only the
    keys under its own prefix.

    RedisCache.clear() is FLUSHDB: a test calling `cache.clear()` emptied the whole
    database, whoever else kept keys in it (database 0, before tests had their own)."""

    def clear(self):
        prefix = self.key_prefix
        if not prefix.startswith(django_settings.TEST_CACHE_KEY_PREFIX):
            raise RuntimeError(f"Not a test's key prefix, nothing deleted: {prefix!r}")
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)


def redis_is_running() -> bool:
    location = urlsplit(django_settings.TEST_REDIS_URL)
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((location.hostname or "127.0.0.1", location.port or 6379)) == 0


@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis, as in production: TEST_REDIS_URL's database (never the
    0 that development uses) and a key prefix unique to this test, whose keys, and only
    those, are deleted afterwards. Skips when Redis does not answer."""
    if not redis_is_running():
        pytest.skip(f"Redis is not running at {settings.TEST_REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.conftest.PrefixedRedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
            "KEY_PREFIX": f"{settings.TEST_CACHE_KEY_PREFIX}-{secrets.token_hex(4)}",
        }
    }
    yield caches["default"]
    caches["default"].clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_png(size=(64, 64), color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("logo.png", make_png(), content_type="image/png")


@pytest.fixture
def skill(db):
    return factories.SkillFactory(name="Backend development", slug="backend-development")


@pytest.fixture
def company(db):
    return factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")


@pytest.fixture
def live_posting(db, company, skill):
    return factories.LivePostingFactory(company=company, skills=[skill])


@pytest.fixture
def production_settings(settings, monkeypatch):
    """The security settings jobboard/settings.py computes for production, applied."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TESTING", raising=False)
    computed = runpy.run_path(str(settings.BASE_DIR / "jobboard" / "settings.py"))
    for name, value in computed.items():
        if name.startswith(PRODUCTION_SETTINGS_PREFIXES):
            setattr(settings, name, value)
    return settings


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port (tests/smtp_server.py), with Django's SMTP
    backend sending to it (pytest-django's default is the in-memory outbox)."""
    from tests.smtp_server import LoopbackSMTPServer

    server = LoopbackSMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.stop()
