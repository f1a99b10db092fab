"""What a CDN, or any shared cache, may keep of a response, and which responses are
compressed.

One rule decides both: a response *may be shared* when any visitor could be sent it —
nothing in it depends on who asked, and it carries no secret. That excludes

- a request from someone who may be signed in (a session cookie, an Authorization
  header), or with any cookie but the CSRF one (a page may read it), and everything
  under the admin: `private, no-store`, never kept by a CDN;
- a response that used the CSRF token (a form that posts: the admin's login, the import
  page, any form an app adds) or sets a cookie: it is that visitor's alone, so
  `private, no-store` too, whatever the view said;
- a response whose view said so itself (`never_cache`: the health checks).

A shared response to a GET or HEAD gets `Cache-Control: public, max-age=0,
s-maxage=PAGE_CACHE_SECONDS, stale-while-revalidate=PAGE_CACHE_SECONDS` (browsers ask
again every time, cheaply with the ETag; a CDN keeps the page as long as the page cache
does, then serves it at most as long again while it asks), its `ETag` from
`jobboard.cache.page_validator`, and no `Vary: Cookie`: the session middleware adds that
whenever anything asks whether the visitor is signed in (`ReplicaReadsMiddleware` does on
every page), but for an anonymous visitor the answer is always the same, and a CDN that
varied on cookies would keep one copy per visitor. A view that sets its own public
`Cache-Control` (robots.txt, media files) keeps it.

Compression (BREACH): Django's gzip, only on responses that may be shared. An attacker
who can make a victim's browser send requests learns a secret by watching the
compressed size of responses that hold both the secret and text the attacker chose; a
response that may be shared holds nothing the attacker could not fetch for themselves.
It sits outside the page cache (settings.MIDDLEWARE): a page is stored once, as HTML,
and compressed for each client that accepts gzip, with `Vary: Accept-Encoding`.
"""

from django.conf import settings
from django.http import HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_etags

# A response with any of these Cache-Control directives is never shared.
NOT_SHARED_DIRECTIVES = {"private", "no-store"}
# Statuses that say the same to every visitor of a URL until the content changes.
SHARED_STATUSES = {200, 404, 410}
# What gzip shrinks: text. Images, fonts and archives are compressed already.
COMPRESSIBLE_TYPES = {
    "application/atom+xml",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/rss+xml",
    "application/xml",
    "image/svg+xml",
}


def cache_directives(response) -> set[str]:
    """The response's Cache-Control directives, lower case, values included."""
    header = response.get("Cache-Control", "")
    return {d.strip().lower() for d in cc_delim_re.split(header) if d.strip()}


def is_personal(request) -> bool:
    """Whether the response may depend on who asks: the visitor may be signed in (a
    session cookie, an Authorization header), is in the admin, or sent a cookie a page
    may read (a `messages` notice, `read_primary`, any an app adds). Only the CSRF cookie
    is known to change nothing a page shows. Decided from the request alone, without
    loading a session."""
    return bool(
        request.META.get("HTTP_AUTHORIZATION")
        or request.path_info.startswith(f"/{settings.ADMIN_URL}")
        or any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES)
    )


def carries_a_secret(request, response) -> bool:
    """Whether the response holds a CSRF token or sets a cookie.

    Django's `get_token()` (the `{% csrf_token %}` tag, any form that posts) puts
    CSRF_COOKIE_NEEDS_UPDATE in request.META, and CsrfViewMiddleware sets it back to False,
    not away, once it has set the cookie: its presence says the token was used."""
    return bool("CSRF_COOKIE_NEEDS_UPDATE" in request.META or response.cookies)


def may_be_shared(request, response) -> bool:
    return not (
        is_personal(request)
        or carries_a_secret(request, response)
        or cache_directives(response) & NOT_SHARED_DIRECTIVES
    )


def set_cache_headers(request, response, *, validator=None) -> None:
    """Say who may keep `response`, and for how long (the module's docstring).

    `validator()` gives the page's ETag; called only for a response that gets one."""
    if not may_be_shared(request, response):
        if not cache_directives(response) >= NOT_SHARED_DIRECTIVES:
            add_never_cache_headers(response)
        return
    if (
        request.method in {"GET", "HEAD"}
        and response.status_code in SHARED_STATUSES
        and not response.has_header("Cache-Control")
    ):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds > 0:
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=seconds,
                stale_while_revalidate=seconds,
            )
            if response.status_code == 200 and validator is not None:
                response.headers["ETag"] = validator()
        else:
            # No page cache: every change shows at once, so a CDN must ask every time.
            patch_cache_control(response, no_cache=True)
    forget_cookie_vary(response)


def forget_cookie_vary(response) -> None:
    """Drop `Cookie` from Vary: the response is the same whatever the cookies say."""
    if not response.has_header("Vary"):
        return
    kept = [h for h in cc_delim_re.split(response["Vary"]) if h and h.lower() != "cookie"]
    if kept:
        response.headers["Vary"] = ", ".join(kept)
    else:
        del response.headers["Vary"]


def matches(request, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (weak comparison, RFC 9110
    13.1.2). `*` is not a match: whether the URL has a page is for the view to say."""
    given = request.META.get("HTTP_IF_NONE_MATCH")
    if not given or not etag:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == wanted for tag in parse_etags(given))


def not_modified(response) -> HttpResponseNotModified:
    """A 304 for a shared response: the headers a cache refreshes its copy with."""
    new = HttpResponseNotModified()
    for header in ("Cache-Control", "ETag", "Expires", "Vary"):
        if header in response:
            new.headers[header] = response.headers[header]
    # The 200 would have varied with the encoding (SharedResponseGZipMiddleware).
    patch_vary_headers(new, ["Accept-Encoding"])
    return new


class SharedResponseGZipMiddleware(GZipMiddleware):
    """Django's gzip for text that may be shared; never on a response that carries a
    secret or is someone's own (BREACH; the module's docstring). After WhiteNoise in
    MIDDLEWARE, which serves static files compressed already, and before the page cache."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not (content_type.startswith("text/") or content_type in COMPRESSIBLE_TYPES):
            return response
        if not may_be_shared(request, response):
            return response
        return super().process_response(request, response)
