"""The API keeps its contract: every response of every endpoint, anonymous and
with an editor's token, validates against /api/schema/ (openapi-core), errors
included, and each finding of issue 20 stays fixed."""

import json

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_schema_validator import OAS30Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, ArticlePerson, Person, Quote, Tombstone
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    QuoteFactory,
)
from tests.test_faults import LOST, failing_queries

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Request(DjangoOpenAPIRequest):
    # DRF's router routes are regular expressions, which openapi-core cannot
    # read back into templates; it finds the operation from the path instead.
    path_pattern = None


@pytest.fixture
def schema(client):
    """The schema as /api/schema/ serves it."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    return json.loads(response.content)


# The export's media types: CSV is text; JSON Lines is one row (the schema's
# ExportRow) a line, so conforms() validates it line by line.
DESERIALIZERS = {
    "text/csv": lambda body, **parameters: body.decode(),
    "application/x-ndjson": lambda body, **parameters: json.loads(body),
}


@pytest.fixture
def spec(schema):
    return OpenAPI.from_dict(
        schema, config=Config(extra_media_type_deserializers=DESERIALIZERS)
    )


@pytest.fixture
def conforms(spec):
    """Return a function that validates a response against the schema (status,
    media type, body and headers) and returns it (a streamed one read whole)."""

    def check(response):
        if response.streaming:
            response = copy(response, b"".join(response.streaming_content))
        bodies = [response.content]
        if response.get("Content-Type", "").startswith("application/x-ndjson"):
            bodies = response.content.splitlines()
            assert bodies, "no rows to validate"
        for body in bodies:
            spec.validate_response(
                Request(response.wsgi_request),
                DjangoOpenAPIResponse(copy(response, body)),
            )
        return response

    return check


def copy(response, body: bytes) -> HttpResponse:
    """Return response, headers and all, with body as its content."""
    copied = HttpResponse(body, status=response.status_code)
    for name, value in response.items():
        copied[name] = value
    copied.wsgi_request = response.wsgi_request
    return copied


@pytest.fixture
def world(demo, editor):
    """The demo collection, plus what the public must not see and a sync
    stream's tombstones."""
    draft = ArticleFactory(status="draft", title="Unpublished scoop")
    ArticlePersonFactory(article=draft, person__slug="only-in-a-draft")
    ArticleTopicFactory(article=draft, topic__slug="topic-only-in-a-draft")
    QuoteFactory(article=draft)
    AnnotationFactory(article=draft)
    withdrawn = ArticleFactory(withdrawal_reason="Copied from elsewhere.")
    Article.objects.filter(pk=withdrawn.pk).set_status(
        "withdrawn", reason="Copied from elsewhere."
    )
    gone = ArticleFactory()
    gone.delete()
    inferred = ArticleFactory(date_inferred=True)
    undated = ArticleFactory(published_at=None)
    return {
        "draft": draft,
        "withdrawn": withdrawn,
        "inferred": inferred,
        "undated": undated,
        "published": Article.objects.published()
        .filter(
            quotes__isnull=False,
            annotations__visibility="public",
            person_links__isnull=False,
        )
        .distinct()
        .first(),
        "token": Token.objects.create(user=editor).key,
    }


@pytest.fixture(params=["anonymous", "editor-token", "editor-bearer"])
def reader(request, world):
    client = APIClient()
    if request.param == "editor-token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    elif request.param == "editor-bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    return request.param, client


def read_urls(world):
    article = world["published"]
    person = article.person_links.first().person
    quote = article.quotes.first()
    note = article.annotations.filter(visibility="public").first()
    return [
        f"{API}/articles/",
        f"{API}/articles/?page_size=2",
        f"{API}/articles/?fields=id,title,published_date",
        f"{API}/articles/?modified_since=2000-01-01T00:00:00Z",
        f"{API}/articles/?modified_since=2000-01-01T00:00:00Z&ordering=published_at",
        f"{API}/articles/?modified_since=2000-01-01T00:00:00Z&fields=id",
        f"{API}/articles/?q=turkey&ordering=relevance",
        f"{API}/articles/?ordering=relevance",
        f"{API}/articles/?role=quoted",
        f"{API}/articles/?outlet=tass&country=RU&language=en",
        f"{API}/articles/{article.pk}/",
        f"{API}/articles/{article.pk}/?fields=title,people",
        f"{API}/articles/{world['inferred'].pk}/",
        f"{API}/articles/{world['undated'].pk}/",
        f"{API}/outlets/",
        f"{API}/outlets/tass/",
        f"{API}/outlets/?fields=slug",
        f"{API}/people/",
        f"{API}/people/{person.slug}/",
        f"{API}/topics/",
        f"{API}/topics/syria/?fields=name,parent",
        f"{API}/quotes/",
        f"{API}/quotes/?speaker={quote.speaker.slug}&article={article.pk}",
        f"{API}/quotes/{quote.pk}/",
        f"{API}/annotations/",
        f"{API}/annotations/?visibility=public",
        f"{API}/annotations/{note.pk}/",
    ]


