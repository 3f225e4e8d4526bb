from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Topic,
)
from articles.text import content_hash, count_words, normalise_body
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command("generate_corpus", stdout=StringIO(), **options)


def test_fills_an_empty_archive():
    generate(articles=300, seed=7, batch_size=120)

    assert Article.objects.count() == 300
    assert Outlet.objects.count() == 30
    assert Person.objects.count() == 500
    assert Topic.objects.count() >= 50
    assert Topic.objects.filter(parent__isnull=False).exists()
    assert len(set(Outlet.objects.values_list("country", flat=True))) >= 10
    assert len(set(Outlet.objects.values_list("language", flat=True))) >= 10
    assert Person.objects.exclude(aliases=[]).count() == 500

    statuses = dict(
        Article.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    assert set(statuses) == set(Article.Status.values)
    assert statuses["published"] > 0.8 * 300
    assert Article.objects.filter(published_at__isnull=True).exists()
    years = Article.objects.dates("published_at", "year")
    assert years[len(years) - 1].year - years[0].year >= 10

    assert len(set(Article.objects.values_list("slug", flat=True))) == 300
    assert len(set(Article.objects.values_list("content_hash", flat=True))) == 300

    person_links = Article.objects.annotate(n=Count("person_links")).values_list(
        "n", flat=True
    )
    assert all(2 <= n <= 4 for n in person_links)
    topic_links = Article.objects.annotate(n=Count("topic_links")).values_list(
        "n", flat=True
    )
    assert all(1 <= n <= 3 for n in topic_links)
    assert not ArticlePerson.objects.exclude(state=LinkState.CONFIRMED).exists()
    assert not ArticleTopic.objects.exclude(state=LinkState.CONFIRMED).exists()
    assert ArticlePerson.objects.filter(role="author").count() == 300


def test_derived_fields_are_those_save_would_set():
    generate(articles=20)
    for article in Article.objects.all():
        assert article.body == normalise_body(article.body)
        assert article.content_hash == content_hash(article.body)
        assert article.word_count == count_words(article.body) > 100


def test_bodies_name_the_people_they_are_linked_to():
    generate(articles=30)
    links = ArticlePerson.objects.exclude(role="author").select_related(
        "article", "person"
    )
    for link in links:
        surname = link.person.name.split(" ", 1)[1]
        assert surname in link.article.body


def test_same_seed_same_corpus():
    with transaction.atomic():
        generate(articles=15, seed=3)
        first = list(
            Article.objects.order_by("pk").values_list("title", "content_hash")
        )
        transaction.set_rollback(True)
    assert not Article.objects.exists()
    generate(articles=15, seed=3)
    again = list(Article.objects.order_by("pk").values_list("title", "content_hash"))
    assert again == first


def test_refuses_an_archive_that_has_articles():
    ArticleFactory()
    with pytest.raises(CommandError, match="only fills an empty archive"):
        generate(articles=10)
    assert Article.objects.count() == 1
