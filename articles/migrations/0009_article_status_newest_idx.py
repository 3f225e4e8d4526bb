"""An index for the public lists' order on PostgreSQL; nothing to do on SQLite.

The API's keyset pagination and ArticleQuerySet.newest_first order published
articles by `published_at DESC NULLS LAST, id DESC` (undated articles last).
article_status_date_idx is (status, published_at DESC, id DESC), which
PostgreSQL keeps NULLS FIRST, so it cannot give that order and every page of
the list sorted all published articles (about 100 ms at 100,000 articles; see
docs/benchmarks.md). This index gives it directly. The old index stays: read
forwards it serves the export's plain -published_at order, backwards the
oldest-first lists.

SQLite refuses NULLS LAST in an index, so the index is not in the model's Meta
(from where SQLite's table rebuilds would recreate it) but here, as the search
indexes are in 0007.
"""

from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS article_status_newest_idx ON articles_article
  (status, published_at DESC NULLS LAST, id DESC NULLS LAST);
"""

BACKWARD = "DROP INDEX IF EXISTS article_status_newest_idx;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_tombstones")]

    operations = [migrations.RunPython(forward, backward)]
