"""What the database backend's worker leaves to us: tasks whose worker died.

`manage.py db_worker` marks a task RUNNING when it takes it and never takes it back: a
worker killed mid-task (or its machine gone) leaves the row RUNNING for ever. A task
RUNNING for longer than TASK_STUCK_SECONDS is taken to be one of those and marked failed,
with `WorkerLost` as its error; staff run failed tasks again from the admin ("Background
tasks"), or the import's status page. Every task is one transaction or safe to repeat,
so a task whose worker died either wrote everything or nothing, and running it again is
safe.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobboard.tasks import TaskResultStatus


class WorkerLost(Exception):
    """The worker running the task stopped before it finished."""


WORKER_LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def stuck_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.TASK_STUCK_SECONDS)


def is_stuck(result: DBTaskResult) -> bool:
    return (
        result.status == TaskResultStatus.RUNNING
        and result.started_at is not None
        and result.started_at < stuck_before()
    )


def fail_stuck_tasks() -> int:
    """Mark failed the tasks RUNNING for longer than TASK_STUCK_SECONDS; return how many.
    One UPDATE: safe to run at any time, from anywhere, twice. Pages call it as they
    show tasks, so it first only reads: on SQLite a write would wait for any task's."""
    stuck = DBTaskResult.objects.running().filter(started_at__lt=stuck_before())
    if not stuck.exists():
        return 0
    return stuck.update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback=(
            f"{WORKER_LOST}: no result {settings.TASK_STUCK_SECONDS} seconds after a worker "
            "took this task: the worker was stopped or its machine went away. Whatever the "
            "task writes in one transaction was rolled back; run it again."
        ),
    )


def run_again(results) -> int:
    """Put failed tasks back in the queue, as they were enqueued; return how many.
    The same rows: whoever follows a task (the import's status page) sees it run again."""
    return results.filter(status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        started_at=None,
        finished_at=None,
        return_value=None,
        exception_class_path="",
        traceback="",
    )


def error_line(result: DBTaskResult) -> str:
    """The last line of a failed task's traceback: the exception and its message."""
    lines = [line for line in result.traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
