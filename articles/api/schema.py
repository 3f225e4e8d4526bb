"""The OpenAPI schema, generated from the serializers, FilterSets and paginator
the views use, and completed here with what drf-spectacular cannot see in them:
which errors each operation really answers, the response headers, that a
`fields=` read may leave fields out, and that a PATCH must carry `version`.

tests/test_api_schema.py holds every response of every endpoint to this schema
(openapi-core) and runs schemathesis against it, anonymously and as an editor.
"""

import django_filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from . import serializers as s

LOOKUPS = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A stable machine-readable code.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per parameter or field, when the error is about them.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers has this shape."""

    error = ErrorDetailSerializer()


ERRORS = {
    "400": "A parameter or field is not valid, unknown, or given twice; "
    "`fields` names it.",
    "401": "The credentials sent are not valid (a read needs none), or a write "
    "sent none.",
    "403": "Your account may not do this.",
    "404": "No such record, or not one you may see; from a filter, `fields` "
    "names the parameter whose slug names none.",
    "406": "None of the media types in `Accept` can be served.",
    "409": "The change conflicts: a stale `version`, or other records still refer "
    "to this one.",
    "410": "The article was withdrawn; the message gives the reason.",
    "412": "A precondition (`If-Match`, `If-Unmodified-Since`) does not hold; no body.",
    "413": "The request body is over `DATA_UPLOAD_MAX_MEMORY_SIZE`; send less.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
    "429": "Too many requests; retry after `Retry-After` seconds.",
    "503": "The database (or a search) cannot answer just now; retry after "
    "`Retry-After` seconds.",
}

# Answered by Django's ConditionalGetMiddleware before the API's error handler,
# with no body.
BODILESS = {"412"}

HEADERS = {
    "ETag": "A hash of the body; send it back in `If-None-Match`.",
    "Last-Modified": "When the article last changed (its `modified_at`).",
    "Link": 'The next and previous pages: `<url>; rel="next", <url>; rel="prev"`.',
    "Cache-Control": "`private` on answers to a signed-in client.",
    "Vary": "What the answer depends on besides the URL.",
    "Retry-After": "Seconds to wait before trying again.",
    "Content-Disposition": 'A file name: `attachment; filename="articles.csv"`.',
    "WWW-Authenticate": "The scheme to authenticate with (`Token`).",
}


def header(name: str, *, required: bool = False, kind: str = "string") -> dict:
    return {
        name: {
            "description": HEADERS[name],
            "required": required,
            "schema": {"type": kind},
        }
    }


class ArchiveAutoSchema(AutoSchema):
    """Say in the schema what the views do."""

    def get_auth(self):
        # Anyone may read.
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    # Parameters

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if getattr(self.view, "takes_fields", lambda: False)():
            parameters.append(self.fields_parameter())
        return parameters

    def fields_parameter(self) -> OpenApiParameter:
        serializer = self.view.get_serializer_class()
        names = serializer.selectable_fields()
        always = " and ".join(f"`{name}`" for name in serializer.ALWAYS)
        return OpenApiParameter(
            "fields",
            {
                "type": "array",
                "items": {"type": "string", "enum": names},
                "minItems": 1,
            },
            style="form",
            explode=False,
            description="Only these fields, comma-separated (default: all), e.g. "
            f"`{','.join(names[:3])}`."
            + (f" {always} always comes." if always else ""),
        )

    def _resolve_path_parameters(self, variables):
        # The URL pattern's own rule (a slug, digits), which the router applies:
        # anything else is a 404 before the view is reached.
        parameters = super()._resolve_path_parameters(variables)
        pattern = getattr(self.view, "lookup_value_regex", None)
        for parameter in parameters:
            if pattern and parameter["name"] == self.view.lookup_field:
                if pattern == "[0-9]+":
                    parameter["schema"] = {"type": "integer", "minimum": 0}
                else:
                    parameter["schema"] = {"type": "string", "pattern": f"^{pattern}$"}
        return parameters

    # Bodies

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, s.FieldsMixin):
            # `fields=` may leave out any field but those that always come.
            required = [n for n in schema.get("required", []) if n in serializer.ALWAYS]
            schema.pop("required", None)
            if required:
                schema["required"] = required
        if direction == "request":
            # A write takes no other fields (serializers.json_type_errors).
            schema["additionalProperties"] = False
        if direction == "request" and self.method == "PATCH":
            required = [
                name
                for name in getattr(serializer, "REQUIRED_IN_PATCH", ())
                if name in schema["properties"]
            ]
            if required:
                schema["required"] = required
        return schema

    # Responses

    def error_codes(self) -> list[str]:
        """Return the error statuses this operation can answer."""
        view, action = self.view, getattr(self.view, "action", None)
        reading = self.method in SAFE_METHODS
        codes = {"400", "401", "406", "503"}
        detail = action in ("retrieve", "update", "partial_update", "destroy")
        if detail:
            codes.add("404")
        if reading:
            codes |= {"429"}
            if action != "export":
                codes.add("412")
            filters = (
                getattr(view.get_filterset_class(), "base_filters", {})
                if action in ("list", "export")
                else {}
            )
            if "status" in filters:
                codes.add("403")  # a status filter from the public
            if any(isinstance(f, LOOKUPS) for f in filters.values()):
                codes.add("404")  # a slug that names no record you may see
            if action == "retrieve" and view.basename == "article":
                codes.add("410")
        else:
            codes |= {"403"}
            if self.method != "DELETE":
                codes |= {"413", "415"}
            if view.basename == "article" and self.method in ("PUT", "PATCH"):
                codes.add("409")  # a stale version
            if view.basename in ("outlet", "person", "topic") and (
                self.method == "DELETE"
            ):
                codes.add("409")  # still referred to
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET" and getattr(self.view, "action", None) != "export":
            responses["304"] = {
                "description": "Not modified since the `ETag` sent in "
                "`If-None-Match` (or the time in `If-Modified-Since`).",
                "headers": header("ETag", required=True),
            }
        for code in self.error_codes():
            if code in BODILESS:
                responses[code] = {"description": ERRORS[code]}
                continue
            response = self._get_response_for_code(ErrorSerializer, code)
            response["description"] = ERRORS[code]
            responses[code] = response
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = dict(super()._get_response_headers_for_code(status_code, direction))
        action = getattr(self.view, "action", None)
        if status_code in ("200", "201"):
            headers |= header("Vary") | header("Cache-Control")
            if self.method == "GET" and action != "export":
                headers |= header("ETag", required=True)
            if action == "list":
                headers |= header("Link")
            if action == "retrieve" and self.view.basename == "article":
                headers |= header("Last-Modified", required=True)
            if action == "export":
                headers |= header("Content-Disposition", required=True)
        if status_code in ("429", "503"):
            headers |= header("Retry-After", required=True, kind="integer")
        if status_code == "401":
            headers |= header("WWW-Authenticate")
        return headers
