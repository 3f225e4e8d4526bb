"""Links keep their article's status and date (migration 0018), whoever writes
them, and the person and topic pages, filters and feeds list from those copies."""

import datetime as dt

import pytest
from django.urls import reverse

from articles.models import Article, ArticlePerson, ArticleTopic, LinkState
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2021, 3, 4, 12, tzinfo=dt.UTC)


def copies(link):
    return type(link).objects.values_list("public", "published_at").get(pk=link.pk)


@pytest.mark.parametrize("factory", [ArticlePersonFactory, ArticleTopicFactory])
def test_a_new_link_copies_its_article(factory):
    published = factory(article=ArticleFactory(published_at=DAY))
    draft = factory(article=ArticleFactory(status=Article.Status.DRAFT))
    undated = factory(article=ArticleFactory(published_at=None))
    assert copies(published) == (True, DAY)
    assert copies(draft)[0] is False
    assert copies(undated) == (True, None)


@pytest.mark.parametrize("factory", [ArticlePersonFactory, ArticleTopicFactory])
def test_an_article_passes_its_status_and_date_to_its_links(factory):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=DAY)
    link = factory(article=article)
    article.status = Article.Status.PUBLISHED
    article.save()
    assert copies(link) == (True, DAY)
    later = DAY + dt.timedelta(days=400)
    Article.objects.filter(pk=article.pk).update(published_at=later)
    assert copies(link) == (True, later)
    Article.objects.filter(pk=article.pk).set_status(
        Article.Status.WITHDRAWN, reason="Duplicate of another report."
    )
    assert copies(link) == (False, later)


def test_a_link_saved_from_a_stale_copy_keeps_the_articles_values():
    link = ArticleTopicFactory(article=ArticleFactory(published_at=DAY))
    stale = ArticleTopic.objects.get(pk=link.pk)
    Article.objects.filter(pk=link.article_id).update(status=Article.Status.DRAFT)
    stale.state = LinkState.SUGGESTED
    stale.save()  # writes public=True, published_at=DAY as loaded
    assert copies(link) == (False, DAY)


def test_a_link_moved_to_another_article_copies_that_one():
    link = ArticlePersonFactory(article=ArticleFactory(published_at=DAY))
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    link.article = draft
    link.save()
    assert copies(link) == (False, None)


def test_copies_are_not_history():
    link = ArticleTopicFactory()
    fields = {f.name for f in link.history.model._meta.fields}
    assert "topic" in fields
    assert not fields & {"public", "published_at"}


def listed(client, url, **params):
    """The titles of the articles a page lists, in its order."""
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return [a.title for a in response.context["page"].object_list]


def article(title, days, **kwargs):
    at = None if days is None else DAY + dt.timedelta(days=days)
    return ArticleFactory(title=title, published_at=at, **kwargs)


def test_topic_page_lists_published_articles_newest_first_undated_last(client):
    topic = TopicFactory()
    for title, days in [("Beta", 2), ("Undated", None), ("Gamma", 3), ("Alpha", 1)]:
        ArticleTopicFactory(article=article(title, days), topic=topic)
    draft = article("Draft", 5, status=Article.Status.DRAFT)
    ArticleTopicFactory(article=draft, topic=topic)
    suggested = article("Suggested", 6)
    ArticleTopicFactory(article=suggested, topic=topic, state=LinkState.SUGGESTED)
    ArticleTopicFactory(article=article("Elsewhere", 7))
    url = topic.get_absolute_url()
    assert listed(client, url) == ["Gamma", "Beta", "Alpha", "Undated"]
    assert listed(client, url, sort="oldest") == ["Alpha", "Beta", "Gamma", "Undated"]
    Article.objects.filter(title="Draft").update(status=Article.Status.PUBLISHED)
    assert listed(client, url)[0] == "Draft"
    Article.objects.filter(title="Gamma").set_status(
        Article.Status.WITHDRAWN, reason="Withdrawn by the outlet."
    )
    assert "Gamma" not in listed(client, url)


def test_person_page_lists_an_article_once_whatever_their_roles(client):
    person = PersonFactory()
    both = article("Both roles", 2)
    ArticlePersonFactory(article=both, person=person, role=ArticlePerson.Role.AUTHOR)
    ArticlePersonFactory(article=both, person=person, role=ArticlePerson.Role.QUOTED)
    quoted = article("Quoted only", 1)
    ArticlePersonFactory(article=quoted, person=person, role=ArticlePerson.Role.QUOTED)
    url = person.get_absolute_url()
    assert listed(client, url) == ["Both roles", "Quoted only"]
    assert listed(client, reverse("articles:article-list"), person=person.slug) == [
        "Both roles",
        "Quoted only",
    ]
    articles = reverse("articles:article-list")
    assert listed(client, articles, person=person.slug, role="quoted") == [
        "Both roles",
        "Quoted only",
    ]
    assert listed(client, articles, person=person.slug, role="author") == ["Both roles"]


def test_filters_by_topic_person_and_dates_combine(client):
    topic, person = TopicFactory(), PersonFactory()
    for title, days in [("Early", 1), ("Middle", 30), ("Late", 60)]:
        story = article(title, days)
        ArticleTopicFactory(article=story, topic=topic)
        if title != "Late":
            ArticlePersonFactory(article=story, person=person)
    url = reverse("articles:article-list")
    middle = (DAY + dt.timedelta(days=30)).date().isoformat()
    assert listed(client, url, topic=topic.slug, date_from=middle) == [
        "Late",
        "Middle",
    ]
    assert listed(client, url, topic=topic.slug, date_to=middle) == [
        "Middle",
        "Early",
    ]
    assert listed(client, url, topic=topic.slug, person=person.slug) == [
        "Middle",
        "Early",
    ]
    feed = client.get(topic.get_absolute_url() + "feed/").content.decode()
    assert feed.index("Late") < feed.index("Middle") < feed.index("Early")


def test_facets_on_a_topic_page_count_its_published_articles(client):
    topic, other = TopicFactory(name="Gas"), TopicFactory(name="Grain")
    for days in range(3):
        story = article(f"Story {days}", days)
        ArticleTopicFactory(article=story, topic=topic)
        ArticleTopicFactory(article=story, topic=other)
    hidden = article("Hidden", 9, status=Article.Status.REVIEW)
    ArticleTopicFactory(article=hidden, topic=topic)
    ArticleTopicFactory(article=hidden, topic=other)
    response = client.get(topic.get_absolute_url())
    facets = {f.label: f.count for f in response.context["facets"].topic}
    assert facets == {"Gas": 3, "Grain": 3}


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_search_on_a_person_or_topic_page_finds_their_articles(
    client, monkeypatch, sort
):
    """A search gathered by id (a rare word) loads the rows without the links
    that chose the page's order."""
    from articles import search

    monkeypatch.setattr(search, "planned_search", lambda qs: (qs.count(), False))
    person, topic = PersonFactory(), TopicFactory()
    for title, body in [("Pipeline", "A pipeline opened."), ("Grain", "Grain.")]:
        story = ArticleFactory(title=title, body=body)
        ArticlePersonFactory(article=story, person=person)
        ArticleTopicFactory(article=story, topic=topic)
    for entity in (person, topic):
        url = entity.get_absolute_url()
        assert listed(client, url, q="pipeline", sort=sort) == ["Pipeline"]
