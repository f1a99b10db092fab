#!/usr/bin/env python
"""Where a page's time goes, in-process: its queries (time, plan) and a Python profile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_bench_1m \\
        .venv/bin/python benchmarks/profile_pages.py /jobs/ "/jobs/?q=python" --profile

For each URL: the median of --repeat requests through the test client (caching off,
DEBUG off), each SQL query with its time and whether its plan reads postings
sequentially (EXPLAIN ANALYZE for the slow ones with --explain), and with --profile the
functions with the most cumulative time (cProfile).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
os.environ.setdefault("SECRET_KEY", "profile-pages-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("STATIC_ROOT", "/tmp/jobboard-bench/static")
os.environ["CACHE_BACKEND"] = "dummy"
os.environ.pop("REDIS_URL", None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow queries")
    parser.add_argument("--profile", action="store_true", help="cProfile, top 25 functions")
    parser.add_argument("--slow-ms", type=float, default=1.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    from django.test import Client

    client = Client()
    for url in args.urls:
        timings = []
        queries = []

        def record(execute, sql, params, many, context, queries=queries):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - started, sql, params))

        for _ in range(2):
            client.get(url)
        for _ in range(args.repeat):
            queries.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(record):
                response = client.get(url)
            timings.append(time.perf_counter() - started)
        total_ms = statistics.median(timings) * 1000
        sql_ms = sum(q[0] for q in queries) * 1000
        print(
            f"\n== {url}: HTTP {response.status_code}, {len(response.content):,} bytes, "
            f"{total_ms:.1f} ms median, {len(queries)} queries {sql_ms:.1f} ms"
        )
        for seconds, sql, params in queries:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                print(f"  {seconds * 1000:7.2f} ms  {sql[:150]}")
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            seq = " SEQ SCAN postings" if "Seq Scan on postings_posting" in plan else ""
            print(f"  {seconds * 1000:7.2f} ms{seq}  {sql[:150]}")
            if args.explain and seconds * 1000 >= args.slow_ms:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    print("      " + "\n      ".join(row[0] for row in cursor.fetchall()))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                client.get(url)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())


if __name__ == "__main__":
    main()
