"""Abuse limits on subscribing, counted in the default cache (Redis in production, so
every server counts together).

Each count starts a window with its first use (an hour per client, a day per address) and
is kept under a keyed hash: the cache never holds an address, e-mail or IP.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

HOUR = 3600
DAY = 24 * HOUR


def _key(kind: str, value: str) -> str:
    return f"alerts-limit:{kind}:{salted_hmac('alerts.limits', value).hexdigest()[:32]}"


def _count(key: str, window_seconds: int) -> int:
    """Add one to the count under `key` and return it; the window starts with the first."""
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, timeout=window_seconds)
        return 1


def allow_subscription(client_ip: str) -> bool:
    """Count one subscription request of this client; False once over the hourly limit."""
    limit = settings.ALERT_SUBSCRIPTIONS_PER_CLIENT_PER_HOUR
    return _count(_key("client", client_ip), HOUR) <= limit


def allow_confirmation(email: str) -> bool:
    """Count one confirmation e-mail to this address; False once over the daily limit."""
    limit = settings.ALERT_CONFIRMATIONS_PER_ADDRESS_PER_DAY
    return _count(_key("address", email.lower()), DAY) <= limit
