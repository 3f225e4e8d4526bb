"""Running the archive beyond one machine: the health check and gunicorn."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext

from tests.test_settings import ROOT, STRONG_KEY

BOTH = ["default", "replica"]


@pytest.mark.django_db(databases=BOTH)
def test_health_check_answers_ok_with_one_query_per_database(client):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert [q["sql"] for q in primary] == ["SELECT 1"]
    assert [q["sql"] for q in replica] == ["SELECT 1"]


@pytest.mark.django_db(databases=BOTH)
def test_health_check_answers_probes_by_address_over_plain_http(client, settings):
    # As in production: HTTPS redirect on, only the public name allowed.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["archive.example.org"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400


@pytest.mark.django_db(databases=BOTH)
@pytest.mark.parametrize("alias", BOTH)
def test_health_check_answers_503_when_a_database_is_unreachable(client, alias):
    with mock.patch.object(
        connections[alias],
        "cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": f"database {alias!r} unreachable: OperationalError",
    }
    assert "no-store" in response["Cache-Control"]


def database_settings(**env):
    """Return DATABASES and DATABASE_ROUTERS as production settings read them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        SECRET_KEY=STRONG_KEY,
        **env,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps([settings.DATABASES, settings.DATABASE_ROUTERS], "
            "default=str))",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_a_replica_url_adds_the_replica_and_its_router():
    databases, routers = database_settings(
        DATABASE_URL="postgres://app@primary:5432/archive",
        DATABASE_REPLICA_URL="postgres://app@standby:5432/archive",
        DB_CONN_MAX_AGE="120",
    )
    assert set(databases) == {"default", "replica"}
    assert databases["default"]["HOST"] == "primary"
    assert databases["replica"]["HOST"] == "standby"
    for alias in databases.values():
        assert alias["CONN_MAX_AGE"] == 120
        assert alias["CONN_HEALTH_CHECKS"] is True
    assert routers == ["archive.db.PrimaryReplicaRouter"]


def test_without_a_replica_url_there_is_one_database_and_no_router():
    databases, routers = database_settings(
        DATABASE_URL="postgres://app@primary:5432/archive"
    )
    assert set(databases) == {"default"}
    assert routers == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    # Redirects are answers to check, not to follow.
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextlib.contextmanager
def gunicorn(env: dict, log: Path, *, startup: float = 20):
    """Run gunicorn with the project's config and env on a free port until its
    /healthz answers, and yield (port, process); stop it with SIGTERM after.

    Its output goes to the file log: a pipe nobody reads while requests run
    fills up, and then every worker waits to write its access log line."""
    port = free_port()
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + startup
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited early:\n{log.read_text()}")
            try:
                fetch(f"http://127.0.0.1:{port}/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer within the deadline")
                time.sleep(0.1)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def production_env(tmp_path):
    return production_environment(tmp_path)


def production_environment(directory) -> dict:
    """Return the environment of a production app server on a fresh SQLite
    database in directory, migrated, with its search index built and its
    static files collected."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "DATABASE_"))
        and key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="archive.example.org",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        STATIC_ROOT=str(directory / "static"),
        SEARCH_INDEX_DIR=str(directory / "search-index"),
    )
    run = {"cwd": ROOT, "env": env, "check": True, "timeout": 60}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    subprocess.run(
        [sys.executable, "manage.py", "search_index", "--rebuild"],
        **run,
        stdout=subprocess.DEVNULL,
    )
    collect_static(run)
    return env


def collect_static(run: dict):
    """Collect the manifest the production storage reads, without its compressed
    copies (a minute of brotli that these checks do not need)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "settings.STORAGES = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
            "'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}; "
            "from django.core.management import call_command; "
            "call_command('collectstatic', interactive=False, verbosity=0)",
        ],
        **run,
    )


def test_gunicorn_serves_the_archive_with_the_projects_config(production_env, tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn({**production_env, "GUNICORN_WORKERS": "2"}, log) as (port, server):
        base = f"http://127.0.0.1:{port}"
        status, headers, body = fetch(f"{base}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})

        proxied = {"Host": "archive.example.org", "X-Forwarded-Proto": "https"}
        status, _, body = fetch(f"{base}/articles/", **proxied)
        assert status == 200
        # Fingerprinted names from the manifest the production storage reads.
        assert re.search(rb"/static/css/archive\.[0-9a-f]{12}\.css", body)
        status, _, _ = fetch(f"{base}/api/v1/articles/", **proxied)
        assert status == 200
        # Without the proxy's header the request was plain HTTP: redirected.
        status, headers, _ = fetch(f"{base}/articles/", Host="archive.example.org")
        assert status == 301
        assert headers["Location"] == "https://archive.example.org/articles/"
    output = log.read_text()
    assert server.returncode == 0, output
    assert "Shutting down: Master" in output
    # The access log names the request and its duration in milliseconds.
    assert '"GET /articles/ HTTP/1.1" 200' in output
    assert any(
        "/healthz" in line and line.rstrip().endswith("ms")
        for line in output.splitlines()
    )
