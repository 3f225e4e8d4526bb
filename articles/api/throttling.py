from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients' rate, from the API_ANON_RATE setting (empty: no limit)."""

    def get_rate(self):
        return settings.API_ANON_RATE or None


class AnonSearchThrottle(AnonRateThrottle):
    """Anonymous searches (`q=`), from API_ANON_SEARCH_RATE: a search costs the
    database far more than reading a page of a list, so it has a stricter rate
    of its own, counted apart from (and as well as) API_ANON_RATE."""

    scope = "anon_search"

    def get_rate(self):
        return settings.API_ANON_SEARCH_RATE or None

    def allow_request(self, request, view):
        if not request.query_params.get("q", "").strip():
            return True
        return super().allow_request(request, view)


class AnonExportThrottle(AnonRateThrottle):
    """Anonymous exports, from API_ANON_EXPORT_RATE: each streams every matching
    article."""

    scope = "anon_export"

    def get_rate(self):
        return settings.API_ANON_EXPORT_RATE or None

    def allow_request(self, request, view):
        if getattr(view, "action", None) != "export":
            return True
        return super().allow_request(request, view)
