"""How programs sign in: a token sent as `Authorization: Token <key>` (DRF's
scheme) or as `Authorization: Bearer <key>` (RFC 6750, what most HTTP clients and
OpenAPI generators send), the same tokens either way."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The same token as `tokenAuth`, sent as "
            "`Authorization: Bearer <token>`.",
        }
