import copy

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run inside transactions; persistent connections only add noise.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# A replica alias that is the test database itself (Django's test mirror), so
# the routing tests can send queries to it; with no router installed, nothing
# else does. tests/test_replica.py installs archive.db's router for itself.
DATABASES["replica"] = {  # noqa: F405
    **copy.deepcopy(DATABASES["default"]),  # noqa: F405
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = []
# The suite makes many anonymous requests from one address; the throttling tests
# turn the limits on for themselves.
API_ANON_RATE = ""
API_ANON_SEARCH_RATE = ""
API_ANON_EXPORT_RATE = ""
SITE_SEARCH_RATE = ""
# Each process its own cache, whatever REDIS_URL says; tests/conftest.py empties
# it before every test, and tests/test_cache.py tries the Redis backend itself.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# pytest-django runs each test in a transaction that never commits, so the
# cache's invalidation (on commit) would never fire and a test that reads a
# page, changes it and reads it again would see the old one. tests/test_cache.py
# turns caching on and runs the commit callbacks as a real commit would.
CACHE_PAGES = False
# The writer applies the search outbox itself, before the test goes on
# (tests/test_search_sync.py turns the applier's thread on for its own tests).
SEARCH_APPLY_IN_THREAD = False
