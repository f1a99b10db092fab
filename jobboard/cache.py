"""Caching of what anonymous visitors see, and how a staff edit reaches them.

Two rules bound how stale a page can be:

- Every cache key includes the *content generation*, a number in the cache that any save
  or delete of a posting, company, skill or guide (and any change to a posting's skills)
  increases. With Redis, all workers share it: an edit in the admin shows on the next
  request, everywhere. With the per-process memory cache it reaches the worker that
  saved at once and the others within the timeout below.
- Entries live at most `PAGE_CACHE_SECONDS` (default 10). That bounds what no save
  announces: a posting reaching its `expires_at` or `published_at`, a bulk UPDATE, an
  edit made by another process when the cache is per-process.

Parts of pages (`cached`: the listing form's choices, the search vocabulary) are also
kept in each worker's memory, under the same two rules: a copy serves only its own
generation, and only until `PAGE_CACHE_SECONDS` after it was computed (whichever process
computed it). A save clears the copies of the process that made it. So a page that misses
the page cache does not ask the shared cache for them again and unpickle them, and with
CACHE_BACKEND=dummy ("no cache": no page is stored) the parts that are the same for every
visitor are still computed once per window, not on each request; there the generation is
always 0, and what bounds staleness is the window, as for an edit made by another process
with the per-process cache.

Why signals here, against the house rule: this is not business logic but cache upkeep,
and it must follow every write path (admin forms and actions, model methods, services,
management commands); a missed call site would mean stale pages. Each app connects its own
models with `bump_on_change()` in its AppConfig.ready(), which every process runs (web
workers, management commands, the shell, task workers), not in the middleware, which
only web workers build: connected there, a save from a command or the shell bumped
nothing and visitors kept the old page until it timed out.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import reverse

from jobboard import http_caching
from jobboard.http_caching import cache_directives

GENERATION_KEY = "content-generation"
# This process's copies of cached parts: {name: (generation, valid until, value)}. One
# entry per name, so it holds no more than the few parts pages ask for.
_parts: dict[str, tuple[int, float, object]] = {}
# Responses with any of these Cache-Control directives, as their views sent them, are
# never stored.
PRIVATE_DIRECTIVES = {"private", "no-store", "no-cache", "max-age=0"}


def content_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh start (empty or flushed cache) must not reuse an old number whose pages
        # may still be stored: start from the clock.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
        if generation:
            # Copies of parts from before the cache was emptied are not this number's,
            # even if the clock gives the same one (a test that froze time).
            _parts.clear()
    return generation


def bump_content_generation(**kwargs) -> None:
    _bump()
    # Inside a transaction, once more when it commits: a page another server renders
    # between the first bump and the commit shows the old rows under the new number, and
    # would be served until it expired. One such bump per transaction.
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _bump for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(_bump)


def _bump() -> None:
    _parts.clear()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet: any new number invalidates
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def cached(name: str, compute, *, timeout: int | None = None):
    """`compute()`, cached for all visitors until the next edit or `timeout` seconds
    (PAGE_CACHE_SECONDS by default). For parts of pages, such as counts and facets.

    The value is shared by the requests of this process (see above): treat it as
    read-only."""
    timeout = timeout or settings.PAGE_CACHE_SECONDS
    generation = content_generation()
    held = _parts.get(name)
    if held is not None and held[0] == generation and time.time() < held[1]:
        return held[2]
    # Stored with the time it was computed: a copy taken from the shared cache lives
    # until `timeout` after that, not after it was read.
    computed_at, value = cache.get_or_set(
        f"part-at:{generation}:{name}", lambda: (time.time(), compute()), timeout
    )
    _parts[name] = (generation, computed_at + timeout, value)
    return value


def bump_on_change(*models, m2m=()) -> None:
    """Bump the content generation on every save or delete of `models` (what pages show)
    and every change to the `m2m` relations (through models). Call it from the app's
    AppConfig.ready(): models are loaded then, in every kind of process."""
    for model in models:
        uid = f"jobboard.cache:{model._meta.label}"
        post_save.connect(bump_content_generation, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(bump_content_generation, sender=model, dispatch_uid=f"{uid}:del")
    for through in m2m:
        uid = f"jobboard.cache:{through._meta.label}:m2m"
        m2m_changed.connect(bump_content_generation, sender=through, dispatch_uid=uid)


def page_validator(url: str) -> tuple[str, str]:
    """The page cache's key and the ETag of a page rendered now, for `url` (scheme, host,
    path, query).

    The key names the content generation, which every write moves; a stored page lives
    PAGE_CACHE_SECONDS. The ETag names the generation too, and the current window of
    PAGE_CACHE_SECONDS, because time alone publishes and expires postings: a copy that a
    CDN or browser holds is confirmed (304) while the page it would get is the one
    rendered for that ETag, either stored (at most PAGE_CACHE_SECONDS old, under the
    ETag it was rendered with) or rendered now. Each URL's windows start at an offset of
    its own, so that all pages do not change their ETags in the same second.
    """
    seconds = settings.PAGE_CACHE_SECONDS
    digest = hashlib.sha256(url.encode()).hexdigest()
    window = int((time.time() + int(digest[:8], 16) % seconds) // seconds)
    generation = content_generation()
    return f"page:{generation}:{digest}", f'W/"{generation}.{window}.{digest[:12]}"'


class AnonymousPageCacheMiddleware:
    """Serve a repeated GET from a visitor without cookies from the cache, answer a
    conditional GET without rendering, and say what a CDN may keep (jobboard/http_caching.py).

    Without cookies a visitor has no session: the page is what every anonymous visitor
    gets for that URL. Staff (who have a session cookie) always get fresh pages. Place it
    after the middleware that adds headers to every response (security, CSP) and
    compression, and before sessions, CSRF and authentication: it sees what they did to
    the response (a cookie, a used CSRF token, `Vary: Cookie`).

    Only 200 responses without cookies and without a private Cache-Control are stored, with
    the headers a CDN reads. A view whose HTML depends on more than the URL must say so
    with `never_cache`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Never cached, so not looked up: the health checks (the benchmarks' baseline
        # must not pay for two cache round trips), the admin, files.
        self.skipped_prefixes = (
            reverse("healthz"),
            reverse("readyz"),
            f"/{settings.ADMIN_URL}",
            settings.STATIC_URL,
            settings.MEDIA_URL,
        )

    def __call__(self, request):
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method not in {"GET", "HEAD"}
            or request.path_info.startswith(self.skipped_prefixes)
        ):
            response = self.get_response(request)
            http_caching.set_cache_headers(request, response)
            return response
        url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        if request.META.get("HTTP_COOKIE") or request.META.get("HTTP_AUTHORIZATION"):
            return self.render_for_visitor(request, url)

        key, etag = page_validator(url)
        if http_caching.matches(request, etag):
            # The copy the client (or the CDN) holds is the page we would render: answer
            # before any query or template.
            headers_only = HttpResponse()
            http_caching.set_cache_headers(request, headers_only, validator=lambda: etag)
            return http_caching.not_modified(headers_only)
        stored = cache.get(key) if request.method == "GET" else None
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response.headers[header] = value
            # Rendered in an earlier window, the copy the client holds may be this one.
            if http_caching.matches(request, response.get("ETag", "")):
                return http_caching.not_modified(response)
            return response
        response = self.get_response(request)
        store = request.method == "GET" and self.storable(response)
        http_caching.set_cache_headers(request, response, validator=lambda: etag)
        if store:
            headers = list(response.headers.items())
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.PAGE_CACHE_SECONDS,
            )
        return response

    def render_for_visitor(self, request, url):
        """A request with cookies: rendered, never stored (they may hold a session), and
        shared with an ETag when they turned out to be nothing a page reads (only the
        CSRF cookie of a form seen earlier) and nothing in the response is theirs."""
        response = self.get_response(request)
        etag = None

        def validator():
            nonlocal etag
            etag = page_validator(url)[1]
            return etag

        http_caching.set_cache_headers(request, response, validator=validator)
        if etag and http_caching.matches(request, etag):
            return http_caching.not_modified(response)
        return response

    @staticmethod
    def storable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        return not cache_directives(response) & PRIVATE_DIRECTIVES
