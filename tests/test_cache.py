"""The page cache: anonymous reads are answered from it, and every change the
public could see is visible on the next request.

Writes run inside django_capture_on_commit_callbacks(execute=True), which runs
the commit callbacks (the cache's invalidation among them) as a real commit
would; pytest-django's test transaction never commits.
"""

import os

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.cache import GENERATION_KEY, generation
from articles.models import Article, ArticleVersion
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
)
from tests.test_ingest import record, run, write_jsonl

pytestmark = pytest.mark.django_db

HOME = "/"
LIST = "/articles/"
API = "/api/v1/articles/"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(autouse=True)
def caching(settings):
    settings.CACHE_PAGES = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Return a context manager that commits what is written inside it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def api():
    return APIClient()


def api_titles(client, url=API):
    return [row["title"] for row in client.get(url).json()["results"]]


@pytest.mark.parametrize(
    "url",
    [
        HOME,
        LIST,
        f"{LIST}?q=ministers",
        "article",
        "outlet",
        "/feeds/latest/",
        "/sitemap-articles.xml",
        API,
        "api-article",
        "/api/v1/outlets/",
    ],
)
def test_a_second_anonymous_request_runs_no_queries(
    client, django_assert_num_queries, django_assert_max_num_queries, url
):
    article = ArticleFactory()
    url = {
        "article": article.get_absolute_url(),
        "outlet": article.outlet.get_absolute_url(),
        "api-article": f"{API}{article.pk}/",
    }.get(url, url)
    with django_assert_max_num_queries(50) as first_queries:
        first = client.get(url)
    assert first.status_code == 200
    assert len(first_queries) > 0
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_head_is_answered_from_the_get_entry(client, django_assert_num_queries):
    ArticleFactory()
    client.get(LIST)
    with django_assert_num_queries(0):
        assert client.head(LIST).status_code == 200


def test_the_query_string_is_part_of_the_key(client):
    ArticleFactory(title="Grain corridor talks")
    ArticleFactory(title="Gas hub plans")
    client.get(f"{LIST}?q=grain")
    page = client.get(f"{LIST}?q=gas").content.decode()
    assert "Gas hub plans" in page
    assert "Grain corridor talks" not in page


def test_with_caching_off_every_request_reads_the_database(
    client, settings, django_assert_max_num_queries
):
    settings.CACHE_PAGES = False
    ArticleFactory()
    client.get(LIST)
    with django_assert_max_num_queries(50) as queries:
        client.get(LIST)
    assert len(queries) > 0


def test_publishing_a_draft_shows_at_once(client, api, committed):
    draft = ArticleFactory(title="Ministers agree on a gas hub", status="draft")
    for url in (HOME, LIST):
        assert "gas hub" not in client.get(url).content.decode()
    assert draft.title not in api_titles(api)
    with committed():
        draft.status = Article.Status.PUBLISHED
        draft.save()
    for url in (HOME, LIST):
        assert "Ministers agree on a gas hub" in client.get(url).content.decode()
    assert draft.title in api_titles(api)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_editing_a_title_shows_at_once(client, api, committed):
    article = ArticleFactory(title="Talks in Ankara")
    page = article.get_absolute_url()
    for url in (page, LIST):
        assert "Talks in Ankara" in client.get(url).content.decode()
    assert api.get(f"{API}{article.pk}/").json()["title"] == "Talks in Ankara"
    with committed():
        article.title = "Talks in Ankara postponed"
        article.save()
    for url in (page, LIST):
        assert "Talks in Ankara postponed" in client.get(url).content.decode()
    assert api.get(f"{API}{article.pk}/").json()["title"] == "Talks in Ankara postponed"


def test_withdrawing_removes_an_article_at_once(client, api, committed):
    article = ArticleFactory(title="A report later withdrawn")
    page = article.get_absolute_url()
    assert client.get(page).status_code == 200
    assert article.title in client.get(LIST).content.decode()
    assert article.title in api_titles(api)
    assert api.get(f"{API}{article.pk}/").status_code == 200
    with committed():
        article.status = Article.Status.WITHDRAWN
        article.withdrawal_reason = "The outlet retracted it."
        article.save()
    assert client.get(page).status_code == 410
    assert article.title not in client.get(LIST).content.decode()
    assert article.title not in api_titles(api)
    assert api.get(f"{API}{article.pk}/").status_code == 410


