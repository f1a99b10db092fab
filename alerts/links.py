"""The signed links in alert e-mails: confirm (48 hours), manage and unsubscribe (as long
as the alert exists: mail clients use them months later).

A link carries the alert's id and a fingerprint of the alert (an HMAC of its address,
search and creation time), signed with a salt per purpose: no raw address, a confirm
token cannot be used to manage, and a token outlives neither its alert nor an id that
SQLite hands out again to a new alert.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Alert

CONFIRM_MAX_AGE = timedelta(hours=48)
SALTS = {
    "confirm": "alerts.links.confirm",
    "manage": "alerts.links.manage",
    "unsubscribe": "alerts.links.unsubscribe",
}


class LinkError(Exception):
    """A link that does not open an alert; `status` and `reason` say why, for the page."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def fingerprint(alert: Alert) -> str:
    value = f"{alert.pk}\n{alert.email}\n{alert.search}\n{alert.created_at.isoformat()}"
    return salted_hmac("alerts.links.fingerprint", value).hexdigest()[:20]


def token(alert: Alert, purpose: str) -> str:
    return signing.dumps([alert.pk, fingerprint(alert)], salt=SALTS[purpose])


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(alert: Alert) -> str:
    return absolute(reverse("alerts:confirm", kwargs={"token": token(alert, "confirm")}))


def manage_url(alert: Alert) -> str:
    return absolute(reverse("alerts:manage", kwargs={"token": token(alert, "manage")}))


def unsubscribe_url(alert: Alert) -> str:
    return absolute(reverse("alerts:unsubscribe", kwargs={"token": token(alert, "unsubscribe")}))


def open_link(value: str, purpose: str, *, for_update: bool = False) -> Alert:
    """The alert a link's token names, or LinkError: 400 for a forged or damaged link,
    410 for an expired one or one whose alert no longer exists."""
    max_age = CONFIRM_MAX_AGE if purpose == "confirm" else None
    try:
        pk, signed_print = signing.loads(value, salt=SALTS[purpose], max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(410, "expired") from None
    except (signing.BadSignature, TypeError, ValueError):
        # TypeError/ValueError: a payload of another shape (signed with our key, but not
        # by this module) is as good as forged.
        raise LinkError(400, "invalid") from None
    alerts = Alert.objects.select_for_update() if for_update else Alert.objects
    alert = alerts.filter(pk=pk).first() if isinstance(pk, int) else None
    if alert is None or not constant_time_compare(fingerprint(alert), str(signed_print)):
        raise LinkError(410, "gone")
    return alert
