"""Modest limits on anonymous visitors' searches and exports on the public site.

A search costs the database far more than any other page, so an address that
searches faster than a person reads (SITE_SEARCH_RATE, "30/minute") is asked to
wait: 429 with Retry-After and a page saying how long. Browsing without `q` is
never limited, nor is anyone logged in. Counts live in the cache, per client
address found as the API throttle finds it (API_NUM_PROXIES). An export from
the site counts with the API's exports, against API_ANON_EXPORT_RATE.
"""

import math
from functools import wraps

from django.conf import settings

from archive.limits import refuse

from .api.throttling import SettingRateThrottle


class SiteSearchThrottle(SettingRateThrottle):
    scope = "site_search"
    rate_setting = "SITE_SEARCH_RATE"


class SiteExportThrottle(SettingRateThrottle):
    """Exports from the site count with the API's (one scope, one rate: an
    export costs the same by either door)."""

    scope = "anon_export"
    rate_setting = "API_ANON_EXPORT_RATE"


def over_the_rate(request, throttle, *, what: str, rate: str, after: str = ""):
    """A 429 page if this request goes over the throttle's rate, else None."""
    if throttle.allow_request(request, None):
        return None
    wait = math.ceil(throttle.wait() or 1)
    return refuse(
        request,
        status=429,
        code="throttled",
        title=f"Too many {what}",
        message=f"{what.capitalize()} from your address are limited to {rate}, and "
        f"that many have been made. Try again in {wait} "
        f"second{'s' if wait != 1 else ''}{after}.",
        headers={"Retry-After": str(wait)},
    )


def throttle_searches(view):
    """Refuse an anonymous visitor's search (a page asked with `q`) over the rate."""

    @wraps(view)
    def throttled_view(request, *args, **kwargs):
        # A comparison's series are searches too (s=q%3D…).
        if request.GET.get("q", "").strip() or request.GET.getlist("s"):
            refused = over_the_rate(
                request,
                SiteSearchThrottle(),
                what="searches",
                rate=settings.SITE_SEARCH_RATE,
                after="; pages without a search are not limited",
            )
            if refused:
                return refused
        return view(request, *args, **kwargs)

    return throttled_view


def throttle_exports(view):
    """Refuse an anonymous visitor's export over API_ANON_EXPORT_RATE."""

    @wraps(view)
    def throttled_view(request, *args, **kwargs):
        refused = over_the_rate(
            request,
            SiteExportThrottle(),
            what="exports",
            rate=settings.API_ANON_EXPORT_RATE,
        )
        return refused or view(request, *args, **kwargs)

    return throttled_view
