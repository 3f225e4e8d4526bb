"""Faults: a database that goes away answers 503 and comes back by itself."""

import sqlite3
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
from tests.test_deploy import database_settings


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
            "message": "The archive's database cannot be reached just now; "
            f"try again in {RETRY_AFTER} seconds.",
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
