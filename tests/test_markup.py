"""Every page type is well-formed HTML5, and errors get the archive's own pages."""

import html5lib
import pytest
from django.template.loader import render_to_string
from django.test import Client

from articles.models import Article, Outlet, Person, Topic

pytestmark = pytest.mark.django_db


def parse_errors(html: str) -> list[str]:
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    return [
        f"line {line}, col {col}: {code} {data}"
        for (line, col), code, data in parser.errors
    ]


def page_urls():
    article = Article.objects.published().first()
    return [
        "/",
        "/articles/",
        "/articles/?q=Lavrov",
        "/articles/?outlet=nope",
        article.get_absolute_url(),
        Outlet.objects.first().get_absolute_url(),
        Person.objects.get(name="Sergey Lavrov").get_absolute_url(),
        Topic.objects.get(name="Syria").get_absolute_url(),
        "/outlets/",
        "/people/",
        "/topics/",
        "/quotes/",
        "/search/help/",
        "/no-such-page/",
    ]


def test_every_page_type_parses_without_errors(client, demo):
    for url in page_urls():
        response = client.get(url)
        assert parse_errors(response.content.decode()) == [], url


def test_server_errors_get_a_plain_page_of_our_own():
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert parse_errors(html) == []


def test_an_unexpected_error_answers_500_with_that_page(monkeypatch, demo):
    from articles import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/search/help/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
