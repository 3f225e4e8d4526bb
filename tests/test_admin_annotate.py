"""The "Annotate the body" panel on an article's admin change page (the browser
side is in test_browser_workflow.py)."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    PersonFactory,
    QuoteFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "/static/articles/annotate.js"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def panel_config(page: str) -> dict:
    found = re.search(
        r'<script id="annotate-config" type="application/json">(.*?)</script>',
        page,
        re.S,
    )
    return json.loads(found.group(1))


def test_panel_shows_the_stored_body_escaped_with_its_paragraphs(curator_client):
    article = ArticleFactory(
        body="Tom & Jerry <b>met</b> in Moscow.\n\n<script>alert(1)</script> said."
    )
    page = curator_client.get(change_url(article)).content.decode()
    assert "Annotate the body" in page
    assert (
        '<div class="annotate-body" id="annotate-body" tabindex="0" '
        'aria-label="Article body (read only)">'
        "Tom &amp; Jerry &lt;b&gt;met&lt;/b&gt; in Moscow.\n\n"
        "&lt;script&gt;alert(1)&lt;/script&gt; said.</div>"
    ) in page
    assert "<script>alert(1)</script>" not in page
    assert page.count(SCRIPT) == 1


def test_panel_config_names_the_article_api_and_existing_passages(curator_client):
    article = ArticleFactory()
    quote = QuoteFactory(article=article, text="useful exchange")
    note = AnnotationFactory(article=article, exact="met in Moscow", note="Why.")
    config = panel_config(curator_client.get(change_url(article)).content.decode())
    assert config["article"] == article.pk
    assert config["annotationsUrl"] == "/api/v1/annotations/"
    assert config["quotesUrl"] == "/api/v1/quotes/"
    assert (config["canNote"], config["canQuote"]) == (True, True)
    by_kind = {p["kind"]: p for p in config["passages"]}
    assert by_kind["quote"]["id"] == quote.pk
    assert by_kind["quote"]["speaker"] == quote.speaker.name
    assert by_kind["note"]["text"] == "met in Moscow"
    assert article.body[by_kind["note"]["start"] : by_kind["note"]["end"]] == (
        "met in Moscow"
    )
    assert note.pk == by_kind["note"]["id"]


@pytest.mark.parametrize(
    "url_name", ["admin:articles_article_add", "admin:articles_article_changelist"]
)
def test_script_is_loaded_only_on_an_article_change_page(curator_client, url_name):
    page = curator_client.get(reverse(url_name)).content.decode()
    assert SCRIPT not in page
    assert "Annotate the body" not in page


def test_other_change_pages_have_no_panel(curator_client):
    person = PersonFactory()
    page = curator_client.get(
        reverse("admin:articles_person_change", args=[person.pk])
    ).content.decode()
    assert SCRIPT not in page


def test_speaker_autocomplete_answers_with_slugs(curator_client):
    PersonFactory(name="Sergey Lavrov", slug="sergey-lavrov")
    PersonFactory(name="Maria Zakharova", slug="maria-zakharova")
    response = curator_client.get(
        reverse("admin:articles_article_speakers"),
        {
            "app_label": "articles",
            "model_name": "quote",
            "field_name": "speaker",
            "term": "lavr",
        },
    )
    assert response.status_code == 200
    assert [(r["text"], r["slug"]) for r in response.json()["results"]] == [
        ("Sergey Lavrov", "sergey-lavrov")
    ]


def test_speaker_autocomplete_needs_a_staff_login(client):
    response = client.get(
        reverse("admin:articles_article_speakers"),
        {"app_label": "articles", "model_name": "quote", "field_name": "speaker"},
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
