#!/usr/bin/env python
"""Measure the public pages at 10k, 100k and 1M postings on PostgreSQL; print one table.

    .venv/bin/python benchmarks/run.py                       # everything (about 30 minutes)
    .venv/bin/python benchmarks/run.py --sizes 10000 --quick # a first look (about 3 minutes)

For each size, a database `jobboard_bench_<size>` is created, migrated and seeded with the
demo content plus `generate_postings` (kept between runs: reseeded only when its posting
count is not the size). Then, for each cache mode (`none`: CACHE_BACKEND=dummy; `redis`:
REDIS_URL set), one gunicorn per size starts as in production — the repository's
gunicorn.conf.py, DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS — and wrk drives each page
from a second process on loopback: a warm-up, then several runs, the sizes taking turns
run by run; the table shows the medians.

Every figure is also a ratio to /healthz measured in the same server before and after the
pages, because this machine is shared and noisy. Query counts are counted in-process with
the test client and CaptureQueriesContext (uncached). "distinct listings" is a wrk script
asking for a different filtered listing on every request: each one a page-cache miss.
"""

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WORK_DIR = Path(tempfile.gettempdir()) / "jobboard-bench"
DISTINCT_LISTINGS = "distinct listings"
DISTINCT_SCRIPT = """
-- A different filtered listing on every request: a walk through all combinations of
-- skill, remote policy, seniority, minimum salary, sort (newest, salary, closing soon),
-- where (the role's country, a country or a UTC offset a remote hire may work from) and
-- pay stated, from the start DISTINCT_START (a round's, the same at every size, so that
-- the sizes are compared on the same listings), else a random one. Most searches name no
-- place and do not ask for stated pay, as on the board; the places include ones with few
-- or no postings.
local skills = {%(skills)s}
local remotes = {"", "remote", "hybrid", "onsite"}
local levels = {"", "junior", "mid", "senior", "staff", "lead"}
local sorts = {"", "salary", "closing"}
local wheres = {"", "", "", "", "country=DE", "country=US", "country=BR", "work_from=DE",
                "work_from=US", "work_from=IN", "utc_offset=60", "utc_offset=-300"}
local pays = {"", "", "", "stated"}
local total = #skills * #remotes * #levels * 10 * #sorts * #wheres * #pays
local position = tonumber(os.getenv("DISTINCT_START") or "")
if position == nil then
  math.randomseed(os.time() + os.clock() * 1000000)
  position = math.random(0, total - 1)
end
position = position %% total
request = function()
  position = (position + 7919) %% total
  local n = position
  local skill = skills[n %% #skills + 1]; n = math.floor(n / #skills)
  local remote = remotes[n %% #remotes + 1]; n = math.floor(n / #remotes)
  local level = levels[n %% #levels + 1]; n = math.floor(n / #levels)
  local salary = 40000 + (n %% 10) * 10000; n = math.floor(n / 10)
  local sort = sorts[n %% #sorts + 1]; n = math.floor(n / #sorts)
  local where = wheres[n %% #wheres + 1]; n = math.floor(n / #wheres)
  local pay = pays[n %% #pays + 1]
  local path = "/jobs/?skill=" .. skill .. "&salary_min=" .. salary
  if remote ~= "" then path = path .. "&remote=" .. remote end
  if level ~= "" then path = path .. "&seniority=" .. level end
  if where ~= "" then path = path .. "&" .. where end
  if pay ~= "" then path = path .. "&pay=" .. pay end
  if sort ~= "" then path = path .. "&sort=" .. sort end
  return wrk.format("GET", path)
end
"""


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


def database_url(size: int) -> str:
    return f"{SERVER_URL}/jobboard_bench_{label(size)}"


