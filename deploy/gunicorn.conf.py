"""gunicorn settings for salesops (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Every value can be set from the environment, so one file serves a 2-core box and a 16-core one. Sizing: the app
is CPU-bound Python with short database waits, so workers ≈ cores × 2 + 1 and a few threads each to overlap
those waits; memory is ~120–200 MB per worker (measure with `make bench`).
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{_int('PORT', 8000)}")
workers = _int("GUNICORN_WORKERS", cores * 2 + 1)
# gthread: threads overlap the database and Redis waits of one worker; keep it small (the GIL).
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# A request that runs longer than this is killed (the import and exports run as Celery jobs, not in a request).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # behind nginx on the same network
# Recycle a worker after this many requests (± jitter, so they do not all restart at once): bounds slow leaks.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Load Django once in the master, then fork: faster starts and shared memory pages. Database connections are
# opened per worker after the fork (Django opens them lazily), so none is shared.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "no")
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx sets X-Forwarded-For / X-Forwarded-Proto; the app reads them itself (TRUSTED_PROXY_COUNT,
# SECURE_PROXY_SSL_HEADER), gunicorn only needs to accept them from the proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "salesops"
# gunicorn's runtime control socket (``gunicornc``): off unless a path is given, so that two instances on one
# machine (blue/green, or the topology test) do not fight over the default path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
