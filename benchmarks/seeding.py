#!/usr/bin/env python
"""Time `generate_postings` into a freshly migrated PostgreSQL database; print one table.

    .venv/bin/python benchmarks/seeding.py                        # 1M postings, 3 runs (~10 min)
    .venv/bin/python benchmarks/seeding.py --count 200000 --runs 1  # a first look

Each run drops and recreates the database `--database` (default jobboard_seed_bench;
never one of benchmarks/run.py's), migrates it and times `manage.py generate_postings
--count N --seed 8 -v 3` as a subprocess, as a person would run it. The table shows each
run's seconds and postings per second, the seconds of each step the command reports
(summed over its batches; "rebuild" is recreating the indexes and foreign keys after a
load into a fresh database), and the median. The database is dropped at the end.

The machine's load average is printed before and after each run: on a shared machine
the median is only as good as the quiet it was measured in.
"""

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PYTHON, ROOT, SERVER_URL, base_env, log, sql

# "  insert postings: 6.52 s", "  index posting_search_idx: 2.60 s"
STEP = re.compile(r"^  (?P<name>[^:]+): (?P<seconds>[\d.]+) s$")
# Index and foreign-key lines are one step each; the table sums them as "rebuild".
REBUILD = ("index ", "foreign key ")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fresh_database(name: str) -> str:
    admin = f"{SERVER_URL}/postgres"
    sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    sql(admin, f"CREATE DATABASE {name}")
    db_url = f"{SERVER_URL}/{name}"
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=base_env(db_url),
        check=True,
        capture_output=True,
    )
    return db_url


def seed(db_url: str, count: int) -> tuple[float, dict[str, float]]:
    """Wall seconds of generate_postings and its steps' seconds, summed over batches."""
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", "generate_postings", "--count", str(count), "--seed", "8", "-v", "3"],
        cwd=ROOT,
        env=base_env(db_url),
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    steps: dict[str, float] = defaultdict(float)
    for line in result.stdout.splitlines():
        if match := STEP.match(line):
            name = match["name"]
            steps["rebuild" if name.startswith(REBUILD) else name] += float(match["seconds"])
    return seconds, dict(steps)


def table(count: int, runs: list[tuple[float, dict[str, float]]]) -> str:
    names = list(dict.fromkeys(name for _, steps in runs for name in steps))
    header = ["run", "seconds", "postings/s", *names]
    rows = [
        [str(number), f"{seconds:.1f}", f"{count / seconds:,.0f}"]
        + [f"{steps.get(name, 0):.1f}" for name in names]
        for number, (seconds, steps) in enumerate(runs, 1)
    ]
    median = statistics.median(seconds for seconds, _ in runs)
    rows.append(
        ["median", f"{median:.1f}", f"{count / median:,.0f}"]
        + [f"{statistics.median(steps.get(name, 0) for _, steps in runs):.1f}" for name in names]
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                   for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
        for row in [header, *rows]
    ]  # fmt: skip
    lines.insert(1, "-|-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="postings per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="jobboard_seed_bench", help="created and dropped")
    args = parser.parse_args()
    if args.database.startswith("jobboard_bench_"):
        parser.error("jobboard_bench_* belong to benchmarks/run.py")
    runs = []
    try:
        for number in range(1, args.runs + 1):
            db_url = fresh_database(args.database)
            log(f"run {number}: seeding {args.count:,} postings (load {load_average()})…")
            seconds, steps = seed(db_url, args.count)
            runs.append((seconds, steps))
            log(f"run {number}: {seconds:.1f} s (load {load_average()})")
    finally:
        sql(f"{SERVER_URL}/postgres", f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    print(f"generate_postings --count {args.count:,} --seed 8 into a fresh database, seconds")
    print(table(args.count, runs))


if __name__ == "__main__":
    main()