def test_every_read_conforms(reader, world, conforms):
    _, client = reader
    for url in read_urls(world):
        response = conforms(client.get(url))
        assert response.status_code == 200, (url, response.content)
        etag = response["ETag"]
        again = conforms(client.get(url, HTTP_IF_NONE_MATCH=etag))
        assert again.status_code == 304, url
        changed = conforms(client.get(url, HTTP_IF_MATCH='"something-else"'))
        assert changed.status_code == 412, url


def test_sync_pages_mix_articles_and_tombstones_and_conform(reader, world, conforms):
    _, client = reader
    url = f"{API}/articles/?modified_since=2000-01-01T00:00:00Z&page_size=3"
    kinds = set()
    while url:
        page = conforms(client.get(url)).json()
        kinds |= {row["kind"] for row in page["results"]}
        url = page["next"]
    assert kinds == {"article", "tombstone"}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{API}/articles/?outlett=tass", 400),
        (f"{API}/articles/?published_since=2020-01-01", 400),
        (f"{API}/articles/?format=csv", 400),
        (f"{API}/articles/?fields=id&fields=title", 400),
        (f"{API}/articles/?outlet=nope", 404),
        (f"{API}/articles/?outlet=no%00pe", 400),
        (f"{API}/articles/?page_size=0", 400),
        (f"{API}/articles/?cursor=garbage", 400),
        (f"{API}/articles/999999/", 404),
        (f"{API}/articles/export/", 400),
        (f"{API}/articles/export/?format=xlsx", 400),
        (f"{API}/outlets/%00/", 404),
        (f"{API}/people/%00/", 404),
        (f"{API}/topics/%00/", 404),
        (f"{API}/outlets/?outlet=tass", 400),
        (f"{API}/quotes/?article=0", 400),
        (f"{API}/quotes/?article=9223372036854775808", 400),
        (f"{API}/annotations/?article=1752511152951347904512", 400),
        (f"{API}/quotes/?speaker=no-one", 404),
        (f"{API}/articles/?ordering=modified", 400),
        (f"{API}/quotes/%C2%84/", 404),
    ],
)
def test_errors_conform(world, conforms, url, status):
    response = conforms(APIClient().get(url))
    assert response.status_code == status, response.content
    assert response.json()["error"]["status"] == status


def test_refusals_of_the_public_conform(world, conforms):
    api = APIClient()
    withdrawn = conforms(api.get(f"{API}/articles/{world['withdrawn'].pk}/"))
    assert withdrawn.status_code == 410
    assert "Copied from elsewhere." in withdrawn.json()["error"]["message"]
    status = conforms(api.get(f"{API}/articles/?status=draft"))
    assert status.status_code == 403
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    refused = conforms(bad_token.get(f"{API}/articles/"))
    assert refused.status_code == 401
    anonymous_write = conforms(api.post(f"{API}/articles/", {}, format="json"))
    assert anonymous_write.status_code == 401
    xml = conforms(api.get(f"{API}/articles/", HTTP_ACCEPT="application/xml"))
    assert xml.status_code == 406


def test_throttled_reads_conform(world, conforms, settings):
    settings.API_ANON_RATE = "1/minute"
    api = APIClient()
    conforms(api.get(f"{API}/outlets/"))
    throttled = conforms(api.get(f"{API}/outlets/"))
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0


