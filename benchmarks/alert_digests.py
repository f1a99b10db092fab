#!/usr/bin/env python
"""How long one day's job-alert digests take to build: 100,000 confirmed daily alerts over
1,000 distinct searches, against the postings in the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_bench \\
        .venv/bin/python manage.py generate_postings --count 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_bench \\
        .venv/bin/python benchmarks/alert_digests.py [--alerts 100000] [--searches 1000] [--runs 3]

It adds the alerts (addresses @bench.invalid, deleted again at the end), then times
alerts.digests.build_digests for the daily frequency: every search filtered once by the
listing's own filter, each alert's e-mail (text and HTML, signed links) built, nothing
sent. Each run is rolled back (build_digests moves the alerts with nothing new forward),
so every run sees the same day. `--record` also times one full send_digests with the
in-memory e-mail backend: the per-alert transaction that records each digest.
Searches are combinations of the listing's filters (skills, workplace, seniority,
employment type, country, salary, keywords), normalised as the subscribe page stores them;
alerts are spread over them unevenly (a few popular searches, a long tail), each last sent
between 20 and 30 hours ago.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts import digests  # noqa: E402
from alerts.models import Alert  # noqa: E402
from postings.feeds import feed_query  # noqa: E402
from postings.models import Posting  # noqa: E402
from skills.models import Skill  # noqa: E402

DOMAIN = "bench.invalid"
KEYWORDS = ["python", "django", "react", "kubernetes", "data", "platform", "senior", "golang"]
COUNTRIES = ["DE", "NL", "GB", "US", "FR", "ES", "PL", "SE"]


class Rollback(Exception):
    pass


def random_search(rnd: random.Random, skills: list[str]) -> str:
    params = QueryDict(mutable=True)
    if rnd.random() < 0.8:
        params.setlist("skill", rnd.sample(skills, rnd.choice([1, 1, 1, 2])))
    if rnd.random() < 0.5:
        params.setlist("remote", rnd.sample(Posting.RemotePolicy.values, rnd.choice([1, 2])))
    if rnd.random() < 0.3:
        params.setlist("seniority", rnd.sample(Posting.Seniority.values, 1))
    if rnd.random() < 0.15:
        params["type"] = rnd.choice(Posting.EmploymentType.values)
    if rnd.random() < 0.2:
        params["country"] = rnd.choice(COUNTRIES)
    if rnd.random() < 0.25:
        params["salary_min"] = str(rnd.randrange(40_000, 160_000, 10_000))
    if rnd.random() < 0.2:
        params["q"] = rnd.choice(KEYWORDS)
    return feed_query(params)


def add_alerts(count: int, searches: int, rnd: random.Random) -> list[str]:
    skills = list(Skill.objects.values_list("slug", flat=True))
    assert skills, "no skills: run `manage.py generate_postings` first"
    chosen = {""}  # "every opening" is one of them
    while len(chosen) < searches:
        chosen.add(random_search(rnd, skills))
    chosen = sorted(chosen)
    rnd.shuffle(chosen)
    # A few popular searches and a long tail: weight 1/rank.
    weights = [1 / (rank + 1) for rank in range(len(chosen))]
    now = timezone.now()
    alerts = []
    for number, search in enumerate(rnd.choices(chosen, weights=weights, k=count)):
        through = now - timedelta(hours=rnd.uniform(20, 30))
        alerts.append(
            Alert(
                email=f"reader{number}@{DOMAIN}",
                search=search,
                frequency=Alert.Frequency.DAILY,
                confirmed_at=through - timedelta(days=rnd.uniform(0, 60)),
                sent_through=through,
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=5000)
    return chosen


def build_once(now) -> tuple[float, int, digests.RunReport, int]:
    report = digests.RunReport(Alert.Frequency.DAILY)
    built = 0
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            for digest in digests.build_digests(Alert.Frequency.DAILY, now=now, report=report):
                digest.message.message()  # the MIME message, as the backend would render it
                built += 1
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds, built, report, len(queries)


def record_once(now) -> tuple[float, digests.RunReport]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    started = time.perf_counter()
    report = digests.send_digests(Alert.Frequency.DAILY, now=now)
    return time.perf_counter() - started, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--record", action="store_true", help="also time send_digests")
    options = parser.parse_args()

    Alert.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    postings = Posting.objects.count()
    live = Posting.objects.live().count()
    day = Posting.objects.live().filter(published_at__gt=timezone.now() - timedelta(hours=30))
    started = time.perf_counter()
    searches = add_alerts(options.alerts, options.searches, random.Random(options.seed))
    setup = time.perf_counter() - started
    print(
        f"{connection.vendor}, {postings:,} postings ({live:,} live, {day.count():,} published "
        f"in the last 30 hours); {options.alerts:,} daily alerts over {len(searches):,} "
        f"searches added in {setup:.1f} s"
    )
    try:
        now = timezone.now()
        runs = [build_once(now) for _ in range(options.runs)]
        seconds = [run[0] for run in runs]
        _, built, report, queries = runs[0]
        print()
        print("| step | searches | alerts due | digests built | nothing new | queries | "
              "seconds (median) | min | max | ms per search | µs per alert |")  # fmt: skip
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        median = statistics.median(seconds)
        print(
            f"| build one day's digests | {report.searches:,} | {report.alerts:,} | {built:,} | "
            f"{report.nothing_new:,} | {queries:,} | {median:.2f} | {min(seconds):.2f} | "
            f"{max(seconds):.2f} | {median * 1000 / max(report.searches, 1):.1f} | "
            f"{median * 1e6 / max(report.alerts, 1):.0f} |"
        )
        if options.record:
            elapsed, sent = record_once(now)
            print(
                f"| build, send (locmem) and record each | {sent.searches:,} | {sent.alerts:,} "
                f"| {sent.sent:,} | {sent.nothing_new:,} | — | {elapsed:.2f} | | | "
                f"{elapsed * 1000 / max(sent.searches, 1):.1f} | "
                f"{elapsed * 1e6 / max(sent.alerts, 1):.0f} |"
            )
    finally:
        Alert.objects.filter(email__endswith=f"@{DOMAIN}").delete()


if __name__ == "__main__":
    main()
