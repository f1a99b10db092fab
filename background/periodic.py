"""The periodic jobs, enqueued by exactly one scheduler.

In production that scheduler is cron (or systemd timers), one line per job running
`manage.py run_periodic <job>` (README.md, "Background work"); `make run` runs
`manage.py run_periodic --loop`, which enqueues each job at its interval. Either way the
scheduler only enqueues: workers run the jobs. Every job is safe to run twice or at the
same time as itself, and one already waiting in the queue is not enqueued again, so a
stopped worker does not pile up copies.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from jobboard.tasks import TaskResultStatus


@dataclass(frozen=True)
class Job:
    task_path: str
    # How often `run_periodic --loop` enqueues it; the cron lines say the same.
    every_seconds: int

    @property
    def task(self):
        return import_string(self.task_path)


def jobs() -> dict[str, Job]:
    return {
        "refresh_market_stats": Job(
            "postings.stats.refresh_market_stats", max(settings.MARKET_STATS_SECONDS, 60)
        ),
        "close_expired_postings": Job("postings.tasks.close_expired_postings", 3600),
        "fail_stuck_tasks": Job("background.tasks.fail_stuck_tasks", 300),
        # Job alerts never confirmed are forgotten 48 hours after they were asked for.
        "delete_unconfirmed_alerts": Job("alerts.tasks.delete_unconfirmed_alerts", 3600),
        # Job alerts' digests (alerts/digests.py). Cron runs the daily and weekly ones at a
        # fixed hour (README.md); an alert is due at most once in half its period, so
        # `--loop` enqueuing them at each start sends nothing twice.
        "send_published_digests": Job("alerts.tasks.send_published_digests", 900),
        "send_daily_digests": Job("alerts.tasks.send_daily_digests", 86_400),
        "send_weekly_digests": Job("alerts.tasks.send_weekly_digests", 7 * 86_400),
    }


def enqueue(name: str) -> bool:
    """Enqueue the job `name` unless it is already waiting; return whether it was."""
    job = jobs()[name]
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=job.task_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return False
        job.task.enqueue()
    return True
