import os

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def member_of(group_name, username):
    user = UserFactory(username=username, is_staff=True)
    if not Group.objects.filter(name=group_name).exists():
        restore_role_groups()
    user.groups.add(Group.objects.get(name=group_name))
    return user


GROUP_MIGRATIONS = [
    ("articles", "0002_curator_and_editor_groups"),
    ("articles", "0005_import_permissions"),
]


def restore_role_groups():
    """Make the Curators and Editors groups again, by rerunning the data
    migrations that made them: a transactional (browser) test's flush empties
    every table, these groups with them."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection)
    for key in GROUP_MIGRATIONS:
        apps = loader.project_state(key).apps
        for operation in loader.get_migration(*key).operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


@pytest.fixture
def curator(db):
    return member_of("Curators", "curator")


@pytest.fixture
def editor(db):
    return member_of("Editors", "editor")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def demo(db):
    """The demo archive, loaded as `make run` loads it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())


# Browser tests: Debian's Chromium driven by Playwright. Where Chromium is missing
# they skip, unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = (
            f"Chromium not found at {CHROMIUM}; install it with "
            "`apt-get install -y chromium` to run the browser tests."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1: {message}")
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in the main thread from here on,
    # which makes Django refuse ORM calls made by this and later tests. Those
    # calls are ordinary synchronous ones, so the guard is switched off.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions the suite left open.

    Django keys connections by context (asgiref's Local), and Playwright's sync
    API runs tests in greenlets with contexts of their own, so a browser test can
    leave an idle connection that pytest-django never sees. PostgreSQL refuses to
    drop a database that has sessions.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fresh_people_index():
    """Each test's people are its own: forget names cached by an earlier test."""
    from articles.search import text

    text.people.forget()


@pytest.fixture(autouse=True)
def search_index(settings, tmp_path_factory):
    """Each test searches an index of its own, empty at the start, in a
    temporary folder; the outbox fills it as the test writes."""
    from articles.search import sync

    settings.SEARCH_INDEX_DIR = str(tmp_path_factory.mktemp("search-index"))
    sync.engine().create()
    yield sync.engine()
    sync.forget_engines()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no pages, throttle counts or
    generation left by an earlier test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite's test database lives in memory with a shared cache, where a
    transaction begun IMMEDIATE locks whole tables against the other threads
    of a test (the live server, the search applier) at once, with no wait:
    "database table is locked". The setting is for files, where a second
    writer waits; tests/test_settings.py checks it on a file."""
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
            settings_dict.get("OPTIONS", {}).pop("transaction_mode", None)


@pytest.fixture
def engine_calls(monkeypatch):
    """engine_calls("aggregate"): the list of questions that method of the
    search engine is asked from then on (it still answers them)."""
    from articles.search.engine import Engine

    def spy(name):
        calls = []
        original = getattr(Engine, name)

        def method(self, question, *args, **kwargs):
            calls.append(question)
            return original(self, question, *args, **kwargs)

        monkeypatch.setattr(Engine, name, method)
        return calls

    return spy
