"""Where queries go when a read replica is configured (docs/deploy.md).

Reads come from the replica only inside a scope opened by ``replica_reads()``:
ReplicaReadsMiddleware opens one for an anonymous visitor's GET or HEAD. Outside
such a scope (a curator's request, any POST, the admin, management commands, the
shell) every query goes to the primary, so nothing reads a lagging copy and then
writes what it read. Within a scope, the first write, or an open transaction,
sends the rest of the request's reads to the primary too (read your writes).

The router lives in the project package rather than in an app because it routes
every app's models, Django's own included.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"

# Rows a request may have written a moment ago, or must see fresh to decide who
# someone is: the session a login just saved, the user's last_login, tokens,
# permissions and groups, login attempts. Always read from the primary, so a
# curator who has just logged in is not sent back to the login page by lag.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "authtoken", "axes", "admin"})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The curators' pages (archive/urls.py); they stay on the primary even before login.
ADMIN_PATH = "/admin/"


@dataclass
class _ReadScope:
    replica_allowed: bool = True


_scope: ContextVar[_ReadScope | None] = ContextVar("archive_read_scope", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let reads inside the block come from the replica until something writes.

    Only for work that tolerates data a few seconds old and does not write what
    it read.
    """
    token = _scope.set(_ReadScope())
    try:
        yield
    finally:
        _scope.reset(token)


def replica_allowed() -> bool:
    """Return whether a read issued now may be served by the replica."""
    scope = _scope.get()
    return (
        scope is not None
        and scope.replica_allowed
        and not connections[PRIMARY].in_atomic_block
    )


class PrimaryReplicaRouter:
    """Reads to the replica when replica_allowed(); writes and migrations to the
    primary. Installed only when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS or not replica_allowed():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.replica_allowed = False
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows, so objects loaded from either relate.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _is_anonymous_read(request) -> bool:
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path_info.startswith(ADMIN_PATH)
    )


class ReplicaReadsMiddleware:
    """Open a replica_reads() scope for anonymous, read-only requests.

    Decided from the request alone, before the session or the user is loaded:
    a session cookie or an Authorization header (a curator, or someone who was
    one) keeps the whole request on the primary, session and user look-ups
    included. Harmless without a replica: with no router installed, every query
    goes to the primary whatever the scope says.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_read(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
