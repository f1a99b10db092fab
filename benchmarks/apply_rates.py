#!/usr/bin/env python
"""What applying new exchange rates costs on PostgreSQL: seconds, table and index growth.

    createdb -h 127.0.0.1 -U postgres -T jobboard_bench_100k jobboard_rates_copy
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_rates_copy \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_rates_copy \\
        .venv/bin/python benchmarks/apply_rates.py

It writes rates: run it on a copy. Each step goes through postings.exchange_rates.set_rates(),
what `load_exchange_rates` and the admin do; after each, the size of the postings table
(heap) and of its indexes. Steps: the demo's ECB rates (every currency new), the same
again (nothing changes), one currency changed, every currency changed, then VACUUM.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from postings import exchange_rates, salaries  # noqa: E402
from postings.models import Posting  # noqa: E402

INDEXES = ("posting_salary_sort_idx", "posting_live_recent_idx", "posting_search_idx")


def sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('postings_posting'), pg_indexes_size('postings_posting'), "
            + ", ".join(f"pg_relation_size('{name}')" for name in INDEXES)
        )
        heap, indexes, *each = cursor.fetchone()
    return {"heap": heap, "indexes": indexes, **dict(zip(INDEXES, each, strict=True))}


def mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f}"


def main():
    assert connection.vendor == "postgresql", "PostgreSQL only"
    day, per_euro = salaries.parse_ecb_daily((ROOT / "demo" / "eurofxref-daily.xml").read_bytes())
    rates = salaries.in_reference_currency(per_euro, salaries.reference_currency())
    total = Posting.objects.count()
    paid = Posting.objects.exclude(salary_currency="").count()
    print(f"{total:,} postings, {paid:,} with a salary; reference {salaries.reference_currency()}")
    steps = [
        ("ECB rates, every currency new", rates),
        ("the same rates again", rates),
        ("one currency changed (USD)", {**rates, "USD": rates["USD"] * Decimal("1.01")}),
        ("every currency changed", {c: r * Decimal("1.01") for c, r in rates.items()}),
    ]
    before = sizes()
    rows = [("before", "", "", before)]
    for name, step_rates in steps:
        step_rates = {c: r.quantize(salaries.RATE_PLACES) for c, r in step_rates.items()}
        report = exchange_rates.set_rates(day=day, rates=step_rates, source="benchmark")
        rewritten = sum(report.rewritten.values())
        rows.append((name, f"{rewritten:,}", f"{report.seconds:.2f}", sizes()))
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) postings_posting")
    rows.append(("VACUUM (ANALYZE)", "", f"{time.monotonic() - started:.2f}", sizes()))

    print()
    print("| step | postings rewritten | seconds | heap MB | all indexes MB | "
          + " | ".join(f"{name} MB" for name in INDEXES) + " |")  # fmt: skip
    print("| --- " * (5 + len(INDEXES)) + "|")
    for name, rewritten, seconds, size in rows:
        cells = [mb(size["heap"]), mb(size["indexes"]), *(mb(size[i]) for i in INDEXES)]
        print(f"| {name} | {rewritten} | {seconds} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
