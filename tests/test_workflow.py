"""The review workflow and safe concurrent edits, from the outside: admin form,
admin bulk actions and API, as curator, editor and anonymous user."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from articles import workflow
from articles.models import Article, ArticlePerson, ArticleTopic, ConcurrentEdit
from tests.factories import ArticleFactory
from tests.test_admin import article_form, change_url, errors_in

pytestmark = pytest.mark.django_db

ALL = ["draft", "review", "published", "withdrawn"]
LEGAL = {
    ("draft", "review"): "curator",
    ("review", "draft"): "curator",
    ("review", "published"): "editor",
    ("published", "withdrawn"): "editor",
    ("published", "draft"): "editor",
    ("withdrawn", "draft"): "editor",
}


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
@pytest.mark.parametrize("role", ["curator", "editor"])
def test_every_transition_through_the_api(request, role, old, new):
    user = request.getfixturevalue(role)
    article = ArticleFactory(status=old)
    response = api_as(user).patch(
        f"/api/v1/articles/{article.pk}/",
        {"status": new, "version": article.version, "withdrawal_reason": "Wrong."},
        format="json",
    )
    who = LEGAL.get((old, new))
    allowed = old == new or who == "curator" or (who == "editor" and role == "editor")
    article.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.content
        assert article.status == new
    else:
        assert response.status_code == 400
        message = response.json()["error"]["fields"]["status"][0]
        assert ("Only editors" in message) == (who == "editor")
        assert article.status == old


def test_anonymous_cannot_change_status(client):
    article = ArticleFactory(status="review")
    response = api_as(None).patch(
        f"/api/v1/articles/{article.pk}/", {"status": "published"}, format="json"
    )
    assert response.status_code == 401
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(url, {"status": "published"}).status_code == 302  # to login
    article.refresh_from_db()
    assert article.status == "review"


def test_withdrawing_needs_a_reason(editor):
    article = ArticleFactory()
    response = api_as(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"status": "withdrawn", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["message"]
    response = api_as(editor).patch(
        f"/api/v1/articles/{article.pk}/",
        {"status": "withdrawn", "version": 1, "withdrawal_reason": "Retracted."},
        format="json",
    )
    assert response.status_code == 200


def test_admin_form_offers_only_allowed_statuses(client, curator, editor):
    article = ArticleFactory(status="review")
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(curator)
    curator_page = client.get(url).content.decode()
    assert 'value="draft"' in curator_page and 'value="published"' not in curator_page
    client.force_login(editor)
    editor_page = client.get(url).content.decode()
    assert 'value="published"' in editor_page and 'value="withdrawn"' not in editor_page


def test_admin_withdraw_without_reason_is_refused(editor_client):
    article = ArticleFactory()
    response = editor_client.post(
        change_url(article), article_form(article, status="withdrawn")
    )
    assert "reason" in " ".join(errors_in(response))
    response = editor_client.post(
        change_url(article),
        article_form(article, status="withdrawn", withdrawal_reason="Retracted."),
    )
    assert response.status_code == 302, errors_in(response)


def test_bulk_actions_move_the_legal_ones_and_report_the_rest(editor_client):
    review = ArticleFactory(status="review")
    draft = ArticleFactory(status="draft")
    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [review.pk, draft.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 article marked as published." in page
    assert "1 not changed: An article cannot go from draft to published" in page
    assert Article.objects.get(pk=draft.pk).status == "draft"


# Safe concurrent edits


def test_second_admin_save_of_the_same_version_is_refused(curator_client, editor):
    article = ArticleFactory(status="draft", title="Original")
    first = article_form(article, title="Curator one's title")
    second = article_form(article, title="Curator two's title")
    assert curator_client.post(change_url(article), first).status_code == 302
    response = curator_client.post(change_url(article), second)
    assert response.status_code == 200
    assert "Someone else saved this article" in " ".join(errors_in(response))
    assert "history" in response.content.decode()
    assert "See what they changed in the article" in " ".join(errors_in(response))
    article.refresh_from_db()
    assert article.title == "Curator one's title"


def test_a_bulk_status_change_also_invalidates_open_forms(
    curator_client, editor_client
):
    article = ArticleFactory(status="review")
    stale = article_form(article, lead="A fix made in a form opened earlier.")
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    response = curator_client.post(change_url(article), stale)
    assert "Someone else saved this article" in " ".join(errors_in(response))
    assert Article.objects.get(pk=article.pk).status == "published"


def test_api_update_with_a_stale_version_is_a_conflict(curator):
    article = ArticleFactory(status="draft")
    url = f"/api/v1/articles/{article.pk}/"
    client = api_as(curator)
    assert (
        client.patch(url, {"title": "One", "version": 1}, format="json").status_code
        == 200
    )
    stale = client.patch(url, {"title": "Two", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    missing = client.patch(url, {"title": "Three"}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()["error"]["fields"]
    assert Article.objects.get(pk=article.pk).title == "One"


def test_stale_instances_cannot_overwrite_each_other():
    article = ArticleFactory()
    one, two = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    one.title = "First"
    one.save()
    two.title = "Second"
    with pytest.raises(ConcurrentEdit):
        two.save()
    assert Article.objects.get(pk=article.pk).title == "First"


def test_transition_table_matches_the_documented_flow():
    assert workflow.TRANSITIONS == LEGAL


# Review queue and bulk work


def test_admin_index_counts_the_review_queue(client, curator):
    from tests.factories import ArticlePersonFactory, ArticleTopicFactory

    ArticleFactory.create_batch(2, status="review")
    ArticleFactory(status="draft")
    ArticlePersonFactory(state="suggested")
    ArticleTopicFactory.create_batch(3, state="suggested")
    ArticleTopicFactory(state="confirmed")
    client.force_login(curator)
    page = client.get(reverse("admin:index")).content.decode()
    queue = page[page.index('id="review-queue"') :]
    queue = queue[: queue.index("</table>")]
    rows = dict(re.findall(r">([A-Z][a-z ]+)</a></th>\s*<td>(\d+)</td>", queue))
    assert rows == {
        "Drafts": "1",
        "Articles in review": "2",
        "Suggested people links": "1",
        "Suggested topic links": "3",
        "Suggested quotes": "0",
        "Candidate new people": "0",
    }
    assert "?state__exact=suggested" in queue
    assert "Open the oldest of the drafts" in queue
    assert reverse("admin:articles_article_queue") + "?queue=review" in queue


def test_suggested_links_are_confirmed_or_rejected_one_by_one(curator_client):
    from tests.factories import ArticlePersonFactory

    keep, drop = ArticlePersonFactory.create_batch(2, state="suggested")
    url = reverse("admin:articles_articleperson_changelist")
    curator_client.post(url, {"action": "confirm", "_selected_action": [keep.pk]})
    curator_client.post(url, {"action": "reject", "_selected_action": [drop.pk]})
    keep.refresh_from_db()
    assert keep.state == "confirmed"
    assert not ArticlePerson.objects.filter(pk=drop.pk).exists()


def run_bulk(client, action, articles, **fields):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": action,
            "_selected_action": [a.pk for a in articles],
            "apply": "yes",
            **fields,
        },
        follow=True,
    )


def test_bulk_topic_and_person_on_many_articles(curator_client):
    from django.contrib.admin.models import LogEntry

    from tests.factories import ArticleTopicFactory, PersonFactory, TopicFactory

    articles = ArticleFactory.create_batch(120, status="draft")
    topic, person = (
        TopicFactory(name="Grain corridor"),
        PersonFactory(name="Hakan Fidan"),
    )
    ArticleTopicFactory(article=articles[0], topic=topic, state="suggested")
    ArticleTopicFactory(article=articles[1], topic=topic)

    page = run_bulk(curator_client, "add_topic", articles, topic=topic.pk)
    assert (
        "Topic “Grain corridor” added to 118 articles, confirmed on 1; "
        "1 already had it." in page.content.decode()
    )
    assert ArticleTopic.objects.filter(topic=topic, state="confirmed").count() == 120
    assert (
        LogEntry.objects.filter(change_message="Added topic “Grain corridor”.").count()
        == 119
    )

    made = ArticleTopic.history.filter(topic_id=topic.pk, history_type="+")
    assert made.filter(history_user__username="curator").count() == 118
    confirmed = ArticleTopic.history.filter(topic_id=topic.pk, history_type="~")
    assert confirmed.get().history_user.username == "curator"

    page = run_bulk(
        curator_client, "add_person", articles[:50], person=person.pk, role="quoted"
    )
    assert "Hakan Fidan added as quoted to 50 articles." in page.content.decode()
    page = run_bulk(
        curator_client, "remove_person", articles[:10], person=person.pk, role="quoted"
    )
    assert "Hakan Fidan removed as quoted from 10 articles." in page.content.decode()
    assert ArticlePerson.objects.filter(person=person).count() == 40
    page = run_bulk(curator_client, "remove_topic", articles[:5], topic=topic.pk)
    assert "removed from 5 articles" in page.content.decode()


def test_bulk_actions_are_not_for_anonymous_users(client):
    article = ArticleFactory()
    response = run_bulk(client, "add_topic", [article], topic=1)
    assert "/admin/login/" in response.redirect_chain[-1][0]
