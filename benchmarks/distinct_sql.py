#!/usr/bin/env python
"""The "distinct listings" stream of benchmarks/run.py, replayed in-process: where its SQL
time goes, URL by URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database> \\
        .venv/bin/python benchmarks/distinct_sql.py --count 300 --slowest 15

The URLs come from the same walk as the wrk script (DISTINCT_SCRIPT), from a fixed start
so that two runs (two databases, before and after a change) ask for the same listings.
Each is requested through the test client with a local-memory cache (what is the
same for every request is cached, as with Redis; every listing misses the page cache),
and its queries are timed; with --repeat, the whole stream that many times and each URL's
median. Prints the medians and means (under wrk's steady load a request waits for the
others in turn: its latency follows the stream's mean cost, not its median), the empty
results apart, and the slowest URLs and statements; --json keeps everything for
comparing runs.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
os.environ.setdefault("SECRET_KEY", "distinct-sql-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("STATIC_ROOT", "/tmp/jobboard-bench/static")
os.environ["CACHE_BACKEND"] = "locmem"
os.environ.pop("REDIS_URL", None)

# The lists of DISTINCT_SCRIPT (benchmarks/run.py), in the same order.
REMOTES = ["", "remote", "hybrid", "onsite"]
LEVELS = ["", "junior", "mid", "senior", "staff", "lead"]
SORTS = ["", "salary", "closing"]
WHERES = ["", "", "", "", "country=DE", "country=US", "country=BR", "work_from=DE"]
WHERES += ["work_from=US", "work_from=IN", "utc_offset=60", "utc_offset=-300"]
PAYS = ["", "", "", "stated"]
STEP = 7919


def stream(skills: list[str], *, start: int, count: int) -> list[str]:
    """The wrk script's request() as Python: `count` paths from `start`."""
    total = len(skills) * len(REMOTES) * len(LEVELS) * 10 * len(SORTS) * len(WHERES) * len(PAYS)
    position, paths = start % total, []
    for _ in range(count):
        position = (position + STEP) % total
        n = position
        skill = skills[n % len(skills)]
        n //= len(skills)
        remote = REMOTES[n % len(REMOTES)]
        n //= len(REMOTES)
        level = LEVELS[n % len(LEVELS)]
        n //= len(LEVELS)
        salary = 40000 + (n % 10) * 10000
        n //= 10
        sort = SORTS[n % len(SORTS)]
        n //= len(SORTS)
        where = WHERES[n % len(WHERES)]
        n //= len(WHERES)
        pay = PAYS[n % len(PAYS)]
        path = f"/jobs/?skill={skill}&salary_min={salary}"
        path += f"&remote={remote}" if remote else ""
        path += f"&seniority={level}" if level else ""
        path += f"&{where}" if where else ""
        path += f"&pay={pay}" if pay else ""
        path += f"&sort={sort}" if sort else ""
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--start", type=int, default=123457)
    parser.add_argument("--slowest", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the stream")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--urls", nargs="*", help="these paths instead of the stream")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from skills.models import Skill

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    # As benchmarks/run.py lists them.
    skills = list(
        Skill.objects.filter(postings__isnull=False).distinct().values_list("slug", flat=True)
    )
    paths = args.urls or stream(skills, start=args.start, count=args.count)
    client = Client()
    client.get("/jobs/")  # the parts every request shares, cached
    passes = [[request(client, connection, path) for path in paths] for _ in range(args.repeat)]
    # Each URL's pass of median time (its queries and statements as timed in that pass).
    results = [
        sorted(runs, key=lambda r: r["ms"])[len(runs) // 2] for runs in zip(*passes, strict=True)
    ]
    report(results, slowest=args.slowest)
    if args.json:
        args.json.write_text(json.dumps(results))


def request(client, connection, path: str) -> dict:
    """One request of `path`, its wall time and its queries, each timed."""
    queries = []

    def timed(execute, sql, params, many, context, queries=queries):
        # CaptureQueriesContext rounds to the millisecond: too coarse here.
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(
                (
                    (time.perf_counter() - began) * 1000,
                    # As sent, so that it can be pasted into EXPLAIN.
                    connection.ops.last_executed_query(context["cursor"], sql, params),
                )
            )

    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        response = client.get(path)
        wall = (time.perf_counter() - started) * 1000
    return {
        "path": path,
        "status": response.status_code,
        "ms": wall,
        "sql_ms": sum(ms for ms, _ in queries),
        "queries": queries,
        "empty": b"No openings match all" in response.content,
    }


def report(results: list[dict], *, slowest: int) -> None:
    walls = [r["ms"] for r in results]
    sqls = [r["sql_ms"] for r in results]
    counts = [len(r["queries"]) for r in results]
    print(
        f"{len(results)} URLs: wall p50 {statistics.median(walls):.1f} ms, mean "
        f"{statistics.mean(walls):.1f}; SQL p50 {statistics.median(sqls):.1f} ms, mean "
        f"{statistics.mean(sqls):.1f}, p90 {statistics.quantiles(sqls, n=10)[-1]:.1f}, "
        f"max {max(sqls):.1f}; queries p50 {statistics.median(counts):.0f}, "
        f"max {max(counts)}; empty {sum(r['empty'] for r in results)}; "
        f"statuses {sorted({r['status'] for r in results})}"
    )
    for label, part in (("empty", True), ("with openings", False)):
        chosen = [r for r in results if r["empty"] == part]
        if chosen:
            print(
                f"  {label}: {len(chosen)}, wall p50 "
                f"{statistics.median(r['ms'] for r in chosen):.1f} ms, mean "
                f"{statistics.mean(r['ms'] for r in chosen):.1f}; SQL mean "
                f"{statistics.mean(r['sql_ms'] for r in chosen):.1f} ms, queries mean "
                f"{statistics.mean(len(r['queries']) for r in chosen):.2f}"
            )
    for result in sorted(results, key=lambda r: -r["sql_ms"])[:slowest]:
        print(
            f"\n{result['sql_ms']:7.1f} ms SQL, {result['ms']:6.1f} ms wall, "
            f"{len(result['queries'])} queries: {result['path']}"
        )
        for ms, sql in sorted(result["queries"], reverse=True)[:3]:
            print(f"    {ms:7.1f} ms  {sql[:400]}")


if __name__ == "__main__":
    main()
