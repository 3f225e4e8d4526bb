"""Writing through the API: the admin's validation and permissions, from the
outside, for anonymous users, curators and editors."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Annotation, Article, Person, Quote, Tombstone, Topic
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
BODY = "ANKARA, May 3. The ministers met.\n\n“We agreed on grain,” Lavrov said."


@pytest.fixture
def api():
    return APIClient()


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_article(**extra):
    return {
        "title": "Ministers meet in Ankara",
        "outlet": "tass",
        "url": "https://tass.com/politics/9",
        "published_at": "2022-05-03T10:00:00Z",
        "language": "en",
        "body": BODY,
        **extra,
    }


@pytest.fixture
def tass(db):
    return OutletFactory(slug="tass", name="TASS")


def test_curator_creates_a_draft_with_people_and_topics(curator, tass):
    lavrov = PersonFactory(slug="sergey-lavrov", name="Sergey Lavrov")
    TopicFactory(slug="grain")
    response = as_user(curator).post(
        ARTICLES,
        new_article(
            people=[{"person": "sergey-lavrov", "role": "quoted"}], topics=["grain"]
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["people"] == [
        {"person": "sergey-lavrov", "name": "Sergey Lavrov", "role": "quoted"}
    ]
    assert data["topics"] == [{"slug": "grain", "name": Topic.objects.get().name}]
    article = Article.objects.get(pk=data["id"])
    assert article.body == BODY
    assert article.person_links.get().person == lavrov


def test_token_authentication_works_for_scripts(curator, tass):
    token = Token.objects.create(user=curator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(ARTICLES, new_article(), format="json").status_code == 201
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.post(ARTICLES, new_article(), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_curators_cannot_publish_but_editors_can(curator, editor, tass):
    refused = as_user(curator).post(
        ARTICLES, new_article(status="published"), format="json"
    )
    assert refused.status_code == 400
    assert "status" in refused.json()["error"]["fields"]
    assert not Article.objects.exists()
    made = as_user(editor).post(
        ARTICLES, new_article(status="published"), format="json"
    )
    assert made.status_code == 201
    assert made.json()["status"] == "published"


def test_curators_cannot_unpublish_or_edit_status_of_published(curator):
    article = ArticleFactory()
    response = as_user(curator).patch(
        f"{ARTICLES}{article.pk}/", {"status": "draft"}, format="json"
    )
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.status == "published"


def test_curators_move_drafts_to_review_and_fix_titles(curator):
    article = ArticleFactory(status="draft")
    response = as_user(curator).patch(
        f"{ARTICLES}{article.pk}/",
        {"status": "review", "title": "  A  better title ", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert (article.status, article.title) == ("review", "A better title")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"body": ""}, "body"),
        ({"outlet": "no-such-outlet"}, "outlet"),
        ({"published_at": "the other day"}, "published_at"),
        ({"language": "English please"}, "language"),
        ({"url": "not a url"}, "url"),
        ({"date_inferred": True, "published_at": None}, "date_inferred"),
        ({"people": [{"person": "nobody", "role": "quoted"}]}, "people"),
        ({"topics": ["no-topic"]}, "topics"),
        ({"status": "lost"}, "status"),
    ],
)
def test_invalid_articles_are_refused_naming_the_field(curator, tass, change, field):
    response = as_user(curator).post(ARTICLES, new_article(**change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Article.objects.exists()


def test_a_duplicate_body_is_refused_naming_the_existing_article(curator, tass):
    existing = ArticleFactory(body=BODY)
    response = as_user(curator).post(
        ARTICLES, new_article(url="https://tass.com/other"), format="json"
    )
    assert response.status_code == 400
    assert f"#{existing.pk}" in response.json()["error"]["fields"]["body"][0]
    assert Article.objects.count() == 1


def test_an_edit_that_drops_a_quoted_passage_is_refused(curator):
    article = ArticleFactory(status="draft")
    quote = Quote(
        article=article, speaker=PersonFactory(), text="We had a useful exchange,"
    )
    quote.full_clean()
    quote.save()
    response = as_user(curator).patch(
        f"{ARTICLES}{article.pk}/",
        {"body": "Entirely new words.", "version": article.version},
        format="json",
    )
    assert response.status_code == 400
    assert "no longer contains" in response.json()["error"]["fields"]["body"][0]
    article.refresh_from_db()
    assert "useful exchange" in article.body


def test_quotes_are_located_in_the_body(curator):
    article = ArticleFactory(status="draft")
    speaker = PersonFactory(slug="lavrov")
    client = as_user(curator)
    made = client.post(
        "/api/v1/quotes/",
        {"article": article.pk, "speaker": "lavrov", "text": "useful exchange"},
        format="json",
    )
    assert made.status_code == 201, made.content
    start = article.body.index("useful exchange")
    assert (made.json()["start"], made.json()["end"]) == (start, start + 15)
    wrong = client.post(
        "/api/v1/quotes/",
        {"article": article.pk, "speaker": "lavrov", "text": "words never said"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "text" in wrong.json()["error"]["fields"]
    assert Quote.objects.filter(speaker=speaker).count() == 1


def test_annotations_record_their_author_and_context(curator):
    article = ArticleFactory()
    response = as_user(curator).post(
        "/api/v1/annotations/",
        {
            "article": article.pk,
            "note": "Round numbering follows the ministry.",
            "start": 4,
            "end": 12,
            "visibility": "public",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    note = Annotation.objects.get()
    assert note.author == curator
    assert note.exact == article.body[4:12]
    assert response.json()["prefix"] == article.body[:4]
    bad = as_user(curator).post(
        "/api/v1/annotations/",
        {"article": article.pk, "note": "x", "start": 5, "end": 99999},
        format="json",
    )
    assert bad.status_code == 400


def test_people_and_topics_are_validated_like_the_admin(curator):
    client = as_user(curator)
    bad = client.post(
        "/api/v1/people/", {"name": "Hakan Fidan", "wikidata_id": "X1"}, format="json"
    )
    assert bad.status_code == 400
    assert "wikidata_id" in bad.json()["error"]["fields"]
    made = client.post(
        "/api/v1/people/",
        {"name": "Hakan Fidan", "wikidata_id": "Q1589386", "aliases": ["Fidan"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["slug"] == "hakan-fidan"
    parent = client.post("/api/v1/topics/", {"name": "Energy"}, format="json")
    child = client.post(
        "/api/v1/topics/", {"name": "Gas", "parent": "energy"}, format="json"
    )
    assert (parent.status_code, child.status_code) == (201, 201)
    assert Topic.objects.get(slug="gas").parent.slug == "energy"


def test_editors_delete_articles_and_leave_a_tombstone(curator, editor):
    article = ArticleFactory()
    url = f"{ARTICLES}{article.pk}/"
    assert as_user(curator).delete(url).status_code == 403
    assert as_user(editor).delete(url).status_code == 204
    assert Tombstone.objects.get(article_id=article.pk).status == "deleted"


def test_curators_cannot_delete_people_or_outlets(curator):
    person = PersonFactory()
    outlet = OutletFactory()
    client = as_user(curator)
    assert client.delete(f"/api/v1/people/{person.slug}/").status_code == 403
    assert client.delete(f"/api/v1/outlets/{outlet.slug}/").status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


# The matrix: who may read and write what, on every endpoint.

ENDPOINTS = ["articles", "outlets", "people", "topics", "quotes", "annotations"]


def detail_url(endpoint, obj):
    key = obj.slug if endpoint in ("outlets", "people", "topics") else obj.pk
    return f"/api/v1/{endpoint}/{key}/"


def sample(endpoint, status):
    article = ArticleFactory(status=status)
    if endpoint == "articles":
        return article
    if endpoint == "outlets":
        return article.outlet
    if endpoint == "people":
        return ArticlePersonFactory(article=article).person
    if endpoint == "topics":
        return ArticleTopicFactory(article=article).topic
    if endpoint == "quotes":
        quote = Quote(article=article, speaker=PersonFactory(), text="useful exchange")
        quote.full_clean()
        quote.save()
        return quote
    return Annotation.objects.create(
        article=article, note="A note.", visibility="public"
    )


@pytest.fixture(params=["anonymous", "curator", "editor"])
def who(request):
    if request.param == "anonymous":
        return request.param, APIClient()
    user = request.getfixturevalue(request.param)
    return request.param, as_user(user)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("status", ["draft", "published"])
def test_permission_matrix(who, endpoint, status):
    role, client = who
    obj = sample(endpoint, status)
    url = detail_url(endpoint, obj)
    # Read: what belongs only to drafts is not public: articles, quotes, notes,
    # and outlets, people and topics that only drafts name.
    public = status == "published"
    read = client.get(url)
    assert read.status_code == (200 if public or role != "anonymous" else 404)
    listed = client.get(f"/api/v1/{endpoint}/").json()["results"]
    assert (obj.pk in [row["id"] for row in listed]) == (public or role != "anonymous")
    # Write: anonymous never; curators and editors change what they can see.
    change = {"version": obj.version} if endpoint == "articles" else {}
    write = client.patch(url, change, format="json")
    if role == "anonymous":
        assert write.status_code == 401
        assert client.post(f"/api/v1/{endpoint}/", {}, format="json").status_code == 401
        assert client.delete(url).status_code == 401
    else:
        assert write.status_code == 200, write.content
        assert client.post(f"/api/v1/{endpoint}/", {}, format="json").status_code == 400
    # Delete: curators only links' kin (quotes, notes); editors everything.
    if role != "anonymous":
        deletable = role == "editor" or endpoint in ("quotes", "annotations")
        response = client.delete(url)
        expected = 204 if deletable else 403
        if endpoint in ("outlets", "people", "topics") and role == "editor":
            expected = 409  # An article still names it.
        assert response.status_code == expected, response.content


def test_writes_answer_with_the_record_as_reads_show_it(curator, editor):
    made = as_user(curator).post(
        "/api/v1/outlets/",
        {
            "name": "Duvar English",
            "country": "TR",
            "language": "en",
            "ownership": "private",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["article_count"] == 0
    outlet = made.json()["slug"]
    ArticleFactory(outlet__slug="other")
    from articles.models import Outlet

    ArticleFactory(outlet=Outlet.objects.get(slug=outlet))
    changed = as_user(curator).patch(
        f"/api/v1/outlets/{outlet}/",
        {"description": "Turkish news in English."},
        format="json",
    )
    assert changed.json()["article_count"] == 1
