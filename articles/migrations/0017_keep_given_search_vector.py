"""Let a bulk load give its own search vectors (PostgreSQL only).

The trigger from 0007 computes every inserted article's search vector. A session
that sets `archive.keep_search_vector` to `on` (generate_corpus's workers, which
build the same vectors in Python, see articles/tsvector.py) keeps the vector it
inserts instead. Updates of title, lead or body are recomputed as before, and
without the setting nothing changes. A session that can insert articles can
already write search_vector directly, so the setting grants nothing new.
"""

from django.db import migrations

EXPRESSION = """
  NEW.search_vector :=
    setweight(to_tsvector('archive', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('archive', coalesce(NEW.lead, '')), 'B') ||
    setweight(to_tsvector('archive', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
"""

FORWARD = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.search_vector IS NOT NULL
     AND current_setting('archive.keep_search_vector', true) = 'on' THEN
    RETURN NEW;
  END IF;
{EXPRESSION}
END
$$ LANGUAGE plpgsql;
"""

BACKWARD = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
{EXPRESSION}
END
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_one_topic_links_index")]

    operations = [migrations.RunPython(forward, backward)]