def test_writes_conform(world, conforms, schema):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    # The schema's own example is valid against the demo collection.
    operation = schema["paths"]["/api/v1/articles/"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]
    made = conforms(
        api.post(f"{API}/articles/", next(iter(example.values()))["value"], "json")
    )
    assert made.status_code == 201, made.content
    article = made.json()
    url = f"{API}/articles/{article['id']}/"
    assert conforms(api.patch(url, {"title": "Retitled"}, "json")).status_code == 400
    stale = conforms(api.patch(url, {"title": "Retitled", "version": 99}, "json"))
    assert stale.status_code == 409
    changed = conforms(
        api.patch(
            url,
            {"notes": "Checked against the readout.", "version": article["version"]},
            "json",
        )
    )
    assert changed.status_code == 200
    assert changed.json()["notes"] == "Checked against the readout."
    form = conforms(
        api.post(
            f"{API}/articles/",
            data="title=x",
            content_type="application/x-www-form-urlencoded",
        )
    )
    assert form.status_code == 415
    person = conforms(api.post(f"{API}/people/", {"name": "Umit Yardim"}, "json"))
    assert person.status_code == 201
    person_url = f"{API}/people/{person.json()['slug']}/"
    put = conforms(api.put(person_url, {"name": "Hakan Fidan"}, "json"))
    assert put.status_code == 200
    assert conforms(api.delete(person_url)).status_code == 204
    protected = conforms(api.delete(f"{API}/outlets/tass/"))
    assert protected.status_code == 409
    quote = conforms(
        api.post(
            f"{API}/quotes/",
            {
                "article": article["id"],
                "speaker": "vladimir-putin",
                "text": "were useful",
            },
            "json",
        )
    )
    assert quote.status_code == 201, quote.content
    assert (
        conforms(api.delete(f"{API}/quotes/{quote.json()['id']}/")).status_code == 204
    )
    assert conforms(api.delete(url)).status_code == 204


METHODS = {"get", "post", "put", "patch", "delete"}


def test_every_operation_of_the_schema_answers_as_it_says(
    world, conforms, schema, curator, settings
):
    """One request at least to each operation the schema lists, each answer
    validated against it: what a typed client generated from the schema meets."""
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    seen = set()

    def call(method, template, url, body=None, client=editor):
        response = conforms(getattr(client, method)(url, body, format="json"))
        seen.add((method, template))
        return response

    article = world["published"]
    person = article.person_links.first().person.slug
    for name, slug in [("outlets", "tass"), ("people", person), ("topics", "syria")]:
        listing, detail = f"{API}/{name}/", f"{API}/{name}/{{slug}}/"
        assert call("get", listing, listing).status_code == 200
        assert call("get", detail, f"{API}/{name}/{slug}/").status_code == 200
        made = call("post", listing, listing, {"name": f"New {name} record"})
        assert made.status_code == 201, made.content
        url = f"{API}/{name}/{made.json()['slug']}/"
        assert call("put", detail, url, {"name": f"Renamed {name}"}).status_code == 200
        patched = call("patch", detail, url, {"description": "Checked."})
        assert patched.status_code == 200
        assert call("delete", detail, url).status_code == 204
    passages = {
        "quotes": {
            "article": article.pk,
            "speaker": person,
            "text": article.quotes.first().text,
        },
        "annotations": {"article": article.pk, "note": "A note on the whole."},
    }
    for name, body in passages.items():
        listing, detail = f"{API}/{name}/", f"{API}/{name}/{{id}}/"
        assert call("get", listing, listing).status_code == 200
        made = call("post", listing, listing, body)
        assert made.status_code == 201, made.content
        url = f"{API}/{name}/{made.json()['id']}/"
        assert call("get", detail, url).status_code == 200
        assert call("put", detail, url, body).status_code == 200
        assert call("patch", detail, url, {}).status_code == 200
        assert call("delete", detail, url).status_code == 204
    listing, detail = f"{API}/articles/", f"{API}/articles/{{id}}/"
    assert call("get", listing, listing).status_code == 200
    export = f"{API}/articles/export/"
    for fmt in ("csv", "jsonl"):
        exported = call("get", export, f"{export}?format={fmt}")
        assert exported.status_code == 200
        disposition = exported["Content-Disposition"]
        assert disposition == f'attachment; filename="articles.{fmt}"'
    draft = {"title": "Talks", "outlet": "tass", "body": "The talks went on."}
    made = call("post", listing, listing, draft)
    assert made.status_code == 201, made.content
    url = f"{API}/articles/{made.json()['id']}/"
    assert call("get", detail, url).status_code == 200
    put = call("put", detail, url, {**draft, "version": made.json()["version"]})
    assert put.status_code == 200, put.content
    patch = call("patch", detail, url, {"version": put.json()["version"]})
    assert patch.status_code == 200, patch.content
    # A curator may not delete; an editor may.
    curators = APIClient()
    curators.force_authenticate(curator)
    assert call("delete", detail, url, client=curators).status_code == 403
    assert call("delete", detail, url).status_code == 204
    assert call("get", detail, url).status_code == 404
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_large = editor.post(listing, {**draft, "body": "Talks. " * 50}, "json")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit  # for the validator to read it
    assert conforms(too_large).status_code == 413
    assert seen == {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }


