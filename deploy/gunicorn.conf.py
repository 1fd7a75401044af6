"""gunicorn settings for LRC Training: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Workers and threads: bench/exam_day.py measured `-w 2 --threads 8 -k gthread` best on a 2-CPU node (2–2.5 times
the throughput of `-w 4 --threads 4`); one worker process per CPU with 8 threads each. Each worker keeps its own
database pool (LRC_DB_POOL_SIZE + LRC_DB_MAX_OVERFLOW connections at most).

Metrics: every worker is its own process, so prometheus_client's multiprocess mode must be on: this file points
PROMETHEUS_MULTIPROC_DIR at an empty folder (cleared when gunicorn starts) and tells prometheus_client when a worker
exits. Use one folder per gunicorn instance."""

import os
import shutil

bind = os.environ.get("LRC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LRC_WEB_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("LRC_WEB_THREADS", "8"))
worker_class = "gthread"
# A request taking longer than this is a bug or a dead database: the worker is restarted. PDF batches run in
# the scheduler, not here.
timeout = int(os.environ.get("LRC_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # behind nginx (keepalive to the upstream)
# Recycle workers now and then (memory growth from large exports); jitter so they do not all restart at once.
max_requests = 5000
max_requests_jitter = 500
# The app writes one line per request itself (with the request id and user); gunicorn's own access log is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LRC_GUNICORN_LOGLEVEL", "info")
# nginx on the same host or the load balancer's network: trust its X-Forwarded-Proto (the app itself trusts
# X-Forwarded-For through LRC_PROXY_HOPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

_instance = bind.replace(":", "-").replace("/", "_")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      os.path.join(os.environ.get("RUNTIME_DIRECTORY", "/tmp"), f"lrc-prometheus-{_instance}"))


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)  # counts of an earlier run would be added to this one's
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
