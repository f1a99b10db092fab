from django.core.management.base import BaseCommand
from django.utils import timezone

from jobboard.cache import bump_content_generation
from postings.models import Posting


class Command(BaseCommand):
    help = (
        "Mark published postings whose expiry has passed as closed, and print how many. "
        "Job seekers stop seeing a posting at its expiry whether or not this runs "
        "(Posting.objects.live()); this keeps the status honest for staff. Safe to run from "
        "cron as often as you like: one UPDATE, and a second run closes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the expired postings; change nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        expired = Posting.objects.expired()
        if dry_run:
            count = expired.count()
        else:
            # updated_at moves too, so feeds and sitemaps see the change.
            count = expired.update(status=Posting.Status.CLOSED, updated_at=timezone.now())
            if count:
                # An UPDATE sends no post_save: the cached pages of these postings (open
                # to closed) are announced here, or they would show until they time out.
                bump_content_generation()
        if verbosity:  # --verbosity 0 keeps cron's mail quiet
            verb = "Would close" if dry_run else "Closed"
            self.stdout.write(f"{verb} {count} expired posting{'s' if count != 1 else ''}.")
