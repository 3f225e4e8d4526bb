import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.settings.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x9Qz7Lw2" * 8


def manage(*args, **env):
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="archive.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_is_reported_by_name():
    result = manage(
        "check", DEBUG="maybe", DJANGO_SETTINGS_MODULE="archive.settings.dev"
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_database_defaults_to_sqlite_in_the_project_folder():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "archive.settings.dev"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import "
            "settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], d['NAME'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(ROOT / "db.sqlite3"),
    ]


def test_env_helpers_parse_and_refuse(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("NUMBER", "12")
    monkeypatch.setenv("HOSTS", " a.org, ,b.org ")
    assert env_bool("FLAG") is True
    assert env_int("NUMBER", 1) == 12
    assert env_list("HOSTS") == ["a.org", "b.org"]
    assert env_bool("UNSET_FLAG", default=True) is True
    monkeypatch.setenv("NUMBER", "twelve")
    with pytest.raises(
        ImproperlyConfigured, match="NUMBER='twelve' is not a whole number"
    ):
        env_int("NUMBER", 1)


def test_times_are_stored_in_utc(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"


def test_login_safety_settings_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER[0], "
        "s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_TIME="2",
        SESSION_COOKIE_AGE="600",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="no",
        API_NUM_PROXIES="2",
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "3",
        "7200.0",
        "600",
        "False",
        "1",
        "HTTP_X_FORWARDED_FOR",
        "2",
    ]


TWO_WRITERS = """
import threading
from django.db import OperationalError, connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x integer)")
connection.close()
errors, both_read = [], threading.Barrier(2)

def write(n):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            try:
                both_read.wait(timeout=1)
            except threading.BrokenBarrierError:
                pass  # the other writer waits for this one to commit
            cursor.execute("INSERT INTO t VALUES (%s)", [n])
    except OperationalError as error:
        errors.append(str(error))
    finally:
        connection.close()

writers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
for writer in writers:
    writer.start()
for writer in writers:
    writer.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM t")
    print("errors:", errors, "rows:", cursor.fetchone()[0])
"""


def test_two_sqlite_writers_that_both_read_first_both_write(tmp_path):
    # A transaction that began by reading could not take the write lock while
    # another held it, and failed at once: "database is locked", a 503 for a
    # second API client writing at the same time as the first.
    result = manage(
        "shell",
        "-c",
        TWO_WRITERS,
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "errors: [] rows: 2" in result.stdout, result.stdout + result.stderr
