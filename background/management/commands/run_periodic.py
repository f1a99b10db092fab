"""The scheduler of the periodic jobs (background/periodic.py): it only enqueues them.

    manage.py run_periodic close_expired_postings    # one job, now: a cron line per job
    manage.py run_periodic --loop                     # every job at its interval (make run)

Run exactly one scheduler: cron's lines, or one `--loop`.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from background import periodic


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs for the workers: the named ones now, or all of them at "
        "their intervals with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help=f"Jobs: {', '.join(periodic.jobs())}.")
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running: enqueue every job at its interval, the first time at start.",
        )

    def handle(self, *args, jobs, loop, verbosity, **options):
        known = periodic.jobs()
        unknown = [name for name in jobs if name not in known]
        if unknown or not (jobs or loop):
            raise CommandError(
                f"Name jobs to enqueue ({', '.join(known)}), or pass --loop."
                + (f" Unknown: {', '.join(unknown)}." if unknown else "")
            )
        if not loop:
            for name in jobs:
                self.report(name, periodic.enqueue(name), verbosity)
            return
        due = dict.fromkeys(jobs or known, 0.0)
        while True:
            for name, at in due.items():
                if time.monotonic() >= at:
                    self.report(name, periodic.enqueue(name), verbosity)
                    due[name] = time.monotonic() + known[name].every_seconds
            time.sleep(max(1.0, min(due.values()) - time.monotonic()))

    def report(self, name: str, enqueued: bool, verbosity: int) -> None:
        if verbosity:  # --verbosity 0 keeps cron's mail quiet
            state = "enqueued" if enqueued else "already waiting"
            self.stdout.write(f"{name}: {state}.")
