from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


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
    "400": "A parameter or field is not valid; `fields` names it.",
    "401": "Writing needs a token (`Authorization: Token …`) or a session.",
    "403": "Your account may not do this.",
    "404": "No such record, or not one you may see.",
    "405": "This endpoint does not take this method.",
    "409": "Other records still refer to this one.",
    "413": "The request body is over `DATA_UPLOAD_MAX_MEMORY_SIZE`; send less.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
}
READ_ERRORS = ["400", "404", "405", "429"]


class ArchiveAutoSchema(AutoSchema):
    """Say in the schema what the views do: anyone may read, and every operation
    can answer the API's error shape."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in SAFE_METHODS else list(ERRORS)
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = ERRORS[code]
                responses[code] = response
        return responses
