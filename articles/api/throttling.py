from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients' rate, from the API_ANON_RATE setting (empty: no limit)."""

    def get_rate(self):
        return settings.API_ANON_RATE or None
