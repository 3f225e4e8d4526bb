from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.api.errors import no_endpoint
from articles.cache import cache_public
from articles.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("articles.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's start-up script from a URL (?script=)
        # rather than inline, so the Content-Security-Policy needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    # Any other path under /api/: a 404 in the API's shape, with DEBUG on too.
    # Only paths ending in a slash, so that APPEND_SLASH still sends an
    # endpoint's address given without its slash to the endpoint.
    re_path(r"^api/(?:[\s\S]*/)?$", no_endpoint),
    path(
        "sitemap.xml",
        cache_public(sitemap_index),
        {"sitemaps": SITEMAPS},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("articles.urls")),
]

handler400 = "archive.limits.bad_request"
handler404 = "articles.api.errors.page_not_found"
handler500 = "articles.api.errors.server_error"