def base_env(db_url: str, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "REDIS_URL", "CACHE_BACKEND", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=db_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        STATIC_ROOT=str(WORK_DIR / "static"),
        MEDIA_ROOT=str(WORK_DIR / "media"),
        SITE_URL="http://127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(db_url: str, *args: str, **env: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=base_env(db_url, **env),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def sql(db_url: str, query: str, params=()):
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


# Seeding ---------------------------------------------------------------------------------


def seed(size: int) -> float | None:
    """Make `jobboard_bench_<size>` hold `size` postings; the seconds seeding took, or
    None when the database was already seeded."""
    db_url = database_url(size)
    name = db_url.rsplit("/", 1)[1]
    exists = sql(f"{SERVER_URL}/postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if exists:
        manage(db_url, "migrate", "--noinput")
        count = sql(db_url, "SELECT count(*) FROM postings_posting")[0][0]
        live = sql(
            db_url,
            "SELECT count(*) FROM postings_posting WHERE status = 'published' "
            "AND published_at <= now() AND expires_at > now()",
        )[0][0]
        if count == size and live > size * 0.7:
            log(f"{name}: {count:,} postings ({live:,} live), reused")
            # After a migration that rewrote rows: fresh statistics and visibility map,
            # as autovacuum would leave them, so that index-only scans stay index-only.
            sql(db_url, "VACUUM (ANALYZE) postings_posting, postings_posting_skills")
            return None
        log(f"{name}: {count:,} postings ({live:,} live), not {size:,}: seeding again")
        sql(f"{SERVER_URL}/postgres", f"DROP DATABASE {name} WITH (FORCE)")
    sql(f"{SERVER_URL}/postgres", f"CREATE DATABASE {name}")
    manage(db_url, "migrate", "--noinput")
    started = time.monotonic()
    manage(db_url, "load_demo")
    demo = sql(db_url, "SELECT count(*) FROM postings_posting")[0][0]
    log(f"{name}: seeding {size - demo:,} postings on top of {demo} demo postings…")
    output = manage(db_url, "generate_postings", "--count", str(size - demo), "--seed", "8")
    seconds = time.monotonic() - started
    log(f"{name}: {output.strip().splitlines()[-1]} (with the demo: {seconds:.0f} s)")
    sql(db_url, "VACUUM (ANALYZE) postings_posting, postings_posting_skills")
    return seconds


# Pages and query counts ------------------------------------------------------------------


def inspect_pages() -> None:
    """In a Django process: resolve each page's URL, count its queries; print JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")
    django.setup()
    from django.db import connection
    from django.db.models import Count, Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from companies.models import Company
    from companies.views import CompanyDetailView
    from postings.models import Posting
    from skills.models import Skill, SkillGuide

    guide = (
        SkillGuide.objects.published().filter(skill__slug="backend-development").first()
        or SkillGuide.objects.published().order_by("skill__name").first()
    )
    posting = Posting.objects.live().first()  # the newest: the model's ordering
    # The company that posted last among those with a page of openings or more: a
    # generated company of about the same size in every database. (The newest posting's
    # company was a demo company with 3 openings at 10k and a generated one at 1M, so
    # the row compared two different pages.)
    busy = (
        Posting.objects.live()
        .values("company")
        .annotate(openings=Count("pk"), newest=Max("published_at"))
        .filter(openings__gte=CompanyDetailView.paginate_by)
        .order_by("-newest")
        .values_list("company", flat=True)
    )
    company = Company.objects.get(pk=busy.first() or posting.company_id)
    skill = Skill.objects.filter(slug="python").first() or Skill.objects.first()
    client = Client()
    listing = client.get("/jobs/").content.decode()
    last = max((int(n) for n in re.findall(r"[?&]page=(\d+)", listing)), default=1)
    pages = [
        ("healthz (baseline)", "/healthz"),
        ("home", "/"),
        ("skill guide", guide.skill.get_absolute_url()),
        ("listing", "/jobs/"),
        # Quoted, "python" stays a full-text search: unquoted it is the skill filter
        # (postings/facets.py), and this row measures the search as before.
        ("search", '/jobs/?q="python"&remote=remote&seniority=senior'),
        ("filtered", f"/jobs/?skill={skill.slug}&salary_min=100000&sort=salary"),
        ("last page", f"/jobs/?page={last}"),
        ("posting", posting.get_absolute_url()),
        ("company", company.get_absolute_url()),
        ("companies", "/companies/"),
        ("atom feed", '/jobs/feed/atom/?q="python"&remote=remote'),
        ("sitemap", "/sitemap.xml"),
    ]
    result = []
    for name, path in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        result.append(
            {
                "name": name,
                "path": path,
                "status": response.status_code,
                "bytes": len(response.content),
                "queries": len(queries),
            }
        )
    skills = list(
        Skill.objects.filter(postings__isnull=False).distinct().values_list("slug", flat=True)
    )
    print(json.dumps({"pages": result, "skills": skills}))


def pages_for(db_url: str) -> dict:
    output = subprocess.run(
        [PYTHON, __file__, "--inspect"],
        cwd=ROOT,
        env=base_env(db_url, CACHE_BACKEND="dummy"),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# Server and load -------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(db_url: str, port: int, mode: str):
    cache = (
        {"REDIS_URL": REDIS, "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
        if mode == "redis"
        else {"CACHE_BACKEND": "dummy"}
    )
    log_file = open(WORK_DIR / f"gunicorn-{port}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py", "jobboard.wsgi"],
        cwd=ROOT,
        env=base_env(db_url, GUNICORN_BIND=f"127.0.0.1:{port}", **cache),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log_file.name}") from None
                time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def worker_rss_mb(master: subprocess.Popen) -> float:
    """The largest resident set of the master's workers, in MB."""
    largest = 0.0
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            # A worker being replaced (max_requests) has no VmRSS line any more.
            if rss := re.search(r"VmRSS:\s+(\d+)", status):
                largest = max(largest, int(rss.group(1)) / 1024)
    return largest


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, *, seconds: float, connections: int, script: Path | None = None, start: int
) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    env = {**os.environ, "DISTINCT_START": str(start)}
    output = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, env=env
    ).stdout

    def latency(percentile: str) -> float:
        value, unit = re.search(
            rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M
        ).groups()
        return float(value) * UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure_in_turn(urls: dict, args, scripts: dict | None = None) -> dict:
    """{size: figures} for each size's URL: a warm-up, then `args.runs` runs of each,
    the sizes taking turns (the order rotating from one round to the next); the figures
    are the runs' medians. A script's requests start where the round says, the same at
    every size: the distinct stream's listings differ in cost by a hundred times, and
    each run's few hundred requests from its own random start made the 1M ÷ 10k ratio
    read 1.16 to 1.68 in runs an hour apart."""
    sizes = list(urls)

    def run(size, seconds: float, start: int) -> dict:
        script = scripts[size] if scripts else None
        return wrk(
            urls[size], seconds=seconds, connections=args.connections, script=script, start=start
        )

    warmup_start = random.randrange(2**31)
    for size in sizes:
        run(size, args.warmup, warmup_start)
    runs = {size: [] for size in sizes}
    for number in range(args.runs):
        start = random.randrange(2**31)
        for size in sizes[number % len(sizes) :] + sizes[: number % len(sizes)]:
            runs[size].append(run(size, args.duration, start))
    return {
        size: {key: statistics.median(r[key] for r in runs[size]) for key in ("rps", "p50", "p99")}
        | {"errors": sum(r["errors"] for r in runs[size])}
        for size in sizes
    }


