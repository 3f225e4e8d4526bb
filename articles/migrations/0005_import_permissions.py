"""Give curators and editors the rights the importer's review work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = [
    "view_story",
    "change_story",
    "view_articleversion",
    "view_candidateperson",
    "change_candidateperson",
    "add_import",
]
EDITORS = [*CURATORS, "delete_candidateperson", "delete_articleversion"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Curators", CURATORS), ("Editors", EDITORS)]:
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Permissions missing for {name}")
        Group.objects.get(name=name).permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=EDITORS
    )
    for group in Group.objects.filter(name__in=["Curators", "Editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_import_permission_codename")]

    operations = [migrations.RunPython(grant, revoke)]
