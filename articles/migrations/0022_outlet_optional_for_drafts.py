"""An article's outlet may be empty on a draft: an imported page that names no
outlet becomes a draft waiting for a curator to choose one, instead of being
rejected. Every other status still needs an outlet (a check constraint).

On SQLite, altering the column and adding the constraint rebuild the article
table, which drops its triggers: the search outbox's (0020) are made again.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models


def _outbox():
    return importlib.import_module("articles.migrations.0020_search_outbox")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    outbox = _outbox()
    for event in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS articles_article_search_{event}")
    for statement in outbox.SQLITE:
        if " ON articles_article" in statement and "articles_article_search_" in (
            statement
        ):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_entity_count_indexes"),
    ]

    operations = [
        # Undone last: the table rebuilt by undoing the changes below.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers),
        migrations.AlterField(
            model_name="article",
            name="outlet",
            field=models.ForeignKey(
                blank=True,
                help_text="Who published the article. A draft may wait for one; an article in review or published needs it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="articles.outlet",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="outlet",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Who published the article. A draft may wait for one; an article in review or published needs it.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="articles.outlet",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("outlet__isnull", False), ("status", "draft"), _connector="OR"
                ),
                name="article_outlet_unless_draft",
                violation_error_message="Only a draft may be without an outlet.",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