def test_export_rows_conform_to_their_schema(reader, world, schema):
    who, client = reader
    components = schema["components"]["schemas"]
    validator = OAS30Validator(
        {**components["ExportRow"], "components": {"schemas": components}}
    )
    response = client.get(f"{API}/articles/export/", {"format": "jsonl"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows:
        validator.validate(row)
        assert list(row) == list(components["ExportRow"]["properties"])
    by_id = {row["id"]: row for row in rows}
    published = by_id[world["published"].pk]
    assert published["status"] == "published"
    assert (
        published["modified_at"]
        == client.get(f"{API}/articles/{world['published'].pk}/").json()["modified_at"]
    )
    inferred = by_id[world["inferred"].pk]
    assert inferred["published_at"] is None  # a day alone never reads as midnight
    assert (
        inferred["published_date"] == world["inferred"].published_at.date().isoformat()
    )
    assert inferred["date_inferred"] is True
    assert (world["draft"].pk in by_id) == (who != "anonymous")


# The findings of issue 20, each held by a test


def test_the_list_detail_and_export_share_one_shape(world):
    api = APIClient()
    article = world["published"]
    listed = next(
        row
        for row in api.get(f"{API}/articles/").json()["results"]
        if row["id"] == article.pk
    )
    detail = api.get(f"{API}/articles/{article.pk}/").json()
    exported = next(
        json.loads(line)
        for line in b"".join(
            api.get(f"{API}/articles/export/", {"format": "jsonl"}).streaming_content
        )
        .decode()
        .splitlines()
        if json.loads(line)["id"] == article.pk
    )
    for field in set(listed) & set(exported):
        assert listed[field] == exported[field], field
    for field in set(detail) & set(exported):
        assert detail[field] == exported[field], field
    assert isinstance(exported["outlet"], dict)
    assert exported["url"] == detail["url"] == listed["url"]


def test_a_bearer_token_authenticates(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    response = api.get(f"{API}/articles/{world['draft'].pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private"


def test_signed_in_answers_are_private_and_anonymous_ones_are_not(world, client):
    anonymous = APIClient().get(f"{API}/articles/")
    assert "private" not in anonymous.get("Cache-Control", "")
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    assert "private" in token.get(f"{API}/articles/")["Cache-Control"]
    client.force_login(Token.objects.get(key=world["token"]).user)
    assert "private" in client.get("/articles/")["Cache-Control"]


def test_quotes_and_notes_of_drafts_give_no_oracle(world):
    api = APIClient()
    missing = Article.objects.order_by("-pk").first().pk + 100
    for endpoint in ("quotes", "annotations"):
        answers = [
            api.get(f"{API}/{endpoint}/", {"article": pk})
            for pk in (world["draft"].pk, missing, 2**63 - 1)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.json()["results"] for a in answers] == [[], [], []]


def test_quotes_filter_by_speaker_slug(world):
    quote = world["published"].quotes.first()
    api = APIClient()
    rows = api.get(f"{API}/quotes/", {"speaker": quote.speaker.slug}).json()
    assert quote.pk in [row["id"] for row in rows["results"]]
    assert {row["speaker"] for row in rows["results"]} == {quote.speaker.slug}
    # Someone quoted only in a draft is no one to the public.
    hidden = world["draft"].quotes.get().speaker
    assert api.get(f"{API}/quotes/", {"speaker": hidden.slug}).status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "parameter"),
    [("people", "person"), ("topics", "topic"), ("outlets", "outlet")],
)
def test_what_only_drafts_name_is_not_public(world, endpoint, parameter):
    slug = {
        "people": "only-in-a-draft",
        "topics": "topic-only-in-a-draft",
        "outlets": world["draft"].outlet.slug,
    }[endpoint]
    api = APIClient()
    assert api.get(f"{API}/{endpoint}/{slug}/").status_code == 404
    listed = api.get(f"{API}/{endpoint}/?page_size=500").json()["results"]
    assert slug not in {row["slug"] for row in listed}
    assert all(row["article_count"] > 0 for row in listed if endpoint != "people")
    assert api.get(f"{API}/articles/", {parameter: slug}).status_code == 404
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    assert editor.get(f"{API}/{endpoint}/{slug}/").status_code == 200


def test_schema_valid_requests_the_api_used_to_reject_are_answered(world):
    api = APIClient()
    # role alone: articles naming someone in that role.
    quoted = api.get(f"{API}/articles/", {"role": "quoted"}).json()["results"]
    assert quoted
    assert all(
        Article.objects.get(pk=row["id"]).person_links.filter(role="quoted").exists()
        for row in quoted
    )
    # relevance without a search: newest first.
    assert api.get(f"{API}/articles/", {"ordering": "relevance"}).status_code == 200
    # any ordering with modified_since: tombstones after the articles.
    rows = api.get(
        f"{API}/articles/",
        {"modified_since": "2000-01-01T00:00:00Z", "ordering": "published_at"},
    ).json()["results"]
    kinds = [row["kind"] for row in rows]
    dated = [i for i, row in enumerate(rows) if row.get("published_date")]
    # Oldest first; tombstones come after every dated article, among the
    # undated ones (by id), as the docs say.
    assert "tombstone" in kinds
    assert kinds.index("tombstone") > max(dated)


def test_ordering_by_modification_needs_modified_since(world, conforms, schema):
    api = APIClient()
    refused = conforms(api.get(f"{API}/articles/", {"ordering": "modified"}))
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert list(error["fields"]) == ["ordering"]
    assert "modified_since" in error["message"]
    stream = conforms(
        api.get(
            f"{API}/articles/",
            {"ordering": "modified", "modified_since": "2000-01-01T00:00:00Z"},
        )
    )
    assert stream.status_code == 200
    parameters = schema["paths"]["/api/v1/articles/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")
    assert "only with modified_since" in ordering["description"]


@pytest.mark.parametrize("path", ["/quotes/%C2%84/", "/outlets/%00/", "/nowhere/"])
def test_no_address_is_a_json_404_with_debug_on_too(world, settings, path):
    # Django shows its debug page rather than calling handler404 when DEBUG is
    # on, as on a development server that clients are generated against.
    settings.DEBUG = True
    for method in ("get", "delete"):
        response = getattr(APIClient(), method)(f"{API}{path}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_an_address_without_its_slash_is_still_redirected(world):
    response = APIClient().get(f"{API}/outlets/tass")
    assert response.status_code == 301
    assert response["Location"] == f"{API}/outlets/tass/"


def test_schema_states_the_constraints_the_api_enforces(schema):
    paths = schema["paths"]
    patch = paths["/api/v1/articles/{id}/"]["patch"]["requestBody"]["content"]
    patched = patch["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][patched]["required"] == ["version"]
    put = paths["/api/v1/articles/{id}/"]["put"]["requestBody"]["content"]
    updated = put["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "version" in schema["components"]["schemas"][updated]["required"]
    parameters = {p["name"]: p for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert parameters["country"]["schema"]["items"]["minLength"] == 2
    assert "pattern" in parameters["outlet"]["schema"]["items"]
    quotes = {p["name"]: p for p in paths["/api/v1/quotes/"]["get"]["parameters"]}
    assert quotes["article"]["schema"]["minimum"] == 1
    assert quotes["article"]["schema"]["maximum"] == 2**63 - 1
    assert quotes["speaker"]["schema"]["type"] == "string"
    export = {p["name"] for p in paths["/api/v1/articles/export/"]["get"]["parameters"]}
    assert {"q", "outlet", "topic", "person", "format"} <= export
    assert schema["components"]["schemas"]["ArticleRow"]["discriminator"] == {
        "propertyName": "kind",
        "mapping": {
            "article": "#/components/schemas/Article",
            "tombstone": "#/components/schemas/Tombstone",
        },
    }


def test_schema_describes_the_headers_each_answer_carries(schema):
    def headers(path, method, status):
        response = schema["paths"][path][method]["responses"][status]
        return {
            name: spec.get("required", False)
            for name, spec in response.get("headers", {}).items()
        }

    listing = headers("/api/v1/articles/", "get", "200")
    assert listing["ETag"] is True
    assert "Link" in listing
    assert "Cache-Control" in listing
    assert headers("/api/v1/articles/{id}/", "get", "200")["Last-Modified"] is True
    assert headers("/api/v1/articles/{id}/", "get", "304")["ETag"] is True
    export = headers("/api/v1/articles/export/", "get", "200")
    assert export["Content-Disposition"] is True
    for status in ("429", "503"):
        assert headers("/api/v1/people/", "get", status)["Retry-After"] is True
    assert "WWW-Authenticate" in headers("/api/v1/articles/", "post", "401")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "406", "503"} <= set(operation["responses"]), (
                method,
                path,
            )


def test_every_declared_parameter_is_taken_and_no_other(schema, world):
    """The parameters the schema declares for each read are exactly those the
    API takes: an undeclared one is a 400 naming it."""
    api = APIClient()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path.replace("{id}", str(world["published"].pk)).replace("{slug}", "tass")
        if "{slug}" in path and "people" in path:
            url = path.replace("{slug}", "vladimir-putin")
        if "{slug}" in path and "topics" in path:
            url = path.replace("{slug}", "syria")
        response = api.get(url, {"undeclared": "1"})
        assert response.status_code == 400, url
        assert list(response.json()["error"]["fields"]) == ["undeclared"], url


def test_loaddata_leaves_published_counts_right(db):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)
    people = APIClient().get(f"{API}/people/?page_size=500").json()["results"]
    assert people
    for person in people:
        links = ArticlePerson.objects.filter(
            person__slug=person["slug"], state="confirmed", article__status="published"
        )
        assert person["article_count"] == links.values("article").distinct().count()
        assert (
            person["article_count"] > 0
            or Quote.objects.public().filter(speaker__slug=person["slug"]).exists()
        )


def test_names_of_only_invisible_characters_are_refused(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    for endpoint in ("people", "topics", "outlets"):
        response = api.post(f"{API}/{endpoint}/", {"name": "\u200b"}, "json")
        assert response.status_code == 400, endpoint
        assert "name" in response.json()["error"]["fields"], endpoint
    assert not Person.objects.filter(name="\u200b").exists()


def test_tombstone_rows_do_not_depend_on_fields(world):
    rows = (
        APIClient()
        .get(f"{API}/articles/", {"modified_since": "2000-01-01", "fields": "title"})
        .json()["results"]
    )
    stones = [row for row in rows if row["kind"] == "tombstone"]
    assert stones
    assert Tombstone.objects.filter(article_id=stones[0]["id"]).exists()


def test_reads_of_public_people_cost_the_same_per_page(
    world, django_assert_max_num_queries
):
    for _ in range(30):
        ArticlePersonFactory()
        ArticleTopicFactory()
    api = APIClient()
    for size in (5, 30):
        with django_assert_max_num_queries(4):
            assert api.get(f"{API}/people/", {"page_size": size}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Hakan Fidan", "nickname": "Hakan"}, "nickname"),
        ({"name": "Hakan Fidan", "id": 5}, "id"),
        ({"name": 0}, "name"),
        ({"name": "Hakan Fidan", "aliases": "Fidan"}, "aliases"),
        ({"name": "Hakan Fidan", "aliases": [0]}, "aliases"),
    ],
)
def test_a_write_takes_only_its_fields_in_their_json_types(world, body, field):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    response = api.post(f"{API}/people/", body, "json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Person.objects.filter(name="Hakan Fidan").exists()


def test_article_writes_check_types_deep_inside(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    article = world["published"]
    url = f"{API}/articles/{article.pk}/"
    for body, field in [
        ({"version": "1"}, "version"),
        ({"version": article.version, "date_inferred": "true"}, "date_inferred"),
        (
            {"version": article.version, "people": [{"person": 1, "role": "quoted"}]},
            "people",
        ),
        ({"version": article.version, "topics": [""]}, "topics"),
        ({"version": article.version, "outlet": ""}, "outlet"),
    ]:
        response = api.patch(url, body, "json")
        assert response.status_code == 400, (body, response.content)
        assert list(response.json()["error"]["fields"]) == [field], body


def test_a_database_outage_conforms(world, conforms):
    with failing_queries(LOST):
        response = conforms(APIClient().get(f"{API}/articles/"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
