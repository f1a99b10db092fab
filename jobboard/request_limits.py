"""A bound on request bodies, checked before anything reads one.

DATA_UPLOAD_MAX_MEMORY_SIZE bounds only the form fields Django holds in memory: a
multipart file part of any size is streamed to a temporary file, so an anonymous client
could stream 200 MB into the admin login page (CsrfViewMiddleware reads the form to find
its token). This middleware runs before CsrfViewMiddleware, looks at the declared
`Content-Length` and answers 413 without reading a byte when it is over the limit: the
admin's content import may send `IMPORT_MAX_UPLOAD_BYTES`, every other URL
`REQUEST_BODY_MAX_BYTES`.

A body sent without a length (`Transfer-Encoding: chunked`) cannot be measured before it
is read, and Django never reads one anyway (it reads `Content-Length` bytes, here none):
such a request gets 411 Length Required at once. Browsers always send a length, and the
proxy in front (README.md, "Production") sends one after buffering the body.
`tests/test_request_limits.py` covers both.
"""

from django.conf import settings
from django.http import HttpResponse

# What a multipart form adds around the imported file: the boundaries, each part's
# headers and the CSRF token field; a few hundred bytes, with room to spare.
MULTIPART_ALLOWANCE = 64 * 1024
# The one URL whose bodies may be larger (content/views.py, ContentImportView).
IMPORT_VIEW_NAME = "admin:postings_posting_import"


def body_limit(request) -> int:
    """The largest body, in bytes, that the resolved URL of `request` accepts."""
    match = request.resolver_match
    if match is not None and match.view_name == IMPORT_VIEW_NAME:
        return settings.IMPORT_MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE
    return settings.REQUEST_BODY_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


class RequestBodyLimitMiddleware:
    """413 for a declared body over the URL's limit, 411 for a body of unknown length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return refusal(411, "Send the request with a Content-Length header.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(400, "The Content-Length header is not a number.")
        limit = body_limit(request)
        if length > limit:
            return refusal(413, f"The request is larger than {megabytes(limit)}.")
        return None


def refusal(status: int, message: str) -> HttpResponse:
    # No `Connection: close` (WSGI forbids hop-by-hop headers): gunicorn's sync workers
    # close every connection after one response anyway, discarding what is unread.
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")
