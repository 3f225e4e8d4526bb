"""The review queue in the admin: an article's page leads to the next one
waiting, decides each suggestion in place, moves the article on as the role
allows, and shows only the sections and actions that matter."""

import datetime as dt
import itertools
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import (
    ArticlePerson,
    CandidatePerson,
    LinkState,
    Person,
    Quote,
)
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    PersonFactory,
    QuoteFactory,
)
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db

QUEUE = "admin:articles_article_queue"


def change_url(article, queue=None):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return url + (f"?queue={queue}" if queue else "")


def at(day):
    return dt.datetime(2023, 9, day, 8, tzinfo=dt.UTC) if day else None


def drafts(*days):
    return [ArticleFactory(status="draft", published_at=at(day)) for day in days]


def opened(client, **params):
    response = client.get(reverse(QUEUE), params)
    assert response.status_code == 302
    return response["Location"]


def test_the_queue_opens_the_oldest_draft_and_walks_it_both_ways(curator_client):
    # Two on one day, one undated (last), one in review (another queue).
    late, first, undated, same_day = drafts(9, 1, None, 1)
    ArticleFactory(status="review", published_at=at(1))
    order = [first, same_day, late, undated]
    assert opened(curator_client, queue="draft") == change_url(first, "draft")
    for before, after in itertools.pairwise(order):
        assert opened(curator_client, queue="draft", after=before.pk) == change_url(
            after, "draft"
        )
        assert opened(curator_client, queue="draft", before=after.pk) == change_url(
            before, "draft"
        )


def test_past_the_end_of_the_queue_the_list_says_so(curator_client):
    (only,) = drafts(3)
    response = curator_client.get(
        reverse(QUEUE), {"queue": "draft", "after": only.pk}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("?status__exact=draft")
    assert "That was the last of the drafts." in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"queue": "published"}, {"queue": "draft", "after": "x1"}]
)
def test_an_unknown_queue_or_article_is_a_404(curator_client, params):
    assert curator_client.get(reverse(QUEUE), params).status_code == 404


def decide(client, link, kind, decision, json=True):
    url = reverse(
        "admin:articles_article_suggestion",
        args=[link.article_id, kind, link.pk, decision],
    )
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url, headers=headers)


def test_a_suggested_person_is_confirmed_in_place_and_recorded(curator_client, curator):
    link = ArticlePersonFactory(state="suggested", person__name="Dmitry Peskov")
    QuoteFactory(article=link.article, state="suggested")
    response = decide(curator_client, link, "person", "confirm")
    assert response.status_code == 200
    assert response.json() == {
        "message": "Confirmed the suggested person: Dmitry Peskov (mentioned).",
        "waiting": 1,
    }
    link.refresh_from_db()
    assert link.state == LinkState.CONFIRMED
    assert link.history.first().history_user == curator
    entry = LogEntry.objects.get(object_id=str(link.article_id))
    assert entry.user == curator and "Dmitry Peskov" in entry.get_change_message()


def test_a_rejected_quote_is_removed_and_a_second_decision_changes_nothing(
    curator_client,
):
    quote = QuoteFactory(state="suggested")
    assert decide(curator_client, quote, "quote", "reject").json()["waiting"] == 0
    assert not Quote.objects.exists()
    again = decide(curator_client, quote, "quote", "confirm")
    assert again.status_code == 409
    assert "already decided" in again.json()["message"]


def test_confirming_a_candidate_makes_the_person(curator_client):
    article = ArticleFactory(status="draft")
    candidate = CandidatePerson.objects.create(
        article=article, name="Umit Yardim", title="Ambassador"
    )
    decide(curator_client, candidate, "candidate", "confirm")
    person = Person.objects.get(name="Umit Yardim")
    assert ArticlePerson.objects.get(article=article).person == person


def test_without_script_a_decision_goes_back_to_the_article_in_its_queue(
    curator_client,
):
    link = ArticleTopicFactory(state="suggested", article__status="draft")
    url = reverse(
        "admin:articles_article_suggestion",
        args=[link.article_id, "topic", link.pk, "confirm"],
    )
    response = curator_client.post(url + "?queue=draft", follow=True)
    assert response.redirect_chain[-1][0] == change_url(link.article, "draft")
    assert "Confirmed the suggested topic" in response.content.decode()


@pytest.mark.parametrize(
    "kind, decision", [("person", "maybe"), ("article", "confirm")], ids=str
)
def test_an_unknown_kind_or_decision_is_a_404(curator_client, kind, decision):
    link = ArticlePersonFactory(state="suggested")
    url = reverse(
        "admin:articles_article_suggestion",
        args=[link.article_id, kind, link.pk, decision],
    )
    assert curator_client.post(url).status_code == 404
    assert ArticlePerson.objects.get().state == "suggested"


def page_of(client, article, queue=None):
    response = client.get(change_url(article, queue))
    assert response.status_code == 200
    return response.content.decode()


def test_each_suggestion_shows_the_passage_that_triggered_it(curator_client):
    article = ArticleFactory(
        status="draft",
        body="Talks resumed <b>today</b>. Sergei Lavrov said nothing new.",
    )
    lavrov = PersonFactory(name="Sergey Lavrov", aliases=["Sergei Lavrov"])
    ArticlePersonFactory(article=article, person=lavrov, state="suggested")
    page = page_of(curator_client, article)
    assert (
        "Talks resumed &lt;b&gt;today&lt;/b&gt;. <mark>Sergei Lavrov</mark> said "
        "nothing new.</p>"
    ) in page
    assert "<b>today</b>" not in page


