"""The board on several servers, on loopback: start the whole shape, prove it, print figures.

    .venv/bin/python benchmarks/cluster.py [--redis-url redis://127.0.0.1:6379/11]

Starts, in a temporary folder removed afterwards:
- its own PostgreSQL primary and a streaming replica (`initdb`, `pg_basebackup -R`, free
  ports, run as the `postgres` user; never the machine's own cluster);
- the S3 API server (moto's, tests/s3_server.py) holding the media;
- two gunicorn servers, A and B, and two `manage.py db_worker` processes, all with
  DEBUG off, the same SECRET_KEY, Redis (REDIS_URL's database, under a key prefix of its
  own, deleted afterwards) and each its own media root, temporary folder and cache
  folder, so that nothing passes from one to another through the local disk;
- a short page-cache time (PAGE_CACHE_SECONDS=2) and replica lag bound
  (REPLICA_MAX_LAG_SECONDS=2), so that the bound is seconds, not minutes.

Then `prove()` checks, through HTTP as staff and visitors would (README.md, "Running on
several machines"): a logo uploaded through A is served by B; an import confirmed on B
runs on a worker and its report reads on A; a posting published through A shows on B's
listing within the bound, also while the replica's replay is paused; a staff member who
wrote through A reads it on the next request; no task runs twice with two workers;
stopping A fails no request to B and loses nothing; with the replica stopped, B's /readyz
says so and its pages are still served. Each figure is printed; tests/test_cluster.py
runs the same and asserts.

Needs PostgreSQL's server programs (`initdb`, `pg_ctl`, `pg_basebackup`) and the right
to run them as `postgres` (this script running as root or as postgres), Redis, and
moto (requirements-test.txt). `unavailable()` says what is missing.
"""

import argparse
import contextlib
import glob
import json
import os
import pwd
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
S3_SERVER = ROOT / "tests" / "s3_server.py"
DATABASE = "jobboard"
BUCKET = "cluster-media"
STAFF = ("staff", "a-long-cluster-passphrase-1")

# The harness's bounds: short, so that the proof takes seconds.
PAGE_CACHE_SECONDS = 2
REPLICA_MAX_LAG_SECONDS = 2
LAG_CHECK_SECONDS = 1  # jobboard.replicas.LAG_CHECK_SECONDS
# What README.md documents: a change shows everywhere within the replica lag allowed,
# plus the lag measure's age, plus the page-cache time (plus a CDN's, none here).
STALENESS_BOUND = REPLICA_MAX_LAG_SECONDS + LAG_CHECK_SECONDS + PAGE_CACHE_SECONDS
# Room for polling and a loaded machine on top of the bound.
MARGIN = 2.0


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable(redis_url: str) -> str | None:
    """Why the cluster cannot start here, or None."""
    pg = postgres_bin()
    if pg is None or not all((pg / name).exists() for name in ("pg_ctl", "pg_basebackup")):
        return "PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are not installed"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no `postgres` user to run PostgreSQL as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "running PostgreSQL as `postgres` needs this process to be root or postgres"
    location = urlsplit(redis_url)
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((location.hostname or "127.0.0.1", location.port or 6379)):
            return f"Redis is not running at {location.hostname}:{location.port or 6379}"
    try:
        import moto.server  # noqa: F401
        import requests  # noqa: F401
    except ImportError:
        return "moto[server] is not installed (requirements-test.txt)"
    return None


class Prober:
    """GETs `urls` in turn, every `interval` seconds, until stopped; counts failures (no
    answer, or not 200)."""

    def __init__(self, urls, interval=0.2):
        self.urls, self.interval = urls, interval
        self.requests = self.failures = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import requests

        while not self._stop.is_set():
            for url in self.urls:
                try:
                    ok = requests.get(url, timeout=10).status_code == 200
                except requests.RequestException:
                    ok = False
                self.requests += 1
                if not ok:
                    self.failures += 1
                    self.failed.append(url)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=15)


