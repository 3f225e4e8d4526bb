from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    default_site = "articles.admin_site.ArchiveAdminSite"
