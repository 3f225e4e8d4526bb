"""Limits on what one request may send, answered with a status and a message a
person can act on: HTML on the site and the admin, the API's JSON error shape
under /api/ (docs/deploy.md#limits)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.multipartparser import TooManyFilesSent
from django.shortcuts import render
from django.views import defaults

from articles.api.errors import error_body, is_api_request
from articles.ingest.reading import sizes

MULTIPART = "multipart/form-data"


def refuse(request, *, status: int, code: str, title: str, message: str, headers=None):
    """Return the answer to a request refused by a limit."""
    if is_api_request(request):
        response = JsonResponse(error_body(status, code, message), status=status)
    else:
        response = render(
            request,
            "refused.html",
            {
                "status": status,
                "title": title,
                "message": message,
                "back": request.path if request.method == "POST" else None,
            },
            status=status,
        )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def too_large(request, size: int | None, limit: int, setting: str):
    """Return the 413 for a body of size bytes (None: not known in advance)."""
    if setting == "UPLOAD_MAX_BYTES":
        what, advice = "upload", "Send fewer or smaller files at a time."
    else:
        what, advice = "request", "Send less at a time."
    if size is None:
        most = sizes(limit, limit)[1]
        found = f"The {what} is larger than the limit of {most} ({setting})."
    else:
        shown, most = sizes(size, limit)
        found = f"The {what} is {shown}; the limit is {most} ({setting})."
    return refuse(
        request,
        status=413,
        code="too_large",
        title="Too large",
        message=f"{found} {advice}",
    )


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over its limit before any of it
    is read: UPLOAD_MAX_BYTES for file uploads (multipart forms), and
    DATA_UPLOAD_MAX_MEMORY_SIZE for anything else, the API's JSON included
    (Django applies that limit only to forms it parses itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == MULTIPART:
            limit, setting = settings.UPLOAD_MAX_BYTES, "UPLOAD_MAX_BYTES"
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            setting = "DATA_UPLOAD_MAX_MEMORY_SIZE"
        if limit is not None and length > limit:
            return too_large(request, length, limit, setting)
        return self.get_response(request)


def bad_request(request, exception):
    """Answer a request Django refused while reading it (handler400): a form
    over its limits says which; anything else is a plain 400."""
    if isinstance(exception, RequestDataTooBig):
        # A multipart form's fields (not its files) over the limit, found as
        # Django reads them: the declared length covered the files as well.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return too_large(request, None, limit, "DATA_UPLOAD_MAX_MEMORY_SIZE")
    if isinstance(exception, TooManyFieldsSent):
        return refuse(
            request,
            status=400,
            code="too_many_fields",
            title="Too many fields",
            message=f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}"
            " fields (DATA_UPLOAD_MAX_NUMBER_FIELDS). Send fewer at a time, for"
            " example by selecting fewer rows.",
        )
    if isinstance(exception, TooManyFilesSent):
        return refuse(
            request,
            status=400,
            code="too_many_files",
            title="Too many files",
            message=f"The upload has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES}"
            " files (DATA_UPLOAD_MAX_NUMBER_FILES). Send fewer files at a time.",
        )
    if is_api_request(request):
        return refuse(
            request,
            status=400,
            code="bad_request",
            title="Bad request",
            message="The request could not be read.",
        )
    return defaults.bad_request(request, exception)
