"""Cache what anonymous visitors read, and forget all of it at once when anything
the public can see changes.

Every key holds the current *generation*, a random token kept in the cache
itself. A change the public could see replaces the token once its transaction
commits, so every earlier entry becomes unreachable with one write, whichever
pages the change touched; the unreachable entries expire after CACHE_SECONDS.
A random token, not a counter, so that an evicted generation can never come
back as a number that older entries were stored under.

Only anonymous GET and HEAD requests without a session, a messages cookie or an
Authorization header are answered from the cache, and only a 200 that sets no
cookie, used no CSRF token and is not marked private is kept. See
docs/design.md#caching.
"""

import hashlib
import logging
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, patch_cache_control
from rest_framework.renderers import JSONRenderer

logger = logging.getLogger(__name__)

GENERATION_KEY = "archive:generation"
PAGE_PREFIX = "archive:page"
SAFE_METHODS = {"GET", "HEAD"}
# What a kept response may vary on: Accept only on the API, whose negotiated
# format is part of its key; Cookie, because requests with cookies that matter
# (a session, messages) never reach the cache. Anything else is not kept.
KEYED_VARY = {"accept", "cookie"}
UNCACHEABLE = {"private", "no-store", "no-cache"}


def generation() -> str:
    """Return the current generation, starting one if the cache has none."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def remembered(key: str, compute, timeout: int):
    """Return compute(), kept in the cache under key for timeout seconds. An
    unreachable cache is logged and computed afresh, as pages are."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; computing without it.", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("Cache unavailable; result not kept.", exc_info=True)
    return value


def bump() -> None:
    """Start a new generation now: every cached page is forgotten."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def bump_on_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Start a new generation when the current transaction commits (at once
    outside one), so that no one caches the old state in between. A transaction
    that writes many rows bumps many times: each is one small cache write."""
    # robust: a cache outage must not turn a saved change into an error page.
    transaction.on_commit(bump, using=using, robust=True)


def page_key(request, variant: str = "") -> str:
    """Return the key for the request: generation, scheme, host, path and
    query string, and the variant (the API's media type). HEAD shares GET's
    entry: the server drops the body."""
    url = request.build_absolute_uri()
    digest = hashlib.sha256(f"{url}\n{variant}".encode())
    return f"{PAGE_PREFIX}:{generation()}:{digest.hexdigest()}"


def answers_from_cache(request) -> bool:
    """Return whether the request is one every anonymous visitor gets the same
    answer to."""
    return (
        settings.CACHE_PAGES
        and request.method in SAFE_METHODS
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def keepable(request, response) -> bool:
    """Return whether the response is the same for every anonymous visitor."""
    user = getattr(request, "user", None)
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", ""))}
    cache_control = {
        v.split("=")[0].strip().lower()
        for v in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (user is not None and user.is_authenticated)
        and not (vary - KEYED_VARY - {""})
        and not (cache_control & UNCACHEABLE)
    )


def lookup(request, variant: str = "") -> tuple[str | None, HttpResponse | None]:
    """Return the request's key and its cached response (None on a miss); no
    key when the cache cannot be reached, and the page is answered uncached."""
    try:
        key = page_key(request, variant)
        stored = cache.get(key)
    except Exception:
        logger.warning("Page cache unavailable; answering uncached.", exc_info=True)
        return None, None
    if stored is None:
        return key, None
    content, headers = stored
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return key, response


def keep(request, response, key: str) -> None:
    """Store the response under key once it is rendered, if every anonymous
    visitor would get the same."""

    def store(rendered):
        if not keepable(request, rendered):
            return
        try:
            cache.set(
                key,
                (rendered.content, list(rendered.items())),
                settings.CACHE_SECONDS,
            )
        except Exception:
            logger.warning("Page cache unavailable; not stored.", exc_info=True)

    if getattr(response, "is_rendered", True):
        store(response)
    else:
        response.add_post_render_callback(store)


def cache_public(view):
    """Answer the view from the page cache for anonymous visitors."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not answers_from_cache(request):
            return view(request, *args, **kwargs)
        # The key (with its generation) is taken before the view reads the
        # database: a change committed meanwhile leaves this page under the
        # old generation, never under the new one.
        key, response = lookup(request)
        if response is None:
            response = view(request, *args, **kwargs)
            if key:
                keep(request, response, key)
        return response

    return cached_view


def cached_read(handler):
    """Answer a viewset's list or retrieve from the page cache for anonymous
    clients.

    Inside the viewset rather than in front of it, so that authentication,
    permissions and the anonymous rate limit run on every request, cached or
    not: a scraper cannot outrun the throttle by asking for cached pages. Only
    JSON is cached (the browsable API is an HTML page with forms).
    """

    @wraps(handler)
    def cached_handler(viewset, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            or not isinstance(request.accepted_renderer, JSONRenderer)
            or not answers_from_cache(request)
        ):
            return handler(viewset, request, *args, **kwargs)
        key, response = lookup(request, variant=request.accepted_media_type)
        if response is None:
            response = handler(viewset, request, *args, **kwargs)
            if key:
                keep(request, response, key)
        return response

    return cached_handler


class CachedReadsMixin:
    """A viewset whose list and retrieve are cached (see cached_read)."""

    @cached_read
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @cached_read
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class PrivateWhenSignedInMiddleware:
    """Mark every answer to a signed-in client (a session, or an API token or
    session that DRF authenticated) `Cache-Control: private`: it may show
    drafts and internal notes, so no shared cache may keep it for others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        try:
            signed_in = user is not None and user.is_authenticated
        except DatabaseError:
            # The session could not be read: the database went away, and the
            # answer (a 503) says so already.
            return response
        if signed_in:
            patch_cache_control(response, private=True)
        return response
