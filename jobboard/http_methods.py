"""Which HTTP methods each view answers, checked in one place before the CSRF check.

Without this, a `PUT` to a read-only page met CsrfViewMiddleware first and got 403
Forbidden, and a feed (a callable `Feed`, not a class-based view) answered `TRACE` and
`OPTIONS` with the whole feed. Here every view's methods come from one of two places:

- a class-based view: the methods it implements among `http_method_names` (HEAD with GET,
  as Django's `View` does);
- a function view or a feed: `allow_methods(...)` (or `read_only`) where it is routed
  (`jobboard/urls.py`; the feeds in their apps' `urls.py`).

A method the view does not answer gets 405 with `Allow`, before any body is read, the
CSRF token checked or the view run; `OPTIONS` gets 200 with `Allow` and no body (what
Django's `View.options` answers, now for every view alike). A view that declares nothing
(the admin's own function views) is left to Django. `tests/test_http_methods.py` sends
every method to every public URL pattern.
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed

SAFE_METHODS = ("GET", "HEAD")


def allow_methods(*methods: str):
    """Declare the methods a function view or feed answers (OPTIONS is always answered)."""

    def declare(view):
        # A wrapper, so that a view shared with other code (Django's sitemap views) is
        # not changed by a declaration made here.
        @wraps(view)
        def declared(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        declared.http_methods = tuple(method.upper() for method in methods)
        return declared

    return declare


# What every feed and read-only function view declares where it is routed.
read_only = allow_methods(*SAFE_METHODS)


def allowed_methods(view) -> list[str] | None:
    """The methods `view` answers, OPTIONS included; None when it declares nothing."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        implemented = {name for name in view_class.http_method_names if hasattr(view_class, name)}
        if "get" in implemented:
            implemented.add("head")  # View.setup() answers HEAD with get()
        methods = [name.upper() for name in view_class.http_method_names if name in implemented]
    elif (declared := getattr(view, "http_methods", None)) is not None:
        methods = list(declared)
    else:
        return None
    return [*methods, "OPTIONS"] if "OPTIONS" not in methods else methods


class AllowedMethodsMiddleware:
    """405 with `Allow` for a method the resolved view does not answer; OPTIONS answered here.

    Placed before CsrfViewMiddleware: an unsupported method is not a forged request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = allowed_methods(view_func)
        if allowed is None:
            return None
        if request.method == "OPTIONS":
            response = HttpResponse()
            response["Allow"] = ", ".join(allowed)
            response["Content-Length"] = "0"
            return response
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return None
