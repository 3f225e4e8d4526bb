"""Gunicorn settings for the archive's app servers: `gunicorn -c gunicorn.conf.py`.

Every value can be changed through the environment (docs/deploy.md lists them).
The servers are stateless: sessions live in the database, static files are
served from the collected, fingerprinted copies, so any number of them may run
behind the TLS-terminating proxy.
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name}={raw!r} is not a boolean; use 1/0, true/false, on/off.")


def _cores() -> int:
    # The CPUs this process may run on, which in a container can be fewer than
    # the machine has.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# archive/wsgi.py defaults to archive.settings.production, which needs SECRET_KEY.
wsgi_app = "archive.wsgi:application"

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")

# Gunicorn's rule of thumb, (2 × cores) + 1 sync workers: a request spends much
# of its time waiting on the database, so twice the cores keeps them busy, and
# processes (not threads) give each request a whole interpreter. Slow clients
# are the proxy's problem, which buffers requests and responses.
workers = _int("GUNICORN_WORKERS", 2 * _cores() + 1)
# More than one thread switches to the gthread worker: more concurrent requests
# per worker's memory, at the price of the GIL; keepalive applies only then.
threads = _int("GUNICORN_THREADS", 1)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# A request running longer than this is killed (the worker restarted); the
# slowest legitimate pages (a large export) stream well within it.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy), workers finish the requests they have for this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Restart each worker after about this many requests, so slow memory growth
# never accumulates; the jitter keeps the workers from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load Django once in the master and fork the workers from it: less memory, a
# faster start, and a broken configuration stops the server instead of every
# worker crash-looping. Django opens no database connection at import, so none
# is shared across the fork. Code changes need a restart (not HUP) when on.
preload_app = _bool("GUNICORN_PRELOAD", True)

# Only the proxy's addresses may tell gunicorn the original scheme; Django reads
# X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER), see docs/deploy.md.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log to stdout, with the request's duration in milliseconds (%(M)s) and
# the client address the proxy saw.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

proc_name = "archive"
# Workers' heartbeat files in memory: a container's disk-backed /tmp can stall
# them long enough for the master to think a worker hung.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
