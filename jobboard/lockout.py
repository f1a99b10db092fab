"""The admin login's lockout: django-axes per (username, address), plus a limit per address.

django-axes counts failed logins per (username, address) and locks that pair out
(`AXES_FAILURE_LIMIT`, settings.py). Spraying a few guesses over many usernames from one
address never reached it, so `AddressLimitHandler` also locks an address out once its
failures of the last `AXES_COOLOFF_TIME`, whatever the usernames, reach
`LOGIN_ADDRESS_FAILURE_LIMIT`. It counts axes's own records (no second counter), and a
user's successful login deletes that user's records (`AXES_RESET_ON_SUCCESS`): colleagues
who mistype and then get in add nothing, so an office behind one address only counts
failures nobody followed with a success.

Axes's own `lockout parameters` could not do this: every group of them shares the one
failure limit, and a success from the address would have cleared the address's count.

While either lock lasts, `LoginLockoutMiddleware` answers the login page before the CSRF
check and the view (so before any password is hashed: one query, no PBKDF2), with the
page `lockout_response` renders: 429, a `Retry-After` and the time the lock ends.
"""

import math
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


def recent_attempts(request):
    """axes's failure records within the cool-off: one row per username, address and
    browser, with its count and the time of its latest failure."""
    return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))


def address_failures(request) -> int:
    recent = recent_attempts(request).filter(ip_address=request.axes_ip_address)
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AddressLimitHandler(AxesDatabaseHandler):
    """axes's database handler, which also locks an address out over its own limit."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address's limit already answers with the lockout.
        if (
            request is not None
            and not request.axes_locked_out
            and not self.is_whitelisted(request, credentials)
            and address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def unlocked_at(rows: list[tuple[datetime, int]], limit: int, cool_off) -> datetime | None:
    """When the oldest of `rows` (time of latest failure, failures) have aged out far
    enough to leave fewer than `limit` failures; None if that is already so."""
    total = sum(failures for _, failures in rows)
    ends = None
    for attempt_time, failures in sorted(rows):
        if total < limit:
            break
        ends = attempt_time + cool_off
        total -= failures
    return ends


def lock_ends(request, credentials=None) -> datetime | None:
    """When every lock on this login attempt (its username's from this address, the
    address's) has ended; None when none applies. One query."""
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request)
    recent = recent_attempts(request).filter(ip_address=request.axes_ip_address)
    rows = list(recent.values_list("username", "attempt_time", "failures_since_start"))
    username = get_client_username(request, credentials)
    address_rows = [(time, failures) for _, time, failures in rows]
    pair_rows = [(time, failures) for name, time, failures in rows if name == username]
    ends = [
        unlocked_at(pair_rows, settings.AXES_FAILURE_LIMIT, cool_off),
        unlocked_at(address_rows, settings.LOGIN_ADDRESS_FAILURE_LIMIT, cool_off),
    ]
    return max((end for end in ends if end), default=None)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in the site's look saying when to try again."""
    until = lock_ends(request, credentials) or timezone.now() + get_cool_off(request)
    return lockout_page(request, until)


def lockout_page(request, until: datetime):
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = TemplateResponse(
        request,
        "lockout.html",
        {
            "until": until,
            "until_iso": until.replace(microsecond=0).isoformat(),
            "minutes": math.ceil(seconds / 60),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response.render()


class LoginLockoutMiddleware:
    """Refuse the admin login while its user or address is locked out, before the CSRF
    check (a script's token would not matter) and before the view checks a password.

    What `axes.decorators.axes_dispatch` does, placed ahead of CsrfViewMiddleware, in
    one query instead of four: the refusal must stay cheap (a few milliseconds) however
    often it is asked for. The handler's `is_locked` still guards `authenticate()`.
    The body is already bounded (jobboard/request_limits.py) when the username is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info != reverse("admin:login") or not settings.AXES_ENABLED:
            return None
        AxesProxyHandler.update_request(request)
        handler = AxesProxyHandler.get_implementation()
        if handler.is_blacklisted(request):
            return lockout_response(request)
        if handler.is_whitelisted(request):
            return None
        until = lock_ends(request)
        return lockout_page(request, until) if until else None
