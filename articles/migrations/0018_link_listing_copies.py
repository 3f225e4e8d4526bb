"""Links keep a copy of their article's place in the public lists.

An outlet's newest published articles are one range of an index on the article
table (outlet, published_at); a person's or topic's were not: their links say
nothing of the article's status or date, so PostgreSQL walked every published
article newest first, probing each one's links, until it had a page (or, for the
facets' sample, a thousand). At a million articles that took from 100 ms to
nearly 2 s for a page of a mid-sized topic or a prolific person.

Each person and topic link now holds `public` (its article is published) and
`published_at`, copied from the article by triggers on both databases, so that
every writer (the admin, the API, the importer, merges, backups, raw SQL) keeps
them true without knowing about them:

- a link inserted, or updated (its article, or the copies themselves), takes its
  article's values;
- an article whose status or publication time changes passes them to its links.

On PostgreSQL an insert keeps the copies it is given in a session that sets
`archive.keep_link_copies` to `on` (generate_corpus's workers, which write
articles and links together and know both); such a session can already write
any column, so the setting grants nothing new.

The indexes serve a person's or topic's confirmed, public links by date, newest
first, undated last (see ArticleQuerySet.linked_to). As in 0009, PostgreSQL's
has NULLS LAST, which SQLite refuses in an index (SQLite sorts NULL first when
ascending, so last when descending, anyway); they are made here, not in the
models' Meta. SQLite drops a table's triggers and these indexes when a
migration rebuilds the table: tests/test_link_copies.py would then fail.
"""

from django.db import migrations, models

LINKS = ("articles_articleperson", "person_id"), ("articles_articletopic", "topic_id")

# An article's status and date, passed to its links (on both databases).
# `public` mirrors Article.objects.published(): status = 'published'.
TO_LINKS = "\n".join(
    f"""  UPDATE {table}
    SET public = NEW.status = 'published', published_at = NEW.published_at
    WHERE article_id = NEW.id;"""
    for table, _ in LINKS
)

POSTGRESQL = """
CREATE OR REPLACE FUNCTION articles_link_copies() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT'
     AND current_setting('archive.keep_link_copies', true) = 'on' THEN
    RETURN NEW;
  END IF;
  SELECT a.status = 'published', a.published_at
    INTO NEW.public, NEW.published_at
    FROM articles_article a WHERE a.id = NEW.article_id;
  IF NOT FOUND THEN
    NEW.public := false;
    NEW.published_at := NULL;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION articles_article_link_copies() RETURNS trigger AS $$
BEGIN
{to_links}
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER articles_article_link_copies
  AFTER UPDATE OF status, published_at ON articles_article FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.published_at IS DISTINCT FROM NEW.published_at)
  EXECUTE FUNCTION articles_article_link_copies();
"""

POSTGRESQL_LINK = """
CREATE TRIGGER {table}_copies
  BEFORE INSERT OR UPDATE OF article_id, public, published_at ON {table}
  FOR EACH ROW EXECUTE FUNCTION articles_link_copies();
CREATE INDEX IF NOT EXISTS {index} ON {table}
  ({entity}, published_at DESC NULLS LAST, article_id DESC)
  WHERE state = 'confirmed' AND public;
"""

SQLITE = """
CREATE TRIGGER articles_article_link_copies
  AFTER UPDATE OF status, published_at ON articles_article
  WHEN OLD.status IS NOT NEW.status OR OLD.published_at IS NOT NEW.published_at
BEGIN
{to_links}
END;
"""

# SQLite's triggers cannot change the row being written, so they write it again.
SQLITE_COPY = """
  UPDATE {table} SET
    public = coalesce(
      (SELECT status = 'published' FROM articles_article WHERE id = NEW.article_id),
      0),
    published_at =
      (SELECT published_at FROM articles_article WHERE id = NEW.article_id)
  WHERE id = NEW.id;
"""

# One statement at a time, as SQLite's driver runs them.
SQLITE_LINK = [
    "CREATE TRIGGER {table}_copies_insert AFTER INSERT ON {table} BEGIN {copy} END",
    """CREATE TRIGGER {table}_copies_update
      AFTER UPDATE OF article_id, public, published_at ON {table}
    BEGIN {copy} END""",
    """CREATE INDEX IF NOT EXISTS {index} ON {table}
      ({entity}, published_at DESC, article_id DESC)
      WHERE state = 'confirmed' AND public""",
]

# The links already stored (a trigger on both databases would do the same).
FILL = """
UPDATE {table} SET
  public = coalesce(
    (SELECT status = 'published' FROM articles_article WHERE id = article_id), false),
  published_at = (SELECT published_at FROM articles_article WHERE id = article_id);
"""


def index_name(table):
    return table.removeprefix("articles_") + "_public_idx"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    postgresql = vendor == "postgresql"
    statements = [(POSTGRESQL if postgresql else SQLITE).format(to_links=TO_LINKS)]
    for table, entity in LINKS:
        statements.append(FILL.format(table=table))
        statements += [
            statement.format(
                table=table,
                entity=entity,
                index=index_name(table),
                copy=SQLITE_COPY.format(table=table),
            )
            for statement in ([POSTGRESQL_LINK] if postgresql else SQLITE_LINK)
        ]
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = ["DROP TRIGGER articles_article_link_copies ON articles_article"]
        statements += [f"DROP TRIGGER {table}_copies ON {table}" for table, _ in LINKS]
        statements += [
            "DROP FUNCTION articles_article_link_copies()",
            "DROP FUNCTION articles_link_copies()",
        ]
    elif vendor == "sqlite":
        statements = ["DROP TRIGGER articles_article_link_copies"]
        statements += [
            f"DROP TRIGGER {table}_copies_{event}"
            for table, _ in LINKS
            for event in ("insert", "update")
        ]
    else:
        return
    statements += [f"DROP INDEX {index_name(table)}" for table, _ in LINKS]
    for statement in statements:
        schema_editor.execute(statement)


def fields():
    return [
        (
            "public",
            models.BooleanField(
                db_default=False,
                editable=False,
                help_text="A copy: the article is published. Kept by the database.",
            ),
        ),
        (
            "published_at",
            models.DateTimeField(
                blank=True,
                editable=False,
                help_text=(
                    "A copy of the article's publication time. Kept by the database."
                ),
                null=True,
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_keep_given_search_vector")]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("articleperson", "articletopic")
            for name, field in fields()
        ),
        migrations.RunPython(forward, backward),
    ]
