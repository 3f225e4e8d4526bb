"""PostgreSQL full-text and trigram search; nothing to do on SQLite.

- the `archive` text search configuration: English stemming over unaccented
  words, so "Erdogan" matches "Erdoğan";
- a trigger that keeps articles_article.search_vector up to date on every insert
  and every update of title, lead or body (bulk updates included);
- a GIN index on the vector, and trigram GIN indexes for typo-tolerant lookups of
  people, topics and outlets by name.

The extensions need a role allowed to create them (a superuser, or the owner of
the database on PostgreSQL 13+ for these trusted extensions).
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'archive') THEN
    CREATE TEXT SEARCH CONFIGURATION archive (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION archive
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('archive', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('archive', coalesce(NEW.lead, '')), 'B') ||
    setweight(to_tsvector('archive', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
CREATE TRIGGER articles_article_search_vector
  BEFORE INSERT OR UPDATE OF title, lead, body ON articles_article
  FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

UPDATE articles_article SET title = title;

CREATE INDEX IF NOT EXISTS article_search_idx
  ON articles_article USING gin (search_vector);
CREATE INDEX IF NOT EXISTS person_name_trgm_idx
  ON articles_person USING gin (name gin_trgm_ops);
CREATE INDEX IF NOT EXISTS topic_name_trgm_idx
  ON articles_topic USING gin (name gin_trgm_ops);
CREATE INDEX IF NOT EXISTS outlet_name_trgm_idx
  ON articles_outlet USING gin (name gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS outlet_name_trgm_idx;
DROP INDEX IF EXISTS topic_name_trgm_idx;
DROP INDEX IF EXISTS person_name_trgm_idx;
DROP INDEX IF EXISTS article_search_idx;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
DROP TEXT SEARCH CONFIGURATION IF EXISTS archive;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search_vector")]

    operations = [migrations.RunPython(forward, backward)]
