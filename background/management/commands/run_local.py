"""`make run`: the web server, one worker and the scheduler of the periodic jobs, together.

Each runs as its own process, as in production: gunicorn (gunicorn.conf.py), `manage.py
db_worker` and `manage.py run_periodic --loop`. Ctrl-C (or SIGTERM) stops all three; so
does any one of them stopping. Needs nothing but this virtualenv.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# How long the worker may take to finish its task after Ctrl-C before it is killed (a
# killed import writes nothing; background/worker.py marks its task failed later).
STOP_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server, one task worker and the periodic jobs until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        python = sys.executable
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        commands = {
            "web server": [
                str(Path(python).parent / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "jobboard.wsgi",
            ],
            "worker": [python, manage, "db_worker", "--verbosity", "1"],
            "scheduler": [python, manage, "run_periodic", "--loop", "--verbosity", "0"],
        }
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 (our own)
            for name, command in commands.items()
        }
        try:
            while not stopping:
                ended = [name for name, p in processes.items() if p.poll() is not None]
                if ended:
                    self.stderr.write(f"The {ended[0]} stopped: stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + STOP_SECONDS
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        return None
