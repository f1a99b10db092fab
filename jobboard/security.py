"""Security plumbing that Django and its add-ons do not provide as settings."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """The security headers Django has no setting for, on every response.

    `Cross-Origin-Resource-Policy: same-origin` stops other sites from embedding our pages,
    logos and scripts through `<img>`/`<script>` tags, which closes Spectre-style
    cross-origin reads of them. `Permissions-Policy` turns off the browser features the
    site never uses, for it and anything framed in it, so that injected script could not
    ask for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY:
            response.headers.setdefault(
                "Cross-Origin-Resource-Policy", settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY
            )
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault(
                "Permissions-Policy",
                ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY),
            )
        return response


def client_ip(request) -> str:
    """The visitor's address, for the login lockout (django-axes).

    Behind `TRUSTED_PROXY_COUNT` reverse proxies, each appending to X-Forwarded-For, the
    client is the entry the outermost proxy added; anything left of it was sent by the
    client and is not trusted. Without proxies, REMOTE_ADDR.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [ip for ip in forwarded if ip]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
