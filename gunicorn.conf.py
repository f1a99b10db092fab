"""gunicorn settings for production and `make run` (README.md, "Production")."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))

# Sync workers, cores + 1 (3 on the 2-core machines we run on): measured faster here than
# gthread (2 workers × 4 threads) under keep-alive load, whose connections stuck unevenly
# to one worker (16 to 0), so one GIL did all the work; benchmarks/RESULTS.md measures
# these settings. A sync worker serves one request at a time and closes the connection
# after it (no keep-alive), so it must sit behind a reverse proxy that buffers slow
# clients (nginx does by default); a slow client then costs the proxy a socket, not us a
# worker.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))

# A request still running after `timeout` seconds has its worker killed and replaced: the
# client gets a 502 from the proxy and the other workers keep serving. Our slowest page
# takes well under a second; 30 s only catches the stuck ones.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = 20
# Recycle each worker now and then so that a slow leak never grows without bound; the
# jitter keeps the workers from all restarting at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on tmpfs: a worker is never declared dead because a disk stalled.
# (gunicorn creates it with mkstemp, so a shared directory is safe: hence the noqa.)
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# gunicorn's control socket ($HOME/.gunicorn/gunicorn.ctl) is not used here, and every
# gunicorn on the machine would share that one path.
control_socket_disable = True

# One line per request on stdout: client (and the address the proxy saw), request line,
# status, bytes, milliseconds, user agent. No cookies, no query-string secrets beyond the
# URL itself (the site has none: searches are public GET parameters).
accesslog = "-"
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
