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

Both locks are refused before any password is hashed (`axes.decorators.axes_dispatch` on
the login view, jobboard/urls.py), with the page `lockout_response` renders: 429, a
`Retry-After` and the time the lock ends.
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


def locked_until(request, credentials=None) -> datetime:
    """When every lock that applies to this login attempt has ended."""
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request)
    recent = recent_attempts(request).filter(ip_address=request.axes_ip_address)
    address_rows = list(recent.values_list("attempt_time", "failures_since_start"))
    username = get_client_username(request, credentials)
    pair_rows = list(
        recent.filter(username=username).values_list("attempt_time", "failures_since_start")
    )
    ends = [
        unlocked_at(pair_rows, settings.AXES_FAILURE_LIMIT, cool_off),
        unlocked_at(address_rows, settings.LOGIN_ADDRESS_FAILURE_LIMIT, cool_off),
    ]
    return max((end for end in ends if end), default=timezone.now() + cool_off)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in the site's look saying when to try again."""
    until = locked_until(request, credentials)
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
