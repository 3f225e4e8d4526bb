"""Indexes for the admin's article changelist and the article page at a million
articles.

article_newest_idx gives the changelist's order (`published_at DESC, id DESC`,
the model's ordering; Django appends the id) without sorting the table, and the
date hierarchy's first and last dates from its two ends. On PostgreSQL a trigram
index on the upper-cased title serves the admin's title search (Django's
`icontains` is `UPPER(title) LIKE UPPER('%word%')`), which otherwise reads every
row. SQLite has no trigram indexes; its databases are small. The language
index and the partial "date inferred" index give those filters' lists and
counts without reading every article; the partial indexes of suggested links
give the "suggestions awaiting review" filter its look-ups.

articletopic_topic_latest_idx gives the article page's related coverage a
topic's latest links from the index alone (see views.related_coverage).
"""

from django.db import migrations, models

FORWARD = """
CREATE INDEX IF NOT EXISTS article_title_trgm_idx ON articles_article
  USING gin ((UPPER(title::text)) gin_trgm_ops);
"""

BACKWARD = "DROP INDEX IF EXISTS article_title_trgm_idx;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_monthly_counts")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["-published_at", "-id"], name="article_newest_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["language", "-published_at", "-id"],
                name="article_language_date_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("date_inferred", True)),
                fields=["-published_at", "-id"],
                name="article_inferred_date_idx",
            ),
        ),
        *(
            migrations.AddIndex(
                model_name=model,
                index=models.Index(
                    condition=models.Q(("state", "suggested")),
                    fields=["article"],
                    name=f"{model}_suggested_idx",
                ),
            )
            for model in ("articleperson", "articletopic", "quote", "candidateperson")
        ),
        migrations.AddIndex(
            model_name="articletopic",
            index=models.Index(
                fields=["topic", "state", "-article"],
                name="articletopic_topic_latest_idx",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
