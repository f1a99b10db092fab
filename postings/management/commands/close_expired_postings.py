from django.core.management.base import BaseCommand

from postings.models import Posting
from postings.tasks import close_expired_postings


class Command(BaseCommand):
    help = (
        "Mark published postings whose expiry has passed as closed, and print how many. "
        "Job seekers stop seeing a posting at its expiry whether or not this runs "
        "(Posting.objects.live()); this keeps the status honest for staff. Safe to run from "
        "cron as often as you like: one UPDATE, and a second run closes nothing. The same "
        "work as the periodic task `close_expired_postings`, run here and now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the expired postings; change nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        count = Posting.objects.expired().count() if dry_run else close_expired_postings.call()
        if verbosity:  # --verbosity 0 keeps cron's mail quiet
            verb = "Would close" if dry_run else "Closed"
            self.stdout.write(f"{verb} {count} expired posting{'s' if count != 1 else ''}.")
