import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from articles import corpus, search
from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Quote,
    SearchChange,
    Topic,
)
from articles.text import content_hash, count_words, normalise_body
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SMALL = {"people": 400, "topics": 150}


def generate(**options):
    call_command("generate_corpus", stdout=StringIO(), **{**SMALL, **options})


def snapshot():
    """The corpus by names: ids of people and topics depend on the database's
    sequences, which a rolled-back transaction still moves on PostgreSQL."""
    return {
        "articles": list(
            Article.objects.order_by("pk").values_list(
                "pk", "title", "slug", "content_hash", "status", "published_at"
            )
        ),
        "people": sorted(
            ArticlePerson.objects.values_list(
                "article", "person__name", "role", "state"
            )
        ),
        "topics": sorted(
            ArticleTopic.objects.values_list("article", "topic__name", "state")
        ),
        "quotes": sorted(
            Quote.objects.values_list(
                "article", "speaker__name", "text", "start", "end"
            )
        ),
    }


def test_fills_an_empty_archive():
    generate(articles=600, seed=7, batch_size=250)

    assert Article.objects.count() == 600
    assert Outlet.objects.count() == 200
    assert len(set(Outlet.objects.values_list("country", flat=True))) >= 30
    assert len(set(Outlet.objects.values_list("language", flat=True))) >= 15
    assert Person.objects.count() == 400
    assert Person.objects.exclude(aliases=[]).count() == 400
    assert Topic.objects.count() == 150
    assert Topic.objects.filter(parent__parent__isnull=False).exists()

    statuses = dict(
        Article.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    assert set(statuses) == set(Article.Status.values)
    assert statuses["published"] > 0.8 * 600
    assert not Article.objects.filter(status="withdrawn", withdrawal_reason="").exists()
    assert Article.objects.filter(published_at__isnull=True).exists()
    years = Article.objects.dates("published_at", "year")
    assert years[len(years) - 1].year - years[0].year >= 12
    # Coverage grows: the last five years hold more than the first five.
    first, last = years[0].year, years[len(years) - 1].year
    early = Article.objects.filter(published_at__year__lt=first + 5).count()
    late = Article.objects.filter(published_at__year__gt=last - 5).count()
    assert late > early
    # Big outlets publish far more than small ones.
    per_outlet = sorted(
        Outlet.objects.annotate(n=Count("articles")).values_list("n", flat=True)
    )
    assert per_outlet[-1] > 10 * max(1, per_outlet[len(per_outlet) // 2])

    assert len(set(Article.objects.values_list("slug", flat=True))) == 600
    assert len(set(Article.objects.values_list("content_hash", flat=True))) == 600
    words = sorted(Article.objects.values_list("word_count", flat=True))
    assert 200 < words[300] < 600 and words[-1] > 2 * words[300]

    assert ArticlePerson.objects.filter(role="author").count() == 600
    topic_links = Article.objects.annotate(n=Count("topic_links")).values_list(
        "n", flat=True
    )
    assert all(1 <= n <= 3 for n in topic_links)
    assert ArticlePerson.objects.filter(state=LinkState.SUGGESTED).exists()
    assert ArticlePerson.objects.filter(state=LinkState.CONFIRMED).count() > 1500


def test_quotes_are_the_text_at_their_offsets():
    generate(articles=200)
    quotes = Quote.objects.select_related("article")
    assert quotes.count() > 50
    for quote in quotes:
        assert quote.article.body[quote.start : quote.end] == quote.text
        quote.full_clean()


def test_derived_fields_are_those_save_would_set():
    generate(articles=40)
    for article in Article.objects.all():
        assert article.body == normalise_body(article.body)
        assert article.content_hash == content_hash(article.body)
        assert article.word_count == count_words(article.body) > 40


def test_bodies_name_the_people_they_are_linked_to():
    generate(articles=40)
    links = ArticlePerson.objects.exclude(role="author").select_related(
        "article", "person"
    )
    for link in links:
        surname = link.person.name.split(" ", 1)[1]
        assert surname in link.article.body


def test_new_articles_get_ids_after_the_generated_ones():
    generate(articles=30)
    article = ArticleFactory()
    assert article.pk > 30


def test_same_seed_same_corpus():
    with transaction.atomic():
        generate(articles=25, seed=3, batch_size=10)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Article.objects.exists()
    generate(articles=25, seed=3, batch_size=10)
    assert snapshot() == first


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY workers are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_copy_workers_write_the_same_corpus_as_one_process():
    """Outside a transaction, PostgreSQL batches go through worker processes with
    COPY, the secondary indexes dropped and rebuilt; the corpus is the same."""

    def schema():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes ORDER BY indexname")
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint ORDER BY 1, 2"
            )
            return indexes, cursor.fetchall()

    before = schema()
    output = StringIO()
    call_command(
        "generate_corpus",
        stdout=output,
        **SMALL,
        articles=60,
        seed=5,
        batch_size=16,
        workers=2,
    )
    assert "Search index: 60 articles" in output.getvalue()
    by_workers = snapshot()
    assert schema() == before  # indexes and foreign keys built again
    assert indexed() == sorted(Article.objects.values_list("pk", flat=True))
    assert not SearchChange.objects.exists()  # the workers wrote no outbox rows
    ArticleFactory()  # the id sequence moved past the generated ids

    Article.objects.all().delete()
    while Topic.objects.exists():  # leaves first: parents are protected
        Topic.objects.filter(children=None).delete()
    Person.objects.all().delete()
    Outlet.objects.all().delete()
    with transaction.atomic():
        generate(articles=60, seed=5, batch_size=16)
        in_process = snapshot()
        transaction.set_rollback(True)
    assert in_process == by_workers


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY workers are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_workers_that_cannot_connect_stop_it_before_anything_is_written(monkeypatch):
    from articles.management.commands import generate_corpus

    monkeypatch.setattr(generate_corpus, "LOADING", "-c work_mem=plenty")
    with pytest.raises(CommandError, match="workers could not open a connection"):
        generate(articles=20, workers=2)
    assert not Outlet.objects.exists() and not Person.objects.exists()


def indexed() -> list[int]:
    """The ids of the articles the search index holds."""
    return sorted(search.sync.engine().stamps())


def test_the_search_index_holds_every_article_as_the_database_has_it():
    generate(articles=120, seed=4, batch_size=50)
    assert indexed() == sorted(Article.objects.values_list("pk", flat=True))
    # Built whole: nothing waits in the outbox, and nothing differs.
    assert not SearchChange.objects.exists()
    assert search.sync.check() == {"missing": [], "extra": [], "stale": []}
    published = Article.objects.published().count()
    assert search.find(search.Question()).total == published


def test_refuses_an_archive_that_has_articles():
    ArticleFactory()
    with pytest.raises(CommandError, match="only fills an empty archive"):
        generate(articles=10)
    assert Article.objects.count() == 1


def test_refuses_nonsense_sizes():
    with pytest.raises(CommandError, match="--articles must be at least 1"):
        generate(articles=0)
    assert not Outlet.objects.exists()


def test_every_body_counts_its_words_as_count_words_would():
    """Bodies are made of whole words and punctuation, so the generator counts
    a body's words by its spaces; thousands of bodies, no database."""
    rng = random.Random(2)
    plan = corpus.Plan(
        2,
        outlets=[(n, f"outlet{n}.example", "Ankara", "tr") for n in range(1, 31)],
        people=list(enumerate(corpus.person_names(rng, 3000), start=1)),
        topics=list(range(1, 101)),
    )
    now = timezone.now()
    body, counted = (corpus.ARTICLE_COLUMNS.index(c) for c in ("body", "word_count"))
    bodies = 0
    for number in range(4):
        rows = plan.batch(number, number * 1000 + 1, 1000, now)
        for row in rows.articles:
            assert row[counted] == count_words(row[body])
            bodies += 1
    assert bodies == 4000
