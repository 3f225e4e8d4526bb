import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ArticlePerson, ArticleTopic, LinkState
from articles.services import confirm_suggestions
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
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def revert_url(article, record):
    return reverse(
        "admin:articles_article_simple_history", args=[article.pk, record.history_id]
    )


def test_admin_edit_records_who_when_and_what(editor_client, editor):
    article = ArticleFactory(title="Ministers meet")
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, title="Ministers meet again"),
    )
    assert response.status_code == 302
    latest, previous = article.history.all()[:2]
    assert latest.history_user == editor
    assert latest.history_type == "~"
    assert latest.history_date is not None
    delta = latest.diff_against(previous)
    assert delta.changed_fields == ["title"]
    assert (delta.changes[0].old, delta.changes[0].new) == (
        "Ministers meet",
        "Ministers meet again",
    )


@pytest.mark.parametrize(
    ("factory", "field", "value"),
    [
        (OutletFactory, "description", "Wire service"),
        (PersonFactory, "description", "Foreign Minister"),
        (TopicFactory, "description", "Talks"),
        (ArticlePersonFactory, "role", "author"),
        (ArticleTopicFactory, "state", "suggested"),
        (QuoteFactory, "state", "suggested"),
        (AnnotationFactory, "note", "Checked against the wire copy"),
    ],
)
def test_every_curated_model_keeps_its_history(editor, factory, field, value):
    obj = factory()
    setattr(obj, field, value)
    obj._history_user = editor
    obj.save()
    latest, created = obj.history.all()[:2]
    assert created.history_type == "+"
    assert latest.history_user == editor
    assert latest.diff_against(created).changed_fields == [field]


