"""A quiet, helpful start: commands print no library banners, and `make run`
says where the site and the admin are and how to get the first account."""

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
CREATE = ".venv/bin/python manage.py createsuperuser"


def environment(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "archive.settings.dev", **extra}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_commands_print_no_library_banner(tmp_path):
    result = manage("check", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "System check identified no issues (0 silenced).\n"


class Terminal(io.StringIO):
    """Input typed at a terminal."""

    def isatty(self):
        return True


def welcome(stdin, **options) -> str:
    out = io.StringIO()
    call_command("welcome", stdin=stdin, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_without_a_terminal_it_prints_the_addresses_and_the_command():
    output = welcome(io.StringIO(), address="127.0.0.1:8501")
    assert "The archive:  http://127.0.0.1:8501/\n" in output
    assert "The admin:    http://127.0.0.1:8501/admin/\n" in output
    assert "No account can sign in to the admin yet." in output
    assert f"Create the first one with:\n\n    {CREATE}\n" in output
    assert "[Y/n]" not in output
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_no_input_never_asks_even_in_a_terminal():
    output = welcome(Terminal("y\n"), interactive=False)
    assert "[Y/n]" not in output and CREATE in output
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_with_an_administrator_it_says_how_to_sign_in():
    UserFactory(is_superuser=True, is_staff=True)
    output = welcome(Terminal(""))
    assert "Sign in to the admin with your account." in output
    assert "[Y/n]" not in output


@pytest.mark.django_db
def test_in_a_terminal_declining_prints_the_command():
    output = welcome(Terminal("n\n"))
    assert "Create one now? [Y/n] " in output
    assert f"Later, create one with:\n\n    {CREATE}\n" in output
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_an_inactive_administrator_does_not_count():
    UserFactory(is_superuser=True, is_staff=True, is_active=False)
    assert "No account can sign in to the admin yet." in welcome(io.StringIO())


def read_until(fd, text: str, seen: bytearray, timeout=60) -> None:
    end = time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < end, f"no {text!r} in {seen.decode()!r}"
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                seen += os.read(fd, 1024)
            except OSError:  # the process ended
                break
    assert text.encode() in seen, f"no {text!r} in {seen.decode()!r}"


def test_in_a_terminal_it_creates_the_first_account(tmp_path):
    """The real thing: the command in a pseudo-terminal, as `make run` runs it,
    answered as a newcomer would; the account is then in the database."""
    database = f"sqlite:///{tmp_path}/db.sqlite3"
    migrated = manage("migrate", "--noinput", "-v0", DATABASE_URL=database)
    assert migrated.returncode == 0, migrated.stderr
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its input and output the terminal
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, "manage.py", "welcome", "--address", "127.0.0.1:8502"],
            environment(DATABASE_URL=database),
        )
    seen = bytearray()
    try:
        for prompt, answer in [
            ("Create one now? [Y/n]", ""),
            ("Username", "alice"),
            ("Email address", "alice@example.org"),
            ("Password:", "grain-corridor-talks"),
            ("Password (again)", "grain-corridor-talks"),
        ]:
            read_until(fd, prompt, seen)
            os.write(fd, f"{answer}\n".encode())
        read_until(fd, "Sign in at http://127.0.0.1:8502/admin/", seen)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Superuser created successfully." in seen
    check = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import User; "
        "print(User.objects.get(username='alice').is_superuser)",
        DATABASE_URL=database,
    )
    assert check.stdout == "True\n", check.stderr
