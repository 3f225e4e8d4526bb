"""Coverage timelines on outlet, person and topic pages, and a topic's attention
across outlets."""

import datetime as dt

import pytest

from articles.search import Question, sync
from articles.timelines import attention, monthly_counts
from tests.factories import (
    ArticleFactory,
    ArticleTopicFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def of_outlet(outlet):
    return Question(outlets=frozenset([outlet.pk]))


def of_topic(topic):
    return Question(topics=(topic.pk,))


def at(year, month, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def test_monthly_counts_fill_gaps_and_skip_unpublished(django_assert_num_queries):
    outlet = OutletFactory()
    for when in [at(2020, 1), at(2020, 1, 20), at(2020, 4)]:
        ArticleFactory(outlet=outlet, published_at=when)
    ArticleFactory(outlet=outlet, published_at=at(2020, 2), status="draft")
    ArticleFactory(outlet=outlet, published_at=None)
    sync.catch_up()  # what the articles' commit applies
    # The search index counts; the one query asks whether it is caught up.
    with django_assert_num_queries(1):
        counts = monthly_counts(of_outlet(outlet))
    assert [(c.month.isoformat(), c.count) for c in counts] == [
        ("2020-01-01", 2),
        ("2020-02-01", 0),
        ("2020-03-01", 0),
        ("2020-04-01", 1),
    ]


def test_outlet_page_draws_one_bar_per_month_with_a_table(client):
    outlet = OutletFactory()
    for month in (1, 3):
        ArticleFactory(outlet=outlet, published_at=at(2021, month))
    page = client.get(outlet.get_absolute_url()).content.decode()
    assert page.count('<rect class="timeline-bar"') == 3
    assert "<title>March 2021: 1 article</title>" in page
    assert "<td>February 2021</td>" in page
    assert "<script" not in page.split('class="timeline"')[1].split("</figure>")[0]


def test_long_coverage_is_drawn_by_year(client):
    outlet = OutletFactory()
    for year in (2008, 2013, 2020):
        ArticleFactory(outlet=outlet, published_at=at(year, 6))
    page = client.get(outlet.get_absolute_url()).content.decode()
    assert page.count('<rect class="timeline-bar"') == 13
    assert "(by year)" in page


def test_attention_shares_are_relative_to_each_outlets_output(
    django_assert_num_queries,
):
    topic = TopicFactory()
    small, big = OutletFactory(name="Small"), OutletFactory(name="Big")
    for n in range(4):
        article = ArticleFactory(outlet=small, published_at=at(2020, 5, n + 1))
        if n < 2:
            ArticleTopicFactory(article=article, topic=topic)
    for n in range(20):
        article = ArticleFactory(outlet=big, published_at=at(2020, 5, n + 1))
        if n < 3:
            ArticleTopicFactory(article=article, topic=topic)
    ArticleTopicFactory(
        article=ArticleFactory(outlet=small, published_at=at(2020, 5), status="draft"),
        topic=topic,
    )
    sync.catch_up()
    with django_assert_num_queries(3):
        result = attention(of_topic(topic))
    assert result.periods == ["May 2020"]
    rows = {row.outlet: row for row in result.rows}
    assert rows["Small"].cells == [(2, 0.5)]
    assert rows["Big"].cells == [(3, 0.15)]


def test_attention_keeps_the_most_attentive_outlets(db):
    topic = TopicFactory()
    for n in range(5):
        outlet = OutletFactory(name=f"Outlet {n}")
        for _ in range(n + 1):
            ArticleTopicFactory(article=ArticleFactory(outlet=outlet), topic=topic)
    names = [row.outlet for row in attention(of_topic(topic), outlets_limit=2).rows]
    assert names == ["Outlet 4", "Outlet 3"]


def test_topic_page_shows_attention_escaped(client):
    topic = TopicFactory()
    outlet = OutletFactory(name="<b>Evil</b>")
    ArticleTopicFactory(article=ArticleFactory(outlet=outlet), topic=topic)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Attention by outlet" in page
    assert "&lt;b&gt;Evil&lt;/b&gt;" in page and "<b>Evil</b>" not in page
