"""Recompute the figures over all live postings (postings/stats.py), e.g. from cron:

    */5 * * * *  cd /srv/jobboard && .venv/bin/python manage.py refresh_market_stats

Workers also refresh them in the background when they are older than
MARKET_STATS_SECONDS, so cron only keeps them fresh on a quiet site.
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
