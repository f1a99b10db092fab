"""Load the European Central Bank's daily reference rates and apply them.

    python manage.py load_exchange_rates                    # from the ECB's URL
    python manage.py load_exchange_rates --file rates.xml   # from a saved eurofxref-daily.xml
    python manage.py load_exchange_rates --url https://…    # from another copy of that file

The rates become the rates in force (ExchangeRate rows, per unit of the reference
currency: cross rates through the euro when it is not EUR), and the postings in every
currency whose rate changed are compared again (postings.salaries). Rates the file lacks
are kept. Nothing is written when the file cannot be read or is not the ECB's format.
Rates are applied when staff choose: run it by hand, or from cron once a working day.
"""

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from postings import exchange_rates, salaries

TIMEOUT_SECONDS = 30


class Command(BaseCommand):
    help = "Load the ECB's daily reference rates (from a file or a URL) and apply them."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", help="A saved eurofxref-daily.xml.")
        source.add_argument(
            "--url", default=salaries.ECB_DAILY_URL, help=f"default: {salaries.ECB_DAILY_URL}"
        )

    def handle(self, *args, file, url, verbosity, **options):
        data = self.read_file(file) if file else self.download(url)
        source = file or url
        reference = salaries.reference_currency()
        try:
            day, per_euro = salaries.parse_ecb_daily(data)
            rates = salaries.in_reference_currency(per_euro, reference)
            # What the admin shows: the URL, or the file's name (not this machine's path).
            stored_source = f"ECB reference rates, {url if not file else Path(file).name}"
            report = exchange_rates.set_rates(day=day, rates=rates, source=stored_source[:200])
        except salaries.RatesError as error:
            raise CommandError(f"{source}: {error} Nothing was changed.") from None
        except ValidationError as error:  # a rate the ExchangeRate table cannot hold
            raise CommandError(
                f"{source}: {'; '.join(error.messages)} Nothing was changed."
            ) from None
        if not verbosity:
            return
        when = salaries.format_day(report.day)
        lines = [f"Rates of {when} ({len(rates)} currencies per {reference}) from {source}."]
        for currency, (old, new) in report.changed.items():
            was = "new" if old is None else f"was {old.normalize():f}"
            count = report.rewritten.get(currency, 0)
            lines.append(
                f"  {currency} {new.normalize():f} ({was}): {count:,} "
                f"posting{'s' if count != 1 else ''} compared again"
            )
        if not report.changed:
            lines.append("  No rate changed: no posting compared again.")
        if report.kept:
            lines.append(f"  Kept, not in the file: {', '.join(report.kept)}.")
        total = sum(report.rewritten.values())
        lines.append(f"{total:,} postings compared again in {report.seconds:.2f} s.")
        self.stdout.write("\n".join(lines))

    def read_file(self, path) -> bytes:
        try:
            with open(path, "rb") as file:
                return file.read(salaries.MAX_RATES_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}. Nothing was changed.") from None

    def download(self, url) -> bytes:
        if urlsplit(url).scheme not in ("http", "https"):
            raise CommandError(f"{url}: not an http(s) URL. Nothing was changed.")
        # The scheme is checked above: no file: or custom schemes.
        request = urllib.request.Request(url, headers={"User-Agent": "jobboard"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return response.read(salaries.MAX_RATES_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise CommandError(f"{url}: HTTP {error.code}. Nothing was changed.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise CommandError(f"{url}: {reason}. Nothing was changed.") from None
