"""A page that names no outlet is imported as a draft waiting for one: the
database, the workflow (admin form, bulk actions, API), search, the staff API
and export all take such a draft, and none lets it leave draft without an
outlet."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from articles import search
from articles.models import Article
from articles.search import Question, parse, sync
from articles.search.engine import NO_MATCH, NO_OUTLET
from tests.factories import ArticleFactory, OutletFactory
from tests.test_admin import article_form, change_url, errors_in

pytestmark = pytest.mark.django_db


def waiting_draft(**fields) -> Article:
    return ArticleFactory(outlet=None, status="draft", **fields)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_only_a_draft_may_be_without_an_outlet():
    article = waiting_draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="review")
    article.status = "review"
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "Choose the article's outlet" in str(error.value.message_dict["outlet"])


def test_the_admin_form_asks_for_the_outlet_before_review(curator_client):
    article = waiting_draft()
    url = change_url(article)
    assert curator_client.get(url).status_code == 200
    form = article_form(article, status="review", outlet="")
    response = curator_client.post(url, form)
    assert "Choose the article&#x27;s outlet" in " ".join(errors_in(response))
    assert Article.objects.get(pk=article.pk).status == "draft"
    outlet = OutletFactory()
    response = curator_client.post(
        url, article_form(article, status="review", outlet=outlet.pk)
    )
    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert (article.status, article.outlet) == ("review", outlet)


def test_bulk_review_moves_the_others_and_says_why_not_this_one(curator_client):
    waiting, ready = waiting_draft(), ArticleFactory(status="draft")
    changelist = reverse("admin:articles_article_changelist")
    assert curator_client.get(changelist).status_code == 200
    response = curator_client.post(
        changelist,
        {"action": "send_to_review", "_selected_action": [waiting.pk, ready.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 article marked as in review." in page
    assert "Choose the article&#x27;s outlet" in page
    assert Article.objects.get(pk=waiting.pk).status == "draft"
    assert Article.objects.get(pk=ready.pk).status == "review"


def test_the_api_refuses_review_without_an_outlet_and_shows_it_as_null(curator):
    article = waiting_draft()
    api = api_as(curator)
    url = f"/api/v1/articles/{article.pk}/"
    read = api.get(url)
    assert read.status_code == 200 and read.json()["outlet"] is None
    response = api.patch(url, {"status": "review", "version": 1}, format="json")
    assert response.status_code == 400
    assert (
        "Choose the article's outlet"
        in (response.json()["error"]["fields"]["status"][0])
    )
    outlet = OutletFactory(slug="baku-observer")
    response = api.patch(
        url,
        {"status": "review", "outlet": "baku-observer", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert (article.status, article.outlet) == ("review", outlet)


def test_the_staff_export_has_no_outlet_for_it(curator):
    article = waiting_draft(title="Ferry service resumes")
    response = api_as(curator).get(
        "/api/v1/articles/export/", {"format": "jsonl", "status": "draft"}
    )
    assert response.status_code == 200, response.content
    rows = [
        json.loads(line)
        for line in b"".join(response.streaming_content).decode().splitlines()
    ]
    (row,) = [r for r in rows if r["id"] == article.pk]
    assert row["outlet"] is None and row["title"] == "Ferry service resumes"


def test_no_outlet_filter_finds_it_and_no_empty_filter_either():
    assert NO_OUTLET != NO_MATCH
    outlet = OutletFactory()
    waiting = waiting_draft(title="Grain ferry waits")
    other = ArticleFactory(outlet=outlet, status="draft", title="Grain ferry sails")
    sync.catch_up()
    engine = sync.engine()
    drafts = ["draft"]
    assert set(engine.search(Question(statuses=drafts), order="newest").ids) == {
        waiting.pk,
        other.pk,
    }
    by_outlet = Question(statuses=drafts, outlets=frozenset([outlet.pk]))
    assert engine.search(by_outlet, order="newest").ids == [other.pk]
    nothing = Question(statuses=drafts, outlets=frozenset())
    assert engine.search(nothing, order="newest").ids == []
    found = search.find(
        Question(text=parse("grain"), statuses=drafts), per_page=10, facets=True
    )
    assert [(f.value, f.count) for f in found.facets.outlet] == [(outlet.slug, 1)]
    assert search.over_time_by_outlet(Question(statuses=drafts)).outlets == 1