@dataclass
class Cluster:
    redis_url: str
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="jobboard-cluster-")))
    processes: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def __post_init__(self):
        self.pg = postgres_bin()
        self.primary_port, self.replica_port = free_port(), free_port()
        self.key_prefix = f"cluster-{secrets.token_hex(4)}"
        self.secret_key = secrets.token_urlsafe(50)

    # PostgreSQL ------------------------------------------------------------------------
    def as_postgres(self, *command, **kwargs):
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        return subprocess.run(
            [*prefix, *map(str, command)], check=True, capture_output=True, text=True, **kwargs
        )

    def pg_dir(self, name: str) -> Path:
        return self.folder / "postgres" / name

    def start_postgres(self):
        began = time.monotonic()
        pg_root = self.folder / "postgres"
        pg_root.mkdir()
        self.folder.chmod(0o755)
        shutil.chown(pg_root, "postgres", "postgres")
        primary, replica = self.pg_dir("primary"), self.pg_dir("replica")
        self.as_postgres(
            self.pg / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{pg_root}'",
            "max_connections": "60",
            "shared_buffers": "32MB",
            "fsync": "off",  # a throwaway cluster: speed over durability
            "full_page_writes": "off",
            "wal_level": "replica",
            "max_wal_senders": "4",
        }
        self.append_conf(primary, {"port": str(self.primary_port), **settings})
        self.pg_ctl("start", primary)
        self.as_postgres(
            self.pg / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary_port,
            "-U", "postgres", "-D", replica, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self.append_conf(replica, {"port": str(self.replica_port), "hot_standby": "on"})
        self.pg_ctl("start", replica)
        with self.sql(self.primary_port, "postgres") as db:
            db.execute(f"CREATE DATABASE {DATABASE}")
        self.timings["postgres started (s)"] = round(time.monotonic() - began, 1)

    def append_conf(self, data_dir: Path, values: dict):
        lines = "".join(f"{name} = {value}\n" for name, value in values.items())
        self.as_postgres("sh", "-c", f"cat >> '{data_dir}/postgresql.conf'", input=lines)

    def pg_ctl(self, action: str, data_dir: Path, *options: str):
        log = data_dir.parent / f"{data_dir.name}.log"
        self.logs[f"postgres {data_dir.name}"] = log
        self.as_postgres(
            self.pg / "pg_ctl", action, "-D", data_dir, "-l", log, "-w", "-t", "60", *options
        )

    @contextlib.contextmanager
    def sql(self, port: int, database: str = DATABASE):
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True
        ) as connection:
            yield connection

    def primary_value(self, query, *params):
        with self.sql(self.primary_port) as db:
            row = db.execute(query, params).fetchone()
        return row[0] if row else None

    def replica_value(self, query, *params):
        with self.sql(self.replica_port) as db:
            row = db.execute(query, params).fetchone()
        return row[0] if row else None

    def database_url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    # The site's processes --------------------------------------------------------------
    def environment(self, name: str, **extra: str) -> dict:
        """A role's environment, from nothing: only what README.md lists for it."""
        own = self.folder / name
        for sub in ("media", "tmp", "cache"):
            (own / sub).mkdir(parents=True, exist_ok=True)
        env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ}
        env.update(
            DJANGO_SETTINGS_MODULE="jobboard.settings",
            PYTHONPATH=str(ROOT),
            HOME=str(own),
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=self.database_url(self.primary_port),
            DATABASE_REPLICA_URL=self.database_url(self.replica_port),
            REDIS_URL=self.redis_url,
            CACHE_KEY_PREFIX=self.key_prefix,
            MEDIA_STORAGE=f"s3://{BUCKET}",
            AWS_S3_ENDPOINT_URL=self.s3_endpoint,
            AWS_S3_ADDRESSING_STYLE="path",
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (moto's, on loopback)
            PAGE_CACHE_SECONDS=str(PAGE_CACHE_SECONDS),
            REPLICA_MAX_LAG_SECONDS=str(REPLICA_MAX_LAG_SECONDS),
            STATIC_ROOT=str(self.folder / "static"),
            # Nothing shared through the local disk: each process its own folders.
            MEDIA_ROOT=str(own / "media"),
            TMPDIR=str(own / "tmp"),
            XDG_CACHE_HOME=str(own / "cache"),
            LOG_LEVEL="WARNING",
            **extra,
        )
        return env

    def manage(self, *args: str, env_extra=None, timeout=300):
        env = self.environment("manage", **(env_extra or {}))
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done

    def spawn(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        with log.open("w") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        return process

    def start_s3(self):
        process = subprocess.Popen(
            [PYTHON, str(S3_SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.processes["s3"] = process
        ready, _, _ = select.select([process.stdout], [], [], 60)
        port = process.stdout.readline().strip() if ready else ""
        if not port.isdigit():
            raise RuntimeError("the S3 server did not start")
        self.s3_endpoint = f"http://127.0.0.1:{port}"
        import boto3

        client = boto3.client(
            "s3", endpoint_url=self.s3_endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        # As README.md asks: anyone may read the files.
        statement = {
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }  # fmt: skip
        client.put_bucket_policy(
            Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    def start_web(self, name: str) -> str:
        port = free_port()
        env = self.environment(name, WEB_CONCURRENCY="2")
        self.spawn(
            name,
            [GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "jobboard.wsgi"],
            env,
        )  # fmt: skip
        return f"http://127.0.0.1:{port}"

    def start_worker(self, name: str):
        self.spawn(
            name,
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2"],
            self.environment(name),
        )  # fmt: skip

    def wait_until_serving(self, base: str, name: str, seconds=90):
        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.tail(name)}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer:\n{self.tail(name)}")

    def start(self):
        self.start_postgres()
        self.start_s3()
        began = time.monotonic()
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage(
            "createsuperuser", "--noinput", "--username", STAFF[0], "--email", "s@example.com",
            env_extra={"DJANGO_SUPERUSER_PASSWORD": STAFF[1]},
        )  # fmt: skip
        self.timings["migrate, collectstatic, superuser (s)"] = round(time.monotonic() - began, 1)
        self.a, self.b = self.start_web("web-a"), self.start_web("web-b")
        self.start_worker("worker-1")
        self.start_worker("worker-2")
        self.wait_until_serving(self.a, "web-a")
        self.wait_until_serving(self.b, "web-b")
        return self

    # Teardown --------------------------------------------------------------------------
    def tail(self, name: str, size=3000) -> str:
        log = self.logs.get(name)
        return log.read_text(errors="replace")[-size:] if log and log.exists() else ""

    def stop(self):
        for name, process in self.processes.items():
            if process.poll() is None:
                if name == "s3":
                    process.stdin.close()
                else:
                    process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for data_dir in (self.pg_dir("replica"), self.pg_dir("primary")):
            if (data_dir / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self.pg_ctl("stop", data_dir, "-m", "immediate")
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            # A SIGTERM (a timeout, a supervisor) still stops PostgreSQL, which pg_ctl
            # detached from this process, and removes the folder.
            signal.signal(signal.SIGTERM, stop_on_sigterm)
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


# The proof -----------------------------------------------------------------------------
class Staff:
    """A browser signed in to the admin: one cookie jar for A and B, as behind a load
    balancer (cookies do not name a port)."""

    def __init__(self, base: str):
        import requests

        self.http = requests.Session()
        self.http.get(base + "/admin/login/", timeout=30)
        response = self.post(
            base + "/admin/login/",
            {"username": STAFF[0], "password": STAFF[1], "next": "/admin/"},
        )
        if "sessionid" not in self.http.cookies:
            raise AssertionError(f"staff could not sign in: {response.status_code}")

    def post(self, url, data, files=None):
        data = {**data, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        response = self.http.post(url, data=data, files=files, timeout=60, allow_redirects=False)
        if response.status_code not in (200, 302):
            raise AssertionError(f"POST {url}: {response.status_code}\n{response.text[:2000]}")
        return response

    def get(self, url) -> str:
        response = self.http.get(url, timeout=60)
        if response.status_code != 200:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response.text


def anonymous(url: str) -> tuple[int, str]:
    """A visitor without cookies: what the page cache and the replica serve."""
    import requests

    response = requests.get(url, timeout=30)
    return response.status_code, response.text


def wait_for(predicate, seconds: float, what: str) -> float:
    """Seconds until `predicate()` was true, polled every 0.1 s."""
    began = time.monotonic()
    while True:
        if predicate():
            return round(time.monotonic() - began, 2)
        if time.monotonic() - began > seconds:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def content_file() -> bytes:
    """One company, five published postings and two drafts, in the import format."""
    posting = {
        "company": "cluster-works", "summary": "Keep the servers agreeing.",
        "description": "Several servers, one truth.", "skills": ["operations"],
        "location": "", "country": "", "remote_policy": "remote",
        "employment_type": "full-time", "seniority": "", "salary_min": None,
        "salary_max": None, "salary_currency": "", "salary_period": "year", "apply_url": "",
        "apply_email": "jobs@cluster.example", "expires_at": "2099-01-01T00:00:00Z",
    }  # fmt: skip
    published = {"status": "published", "published_at": "2026-01-05T09:00:00Z"}
    draft = {"status": "draft", "published_at": None}
    postings = [
        {**posting, **published, "slug": f"cluster-role-{n}", "title": f"Cluster Role {n}"}
        for n in range(1, 6)
    ] + [
        {**posting, **draft, "slug": f"cluster-draft-{n}", "title": f"Draft Keeper {n}"}
        for n in (1, 2)
    ]
    data = {
        "format": "jobboard-content", "version": 1, "exported_at": "2026-01-10T12:00:00Z",
        "skills": [{"slug": "operations", "name": "Operations", "description": "Servers."}],
        "guides": [],
        "companies": [{
            "slug": "cluster-works", "name": "Cluster Works", "website": "",
            "description": "", "headquarters": "", "logo": None,
        }],
        "postings": postings,
    }  # fmt: skip
    return json.dumps(data).encode()


def png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), (20, 120, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def listing_shows(base: str, title: str) -> bool:
    status, body = anonymous(base + "/jobs/")
    return status == 200 and title in body


def publish_through(staff: Staff, base: str, cluster: Cluster, slug: str):
    posting_id = cluster.primary_value("SELECT id FROM postings_posting WHERE slug = %s", slug)
    staff.post(
        base + "/admin/postings/posting/",
        {"action": "publish", "_selected_action": str(posting_id), "index": "0"},
    )
    status = cluster.primary_value("SELECT status FROM postings_posting WHERE slug = %s", slug)
    if status != "published":
        raise AssertionError(f"{slug} was not published through the admin: {status}")


def prove(cluster: Cluster) -> dict:
    """Each point of README.md's promise, through HTTP; the figures measured."""
    a, b = cluster.a, cluster.b
    figures: dict = {"staleness bound (s)": STALENESS_BOUND}
    with Prober([b + "/jobs/", b + "/readyz"]) as b_prober:
        for base in (a, b):
            status, body = anonymous(base + "/readyz")
            if status != 200:
                raise AssertionError(f"/readyz on {base}: {status}\n{body}")
        staff = Staff(a)

        # A logo uploaded through A is served by B (from the bucket, never A's disk).
        staff.post(
            a + "/admin/companies/company/add/",
            {"name": "Harbour Lights", "slug": "harbour-lights", "website": "",
             "headquarters": "", "description": ""},
            files={"logo": ("harbour.png", png(), "image/png")},
        )  # fmt: skip
        bucket_url = f"{cluster.s3_endpoint}/{BUCKET}/"
        logo_src = re.compile(rf'src="({re.escape(bucket_url)}[^"]+)"')

        def logo_on_b():
            status, body = anonymous(b + "/companies/harbour-lights/")
            match = logo_src.search(body) if status == 200 else None
            return match and anonymous(match.group(1))[0] == 200

        figures["logo uploaded on A, served by B (s)"] = wait_for(
            logo_on_b, 30, "B to serve the logo uploaded through A"
        )

        # An import confirmed on B runs on a worker; its report reads on A.
        response = staff.post(
            b + "/admin/postings/posting/import/",
            {}, files={"file": ("content.json", content_file(), "application/json")},
        )  # fmt: skip
        status_path = urlsplit(response.headers["Location"]).path
        wait_for(lambda: "The file is valid" in staff.get(b + status_path), 60, "the dry run on B")
        began = time.monotonic()
        staff.post(b + status_path, {"action": "import"})
        wait_for(
            lambda: "postings 7 created" in staff.get(a + status_path),
            60,
            "the import confirmed on B to report on A",
        )
        figures["import confirmed on B, report on A (s)"] = round(time.monotonic() - began, 2)

        # A posting published through A shows on B's listing within the bound.
        figures["imported on B, listed on B (s)"] = wait_for(
            lambda: listing_shows(b, "Cluster Role 1"),
            STALENESS_BOUND + MARGIN,
            "the imported postings on B's listing",
        )
        publish_through(staff, a, cluster, "cluster-draft-1")
        figures["published on A, listed on B (s)"] = wait_for(
            lambda: listing_shows(b, "Draft Keeper 1"),
            STALENESS_BOUND + MARGIN,
            "the posting published through A on B's listing",
        )

        # The same while the replica lags: its replay paused, so it holds the old rows.
        with cluster.sql(cluster.replica_port) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
        try:
            company_id = cluster.primary_value(
                "SELECT id FROM companies_company WHERE slug = 'harbour-lights'"
            )
            staff.post(
                f"{a}/admin/companies/company/{company_id}/change/",
                {"name": "Harbour Beacons", "slug": "harbour-lights", "website": "",
                 "headquarters": "", "description": ""},
            )  # fmt: skip
            # Staff read their write on their very next request, on the other server.
            page = staff.get(b + "/companies/harbour-lights/")
            if "Harbour Beacons" not in page:
                raise AssertionError("staff did not read their own write on the next request")
            figures["staff read their write on the next request"] = "yes"
            publish_through(staff, a, cluster, "cluster-draft-2")
            figures["published on A, listed on B, replica paused (s)"] = wait_for(
                lambda: listing_shows(b, "Draft Keeper 2"),
                STALENESS_BOUND + MARGIN,
                "the posting published through A on B's listing while the replica lags",
            )
            replica_status = cluster.replica_value(
                "SELECT status FROM postings_posting WHERE slug = 'cluster-draft-2'"
            )
            if replica_status != "draft":
                raise AssertionError("the replica was not lagging: the proof proved nothing")
            figures["replica lag when B listed it (s)"] = round(
                cluster.replica_value(
                    "SELECT EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
                ),
                1,
            )
        finally:
            with cluster.sql(cluster.replica_port) as replica:
                replica.execute("SELECT pg_wal_replay_resume()")

        # Two workers take tasks from one table: none runs twice.
        cluster.manage(
            "shell", "--no-startup", "-c",
            "from postings.stats import refresh_market_stats\n"
            "for _ in range(20): refresh_market_stats.enqueue()",
        )  # fmt: skip
        wait_for(
            lambda: (
                cluster.primary_value(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE status IN ('READY', 'RUNNING')"
                )
                == 0
            ),
            60,
            "the workers to run every task",
        )
        tasks = cluster.primary_value("SELECT count(*) FROM django_tasks_database_dbtaskresult")
        twice = cluster.primary_value(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE jsonb_array_length(worker_ids::jsonb) <> 1 OR status <> 'SUCCESSFUL'"
        )
        workers = cluster.primary_value(
            "SELECT count(DISTINCT w) FROM django_tasks_database_dbtaskresult, "
            "jsonb_array_elements_text(worker_ids::jsonb) AS w"
        )
        figures["tasks run (by 2 workers)"] = tasks
        figures["tasks run more than once or failed"] = twice
        figures["workers that ran tasks"] = workers

        # Stopping A: B goes on serving, and nothing written through A is lost.
        with Prober([a + "/jobs/"], interval=0.05) as a_prober:
            time.sleep(0.5)
            cluster.processes["web-a"].send_signal(signal.SIGTERM)
            exit_code = cluster.processes["web-a"].wait(timeout=60)
        figures["A's exit code after SIGTERM"] = exit_code
        figures["requests to A before it stopped"] = a_prober.requests - a_prober.failures
        for title in ("Draft Keeper 1", "Draft Keeper 2", "Cluster Role 5"):
            wait_for(lambda title=title: listing_shows(b, title), STALENESS_BOUND + MARGIN, title)
        wait_for(
            lambda: "Harbour Beacons" in anonymous(b + "/companies/harbour-lights/")[1],
            STALENESS_BOUND + MARGIN,
            "the rename made through A, on B",
        )
        if not logo_on_b():
            raise AssertionError("B lost the logo uploaded through A")
        time.sleep(1)
    figures["requests to B"] = b_prober.requests
    figures["requests to B failed"] = b_prober.failures

    # The replica stops: B's /readyz says which part, and B reads around it.
    cluster.pg_ctl("stop", cluster.pg_dir("replica"), "-m", "fast")
    status, body = anonymous(b + "/readyz")
    figures["B's /readyz with the replica stopped"] = f"{status} {body.strip()!r}"
    if status != 503 or "replica_1: failing" not in body or "database: ok" not in body:
        raise AssertionError(f"/readyz with the replica down: {status}\n{body}")
    if "postgres" in body or str(cluster.replica_port) in body:
        raise AssertionError("/readyz shows connection details")
    figures["B's listing with the replica stopped"] = wait_for(
        lambda: listing_shows(b, "Draft Keeper 2"), STALENESS_BOUND + MARGIN, "B without replica"
    )
    return figures


def run(redis_url: str) -> tuple[dict, Cluster]:
    """Start the cluster, prove it, stop it; the figures (with start-up timings)."""
    cluster = Cluster(redis_url)
    with cluster:
        try:
            figures = prove(cluster)
        except BaseException:
            for name in ("web-a", "web-b", "worker-1", "worker-2"):
                print(f"--- {name}\n{cluster.tail(name)}", file=sys.stderr)
            raise
    return {**cluster.timings, **figures}, cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    reason = unavailable(args.redis_url)
    if reason:
        sys.exit(f"Cannot start the cluster: {reason}.")
    began = time.monotonic()
    figures, _ = run(args.redis_url)
    figures["total (s)"] = round(time.monotonic() - began, 1)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
