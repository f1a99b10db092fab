"""The alerts' background work, run by `manage.py db_worker`.

Two blocks, kept apart: subscribing (the confirmation e-mail and the clean-up of alerts
never confirmed), then the digests (alerts/digests.py).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from jobboard.tasks import task

from . import digests, links
from .models import Alert
from .search import describe

# ---------- Subscribing: confirmation and clean-up ----------

# An alert not confirmed within this long is deleted (delete_unconfirmed_alerts), and its
# confirmation link has expired (alerts.links).
UNCONFIRMED_LIFETIME = links.CONFIRM_MAX_AGE


@task
def send_confirmation(alert_id: int) -> bool:
    """E-mail the alert's address the link that confirms it, or, if it is confirmed
    already, its manage link (someone asked again: the page said the same either way).
    False when the alert is gone (deleted before the worker got to it)."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return False
    context = {
        "alert": alert,
        "description": describe(alert.search),
        "confirm_url": None if alert.is_confirmed else links.confirm_url(alert),
        "manage_url": links.manage_url(alert) if alert.is_confirmed else None,
        "hours": int(links.CONFIRM_MAX_AGE.total_seconds() // 3600),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    subject = (
        f"Your job alert on {settings.SITE_NAME}"
        if alert.is_confirmed
        else f"Confirm your job alert on {settings.SITE_NAME}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.email],
    )
    message.attach_alternative(render_to_string("alerts/email/confirm.html", context), "text/html")
    message.send()
    return True


@task
def delete_unconfirmed_alerts() -> int:
    """Delete the alerts nobody confirmed within 48 hours; return how many. One DELETE:
    safe to run twice or at the same time as itself."""
    cutoff = timezone.now() - UNCONFIRMED_LIFETIME
    deleted, _ = Alert.objects.filter(confirmed_at=None, created_at__lt=cutoff).delete()
    return deleted


# ---------- Digests ----------
# One task per frequency, enqueued by the scheduler (background/periodic.py); each is safe
# to run twice or at the same time as itself: alerts/digests.py locks an alert while it
# sends its digest, and an alert is due at most once in half its period.


@task
def send_published_digests() -> dict:
    """Every 15 minutes: the alerts that want openings as they are published."""
    return digests.send_digests(Alert.Frequency.AS_PUBLISHED).as_dict()


@task
def send_daily_digests() -> dict:
    return digests.send_digests(Alert.Frequency.DAILY).as_dict()


@task
def send_weekly_digests() -> dict:
    return digests.send_digests(Alert.Frequency.WEEKLY).as_dict()
