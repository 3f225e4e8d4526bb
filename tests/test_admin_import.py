"""Curators' import and review work in the admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import (
    Article,
    ArticlePerson,
    CandidatePerson,
    LinkState,
    Person,
    Quote,
)
from tests.factories import ArticleFactory, ArticlePersonFactory, QuoteFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:articles_article_import"


def jsonl_upload(name="export.jsonl", **fields):
    record = {
        "title": "Peskov comments on grain talks",
        "url": "https://tass.com/politics/77",
        "outlet": "TASS",
        "published_at": "2023-09-01T08:00:00Z",
        "body": "Kremlin spokesman Dmitry Peskov said talks on grain would continue.",
        **fields,
    }
    return SimpleUploadedFile(name, json.dumps(record).encode(), "application/json")


def test_curator_uploads_files_and_sees_a_report(curator_client):
    response = curator_client.post(
        reverse(IMPORT_URL),
        {
            "files": [
                jsonl_upload(),
                SimpleUploadedFile("empty.txt", b""),
            ],
            "status": "draft",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Import finished: 1 imported, 0 updated, 0 duplicate, 1 rejected." in page
    article = Article.objects.get()
    assert reverse("admin:articles_article_change", args=[article.pk]) in page
    assert "empty.txt" in page and "The file is empty" in page
    assert article.status == "draft"


def test_an_import_links_to_its_own_articles(curator_client):
    from articles.models import ImportBatch

    ArticleFactory(title="Imported before", imported_at=timezone.now())
    response = curator_client.post(
        reverse(IMPORT_URL), {"files": [jsonl_upload()], "status": "draft"}
    )
    batch = ImportBatch.objects.get()
    listing = reverse("admin:articles_article_changelist") + f"?imported={batch.pk}"
    assert listing in response.content.decode()
    assert [a.title for a in curator_client.get(listing).context["cl"].result_list] == [
        "Peskov comments on grain talks"
    ]
    batch_page = curator_client.get(
        reverse("admin:articles_importbatch_change", args=[batch.pk])
    ).content.decode()
    assert listing in batch_page and "1 article of this import" in batch_page


def test_curator_cannot_import_as_published(curator_client):
    response = curator_client.post(
        reverse(IMPORT_URL), {"files": [jsonl_upload()], "status": "published"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.exists()


def test_editor_may_import_as_published(editor_client):
    editor_client.post(
        reverse(IMPORT_URL), {"files": [jsonl_upload()], "status": "published"}
    )
    assert Article.objects.get().status == "published"


def test_upload_dry_run_writes_nothing(curator_client):
    response = curator_client.post(
        reverse(IMPORT_URL),
        {"files": [jsonl_upload()], "status": "draft", "dry_run": "on"},
    )
    assert "1 imported" in response.content.decode()
    assert not Article.objects.exists()


def test_upload_without_files_is_a_form_error(curator_client):
    response = curator_client.post(reverse(IMPORT_URL), {"status": "draft"})
    assert response.status_code == 200
    assert "Choose at least one file" in response.content.decode()


def test_oversize_upload_is_rejected_before_reading(curator_client, settings):
    settings.IMPORT_MAX_BYTES = 50
    response = curator_client.post(
        reverse(IMPORT_URL), {"files": [jsonl_upload()], "status": "draft"}
    )
    assert "the limit is" in response.content.decode()
    assert not Article.objects.exists()


def test_import_needs_the_import_permission(client, db):
    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    client.logout()
    assert client.get(reverse(IMPORT_URL)).status_code == 302  # to the login page


def test_changelist_links_to_the_import_page(curator_client):
    page = curator_client.get(
        reverse("admin:articles_article_changelist")
    ).content.decode()
    assert reverse(IMPORT_URL) in page


def article_with_suggestions():
    article = ArticleFactory(status="draft")
    ArticlePersonFactory(article=article, state=LinkState.SUGGESTED)
    QuoteFactory(article=article, state=LinkState.SUGGESTED)
    CandidatePerson.objects.create(
        article=article, name="Umit Yardim", title="Ambassador"
    )
    return article


def test_confirm_all_suggestions_of_one_article(curator_client):
    article = article_with_suggestions()
    url = reverse("admin:articles_article_suggestions", args=[article.pk, "confirm"])
    response = curator_client.post(url, follow=True)
    assert "Confirmed 1 people links, 1 quotes." in response.content.decode()
    assert ArticlePerson.objects.get().state == LinkState.CONFIRMED
    assert Quote.objects.get().state == LinkState.CONFIRMED


def test_reject_all_suggestions_of_one_article(curator_client):
    article = article_with_suggestions()
    url = reverse("admin:articles_article_suggestions", args=[article.pk, "reject"])
    curator_client.post(url)
    assert not ArticlePerson.objects.exists() and not Quote.objects.exists()
    assert CandidatePerson.objects.get().state == "rejected"


def test_suggestion_decisions_need_a_post(curator_client):
    article = article_with_suggestions()
    url = reverse("admin:articles_article_suggestions", args=[article.pk, "reject"])
    assert curator_client.get(url).status_code == 302
    assert ArticlePerson.objects.exists()


def test_article_page_offers_the_suggestion_buttons(curator_client):
    article = article_with_suggestions()
    page = curator_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "Confirm all suggestions" in page and "Umit Yardim" in page


def test_bulk_confirm_across_articles(curator_client):
    articles = [article_with_suggestions() for _ in range(3)]
    response = curator_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "confirm_suggestions", "_selected_action": [a.pk for a in articles]},
        follow=True,
    )
    assert "Confirmed 3 people links, 3 quotes." in response.content.decode()


def test_awaiting_review_filter_lists_only_articles_with_suggestions(curator_client):
    pending = article_with_suggestions()
    done = ArticleFactory(title="Nothing to review here")
    page = curator_client.get(
        reverse("admin:articles_article_changelist"), {"suggestions": "pending"}
    ).content.decode()
    assert pending.title in page and done.title not in page


def test_candidates_are_confirmed_into_people(curator_client):
    article_with_suggestions()
    response = curator_client.post(
        reverse("admin:articles_candidateperson_changelist"),
        {
            "action": "confirm",
            "_selected_action": list(
                CandidatePerson.objects.values_list("pk", flat=True)
            ),
        },
        follow=True,
    )
    assert "1 people created, 1 article links made." in response.content.decode()
    assert Person.objects.filter(name="Umit Yardim", description="Ambassador").exists()


def test_article_page_shows_later_versions_as_a_diff(curator_client):
    import datetime as dt

    from articles.models import ArticleVersion

    article = ArticleFactory(body="The talks ended on Monday.")
    ArticleVersion.objects.create(
        article=article,
        captured_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        title=article.title,
        body="The talks ended on Tuesday.",
        content_hash="f" * 64,
    )
    page = curator_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "<del>Monday.</del>" in page and "<ins>Tuesday.</ins>" in page