# The table -------------------------------------------------------------------------------


def render(results: list[dict], modes: list[str], sizes: list[int], rss: dict, seeding: dict):
    def cell(row, mode):
        m = row.get(mode)
        if not m:
            return " | | | "
        flag = " ⚠" if m["errors"] else ""
        return f"{m['rps']:,.0f}{flag} | {m['p50']:.1f} | {m['p99']:.1f} | {m['ratio']:.3f}"

    header = "| page | postings | queries |"
    rule = "| --- | ---: | ---: |"
    for mode in modes:
        header += f" {mode}: req/s | p50 ms | p99 ms | × healthz |"
        rule += " ---: | ---: | ---: | ---: |"
    header += " p50 ÷ p50 at 10k |"
    rule += " ---: |"
    lines = [header, rule]
    smallest = {}
    for row in results:
        first = modes[0]
        if row["size"] == sizes[0] and row.get(first):
            smallest[row["name"]] = row[first]["p50"]
        growth = ""
        if row.get(first) and smallest.get(row["name"]):
            growth = f"{row[first]['p50'] / smallest[row['name']]:.2f}"
        line = f"| {row['name']} | {label(row['size'])} | {row['queries']} |"
        for mode in modes:
            line += f" {cell(row, mode)} |"
        lines.append(line + f" {growth} |")
    lines.append("")
    lines.append(
        "gunicorn worker RSS, largest after the runs: "
        + ", ".join(f"{label(size)} {rss[size]:.0f} MB" for size in sizes if size in rss)
    )
    if seeding:
        lines.append(
            "Seeding (load_demo + generate_postings): "
            + ", ".join(f"{label(size)} {seconds:.0f} s" for size, seconds in seeding.items())
        )
    lines.append("⚠ = some responses were not 2xx/3xx.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--modes", default="none,redis", help="none (DummyCache), redis")
    parser.add_argument("--pages", default="", help="comma-separated page names to run")
    parser.add_argument("--duration", type=float, default=5, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2, help="seconds")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s, 1 s warm-up")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--seed-only", action="store_true", help="seed the databases, no load")
    parser.add_argument("--inspect", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inspect:
        return inspect_pages()
    if args.quick:
        args.duration, args.runs, args.warmup = 3, 1, 1
    sizes = [int(size) for size in args.sizes.split(",")]
    modes = args.modes.split(",")
    WORK_DIR.mkdir(exist_ok=True)
    started = time.monotonic()

    seeding, rss = {}, {}
    for size in sizes:
        seconds = seed(size)
        if seconds is not None:
            seeding[size] = seconds
    if args.seed_only:
        return None
    manage(database_url(sizes[0]), "collectstatic", "--noinput", "--clear")

    wanted = set(args.pages.split(",")) if args.pages else None
    rows, scripts = {}, {}  # rows[size][page name]
    for size in sizes:
        inspected = pages_for(database_url(size))
        rows[size] = {
            p["name"]: {"size": size, **p}
            for p in inspected["pages"]
            if wanted is None or p["name"] in wanted or p["name"].startswith("healthz")
        }
        if wanted is None or DISTINCT_LISTINGS in wanted:
            rows[size][DISTINCT_LISTINGS] = {
                "size": size,
                "name": DISTINCT_LISTINGS,
                "queries": "—",
            }
        scripts[size] = WORK_DIR / f"distinct_listings_{size}.lua"
        scripts[size].write_text(
            DISTINCT_SCRIPT % {"skills": ", ".join(f'"{s}"' for s in inspected["skills"])}
        )
        for page in rows[size].values():
            if page.get("status", 200) != 200:
                log(f"{label(size)} {page['name']} {page['path']}: HTTP {page['status']}")

    for mode in modes:
        # One server per size, all up at once, and each page measured at every size in
        # turn: the sizes' figures for a page are taken within seconds of each other, so
        # the ratio between them does not carry the drift of a shared machine over the
        # minutes between one size's runs and the next's.
        with contextlib.ExitStack() as stack:
            bases = {}
            for index, size in enumerate(sizes):
                db_url = database_url(size)
                # Fresh market figures, so that no worker recomputes them during the runs.
                manage(db_url, "refresh_market_stats")
                port = args.port + index
                server = stack.enter_context(gunicorn(db_url, port, mode))
                bases[size] = (f"http://127.0.0.1:{port}", server)
            # One pass over every page first: no size pays for a cold database cache.
            for size, (base, _) in bases.items():
                for row in rows[size].values():
                    for _ in range(3):
                        with contextlib.suppress(OSError):
                            url = base + row.get("path", "/jobs/")  # http only
                            urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
            healthz = {size: f"{base}/healthz" for size, (base, _) in bases.items()}
            baseline = [measure_in_turn(healthz, args)]
            for name in rows[sizes[0]]:
                if name.startswith("healthz") or not all(name in rows[s] for s in sizes):
                    continue
                distinct = name == DISTINCT_LISTINGS
                urls = {
                    size: base + ("/jobs/" if distinct else rows[size][name]["path"])
                    for size, (base, _) in bases.items()
                }
                measured = measure_in_turn(urls, args, scripts if distinct else None)
                for size, figures in measured.items():
                    rows[size][name][mode] = figures
                    log(
                        f"{label(size)} {mode} {name}: {figures['rps']:.0f} req/s, "
                        f"p50 {figures['p50']:.1f} ms"
                    )
            baseline.append(measure_in_turn(healthz, args))
            for size, (_, server) in bases.items():
                rss[size] = max(rss.get(size, 0), worker_rss_mb(server))
                rows[size]["healthz (baseline)"][mode] = {
                    key: statistics.median(b[size][key] for b in baseline)
                    for key in ("rps", "p50", "p99")
                } | {"errors": sum(b[size]["errors"] for b in baseline)}
                for row in rows[size].values():
                    if row.get(mode):
                        row[mode]["ratio"] = (
                            row[mode]["rps"] / rows[size]["healthz (baseline)"][mode]["rps"]
                        )
    results = [row for size in sizes for row in rows[size].values()]

    table = render(results, modes, sizes, rss, seeding)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\nBenchmark of {stamp}, {time.monotonic() - started:.0f} s, command: "
        f"{' '.join(['benchmarks/run.py', *sys.argv[1:]])}\n"
    )
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"date": stamp, "results": results, "rss": rss}, indent=2))


if __name__ == "__main__":
    main()
