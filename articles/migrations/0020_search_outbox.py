"""Search moves to its own engine (a Tantivy index, articles.search).

Removed, as the engine makes them unnecessary: the articles' search vectors
with their trigger and text index (0006, 0007, 0017), the links' copies of
their article's status and date with their triggers and indexes (0018), an
outlet's public list's index (0019), and the monthly counts (0014), which the
index counts on demand.

Added: the outbox (SearchChange), an article's id written by a trigger in the
same transaction as any change to what search sees, on PostgreSQL and SQLite
alike. Each trigger mirrors what articles.search.sync indexes: an article's
title, lead, body, status, publication time, outlet and language, and its
confirmed people, topics and quotes (their state is part of the entry).

An existing archive's index is built after migrating, with
`manage.py search_index --rebuild` (docs/operations.md).
"""

import importlib

from django.db import migrations, models
from django.db.models.functions import Now

ARTICLE_COLUMNS = "title, lead, body, status, published_at, outlet_id, language"
PARTS = ["articles_articleperson", "articles_articletopic", "articles_quote"]

POSTGRESQL = [
    """
CREATE FUNCTION articles_article_search_change() RETURNS trigger AS $$
BEGIN
  IF current_setting('archive.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO articles_searchchange (article_id)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION articles_part_search_change() RETURNS trigger AS $$
BEGIN
  IF current_setting('archive.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO articles_searchchange (article_id) VALUES (OLD.article_id);
  END IF;
  IF TG_OP = 'INSERT'
     OR (TG_OP = 'UPDATE' AND NEW.article_id IS DISTINCT FROM OLD.article_id) THEN
    INSERT INTO articles_searchchange (article_id) VALUES (NEW.article_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE TRIGGER articles_article_search_change
  AFTER INSERT OR DELETE OR UPDATE OF {ARTICLE_COLUMNS} ON articles_article
  FOR EACH ROW EXECUTE FUNCTION articles_article_search_change()
""",
    *(
        f"""
CREATE TRIGGER {table}_search_change
  AFTER INSERT OR DELETE OR UPDATE ON {table}
  FOR EACH ROW EXECUTE FUNCTION articles_part_search_change()
"""
        for table in PARTS
    ),
]

_CHANGE = "INSERT INTO articles_searchchange (article_id, changed_at) VALUES"
SQLITE = [
    f"""CREATE TRIGGER articles_article_search_insert AFTER INSERT ON articles_article
    BEGIN {_CHANGE} (NEW.id, CURRENT_TIMESTAMP); END""",
    f"""CREATE TRIGGER articles_article_search_update
    AFTER UPDATE OF {ARTICLE_COLUMNS} ON articles_article
    BEGIN {_CHANGE} (NEW.id, CURRENT_TIMESTAMP); END""",
    f"""CREATE TRIGGER articles_article_search_delete AFTER DELETE ON articles_article
    BEGIN {_CHANGE} (OLD.id, CURRENT_TIMESTAMP); END""",
]
for _table in PARTS:
    SQLITE += [
        f"""CREATE TRIGGER {_table}_search_insert AFTER INSERT ON {_table}
        BEGIN {_CHANGE} (NEW.article_id, CURRENT_TIMESTAMP); END""",
        f"""CREATE TRIGGER {_table}_search_update AFTER UPDATE ON {_table}
        BEGIN
          {_CHANGE} (OLD.article_id, CURRENT_TIMESTAMP);
          {_CHANGE} (NEW.article_id, CURRENT_TIMESTAMP);
        END""",
        f"""CREATE TRIGGER {_table}_search_delete AFTER DELETE ON {_table}
        BEGIN {_CHANGE} (OLD.article_id, CURRENT_TIMESTAMP); END""",
    ]


def _earlier(name):
    return importlib.import_module(f"articles.migrations.{name}")


def drop_old(apps, schema_editor):
    """Drop 0007's and 0018's triggers, functions and indexes (before the
    columns they use go)."""
    vendor = schema_editor.connection.vendor
    _earlier("0018_link_listing_copies").backward(apps, schema_editor)
    if vendor == "postgresql":
        for statement in [
            "DROP INDEX IF EXISTS article_search_idx",
            "DROP INDEX IF EXISTS article_outlet_public_idx",
            "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
            "DROP FUNCTION IF EXISTS articles_article_search_vector()",
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS archive",
        ]:
            schema_editor.execute(statement)


def restore_old(apps, schema_editor):
    _earlier("0018_link_listing_copies").forward(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        _earlier("0019_outlet_public_idx").forward(apps, schema_editor)
        _earlier("0007_postgres_search").forward(apps, schema_editor)
        _earlier("0017_keep_given_search_vector").forward(apps, schema_editor)


def create_outbox_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_outbox_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = ["DROP TRIGGER articles_article_search_change ON articles_article"]
        statements += [f"DROP TRIGGER {t}_search_change ON {t}" for t in PARTS]
        statements += [
            "DROP FUNCTION articles_article_search_change()",
            "DROP FUNCTION articles_part_search_change()",
        ]
    elif vendor == "sqlite":
        statements = [
            f"DROP TRIGGER {table}_search_{event}"
            for table in ["articles_article", *PARTS]
            for event in ("insert", "update", "delete")
        ]
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0019_outlet_public_idx")]

    operations = [
        migrations.RunPython(drop_old, restore_old),
        migrations.RemoveField(model_name="article", name="search_vector"),
        migrations.RemoveField(model_name="articleperson", name="public"),
        migrations.RemoveField(model_name="articleperson", name="published_at"),
        migrations.RemoveField(model_name="articletopic", name="public"),
        migrations.RemoveField(model_name="articletopic", name="published_at"),
        migrations.DeleteModel(name="MonthlyCount"),
        migrations.CreateModel(
            name="SearchChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("article_id", models.BigIntegerField()),
                ("changed_at", models.DateTimeField(db_default=Now())),
            ],
        ),
        migrations.RunPython(create_outbox_triggers, drop_outbox_triggers),
    ]
