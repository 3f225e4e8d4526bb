"""Answer 503, not 500, while the database cannot be reached (docs/deploy.md), or
the search index cannot be read (articles.search.SearchUnavailable).

A PostgreSQL restart, failover or network blip turns every query into an
OperationalError or InterfaceError. Left alone those are uncaught exceptions:
a 500 page, an error report per request, and clients that give up instead of
retrying. While the database is away the archive says so instead, with a short
page (or the API's JSON error) and Retry-After.

Recovery needs nothing from here: a query that fails marks its connection as
having had errors, so Django checks it when the request finishes and closes it
if it is broken (close_if_unusable_or_obsolete); CONN_HEALTH_CHECKS checks a
persistent connection again before the next request's first query. The next
request opens a fresh connection, and succeeds as soon as the server is back.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from articles.api.errors import error_body, is_api_request
from articles.search import SearchUnavailable

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again: a restart of
# PostgreSQL takes a few.
RETRY_AFTER = 5
# SQLSTATE classes that mean the server is not there to answer: connection
# exception, insufficient resources (too many connections), operator
# intervention (shutting down, starting up) and system error.
UNAVAILABLE_CLASSES = frozenset({"08", "53", "57", "58"})
# Class 57 also holds query_canceled: a statement timeout or a cancelled
# query, which is about the query (articles.search maps it), not the server.
QUERY_CANCELED = "57014"
# SQLite's messages when the file cannot be used at the moment; any other
# OperationalError there (no such table, a syntax error) is a bug.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file")


def database_unavailable(error: BaseException | None) -> bool:
    """Return whether error means the database could not be reached, as opposed
    to a query or the code being wrong."""
    if isinstance(error, InterfaceError):
        return True  # a connection that is already closed or broken
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in UNAVAILABLE_CLASSES and sqlstate != QUERY_CANCELED
    if type(cause).__module__.startswith("psycopg"):
        # No SQLSTATE: the client itself lost or could not open the connection
        # (refused, timed out, "server closed the connection unexpectedly").
        return True
    message = str(error).lower()
    return any(text in message for text in SQLITE_UNAVAILABLE)


DATABASE_MESSAGE = (
    "The archive's database cannot be reached just now, usually for a restart "
    "that takes a few seconds."
)


def unavailable_response(
    request,
    *,
    code: str = "database_unavailable",
    message: str = DATABASE_MESSAGE,
    retry_after: int = RETRY_AFTER,
) -> HttpResponse:
    """Return the 503 the archive answers while its database (or, with
    another code and message, its search index) is away."""
    if is_api_request(request):
        response = JsonResponse(
            error_body(503, code, f"{message} Try again in {retry_after} seconds."),
            status=503,
        )
    else:
        # Rendered without the request: the context processors would load
        # the user, which needs the database.
        response = HttpResponse(
            loader.render_to_string(
                "503.html", {"retry_after": retry_after, "message": message}
            ),
            status=503,
        )
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a view's database-unavailable (or search-unavailable) error into a
    503.

    Errors raised outside views (in another middleware) reach the 500 handler,
    which asks database_unavailable() too (articles.api.errors.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SearchUnavailable):
            logger.error("Search unavailable for %s: %s", request.path, exception)
            return unavailable_response(
                request,
                code="search_unavailable",
                message=exception.message,
                retry_after=exception.retry_after,
            )
        if not database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable, answered 503 for %s %s: %s",
            request.method,
            request.path,
            exception,
        )
        return unavailable_response(request)
