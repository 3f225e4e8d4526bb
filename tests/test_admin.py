import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ImportBatch, MergeRecord, Person, Quote
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = [
    "person_links",
    "topic_links",
    "quotes",
    "annotations",
    "candidate_people",
    "versions",
]


def article_form(article, **changes):
    """Return the POST data of the admin's article form, unchanged but for changes."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "outlet": article.outlet_id,
        "status": article.status,
        "loaded_version": article.version,
        "url": article.url,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "dateline": article.dateline,
        "language": article.language,
        "lead": article.lead,
        "body": article.body,
        "notes": article.notes,
        "source": article.source,
    }
    for prefix in INLINE_PREFIXES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return data


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def errors_in(response):
    return re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_every_changelist_and_add_page_opens_for_an_administrator(
    client, superuser, model
):
    client.force_login(superuser)
    meta = model._meta
    # django-axes' access logs are read-only: nobody adds an attempt by hand.
    # Merge records are made by merging, never by hand: they have no add page.
    # Import batches are the reports of imports: made by importing.
    adds = model._meta.app_label != "axes" and model is not ImportBatch
    expected = {"changelist": 200, "add": 200 if adds else 403}
    if model is MergeRecord:
        del expected["add"]
    for view, status in expected.items():
        response = client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}")
        )
        assert response.status_code == status, (model, view)


def test_curator_edits_an_article_with_people_topics_and_quotes(curator_client):
    link = ArticlePersonFactory(article__status=Article.Status.DRAFT)
    ArticleTopicFactory(article=link.article)
    QuoteFactory(article=link.article)
    article = link.article
    response = curator_client.get(change_url(article))
    assert response.status_code == 200
    page = response.content.decode()
    for inline in [
        "people (author, quoted, mentioned)",
        "Topics",
        "Quotes",
        "Annotations",
    ]:
        assert inline.lower() in page.lower()

    response = curator_client.post(
        change_url(article),
        article_form(article, title="Corrected headline", status="review"),
    )
    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert (article.title, article.status) == ("Corrected headline", "review")


def test_curator_cannot_publish_from_the_form(curator_client):
    article = ArticleFactory(status=Article.Status.REVIEW)
    response = curator_client.post(
        change_url(article), article_form(article, status="published")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(errors_in(response))
    article.refresh_from_db()
    assert article.status == "review"


def test_curator_may_correct_a_published_article_without_unpublishing_it(
    curator_client,
):
    article = ArticleFactory(status=Article.Status.PUBLISHED)
    response = curator_client.post(
        change_url(article), article_form(article, lead="Fixed.")
    )
    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert (article.lead, article.status) == ("Fixed.", "published")

    response = curator_client.post(
        change_url(article), article_form(article, status="draft")
    )
    assert "Select a valid choice" in " ".join(errors_in(response))
    article.refresh_from_db()
    assert article.status == "published"


def test_editor_publishes_from_the_form(editor_client):
    article = ArticleFactory(status=Article.Status.REVIEW)
    response = editor_client.post(
        change_url(article), article_form(article, status="published")
    )
    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert article.status == "published"


def actions_offered(client):
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    return set(re.findall(r'<option value="([a-z_]+)"', page))


def test_curators_are_offered_only_the_actions_they_may_take(curator_client):
    ArticleFactory()
    offered = actions_offered(curator_client)
    assert {"send_to_draft", "send_to_review"} <= offered
    assert not offered & {"publish", "withdraw", "delete_selected"}


def test_editors_are_offered_publish_withdraw_and_delete(editor_client):
    ArticleFactory()
    assert {
        "publish",
        "withdraw",
        "delete_selected",
        "send_to_review",
    } <= actions_offered(editor_client)


def run_action(client, action, articles):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )


def test_bulk_send_to_review_reports_what_changed(curator_client):
    drafts = ArticleFactory.create_batch(3, status=Article.Status.DRAFT)
    response = run_action(curator_client, "send_to_review", drafts)
    assert "3 articles marked as in review." in response.content.decode()
    assert set(Article.objects.values_list("status", flat=True)) == {"review"}


def test_bulk_publish_by_a_curator_is_refused(curator_client):
    drafts = ArticleFactory.create_batch(2, status=Article.Status.REVIEW)
    run_action(curator_client, "publish", drafts)
    assert set(Article.objects.values_list("status", flat=True)) == {"review"}


def test_bulk_unpublish_by_a_curator_changes_nothing(curator_client):
    articles = [ArticleFactory(status="published"), ArticleFactory(status="draft")]
    response = run_action(curator_client, "send_to_draft", articles)
    assert "Only editors" in response.content.decode()
    assert Article.objects.get(pk=articles[0].pk).status == "published"


def test_bulk_publish_and_withdraw_by_an_editor(editor_client):
    articles = ArticleFactory.create_batch(2, status=Article.Status.REVIEW)
    response = run_action(editor_client, "publish", articles)
    assert "2 articles marked as published." in response.content.decode()
    asked = run_action(editor_client, "withdraw", articles[:1])
    assert "Readers see this in place of the text" in asked.content.decode()
    assert Article.objects.get(pk=articles[0].pk).status == "published"
    done = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "withdraw",
            "_selected_action": [articles[0].pk],
            "apply": "yes",
            "reason": "Retracted by the outlet.",
        },
        follow=True,
    )
    assert "1 article marked as withdrawn." in done.content.decode()
    withdrawn = Article.objects.get(pk=articles[0].pk)
    assert (withdrawn.status, withdrawn.withdrawal_reason) == (
        "withdrawn",
        "Retracted by the outlet.",
    )


def test_curator_cannot_delete_an_article(curator_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert curator_client.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_deletes_an_article(editor_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_delete", args=[article.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_curators_have_no_user_management(curator_client):
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_person_add",
        "admin:articles_outlet_add",
        "admin:articles_topic_add",
    ],
)
def test_curator_may_add_people_outlets_and_topics(curator_client, url_name):
    assert curator_client.get(reverse(url_name)).status_code == 200


def test_bad_wikidata_id_is_a_form_error(curator_client):
    response = curator_client.post(
        reverse("admin:articles_person_add"),
        {
            "name": "Sergey Lavrov",
            "slug": "",
            "aliases": "Sergei Lavrov",
            "wikidata_id": "L83",
        },
    )
    assert response.status_code == 200
    assert "Wikidata item ID" in " ".join(errors_in(response))
    assert not Person.objects.exists()


def test_person_aliases_are_entered_one_a_line(curator_client):
    response = curator_client.post(
        reverse("admin:articles_person_add"),
        {
            "name": "Recep Tayyip Erdoğan",
            "aliases": "Erdogan\r\nRecep Tayyip Erdogan\r\n",
        },
    )
    assert response.status_code == 302, errors_in(response)
    person = Person.objects.get()
    assert person.aliases == ["Erdogan", "Recep Tayyip Erdogan"]
    assert person.slug == "recep-tayyip-erdogan"


def test_duplicate_url_is_a_form_error(curator_client):
    ArticleFactory(url="https://tass.com/politics/868473")
    article = ArticleFactory()
    response = curator_client.post(
        change_url(article),
        article_form(article, url="https://tass.com/politics/868473"),
    )
    assert response.status_code == 200
    assert "canonical URL" in " ".join(errors_in(response))


def test_quote_not_in_the_body_is_a_form_error(curator_client):
    article = ArticleFactory()
    speaker = PersonFactory()
    data = article_form(
        article,
        **{
            "quotes-TOTAL_FORMS": 1,
            "quotes-0-speaker": speaker.pk,
            "quotes-0-state": "confirmed",
            "quotes-0-text": "Words nobody wrote",
        },
    )
    response = curator_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "do not appear in the article body" in " ".join(errors_in(response))
    assert not Quote.objects.exists()


def test_quote_offsets_out_of_range_are_a_form_error(curator_client):
    article = ArticleFactory()
    data = article_form(
        article,
        **{
            "quotes-TOTAL_FORMS": 1,
            "quotes-0-speaker": PersonFactory().pk,
            "quotes-0-state": "confirmed",
            "quotes-0-text": "met",
            "quotes-0-start": 5,
            "quotes-0-end": 9000,
        },
    )
    response = curator_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "the length of the body" in " ".join(errors_in(response))


def test_quote_added_in_the_admin_is_located_in_the_body(curator_client):
    article = ArticleFactory()
    data = article_form(
        article,
        **{
            "quotes-TOTAL_FORMS": 1,
            "quotes-0-speaker": PersonFactory().pk,
            "quotes-0-state": "confirmed",
            "quotes-0-text": "We had a useful exchange,",
        },
    )
    response = curator_client.post(change_url(article), data)
    assert response.status_code == 302, errors_in(response)
    quote = Quote.objects.get()
    assert article.body[quote.start : quote.end] == "We had a useful exchange,"


def test_annotation_added_in_the_admin_records_its_author(curator_client, curator):
    article = ArticleFactory()
    data = article_form(
        article,
        **{
            "annotations-TOTAL_FORMS": 1,
            "annotations-0-note": "Year inferred from the summit date.",
            "annotations-0-exact": "met in Moscow",
            "annotations-0-visibility": "public",
        },
    )
    response = curator_client.post(change_url(article), data)
    assert response.status_code == 302, errors_in(response)
    annotation = article.annotations.get()
    assert annotation.author == curator
    assert article.body[annotation.start : annotation.end] == "met in Moscow"


def test_raw_source_is_shown_escaped_and_read_only(curator_client):
    article = ArticleFactory(raw_text="<script>alert(1)</script> raw page")
    page = curator_client.get(change_url(article)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; raw page" in page
    assert "<script>alert(1)</script>" not in page
    assert 'name="raw_text"' not in page


def test_change_page_links_to_the_public_page(curator_client):
    article = ArticleFactory()
    page = curator_client.get(change_url(article)).content.decode()
    assert "View on site" in page


def test_article_changelist_queries_do_not_grow_with_the_page(curator_client):
    url = reverse("admin:articles_article_changelist")
    ArticleFactory.create_batch(5)
    with CaptureQueriesContext(connection) as small:
        assert curator_client.get(url).status_code == 200
    for article in ArticleFactory.create_batch(45, outlet=OutletFactory()):
        ArticlePersonFactory(article=article, state="suggested")
        ArticleTopicFactory(article=article, state="suggested")
        QuoteFactory(article=article, state="suggested")
    with CaptureQueriesContext(connection) as large:
        page = curator_client.get(url).content.decode()
    assert page.count('class="field-short_title"') == 50
    assert page.count('<td class="field-suggestions">3</td>') == 45
    assert len(large) == len(small)


def test_changelist_rows_show_status_outlet_date_last_change_and_waiting(
    curator_client, curator
):
    article = ArticleFactory(
        title="A very long title " * 8,
        status="draft",
        outlet=OutletFactory(name="Duvar English"),
        published_at=dt.datetime(2020, 10, 14, 9, tzinfo=dt.UTC),
    )
    ArticlePersonFactory(article=article, state="suggested")
    ArticlePersonFactory(article=article, state="confirmed")
    QuoteFactory(article=article, state="suggested")
    curator_client.post(
        change_url(article), article_form(article, lead="Fixed by a curator.")
    )
    page = changelist(curator_client).content.decode()
    body = page.split('id="result_list"')[1].split("<tbody>")[1]
    row = re.search(r"<tr>.*?</tr>", body, re.S)[0]
    full = article.title.strip()
    assert f'<span title="{full}">{full}</span>' in row
    assert '<td class="field-status">Draft</td>' in row
    assert "Duvar English" in row and "2020-10-14" in row
    assert "<small>by curator</small>" in row
    assert '<td class="field-suggestions">2</td>' in row


def test_changelist_search_finds_words_of_the_text_in_drafts_too(curator_client):
    ArticleFactory(title="Grain deal", body="Talks on the corridor resumed.")
    ArticleFactory(
        title="Draft on shipping", body="The corridor reopened.", status="draft"
    )
    ArticleFactory(title="Other news", body="Nothing about that.")
    assert listed_titles(changelist(curator_client, q="corridor")) == {
        "Grain deal",
        "Draft on shipping",
    }
    found = changelist(curator_client, q="corridor", status__exact="draft")
    assert listed_titles(found) == {"Draft on shipping"}


def test_changelist_search_without_the_index_matches_urls_and_slugs_only(
    curator_client, settings, tmp_path
):
    from articles.search import sync

    ArticleFactory(title="Corridor talks", slug="corridor-talks")
    ArticleFactory(title="Corridor again")
    settings.SEARCH_INDEX_DIR = str(tmp_path / "nowhere")
    sync.forget_engines()
    response = changelist(curator_client, q="corridor-talks")
    assert listed_titles(response) == {"Corridor talks"}
    assert "text search is unavailable" in response.content.decode()
    assert listed_titles(changelist(curator_client, q="corridor")) == set()


def test_changelist_filters_by_import_batch_and_recent_imports(curator_client):
    from django.utils import timezone

    from articles.models import ImportBatch

    now = timezone.now()
    batch, other = (
        ImportBatch.objects.create(origin=ImportBatch.Origin.ADMIN, sources=[name])
        for name in ("a.jsonl", "b.jsonl")
    )
    ArticleFactory(title="This run", imported_at=now, import_batch=batch)
    # Imported at the same moment by another run: not part of this import.
    ArticleFactory(title="Beside it", imported_at=now, import_batch=other)
    ArticleFactory(title="Last week", imported_at=now - dt.timedelta(days=5))
    ArticleFactory(title="Typed in", imported_at=None)
    response = changelist(curator_client, imported=batch.pk)
    assert listed_titles(response) == {"This run"}
    assert f"Import batch {batch.pk} (" in response.content.decode()
    assert listed_titles(changelist(curator_client, imported="day")) == {
        "This run",
        "Beside it",
    }
    assert listed_titles(changelist(curator_client, imported="week")) == {
        "This run",
        "Beside it",
        "Last week",
    }
    assert len(listed_titles(changelist(curator_client, imported="any"))) == 3
    for value in ("yesterday", "99999", "1/2", "١"):
        bad = curator_client.get(
            reverse("admin:articles_article_changelist"), {"imported": value}
        )
        assert bad.status_code == 302 and "e=1" in bad["Location"]


def test_a_search_within_an_unknown_status_finds_nothing_and_does_not_fail(
    curator_client,
):
    ArticleFactory(title="Corridor", body="The corridor reopened.")
    response = changelist(curator_client, q="corridor", status__exact="bogus")
    assert listed_titles(response) == set()


def test_article_changelist_does_not_count_the_whole_table(curator_client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate exists only on PostgreSQL")
    settings.ARCHIVE_EXACT_COUNT_LIMIT = 0
    ArticleFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [
        sql for sql in counts if '"articles_article"' in sql and "WHERE" not in sql
    ]
    assert "about 3 articles" in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["person", "topic", "quote", "annotation", "outlet"], ids=str
)
def test_other_changelists_run_a_constant_number_of_queries(curator_client, url_name):
    url = reverse(f"admin:articles_{url_name}_changelist")
    QuoteFactory()
    with CaptureQueriesContext(connection) as small:
        curator_client.get(url)
    for _ in range(10):
        link = ArticlePersonFactory()
        ArticleTopicFactory(article=link.article)
        QuoteFactory(article=link.article, speaker=link.person)
    with CaptureQueriesContext(connection) as large:
        assert curator_client.get(url).status_code == 200
    assert len(large) == len(small)


def changelist(client, **params):
    response = client.get(reverse("admin:articles_article_changelist"), params)
    assert response.status_code == 200
    return response


def listed_titles(response) -> set[str]:
    return {str(article) for article in response.context["cl"].result_list}


def test_curators_filter_articles_by_language_of_the_outlets(curator_client):
    ArticleFactory(
        title="In Russian", language="ru", outlet=OutletFactory(language="ru")
    )
    ArticleFactory(title="In English", language="en")
    with CaptureQueriesContext(connection) as queries:
        page = changelist(curator_client).content.decode()
    assert "Russian (ru)" in page and "English (en)" in page
    assert not [
        q["sql"]
        for q in queries
        if "DISTINCT" in q["sql"] and "articles_article" in q["sql"]
    ]
    response = changelist(curator_client, language__exact="ru")
    assert listed_titles(response) == {"In Russian"}


def test_a_language_no_outlet_uses_still_filters_and_is_offered(curator_client):
    ArticleFactory(title="In Kazakh", language="kk")
    ArticleFactory(title="In English")
    response = changelist(curator_client, language__exact="kk")
    assert listed_titles(response) == {"In Kazakh"}
    assert "Kazakh (kk)" in response.content.decode()


def test_date_hierarchy_offers_every_year_between_the_first_and_last(curator_client):
    ArticleFactory(published_at=dt.datetime(2019, 5, 1, tzinfo=dt.UTC))
    ArticleFactory(title="Late", published_at=dt.datetime(2021, 3, 1, tzinfo=dt.UTC))
    ArticleFactory(published_at=None)
    page = changelist(curator_client).content.decode()
    for year in (2019, 2020, 2021):
        assert f"published_at__year={year}" in page
    response = changelist(curator_client, published_at__year=2021)
    assert listed_titles(response) == {"Late"}
    months = response.content.decode()
    assert "published_at__month=12" in months and "March 2021" in months
    days = changelist(curator_client, published_at__year=2021, published_at__month=2)
    assert "published_at__day=28" in days.content.decode()
    assert "published_at__day=29" not in days.content.decode()


def test_curators_filter_articles_awaiting_review_of_suggestions(curator_client):
    ArticlePersonFactory(article__title="Has a suggestion", state="suggested")
    ArticlePersonFactory(article__title="Only confirmed links")
    response = changelist(curator_client, suggestions="pending")
    assert listed_titles(response) == {"Has a suggestion"}


def test_filtered_list_is_counted_only_up_to_the_limit(curator_client, settings):
    ArticleFactory.create_batch(5, status=Article.Status.DRAFT)
    ArticleFactory()
    settings.ARCHIVE_FILTERED_COUNT_LIMIT = 3
    page = changelist(curator_client, status__exact="draft").content.decode()
    assert "more than 3 articles" in page
    # Selecting across pages acts on every match, not on the counted three.
    assert "Select all (more than 3) articles" in page
    settings.ARCHIVE_FILTERED_COUNT_LIMIT = 5
    page = changelist(curator_client, status__exact="draft").content.decode()
    assert "5 articles" in page and "more than" not in page


def test_search_finds_title_words_and_whole_urls_and_slugs(curator_client):
    ArticleFactory(title="Pipeline talks stall", url="https://a.example/news/1")
    ArticleFactory(title="Other", slug="other-story")
    ArticleFactory(title="Third", url="https://a.example/news/3")
    assert listed_titles(changelist(curator_client, q="pipeline")) == {
        "Pipeline talks stall"
    }
    assert listed_titles(changelist(curator_client, q="https://a.example/news/3")) == {
        "Third"
    }
    assert listed_titles(changelist(curator_client, q="other-story")) == {"Other"}
    assert listed_titles(changelist(curator_client, q="a.example/news")) == set()
    assert "exact canonical URL" in changelist(curator_client).content.decode()


def test_autocomplete_boxes_list_topics_and_people_by_name(curator_client):
    for name in ("Zinc exports", "Energy", "Grain deal"):
        TopicFactory(name=name)
    for name in ("Zeynep Kaya", "Anna Ivanova", "Mehmet Demir"):
        PersonFactory(name=name)
    for model, field in (("articletopic", "topic"), ("articleperson", "person")):
        response = curator_client.get(
            "/admin/autocomplete/",
            {"app_label": "articles", "model_name": model, "field_name": field},
        )
        assert response.status_code == 200
        names = [result["text"] for result in response.json()["results"]]
        assert len(names) == 3
        assert names == sorted(names), field
