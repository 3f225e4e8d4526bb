import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ArticlePerson, LinkState
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.WITHDRAWN]


def test_home_lists_the_latest_published_articles(client):
    old = ArticleFactory(
        title="Old talks", published_at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    )
    new = ArticleFactory(
        title="New talks", published_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    page = client.get(reverse("articles:home")).content.decode()
    assert page.index(new.title) < page.index(old.title)


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_articles_appear_on_no_public_list(client, status):
    hidden = ArticleFactory(title="Secret draft headline", status=status)
    link = ArticlePersonFactory(article=hidden)
    ArticleTopicFactory(article=hidden)
    for url in [reverse("articles:home"), reverse("articles:article-list")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Secret draft headline" not in response.content.decode(), url
    # Named only in unpublished work, its outlet, people and topics are not
    # public either: no page, no feed, no index entry.
    entities = [
        hidden.outlet,
        link.person,
        hidden.topic_links.get().topic,
    ]
    for entity in entities:
        url = entity.get_absolute_url()
        assert client.get(url).status_code == 404, url
        assert client.get(url + "feed/").status_code == 404, url
    for index in ["outlet-list", "person-list", "topic-list"]:
        page = client.get(reverse(f"articles:{index}")).content.decode()
        assert not any(entity.name in page for entity in entities), index


@pytest.mark.parametrize("status", ["draft", "review"])
def test_unpublished_article_permalink_is_404(client, status):
    article = ArticleFactory(status=status)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_withdrawn_article_permalink_shows_the_reason_not_the_text(client):
    article = ArticleFactory(
        status="withdrawn",
        withdrawal_reason="The outlet retracted it: the quote was <fabricated>.",
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert "This article has been withdrawn" in page
    assert "the quote was &lt;fabricated&gt;." in page
    assert article.title in page
    assert "useful exchange" not in page  # the body's words


def test_article_page_shows_the_article_and_its_confirmed_links(client):
    article = ArticleFactory(dateline="MOSCOW", lead="The ministers met.")
    author = ArticlePersonFactory(article=article, role=ArticlePerson.Role.AUTHOR)
    ArticlePersonFactory(
        article=article,
        person=PersonFactory(name="Software Guess"),
        state=LinkState.SUGGESTED,
    )
    topic = ArticleTopicFactory(article=article)
    quote = QuoteFactory(article=article)
    public_note = AnnotationFactory(
        article=article, note="Year inferred from the summit."
    )
    AnnotationFactory(
        article=article, note="Internal: check the date", visibility="internal"
    )

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert article.title in page
    assert "MOSCOW" in page
    assert (
        f'By <a href="{author.person.get_absolute_url()}">{author.person.name}</a>'
        in page
    )
    assert topic.topic.name in page
    assert f'id="quote-{quote.pk}"' in page
    assert public_note.note in page
    assert "Internal: check the date" not in page
    assert "Software Guess" not in page
    assert 'id="p1"' in page and 'id="p2"' in page
    assert article.content_hash in page
    assert article.notes not in page or not article.notes


def test_internal_notes_never_reach_the_public_page(client):
    article = ArticleFactory(notes="Curator only: source unreliable")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "source unreliable" not in page


def test_article_page_runs_a_constant_number_of_queries(client):
    def measure(article):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    small = ArticleFactory()
    ArticlePersonFactory(article=small)
    ArticleTopicFactory(article=small)
    large = ArticleFactory()
    for _ in range(8):
        ArticlePersonFactory(article=large)
        ArticleTopicFactory(article=large)
        AnnotationFactory(article=large)
    for speaker in PersonFactory.create_batch(3):
        QuoteFactory(article=large, speaker=speaker)
    assert measure(large) == measure(small)


def test_wrong_date_in_a_permalink_redirects_to_the_right_one(client):
    article = ArticleFactory(
        slug="talks", published_at=dt.datetime(2016, 8, 16, tzinfo=dt.UTC)
    )
    response = client.get("/articles/2016/08/17/talks/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/2016/08/16/talks/"
    assert (
        client.get("/articles/undated/talks/")["Location"] == article.get_absolute_url()
    )


def test_undated_article_has_an_undated_permalink(client):
    article = ArticleFactory(published_at=None)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Date not stated" in response.content.decode()


def test_inferred_date_is_labelled(client):
    article = ArticleFactory(date_inferred=True)
    assert "(date inferred)" in client.get(article.get_absolute_url()).content.decode()


def test_article_text_is_escaped(client):
    article = ArticleFactory(
        title="<script>alert('t')</script>",
        body="<img src=x onerror=alert(1)>\n\nSecond",
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert('t')</script>" not in page
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def list_queries(client, url):
    # What the articles' commit would have applied to the search index, and
    # the share of everything published per period, counted once and cached.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("kind", ["list", "outlet", "person", "topic"])
def test_list_pages_run_a_constant_number_of_queries(client, settings, kind):
    outlet, person, topic = OutletFactory(), PersonFactory(), TopicFactory()

    def add(n):
        for _ in range(n):
            article = ArticleFactory(outlet=outlet)
            ArticlePersonFactory(article=article, person=person)
            ArticleTopicFactory(article=article, topic=topic)

    url = {
        "list": reverse("articles:article-list"),
        "outlet": outlet.get_absolute_url(),
        "person": person.get_absolute_url(),
        "topic": topic.get_absolute_url(),
    }[kind]
    settings.ARCHIVE_PAGE_SIZE = 30
    add(2)
    few, _ = list_queries(client, url)
    add(40)
    many, page = list_queries(client, url)
    assert page.count('class="card"') == 30
    assert many == few


def test_list_pages_never_count_the_article_table(client):
    """Facets count groups within a bounded sample; nothing counts every row."""
    ArticleFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("articles:article-list"))
        client.get(reverse("articles:home"))
    totals = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and "GROUP BY" not in q["sql"].upper()
    ]
    assert not totals


def test_article_list_pages_newer_and_older(client, settings):
    settings.ARCHIVE_PAGE_SIZE = 2
    articles = [
        ArticleFactory(published_at=dt.datetime(2020, 1, day, tzinfo=dt.UTC))
        for day in (1, 2, 3)
    ]
    first = client.get(reverse("articles:article-list")).content.decode()
    assert articles[2].title in first and articles[0].title not in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get(reverse("articles:article-list"), {"page": 2}).content.decode()
    assert articles[0].title in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("page", ["abc", "-4", "0", "1e400", ""])
def test_odd_page_numbers_never_fail(client, page):
    ArticleFactory()
    assert (
        client.get(reverse("articles:article-list"), {"page": page}).status_code == 200
    )


def test_unknown_pages_answer_a_friendly_404(client):
    response = client.get("/outlets/no-such-outlet/")
    assert response.status_code == 404
    assert "There is no public page at this address" in response.content.decode()


def test_topic_page_shows_its_parent(client):
    child = TopicFactory(name="Idlib", parent=TopicFactory(name="Syria"))
    ArticleTopicFactory(topic=child)
    page = client.get(child.get_absolute_url()).content.decode()
    # A parent no published article is tagged with has no page to link to.
    assert "Syria" in page
    assert child.parent.get_absolute_url() not in page
    ArticleTopicFactory(topic=child.parent)
    page = client.get(child.get_absolute_url()).content.decode()
    assert f'<a href="{child.parent.get_absolute_url()}">Syria</a>' in page


def test_list_filters_never_ask_for_distinct_rows(client):
    """Each filter keeps one row an article: SELECT DISTINCT over a page's
    columns made PostgreSQL sort every match before cutting the page."""
    article = ArticleFactory(language="tr")
    ArticlePersonFactory(article=article)
    ArticleTopicFactory(article=article)
    params = {
        "language": ["tr", "en"],
        "country": [article.outlet.country, "TR"],
        "outlet": [article.outlet.slug],
        "topic": [article.topic_links.get().topic.slug],
        "person": [article.person_links.get().person.slug],
    }
    for url in (reverse("articles:article-list"), "/api/v1/articles/"):
        for name, values in params.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {name: values})
            assert article.title in response.content.decode(), (url, name)
            distinct = [q for q in queries if q["sql"].startswith("SELECT DISTINCT")]
            assert not distinct, (url, name)