def test_a_bulk_status_change_shows_at_once(client, api, committed):
    articles = [ArticleFactory(title=f"Bulk report {n}") for n in range(3)]
    assert "Bulk report 2" in client.get(LIST).content.decode()
    assert len(api_titles(api)) == 3
    with committed():
        changed = Article.objects.filter(
            pk__in=[a.pk for a in articles[1:]]
        ).set_status(Article.Status.WITHDRAWN, reason="Duplicates.")
    assert changed == 2
    page = client.get(LIST).content.decode()
    assert "Bulk report 0" in page
    assert "Bulk report 1" not in page
    assert "Bulk report 2" not in page
    assert api_titles(api) == ["Bulk report 0"]


def test_touching_articles_forgets_their_pages(client, committed):
    ArticleFactory()
    before = generation()
    with committed():
        Article.objects.all().touch()
    assert generation() != before


def test_links_and_quotes_show_at_once_on_the_article_page(client, committed):
    article = ArticleFactory()
    page = article.get_absolute_url()
    assert "Hakan Fidan" not in client.get(page).content.decode()
    with committed():
        ArticlePersonFactory(article=article, person=PersonFactory(name="Hakan Fidan"))
    assert "Hakan Fidan" in client.get(page).content.decode()
    assert "Sergey Lavrov" not in client.get(page).content.decode()
    with committed():
        QuoteFactory(article=article, speaker=PersonFactory(name="Sergey Lavrov"))
    assert "Sergey Lavrov" in client.get(page).content.decode()


def test_tagging_through_the_many_to_many_shows_at_once(client, committed):
    """Article.people.add() writes the link rows in bulk: only m2m_changed fires."""
    article = ArticleFactory()
    person = PersonFactory(name="Recep Tayyip Erdoğan")
    page = article.get_absolute_url()
    assert person.name not in client.get(page).content.decode()
    with committed():
        article.people.add(person, through_defaults={"role": "mentioned"})
    assert person.name in client.get(page).content.decode()


def test_renaming_an_outlet_shows_at_once_on_its_articles(client, committed):
    outlet = OutletFactory(name="Old Wire")
    article = ArticleFactory(outlet=outlet)
    assert "Old Wire" in client.get(article.get_absolute_url()).content.decode()
    with committed():
        outlet.name = "New Wire"
        outlet.save()
    assert "New Wire" in client.get(article.get_absolute_url()).content.decode()


def test_a_new_version_from_the_importer_shows_at_once(client, tmp_path, committed):
    with committed():
        run(write_jsonl(tmp_path / "a.jsonl", record()))
        Article.objects.all().set_status(Article.Status.PUBLISHED)
    page = Article.objects.get().get_absolute_url()
    assert "Later versions at the outlet" not in client.get(page).content.decode()
    edited = record(body=record()["body"] + "\n\nThe talks will resume in October.")
    with committed():
        _, report = run(write_jsonl(tmp_path / "b.jsonl", edited))
    assert report["items"][0]["status"] == "updated"
    assert ArticleVersion.objects.count() == 1
    assert "Later versions at the outlet" in client.get(page).content.decode()


def test_invalidation_waits_for_the_commit(committed):
    """A page read before the commit must not be cached as the new state."""
    article = ArticleFactory()
    before = generation()
    with committed():
        article.title = "Edited"
        article.save()
        article.title = "Edited again"
        article.save()
        assert generation() == before
    assert generation() != before


def test_a_rolled_back_change_keeps_the_cache(committed):
    article = ArticleFactory()
    before = generation()
    with committed(), transaction.atomic():
        article.title = "Never saved"
        article.save()
        transaction.set_rollback(True)
    assert generation() == before


