"""The postings' background work: run by `manage.py db_worker`, enqueued by the scheduler
(background/periodic.py). The figures' refresh is postings.stats.refresh_market_stats,
beside the code that enqueues it when a page finds them stale."""

from django.utils import timezone

from jobboard.cache import bump_content_generation
from jobboard.tasks import task

from .models import Posting


@task
def close_expired_postings() -> int:
    """Mark published postings whose expiry or application deadline has passed as
    closed (Posting.objects.expired()); return how many. Postings not reconfirmed in time
    stay published: confirming one shows it again.
    One UPDATE: a second run, or one at the same time, closes nothing more."""
    # updated_at moves too, so feeds and sitemaps see the change.
    count = Posting.objects.expired().update(
        status=Posting.Status.CLOSED, updated_at=timezone.now()
    )
    if count:
        # An UPDATE sends no post_save: the cached pages of these postings (open to
        # closed) are announced here, or they would show until they time out.
        bump_content_generation()
    return count
