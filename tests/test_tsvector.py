"""Search vectors made in Python (articles.tsvector) against PostgreSQL's own."""

import pytest
from django.db import connection

from articles.models import Article
from articles.tsvector import EXPRESSION, Lexicon, Vectors
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="search vectors are PostgreSQL's"
    ),
]

TEXTS = [
    ("Erdoğan and Putin meet", "Sochi. The talks", "Sochi. The talks went on."),
    ("", "", ""),
    ("the of and", "a", "to by the"),  # stop words only
    ("Al-Assad's co-op", "“Quoted” words, again", "Talks talks TALKS talked."),
    ("2024 budget: 3.5 % growth", "U.S. officials", "Ministry's e-mail, 10-year plan"),
    ("Кремль и Анкара", "Şişli, İzmir", "naïve café — résumé…\n\nNew paragraph."),
    ("ends with the", "starts The end", "the"),
    ("x " * 40, "lead", "word " * 255),  # one lexeme in all the places it can
]


def postgres_vector(title, lead, body):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({EXPRESSION.format(t='')})::text FROM "
            "(SELECT %s AS title, %s AS lead, %s AS body) AS article",
            [title, lead, body],
        )
        return cursor.fetchone()[0]


def as_tsvector(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [text])
        return cursor.fetchone()[0]


def spelt(title, lead, body):
    """The vector generate_corpus's workers would write for these texts."""
    lexicon = Lexicon(Vectors(connection.cursor))
    return lexicon.vector(lexicon.of(title), lexicon.of(lead), lexicon.of(body))


@pytest.mark.parametrize("texts", TEXTS, ids=range(len(TEXTS)))
def test_a_vector_made_in_python_is_the_triggers(texts):
    assert as_tsvector(spelt(*texts)) == postgres_vector(*texts)


def test_chunks_are_looked_up_once():
    vectors = Vectors(connection.cursor)
    assert vectors.learn(["Talks in Ankara, talks"]) == 4
    assert vectors.learn(["talks in Ankara, again"]) == 1  # only "again"


@pytest.mark.parametrize(
    "body",
    ["word " * 256, " ".join(f"w{n}" for n in range(16_400))],
    ids=["a lexeme in too many places", "a position past the highest"],
)
def test_vectors_cut_short_by_tsvectors_limits_are_left_to_the_trigger(body):
    assert spelt("title", "lead", body) is None


def insert_copy(cursor, article, suffix, vector):
    """Insert a copy of article with this search vector; return the one stored."""
    table = Article._meta.db_table
    columns = [
        f.column
        for f in Article._meta.concrete_fields
        if f.column not in ("id", "slug", "url", "content_hash", "search_vector")
    ]
    names = ", ".join(columns)
    cursor.execute(
        f"INSERT INTO {table} ({names}, slug, url, content_hash, search_vector) "
        f"SELECT {names}, slug || %s, url || %s, md5(content_hash || %s), %s "
        f"FROM {table} WHERE id = %s RETURNING search_vector::text",
        [suffix, f"?{suffix}", suffix, vector, article.pk],
    )
    return cursor.fetchone()[0]


def test_the_trigger_keeps_a_given_vector_only_when_told_to():
    article = ArticleFactory(title="Pipeline talks", lead="Gas.", body="Gas flows.")
    expected = postgres_vector(article.title, article.lead, article.body)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL archive.keep_search_vector = 'on'")
        # A wrong vector shows that it was kept rather than computed again.
        assert insert_copy(cursor, article, "-kept", "'wrong':1") == "'wrong':1"
        assert insert_copy(cursor, article, "-none", None) == expected
        cursor.execute("SET LOCAL archive.keep_search_vector = 'off'")
        assert insert_copy(cursor, article, "-off", "'wrong':1") == expected
