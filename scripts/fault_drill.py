"""Restart the database under load and count what the clients saw.

    python scripts/fault_drill.py [--restart "COMMAND"] [--warmup 5] [--after 15]
                                  [--clients 4] [--url URL] [--host NAME] [PATH ...]

Starts gunicorn with the project's config (gunicorn.conf.py) and the current
environment (DJANGO_SETTINGS_MODULE, SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS...),
or drives a server already running at --url. Clients ask for the paths in a
loop; after --warmup seconds the restart command runs (by default PostgreSQL's
own cluster restart); --after seconds later the load stops and a table of the
answers by second is printed, then a summary: how long the restart took, the
first and last answer that was not a 200, how many 503s, how long after the
restart the first 200 came, and anything that is a failure (a 500, a client
timeout, a dropped connection, no recovery, a gunicorn worker restarted).

Exit code 0 when every answer was a 200 or a 503 and the server recovered by
itself, 1 otherwise. See docs/deploy.md, "Faults and recovery".

Run it only against a database server you own: the restart ends every session
on it, other people's included.
"""

import argparse
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESTART = "pg_ctlcluster --skip-systemctl-redirect 15 main restart"
DEFAULT_PATHS = ["/", "/articles/?q=talks", "/api/v1/articles/", "/outlets/"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def ask(url: str, host: str, timeout: float) -> int | str:
    """Return the status of a GET, or the name of the error that ended it."""
    request = urllib.request.Request(
        url, headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with OPENER.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code
    except (OSError, urllib.error.URLError) as error:
        reason = getattr(error, "reason", error)
        return type(reason).__name__


def load(base, paths, host, timeout, answers, stop):
    number = 0
    while not stop.is_set():
        started = time.monotonic()
        status = ask(base + paths[number % len(paths)], host, timeout)
        answers.append((started, time.monotonic(), status))
        number += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(log):
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        # Recovery must be the workers' own, not a recycled worker's.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited at start; its log is {log.name}")
        if ask(f"{base}/healthz", "localhost", 2) == 200:
            return server, base
        time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz with 200; its log is {log.name}")


def booted(log) -> int:
    """Return how many workers gunicorn has started so far (0 for a server
    this script did not start)."""
    if log is None:
        return 0
    log.flush()
    return Path(log.name).read_text().count("Booting worker")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS, metavar="PATH")
    parser.add_argument("--restart", default=DEFAULT_RESTART, metavar="COMMAND")
    parser.add_argument("--warmup", type=float, default=5, metavar="SECONDS")
    parser.add_argument("--after", type=float, default=15, metavar="SECONDS")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10, metavar="SECONDS")
    parser.add_argument("--url", help="a running server (default: start gunicorn)")
    parser.add_argument(
        "--host",
        default=os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0],
        help="the Host header (default: the first of ALLOWED_HOSTS)",
    )
    args = parser.parse_args()

    log = server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        # Open for as long as gunicorn writes to it, and kept afterwards.
        log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            "w", prefix="fault-drill-", suffix=".log", delete=False
        )
        server, base = start_gunicorn(log)
    answers: list[tuple[float, float, int | str]] = []
    stop = threading.Event()
    clients = [
        threading.Thread(
            target=load,
            args=(base, args.paths, args.host, args.timeout, answers, stop),
            daemon=True,
        )
        for _ in range(args.clients)
    ]
    origin = time.monotonic()
    try:
        for client in clients:
            client.start()
        time.sleep(args.warmup)
        booted_before = booted(log)
        restart_began = time.monotonic()
        restart = subprocess.run(shlex.split(args.restart), check=False)
        restart_ended = time.monotonic()
        time.sleep(args.after)
        booted_after = booted(log)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=args.timeout + 5)
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
            log.close()

    seconds: dict[int, Counter] = {}
    for _, ended, status in answers:
        seconds.setdefault(int(ended - origin), Counter())[status] += 1
    print("second  answers")
    for second, counts in sorted(seconds.items()):
        shown = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items(), key=str))
        print(f"{second:>6}  {shown}")

    def at(moment):
        return f"{moment - origin:.1f} s"

    statuses = Counter(status for _, _, status in answers)
    failed = [a for a in answers if a[2] not in (200, 503)]
    not_ok = [a for a in answers if a[2] != 200]
    recovered = [a for a in answers if a[0] > restart_ended and a[2] == 200]
    print()
    print(f"requests: {len(answers)}; by status: {dict(statuses)}")
    print(
        f"restart command: exit {restart.returncode}, from {at(restart_began)} "
        f"to {at(restart_ended)} ({restart_ended - restart_began:.1f} s)"
    )
    if not_ok:
        first, last = min(a[0] for a in not_ok), max(a[1] for a in not_ok)
        print(
            f"answers other than 200: {len(not_ok)}, from {at(first)} to {at(last)} "
            f"({last - first:.1f} s)"
        )
    if recovered:
        back = min(a[1] for a in recovered)
        print(f"first 200 after the restart: {back - restart_ended:.2f} s after it")
    problems = []
    if failed:
        problems.append(f"{len(failed)} answers neither 200 nor 503")
    if not recovered:
        problems.append("no 200 after the restart: not recovered")
    elif any(a[2] != 200 for a in answers if a[0] > min(a[1] for a in recovered)):
        problems.append("answers other than 200 after the first recovered one")
    if log is not None:
        print(f"gunicorn log: {log.name}")
        if booted_after > booted_before:
            problems.append(f"gunicorn replaced {booted_after - booted_before} workers")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
