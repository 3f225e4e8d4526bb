"""The Content-Security-Policy every response carries (django-csp).

The public pages run no script and carry no inline style, so they get the
policy in settings as it stands. The admin, DRF's browsable API and Swagger UI
(`/api/docs/`) style elements inline (style attributes and `<style>` blocks in
their own templates), so under those prefixes inline styles are allowed; inline
scripts never are, anywhere.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

INLINE_STYLE_PREFIXES = ("/admin/", "/api/")


class ArchiveCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request, response, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(INLINE_STYLE_PREFIXES):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
