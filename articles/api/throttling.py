from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class SettingRateThrottle(AnonRateThrottle):
    """An anonymous rate read from the setting named by rate_setting ("30/minute";
    empty: no limit), when each request is checked, so tests may change it."""

    rate_setting: str

    def get_rate(self):
        return getattr(settings, self.rate_setting) or None


class NamedThrottle(SettingRateThrottle):
    """An anonymous rate that, when it refuses a request, leaves on the request
    what was limited, so that the 429 can say which limit a client hit."""

    limited = "requests"

    def throttle_failure(self):
        self.request.archive_throttled = (self.limited, self.rate)
        return False

    def allow_request(self, request, view):
        self.request = request
        return super().allow_request(request, view)


class AnonThrottle(NamedThrottle):
    """Anonymous clients' rate, from the API_ANON_RATE setting (empty: no limit)."""

    rate_setting = "API_ANON_RATE"


class AnonSearchThrottle(NamedThrottle):
    """Anonymous searches (`q=`), from API_ANON_SEARCH_RATE: a search costs the
    database far more than reading a page of a list, so it has a stricter rate
    of its own, counted apart from (and as well as) API_ANON_RATE."""

    scope = "anon_search"
    limited = "searches"
    rate_setting = "API_ANON_SEARCH_RATE"

    def allow_request(self, request, view):
        if not request.query_params.get("q", "").strip():
            return True
        return super().allow_request(request, view)


class AnonExportThrottle(NamedThrottle):
    """Anonymous exports, from API_ANON_EXPORT_RATE: each streams every matching
    article."""

    scope = "anon_export"
    limited = "exports"
    rate_setting = "API_ANON_EXPORT_RATE"

    def allow_request(self, request, view):
        if getattr(view, "action", None) != "export":
            return True
        return super().allow_request(request, view)
