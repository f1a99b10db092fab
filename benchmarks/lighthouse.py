#!/usr/bin/env python
"""Lighthouse scores of the public pages, served as in production; print one table.

    .venv/bin/python benchmarks/lighthouse.py                     # mobile and desktop (~3 min)
    .venv/bin/python benchmarks/lighthouse.py --form-factor mobile --runs 3

A temporary SQLite database is migrated and loaded with the demo content (load_demo), the
static files are collected into a temporary STATIC_ROOT, and gunicorn serves the site as
in production: the repository's gunicorn.conf.py, DEBUG off, a random SECRET_KEY. npm's
`lighthouse` (13.x; installed with npm into a folder outside the repository on first use,
or pass --lighthouse) then audits the home page, a skill guide, a filtered listing and a
posting in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). The table shows the
four category scores (the median of --runs runs), then every scored audit below 100 with
what Lighthouse measured.

There is no reverse proxy in front of gunicorn here, so pages are sent uncompressed and
logos come from Django's media view (production puts nginx in front: README.md,
"Production"); static files come from WhiteNoise with their production headers.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LIGHTHOUSE_VERSION = "13"
# npm installs lighthouse here on first use: outside the repository, kept between runs.
LIGHTHOUSE_DIR = Path(tempfile.gettempdir()) / "jobboard-lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best Practices",
    "seo": "SEO",
}
DEFAULT_PORT = 8702
PAGE_NAMES = ["home", "skill guide", "filtered listing", "posting"]
# Audits that fail on purpose, and why.
BY_DESIGN = {
    ("filtered listing", "is-crawlable"): "robots.txt keeps crawlers out of the endless "
    "filter combinations; the skill pages, the plain listing and its pages are indexed "
    "(jobboard/seo.py)",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def find_lighthouse(explicit: str | None) -> str:
    if explicit:
        return explicit
    installed = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not installed.exists():
        if not shutil.which("npm"):
            sys.exit(
                "npm is needed to install lighthouse (apt-get install npm), or pass --lighthouse"
            )
        log(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR}")
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund",
             "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )  # fmt: skip
    return str(installed)


def site_env(work: Path, port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "TESTING", "HTTPS", "DATABASE_URL"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own server)
        return response.read().decode()


@contextlib.contextmanager
def gunicorn(env: dict, port: int, work: Path):
    log_file = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "jobboard.wsgi"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(100):
            if server.poll() is not None:
                sys.exit(f"gunicorn exited: see {work / 'gunicorn.log'}")
            with contextlib.suppress(OSError):
                fetch(f"http://127.0.0.1:{port}/healthz")
                break
            time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()


def pages_of(base: str) -> list[tuple[str, str]]:
    """The four pages, found the way a visitor would: through the site's own links."""
    guide = "/skills/backend-development/"
    listing = "/jobs/?skill=python&remote=remote"
    first_card = re.search(r'class="card__link" href="([^"]+)"', fetch(base + listing))
    return list(zip(PAGE_NAMES, ["/", guide, listing, first_card.group(1)], strict=True))


def audit(lighthouse: str, url: str, *, form_factor: str, output: Path) -> dict:
    command = [
        lighthouse, url, "--quiet", "--output=json", f"--output-path={output}",
        f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for attempt in (1, 2):  # Chromium now and then fails to start on a busy machine
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode == 0:
            return json.loads(output.read_text())
        log(f"lighthouse failed (attempt {attempt}): {result.stderr.strip()[-500:]}")
    sys.exit(f"lighthouse failed twice on {url}:\n{result.stderr[-3000:]}")


def scores(report: dict) -> dict[str, int]:
    return {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}


def shortfalls(report: dict) -> list[tuple[str, str]]:
    """(audit id, description) of the scored audits below 100, with what was measured."""
    found = []
    for key, name in CATEGORIES.items():
        for ref in report["categories"][key]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] > 0 and result["score"] is not None and result["score"] < 1:
                value = f" ({result['displayValue']})" if result.get("displayValue") else ""
                found.append(
                    (ref["id"], f"{name}: {result['title']}{value}, score {result['score']:.2f}")
                )
    return found


def table(rows: list[list[str]]) -> str:
    """A Markdown table: the page left-aligned, the scores right-aligned."""
    header = ["page", *CATEGORIES.values()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [cells[0].ljust(widths[0])]
        padded += [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = "|".join(["", "-" * (widths[0] + 2), *("-" * (w + 1) + ":" for w in widths[1:]), ""])
    return "\n".join([line(header), rule, *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--form-factor", choices=["mobile", "desktop", "both"], default="both")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; medians shown")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--lighthouse", help="a lighthouse executable to use instead")
    parser.add_argument("--reports", type=Path, help="keep each JSON report in this folder")
    parser.add_argument(
        "--page", action="append", choices=PAGE_NAMES, help="only this page (repeatable)"
    )
    args = parser.parse_args()
    lighthouse = find_lighthouse(args.lighthouse)
    form_factors = ["mobile", "desktop"] if args.form_factor == "both" else [args.form_factor]

    with tempfile.TemporaryDirectory(prefix="jobboard-lighthouse-") as folder:
        work = Path(folder)
        env = site_env(work, args.port)
        log("migrating, loading the demo content, collecting static files")
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        manage(env, "collectstatic", "--noinput")
        reports = args.reports or work / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        rows = []
        with gunicorn(env, args.port, work) as base:
            pages = [page for page in pages_of(base) if page[0] in (args.page or PAGE_NAMES)]
            for _, path in pages:  # warm: workers started, templates and caches filled
                fetch(base + path)
            for form_factor in form_factors:
                for name, path in pages:
                    runs = []
                    for run in range(args.runs):
                        log(f"{form_factor} {name} {path} (run {run + 1})")
                        slug = re.sub(r"\W+", "-", f"{form_factor}-{name}-{run + 1}")
                        output = reports / f"{slug}.json"
                        runs.append(audit(lighthouse, base + path, form_factor=form_factor,
                                          output=output))  # fmt: skip
                    medians = {
                        key: statistics.median(scores(report)[key] for report in runs)
                        for key in CATEGORIES
                    }
                    below = sorted({line for report in runs for line in shortfalls(report)})
                    rows.append((form_factor, name, path, medians, below))

    print()
    print(table([
        [f"{name} ({form_factor})", *(f"{medians[key]:g}" for key in CATEGORIES)]
        for form_factor, name, _, medians, _ in rows
    ]))  # fmt: skip
    print()
    for form_factor, name, path, _, below in rows:
        for audit_id, line in below:
            reason = BY_DESIGN.get((name, audit_id))
            print(
                f"{name} ({form_factor}) {path}: {line}"
                + (f"; by design: {reason}" if reason else "")
            )
    if not any(below for *_, below in rows):
        print("Every scored audit passed on every page.")


if __name__ == "__main__":
    main()
