"""The alerts' background work, run by `manage.py db_worker`.

Two blocks, kept apart: subscribing (the confirmation e-mail and the clean-up of alerts
never confirmed), then the digests (alerts/digests.py).
"""

from jobboard.tasks import task

from . import digests
from .models import Alert

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
