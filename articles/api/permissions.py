from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ArchivePermissions(DjangoModelPermissions):
    """Anyone reads (what they may see is the view's business); writing needs the
    same model permissions as in the admin: curators add and change, editors also
    delete, and only users who may publish set a public status."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)