def test_suggestion_buttons_only_when_suggestions_wait(curator_client):
    waiting = ArticlePersonFactory(state="suggested", article__status="draft").article
    none = ArticleFactory(status="draft")
    assert "Confirm all suggestions" in page_of(curator_client, waiting)
    page = page_of(curator_client, none)
    assert "Confirm all suggestions" not in page
    assert "Reject all suggestions" not in page


@pytest.fixture
def editor_browser(editor):
    """The editor's own client, beside the curator's."""
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


def moves(page):
    return re.findall(r'name="_move" value="(\w+)"', page)


def test_moves_are_the_ones_the_role_may_make(curator_client, editor_browser):
    editor_client = editor_browser
    draft, in_review, published = (
        ArticleFactory(status=s) for s in ("draft", "review", "published")
    )
    assert moves(page_of(curator_client, draft)) == ["review"]
    assert moves(page_of(curator_client, in_review)) == ["draft"]
    assert moves(page_of(curator_client, published)) == []
    assert moves(page_of(editor_client, in_review)) == ["draft", "published"]
    assert moves(page_of(editor_client, published)) == ["draft"]


def test_the_withdrawal_reason_only_where_it_matters(curator_client, editor_browser):
    editor_client = editor_browser
    draft = ArticleFactory(status="draft")
    published = ArticleFactory(status="published")
    withdrawn = ArticleFactory(status="withdrawn", withdrawal_reason="Legal request.")
    field = 'name="withdrawal_reason"'
    assert field not in page_of(editor_client, draft)
    assert field not in page_of(curator_client, published)
    assert field in page_of(editor_client, published)
    assert "Legal request." in page_of(curator_client, withdrawn)


def test_send_to_review_saves_the_fix_and_opens_the_next_draft(curator_client):
    first, second = drafts(1, 2)
    response = curator_client.post(
        change_url(first, "draft"),
        article_form(first, lead="A lead the curator wrote.", _move="review"),
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(second, "draft")
    first.refresh_from_db()
    assert (first.status, first.lead) == ("review", "A lead the curator wrote.")


def test_a_curator_cannot_publish_by_a_move(curator_client):
    (draft,) = drafts(1)
    draft.status = "review"
    draft.save()
    response = curator_client.post(
        change_url(draft, "review"), article_form(draft, _move="published")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "review"


def test_an_editor_publishes_and_goes_on_through_the_review_queue(editor_client):
    first, second = (
        ArticleFactory(status="review", published_at=at(day)) for day in (1, 2)
    )
    response = editor_client.post(
        change_url(first), article_form(first, _move="published")
    )
    assert response["Location"] == change_url(second, "review")
    first.refresh_from_db()
    assert first.status == "published"


def rich_article(n):
    """An article with n of every kind of link, suggestion, note and version."""
    sentences = [f"Sentence number {i} was said in Geneva." for i in range(2 * n)]
    article = ArticleFactory(status="draft", body="\n\n".join(sentences))
    for i in range(n):
        ArticlePersonFactory(article=article)
        ArticlePersonFactory(article=article, state="suggested")
        ArticleTopicFactory(article=article)
        ArticleTopicFactory(article=article, state="suggested")
        QuoteFactory(article=article, text=sentences[i])
        QuoteFactory(article=article, text=sentences[n + i], state="suggested")
        CandidatePerson.objects.create(article=article, name=f"Candidate {i}")
        AnnotationFactory(article=article, exact=sentences[i], note=f"Note {i}")
        article.versions.create(
            captured_at=at(1), title="Earlier", body=f"Earlier {i}", content_hash=str(i)
        )
        article.lead = f"Edited {i}"
        article.save()
    return article


def test_the_article_page_runs_a_constant_number_of_queries(curator_client):
    small, large = rich_article(1), rich_article(8)
    counts = []
    for article in (small, large):
        page_of(curator_client, article, "draft")  # warm caches (content types…)
        with CaptureQueriesContext(connection) as queries:
            page = page_of(curator_client, article, "draft")
        counts.append(len(queries))
    assert page.count('class="suggestion"') == 8 * 4
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    "factory, message",
    [
        (ArticleTopicFactory, "The article already has this topic."),
        (ArticlePersonFactory, "This person has this role in the article."),
    ],
)
def test_adding_a_link_that_waits_as_a_suggestion_is_a_form_error(
    curator_client, factory, message
):
    link = factory(state="suggested")
    article = link.article
    prefix = "topic_links" if factory is ArticleTopicFactory else "person_links"
    row = (
        {"topic": link.topic_id}
        if prefix == "topic_links"
        else {
            "person": link.person_id,
            "role": link.role,
        }
    )
    data = article_form(
        article,
        **{f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-0-article": article.pk},
        **{f"{prefix}-0-{k}": v for k, v in row.items()},
    )
    response = curator_client.post(change_url(article), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert factory._meta.model.objects.count() == 1


def test_confirm_all_answers_the_panel_in_json(curator_client):
    link = ArticlePersonFactory(state="suggested")
    CandidatePerson.objects.create(article=link.article, name="Umit Yardim")
    url = reverse(
        "admin:articles_article_suggestions", args=[link.article_id, "confirm"]
    )
    response = curator_client.post(url, headers={"Accept": "application/json"})
    # Candidates wait for a decision of their own.
    assert response.json() == {"message": "Confirmed 1 people links.", "waiting": 1}
    link.refresh_from_db()
    assert link.state == LinkState.CONFIRMED
