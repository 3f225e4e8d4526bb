"""Create the Curators and Editors groups with exactly the rights each role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = [
    "outlet",
    "person",
    "topic",
    "article",
    "articleperson",
    "articletopic",
    "quote",
    "annotation",
]
# Curators may remove links, quotes and notes they made by mistake, but never an
# article, an outlet, a person or a topic: those removals are editors' decisions.
CURATOR_DELETABLE = ["articleperson", "articletopic", "quote", "annotation"]

GROUPS = {
    "Curators": (
        [
            f"{action}_{model}"
            for model in EDITABLE
            for action in ("add", "change", "view")
        ]
        + [f"delete_{model}" for model in CURATOR_DELETABLE]
    ),
    "Editors": (
        [
            f"{action}_{model}"
            for model in EDITABLE
            for action in ("add", "change", "view", "delete")
        ]
        + ["publish_article"]
    ),
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations run; make sure they exist.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
