"""The JSON API as its readers see it: what each endpoint returns, filters,
pagination, syncing by modification time, export, and the HTTP conventions."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from articles.api.serializers import ArticleSerializer
from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    LinkState,
    Tombstone,
)
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

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.force_authenticate(curator)
    return client


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def every_page(api, url):
    """Follow `next` links to the end; return the ids in order."""
    seen = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        seen += ids(response)
        url = response.json()["next"]
    return seen


def at(day):
    return dt.datetime(2021, 1, day, 12, tzinfo=dt.UTC)


# What the public sees


def test_lists_only_published_articles_newest_first(api):
    older = ArticleFactory(published_at=at(1))
    newer = ArticleFactory(published_at=at(2))
    for status in ["draft", "review", "withdrawn"]:
        ArticleFactory(status=status, published_at=at(3))
    assert ids(api.get(ARTICLES)) == [newer.pk, older.pk]


@pytest.mark.parametrize("status", ["draft", "review"])
def test_unpublished_article_detail_is_not_found(api, status):
    article = ArticleFactory(status=status)
    response = api.get(f"{ARTICLES}{article.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_article_detail_has_people_topics_quotes_notes_and_provenance(api):
    article = ArticleFactory(url="https://tass.com/politics/1", outlet__name="TASS")
    author = ArticlePersonFactory(
        article=article, role="author", person__name="Ivan Petrov"
    ).person
    ArticlePersonFactory(article=article, role="mentioned", state="suggested")
    topic = ArticleTopicFactory(article=article, topic__name="Diplomacy").topic
    quote = QuoteFactory(article=article)
    QuoteFactory(article=article, state=LinkState.SUGGESTED)
    public = AnnotationFactory(article=article, note="Date inferred from the text.")
    AnnotationFactory(article=article, visibility=Annotation.Visibility.INTERNAL)

    data = api.get(f"{ARTICLES}{article.pk}/").json()

    assert data["title"] == article.title
    assert data["body"] == article.body
    assert data["outlet"] == {
        "slug": article.outlet.slug,
        "name": "TASS",
        "country": "RU",
    }
    assert data["authors"] == ["Ivan Petrov"]
    assert data["people"] == [
        {"person": author.slug, "name": "Ivan Petrov", "role": "author"}
    ]
    assert data["topics"] == [{"slug": topic.slug, "name": "Diplomacy"}]
    assert [q["id"] for q in data["quotes"]] == [quote.pk]
    assert data["quotes"][0]["text"] == article.body[quote.start : quote.end]
    assert [a["id"] for a in data["annotations"]] == [public.pk]
    assert data["url"] == "https://tass.com/politics/1"
    assert "url" not in data["provenance"]
    assert data["provenance"]["content_hash"] == article.content_hash
    assert data["web_url"] == f"http://testserver{article.get_absolute_url()}"


def test_quotes_and_notes_of_unpublished_articles_stay_hidden(api):
    draft = ArticleFactory(status="draft")
    QuoteFactory(article=draft)
    AnnotationFactory(article=draft)
    shown = QuoteFactory()
    note = AnnotationFactory()
    AnnotationFactory(article=note.article, visibility="internal")
    QuoteFactory(
        article=shown.article,
        state=LinkState.SUGGESTED,
        speaker=shown.speaker,
        text="useful exchange",
    )
    assert ids(api.get("/api/v1/quotes/")) == [shown.pk]
    assert ids(api.get("/api/v1/annotations/")) == [note.pk]
    hidden = Annotation.objects.get(article=draft)
    assert api.get(f"/api/v1/annotations/{hidden.pk}/").status_code == 404


def test_curators_see_every_status_and_internal_notes(curator_api):
    draft = ArticleFactory(status="draft")
    internal = AnnotationFactory(article=draft, visibility="internal")
    assert ids(curator_api.get(ARTICLES)) == [draft.pk]
    assert (
        curator_api.get(f"{ARTICLES}{draft.pk}/").json()["annotations"][0]["id"]
        == internal.pk
    )
    assert ids(curator_api.get("/api/v1/annotations/")) == [internal.pk]


def test_entity_counts_only_published_articles(api):
    outlet = OutletFactory()
    ArticleFactory(outlet=outlet)
    ArticleFactory(outlet=outlet, status="draft")
    data = api.get(f"/api/v1/outlets/{outlet.slug}/").json()
    assert data["article_count"] == 1
    person = ArticlePersonFactory(article__status="draft").person
    ArticlePersonFactory(person=person)
    assert api.get(f"/api/v1/people/{person.slug}/").json()["article_count"] == 1
    topic = ArticleTopicFactory().topic
    assert api.get(f"/api/v1/topics/{topic.slug}/").json()["article_count"] == 1


# Filters


def test_filters_by_outlet_topic_person_and_role(api):
    tass, azer = (
        OutletFactory(slug="tass"),
        OutletFactory(slug="azernews", country="AZ"),
    )
    a = ArticleFactory(outlet=tass)
    b = ArticleFactory(outlet=azer)
    c = ArticleFactory(outlet=azer)
    syria, energy = TopicFactory(slug="syria"), TopicFactory(slug="energy")
    ArticleTopicFactory(article=a, topic=syria)
    ArticleTopicFactory(article=b, topic=syria)
    ArticleTopicFactory(article=b, topic=energy)
    lavrov = PersonFactory(slug="lavrov")
    ArticlePersonFactory(article=a, person=lavrov, role="quoted")
    ArticlePersonFactory(article=c, person=lavrov, role="mentioned")

    assert ids(api.get(ARTICLES, {"outlet": "tass"})) == [a.pk]
    assert set(ids(api.get(ARTICLES, {"outlet": ["tass", "azernews"]}))) == {
        a.pk,
        b.pk,
        c.pk,
    }
    assert ids(api.get(ARTICLES, {"topic": ["syria", "energy"]})) == [b.pk]
    assert set(ids(api.get(ARTICLES, {"person": "lavrov"}))) == {a.pk, c.pk}
    assert ids(api.get(ARTICLES, {"person": "lavrov", "role": "quoted"})) == [a.pk]
    assert set(ids(api.get(ARTICLES, {"country": "AZ"}))) == {b.pk, c.pk}


def test_filters_by_language_and_publication_time(api):
    ru = ArticleFactory(language="ru", published_at=at(5))
    en = ArticleFactory(language="en", published_at=at(10))
    assert ids(api.get(ARTICLES, {"language": "ru"})) == [ru.pk]
    assert ids(api.get(ARTICLES, {"published_after": "2021-01-06"})) == [en.pk]
    assert ids(api.get(ARTICLES, {"published_before": "2021-01-06T00:00:00Z"})) == [
        ru.pk
    ]
    assert ids(
        api.get(
            ARTICLES,
            {
                "published_after": "2021-01-05T12:00:00Z",
                "published_before": "2021-01-10T12:00:00Z",
            },
        )
    ) == [ru.pk]


def test_search_uses_the_sites_search_and_orders_by_relevance(api):
    in_title = ArticleFactory(title="Erdoğan meets Putin in Sochi")
    in_body = ArticleFactory(body="Talks went on.\n\nLater Erdoğan spoke to reporters.")
    ArticleFactory(title="Unrelated story about grain")
    response = api.get(ARTICLES, {"q": "Erdoğan"})
    assert ids(response) == [in_title.pk, in_body.pk]
    by_date = api.get(ARTICLES, {"q": "Erdoğan", "ordering": "published_at"})
    assert ids(by_date) == [in_title.pk, in_body.pk]


def test_status_filter_is_for_curators(api, curator_api):
    draft = ArticleFactory(status="draft")
    ArticleFactory()
    assert ids(curator_api.get(ARTICLES, {"status": "draft"})) == [draft.pk]
    response = api.get(ARTICLES, {"status": "draft"})
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("Only curators")


@pytest.mark.parametrize(
    "params, name",
    [
        ({"outlet": "no-such-outlet"}, "outlet"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"person": "nobody"}, "person"),
        ({"outlet": ["tass", "no-such-outlet"]}, "outlet"),
    ],
)
def test_a_slug_naming_no_record_is_a_404_naming_the_parameter(api, params, name):
    OutletFactory(slug="tass")
    response = api.get(ARTICLES, params)
    assert response.status_code == 404, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == [name]
    assert error["message"].startswith(f"{name}: No ")


@pytest.mark.parametrize(
    "params, name",
    [
        ({"outlet": "not a slug"}, "outlet"),
        ({"role": "hero"}, "role"),
        ({"published_after": "last tuesday"}, "published_after"),
        ({"published_before": "2021-13-45"}, "published_before"),
        ({"modified_since": "yesterday"}, "modified_since"),
        ({"ordering": "title"}, "ordering"),
        ({"language": "not a language!"}, "language"),
        ({"fields": "id,secret"}, "fields"),
        ({"page_size": "1000000"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
        ({"q": "x" * 501}, "q"),
        ({"published_after": ""}, "published_after"),
        ({"outlett": "tass"}, "outlett"),
        ({"published_since": "2020-01-01"}, "published_since"),
        ({"format": "csv"}, "format"),
        ({"fields": ["id", "title"]}, "fields"),
        ({"ordering": ["published_at", "modified"]}, "ordering"),
        ({"outlet": "tass\x00"}, "outlet"),
    ],
)
def test_invalid_parameters_answer_400_naming_the_parameter(api, params, name):
    ArticleFactory()
    response = api.get(ARTICLES, params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400
    assert name in error["fields"]
    assert error["message"].startswith(f"{name}:")


def test_fields_chooses_what_comes_back(api):
    ArticleFactory()
    row = api.get(ARTICLES, {"fields": "id,title"}).json()["results"][0]
    assert set(row) == {"kind", "id", "title"}
    outlet = api.get("/api/v1/outlets/", {"fields": "slug"}).json()["results"][0]
    assert set(outlet) == {"slug"}


@pytest.mark.parametrize("field", ArticleSerializer.selectable_fields())
def test_a_field_alone_shows_what_the_whole_row_shows_in_as_many_queries(api, field):
    """A list asked for some fields reads only what they show: never a
    query per row for a column it left out."""
    for day in range(6):
        article = ArticleFactory(published_at=at(1 + day))
        ArticlePersonFactory(article=article, role="author")
    whole = api.get(ARTICLES, {"page_size": 6}).json()["results"]
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            rows = api.get(ARTICLES, {"fields": field, "page_size": size}).json()
        counts.append(len(queries))
        assert [row[field] for row in rows["results"]] == [
            row[field] for row in whole[:size]
        ]
    assert counts[0] == counts[1]


def test_a_list_of_ids_and_titles_reads_no_text_and_no_authors(api):
    ArticlePersonFactory(role="author")
    asked = {"q": "minister", "fields": "id,title"}
    api.get(ARTICLES, asked)  # the index catches up with the new article
    with CaptureQueriesContext(connection) as queries:
        assert len(api.get(ARTICLES, asked).json()["results"]) == 1
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"title"' in read
    assert '"lead"' not in read and "articles_person" not in read


# Pagination


def test_pages_walk_every_article_once_in_order_including_undated(api):
    articles = [ArticleFactory(published_at=at(1 + i % 3)) for i in range(7)]
    undated = [ArticleFactory(published_at=None) for _ in range(2)]
    expected = [
        a.pk
        for a in sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)
    ] + sorted((a.pk for a in undated), reverse=True)
    assert every_page(api, f"{ARTICLES}?page_size=2") == expected
    assert every_page(api, f"{ARTICLES}?page_size=2&ordering=published_at") == [
        a.pk for a in sorted(articles, key=lambda a: (a.published_at, a.pk))
    ] + sorted(a.pk for a in undated)


def test_previous_links_lead_back_and_link_headers_match(api):
    articles = [ArticleFactory() for _ in range(5)]
    first = api.get(ARTICLES, {"page_size": 2})
    assert first.json()["previous"] is None
    second = api.get(first.json()["next"])
    assert f'<{second.json()["next"]}>; rel="next"' in second["Link"]
    assert f'<{second.json()["previous"]}>; rel="prev"' in second["Link"]
    back = api.get(second.json()["previous"])
    assert ids(back) == ids(first)
    assert len(articles) == 5


def test_search_pages_by_relevance_without_repeats(api):
    for i in range(5):
        ArticleFactory(
            title=f"Lavrov visit {i}" if i % 2 else f"Talks {i}",
            body=f"Lavrov spoke, part {i}.\n\nEnd {i}.",
        )
    pages = every_page(api, f"{ARTICLES}?q=lavrov&page_size=2")
    assert len(pages) == len(set(pages)) == 5


def test_a_cursor_from_another_ordering_is_refused(api):
    [ArticleFactory() for _ in range(3)]
    next_link = api.get(ARTICLES, {"page_size": 1}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = api.get(ARTICLES, {"cursor": cursor, "ordering": "published_at"})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        ARTICLES,
        f"{ARTICLES}?q=minister",
        f"{ARTICLES}?topic=t&person=p&modified_since=2000-01-01",
        "/api/v1/outlets/",
        "/api/v1/people/",
        "/api/v1/topics/",
        "/api/v1/quotes/",
        "/api/v1/annotations/",
    ],
)
def test_queries_per_page_do_not_grow_with_page_size(api, url):
    topic, person = TopicFactory(slug="t"), PersonFactory(slug="p")
    for _ in range(12):
        article = ArticleFactory()
        ArticleTopicFactory(article=article, topic=topic)
        ArticlePersonFactory(article=article, person=person, role="author")
        # Public people and topics of their own (only those are listed).
        ArticleTopicFactory(article=article)
        ArticlePersonFactory(article=article)
        QuoteFactory(article=article, speaker=person)
        AnnotationFactory(article=article)
    counts = []
    for size in (2, 10):
        joiner = "&" if "?" in url else "?"
        api.get(f"{url}{joiner}page_size={size}")  # warm caches (people index)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{url}{joiner}page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
        assert not any(
            "COUNT(" in q["sql"].upper()
            and "articles_article" in q["sql"]
            and "GROUP BY" not in q["sql"].upper()
            for q in queries.captured_queries
        )
    assert counts[0] == counts[1]


# Syncing a copy


def since(response_or_time):
    return response_or_time.isoformat()


def test_modified_since_returns_changes_and_tombstones_in_time_order(api):
    start = timezone.now()
    kept = ArticleFactory()
    withdrawn = ArticleFactory()
    deleted = ArticleFactory()
    Article.objects.filter(pk=withdrawn.pk).set_status("withdrawn")
    deleted_pk = deleted.pk
    deleted.delete()

    rows = api.get(ARTICLES, {"modified_since": since(start)}).json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {kept.pk, withdrawn.pk, deleted_pk}
    assert "tombstone" not in by_id[kept.pk]
    assert by_id[kept.pk]["kind"] == "article"
    assert by_id[withdrawn.pk] == {
        "kind": "tombstone",
        "id": withdrawn.pk,
        "slug": withdrawn.slug,
        "status": "withdrawn",
        "modified_at": by_id[withdrawn.pk]["modified_at"],
        "tombstone": True,
    }
    assert by_id[deleted_pk]["status"] == "deleted"
    times = [row["modified_at"] for row in rows]
    assert times == sorted(times)


def test_tombstones_never_reveal_articles_that_were_never_public(api, curator_api):
    start = timezone.now()
    draft = ArticleFactory(status="draft")
    draft.status = "review"
    draft.save()
    draft_pk = draft.pk
    draft.delete()
    assert ids(api.get(ARTICLES, {"modified_since": since(start)})) == []
    # Curators, who sync drafts too, learn of the deletion.
    assert ids(curator_api.get(ARTICLES, {"modified_since": since(start)})) == [
        draft_pk
    ]


def test_republishing_removes_the_tombstone(api):
    article = ArticleFactory()
    start = timezone.now()
    article.status = "withdrawn"
    article.save()
    assert Tombstone.objects.filter(article_id=article.pk).exists()
    article.status = "published"
    article.save()
    rows = api.get(ARTICLES, {"modified_since": since(start)}).json()["results"]
    assert [(r["id"], r.get("tombstone", False)) for r in rows] == [(article.pk, False)]


def test_changing_an_articles_links_counts_as_a_modification(api):
    article = ArticleFactory()
    start = timezone.now()
    assert ids(api.get(ARTICLES, {"modified_since": since(start)})) == []
    ArticleTopicFactory(article=article)
    assert ids(api.get(ARTICLES, {"modified_since": since(start)})) == [article.pk]


def test_sync_stream_pages_through_articles_and_tombstones(api):
    start = timezone.now()
    made = [ArticleFactory() for _ in range(5)]
    expected = sorted(a.pk for a in made)
    Article.objects.filter(pk__in=[made[1].pk, made[3].pk]).set_status("withdrawn")
    made[4].delete()
    seen = every_page(
        api, f"{ARTICLES}?modified_since={since(start).replace('+', '%2B')}&page_size=2"
    )
    assert sorted(seen) == expected


# Export


def read_export(api, fmt, **params):
    response = api.get(f"{ARTICLES}export/", {"format": fmt, **params})
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content).decode()


def test_csv_export_streams_every_matching_article(api, settings):
    settings.API_PAGE_SIZE = 2
    tass = OutletFactory(slug="tass", name="TASS")
    articles = [ArticleFactory(outlet=tass) for _ in range(5)]
    ArticleFactory(outlet=tass, status="draft")
    ArticleFactory()
    author = PersonFactory(name="Ivan Petrov", slug="ivan-petrov")
    ArticlePersonFactory(article=articles[0], person=author, role="author")
    ArticleTopicFactory(article=articles[0], topic__slug="syria")

    response, text = read_export(api, "csv", outlet="tass")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(int(r["id"]) for r in rows) == sorted(a.pk for a in articles)
    first = next(r for r in rows if int(r["id"]) == articles[0].pk)
    assert first["outlet.name"] == "TASS"
    assert first["outlet.slug"] == "tass"
    assert first["topics"] == articles[0].topics.get().name
    assert first["people"] == "Ivan Petrov (author)"
    assert first["body"] == articles[0].body
    assert first["status"] == "published"


def test_jsonl_export_has_one_object_per_article(api):
    article = ArticleFactory(title="Пресс-конференция Лаврова", language="ru")
    ArticleFactory(status="withdrawn")
    _, text = read_export(api, "jsonl")
    lines = text.splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["id"] == article.pk
    assert row["title"] == "Пресс-конференция Лаврова"
    assert row["published_at"] == article.published_at.isoformat().replace(
        "+00:00", "Z"
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Istanbul"])
def test_exports_write_times_as_the_api_does(settings, zone):
    from articles import export

    istanbul = dt.timezone(dt.timedelta(hours=3))
    moments = [
        dt.datetime(2021, 9, 29, 15, 0, tzinfo=dt.UTC),
        dt.datetime(2021, 9, 29, 15, 0, 7, 123456, tzinfo=dt.UTC),
        dt.datetime(2016, 8, 16, 23, 59, tzinfo=istanbul),
        None,
    ]
    with timezone.override(zone):
        times = export.Times()
        assert [times(m) for m in moments] == [
            export.TIME.to_representation(m) for m in moments
        ]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DATETIME_FORMAT": "%Y-%m-%d %H:%M",
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        assert export.Times()(moments[0]) == "2021-09-29 15:00"
    finally:
        api_settings.reload()


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_ahead_on_a_connection_of_its_own(monkeypatch):
    """Outside a transaction the next chunk is read on another thread while
    this one is written; inside one (which another connection cannot see
    into) on this thread. Either way the same rows, in the same order."""
    import threading

    from articles import export
    from articles.search import Question

    tass = OutletFactory(slug="tass")
    for _ in range(5):
        article = ArticleFactory(outlet=tass)
        ArticlePersonFactory(article=article, role="author")
    ArticleFactory(outlet=tass, status="draft")
    readers = []
    linked = export._linked

    def spied(ids):
        readers.append(threading.current_thread().name)
        return linked(ids)

    monkeypatch.setattr(export, "_linked", spied)
    question = Question(outlets=frozenset({tass.pk}))

    def rows():
        exported = export.found(question, chunk=2)
        return list(export.rows(exported, permalink=lambda article: article.slug))

    ahead = rows()
    assert len(readers) == 3 and all(r.startswith("export") for r in readers)
    readers.clear()
    with transaction.atomic():
        inline = rows()
    assert readers == [threading.current_thread().name] * 3
    assert ahead == inline
    assert len(ahead) == 5 and all(row["people"] for row in ahead)


def test_export_refuses_an_unknown_format(api):
    response = api.get(f"{ARTICLES}export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["format"]


def test_export_queries_do_not_grow_with_rows(api):
    def export_queries():
        with CaptureQueriesContext(connection) as queries:
            read_export(api, "jsonl")
        return len(queries)

    ArticlePersonFactory()
    few = export_queries()
    for _ in range(20):
        ArticlePersonFactory(role=ArticlePerson.Role.AUTHOR)
    assert export_queries() == few


# HTTP conventions


def test_detail_and_list_answer_conditional_requests(api):
    article = ArticleFactory()
    detail = api.get(f"{ARTICLES}{article.pk}/")
    assert "Last-Modified" in detail and "ETag" in detail
    assert (
        api.get(
            f"{ARTICLES}{article.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]
        ).status_code
        == 304
    )
    assert (
        api.get(
            f"{ARTICLES}{article.pk}/", HTTP_IF_MODIFIED_SINCE=detail["Last-Modified"]
        ).status_code
        == 304
    )
    listing = api.get(ARTICLES)
    assert api.get(ARTICLES, HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    article.title = "A corrected title"
    article.save()
    assert api.get(ARTICLES, HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_every_error_has_one_shape(api, client):
    shapes = [
        api.get("/api/v1/no-such-endpoint/"),
        api.get(f"{ARTICLES}999999/"),
        api.post(ARTICLES, {"title": "x"}, format="json"),
        api.get(ARTICLES, {"outlet": "nope"}),
        api.get(ARTICLES, {"outlett": "tass"}),
    ]
    for response in shapes:
        error = response.json()["error"]
        assert set(error) <= {"status", "code", "message", "fields"}
        assert error["status"] == response.status_code
        assert error["message"]
    assert [r.status_code for r in shapes] == [404, 404, 401, 404, 400]


def test_anonymous_clients_are_throttled(api, curator_api, settings):
    settings.API_ANON_RATE = "3/minute"
    cache.clear()
    try:
        statuses = [api.get(ARTICLES).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        error = api.get(ARTICLES).json()["error"]
        assert error["code"] == "throttled"
        assert (
            "Too many requests: anonymous clients may make 3/minute"
            in (error["message"])
        )
        assert "Retry-After" in api.get(ARTICLES)
        assert curator_api.get(ARTICLES).status_code == 200
    finally:
        cache.clear()


def test_cors_allows_reading_from_any_site_but_not_writing(api):
    response = api.get(ARTICLES, HTTP_ORIGIN="https://research.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api.options(
        ARTICLES,
        HTTP_ORIGIN="https://research.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    site = api.get("/", HTTP_ORIGIN="https://research.example")
    assert "Access-Control-Allow-Origin" not in site


def test_language_filter_still_works_after_the_schema_is_built(api):
    article = ArticleFactory(language="tr")
    assert api.get("/api/schema/").status_code == 200
    assert ids(api.get(ARTICLES, {"language": "tr"})) == [article.pk]
    assert ids(api.get(ARTICLES, {"country": "RU"})) == [article.pk]


def test_a_client_cannot_escape_the_throttle_by_naming_its_own_address(api, settings):
    settings.API_ANON_RATE = "2/minute"
    cache.clear()
    try:
        for n in range(2):
            assert (
                api.get(ARTICLES, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
            )
        assert api.get(ARTICLES, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    finally:
        cache.clear()


def test_quotes_and_notes_filter_by_article(api):
    quote = QuoteFactory()
    QuoteFactory()
    note = AnnotationFactory(article=quote.article)
    AnnotationFactory()
    assert ids(api.get("/api/v1/quotes/", {"article": quote.article_id})) == [quote.pk]
    assert ids(api.get("/api/v1/annotations/", {"article": quote.article_id})) == [
        note.pk
    ]
    assert api.get("/api/v1/quotes/", {"article": "abc"}).status_code == 400


@pytest.mark.parametrize("ordering", ["-published_at", "published_at"])
@pytest.mark.parametrize("size", [1, 2, 5])
def test_pages_forwards_and_backwards_agree_across_ties_and_undated(
    api, ordering, size
):
    dates = [at(1), at(1), at(2), None, at(2), at(2), None, at(3), at(1), None, at(3)]
    made = [ArticleFactory(published_at=d) for d in dates]
    dated = sorted(
        (a for a in made if a.published_at), key=lambda a: (a.published_at, a.pk)
    )
    undated = sorted(a.pk for a in made if a.published_at is None)
    if ordering.startswith("-"):
        expected = [a.pk for a in reversed(dated)] + undated[::-1]
    else:
        expected = [a.pk for a in dated] + undated

    url, pages = f"{ARTICLES}?ordering={ordering}&page_size={size}", []
    while url:
        data = api.get(url).json()
        pages.append(ids_of(data))
        last, url = data, data["next"]
    assert [pk for page in pages for pk in page] == expected

    url, backwards = last["previous"], [pages[-1]]
    while url:
        data = api.get(url).json()
        backwards.append(ids_of(data))
        url = data["previous"]
    assert [pk for page in reversed(backwards) for pk in page] == expected


def ids_of(data):
    return [row["id"] for row in data["results"]]


@pytest.mark.django_db
def test_an_article_whose_outlet_has_no_country_is_listed(client):
    # Outlets the importer creates from a name alone have no country.
    article = ArticleFactory(outlet=OutletFactory(country=""), status="published")
    response = client.get("/api/v1/articles/")
    assert response.status_code == 200
    (listed,) = response.json()["results"]
    assert listed["outlet"] == {
        "slug": article.outlet.slug,
        "name": article.outlet.name,
        "country": "",
    }
