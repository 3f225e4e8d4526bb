"""The published-article counts of outlets, people and topics are kept in their
rows: every way their articles or links change recounts them at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.counts import recount_all
from articles.models import Article, ArticlePerson, LinkState, Outlet, Person, Topic
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def counts(*objects):
    return [type(o).objects.get(pk=o.pk).published_count for o in objects]


@pytest.fixture
def linked():
    outlet, person, topic = OutletFactory(), PersonFactory(), TopicFactory()
    articles = [ArticleFactory(outlet=outlet) for _ in range(3)]
    for article in articles:
        ArticlePersonFactory(article=article, person=person)
        ArticleTopicFactory(article=article, topic=topic)
    return outlet, person, topic, articles


def test_links_and_articles_count_as_they_are_made(linked):
    outlet, person, topic, _ = linked
    assert counts(outlet, person, topic) == [3, 3, 3]


def test_a_second_role_in_one_article_counts_once(linked):
    _, person, _, articles = linked
    ArticlePersonFactory(
        article=articles[0], person=person, role=ArticlePerson.Role.QUOTED
    )
    assert counts(person) == [3]


def test_status_changes_move_the_counts(linked):
    outlet, person, topic, articles = linked
    article = articles[0]
    article.status = Article.Status.DRAFT
    article.save()
    assert counts(outlet, person, topic) == [2, 2, 2]
    Article.objects.filter(pk=articles[1].pk).set_status(
        Article.Status.WITHDRAWN, reason="Retracted."
    )
    assert counts(outlet, person, topic) == [1, 1, 1]
    Article.objects.filter(pk__in=[a.pk for a in articles]).set_status(
        Article.Status.PUBLISHED
    )
    assert counts(outlet, person, topic) == [3, 3, 3]


def test_moving_an_article_to_another_outlet_recounts_both(linked):
    outlet, _, _, articles = linked
    other = OutletFactory()
    article = articles[0]
    article.outlet = other
    article.save()
    assert counts(outlet, other) == [2, 1]


def test_suggested_links_count_once_confirmed(linked):
    *_, articles = linked
    newcomer = PersonFactory()
    new_topic = TopicFactory()
    for article in articles[:2]:
        ArticlePersonFactory(
            article=article, person=newcomer, state=LinkState.SUGGESTED
        )
        ArticleTopicFactory(article=article, topic=new_topic, state=LinkState.SUGGESTED)
    assert counts(newcomer, new_topic) == [0, 0]
    services.confirm_suggestions(
        articles=Article.objects.filter(pk__in=[a.pk for a in articles])
    )
    assert counts(newcomer, new_topic) == [2, 2]


def test_bulk_tagging_and_untagging_recount(linked):
    _, _, topic, articles = linked
    selected = Article.objects.filter(pk__in=[a.pk for a in articles])
    other = TopicFactory()
    services.add_topic(articles=selected, topic=other)
    assert counts(other) == [3]
    services.remove_topic(articles=selected, topic=topic)
    assert counts(topic) == [0]


def test_deleting_articles_and_links_recounts(linked):
    outlet, person, topic, articles = linked
    ArticlePerson.objects.filter(article=articles[0], person=person).delete()
    assert counts(person) == [2]
    articles[1].delete()
    assert counts(outlet, person, topic) == [2, 1, 2]


def test_recount_all_repairs_counts_written_around_the_signals(linked):
    outlet, person, topic, _ = linked
    Outlet.objects.update(published_count=99)
    Person.objects.update(published_count=99)
    Topic.objects.update(published_count=0)
    recount_all()
    assert counts(outlet, person, topic) == [3, 3, 3]


def test_the_demo_is_counted_when_loaded(demo):
    lavrov = Person.objects.get(slug="sergey-lavrov")
    published = (
        Article.objects.published()
        .filter(person_links__person=lavrov, person_links__state="confirmed")
        .distinct()
        .count()
    )
    assert published > 0
    assert lavrov.published_count == published


@pytest.mark.parametrize("path", ["/people/", "/topics/", "/outlets/"])
def test_indexes_read_the_counts_without_counting(client, linked, path):
    for _ in range(3):
        PersonFactory(), TopicFactory(), OutletFactory()  # none published: unlisted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert '<td class="number">3</td>' in response.content.decode()
    sql = " ".join(q["sql"] for q in queries).upper()
    assert "COUNT(" not in sql
