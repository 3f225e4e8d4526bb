"""An index for an outlet's public list on PostgreSQL; nothing to do on SQLite.

An outlet's page, feed, facets and `?outlet=` lists order its published articles
by `published_at DESC NULLS LAST, id DESC`. article_outlet_date_idx is (outlet,
published_at DESC, id DESC), which PostgreSQL keeps NULLS FIRST, so it cannot
give that order: each request read all of the outlet's articles and sorted them
(about 190 ms for an outlet with 9,000 articles at a million, before the pages
were cached). This partial index gives the order directly. As in 0009, SQLite
refuses NULLS LAST in an index (and sorts NULL last when descending anyway).
"""

from django.db import migrations

# WHERE status = 'published' mirrors Article.objects.published().
FORWARD = """
CREATE INDEX IF NOT EXISTS article_outlet_public_idx ON articles_article
  (outlet_id, published_at DESC NULLS LAST, id DESC)
  WHERE status = 'published';
"""

BACKWARD = "DROP INDEX IF EXISTS article_outlet_public_idx;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_link_listing_copies")]

    operations = [migrations.RunPython(forward, backward)]
