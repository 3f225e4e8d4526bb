from django.contrib import admin


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
