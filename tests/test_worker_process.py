"""The admin's import through a real `manage.py db_worker` process on PostgreSQL, as in
production: the worker sees only what the web side committed, and a worker killed in the
middle of an import leaves the site untouched or fully imported, never half of it."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import worker
from content.models import ContentUpload
from jobboard.tasks import TaskResultStatus
from postings.models import Posting
from tests.content_files import sample

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the worker process must see the test's committed rows",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(settings.BASE_DIR)
IMPORT_URL = reverse("admin:postings_posting_import")


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def start_worker(tmp_path, *options: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TESTING"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONPATH=str(ROOT),
    )
    log = (tmp_path / "worker.log").open("a")
    return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2", *options],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-1"))
    return client


def wait_for(predicate, *, seconds: float = 120, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}")


def postings_file(count: int) -> SimpleUploadedFile:
    """The sample with `count` postings of its company Globex."""
    data = sample()
    data["companies"][0]["logo"] = None
    template = data["postings"][1]
    data["postings"] = [{**template, "slug": f"intern-{n}"} for n in range(count)]
    return SimpleUploadedFile("content.json", json.dumps(data).encode())


def status(upload: ContentUpload) -> str:
    """The status of the upload's latest step."""
    upload.refresh_from_db(fields=["dry_run", "run"])
    return DBTaskResult.objects.get(pk=upload.run_id or upload.dry_run_id).status


def test_a_db_worker_process_runs_the_dry_run_and_the_import(admin_client, tmp_path):
    process = start_worker(tmp_path)
    try:
        response = admin_client.post(IMPORT_URL, {"file": postings_file(20)})
        url = response["Location"]
        wait_for(
            lambda: "The file is valid" in admin_client.get(url).content.decode(),
            what="the dry run",
        )
        assert not Posting.objects.exists()
        admin_client.post(url, {"action": "import"})
        wait_for(lambda: status(ContentUpload.objects.get()) == "SUCCESSFUL", what="the import")
        page = admin_client.get(url).content.decode()
        assert "postings 20 created" in page
        assert Posting.objects.count() == 20
        task = ContentUpload.objects.get().run
        assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 1
    finally:
        process.terminate()
        process.wait(timeout=30)
        print((tmp_path / "worker.log").read_text()[-3000:])


def test_a_worker_killed_mid_import_leaves_all_or_nothing_and_the_task_failed(
    admin_client, tmp_path
):
    count = 4000  # a few seconds of writing: long enough to be killed in the middle
    process = start_worker(tmp_path)
    try:
        admin_client.post(IMPORT_URL, {"file": postings_file(count)})
        upload = ContentUpload.objects.get()
        wait_for(lambda: status(upload) == TaskResultStatus.SUCCESSFUL, what="the dry run")
        url = reverse("admin:postings_posting_import_status", args=[upload.pk])
        admin_client.post(url, {"action": "import"})
        wait_for(lambda: status(upload) == TaskResultStatus.RUNNING, what="the import to start")
        time.sleep(1.5)
        process.send_signal(signal.SIGKILL)  # no chance to finish or to record anything
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        print((tmp_path / "worker.log").read_text()[-3000:])

    written = Posting.objects.count()
    print(f"Postings written when the worker was killed: {written} of {count}")
    assert written in (0, count), "a killed import must be all or nothing"
    task = DBTaskResult.objects.get(pk=upload.run_id)
    assert task.status == TaskResultStatus.RUNNING  # what the backend leaves

    later = timezone.now() + timedelta(seconds=settings.TASK_STUCK_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        page = admin_client.get(url).content.decode()
    assert "The worker running the import stopped before it finished" in page
    task.refresh_from_db()
    assert task.exception_class_path == worker.WORKER_LOST

    admin_client.post(url, {"action": "retry"})
    process = start_worker(tmp_path, "--batch")
    try:
        process.wait(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert "Imported content.json" in admin_client.get(url).content.decode()
    assert Posting.objects.count() == count
