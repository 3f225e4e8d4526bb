"""How the public pages read: the header's search box on every page, what an
empty or refused list says, and the article page (lead once, quotes marked once,
later versions announced, JSON-LD for machines)."""

import datetime as dt
import re
from html import unescape

import pytest

from tests.factories import (
    ArticleFactory,
    OutletFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def header_search(response) -> tuple[str, list[tuple[str, str]], str]:
    """Return the header search form's action, hidden inputs and label."""
    html = response.content.decode()
    form = re.search(r'<form class="site-search".*?</form>', html, re.S)
    assert form, "no search box in the header"
    form = form.group(0)
    action = unescape(re.search(r'action="([^"]*)"', form).group(1))
    hidden = [
        (unescape(name), unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form
        )
    ]
    label = unescape(re.search(r'<label for="site-q"[^>]*>([^<]*)</label>', form)[1])
    return action, hidden, label


@pytest.fixture
def tass():
    outlet = OutletFactory(name="TASS", slug="tass", country="RU")
    ArticleFactory(
        title="Lavrov on Idlib",
        outlet=outlet,
        published_at=dt.datetime(2020, 2, 15, tzinfo=dt.UTC),
    )
    return outlet


# The header's search box ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/outlets/", "/people/", "/topics/", "/quotes/", "/search/help/"]
)
def test_header_searches_the_whole_archive_from_pages_without_filters(
    client, tass, path
):
    response = client.get(path)
    assert response.status_code == 200
    assert header_search(response) == ("/articles/", [], "Search all articles")


def test_header_search_on_an_article_and_a_missing_page_searches_everything(
    client, tass
):
    article = tass.articles.get()
    assert header_search(client.get(article.get_absolute_url()))[:2] == (
        "/articles/",
        [],
    )
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert header_search(missing)[:2] == ("/articles/", [])


def test_header_search_on_the_list_keeps_its_filters_but_not_words_or_page(
    client, tass
):
    TopicFactory(slug="syria")
    response = client.get(
        "/articles/?q=Idlib&outlet=tass&topic=syria&language=&sort=newest&page=1"
    )
    assert response.status_code == 200
    action, hidden, label = header_search(response)
    assert action == "/articles/"
    assert hidden == [("outlet", "tass"), ("topic", "syria"), ("sort", "newest")]
    assert label == "Search within these filters"


def test_header_search_on_an_entity_page_searches_within_the_entity(client, tass):
    response = client.get("/outlets/tass/?language=en")
    action, hidden, label = header_search(response)
    assert (action, hidden) == ("/outlets/tass/", [("language", "en")])
    assert label == "Search TASS within these filters"
    person = PersonFactory(name="Sergey Lavrov", slug="sergey-lavrov")
    response = client.get(person.get_absolute_url())
    assert header_search(response) == (
        "/people/sergey-lavrov/",
        [],
        "Search articles on Sergey Lavrov",
    )


def test_header_search_on_a_refused_question_drops_its_filters(client, tass):
    response = client.get("/outlets/tass/?date_from=not-a-date&language=en")
    assert response.status_code == 400
    assert header_search(response) == ("/articles/", [], "Search all articles")


def test_a_hostile_filter_value_is_never_echoed_raw(client, tass):
    response = client.get('/articles/?q=x&date_from=2020-01-01&outlet=tass"><b>')
    html = response.content.decode()
    assert '"><b>' not in html
    assert response.status_code == 400  # an unknown outlet: refused, not echoed raw


# Empty and refused lists -------------------------------------------------------


def test_an_empty_search_says_no_articles_match_and_offers_to_ask_less(client, tass):
    response = client.get("/articles/?q=zeppelin&outlet=tass")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No published articles yet" not in html
    assert "No articles match “zeppelin” with filters applied." in html
    assert 'href="/articles/?q=zeppelin"' in html  # without the filters
    assert 'href="/articles/?outlet=tass"' in html  # without the words


def test_an_empty_search_on_an_entity_page_offers_the_whole_archive(client, tass):
    response = client.get("/outlets/tass/?q=zeppelin")
    html = response.content.decode()
    assert "No articles match “zeppelin” in TASS." in html
    assert 'href="/articles/?q=zeppelin"' in html


def test_an_empty_archive_says_so_only_when_nothing_was_asked(client):
    response = client.get("/articles/")
    html = response.content.decode()
    assert "No published articles yet." in html
    assert "No articles match" not in html


def test_a_refused_question_offers_no_feeds_and_no_results(client, tass):
    for path in (
        "/articles/?date_from=not-a-date",
        "/outlets/tass/?date_from=not-a-date",
    ):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 400
        assert "could not be used" in html
        assert 'rel="alternate"' not in html, path
        assert "Follow" not in html, path
        assert "/feed/" not in html.split('<footer class="site-footer">')[0], path
        assert "No published articles" not in html and "No articles match" not in html


def test_a_valid_question_still_offers_its_feeds(client, tass):
    html = client.get("/outlets/tass/?q=Idlib").content.decode()
    assert 'rel="alternate" type="application/atom+xml" title="TASS (Atom)"' in html
    assert "Follow TASS:" in html
    html = client.get("/articles/?q=Idlib").content.decode()
    assert 'title="These results (Atom)"' in html
