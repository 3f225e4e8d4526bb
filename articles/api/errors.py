"""One error shape for every API error:

    {"error": {"status": 400, "code": "invalid",
               "message": "…", "fields": {"outlet": ["…"]}}}

`fields` is present when the error is about named parameters or fields.
"""

import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ..pagination import PageOutOfRange

MESSAGES = {
    "invalid": "Some parameters or fields are not valid; see `fields`.",
}


def error_body(status_code: int, code: str, message: str, fields=None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail):
    if isinstance(detail, dict):
        # Model validation files errors of no one field under "__all__".
        return {
            "non_field_errors" if key == "__all__" else key: _messages(value)
            for key, value in detail.items()
        }
    return None


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NoSuchRecord(exceptions.NotFound):
    """A filter names a record that does not exist, or not one the client may
    see: `?person=nobody`. A 404 like the record's own address, naming the
    parameter."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(" ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))


class Gone(exceptions.APIException):
    """An article withdrawn from the archive: gone for good, unlike one that
    was never published (404)."""

    status_code = status.HTTP_410_GONE
    default_code = "withdrawn"


class SearchTimedOut(exceptions.APIException):
    """A search whose queries ran past the time limit (articles.search)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_too_broad"


def exception_handler(exc, context):
    from ..models import ConcurrentEdit

    if isinstance(exc, ConcurrentEdit):
        exc = Conflict(exc.message)
    elif isinstance(exc, ProtectedError | RestrictedError):
        blockers = {str(obj._meta.verbose_name_plural) for obj in exc.protected_objects}
        exc = Conflict(
            "Other records still refer to this one ("
            + ", ".join(sorted(blockers))
            + "); remove or reassign them first."
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A bug: Django's 500 handler answers (JSON under /api/).
    detail = getattr(exc, "detail", None)
    code = getattr(exc, "default_code", "error")
    fields = _flatten(detail) if isinstance(exc, exceptions.ValidationError) else None
    if isinstance(exc, NoSuchRecord):
        fields = exc.fields
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, list):
            fields = {"non_field_errors": _messages(detail)}
        message = MESSAGES["invalid"]
        if fields and len(fields) == 1:
            name, errors = next(iter(fields.items()))
            message = f"{name}: {' '.join(errors)}"
    elif isinstance(exc, exceptions.Throttled) and hasattr(
        context.get("request"), "archive_throttled"
    ):
        limited, rate = context["request"].archive_throttled
        message = (
            f"Too many {limited}: anonymous clients may make {rate} of them. "
            f"Try again in {exc.wait or 0:.0f} seconds."
        )
    else:
        message = " ".join(_messages(detail)) if detail else str(exc)
    response.data = error_body(response.status_code, code, message, fields)
    return response


def is_api_request(request) -> bool:
    """Return whether request is answered in the API's JSON error shape."""
    return request.path.startswith("/api/")


@csrf_exempt
def no_endpoint(request, *args, **kwargs):
    """Answer a path under /api/ that names no endpoint (or an id or slug
    that is no address, such as `/api/v1/quotes/%C2%84/`) in the API's error
    shape. Routed, not left to handler404, so that a server with DEBUG on
    answers as production does: Django shows its debug page instead of
    calling handler404."""
    return JsonResponse(
        error_body(
            404,
            "not_found",
            f"No API endpoint at {request.path}; see /api/docs/ for the list.",
        ),
        status=status.HTTP_404_NOT_FOUND,
    )


def page_not_found(request, exception):
    if is_api_request(request):
        return no_endpoint(request)
    if isinstance(exception, PageOutOfRange):
        return render(request, "404.html", {"message": str(exception)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from archive.outage import database_unavailable, unavailable_response

    # Called while the uncaught exception is being handled: a database that
    # went away is a 503 wherever it was noticed (archive/outage.py).
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if is_api_request(request):
        return JsonResponse(
            error_body(
                500,
                "server_error",
                "Something went wrong on our side; it has been logged.",
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
