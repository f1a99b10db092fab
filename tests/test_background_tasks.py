"""Background work: the periodic jobs, their scheduler, tasks whose worker died, and the
admin's list of task results. Tasks run through the database backend's own worker loop."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import worker
from background.management.commands import run_periodic
from jobboard.tasks import TaskResultStatus
from postings.models import Posting
from postings.tasks import close_expired_postings
from tests.factories import ExpiredPostingFactory, LivePostingFactory
from tests.worker import fail_with, queued, run_tasks

pytestmark = pytest.mark.django_db

CLOSE_EXPIRED = "postings.tasks.close_expired_postings"
TASKS_URL = reverse("admin:django_tasks_database_dbtaskresult_changelist")


def periodic(*args) -> str:
    out = io.StringIO()
    call_command("run_periodic", *args, stdout=out)
    return out.getvalue()


def test_closing_expired_postings_runs_on_a_worker_and_is_safe_twice():
    expired = ExpiredPostingFactory.create_batch(2)
    live = LivePostingFactory()
    first, second = close_expired_postings.enqueue(), close_expired_postings.enqueue()
    assert Posting.objects.filter(status=Posting.Status.CLOSED).count() == 0  # only queued

    assert run_tasks() == 2
    closed = set(Posting.objects.filter(status=Posting.Status.CLOSED).values_list("pk", flat=True))
    assert closed == {posting.pk for posting in expired}
    assert live.pk not in closed
    returned = [DBTaskResult.objects.get(pk=r.id).return_value for r in (first, second)]
    assert returned == [2, 0]


def test_the_scheduler_enqueues_a_job_once_while_it_waits_for_a_worker():
    assert periodic("close_expired_postings") == "close_expired_postings: enqueued.\n"
    assert periodic("close_expired_postings") == "close_expired_postings: already waiting.\n"
    assert len(queued(CLOSE_EXPIRED)) == 1

    run_tasks()
    assert periodic("close_expired_postings", "--verbosity", "0") == ""
    assert len(queued(CLOSE_EXPIRED)) == 1  # the previous one ran: a new one is due


def test_the_scheduler_names_its_jobs():
    with pytest.raises(CommandError, match="Unknown: close_everything"):
        periodic("close_everything")
    with pytest.raises(CommandError, match="refresh_market_stats, close_expired_postings"):
        periodic()


def test_the_scheduler_loop_enqueues_every_job_at_start(monkeypatch):
    class Stop(Exception):
        pass

    def stop(seconds):
        raise Stop

    monkeypatch.setattr(run_periodic.time, "sleep", stop)
    with pytest.raises(Stop):
        periodic("--loop")
    assert {result.task_path for result in queued()} == {
        "postings.stats.refresh_market_stats",
        CLOSE_EXPIRED,
        "background.tasks.fail_stuck_tasks",
        "alerts.tasks.delete_unconfirmed_alerts",
        "alerts.tasks.send_published_digests",
        "alerts.tasks.send_daily_digests",
        "alerts.tasks.send_weekly_digests",
    }


def claimed_by_a_worker_that_dies() -> DBTaskResult:
    result = close_expired_postings.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("a-worker-killed-mid-task")
    return row


def test_a_task_running_past_the_limit_is_marked_failed_as_its_worker_lost():
    row = claimed_by_a_worker_that_dies()
    limit = timedelta(seconds=settings.TASK_STUCK_SECONDS)

    with time_machine.travel(row.started_at + limit - timedelta(seconds=1), tick=False):
        assert worker.fail_stuck_tasks() == 0
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.RUNNING
    with time_machine.travel(row.started_at + limit + timedelta(seconds=1), tick=False):
        assert worker.fail_stuck_tasks() == 1
        assert worker.fail_stuck_tasks() == 0

    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == worker.WORKER_LOST
    assert "worker was stopped" in row.traceback


def test_the_scheduler_enqueues_the_sweep_and_a_worker_runs_it():
    row = claimed_by_a_worker_that_dies()
    periodic("fail_stuck_tasks")
    later = timezone.now() + timedelta(seconds=settings.TASK_STUCK_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-1"))
    return client


def test_staff_see_failed_tasks_with_their_error_and_run_them_again(admin_client):
    ExpiredPostingFactory()
    lost = claimed_by_a_worker_that_dies()
    failing = fail_with.enqueue("the mail server said no")
    run_tasks()
    later = timezone.now() + timedelta(seconds=settings.TASK_STUCK_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        page = admin_client.get(TASKS_URL, {"status__exact": "FAILED"}).content.decode()
        # The list itself marks the lost task failed, as soon as it passes the limit.
        assert "ValueError: the mail server said no" in page
        assert "background.worker.WorkerLost: no result" in page

        response = admin_client.post(
            TASKS_URL,
            {"action": "run_again", "_selected_action": [str(lost.pk)]},
            follow=True,
        )
    assert "1 failed task put back in the queue." in response.content.decode()
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY and lost.traceback == ""

    assert run_tasks() == 1  # the same row, run again: it closes the expired posting
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.SUCCESSFUL and lost.return_value == 1
    assert lost.worker_ids == ["a-worker-killed-mid-task", "tests"]
    assert DBTaskResult.objects.get(pk=failing.id).status == TaskResultStatus.FAILED


def test_task_results_are_read_only_and_need_a_permission(client, admin_client):
    result = close_expired_postings.enqueue()
    change_url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id])
    page = admin_client.get(change_url).content.decode()
    assert "close_expired_postings" in page and 'name="_save"' not in page

    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(TASKS_URL).status_code == 403


def test_no_thread_is_started_in_app_code():
    root = Path(settings.BASE_DIR)
    skipped = {".venv", ".git", "tests", "benchmarks", "node_modules", "staticfiles", "media"}
    sources = []
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in skipped]
        sources += [Path(folder) / name for name in files if name.endswith(".py")]
    assert root / "postings" / "stats.py" in sources
    threaded = [str(p) for p in sources if re.search(r"\bthreading\b", p.read_text())]
    assert threaded == []