def test_curators_see_drafts_uncached_and_the_public_never_does(
    client, curator, api, committed, django_assert_max_num_queries
):
    ArticleFactory(title="Published report")
    ArticleFactory(title="Secret draft", status="draft")
    assert api_titles(api) == ["Published report"]
    client.force_login(curator)
    for _ in range(2):
        with django_assert_max_num_queries(50) as queries:
            titles = api_titles(client)
        assert "Secret draft" in titles
        assert len(queries) > 0
    client.logout()
    assert api_titles(client) == ["Published report"]
    assert api_titles(api) == ["Published report"]


def test_a_curators_draft_view_is_never_stored(client, curator, api):
    ArticleFactory(title="Secret draft", status="draft")
    client.force_login(curator)
    assert "Secret draft" in api_titles(client)
    client.logout()
    assert "Secret draft" not in api_titles(api)


def test_token_clients_bypass_the_cache(curator, django_assert_max_num_queries):
    ArticleFactory(title="Secret draft", status="draft")
    token = Token.objects.create(user=curator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "Secret draft" in api_titles(client)
    with django_assert_max_num_queries(50) as queries:
        assert "Secret draft" in api_titles(client)
    assert len(queries) > 0
    assert "Secret draft" not in api_titles(APIClient())


def test_error_pages_are_not_cached(client, django_assert_max_num_queries):
    assert client.get("/outlets/nowhere/").status_code == 404
    with django_assert_max_num_queries(50) as queries:
        assert client.get("/outlets/nowhere/").status_code == 404
    assert len(queries) > 0
    # A 404 cached would hide the outlet once it exists (and is public).
    ArticleFactory(outlet=OutletFactory(slug="nowhere"))
    assert client.get("/outlets/nowhere/").status_code == 200


def test_a_cached_page_still_answers_a_conditional_request(
    client, django_assert_num_queries
):
    ArticleFactory()
    etag = client.get(LIST)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_the_api_caches_each_format_apart(api, django_assert_num_queries):
    ArticleFactory()
    json_response = api.get(API, HTTP_ACCEPT="application/json")
    html_response = api.get(API, HTTP_ACCEPT="text/html")
    assert json_response["Content-Type"] == "application/json"
    assert html_response["Content-Type"].startswith("text/html")
    with django_assert_num_queries(0):
        again = api.get(API, HTTP_ACCEPT="application/json")
    assert again.content == json_response.content
    # The browsable API is never cached (it is a page with forms).
    assert api.get(API, HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")


def test_cached_api_reads_still_count_against_the_throttle(api, settings):
    settings.API_ANON_RATE = "3/minute"
    ArticleFactory()
    statuses = [api.get(API).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL} ({error})."
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1: {message}")
        pytest.skip(message)


@pytest.fixture
def redis_cache():
    redis_or_skip()
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "archive-test",
    }
    with override_settings(CACHES={"default": backend}):
        cache.clear()
        yield cache
        cache.clear()


def test_redis_round_trip_and_invalidation(
    redis_cache, client, committed, django_assert_num_queries
):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    article = ArticleFactory(title="Stored in Redis")
    assert "Stored in Redis" in client.get(LIST).content.decode()
    assert redis_cache.get(GENERATION_KEY) is not None
    with django_assert_num_queries(0):
        assert "Stored in Redis" in client.get(LIST).content.decode()
    before = redis_cache.get(GENERATION_KEY)
    with committed():
        article.title = "Edited in Redis"
        article.save()
    assert redis_cache.get(GENERATION_KEY) != before
    assert "Edited in Redis" in client.get(LIST).content.decode()


def test_an_unreachable_cache_serves_pages_uncached(client, api, committed):
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    article = ArticleFactory(title="Served without a cache")
    with override_settings(CACHES={"default": backend}):
        assert article.title in client.get(LIST).content.decode()
        assert article.title in api_titles(api)
        with committed():
            article.title = "Edited without a cache"
            article.save()
        assert "Edited without a cache" in client.get(LIST).content.decode()
