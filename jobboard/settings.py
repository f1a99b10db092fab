"""Settings for the job board, read from environment variables.

Every variable is documented in README.md ("Settings"). Defaults are safe: DEBUG is
off unless asked for, and a missing SECRET_KEY is an error when DEBUG is off.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jobboard.email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see README.md, 'Settings')."
        )
    # Development only: a fixed key is harmless while DEBUG is on.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public base URL (no trailing slash) used in feeds, sitemaps and structured data
# when there is no request to build absolute URLs from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Jobboard")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "axes",
    "django_tasks_db",
    "skills",
    "companies",
    "postings",
    "alerts",
    "content",
    "background",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jobboard.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for what any visitor may be sent, never a response with a CSRF token, a cookie
    # or a signed-in visitor's page (BREACH; jobboard/http_caching.py). After WhiteNoise,
    # whose files are compressed already; outside the page cache, which so stores each
    # page once, as HTML, and every client gets it in the encoding it accepts.
    "jobboard.http_caching.SharedResponseGZipMiddleware",
    # Repeated anonymous pages from the cache, 304s without rendering, and the headers
    # that tell a CDN what it may keep; before sessions, CSRF and auth, to see what they
    # did to the response (jobboard/cache.py, jobboard/http_caching.py).
    "jobboard.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a body or checks a CSRF token: a body too large for its URL
    # gets 413 unread, a method the view does not answer 405 (not a CSRF 403).
    "jobboard.request_limits.RequestBodyLimitMiddleware",
    "jobboard.http_methods.AllowedMethodsMiddleware",
    # A locked-out login is refused before any password is hashed (jobboard/lockout.py).
    "jobboard.lockout.LoginLockoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which database a request reads, after it knows who is signed in (jobboard/replicas.py).
    "jobboard.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jobboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jobboard.context_processors.site",
            ],
            # The site-wide tags, `{% load site %}`: a library named here because jobboard
            # is not an app (one line, against an app that holds nothing but tags); loaded
            # explicitly rather than a builtin, so a template says where its names come from.
            "libraries": {"site": "jobboard.templatetags.site"},
        },
    },
]

WSGI_APPLICATION = "jobboard.wsgi.application"

# SQLite in the project folder by default; postgres://… in production. Persistent
# connections with health checks survive a database restart without a worker restart.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page's queries are index walks that stop after a page of rows. PostgreSQL would
    # JIT-compile one whose estimated cost is high (10–15 ms of compiling) and start
    # parallel workers for it, which take the cores other requests are waiting for.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0"
    )

    # A server that does not answer fails a page (and /readyz) after this many seconds,
    # rather than holding a web worker until the operating system gives up.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: the web server and the worker share one file. WAL lets pages
    # read while a task writes; a transaction takes the write lock when it begins
    # (IMMEDIATE), so a save that has read the row never fails because a task wrote in
    # between, and waits up to `timeout` seconds for a task's write to commit.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )

# Read replicas (README.md, "Running on several machines"): DATABASE_REPLICA_URL, one
# postgres://… URL or several separated by commas, become the aliases replica_1, replica_2…
# Anonymous pages read the published content (skills, companies, postings) from one of
# them; everything else, and every read of a client that wrote in the last
# REPLICA_PIN_SECONDS, reads the primary (jobboard/replicas.py). In tests each one is a
# mirror of the primary: the same database, so the ordinary suite runs unchanged.
REPLICA_DATABASES = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URL"), start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL names the primary's kind of database.")
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica_{_number}")
DATABASE_ROUTERS = ["jobboard.replicas.ReplicaRouter"] if REPLICA_DATABASES else []
# After a write (any POST, PUT, PATCH or DELETE) the client's reads go to the primary for
# this long, by a cookie: above any lag a replica is allowed (next setting).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
# A replica further behind than this is left alone (reads go to another, or the primary)
# until it catches up. Each process measures it at most once a second.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))

# The cache: Redis when REDIS_URL is set (one cache for all workers), else each worker's
# own memory. CACHE_BACKEND=dummy turns caching off, to measure the uncached cost.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "redis" if REDIS_URL else "locmem")
_CACHE_BACKENDS = {
    # Django's, sharing one client per connection pool (jobboard/redis_cache.py).
    "redis": "jobboard.redis_cache.RedisCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}
if CACHE_BACKEND not in _CACHE_BACKENDS or (CACHE_BACKEND == "redis" and not REDIS_URL):
    raise ImproperlyConfigured("CACHE_BACKEND is redis (needs REDIS_URL), locmem or dummy.")
CACHES = {
    "default": {
        "BACKEND": _CACHE_BACKENDS[CACHE_BACKEND],
        "LOCATION": REDIS_URL if CACHE_BACKEND == "redis" else "jobboard",
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jobboard"),
        "TIMEOUT": 300,
    }
}
if CACHE_BACKEND == "redis":
    # A Redis that does not answer fails the request in seconds, not minutes (and /readyz
    # says so), rather than holding every web worker.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 5}
# How long an anonymous page, or a cached part of one, may be served after a change that
# no save announces (a posting expiring); saves show at once. 0 turns page caching off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "10"))
# How old the counts over all live postings (per skill, who is hiring, market snapshots)
# may get before a worker recomputes them in the background (postings/stats.py). 0
# computes them on every request: exact, and fine for a small board.
MARKET_STATS_SECONDS = int(os.environ.get("MARKET_STATS_SECONDS", "300"))
# Salaries are compared in this currency, a year ("Salary at least", "Highest salary";
# postings/salaries.py), at the exchange rates staff apply. Changing it: reload the rates
# (`manage.py load_exchange_rates`, whose rates are then per unit of this currency).
SALARY_REFERENCE_CURRENCY = os.environ.get("SALARY_REFERENCE_CURRENCY", "EUR").strip().upper()
if not (len(SALARY_REFERENCE_CURRENCY) == 3 and SALARY_REFERENCE_CURRENCY.isalpha()):
    raise ImproperlyConfigured("SALARY_REFERENCE_CURRENCY is an ISO 4217 code, e.g. EUR.")

# A posting stays live this many days after staff last confirmed it open
# (Posting.confirmed_at; the admin's "Confirm still open"); later it is hidden until
# reconfirmed. Read by Posting.objects.live() on every query, so a change applies at once.
RECONFIRM_DAYS = int(os.environ.get("RECONFIRM_DAYS", "45"))
if RECONFIRM_DAYS < 1:
    raise ImproperlyConfigured("RECONFIRM_DAYS is a whole number of days, 1 or more.")

# Background work (README.md, "Background work"): tasks are rows of the database, taken by
# any number of `manage.py db_worker` processes. A task enqueued inside a transaction is
# inserted by it, so it commits, or rolls back, with the write that caused it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task RUNNING for longer than this is taken to have lost its worker (killed, or its
# machine gone): `manage.py run_periodic` marks it failed, and staff can run it again.
# Above the longest task: a 50 MB import takes a few minutes.
TASK_STUCK_SECONDS = int(os.environ.get("TASK_STUCK_SECONDS", "1800"))

# E-mail (README.md, "E-mail"): EMAIL_URL says how mail leaves the site, smtp://… in
# production (jobboard/email_url.py reads it). Unset, e-mails are printed by the process
# that sends them (`make run`'s worker, in its terminal) and `check --deploy` warns.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
_email = email_settings(EMAIL_URL or "console:", base_dir=BASE_DIR)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST, EMAIL_PORT = _email["EMAIL_HOST"], _email["EMAIL_PORT"]
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_USER"], _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS, EMAIL_USE_SSL = _email["EMAIL_USE_TLS"], _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT, EMAIL_FILE_PATH = _email["EMAIL_TIMEOUT"], _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"{SITE_NAME} <jobs@{urlsplit(SITE_URL).hostname or 'localhost'}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Job alerts by e-mail (README.md, "Job alerts by e-mail"): limits against using the
# subscribe form to mail strangers, counted in the default cache (shared by every server
# with Redis). Reaching one shows a "too many requests" page (429).
ALERT_CONFIRMATIONS_PER_ADDRESS_PER_DAY = int(
    os.environ.get("ALERT_CONFIRMATIONS_PER_ADDRESS_PER_DAY", "3")
)
ALERT_SUBSCRIPTIONS_PER_CLIENT_PER_HOUR = int(
    os.environ.get("ALERT_SUBSCRIPTIONS_PER_CLIENT_PER_HOUR", "20")
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Media: uploaded logos, their rendered sizes and the monograms (README.md, "Media on
# object storage"). Every file is named once for what it holds and never rewritten with
# other content: an upload gets a random name (companies.models.logo_upload_to), its
# rendered sizes are named after it, a monogram's name hashes its letters, colours and
# drawing version (companies/logos.py). A browser or CDN may keep any of them for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "").strip() or "local"


def s3_media_storage(value: str) -> tuple[dict, str]:
    """STORAGES["default"] for MEDIA_STORAGE=s3 or s3://bucket/prefix, and MEDIA_URL.

    Pages build logo URLs from MEDIA_URL, the bucket's public base URL, with no request to
    the storage and no signature: a signed URL would change on every render, so neither
    the page cache nor a CDN could keep the page or the image. Credentials are never read
    here: boto3 finds them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an
    instance role).
    """
    url = urlsplit(value if value.startswith("s3://") else "s3://")
    bucket = url.netloc or os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, or MEDIA_STORAGE=s3://bucket."
        )
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").rstrip("/")
    region = os.environ.get("AWS_S3_REGION_NAME", "")
    if endpoint:  # MinIO, R2, …: path-style, under the endpoint
        default_url = f"{endpoint}/{bucket}/"
    else:  # AWS: the bucket's virtual-hosted address
        default_url = f"https://{bucket}.s3.{region + '.' if region else ''}amazonaws.com/"
    media_url = (os.environ.get("MEDIA_URL", "").strip() or default_url).rstrip("/") + "/"
    public = urlsplit(media_url)
    if public.scheme not in ("http", "https") or not public.netloc or public.query:
        raise ImproperlyConfigured(
            f"MEDIA_URL must be the bucket's public base URL, https://host/path/: {media_url!r}"
        )
    options = {
        "bucket_name": bucket,
        # A prefix inside the bucket (s3://bucket/prefix): part of each file's key and URL.
        "location": url.path.strip("/"),
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        # `path` for servers without a DNS name per bucket (MinIO on localhost).
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        # url() is then string formatting: MEDIA_URL + key, unsigned.
        "custom_domain": public.netloc + public.path.rstrip("/"),
        "url_protocol": f"{public.scheme}:",
        "querystring_auth": False,
        # A taken name gets a new one rather than replacing a file browsers keep a year.
        "file_overwrite": False,
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, media_url


if MEDIA_STORAGE == "local":
    MEDIA_URL = "/media/"
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_ORIGINS = []
    SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
elif MEDIA_STORAGE == "s3" or MEDIA_STORAGE.startswith("s3://"):
    MEDIA_STORAGE_BACKEND, MEDIA_URL = s3_media_storage(MEDIA_STORAGE)
    SERVE_MEDIA = False  # the bucket (or a CDN in front of it) serves the files
    # Pages show images from there: the Content-Security-Policy's img-src allows it.
    MEDIA_ORIGINS = ["://".join(urlsplit(MEDIA_URL)[:2])]
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE is local, s3 or s3://bucket/prefix, not {MEDIA_STORAGE!r}."
    )

STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing so
        # that a missing collectstatic never breaks a test or a first run.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The admin lives at a configurable path so that it is not where scanners look first.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

# Security (README.md, "Production" and "Security") ------------------------------------
# HTTPS=1 in production: a reverse proxy terminates TLS and sets X-Forwarded-Proto,
# overwriting whatever the client sent. Off, the site works over plain HTTP (`make run`).
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the app directly over HTTP: the health check must not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# One year. includeSubDomains is on by default (opt out with HSTS_INCLUDE_SUBDOMAINS=0 if
# the site's own subdomains serve plain HTTP); preload is opt-in, see SILENCED_SYSTEM_CHECKS.
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"  # jobboard.security's middleware
# Browser features turned off for every page (`feature=()` each, jobboard.security): none
# of them is used here. Only names Chromium knows (all of these, in Chromium 156): it logs
# a console warning for an unknown one.
PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
    "xr-spatial-tracking",
]
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SILENCED_SYSTEM_CHECKS = []
if HTTPS and not SECURE_HSTS_PRELOAD:
    # security.W021 asks for the HSTS `preload` directive. Preloading is a promise, hard to
    # undo, made for the whole registrable domain by its owner rather than by one app on it:
    # HSTS_PRELOAD=1 opts in (and then the check has nothing to say).
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # models.W040: SQLite ignores the INCLUDE columns of the listing's covering indexes.
    # They only speed up PostgreSQL (production); on SQLite the indexes still work as keys.
    SILENCED_SYSTEM_CHECKS.append("models.W040")


# Content-Security-Policy (django-csp 4). Everything comes from this origin; no inline
# script or style anywhere, the admin included: put JavaScript in static/js/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Admin login lockout (django-axes, jobboard/lockout.py): 5 failures for one username from
# one address lock that pair out for an hour, even with the right password; a success
# resets that user's count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "jobboard.security.client_ip"
# And 30 failures from one address within the hour, over any usernames, lock the address:
# password spraying (a few guesses at many usernames) stops there. Failures that the same
# user follows with a success stop counting, so an office behind one address reaches 30
# only if six colleagues each lock themselves out within one hour and none gets in.
LOGIN_ADDRESS_FAILURE_LIMIT = 30
AXES_HANDLER = "jobboard.lockout.AddressLimitHandler"
# A page in the site's look, 429 with Retry-After (axes's own is 64 bytes of text).
AXES_LOCKOUT_CALLABLE = "jobboard.lockout.lockout_response"
# After logging in, the admin (the site's only login): an unsafe `next` lands there too.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Request bodies (jobboard/request_limits.py): larger ones get 413 before they are read.
# The admin's forms need little (a 2 MB logo is the largest field); the content import
# page takes IMPORT_MAX_UPLOAD_BYTES, which its form also enforces (content/views.py).
REQUEST_BODY_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# benchmarks/faults.py serves a deliberately slow request (jobboard/faults.py) to check
# that gunicorn's timeout kills it. Never in production.
FAULT_INJECTION = env_bool("FAULT_INJECTION")
if FAULT_INJECTION:
    if HTTPS:
        raise ImproperlyConfigured("FAULT_INJECTION is for benchmarks/faults.py, not with HTTPS.")
    MIDDLEWARE.append("jobboard.faults.SlowRequestMiddleware")

# How many reverse proxies append to X-Forwarded-For in front of gunicorn: HTTPS=1 means
# one (the proxy terminating TLS); 0 uses REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if HTTPS else "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
