"""Limits on requests (size, fields, files), each answered with a status and a
message a person can act on: HTML on the site and admin, the API's JSON errors
under /api/."""

import json
from urllib.parse import urlencode

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from archive.limits import bad_request
from articles.models import Article
from tests.factories import ArticleFactory, OutletFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
IMPORT_URL = "admin:articles_article_import"


def upload(name, size):
    record = {
        "title": "Peskov comments on grain talks",
        "url": f"https://tass.com/politics/{name}",
        "outlet": "TASS",
        "published_at": "2023-09-01T08:00:00Z",
        "body": "Kremlin spokesman Dmitry Peskov said talks would continue. "
        + "x" * size,
    }
    return SimpleUploadedFile(name, json.dumps(record).encode(), "application/json")


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.force_authenticate(curator)
    return client


def test_an_api_body_over_the_limit_is_a_413_in_the_api_error_shape(
    curator_api, settings
):
    OutletFactory(slug="tass")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    article = {
        "title": "Ministers meet",
        "outlet": "tass",
        "url": "https://tass.com/politics/9",
        "published_at": "2022-05-03T10:00:00Z",
        "body": "The ministers met. " * 200,
    }
    response = curator_api.post(ARTICLES, article, format="json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "the limit is 2 KB (DATA_UPLOAD_MAX_MEMORY_SIZE)" in error["message"]
    assert not Article.objects.exists()
    # The same article, short enough, is accepted.
    article["body"] = "The ministers met."
    assert curator_api.post(ARTICLES, article, format="json").status_code == 201


def test_a_site_form_over_the_limit_is_a_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post(
        "/admin/login/",
        urlencode({"username": "someone", "password": "p" * 5_000}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The request is 4.9 KB; the limit is 1000 bytes" in page
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in page
    assert 'href="/admin/login/"' in page  # Back to the form.


def test_a_multipart_form_whose_fields_are_over_the_limit_is_a_413_page(
    curator_client, settings
):
    """Django counts a multipart form's fields (not its files) as it reads them."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = curator_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.jsonl", 10)], "status": "x" * 5_000}
    )
    assert response.status_code == 413
    assert (
        "The request is larger than the limit of 1000 bytes"
        " (DATA_UPLOAD_MAX_MEMORY_SIZE). Send less at a time."
    ) in response.content.decode()
    assert not Article.objects.exists()


def test_an_import_upload_over_the_total_limit_is_refused_before_reading(
    curator_client, settings
):
    settings.UPLOAD_MAX_BYTES = 10_000
    response = curator_client.post(
        reverse(IMPORT_URL),
        {"files": [upload("a.jsonl", 6_000), upload("b.jsonl", 6_000)]},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "The upload is 12.4 KB; the limit is 9.8 KB (UPLOAD_MAX_BYTES)" in page
    assert "Send fewer or smaller files at a time." in page
    assert not Article.objects.exists()
    # One of them alone fits and is imported.
    response = curator_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.jsonl", 6_000)], "status": "draft"}
    )
    assert response.status_code == 200
    assert Article.objects.count() == 1


def test_the_import_page_states_both_limits(curator_client, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.UPLOAD_MAX_BYTES = 50 * 1024 * 1024
    page = curator_client.get(reverse(IMPORT_URL)).content.decode()
    assert "Files larger than 5 MB are refused" in page
    assert "at most 50 MB in all" in page


def test_too_many_files_in_one_upload_is_a_clear_400(curator_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [upload(f"{n}.jsonl", 10) for n in range(3)]
    response = curator_client.post(reverse(IMPORT_URL), {"files": files})
    assert response.status_code == 400
    assert "more than 2 files (DATA_UPLOAD_MAX_NUMBER_FILES)" in (
        response.content.decode()
    )
    assert not Article.objects.exists()


def test_too_many_form_fields_is_a_clear_400(curator_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = curator_client.post(reverse("admin:articles_article_changelist"), fields)
    assert response.status_code == 400
    assert "more than 10 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS)" in (
        response.content.decode()
    )


def test_a_form_to_the_api_is_a_json_415_however_many_fields(curator_api, settings):
    # The API reads JSON only, as its schema says; a form is refused before
    # any of its fields is read.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = curator_api.post(ARTICLES, fields)  # form-encoded
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "multipart/form-data" in error["message"]


@pytest.mark.parametrize(
    ("path", "kind"), [("/admin/login/", "text/html"), (ARTICLES, "application/json")]
)
def test_a_body_found_too_large_only_while_reading_is_a_413(path, kind, settings):
    """A body Django finds too large only as it reads it (a multipart form's
    fields) gets the same answer, in the page's or the API's format."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    request = RequestFactory().post(path)
    response = bad_request(request, RequestDataTooBig("too big"))
    assert response.status_code == 413
    assert response["Content-Type"].startswith(kind)
    assert "larger than the limit of 1 KB" in response.content.decode()


def test_anonymous_api_searches_have_a_stricter_rate_of_their_own(
    curator_api, settings
):
    settings.API_ANON_SEARCH_RATE = "2/minute"
    api = APIClient()
    searches = [api.get(ARTICLES, {"q": "lavrov"}).status_code for _ in range(3)]
    assert searches == [200, 200, 429]
    response = api.get(ARTICLES, {"q": "grain"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith(
        "Too many searches: anonymous clients may make 2/minute of them. Try again in "
    )
    # Reading without a search, another address and a curator are not held up.
    assert api.get(ARTICLES).status_code == 200
    assert api.get(ARTICLES, {"q": "x"}, REMOTE_ADDR="10.1.1.1").status_code == 200
    assert curator_api.get(ARTICLES, {"q": "lavrov"}).status_code == 200


def test_anonymous_api_exports_have_a_stricter_rate_of_their_own(curator_api, settings):
    settings.API_ANON_EXPORT_RATE = "1/hour"
    api = APIClient()
    export = f"{ARTICLES}export/"
    assert api.get(export, {"format": "csv"}).status_code == 200
    response = api.get(export, {"format": "jsonl"})
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert "Too many exports: anonymous clients may make 1/hour" in error["message"]
    assert int(response["Retry-After"]) > 3000
    assert api.get(ARTICLES).status_code == 200
    assert curator_api.get(export, {"format": "csv"}).status_code == 200


def test_an_api_page_size_over_the_maximum_is_a_400_naming_it(settings):
    settings.API_MAX_PAGE_SIZE = 100
    response = APIClient().get(ARTICLES, {"page_size": 101})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"page_size": ["Give a whole number from 1 to 100."]}


@pytest.mark.parametrize(
    "path", ["/articles/", "/articles/feed/", "/people/", "/quotes/"]
)
def test_anonymous_site_searches_are_throttled_with_a_page_saying_how_long(
    client, curator, settings, path
):
    settings.SITE_SEARCH_RATE = "2/minute"
    assert [client.get(path, {"q": "grain"}).status_code for _ in range(2)] == [
        200,
        200,
    ]
    response = client.get(path, {"q": "wheat"})
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    page = response.content.decode()
    assert "<h1>Too many searches</h1>" in page
    assert f"Try again in {wait} second" in page
    # Browsing without a search, another address and a curator go on.
    assert client.get(path).status_code == 200
    assert client.get(path, {"q": "x"}, REMOTE_ADDR="10.2.2.2").status_code == 200
    client.force_login(curator)
    assert client.get(path, {"q": "wheat"}).status_code == 200


def test_site_search_throttle_counts_cached_pages_too(client, settings):
    settings.SITE_SEARCH_RATE = "1/minute"
    settings.CACHE_PAGES = True
    assert client.get("/articles/", {"q": "grain"}).status_code == 200
    # The same search again would come from the cache; it still counts.
    assert client.get("/articles/", {"q": "grain"}).status_code == 429


@pytest.mark.parametrize("page", ["1001", "99999999999999999999"])
def test_a_page_past_the_deepest_is_a_404_saying_how_to_go_further(client, page):
    ArticleFactory()
    response = client.get("/articles/", {"page": page})
    assert response.status_code == 404
    assert "Lists go back at most 1,000 pages" in response.content.decode()


@pytest.mark.parametrize("path", ["/articles/", "/quotes/", "/outlets/"])
def test_a_page_past_the_end_of_a_list_is_a_404_saying_so(client, path):
    ArticleFactory()
    response = client.get(path, {"page": 7})
    assert response.status_code == 404
    assert "This list has no page 7; it ends before that." in (
        response.content.decode()
    )
    assert client.get(path, {"page": 1}).status_code == 200


def test_a_huge_admin_page_number_is_not_an_error(curator_client):
    ArticleFactory()
    response = curator_client.get(
        reverse("admin:articles_article_changelist"), {"p": "99999999999999999999"}
    )
    assert response.status_code in {200, 302}
