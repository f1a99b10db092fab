"""Time the admin's content import through a real worker, and check the site keeps
answering meanwhile; print a table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard_bench_import \\
        .venv/bin/python benchmarks/import_through_worker.py --postings 17000 --companies 400

THE DATABASE IS EMPTIED FIRST (`flush`): give it one of its own. The file is generated as
for benchmarks/import_content.py (realistic Markdown descriptions, a logo per company),
as one .json with its logos inline. The admin's pages are driven in this process with
Django's test client, logged in as a superuser; one `manage.py db_worker` process runs
the tasks; a gunicorn (two workers) serves the site, and /healthz and the home page are
fetched every half second during both steps.
"""

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Prober:
    """Fetches URLs in turn until stopped; keeps the slowest answer and the failures."""

    def __init__(self, urls):
        self.urls, self.stopped = urls, threading.Event()
        self.count, self.failures, self.slowest = 0, 0, 0.0

    def run(self):
        while not self.stopped.is_set():
            for url in self.urls:
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                        response.read()
                        ok = response.status == 200
                except OSError:
                    ok = False
                self.count += 1
                self.failures += not ok
                self.slowest = max(self.slowest, time.perf_counter() - began)
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=17_000)
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--skills", type=int, default=40)
    args = parser.parse_args()
    from import_content import generate

    with tempfile.TemporaryDirectory(prefix="jobboard-bench-") as temp:
        temp = Path(temp)
        media = temp / "media"
        os.environ["MEDIA_ROOT"] = str(media)
        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse
        from django_tasks_db.models import DBTaskResult

        from content.models import ContentUpload
        from postings.models import Posting

        generate(
            temp / "v1",
            postings=args.postings,
            companies=args.companies,
            skills=args.skills,
            logos=args.companies,
        )
        data = json.loads((temp / "v1" / "content.json").read_text())
        for company in data["companies"]:
            if company["logo"]:
                png = (temp / "v1" / company["logo"]).read_bytes()
                company["logo"] = "data:image/png;base64," + base64.b64encode(png).decode()
        content = json.dumps(data).encode()
        print(
            f"{connection.vendor}: {args.postings} postings, {args.companies} companies with "
            f"logos inline, {args.skills} skills; content.json {len(content) / 1e6:.1f} MB"
        )
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        user = User.objects.create_superuser("bench", password=None)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)

        env = {**os.environ, "MEDIA_ROOT": str(media), "PYTHONPATH": str(ROOT)}
        port = free_port()
        web_env = {**env, "DJANGO_SETTINGS_MODULE": "jobboard.settings", "DEBUG": "1"}
        web_env.update(WEB_CONCURRENCY="2")
        logs = (temp / "processes.log").open("w")
        web = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "jobboard.wsgi"],
            cwd=ROOT, env=web_env, stdout=logs, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
            prober = Prober([base + "/healthz", base + "/"])
            probe = threading.Thread(target=prober.run, daemon=True)
            probe.start()

            from django.core.files.uploadedfile import SimpleUploadedFile

            rows = []
            began = time.perf_counter()
            response = client.post(
                reverse("admin:postings_posting_import"),
                {"file": SimpleUploadedFile("content.json", content)},
            )
            rows.append(("upload (the request)", time.perf_counter() - began, ""))
            url = response["Location"]
            upload = ContentUpload.objects.get()

            def wait(task_id, name, since):
                while True:
                    task = DBTaskResult.objects.get(pk=task_id)
                    if task.status in ("SUCCESSFUL", "FAILED"):
                        break
                    assert client.get(url).status_code == 200
                    time.sleep(2)  # as the status page refreshes
                ran = (task.finished_at - task.started_at).total_seconds()
                rows.append((name, time.perf_counter() - since, f"{task.status}, ran {ran:.1f} s"))
                return task

            wait(upload.dry_run_id, "dry run (upload to report)", began)
            began = time.perf_counter()
            client.post(url, {"action": "import"})
            upload.refresh_from_db()
            task = wait(upload.run_id, "import (confirm to report)", began)
            summary = (task.return_value or {}).get("report", {}).get("summary", task.traceback)
            began = time.perf_counter()
            while DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).exists():
                time.sleep(1)
            rows.append(("logos after the import", time.perf_counter() - began, ""))
            prober.stopped.set()
            probe.join()
        finally:
            for process in (web, worker):
                process.terminate()
                process.wait(timeout=60)
        print(f"\n{'step':<30} {'seconds':>8}   task")
        for name, seconds, note in rows:
            print(f"{name:<30} {seconds:>8.1f}   {note}")
        print(f"\n{summary}")
        print(f"postings now: {Posting.objects.count()}")
        print(
            f"meanwhile gunicorn answered {prober.count - prober.failures} of {prober.count} "
            f"requests to /healthz and /; the slowest took {prober.slowest:.2f} s"
        )


if __name__ == "__main__":
    main()
