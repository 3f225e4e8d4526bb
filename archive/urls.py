from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "News archive: curators"
admin.site.site_title = "News archive admin"
admin.site.index_title = "Curate the archive"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]
