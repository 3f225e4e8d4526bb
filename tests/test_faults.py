"""Faults: a database that goes away answers 503 and comes back by itself."""

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from unittest import mock

import psycopg
import pytest
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from django.db.backends.utils import CursorWrapper
from django.test import Client

from archive.outage import RETRY_AFTER, database_unavailable
from tests.test_deploy import (
    collect_static,
    database_settings,
    fetch,
    free_port,
    gunicorn,
)
from tests.test_settings import ROOT, STRONG_KEY


def wrapped(error_class, cause):
    """Return a Django database error as Django raises it: from the driver's."""
    error = error_class(str(cause))
    error.__cause__ = cause
    return error


LOST = wrapped(
    OperationalError,
    psycopg.OperationalError("server closed the connection unexpectedly"),
)


@pytest.mark.parametrize(
    "error",
    [
        LOST,
        wrapped(OperationalError, psycopg.OperationalError("connection refused")),
        wrapped(
            OperationalError,
            psycopg.errors.AdminShutdown("terminating connection due to admin"),
        ),
        wrapped(
            OperationalError,
            psycopg.errors.CannotConnectNow("the database system is starting up"),
        ),
        wrapped(OperationalError, psycopg.errors.TooManyConnections("too many")),
        wrapped(InterfaceError, psycopg.InterfaceError("the connection is closed")),
        wrapped(OperationalError, sqlite3.OperationalError("database is locked")),
    ],
    ids=lambda error: str(error),
)
def test_errors_of_an_unreachable_database_count_as_unavailable(error):
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        # A statement timeout is about the query; search answers it itself.
        wrapped(OperationalError, psycopg.errors.QueryCanceled("statement timeout")),
        wrapped(OperationalError, sqlite3.OperationalError("no such table: x")),
        wrapped(ProgrammingError, psycopg.errors.UndefinedTable("no table")),
        wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")),
        RuntimeError("boom"),
        None,
    ],
    ids=str,
)
def test_other_errors_are_not_taken_for_an_outage(error):
    assert not database_unavailable(error)


def failing_queries(error):
    """Make every query raise error, as a database that went away does."""
    return mock.patch.object(CursorWrapper, "_execute", side_effect=error)


