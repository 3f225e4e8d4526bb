"""An unknown or misspelt parameter answers 400 naming it, on the site's lists
and in the API alike (articles/parameters.py), instead of being ignored."""

import pytest

from tests.factories import ArticleFactory, ArticlePersonFactory, ArticleTopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def named():
    link = ArticlePersonFactory(person__slug="sergey-lavrov", person__name="Lavrov")
    ArticleTopicFactory(article=link.article, topic__slug="syria")
    return link.article


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/articles/?outlett=tass", "outlett"),
        ("/articles/?published_since=2020-01-01", "published_since"),
        ("/articles/?sort=oldest&sort=newest", "sort"),
        ("/outlets/{outlet}/?sortt=oldest", "sortt"),
        ("/people/sergey-lavrov/?topicc=syria", "topicc"),
        ("/topics/syria/?utm_source=mail", "utm_source"),
        ("/people/?name=lav", "name"),
        ("/topics/?page=1&page=2", "page"),
        ("/quotes/?speakr=lavrov", "speakr"),
    ],
)
def test_a_list_page_refuses_a_parameter_it_does_not_take(client, named, url, name):
    response = client.get(url.format(outlet=named.outlet.slug))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"<strong>{name}</strong>" in page
    assert named.title not in page
    # A 400 offers no feed of the question it refused.
    assert "/articles/feed/" not in page


def test_a_misspelling_is_answered_with_the_name_meant(client, named):
    page = client.get("/articles/?outlett=tass").content.decode()
    assert "Did you mean “outlet”?" in page


@pytest.mark.parametrize(
    "url",
    [
        "/articles/?q=talks&sort=oldest&page=1&language=en&date_from=2019-01-01",
        "/outlets/{outlet}/?sort=oldest&page=1",
        "/people/?q=lav&page=1",
        "/quotes/?q=exchange&speaker=lav&page=1",
        "/articles/feed/?q=talks&topic=syria",
    ],
)
def test_the_parameters_a_list_takes_are_still_taken(client, named, url):
    assert client.get(url.format(outlet=named.outlet.slug)).status_code == 200


def test_the_search_feed_refuses_what_the_list_refuses(client, named):
    response = client.get("/articles/feed/", {"q": "talks", "sort": "oldest"})
    assert response.status_code == 400
    assert response.content.decode().startswith("sort: Unknown parameter")


def test_site_and_api_answer_an_unknown_parameter_alike(client, named):
    site = client.get("/articles/", {"outlett": "tass"}).content.decode()
    api = client.get("/api/v1/articles/", {"outlett": "tass"}).json()["error"]
    assert api["fields"]["outlett"][0].split(" This address takes")[0] in site
    ArticleFactory()
