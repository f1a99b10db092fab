"""Recompute the figures over all live postings (postings/stats.py) now, in this process.

The site has them refreshed by a worker: the task `refresh_market_stats`, enqueued by the
scheduler (`manage.py run_periodic refresh_market_stats`, README.md "Background work")
and by a page that finds them older than MARKET_STATS_SECONDS. This command is for a
first fill or a check by hand.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from postings import stats


class Command(BaseCommand):
    help = "Recompute the counts and market snapshots over all live postings."

    def handle(self, *args, **options):
        if not stats.stored():
            raise CommandError(
                "Market figures are computed on each request here (SQLite, or "
                "MARKET_STATS_SECONDS=0): there is nothing to refresh."
            )
        started = time.monotonic()
        if stats.refresh():
            self.stdout.write(f"Market figures refreshed in {time.monotonic() - started:.1f} s.")
        else:
            self.stdout.write("Another process is refreshing them right now.")
