"""Fault drills against gunicorn + PostgreSQL, as production runs them. Opt-in, slow (~3 min).

    .venv/bin/python benchmarks/faults.py [--port 8401] [--skip-restart]

Starts gunicorn with the repository's gunicorn.conf.py (DEBUG off, GUNICORN_TIMEOUT=5,
FAULT_INJECTION=1 for the slow request) on 127.0.0.1 against its own PostgreSQL database
(`jobboard_faults`, seeded with postings), then:

  a. restarts PostgreSQL while a steady load runs on /jobs/: failures only during the
     restart, 100 % success from 5 s after it, the same worker processes throughout;
  b. 60 s at 32 concurrent connections on /jobs/ with wrk: no 5xx, no socket errors;
  c. a request that sleeps past gunicorn's timeout: its worker is killed and replaced
     while the requests around it keep succeeding.

Prints one line per figure and exits non-zero if a drill fails. Restarting PostgreSQL
disturbs everyone using it: `--skip-restart` leaves drill (a) out. Needs `pg_ctlcluster`
(Debian's postgresql-common), `createdb`/`dropdb`, and `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
DATABASE = "jobboard_faults"
PG = ["-h", HOST, "-U", "postgres"]
GUNICORN_TIMEOUT = 5
POSTINGS = 2000


@dataclass
class Result:
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    error: str = ""


def get(port: int, path: str, timeout: float = 10) -> Result:
    started = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return Result(started, time.monotonic(), response.status)
    except (OSError, http.client.HTTPException) as error:
        return Result(started, time.monotonic(), None, type(error).__name__)
    finally:
        connection.close()


class Load:
    """`threads` loops requesting `path` back to back (with a pause) until stopped."""

    def __init__(self, port: int, path: str, *, threads: int = 3, pause: float = 0.02):
        self.port, self.path, self.pause = port, path, pause
        self.results: list[Result] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        deadline = time.monotonic() + 600  # bounded whatever happens
        for _ in range(100_000):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            self.results.append(get(self.port, self.path))
            time.sleep(self.pause)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def ok(result: Result) -> bool:
    return result.status is not None and result.status < 500


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, timeout=600, **kwargs)


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def wait_until(predicate, *, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", *PG[:2]], timeout=10).returncode == 0


def restart_postgresql() -> tuple[float, float]:
    (version,) = os.listdir("/etc/postgresql")
    started = time.monotonic()
    run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"])
    if not wait_until(pg_ready, timeout=60):
        raise SystemExit("PostgreSQL did not come back within 60 s")
    return started, time.monotonic()


def prepare(env: dict[str, str]) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True, timeout=60, env=env)
    run(["createdb", *PG, DATABASE], env=env)
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env)
    run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env)
    run(
        [*manage, "generate_postings", "--count", str(POSTINGS), "--seed", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def start_gunicorn(port: int, env: dict[str, str], log) -> subprocess.Popen:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "--config", "gunicorn.conf.py", "--bind", f"{HOST}:{port}", "jobboard.wsgi",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    up = wait_until(lambda: get(port, "/healthz", timeout=2).status == 200, timeout=60)
    if not up or server.poll() is not None:
        raise SystemExit(f"gunicorn did not start; see {log.name}")
    wait_until(lambda: len(worker_pids(server.pid)) >= 2, timeout=20)
    return server


def drill_restart(port: int, master: int) -> bool:
    print("\n(a) PostgreSQL restart under a steady load on /jobs/")
    workers_before = worker_pids(master)
    with Load(port, "/jobs/") as load:
        time.sleep(8)
        down, up = restart_postgresql()
        time.sleep(12)
    results = load.results
    failed = [r for r in results if not ok(r)]
    before = [r for r in results if r.ended < down]
    after = [r for r in results if r.started > up + 5]
    last_failure = max((r.ended for r in failed), default=None)
    workers_after = worker_pids(master)
    print(f"  requests: {len(results)}, failed: {len(failed)}")
    print(f"  restart took {up - down:.1f} s")
    print(f"  failed before the restart: {sum(not ok(r) for r in before)} of {len(before)}")
    if last_failure is not None:
        print(f"  last failure {last_failure - up:+.1f} s after PostgreSQL was back")
        kinds = sorted({str(r.status or r.error) for r in failed})
        print(f"  failures were: {', '.join(kinds)}")
    success_after = sum(ok(r) for r in after) / len(after) if after else 0
    print(f"  success from 5 s after the restart: {success_after:.1%} of {len(after)}")
    print(f"  worker PIDs before {sorted(workers_before)}, after {sorted(workers_after)}")
    passed = (
        all(ok(r) for r in before)
        and success_after == 1
        and (last_failure is None or last_failure < up + 5)
        and workers_before == workers_after
    )
    print(f"  {'PASS' if passed else 'FAIL'}")
    return passed


def drill_flood(port: int) -> bool:
    print("\n(b) 60 s at 32 concurrent connections on /jobs/ (wrk)")
    output = subprocess.run(
        ["wrk", "-t2", "-c32", "-d60s", "--timeout", "10s", "--latency",
         f"http://{HOST}:{port}/jobs/"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    requests = int(re.search(r"(\d+) requests in", output)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = [int(n) for n in socket_errors.groups()] if socket_errors else [0, 0, 0, 0]
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)[1]
    p50 = re.search(r"50%\s+(\S+)", output)[1]
    p99 = re.search(r"99%\s+(\S+)", output)[1]
    print(f"  requests: {requests} ({rate}/s), p50 {p50}, p99 {p99}")
    print(f"  non-2xx/3xx: {int(non_2xx[1]) if non_2xx else 0}")
    print(f"  socket errors: connect {errors[0]}, read {errors[1]}, write {errors[2]}, "
          f"timeout {errors[3]}")  # fmt: skip
    passed = not non_2xx and not any(errors)
    print(f"  {'PASS' if passed else 'FAIL'}")
    return passed


def drill_slow_request(port: int, master: int, log_path: Path) -> bool:
    print(f"\n(c) a request sleeping past gunicorn's timeout ({GUNICORN_TIMEOUT} s)")
    workers_before = worker_pids(master)
    with Load(port, "/jobs/", threads=2, pause=0.05) as load:
        time.sleep(1)
        slow = get(port, f"/__fault__/sleep?seconds={GUNICORN_TIMEOUT * 4}", timeout=60)
        time.sleep(2)
    during = [r for r in load.results if slow.started <= r.started <= slow.ended]
    workers_after = worker_pids(master)
    answer = slow.status if slow.status is not None else f"no answer ({slow.error})"
    print(f"  slow request: {answer} after {slow.ended - slow.started:.1f} s")
    print(f"  other requests meanwhile: {sum(ok(r) for r in during)} of {len(during)} ok")
    print(f"  workers replaced: {sorted(workers_before - workers_after)} -> "
          f"{sorted(workers_after - workers_before)}")  # fmt: skip
    timeouts = re.findall(r"WORKER TIMEOUT \(pid:(\d+)\)", log_path.read_text())
    print(f"  gunicorn log: WORKER TIMEOUT for {timeouts}")
    passed = (
        slow.status in (None, 500)  # the connection dropped, or gunicorn's own 500
        and slow.ended - slow.started < GUNICORN_TIMEOUT * 3
        and [int(pid) for pid in timeouts] == sorted(workers_before - workers_after)
        and during
        and all(ok(r) for r in during)
        and len(workers_before - workers_after) == 1
    )
    print(f"  {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8401)
    parser.add_argument("--skip-restart", action="store_true")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="jobboard-faults-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TESTING")},
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "FAULT_INJECTION": "1",
        "GUNICORN_TIMEOUT": str(GUNICORN_TIMEOUT),
        "LOG_LEVEL": "ERROR",
    }
    print(f"Seeding {DATABASE} with {POSTINGS} postings…")
    prepare(env)
    log_path = scratch / "gunicorn.log"
    with log_path.open("w") as log:
        server = start_gunicorn(args.port, env, log)
        print(f"gunicorn {server.pid} on {HOST}:{args.port}, workers {worker_pids(server.pid)}")
        try:
            results = []
            if not args.skip_restart:
                results.append(drill_restart(args.port, server.pid))
            results.append(drill_flood(args.port))
            log.flush()
            results.append(drill_slow_request(args.port, server.pid, log_path))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            if not pg_ready():  # never leave PostgreSQL down for the others
                (version,) = os.listdir("/etc/postgresql")
                run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    print(f"\ngunicorn log: {log_path}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
