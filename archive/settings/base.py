from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Dev and test settings provide a throwaway key; production refuses to start
# without one (see production.py).
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "archive.apps.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "articles",
]

MIDDLEWARE = [
    # First: probes come over plain HTTP by address (archive/health.py).
    "archive.health.HealthCheckMiddleware",
    # Before sessions and authentication, so their look-ups stay on the primary
    # for anyone with a session (archive/db.py).
    "archive.db.ReplicaReadsMiddleware",
    # A database that cannot be reached answers 503, not 500 (archive/outage.py).
    "archive.outage.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (archive/csp.py).
    "archive.csp.ArchiveCSPMiddleware",
    # Refuses an over-size body before it is read (archive/limits.py).
    "archive.limits.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private on answers to signed-in clients (articles/cache.py).
    "articles.cache.PrivateWhenSignedInMiddleware",
    # Records who made each change in the history (after authentication).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login through authenticate() (the admin's form) before
# Django's own backend. API tokens and sessions never pass credentials to
# authenticate(), so the API is not affected by a lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sent in every environment, so the browser tests see a page the policy breaks.
# No inline script anywhere (data for scripts goes in json_script blocks, which
# are not run); inline styles only where archive/csp.py allows them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"
ASGI_APPLICATION = "archive.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str) -> dict:
    database = dj_database_url.parse(
        url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server fails a request within seconds (a 503, see
        # archive/outage.py) instead of holding the worker until gunicorn's
        # timeout. A connect_timeout in the URL wins.
        database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5)
        )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # A transaction takes SQLite's write lock when it begins, so a second
        # writer waits for the first (up to the default 5 s) rather than failing
        # at once with "database is locked" (a 503) when both began by reading.
        database.setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
    return database


DATABASES = {
    "default": _database(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
# An optional read replica of the primary: anonymous visitors' reads go there,
# everything else to the primary (archive/db.py, docs/deploy.md).
if _replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = _database(_replica_url)
    DATABASE_ROUTERS = ["archive.db.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins: after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused (429, templates/axes/lockout.html) for
# AXES_COOLOFF_TIME hours. Locking by the pair means a stranger guessing a
# curator's password from elsewhere does not lock the curator out, and one
# address cannot try many usernames past the limit each.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=env_int("AXES_COOLOFF_TIME", 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# No "AXES: BEGIN …" banner at every start of every manage.py command (lockouts
# and failed logins are still logged).
AXES_VERBOSE = False
# The client address is found the way the API throttle finds it (API_NUM_PROXIES):
# with no proxies, the connecting address only, so X-Forwarded-For cannot be
# forged to dodge a lockout. With N proxies, the N-th X-Forwarded-For entry from
# the right (ipware counts the hops after the client, hence N - 1); not strict,
# so entries a client prepends itself are ignored rather than spoiling the match.
_NUM_PROXIES = env_int("API_NUM_PROXIES", 0)
if _NUM_PROXIES > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = _NUM_PROXIES - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions end SESSION_COOKIE_AGE seconds after login (default: a working day)
# and, by default, when the browser closes. The age is not renewed on every
# request (SESSION_SAVE_EVERY_REQUEST off): a forgotten, still-open session ends
# on time instead of living as long as someone keeps using it, and reads do not
# write the session table on every page.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "articles.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["articles.api.permissions.ArchivePermissions"],
    "DEFAULT_FILTER_BACKENDS": ["articles.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "articles.api.pagination.KeysetPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "articles.api.throttling.AnonThrottle",
        "articles.api.throttling.AnonSearchThrottle",
        "articles.api.throttling.AnonExportThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "articles.api.schema.ArchiveAutoSchema",
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
    # JSON only, as the schema says: a nested write (an article's people) has no
    # form encoding, and one request format is one contract.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # How many proxies in front of the app append to X-Forwarded-For. With 0 the
    # throttle counts by the connecting address, so a client cannot pick its own
    # identity by sending the header.
    "NUM_PROXIES": _NUM_PROXIES,
}
# Requests per period an anonymous client may make to the API ("600/minute").
API_ANON_RATE = env_str("API_ANON_RATE", "600/minute")
# Stricter rates for an anonymous client's searches (q=) and exports, counted
# apart from API_ANON_RATE (empty: no limit of their own).
API_ANON_SEARCH_RATE = env_str("API_ANON_SEARCH_RATE", "60/minute")
API_ANON_EXPORT_RATE = env_str("API_ANON_EXPORT_RATE", "10/hour")
# Searches an anonymous visitor may make on the public site (/articles/?q=,
# feeds and entity pages with q) per client address (articles/throttling.py).
SITE_SEARCH_RATE = env_str("SITE_SEARCH_RATE", "30/minute")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)

SPECTACULAR_SETTINGS = {
    "TITLE": "News archive API",
    "DESCRIPTION": (
        "Read the archive's published coverage, keep a copy in sync, export it, "
        "and (for curators) write to it. See docs/api.md for examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs UI is served from the project's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Group operations by resource (articles, outlets, …), not by "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "RoleEnum": "articles.models.ArticlePerson.Role",
    },
}

# Read-only cross-origin access to the API: any site may GET public data from a
# browser; nothing is sent with credentials and nothing cross-origin writes.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = [
    "Link",
    "ETag",
    "Last-Modified",
    "Retry-After",
    "Content-Disposition",
]

ARCHIVE_PAGE_SIZE = env_int("ARCHIVE_PAGE_SIZE", 20)
# The search index (a Tantivy index, articles.search): a folder every process
# of the site reads and the writers update (docs/operations.md).
SEARCH_INDEX_DIR = env_str("SEARCH_INDEX_DIR", str(BASE_DIR / "search-index"))
# Changes are applied to the index after their commit in a thread of the
# writing process (the request or import goes on at once); off, in the writing
# thread itself (the tests, which need to know when it is done).
SEARCH_APPLY_IN_THREAD = env_bool("SEARCH_APPLY_IN_THREAD", True)

# Redis when REDIS_URL is set (shared by every process, so a change seen by one
# is seen by all); otherwise each process keeps its own cache in memory.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "archive",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages and anonymous API reads are cached for CACHE_SECONDS, and
# forgotten at once when anything public changes (articles/cache.py).
CACHE_PAGES = env_bool("CACHE_PAGES", True)
CACHE_SECONDS = env_int("CACHE_SECONDS", 300)
if CACHE_SECONDS < 1:
    raise ImproperlyConfigured(
        f"CACHE_SECONDS={CACHE_SECONDS} must be at least 1; to stop caching "
        "pages, set CACHE_PAGES=0."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # trafilatura narrates every discarded page element at INFO.
    "loggers": {"trafilatura": {"level": "ERROR"}},
}
# Above this many rows an unfiltered admin changelist shows PostgreSQL's
# estimate instead of running COUNT(*).
ARCHIVE_EXACT_COUNT_LIMIT = env_int("ARCHIVE_EXACT_COUNT_LIMIT", 50_000)
# A filtered admin changelist counts at most this many rows, then shows "more
# than" this many: counting 900,000 matches of a filter costs a second, and a
# filter whose matches are rare among the newest articles reads many rows to
# find each one.
ARCHIVE_FILTERED_COUNT_LIMIT = env_int("ARCHIVE_FILTERED_COUNT_LIMIT", 1_000)
# Files larger than this are refused by the importer (command and admin upload).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# What one request may send (archive/limits.py answers 413 or 400 with a
# message). A body other than a file upload (a form, the API's JSON): Django's
# default 2.5 MB. A file upload (the admin's import) as a whole: ten files at the
# importer's limit. Set the proxy's own limit (nginx client_max_body_size) to
# the larger of the two, so the app answers with its message.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1_000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 100)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * IMPORT_MAX_BYTES)