def test_status_actions_are_recorded_in_history(editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    Article.objects.filter(pk=article.pk).set_status(Article.Status.PUBLISHED)
    assert article.history.first().status == Article.Status.PUBLISHED


def test_search_vector_is_not_kept_in_history():
    names = {f.name for f in Article.history.model._meta.fields}
    assert "search_vector" not in names
    assert "raw_text" in names


@pytest.mark.parametrize("who", ["editor_client", "curator_client"])
def test_history_page_shows_changed_fields(request, who):
    client = request.getfixturevalue(who)
    article = ArticleFactory(title="Ministers meet")
    article.title = "Ministers meet again"
    article.save()
    response = client.get(history_url(article))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ministers meet again" in content
    assert "Title:" in content
    assert "&rarr;" in content or "→" in content


def test_history_page_shows_a_body_change_as_a_word_diff(editor_client):
    article = ArticleFactory(body="The ministers met in Moscow on Monday.")
    article.body = "The ministers met in Ankara on Monday."
    article.save()
    content = editor_client.get(history_url(article)).content.decode()
    assert "<del>Moscow</del><ins>Ankara</ins>" in content


def test_article_history_page_lists_changes_to_its_links(editor_client):
    link = ArticlePersonFactory(person__name="Sergei Lavrov")
    link.role = "quoted"
    link.save()
    ArticleTopicFactory(article=link.article, topic__name="Syria")
    content = editor_client.get(history_url(link.article)).content.decode()
    assert "Changes to people, topics, quotes and notes" in content
    assert "Sergei Lavrov (quoted)" in content
    assert "mentioned&nbsp;&rarr;&nbsp;quoted" in content
    assert "Syria" in content


def test_history_page_needs_login(client):
    article = ArticleFactory()
    response = client.get(history_url(article))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_revert_restores_a_previous_title(editor_client):
    article = ArticleFactory(title="Ministers meet")
    original = article.history.first()
    article.title = "Ministers meet again"
    article.save()
    assert editor_client.get(revert_url(article, original)).status_code == 200
    response = editor_client.post(
        revert_url(article, original), article_form(article, title="Ministers meet")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Ministers meet"


def test_revert_that_drops_a_quoted_passage_is_refused_with_a_message(
    editor_client,
):
    article = ArticleFactory(body="The ministers met in Moscow.")
    before_quote = article.history.first()
    article.body = "The ministers met in Moscow.\n\n“Talks were useful,” he said."
    article.save()
    QuoteFactory(article=article, text="Talks were useful,")
    response = editor_client.post(
        revert_url(article, before_quote),
        article_form(article, body="The ministers met in Moscow."),
    )
    assert response.status_code == 200
    assert "no longer contains these passages" in response.content.decode()
    article.refresh_from_db()
    assert "Talks were useful" in article.body


def test_curator_cannot_revert_a_published_article_to_its_draft(curator_client):
    article = ArticleFactory(status=Article.Status.DRAFT, title="Draft title")
    draft = article.history.first()
    Article.objects.filter(pk=article.pk).set_status(Article.Status.PUBLISHED)
    article.refresh_from_db()
    response = curator_client.post(
        revert_url(article, draft),
        article_form(article, title="Draft title", status="draft"),
    )
    assert response.status_code == 200
    # A curator is offered no status but the published one it has.
    assert "Select a valid choice. draft is not one of" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_revert_needs_login(client):
    article = ArticleFactory()
    response = client.get(revert_url(article, article.history.first()))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def detail(client, article):
    return client.get(article.get_absolute_url())


def test_corrections_list_changes_made_while_published(client):
    article = ArticleFactory(status=Article.Status.DRAFT, title="Draft title")
    article.title = "Second draft title"
    article.save()
    article.status = Article.Status.PUBLISHED
    article.save()
    article.title = "Corrected title"
    article.notes = "Checked the spelling with the desk."
    article.save()
    article.notes = "Internal only."
    article.save()

    corrections = article.corrections()
    assert [c.changed for c in corrections] == [["title"]]
    content = detail(client, article).content.decode()
    assert "Corrections" in content
    assert "title changed" in content
    assert "notes" not in content.split("Corrections", 1)[1].split("</section>")[0]


def test_corrections_count_from_a_publish_by_admin_action():
    article = ArticleFactory(status=Article.Status.DRAFT, title="Draft title")
    Article.objects.filter(pk=article.pk).set_status(Article.Status.PUBLISHED)
    article.refresh_from_db()
    article.lead = "A lead added after publishing."
    article.save()
    Article.objects.filter(pk=article.pk).set_status(Article.Status.WITHDRAWN)
    article.refresh_from_db()
    article.title = "Changed while withdrawn"
    article.save()
    assert [c.changed for c in article.corrections()] == [["lead"]]


def test_published_article_never_changed_has_no_corrections(client):
    article = ArticleFactory()
    article.notes = "Internal"
    article.save()
    assert article.corrections() == []
    assert "Corrections" not in detail(client, article).content.decode()


def test_body_and_date_corrections_are_named_for_readers():
    article = ArticleFactory()
    article.body = article.body + "\n\nA later paragraph."
    article.published_at += dt.timedelta(days=1)
    article.save()
    assert article.corrections()[0].changed == ["body", "published date"]


def corrected(times):
    article = ArticleFactory()
    for n in range(times):
        article.title = f"Corrected title {n}"
        article.save()
    return article


def test_corrections_cost_one_query_however_many(client):
    one, five = corrected(1), corrected(5)
    assert len(five.corrections()) == 5
    counts = []
    for article in (one, five):
        with CaptureQueriesContext(connection) as queries:
            assert detail(client, article).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_api_writes_record_the_token_user_on_article_and_links(curator):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.test_api_writes import ARTICLES, new_article

    OutletFactory(slug="tass", name="TASS")
    PersonFactory(slug="sergey-lavrov", name="Sergey Lavrov")
    TopicFactory(slug="grain")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}"
    )
    response = client.post(
        ARTICLES,
        new_article(
            people=[{"person": "sergey-lavrov", "role": "quoted"}], topics=["grain"]
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.history.get().history_user == curator
    assert ArticlePerson.history.get(article_id=article.pk).history_user == curator
    assert ArticleTopic.history.get(article_id=article.pk).history_type == "+"


def test_confirming_suggestions_is_recorded():
    link = ArticlePersonFactory(state=LinkState.SUGGESTED)
    confirm_suggestions(articles=Article.objects.filter(pk=link.article_id))
    assert link.history.first().state == LinkState.CONFIRMED
    assert link.history.first().history_type == "~"


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (OutletFactory, "outlet"),
        (PersonFactory, "person"),
        (TopicFactory, "topic"),
        (QuoteFactory, "quote"),
        (AnnotationFactory, "annotation"),
    ],
)
def test_curators_see_history_and_revert_form_of_every_curated_model(
    curator_client, factory, model
):
    obj = factory()
    record = obj.history.first()
    history = curator_client.get(
        reverse(f"admin:articles_{model}_history", args=[obj.pk])
    )
    assert history.status_code == 200
    form = curator_client.get(
        reverse(f"admin:articles_{model}_simple_history", args=[obj.pk, record.pk])
    )
    assert form.status_code == 200
