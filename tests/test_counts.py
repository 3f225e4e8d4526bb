"""The published-article counts of outlets, people and topics are kept in their
rows: every way their articles or links change recounts them at once."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.counts import recount, recount_all
from articles.models import (
    Article,
    ArticlePerson,
    LinkState,
    Outlet,
    Person,
    Topic,
)
from articles.search import Question
from articles.timelines import monthly_counts
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
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


def test_rejecting_suggestions_recounts_nothing_per_link(linked):
    *_, articles = linked
    selected = Article.objects.filter(pk__in=[a.pk for a in articles])

    def reject_after_suggesting(n):
        for _ in range(n):
            for article in articles:
                ArticlePersonFactory(article=article, state=LinkState.SUGGESTED)
        with CaptureQueriesContext(connection) as queries:
            services.reject_suggestions(articles=selected)
        return len(queries)

    few, many = reject_after_suggesting(1), reject_after_suggesting(4)
    # Each removed link still writes its history row and touches its article;
    # no recount queries on top.
    assert many - few <= 2 * len(articles) * (4 - 1)


def test_a_link_saved_from_or_to_confirmed_recounts(linked):
    _, person, _, articles = linked
    link = ArticlePerson.objects.get(article=articles[0], person=person)
    link.state = LinkState.SUGGESTED
    link.save()
    assert counts(person) == [2]
    link.state = LinkState.CONFIRMED
    link.save()
    assert counts(person) == [3]
    unloaded = ArticlePerson.objects.get(pk=link.pk)
    del unloaded._stored_state  # as if built in memory, not read
    unloaded.state = LinkState.SUGGESTED
    unloaded.save()
    assert counts(person) == [2]


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


# Counts per month, read by the coverage timelines from the search index,
# which every write reaches through the outbox


def kept(entity):
    """The entity's timeline as its page draws it (the search index's counts)."""
    within = {
        Outlet: lambda e: {"outlets": frozenset([e.pk])},
        Person: lambda e: {"people": (e.pk,)},
        Topic: lambda e: {"topics": (e.pk,)},
    }[type(entity)](entity)
    return monthly_counts(Question(**within))


def counted(entity):
    """The entity's published articles per month, counted in the database."""
    articles = Article.objects.published().filter(published_at__isnull=False)
    if isinstance(entity, Outlet):
        articles = articles.filter(outlet=entity)
    else:
        links = type(entity).article_links.rel.related_model.objects.filter(
            state=LinkState.CONFIRMED, **{type(entity)._meta.model_name: entity}
        )
        articles = articles.filter(pk__in=links.values("article_id"))
    months = Counter(
        dt.date(at.year, at.month, 1)
        for at in articles.values_list("published_at", flat=True)
    )
    return dict(months)


def assert_kept(*entities):
    for entity in entities:
        shown = {m.month: m.count for m in kept(entity) if m.count}
        assert shown == counted(entity), entity


