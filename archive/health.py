"""The health check that load balancers and orchestrators ask (docs/deploy.md)."""

import logging

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def database_problem() -> str | None:
    """Return why a configured database cannot answer, or None if all can."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as error:
            logger.warning("Health check: database %r failed: %s", alias, error)
            return f"database {alias!r} unreachable: {type(error).__name__}"
    return None


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz before any other middleware.

    A middleware rather than a view because probes come over plain HTTP to the
    server's own address: SecurityMiddleware would redirect them to HTTPS and
    ALLOWED_HOSTS would refuse the Host header. Answering first also skips the
    session, CSRF and authentication work, keeping the check to one query per
    database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        problem = database_problem()
        if problem is None:
            response = JsonResponse({"status": "ok"})
        else:
            response = JsonResponse(
                {"status": "unavailable", "reason": problem}, status=503
            )
        add_never_cache_headers(response)
        return response
