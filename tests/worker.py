"""Run enqueued tasks in this process, through the database backend's own worker loop
(what `manage.py db_worker --batch` runs), inside the test's transaction."""

from unittest import mock

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jobboard.tasks import TaskResultStatus, task


def worker() -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )


# The worker closes stale connections between tasks; the test's transaction is not one
# (on SQLite's in-memory database closing is a no-op anyway).
_keep_connections = mock.patch(
    "django_tasks_db.management.commands.db_worker.close_old_connections"
)


def run_tasks() -> int:
    """Run every task that is ready, and those they enqueue; return how many ran."""
    running = worker()
    with _keep_connections:
        running.run()
    return running._run_tasks


def run_queued(task_path: str) -> int:
    """Run the ready tasks of one kind only, as the worker runs each; return how many."""
    running = worker()
    for result in DBTaskResult.objects.ready().filter(task_path=task_path):
        result.claim(running.worker_id)
        running.run_task(result)
    return running._run_tasks


def queued(task_path: str = "") -> list[DBTaskResult]:
    """Tasks waiting for a worker, oldest first; only those of `task_path` when given."""
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at")
    return list(waiting.filter(task_path=task_path) if task_path else waiting)


@task
def fail_with(message: str) -> None:
    """A task that fails, for the tests of failures."""
    raise ValueError(message)