@pytest.mark.django_db
def test_a_page_answers_503_with_a_short_page_while_the_database_is_away(demo):
    with failing_queries(LOST):
        response = Client().get("/articles/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "briefly unavailable" in html
    assert "Traceback" not in html and "server closed" not in html


@pytest.mark.django_db
def test_the_api_answers_503_in_its_error_format_while_the_database_is_away(demo):
    with failing_queries(LOST):
        response = Client().get("/api/v1/articles/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response.json() == {
        "error": {
            "status": 503,
            "code": "database_unavailable",
            "message": "The archive's database cannot be reached just now, "
            "usually for a restart that takes a few seconds. "
            f"Try again in {RETRY_AFTER} seconds.",
        }
    }


@pytest.mark.django_db
def test_a_curators_admin_page_answers_503_too(curator_client, demo):
    with failing_queries(LOST):
        response = curator_client.get("/admin/articles/article/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_an_outage_noticed_outside_a_view_answers_503_too(demo):
    # A middleware's query is not seen by process_exception; the 500 handler
    # tells an outage from a bug.
    with mock.patch("archive.db._is_anonymous_read", side_effect=LOST):
        response = Client(raise_request_exception=False).get("/api/v1/articles/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


@pytest.mark.django_db
def test_other_database_errors_are_still_server_errors(demo):
    bug = wrapped(ProgrammingError, psycopg.errors.UndefinedTable("no table"))
    with failing_queries(bug):
        response = Client(raise_request_exception=False).get("/articles/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_postgresql_connections_time_out_after_db_connect_timeout():
    databases, _ = database_settings(
        DATABASE_URL="postgres://app@primary:5432/archive",
        DATABASE_REPLICA_URL="postgres://app@standby:5432/archive?connect_timeout=9",
        DB_CONNECT_TIMEOUT="3",
    )
    assert databases["default"]["OPTIONS"]["connect_timeout"] == 3
    # One set in the URL wins.
    assert databases["replica"]["OPTIONS"]["connect_timeout"] == 9
    databases, _ = database_settings(DATABASE_URL="postgres://app@primary/archive")
    assert databases["default"]["OPTIONS"]["connect_timeout"] == 5


class OutageProxy:
    """A TCP forwarder between the app and PostgreSQL that can play a restart:
    drop every live connection and refuse new ones, then accept again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.lock = threading.Lock()
        self.listener = None
        self.listen()

    def listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: the outage began, or the test ended
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.pairs.add((client, server))
            for source, target in [(client, server), (server, client)]:
                threading.Thread(
                    target=self._pump, args=(source, target), daemon=True
                ).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            self._close(sock)

    @staticmethod
    def _close(sock):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def outage(self):
        """Refuse new connections and cut the live ones, as a restart does."""
        # Shut down first: closing alone would not wake the thread in accept().
        self._close(self.listener)
        with self.lock:
            pairs, self.pairs = self.pairs, set()
        for pair in pairs:
            for sock in pair:
                self._close(sock)

    def restore(self):
        self.listen()

    def close(self):
        self.outage()


@dataclass
class Answer:
    started: float
    ended: float
    path: str
    status: int | None
    error: str = ""
    body: bytes = b""


POSTGRES_URL = os.environ.get("DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL.startswith(("postgres://", "postgresql://")),
    reason="the outage drill runs against PostgreSQL (set DATABASE_URL); SQLite "
    "is a file, with no server to restart",
)


@pytest.fixture
def outage_database():
    """Return the URL of a PostgreSQL database of this test's own, migrated and
    holding a few published articles; drop it afterwards."""
    import dj_database_url

    config = dj_database_url.parse(POSTGRES_URL)
    name = f"{config['NAME']}_outage_{os.getpid()}"
    admin = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    credentials = config["USER"] + (
        f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    )
    yield {
        "host": admin["host"],
        "port": int(admin["port"]),
        "url": lambda host, port: f"postgres://{credentials}@{host}:{port}/{name}",
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env_on(database_url: str, tmp_path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "DATABASE_", "DB_"))
        and key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="archive.example.org",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp_path / "static"),
        # An index of the drill's own: without one every list answers 503
        # (search unavailable) before the outage begins.
        SEARCH_INDEX_DIR=str(tmp_path / "search-index"),
    )
    run = {"cwd": ROOT, "env": env, "check": True, "timeout": 120}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    # An empty index: the import below reaches it through the outbox.
    subprocess.run(
        [sys.executable, "manage.py", "search_index", "--rebuild"],
        **run,
        stdout=subprocess.DEVNULL,
    )
    records = tmp_path / "articles.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Harbour talks, day {day}",
                    "url": f"https://example.org/harbour/{day}",
                    "outlet": "Example Wire",
                    "published_at": f"2024-03-{day:02}T09:00:00Z",
                    "language": "en",
                    "body": f"Negotiators met at the harbour for day {day} of talks.",
                }
            )
            + "\n"
            for day in range(1, 11)
        )
    )
    importing = ["import_articles", "--status=published", "--workers=1"]
    subprocess.run([sys.executable, "manage.py", *importing, str(records)], **run)
    collect_static(run)
    return env


def load(base: str, paths: list[str], answers: list, stop: threading.Event):
    """Ask for the paths in turn until stop is set, recording every answer."""
    proxied = {"Host": "archive.example.org", "X-Forwarded-Proto": "https"}
    number = 0
    while not stop.is_set():
        path = paths[number % len(paths)]
        number += 1
        started = time.monotonic()
        try:
            status, _, body = fetch(f"{base}{path}", **proxied)
            answer = Answer(started, time.monotonic(), path, status, body=body)
        except Exception as error:  # a hang (timeout) or a dropped connection
            answer = Answer(started, time.monotonic(), path, None, repr(error))
        answers.append(answer)


def by_second(answers: list[Answer], origin: float) -> str:
    """Return the statuses counted by the second they were answered in."""
    seconds: dict[int, Counter] = {}
    for answer in answers:
        second = int(answer.ended - origin)
        seconds.setdefault(second, Counter())[answer.status or answer.error] += 1
    return "\n".join(
        f"{second:>3}s  "
        + ", ".join(f"{k}: {n}" for k, n in sorted(c.items(), key=str))
        for second, c in sorted(seconds.items())
    )


@needs_postgres
def test_gunicorn_answers_503_through_a_database_restart_and_recovers_alone(
    outage_database, tmp_path
):
    direct = outage_database["url"](outage_database["host"], outage_database["port"])
    env = production_env_on(direct, tmp_path)
    proxy = OutageProxy((outage_database["host"], outage_database["port"]))
    env.update(
        DATABASE_URL=outage_database["url"]("127.0.0.1", proxy.port),
        GUNICORN_WORKERS="2",
        # No worker is recycled during the drill: recovery is the workers' own.
        GUNICORN_MAX_REQUESTS="0",
        DB_CONNECT_TIMEOUT="2",
        # Persistent connections, as in production: the outage breaks them.
        DB_CONN_MAX_AGE="60",
        # Every request goes to the database: no cached pages, no throttle.
        CACHE_PAGES="0",
        API_ANON_RATE="",
    )
    log = tmp_path / "gunicorn.log"
    answers: list[Answer] = []
    stop = threading.Event()
    paths = ["/articles/", "/api/v1/articles/", "/articles/?outlet=example-wire"]
    try:
        with gunicorn(env, log) as (port, _):
            base = f"http://127.0.0.1:{port}"
            clients = [
                threading.Thread(
                    target=load, args=(base, paths, answers, stop), daemon=True
                )
                for _ in range(3)
            ]
            origin = time.monotonic()
            for client in clients:
                client.start()
            time.sleep(2)
            down = time.monotonic()
            proxy.outage()
            time.sleep(1)
            health, _, _ = fetch(f"{base}/healthz")
            time.sleep(3)
            up = time.monotonic()
            proxy.restore()
            time.sleep(6)
            stop.set()
            for client in clients:
                client.join(timeout=15)
    finally:
        stop.set()
        proxy.close()
    output = log.read_text()
    print(by_second(answers, origin))
    print(f"outage from {down - origin:.1f}s to {up - origin:.1f}s")
    slowest = max(a.ended - a.started for a in answers if a.status == 503)
    print(f"503s: {sum(a.status == 503 for a in answers)}, slowest {slowest:.3f}s")

    assert health == 503
    assert not [a for a in answers if a.status is None], "requests hung or failed"
    assert not [a for a in answers if a.status not in {200, 503}], output[-3000:]
    assert all(a.status == 200 for a in answers if a.ended < down)
    during = [a for a in answers if a.started > down and a.ended < up]
    assert len(during) >= 10
    assert all(a.status == 503 for a in during)
    page = next(a for a in during if a.path == "/articles/")
    assert b"briefly unavailable" in page.body
    api = next(a for a in during if a.path.startswith("/api/"))
    assert json.loads(api.body)["error"]["code"] == "database_unavailable"
    # Back within a few seconds, with the same workers.
    first_ok = min(a.ended for a in answers if a.started > up and a.status == 200)
    print(f"first 200 {first_ok - up:.2f}s after the database came back")
    assert first_ok - up < 3
    after = [a for a in answers if a.started > first_ok]
    assert len(after) >= 10
    assert all(a.status == 200 for a in after)
    assert output.count("Booting worker") == 2, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
