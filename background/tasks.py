from jobboard.tasks import task

from . import worker


@task
def fail_stuck_tasks() -> int:
    """Periodic: mark failed the tasks whose worker died (background/worker.py)."""
    return worker.fail_stuck_tasks()
