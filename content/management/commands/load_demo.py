"""Load the demo content (demo/content.json and its logos) through the content importer.

    python manage.py load_demo             # load, or refresh, the demo
    python manage.py load_demo --if-empty  # only into a database without postings (make run)

Every date in the demo is moved forward by the time since it was exported, so the demo
always looks fresh: postings published "two days ago" at export are two days old now.
Loading is an upsert by slug: running it twice duplicates nothing.

The demo's salaries are compared at the exchange rates it ships: demo/eurofxref-daily.xml,
the European Central Bank's reference rates of 7 September 2022 as the ECB published them
(https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml, copied from a public
repository that saved that day's file), loaded by `load_exchange_rates --file`.
"""

import contextlib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from content.format import format_timestamp, parse_timestamp
from content.importer import import_source
from content.sources import ContentError, open_content
from postings.models import Posting

DEMO_PATH = Path(settings.BASE_DIR) / "demo" / "content.json"
DEMO_RATES = Path(settings.BASE_DIR) / "demo" / "eurofxref-daily.xml"
DATED_FIELDS = {
    "guides": ("published_at",),
    "postings": ("published_at", "expires_at", "apply_by", "confirmed_at"),
}
WHOLE_DAY_FIELDS = {"apply_by"}


def shift_dates(data: dict, *, now) -> None:
    """Move every date in `data` by `now − exported_at`, in place."""
    try:
        delta = now - parse_timestamp(data.get("exported_at"))
    except ValueError as error:
        raise CommandError(f"exported_at: {error}") from None
    # A deadline moves by whole days (at least the delta): "17:00 Berlin time" stays 17:00.
    whole_days = timedelta(days=-(-delta // timedelta(days=1)))
    for section, names in DATED_FIELDS.items():
        for record in data.get(section) or []:
            for name in names:
                if not isinstance(record, dict) or record.get(name) is None:
                    continue
                shift = whole_days if name in WHOLE_DAY_FIELDS else delta
                # A date that does not parse is left as it is: the importer reports it.
                with contextlib.suppress(ValueError):
                    record[name] = format_timestamp(parse_timestamp(record[name]) + shift)


class Command(BaseCommand):
    help = "Load the demo content with its dates moved to now (idempotent: an upsert by slug)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=DEMO_PATH, help="default: demo/content.json")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any posting exists."
        )

    def handle(self, *args, path, if_empty, **options):
        if if_empty and Posting.objects.exists():
            self.stdout.write("Demo content: skipped, the database already has postings.")
            return
        try:
            with open_content(path) as source:
                if not isinstance(source.data, dict):
                    raise CommandError(f"{path}: not a content file.")
                shift_dates(source.data, now=timezone.now())
                report = import_source(source=source)
        except ContentError as error:
            raise CommandError(f"The demo content could not be loaded:\n{error}") from None
        # The demo's salaries are compared at the rates it ships (the command's own code).
        call_command("load_exchange_rates", file=str(DEMO_RATES), verbosity=0)
        totals = ", ".join(f"{counts.total} {name}" for name, counts in report.sections.items())
        changes = {
            kind: sum(getattr(counts, kind) for counts in report.sections.values())
            for kind in ("created", "updated", "unchanged")
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {totals} ({changes['created']} created, "
                f"{changes['updated']} updated, {changes['unchanged']} unchanged; "
                f"{Posting.objects.live().count()} postings live) in {report.seconds:.1f} s."
            )
        )
