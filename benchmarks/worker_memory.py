#!/usr/bin/env python
"""The task worker's memory at scale: each periodic job run by a real `db_worker` process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_bench_1m \\
        .venv/bin/python benchmarks/worker_memory.py [--alerts 10000] [--searches 200]

For every job of background/periodic.py, in turn: `manage.py run_periodic <job>` enqueues
it, then `manage.py db_worker --batch` runs what is queued and exits. While that worker runs,
its VmHWM (the largest resident set it ever had) is read from /proc every 20 ms; the table
gives the last reading, the seconds the worker took and the RSS of a worker that ran
nothing (Django, the apps and the task backend imported). With `--alerts`, that many
confirmed daily alerts over `--searches` searches (benchmarks/alert_digests.py's mix, last
sent 20 to 30 hours ago) are added first, so the digest jobs build and send real e-mails
(to the console backend, discarded), and deleted at the end.
The issue's bound: a worker stays under 150 MB.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BOUND_MB = 150


def worker_env() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "EMAIL_URL"}
    env.setdefault("SECRET_KEY", "benchmark-only")
    # As in production: DEBUG on would keep every query in memory.
    env.update(DEBUG="0", ALLOWED_HOSTS=env.get("ALLOWED_HOSTS", "localhost"))
    # Digests go to the console backend; its output is discarded below.
    env["EMAIL_URL"] = "console:"
    return env


def manage(*args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=worker_env(), check=True, capture_output=True
    )


def peak_rss_mb(process: subprocess.Popen) -> float:
    """The process's VmHWM in MB, read until it exits (the last reading before exit)."""
    peak = 0.0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.02)
    return peak


def run_worker(*extra: str) -> tuple[float, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", *extra],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = peak_rss_mb(process)
    if process.wait():
        raise SystemExit(f"db_worker exited with {process.returncode}")
    return peak, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=0)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL to the database to measure against.")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    from alerts.models import Alert
    from background.periodic import jobs
    from postings.models import Posting

    if args.alerts:
        # Imported only here: the module adds the alerts' helpers and nothing else runs.
        from benchmarks.alert_digests import DOMAIN, add_alerts

        add_alerts(args.alerts, args.searches, random.Random(8))

    postings = Posting.objects.count()
    rows = [("(nothing queued)", *run_worker())]
    try:
        for name in jobs():
            manage("run_periodic", name)
            rows.append((name, *run_worker()))
    finally:
        if args.alerts:
            Alert.objects.filter(email__endswith=f"@{DOMAIN}").delete()

    print(
        f"db_worker --batch, one job at a time, {postings:,} postings, "
        f"{args.alerts:,} daily alerts over {args.searches} searches\n"
    )
    print("| job | peak RSS (VmHWM) MB | seconds |")
    print("| --- | ---: | ---: |")
    for name, peak, seconds in rows:
        print(f"| {name} | {peak:.0f} | {seconds:.1f} |")
    largest = max(peak for _, peak, _ in rows)
    verdict = "under" if largest < BOUND_MB else "OVER"
    print(f"\nLargest: {largest:.0f} MB, {verdict} the {BOUND_MB} MB bound.")


if __name__ == "__main__":
    main()