def at(year, month, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def spread(linked):
    """The linked articles in January, February and April 2021."""
    dates = [at(2021, 1), at(2021, 2), at(2021, 4)]
    for article, when in zip(linked[3], dates, strict=True):
        article.published_at = when
        article.save()
    return linked


def test_monthly_counts_follow_articles_and_links(spread):
    outlet, person, topic, _ = spread
    assert [(m.month, m.count) for m in kept(person)] == [
        (dt.date(2021, 1, 1), 1),
        (dt.date(2021, 2, 1), 1),
        (dt.date(2021, 3, 1), 0),
        (dt.date(2021, 4, 1), 1),
    ]
    assert_kept(outlet, person, topic)


def test_moving_the_date_to_another_month_moves_the_count(spread):
    outlet, person, topic, articles = spread
    articles[2].published_at = at(2021, 1, 31)
    articles[2].save()
    assert [m.count for m in kept(topic)] == [2, 1]
    articles[0].published_at = None
    articles[0].save()
    assert [m.count for m in kept(outlet)] == [1, 1]
    assert_kept(outlet, person, topic)


def test_a_date_changed_on_an_article_loaded_without_it_moves_the_count(spread):
    outlet, person, topic, articles = spread
    article = Article.objects.defer("published_at").get(pk=articles[2].pk)
    article.published_at = at(2021, 2, 1)
    article.save()
    assert [m.count for m in kept(person)] == [1, 2]
    assert_kept(outlet, person, topic)


def test_publishing_and_withdrawing_move_the_monthly_counts(spread):
    outlet, person, topic, articles = spread
    articles[1].status = Article.Status.DRAFT
    articles[1].save()
    assert [m.count for m in kept(person)] == [1, 0, 0, 1]
    selected = Article.objects.filter(pk__in=[a.pk for a in articles])
    selected.set_status(Article.Status.WITHDRAWN, reason="Retracted.")
    assert kept(outlet) == kept(person) == kept(topic) == []
    selected.set_status(Article.Status.PUBLISHED)
    assert len(kept(topic)) == 4
    assert_kept(outlet, person, topic)


def test_bulk_tagging_moves_the_monthly_counts(spread):
    _, _, topic, articles = spread
    other = PersonFactory()
    selected = Article.objects.filter(pk=articles[2].pk)
    services.add_person(articles=selected, person=other, role=ArticlePerson.Role.QUOTED)
    assert [m.count for m in kept(other)] == [1]
    assert [m.count for m in kept(topic)] == [1, 1, 0, 1]


def test_links_added_removed_and_deleted_move_the_monthly_counts(spread):
    outlet, person, topic, articles = spread
    selected = Article.objects.filter(pk__in=[a.pk for a in articles[:2]])
    other = TopicFactory()
    services.add_topic(articles=selected, topic=other)
    assert [m.count for m in kept(other)] == [1, 1]
    services.remove_topic(articles=selected, topic=topic)
    assert [m.count for m in kept(topic)] == [1]
    ArticlePerson.objects.filter(article=articles[2], person=person).delete()
    assert [m.count for m in kept(person)] == [1, 1]
    articles[0].delete()
    assert [m.count for m in kept(outlet)] == [1, 0, 1]
    assert_kept(outlet, person, topic, other)


def test_suggested_links_and_second_roles_count_once(spread):
    _, person, _, articles = spread
    ArticlePersonFactory(
        article=articles[0], person=person, role=ArticlePerson.Role.QUOTED
    )
    newcomer = PersonFactory()
    ArticlePersonFactory(article=articles[0], person=newcomer, state="suggested")
    assert [m.count for m in kept(person)] == [1, 1, 0, 1]
    assert kept(newcomer) == []
    assert_kept(person, newcomer)


def test_an_article_moved_to_another_outlet_moves_its_count(spread):
    outlet, _, topic, articles = spread
    other = OutletFactory()
    articles[0].outlet = other
    articles[0].save()
    assert [m.count for m in kept(other)] == [1]
    assert [m.count for m in kept(outlet)] == [1, 0, 1]
    assert_kept(outlet, other, topic)


@pytest.mark.parametrize("kind", ["outlet", "person", "topic"])
def test_entity_pages_take_as_many_queries_for_many_articles(client, kind):
    outlet, person, topic = OutletFactory(), PersonFactory(), TopicFactory()
    entity = {"outlet": outlet, "person": person, "topic": topic}[kind]

    def add(n):
        for i in range(n):
            article = ArticleFactory(outlet=outlet, published_at=at(2015 + i % 9, 1))
            ArticlePersonFactory(article=article, person=person)
            ArticleTopicFactory(article=article, topic=topic)
            QuoteFactory(article=article, speaker=person)

    def queries():
        client.get(entity.get_absolute_url())  # the index catches up first
        with CaptureQueriesContext(connection) as captured:
            assert client.get(entity.get_absolute_url()).status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(30)
    assert queries() == few


def test_saving_an_entity_read_before_its_count_changed_keeps_the_new_count(linked):
    outlet, person, topic, articles = linked
    # Copies read now, as an admin form or a merge reads them, then edited after
    # an article was withdrawn meanwhile.
    stale = [type(o).objects.get(pk=o.pk) for o in (outlet, person, topic)]
    Article.objects.filter(pk=articles[0].pk).set_status(
        Article.Status.WITHDRAWN, reason="Retracted by the outlet."
    )
    for copy in stale:
        copy.description = "Edited by a curator."
        copy.save()
    assert counts(outlet, person, topic) == [2, 2, 2]
    assert [type(o).objects.get(pk=o.pk).description for o in stale] == [
        "Edited by a curator."
    ] * 3


def test_recounting_everything_at_once_agrees_with_recounting_each():
    """On PostgreSQL a recount of every row is one statement per table (a
    grouping of all the links); a recount of some rows looks each one up."""
    options = {"articles": 300, "people": 300, "topics": 80}
    call_command("generate_corpus", stdout=StringIO(), **options)

    def kept():
        return {
            model: sorted(model.objects.values_list("pk", "published_count"))
            for model in (Outlet, Person, Topic)
        }

    for model in (Outlet, Person, Topic):
        model.objects.update(published_count=0)
    recount_all()
    at_once = kept()
    assert sum(n for _, n in at_once[Person]) > 300
    for model in (Outlet, Person, Topic):
        model.objects.update(published_count=0)
        recount(model, list(model.objects.values_list("pk", flat=True)))
    assert kept() == at_once
