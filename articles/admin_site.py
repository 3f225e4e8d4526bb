from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path


class ArchiveAdminSite(admin.AdminSite):
    """The admin, with the review queue's counts on its index page."""

    site_header = "News archive: curators"
    site_title = "News archive admin"
    index_title = "Curate the archive"
    index_template = "admin/archive_index.html"

    def index(self, request, extra_context=None):
        from .review import queue

        context = {"review_queue": queue(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)

    def get_urls(self):
        guarded = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            guarded if getattr(url, "name", None) == "view_on_site" else url
            for url in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """ "View on site", for those who may view the record in the admin.

        Django's own view redirects any staff user to the object's address,
        which for a draft is its would-be permalink, slug (title) and all.
        """
        try:
            content_type = ContentType.objects.get_for_id(int(content_type_id))
        except (ContentType.DoesNotExist, ValueError):
            raise Http404("No such content type.") from None
        model_admin = self._registry.get(content_type.model_class())
        if model_admin is None or not model_admin.has_view_or_change_permission(
            request
        ):
            raise PermissionDenied
        return contenttype_views.shortcut(request, content_type_id, object_id)
