"""Who can read and write what: one table over every address of the site, the
admin and the API, for anonymous visitors, curators, editors, staff without a
role and superusers.

Each row is one address and method; each cell (row × actor) is its own test.
A read cell checks the status and that drafts, articles in review, withdrawn
text, internal notes, internal annotations and unconfirmed suggestions are in
the body for those who may see them and nowhere for anyone else. A write cell
checks the status and whether the database changed. The guard at the end fails
when the site has an address that no row covers.

docs/curating.md ("Who can do what") is this table in words.
"""

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve, reverse
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from articles import merging
from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    ImportBatch,
    LinkState,
    MergeRecord,
    Outlet,
    Person,
    Quote,
    Story,
    Topic,
)
from tests.conftest import member_of
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ANON, CURATOR, EDITOR, STAFF, SUPER = "anon", "curator", "editor", "staff", "super"
ROLES = (ANON, CURATOR, EDITOR, STAFF)
EVERYONE = (*ROLES, SUPER)
# Who sees every article, whatever its status, in the API and the admin.
INSIDERS = frozenset({CURATOR, EDITOR, SUPER})

# What each article is called, and text only it has, so that a response shows
# whether it leaked.
STATUSES = {
    "published": "Pelican",
    "draft": "Dromedary",
    "review": "Reindeer",
    "withdrawn": "Wombat",
}


def title(status):
    return f"{status.title()} {STATUSES[status]} parley"


def body_text(status):
    return f"{STATUSES[status]} body sentence only this article has."


def note_text(status):
    return f"Curators-only note on the {STATUSES[status]}"


def internal_text(status):
    return f"Internal annotation on the {STATUSES[status]}"


def public_note_text(status):
    return f"Public annotation on the {STATUSES[status]}"


CONFIRMED_QUOTE = "We had a useful exchange,"
SUGGESTED_QUOTE = "Trade will double next year,"
WITHDRAWAL_REASON = "Retracted by the agency"

SUGGESTED_PERSON = "Sasha Suggestedlink"
SUGGESTED_TOPIC = "Saffron Suggestedtopic"
SUGGESTED_SPEAKER = "Quinn Suggestedspeaker"
CANDIDATE = "Cora Candidateperson"
CONFIRMED_PERSON = "Connie Confirmedperson"
CONFIRMED_TOPIC = "Cobalt Confirmedtopic"
CONFIRMED_SPEAKER = "Carla Confirmedspeaker"

UNPUBLISHED = ("draft", "review", "withdrawn")
# Text that only curators, editors and administrators may ever see.
SECRETS = {
    **{f"{s}-title": title(s) for s in UNPUBLISHED},
    **{f"{s}-body": body_text(s) for s in UNPUBLISHED},
    **{f"{s}-notes": note_text(s) for s in STATUSES},
    **{f"{s}-internal": internal_text(s) for s in STATUSES},
    **{f"{s}-public-note": public_note_text(s) for s in UNPUBLISHED},
    "suggested-person": SUGGESTED_PERSON,
    "suggested-topic": SUGGESTED_TOPIC,
    "suggested-speaker": SUGGESTED_SPEAKER,
    "candidate": CANDIDATE,
    "draft-slug": "matrix-draft",
    "review-slug": "matrix-review",
}
# Text everyone may see.
PUBLIC = {
    "published-title": title("published"),
    "published-body": body_text("published"),
    "published-public-note": public_note_text("published"),
    "confirmed-person": CONFIRMED_PERSON,
    "confirmed-topic": CONFIRMED_TOPIC,
    "confirmed-speaker": CONFIRMED_SPEAKER,
    "withdrawn-title": title("withdrawn"),
    "withdrawal-reason": WITHDRAWAL_REASON,
    "published-slug": "matrix-published",
}
# Pages of people and topics only suggestions link to an article: no sitemap
# lists them.
UNLINKED_PAGES = {
    "suggested-person-page": "/people/sasha/",
    "suggested-topic-page": "/topics/saffron/",
}
TEXT = {**SECRETS, **PUBLIC, **UNLINKED_PAGES}


class World:
    """The archive every cell runs against: one article in each status, each
    with curators' notes, an internal and a public annotation; the published one
    also with confirmed and suggested people, topics and quotes."""

    def __init__(self):
        self.shared = {"forms": {}}
        self.users = {
            CURATOR: member_of("Curators", "matrix-curator"),
            EDITOR: member_of("Editors", "matrix-editor"),
            STAFF: UserFactory(username="matrix-staff", is_staff=True),
            SUPER: UserFactory(
                username="matrix-admin", is_staff=True, is_superuser=True
            ),
        }
        self.outlet = OutletFactory(name="Matrix Agency", slug="matrix-agency")
        self.spare_outlet = OutletFactory(name="Spare Agency", slug="spare-agency")
        self.person = PersonFactory(name=CONFIRMED_PERSON, slug="connie")
        self.spare_person = PersonFactory(name="Spare Person", slug="spare-person")
        self.suggested_person = PersonFactory(name=SUGGESTED_PERSON, slug="sasha")
        self.speaker = PersonFactory(name=CONFIRMED_SPEAKER, slug="carla")
        self.suggested_speaker = PersonFactory(name=SUGGESTED_SPEAKER, slug="quinn")
        self.topic = TopicFactory(name=CONFIRMED_TOPIC, slug="cobalt")
        self.spare_topic = TopicFactory(name="Spare Topic", slug="spare-topic")
        self.suggested_topic = TopicFactory(name=SUGGESTED_TOPIC, slug="saffron")
        self.story = Story.objects.create()
        self.articles = {}
        for day, status in enumerate(STATUSES, start=1):
            article = ArticleFactory(
                outlet=self.outlet,
                title=title(status),
                slug=f"matrix-{status}",
                status=status,
                published_at=dt.datetime(2024, 5, day, 9, tzinfo=dt.UTC),
                body=f"{body_text(status)}\n\n“{CONFIRMED_QUOTE}” the minister "
                f"said. “{SUGGESTED_QUOTE}” the other added.",
                notes=note_text(status),
                raw_text=f"As received: {body_text(status)}",
                withdrawal_reason=WITHDRAWAL_REASON if status == "withdrawn" else "",
                story=self.story,
            )
            self.articles[status] = article
            ArticlePersonFactory(
                article=article, person=self.person, state=LinkState.CONFIRMED
            )
            ArticleTopicFactory(
                article=article, topic=self.topic, state=LinkState.CONFIRMED
            )
            self.internal = AnnotationFactory(
                article=article,
                note=internal_text(status),
                visibility=Annotation.Visibility.INTERNAL,
                exact=CONFIRMED_QUOTE,
            )
            AnnotationFactory(article=article, note=public_note_text(status))
            CandidatePerson.objects.create(article=article, name=CANDIDATE)
        self.draft = self.articles["draft"]
        self.review = self.articles["review"]
        self.published = published = self.articles["published"]
        self.withdrawn = self.articles["withdrawn"]
        self.draft_internal = self.draft.annotations.get(visibility="internal")
        self.published_internal = published.annotations.get(visibility="internal")
        self.published_note = published.annotations.get(visibility="public")
        self.quote = QuoteFactory(
            article=published, speaker=self.speaker, text=CONFIRMED_QUOTE
        )
        self.draft_quote = QuoteFactory(
            article=self.draft, speaker=self.speaker, text=CONFIRMED_QUOTE
        )
        self.suggested_quote = QuoteFactory(
            article=published,
            speaker=self.suggested_speaker,
            text=SUGGESTED_QUOTE,
            state=LinkState.SUGGESTED,
        )
        self.suggested_link = ArticlePersonFactory(
            article=published,
            person=self.suggested_person,
            state=LinkState.SUGGESTED,
        )
        self.suggested_topic_link = ArticleTopicFactory(
            article=published, topic=self.suggested_topic, state=LinkState.SUGGESTED
        )
        self.candidate = CandidatePerson.objects.get(article=self.draft)
        self.merge = merging.merge(
            survivor=PersonFactory(name="Duplicate One"),
            absorbed=PersonFactory(name="Duplicate Two"),
        )
        self.import_batch = ImportBatch.objects.create(
            origin="admin",
            user=self.users[CURATOR],
            started_by="curator",
            sources="export.jsonl",
            status="draft",
            items=[
                {
                    "source": "export.jsonl",
                    "status": "imported",
                    "article": {"id": self.draft.pk, "title": self.draft.title},
                }
            ],
        )
        self.token = Token.objects.create(user=self.users[EDITOR])
        self.attempt = AccessAttempt.objects.create(
            username="someone", ip_address="203.0.113.9", failures_since_start=1
        )
        self.access_log = AccessLog.objects.create(
            username="someone", ip_address="203.0.113.9"
        )
        self.failure_log = AccessFailureLog.objects.create(
            username="someone", ip_address="203.0.113.9"
        )

        self.sessions = {}
        for actor, user in self.users.items():
            client = APIClient()
            client.force_login(user)
            self.sessions[actor] = client.session.session_key

    def admin_object(self, model):
        return {
            Article: self.draft,
            ArticlePerson: self.suggested_link,
            ArticleTopic: self.suggested_topic_link,
            Quote: self.suggested_quote,
            Annotation: self.draft_internal,
            CandidatePerson: self.candidate,
            Outlet: self.outlet,
            Person: self.person,
            Topic: self.topic,
            Story: self.story,
            MergeRecord: self.merge,
            ImportBatch: self.import_batch,
            Group: Group.objects.get(name="Curators"),
            get_user_model(): self.users[SUPER],
            TokenProxy: TokenProxy.objects.get(pk=self.token.pk),
            AccessAttempt: self.attempt,
            AccessLog: self.access_log,
            AccessFailureLog: self.failure_log,
        }[model]

    def spare(self, model):
        """The record a delete cell removes: one nothing else depends on."""
        return {
            Outlet: self.spare_outlet,
            Person: self.spare_person,
            Topic: self.spare_topic,
        }.get(model) or self.admin_object(model)


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    """The world, built once for the module in a transaction that is rolled
    back at its end; each test runs in a savepoint inside it (as Django's
    TestCase.setUpTestData does), so no test sees another's writes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(built_world, db):
    # A copy per test: a test that saves one of the world's records changes
    # only its own copy, as its database changes are rolled back. Sessions and
    # the forms cells send, the same in every test, are made once.
    world = copy.deepcopy(built_world)
    world.shared = built_world.shared
    return world


def client_for(world, actor):
    """A client signed in as the actor, with the session World made (signing
    in anew for each cell costs more than the cell)."""
    client = APIClient()
    if actor != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


@dataclass(frozen=True)
class Row:
    """One address and method, and what each actor gets from it.

    status: the expected status per actor (the actors tested are its keys).
    insiders: who may see SECRETS here; shows lists those they must see.
    public_ok: SECRETS anyone may see here (the API lists every person).
    always: TEXT every actor whose answer is a success must see.
    never: TEXT nobody sees here, insiders included.
    snapshot: for a write, what it would change; writers: whose write changes it.
    api: send the data as JSON. login: where anonymous visitors are sent.
    """

    id: str
    method: str
    url: Callable[[World], str]
    status: dict[str, int]
    data: Callable[[World], Any] | None = None
    insiders: frozenset = frozenset()
    shows: tuple = ()
    public_ok: tuple = ()
    always: tuple = ()
    never: tuple = ()
    snapshot: Callable[[World], Any] | None = None
    writers: frozenset = frozenset()
    api: bool = False
    login: str = "/admin/login/"

    def cells(self):
        return [
            pytest.param(self, actor, id=f"{self.id}-{actor}") for actor in self.status
        ]


def everyone(code, actors=ROLES):
    return dict.fromkeys(actors, code)


def by_role(anon, curator, editor, staff, superuser=None):
    status = {ANON: anon, CURATOR: curator, EDITOR: editor, STAFF: staff}
    if superuser is not None:
        status[SUPER] = superuser
    return status


# The public site: the same for everyone, signed in or not. Curators read drafts
# in the admin, never on the public pages.

PUBLISHED_LISTING = ("published-title",)
PUBLIC_SITE_ACTORS = ROLES


def site(id, url, status=200, always=(), public_ok=(), never=()):
    return Row(
        id=f"site:{id}",
        method="GET",
        url=url,
        status=everyone(status, PUBLIC_SITE_ACTORS),
        always=always,
        public_ok=public_ok,
        never=tuple(k for k in SECRETS if k not in public_ok) + never,
    )


def detail(world, status, name="article-detail", **extra):
    return world.articles[status].url_for(name, **extra)


def undated(world, status, name="article-undated", **extra):
    return reverse(
        f"articles:{name}", kwargs={"slug": world.articles[status].slug, **extra}
    )


SITE_ROWS = [
    site("home", lambda w: "/", always=PUBLISHED_LISTING),
    site("article-list", lambda w: "/articles/", always=PUBLISHED_LISTING),
    site(
        "article-list-search",
        lambda w: "/articles/?q=parley",
        always=PUBLISHED_LISTING,
    ),
    # Searching for a draft's own words finds nothing; the site's lists take no
    # status (a 400 naming it, as any parameter a list does not take).
    site("article-list-search-draft", lambda w: "/articles/?q=Dromedary"),
    site("article-list-status", lambda w: "/articles/?status=draft", status=400),
    site("search-feed-draft", lambda w: "/articles/feed/?q=Dromedary"),
    site(
        "article-list-by-topic",
        lambda w: "/articles/?topic=cobalt",
        always=PUBLISHED_LISTING,
    ),
    site("search-feed", lambda w: "/articles/feed/?q=parley", always=PUBLISHED_LISTING),
    # The workbench counts and names only what is published, whoever asks.
    site("article-about", lambda w: "/articles/about/?q=parley"),
    site("article-about-draft", lambda w: "/articles/about/?q=Dromedary"),
    site("article-chart-csv", lambda w: "/articles/chart.csv?q=parley"),
    site("compare", lambda w: "/compare/?s=q%3Dparley&s=q%3DDromedary"),
    site("compare-csv", lambda w: "/compare/chart.csv?s=q%3DDromedary"),
    site(
        "compare-add-by-name",
        lambda w: "/compare/?s=q%3Dparley&add_outlet=Matrix+Agency&add=1",
        status=302,
    ),
    # The export of the current view streams what the list shows: published
    # articles only, whoever asks (curators export drafts through the API).
    site(
        "article-export",
        lambda w: "/articles/export/?format=csv&q=parley",
        always=PUBLISHED_LISTING,
    ),
    site(
        "article-export-draft", lambda w: "/articles/export/?format=jsonl&q=Dromedary"
    ),
    site("article-export-all", lambda w: "/articles/export/?format=jsonl"),
    # The pickers' suggestions name only public outlets, topics and people: not
    # someone only suggested for an article, nor a candidate from a draft.
    site(
        "names-people",
        lambda w: "/names/people/?q=Connie",
        always=("confirmed-person",),
    ),
    site("names-people-suggested", lambda w: "/names/people/?q=Sasha"),
    site("names-people-candidate", lambda w: "/names/people/?q=Cora"),
    site(
        "names-topics",
        lambda w: "/names/topics/?q=Saffron",
    ),
    site("names-outlets", lambda w: "/names/outlets/?q=Matrix"),
    site(
        "article-list-by-suggested-name",
        lambda w: "/articles/?person_name=Sasha",
        status=400,
    ),
    site(
        "search-feed-rss",
        lambda w: "/articles/feed/rss/?q=parley",
        always=PUBLISHED_LISTING,
    ),
    site(
        "article-detail-published",
        lambda w: detail(w, "published"),
        always=(
            "published-title",
            "published-body",
            "published-public-note",
            "confirmed-person",
            "confirmed-topic",
            "confirmed-speaker",
        ),
    ),
    site(
        "article-detail-withdrawn",
        lambda w: detail(w, "withdrawn"),
        status=410,
        always=("withdrawn-title", "withdrawal-reason"),
        public_ok=("withdrawn-title",),
    ),
    *[
        site(f"article-detail-{s}", lambda w, s=s: detail(w, s), status=404)
        for s in ("draft", "review")
    ],
    site(
        "article-undated-published",
        lambda w: undated(w, "published"),
        status=301,
    ),
    site(
        "article-undated-withdrawn",
        lambda w: undated(w, "withdrawn"),
        status=410,
        public_ok=("withdrawn-title",),
    ),
    site("article-undated-draft", lambda w: undated(w, "draft"), status=404),
    site(
        "article-raw-published",
        lambda w: detail(w, "published", "article-raw"),
        always=("published-body",),
    ),
    *[
        site(f"article-raw-{s}", lambda w, s=s: detail(w, s, "article-raw"), 404)
        for s in UNPUBLISHED
    ],
    site(
        "article-undated-raw-draft",
        lambda w: undated(w, "draft", "article-undated-raw"),
        status=404,
    ),
    site(
        "article-citation-published",
        lambda w: detail(w, "published", "article-citation", fmt="bibtex"),
        always=("published-title",),
    ),
    *[
        site(
            f"article-citation-{s}",
            lambda w, s=s: detail(w, s, "article-citation", fmt="bibtex"),
            status=404,
        )
        for s in UNPUBLISHED
    ],
    site(
        "article-undated-citation-draft",
        lambda w: undated(w, "draft", "article-undated-citation", fmt="ris"),
        status=404,
    ),
    site("search-help", lambda w: "/search/help/"),
    site("outlet-list", lambda w: "/outlets/"),
    site(
        "outlet-detail", lambda w: "/outlets/matrix-agency/", always=PUBLISHED_LISTING
    ),
    site(
        "outlet-feed",
        lambda w: "/outlets/matrix-agency/feed/",
        always=PUBLISHED_LISTING,
    ),
    site(
        "outlet-feed-rss",
        lambda w: "/outlets/matrix-agency/feed/rss/",
        always=PUBLISHED_LISTING,
    ),
    site("person-list", lambda w: "/people/", always=("confirmed-person",)),
    site("person-detail", lambda w: "/people/connie/", always=PUBLISHED_LISTING),
    # A suggested link is not a link: someone only suggested has no public page
    # (Person.objects.public()).
    site("person-detail-suggested", lambda w: "/people/sasha/", status=404),
    site("person-feed", lambda w: "/people/connie/feed/", always=PUBLISHED_LISTING),
    site(
        "person-feed-rss",
        lambda w: "/people/connie/feed/rss/",
        always=PUBLISHED_LISTING,
    ),
    site("topic-list", lambda w: "/topics/", always=("confirmed-topic",)),
    site("topic-detail", lambda w: "/topics/cobalt/", always=PUBLISHED_LISTING),
    site("topic-detail-suggested", lambda w: "/topics/saffron/", status=404),
    site("topic-feed", lambda w: "/topics/cobalt/feed/", always=PUBLISHED_LISTING),
    site(
        "topic-feed-rss", lambda w: "/topics/cobalt/feed/rss/", always=PUBLISHED_LISTING
    ),
    site("quote-list", lambda w: "/quotes/", always=("confirmed-speaker",)),
    site("latest-feed", lambda w: "/feeds/latest/", always=PUBLISHED_LISTING),
    site("latest-feed-rss", lambda w: "/feeds/latest/rss/", always=PUBLISHED_LISTING),
    site("robots", lambda w: "/robots.txt"),
    site("sitemap-index", lambda w: "/sitemap.xml"),
    *[
        site(
            f"sitemap-{section}",
            lambda w, s=section: f"/sitemap-{s}.xml",
            always=("published-slug",) if section == "articles" else (),
            never=tuple(UNLINKED_PAGES),
        )
        for section in ("articles", "outlets", "people", "topics")
    ],
]


# The API: everyone reads what is published; curators and editors (who have
# the view permission on articles) read everything; writing needs the model
# permission, and publishing the publish permission. Curators' notes on an
# article (Article.notes) are in the admin only.

API = "/api/v1"
NOTES = tuple(f"{s}-notes" for s in STATUSES)
UNPUBLISHED_TITLES = tuple(f"{s}-title" for s in UNPUBLISHED)


def api_read(
    id,
    url,
    status=200,
    insider_status=None,
    shows=(),
    always=(),
    public_ok=(),
    never=NOTES,
):
    outsider = status
    insider = insider_status if insider_status is not None else status
    return Row(
        id=f"api:{id}",
        method="GET",
        url=url,
        status={ANON: outsider, CURATOR: insider, EDITOR: insider, STAFF: outsider},
        insiders=INSIDERS,
        shows=shows,
        always=always,
        public_ok=public_ok,
        never=never,
        api=True,
    )


def with_suffix(row):
    """The same read through DRF's format suffix (/articles.json)."""

    def url(world, base=row.url):
        path, _, query = base(world).partition("?")
        suffixed = path + ".json" if path == f"{API}/" else path.rstrip("/") + ".json"
        return f"{suffixed}?{query}" if query else suffixed

    return Row(**{**row.__dict__, "id": f"{row.id}.json", "url": url})


def article_api(world, status):
    return f"{API}/articles/{world.articles[status].pk}/"


API_READS = [
    api_read("root", lambda w: f"{API}/"),
    api_read(
        "article-list",
        lambda w: f"{API}/articles/",
        shows=UNPUBLISHED_TITLES,
        always=("published-title",),
    ),
    api_read(
        "article-list-by-status",
        lambda w: f"{API}/articles/?status=draft&status=review",
        status=403,
        insider_status=200,
        shows=("draft-title", "review-title"),
    ),
    api_read(
        "article-list-search-draft",
        lambda w: f"{API}/articles/?q=Dromedary",
        shows=("draft-title",),
    ),
    api_read(
        "article-list-modified-since",
        lambda w: f"{API}/articles/?modified_since=2000-01-01",
        shows=UNPUBLISHED_TITLES,
        always=("published-title",),
    ),
    # Curators read back the internal notes they write.
    api_read(
        "article-detail-published",
        lambda w: article_api(w, "published"),
        shows=("published-internal", "suggested-speaker", "published-notes"),
        never=(),
        always=(
            "published-title",
            "published-body",
            "published-public-note",
            "confirmed-person",
            "confirmed-speaker",
        ),
    ),
    *[
        api_read(
            f"article-detail-{s}",
            lambda w, s=s: article_api(w, s),
            # Withdrawn: gone, as its page on the site says (with the reason).
            status=410 if s == "withdrawn" else 404,
            insider_status=200,
            shows=(
                f"{s}-title",
                f"{s}-body",
                f"{s}-internal",
                f"{s}-public-note",
                f"{s}-notes",
            ),
            never=(),
        )
        for s in UNPUBLISHED
    ],
    api_read(
        "article-export-csv",
        lambda w: f"{API}/articles/export/?format=csv",
        shows=UNPUBLISHED_TITLES,
        always=("published-title",),
    ),
    api_read(
        "article-export-jsonl",
        lambda w: f"{API}/articles/export/?format=jsonl",
        shows=UNPUBLISHED_TITLES,
        always=("published-title",),
    ),
    api_read("outlet-list", lambda w: f"{API}/outlets/"),
    api_read("outlet-detail", lambda w: f"{API}/outlets/matrix-agency/"),
    # People and topics are public once a published article names them (a
    # confirmed link, or a public quote); curators see every one.
    api_read(
        "person-list",
        lambda w: f"{API}/people/",
        always=("confirmed-person",),
        shows=("suggested-person", "suggested-speaker"),
    ),
    api_read(
        "person-detail",
        lambda w: f"{API}/people/sasha/",
        status=404,
        insider_status=200,
        shows=("suggested-person",),
    ),
    api_read(
        "topic-list",
        lambda w: f"{API}/topics/",
        always=("confirmed-topic",),
        shows=("suggested-topic",),
    ),
    api_read(
        "topic-detail",
        lambda w: f"{API}/topics/saffron/",
        status=404,
        insider_status=200,
        shows=("suggested-topic",),
    ),
    api_read(
        "quote-list",
        lambda w: f"{API}/quotes/",
        shows=("suggested-speaker",),
        always=("confirmed-speaker",),
    ),
    api_read(
        "quote-detail-confirmed",
        lambda w: f"{API}/quotes/{w.quote.pk}/",
        always=("confirmed-speaker",),
    ),
    api_read(
        "quote-detail-suggested",
        lambda w: f"{API}/quotes/{w.suggested_quote.pk}/",
        status=404,
        insider_status=200,
        shows=("suggested-speaker",),
    ),
    api_read(
        "quote-detail-of-draft",
        lambda w: f"{API}/quotes/{w.draft_quote.pk}/",
        status=404,
        insider_status=200,
    ),
    api_read(
        "annotation-list",
        lambda w: f"{API}/annotations/",
        shows=(*tuple(f"{s}-internal" for s in STATUSES), "draft-public-note"),
        always=("published-public-note",),
    ),
    api_read(
        "annotation-list-internal",
        lambda w: f"{API}/annotations/?visibility=internal",
        shows=("published-internal", "draft-internal"),
    ),
    api_read(
        "annotation-detail-public",
        lambda w: f"{API}/annotations/{w.published_note.pk}/",
        always=("published-public-note",),
    ),
    api_read(
        "annotation-detail-internal",
        lambda w: f"{API}/annotations/{w.published_internal.pk}/",
        status=404,
        insider_status=200,
        shows=("published-internal",),
    ),
    api_read(
        "annotation-detail-of-draft",
        lambda w: f"{API}/annotations/{w.draft_internal.pk}/",
        status=404,
        insider_status=200,
        shows=("draft-internal",),
    ),
]
API_READS += [with_suffix(row) for row in API_READS]


def only(row, *actors):
    """The row for a few actors: the answer is the same for all (building the
    schema takes a while)."""
    status = {a: code for a, code in row.status.items() if a in actors}
    return Row(**{**row.__dict__, "status": status})


API_READS += [
    only(api_read("schema", lambda w: "/api/schema/"), ANON, CURATOR),
    api_read("docs", lambda w: "/api/docs/"),
    # No endpoint: a JSON 404 for everyone (articles.api.errors.no_endpoint).
    api_read("no-endpoint", lambda w: f"{API}/nowhere/", status=404),
]


def api_write(
    id,
    method,
    url,
    data,
    snapshot,
    curator=None,
    editor=None,
    anon=401,
    staff=403,
):
    """A write: anonymous clients are asked to authenticate, staff without a
    role are refused; curator and editor get the given statuses, and the
    database changes for whoever gets a 2xx."""
    status = {ANON: anon, CURATOR: curator, EDITOR: editor, STAFF: staff}
    return Row(
        id=f"api:{id}:{method}",
        method=method,
        url=url,
        status=status,
        data=data,
        snapshot=snapshot,
        writers=frozenset(a for a, code in status.items() if 200 <= code < 300),
        api=True,
    )


def new_article(world, **extra):
    return {
        "title": "Matrix new article",
        "outlet": "matrix-agency",
        "url": "https://matrix.example/new",
        "published_at": "2024-06-01T10:00:00Z",
        "language": "en",
        "body": "A new article's body, written through the API.",
        **extra,
    }


def article_count(world):
    return Article.objects.count()


def published_count(world):
    return Article.objects.filter(status=Article.Status.PUBLISHED).count()


def stored(model, attribute, pick):
    """Snapshot: the attribute of the record pick(world) chooses, as stored
    (None once it is gone)."""

    def read(world):
        obj = model.objects.filter(pk=pick(world).pk).first()
        return None if obj is None else getattr(obj, attribute)

    return read


def counted(model):
    return lambda world: model.objects.count()


ENTITY_WRITES = []
for model, plural, new, spare_slug in [
    (
        Outlet,
        "outlets",
        {"name": "Brand New Agency", "slug": "brand-new"},
        "spare-agency",
    ),
    (
        Person,
        "people",
        {"name": "Brand New Person", "slug": "brand-new"},
        "spare-person",
    ),
    (Topic, "topics", {"name": "Brand New Topic", "slug": "brand-new"}, "spare-topic"),
]:
    name = model._meta.model_name
    ENTITY_WRITES += [
        api_write(
            f"{name}-list",
            "POST",
            lambda w, p=plural: f"{API}/{p}/",
            lambda w, d=new: d,
            counted(model),
            curator=201,
            editor=201,
        ),
        api_write(
            f"{name}-detail",
            "PATCH",
            lambda w, p=plural, s=spare_slug: f"{API}/{p}/{s}/",
            lambda w: {"description": "Described through the API"},
            stored(model, "description", lambda w, m=model: w.spare(m)),
            curator=200,
            editor=200,
        ),
        api_write(
            f"{name}-detail",
            "PUT",
            lambda w, p=plural, s=spare_slug: f"{API}/{p}/{s}/",
            lambda w, m=model: {
                "name": w.spare(m).name,
                "slug": w.spare(m).slug,
                "description": "Replaced through the API",
            },
            stored(model, "description", lambda w, m=model: w.spare(m)),
            curator=200,
            editor=200,
        ),
        api_write(
            f"{name}-detail",
            "DELETE",
            lambda w, p=plural, s=spare_slug: f"{API}/{p}/{s}/",
            None,
            counted(model),
            curator=403,
            editor=204,
        ),
    ]

API_WRITES = [
    api_write(
        "root",
        "POST",
        lambda w: f"{API}/",
        lambda w: {},
        article_count,
        anon=401,
        curator=405,
        editor=405,
        staff=405,
    ),
    only(
        api_write(
            "schema",
            "POST",
            lambda w: "/api/schema/",
            lambda w: {},
            article_count,
            anon=405,
            curator=405,
            editor=405,
            staff=405,
        ),
        ANON,
        CURATOR,
    ),
    api_write(
        "article-list",
        "POST",
        lambda w: f"{API}/articles/",
        new_article,
        article_count,
        curator=201,
        editor=201,
    ),
    api_write(
        "article-list-published",
        "POST",
        lambda w: f"{API}/articles/",
        lambda w: new_article(w, status="published"),
        article_count,
        curator=400,
        editor=201,
    ),
    api_write(
        "article-export",
        "POST",
        lambda w: f"{API}/articles/export/",
        lambda w: {},
        article_count,
        curator=405,
        editor=405,
    ),
    api_write(
        "article-detail-draft",
        "PATCH",
        lambda w: article_api(w, "draft"),
        lambda w: {"title": "Renamed through the API", "version": w.draft.version},
        stored(Article, "title", lambda w: w.draft),
        curator=200,
        editor=200,
    ),
    api_write(
        "article-detail-draft",
        "PUT",
        lambda w: article_api(w, "draft"),
        lambda w: new_article(
            w,
            title="Replaced through the API",
            body=w.draft.body,
            version=w.draft.version,
        ),
        stored(Article, "title", lambda w: w.draft),
        curator=200,
        editor=200,
    ),
    api_write(
        "article-detail-publish",
        "PATCH",
        lambda w: article_api(w, "review"),
        lambda w: {"status": "published", "version": w.review.version},
        stored(Article, "status", lambda w: w.review),
        curator=400,
        editor=200,
    ),
    api_write(
        "article-detail-withdraw",
        "PATCH",
        lambda w: article_api(w, "published"),
        lambda w: {
            "status": "withdrawn",
            "withdrawal_reason": "Wrong",
            "version": w.published.version,
        },
        stored(Article, "status", lambda w: w.published),
        curator=400,
        editor=200,
    ),
    api_write(
        "article-detail-to-review",
        "PATCH",
        lambda w: article_api(w, "draft"),
        lambda w: {"status": "review", "version": w.draft.version},
        stored(Article, "status", lambda w: w.draft),
        curator=200,
        editor=200,
    ),
    api_write(
        "article-detail-draft",
        "DELETE",
        lambda w: article_api(w, "draft"),
        None,
        article_count,
        curator=403,
        editor=204,
    ),
    *ENTITY_WRITES,
    api_write(
        "quote-list",
        "POST",
        lambda w: f"{API}/quotes/",
        lambda w: {
            "article": w.draft.pk,
            "speaker": "quinn",
            "text": SUGGESTED_QUOTE,
        },
        counted(Quote),
        curator=201,
        editor=201,
    ),
    api_write(
        "quote-detail",
        "PATCH",
        lambda w: f"{API}/quotes/{w.suggested_quote.pk}/",
        lambda w: {"speaker": "carla"},
        stored(Quote, "speaker_id", lambda w: w.suggested_quote),
        curator=200,
        editor=200,
    ),
    api_write(
        "quote-detail",
        "PUT",
        lambda w: f"{API}/quotes/{w.suggested_quote.pk}/",
        lambda w: {
            "article": w.published.pk,
            "speaker": "carla",
            "text": SUGGESTED_QUOTE,
        },
        stored(Quote, "speaker_id", lambda w: w.suggested_quote),
        curator=200,
        editor=200,
    ),
    api_write(
        "quote-detail",
        "DELETE",
        lambda w: f"{API}/quotes/{w.suggested_quote.pk}/",
        None,
        counted(Quote),
        curator=204,
        editor=204,
    ),
    api_write(
        "annotation-list",
        "POST",
        lambda w: f"{API}/annotations/",
        lambda w: {"article": w.draft.pk, "note": "New", "visibility": "internal"},
        counted(Annotation),
        curator=201,
        editor=201,
    ),
    api_write(
        "annotation-detail",
        "PATCH",
        lambda w: f"{API}/annotations/{w.draft_internal.pk}/",
        lambda w: {"note": "Changed through the API"},
        stored(Annotation, "note", lambda w: w.draft_internal),
        curator=200,
        editor=200,
    ),
    api_write(
        "annotation-detail",
        "PUT",
        lambda w: f"{API}/annotations/{w.draft_internal.pk}/",
        lambda w: {
            "article": w.draft.pk,
            "note": "Replaced through the API",
            "visibility": "public",
        },
        stored(Annotation, "note", lambda w: w.draft_internal),
        curator=200,
        editor=200,
    ),
    api_write(
        "annotation-detail",
        "DELETE",
        lambda w: f"{API}/annotations/{w.draft_internal.pk}/",
        None,
        counted(Annotation),
        curator=204,
        editor=204,
    ),
]


# The admin. What each role may do with each model: v(iew), a(dd), c(hange),
# d(elete). Staff without a role may do nothing; anonymous visitors are sent to
# the login page. The Curators and Editors groups are made by migrations 0002
# and 0005; merge records are the editors' (who may delete what a merge
# deletes), and nobody adds, changes or deletes them by hand.
User = get_user_model()
RIGHTS = {
    Article: {CURATOR: "vac", EDITOR: "vacd", SUPER: "vacd"},
    Outlet: {CURATOR: "vac", EDITOR: "vacd", SUPER: "vacd"},
    Person: {CURATOR: "vac", EDITOR: "vacd", SUPER: "vacd"},
    Topic: {CURATOR: "vac", EDITOR: "vacd", SUPER: "vacd"},
    ArticlePerson: {CURATOR: "vacd", EDITOR: "vacd", SUPER: "vacd"},
    ArticleTopic: {CURATOR: "vacd", EDITOR: "vacd", SUPER: "vacd"},
    Quote: {CURATOR: "vacd", EDITOR: "vacd", SUPER: "vacd"},
    Annotation: {CURATOR: "vacd", EDITOR: "vacd", SUPER: "vacd"},
    CandidatePerson: {CURATOR: "vc", EDITOR: "vcd", SUPER: "vacd"},
    Story: {CURATOR: "vc", EDITOR: "vc", SUPER: "vacd"},
    MergeRecord: {EDITOR: "v", SUPER: "v"},
    ImportBatch: {CURATOR: "v", EDITOR: "v", SUPER: "v"},
    Group: {SUPER: "vacd"},
    User: {SUPER: "vacd"},
    TokenProxy: {SUPER: "vacd"},
    AccessAttempt: {SUPER: "vcd"},
    AccessLog: {SUPER: "vcd"},
    AccessFailureLog: {SUPER: "vcd"},
}

# What a reader of each model's changelist and change page (the draft's, for
# articles) must see, so that a page that hides too much fails too.
ADMIN_SHOWS = {
    Article: {
        "changelist": UNPUBLISHED_TITLES,
        "change": ("draft-title", "draft-body", "draft-notes", "draft-internal"),
        "history": ("draft-title",),
    },
    ArticlePerson: {"changelist": ("suggested-person",), "change": ()},
    ArticleTopic: {"changelist": ("suggested-topic",), "change": ()},
    Quote: {"changelist": ("suggested-speaker",), "change": ("suggested-speaker",)},
    Annotation: {
        "changelist": ("published-internal", "draft-internal"),
        "change": ("draft-internal",),
    },
    CandidatePerson: {"changelist": ("candidate",), "change": ("candidate",)},
    Story: {"change": ("draft-title",)},
}


def may(actor, model, right):
    return right in RIGHTS[model].get(actor, "")


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def admin_status(actor, allowed, ok=200):
    if actor == ANON:
        return 302
    return ok if allowed else 403


def admin_actors(model):
    """Superusers where no role may use the model (users, tokens, login logs,
    merge records); elsewhere they are editors with more."""
    return EVERYONE if not RIGHTS[model].get(CURATOR) else ROLES


def admin_read(model, view, url, right, ok=200, actors=None):
    actors = actors or admin_actors(model)
    readers = frozenset(a for a in actors if a != ANON and may(a, model, "v"))
    return Row(
        id=f"admin:{model._meta.label_lower}:{view}",
        method="GET",
        url=url,
        status={
            a: admin_status(a, any(may(a, model, r) for r in right), ok) for a in actors
        },
        insiders=readers,
        shows=ADMIN_SHOWS.get(model, {}).get(view, ()),
    )


def admin_write(model, view, url, right, data, snapshot, ok=302, actors=EVERYONE):
    status = {a: admin_status(a, may(a, model, right), ok) for a in actors}
    return Row(
        id=f"admin:{model._meta.label_lower}:{view}:POST",
        method="POST",
        url=url,
        status=status,
        data=data,
        snapshot=snapshot,
        writers=frozenset(a for a in actors if a != ANON and may(a, model, right)),
        insiders=INSIDERS,
    )


class FormReader(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data, self.select, self.textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def add(self, name, value):
        if name in self.data and name != "csrfmiddlewaretoken":
            previous = self.data[name]
            self.data[name] = [
                *(previous if isinstance(previous, list) else [previous])
            ]
            self.data[name].append(value)
        else:
            self.data[name] = value


def form_on(world, address, **changes):
    """The form at url as a superuser sees it, with changes: what a user who
    may use the form would send."""
    forms = world.shared["forms"]
    if address not in forms:
        response = client_for(world, SUPER).get(address)
        reader = FormReader()
        if response.status_code == 200:
            reader.feed(response.content.decode())
        reader.data.pop("csrfmiddlewaretoken", None)
        forms[address] = {
            k: v.removeprefix("\n") if isinstance(v, str) else v
            for k, v in reader.data.items()
        }
    return {**forms[address], **changes}


def model_rows(model):
    """Every admin view of one model, read and written."""
    ma = admin.site._registry[model]
    label = model._meta.label_lower

    def obj(w):
        return w.admin_object(model)

    def pk(w):
        return str(obj(w).pk)

    rows = [
        admin_read(model, "changelist", lambda w: admin_url(model, "changelist"), "vc"),
        admin_read(model, "add", lambda w: admin_url(model, "add"), "a"),
        admin_read(model, "change", lambda w: admin_url(model, "change", pk(w)), "vc"),
        admin_read(model, "delete", lambda w: admin_url(model, "delete", pk(w)), "d"),
        admin_read(
            model, "history", lambda w: admin_url(model, "history", pk(w)), "vc"
        ),
        Row(
            id=f"admin:{label}:object-redirect",
            method="GET",
            url=lambda w: admin_url(model, "changelist") + pk(w) + "/",
            status=everyone(302, (ANON, CURATOR, STAFF)),
        ),
    ]
    if hasattr(ma, "history_form_view"):
        rows.append(
            admin_read(
                model,
                "simple_history",
                lambda w: admin_url(
                    model, "simple_history", pk(w), obj(w).history.earliest().pk
                ),
                "vc",
            )
        )
    add_data = ADD_DATA.get(model, lambda w: {})
    rows.append(
        admin_write(
            model,
            "add",
            lambda w: admin_url(model, "add"),
            "a",
            lambda w: form_on(w, admin_url(model, "add"), **add_data(w)),
            counted(model),
            actors=ROLES,
        )
    )
    if model in CHANGES:
        attribute, value = CHANGES[model]
        rows.append(
            admin_write(
                model,
                "change",
                lambda w: admin_url(model, "change", pk(w)),
                "c",
                lambda w: form_on(
                    w, admin_url(model, "change", pk(w)), **{attribute: value(w)}
                ),
                stored(model, attribute_name(attribute), obj),
                actors=ROLES,
            )
        )
    rows.append(
        admin_write(
            model,
            "delete",
            lambda w: admin_url(model, "delete", w.spare(model).pk),
            "d",
            lambda w: {"post": "yes"},
            lambda w: model.objects.filter(pk=w.spare(model).pk).exists(),
            actors=ROLES,
        )
    )
    return rows


def attribute_name(form_field):
    return {"article": "article_id", "speaker": "speaker_id"}.get(
        form_field, form_field
    )


ADD_DATA = {
    Article: lambda w: {
        "title": "Added in the admin",
        "slug": "added-in-the-admin",
        "outlet": str(w.outlet.pk),
        "status": "draft",
        "url": "https://matrix.example/added",
        "published_at_0": "2024-06-02",
        "published_at_1": "10:00:00",
        "language": "en",
        "body": "A body added in the admin.",
    },
    Outlet: lambda w: {"name": "Added Agency", "slug": "added-agency"},
    Person: lambda w: {"name": "Added Person", "slug": "added-person"},
    Topic: lambda w: {"name": "Added Topic", "slug": "added-topic"},
    ArticlePerson: lambda w: {
        "article": str(w.published.pk),
        "person": str(w.spare_person.pk),
        "role": "mentioned",
        "state": "confirmed",
    },
    ArticleTopic: lambda w: {
        "article": str(w.published.pk),
        "topic": str(w.spare_topic.pk),
        "state": "confirmed",
    },
    Quote: lambda w: {
        "article": str(w.draft.pk),
        "speaker": str(w.speaker.pk),
        "text": SUGGESTED_QUOTE,
        "state": "confirmed",
    },
    Annotation: lambda w: {
        "article": str(w.draft.pk),
        "note": "Added in the admin",
        "visibility": "internal",
    },
}
# The field a change cell edits (on the record World.admin_object names), and
# its new value.
CHANGES = {
    Article: ("title", lambda w: "Renamed in the admin"),
    Outlet: ("description", lambda w: "Changed in the admin"),
    Person: ("description", lambda w: "Changed in the admin"),
    Topic: ("description", lambda w: "Changed in the admin"),
    ArticlePerson: ("role", lambda w: "quoted"),
    ArticleTopic: ("state", lambda w: "confirmed"),
    Quote: ("state", lambda w: "confirmed"),
    Annotation: ("note", lambda w: "Changed in the admin"),
    CandidatePerson: ("title", lambda w: "Minister"),
    MergeRecord: ("absorbed_name", lambda w: "Renamed record"),
    ImportBatch: ("sources", lambda w: "renamed.jsonl"),
    Group: ("name", lambda w: "Renamed group"),
    User: ("is_superuser", lambda w: "on"),
    TokenProxy: ("user", lambda w: str(w.users[CURATOR].pk)),
    AccessAttempt: ("username", lambda w: "renamed"),
    AccessLog: ("username", lambda w: "renamed"),
    AccessFailureLog: ("username", lambda w: "renamed"),
}


def action(model, name, pick, extra=None):
    """POST data choosing an admin action on the record pick(world) returns."""

    def data(world):
        chosen = pick(world)
        chosen = chosen if isinstance(chosen, list) else [chosen]
        return {
            "action": name,
            "_selected_action": [str(o.pk) for o in chosen],
            **(extra(world) if extra else {}),
        }

    return data


def action_row(model, name, pick, snapshot, writers, extra=None, status=None):
    """A changelist action: those who may use it change the record; the rest
    are sent back to the changelist (the action is not offered to them) or
    refused."""
    status = status or {
        a: admin_status(a, any(may(a, model, r) for r in "vc"), 302) for a in ROLES
    }
    return Row(
        id=f"admin:{model._meta.label_lower}:action-{name}:POST",
        method="POST",
        url=lambda w: admin_url(model, "changelist"),
        status=status,
        data=action(model, name, pick, extra),
        snapshot=snapshot,
        writers=frozenset(writers),
    )


BOTH = (CURATOR, EDITOR)
ACTION_ROWS = [
    action_row(
        Article,
        "delete_selected",
        lambda w: w.draft,
        article_count,
        [EDITOR],
        extra=lambda w: {"post": "yes"},
    ),
    action_row(
        Article,
        "send_to_review",
        lambda w: w.draft,
        stored(Article, "status", lambda w: w.draft),
        BOTH,
    ),
    action_row(
        Article,
        "publish",
        lambda w: w.review,
        stored(Article, "status", lambda w: w.review),
        [EDITOR],
    ),
    action_row(
        Article,
        "withdraw",
        lambda w: w.published,
        stored(Article, "status", lambda w: w.published),
        [EDITOR],
        extra=lambda w: {"apply": "1", "reason": "Wrong"},
    ),
    action_row(
        Article,
        "send_to_draft",
        lambda w: w.published,
        stored(Article, "status", lambda w: w.published),
        [EDITOR],
    ),
    action_row(
        Article,
        "confirm_suggestions",
        lambda w: w.published,
        stored(ArticlePerson, "state", lambda w: w.suggested_link),
        BOTH,
    ),
    action_row(
        Article,
        "add_topic",
        lambda w: w.draft,
        counted(ArticleTopic),
        BOTH,
        extra=lambda w: {"apply": "1", "topic": str(w.spare_topic.pk)},
    ),
    action_row(
        ArticlePerson,
        "confirm",
        lambda w: w.suggested_link,
        stored(ArticlePerson, "state", lambda w: w.suggested_link),
        BOTH,
    ),
    action_row(
        Quote,
        "reject",
        lambda w: w.suggested_quote,
        counted(Quote),
        BOTH,
    ),
    action_row(
        CandidatePerson,
        "confirm",
        lambda w: w.candidate,
        stored(CandidatePerson, "state", lambda w: w.candidate),
        BOTH,
    ),
    action_row(
        Person,
        "merge_two",
        lambda w: [w.person, w.spare_person],
        counted(Person),
        [EDITOR],
        extra=lambda w: {"post": "yes", "survivor": str(w.person.pk)},
        # Curators are offered no action on people: the list, unchanged.
        status=by_role(302, 200, 302, 403),
    ),
    action_row(
        MergeRecord,
        "undo",
        lambda w: w.merge,
        stored(MergeRecord, "undone_at", lambda w: w.merge),
        [EDITOR],
    ),
]


def history_revert(model, attribute, rename):
    """Revert a record to its first version, after a later change."""

    def url(world):
        obj = world.admin_object(model)
        return admin_url(model, "simple_history", obj.pk, obj.history.earliest().pk)

    def data(world):
        rename(world.admin_object(model))
        return form_on(world, url(world))

    return Row(
        id=f"admin:{model._meta.label_lower}:simple_history:POST",
        method="POST",
        url=url,
        status={a: admin_status(a, may(a, model, "c"), 302) for a in ROLES},
        data=data,
        snapshot=stored(model, attribute, lambda w: w.admin_object(model)),
        writers=frozenset(a for a in ROLES if a != ANON and may(a, model, "c")),
    )


def renamed(attribute):
    def rename(obj):
        setattr(obj, attribute, "Changed since")
        obj.save()

    return rename


def confirm_quote(quote):
    quote.state = LinkState.CONFIRMED
    quote.save()


def rename_article(article):
    article.title = "Changed since"
    article.save()


def import_upload(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "Imported Iguana parley\n\nhttps://matrix.example/iguana\n\n"
        "IGUANA, May 9. An imported body of a few words for the importer."
    )
    return {
        "files": SimpleUploadedFile("iguana.txt", text.encode(), "text/plain"),
        "outlet": str(world.outlet.pk),
        "status": "draft",
    }


def custom_read(id, url, status, shows=(), insiders=INSIDERS):
    return Row(
        id=f"admin:{id}",
        method="GET",
        url=url,
        status=status,
        insiders=insiders,
        shows=shows,
    )


def view_on_site(model, obj):
    return f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{obj.pk}/"


AUTOCOMPLETE = (
    "/admin/autocomplete/?app_label=articles&model_name=quote&field_name=article"
    "&term=parley"
)
SPEAKERS = (
    "/admin/articles/article/annotate/speakers/?app_label=articles"
    "&model_name=quote&field_name=speaker&term=Suggestedspeaker"
)

ADMIN_ROWS = [
    custom_read("index", lambda w: "/admin/", by_role(302, 200, 200, 200, 200)),
    custom_read(
        "app-list-articles",
        lambda w: "/admin/articles/",
        by_role(302, 200, 200, 404, 200),
    ),
    custom_read(
        "app-list-auth", lambda w: "/admin/auth/", by_role(302, 404, 404, 404, 200)
    ),
    custom_read("login", lambda w: "/admin/login/", by_role(200, 302, 302, 302, 302)),
    Row(
        id="admin:logout",
        method="GET",
        url=lambda w: "/admin/logout/",
        status=by_role(302, 405, 405, 405, 405),
        login="/admin/",
    ),
    Row(
        id="admin:logout:POST",
        method="POST",
        url=lambda w: "/admin/logout/",
        status=by_role(302, 200, 200, 200, 200),
        login="/admin/",
        data=lambda w: {},
        snapshot=article_count,
    ),
    custom_read(
        "password-change",
        lambda w: "/admin/password_change/",
        by_role(302, 200, 200, 200, 200),
    ),
    custom_read(
        "password-change-done",
        lambda w: "/admin/password_change/done/",
        by_role(302, 200, 200, 200, 200),
    ),
    custom_read("jsi18n", lambda w: "/admin/jsi18n/", by_role(302, 200, 200, 200, 200)),
    custom_read(
        "catch-all",
        lambda w: "/admin/no/such/page/",
        by_role(302, 404, 404, 404, 404),
    ),
    custom_read(
        "autocomplete-articles",
        lambda w: AUTOCOMPLETE,
        by_role(302, 200, 200, 403, 200),
        shows=UNPUBLISHED_TITLES,
    ),
    custom_read(
        "article-speakers",
        lambda w: SPEAKERS,
        by_role(302, 200, 200, 403, 200),
        shows=("suggested-speaker",),
    ),
    # "View on site" leads to a draft's would-be address (its slug): only for
    # those who may see the draft.
    custom_read(
        "view-on-site-draft",
        lambda w: view_on_site(Article, w.draft),
        by_role(302, 302, 302, 403, 302),
    ),
    custom_read(
        "article-import",
        lambda w: admin_url(Article, "import"),
        by_role(302, 200, 200, 403, 200),
    ),
    Row(
        id="admin:article-import:POST",
        method="POST",
        url=lambda w: admin_url(Article, "import"),
        status=by_role(302, 200, 200, 403),
        data=import_upload,
        snapshot=article_count,
        writers=frozenset(BOTH),
    ),
    # Publishing is the editors' wherever a status is chosen: on import, on the
    # add form and on the change form (curators are offered no such choice).
    Row(
        id="admin:article-import-published:POST",
        method="POST",
        url=lambda w: admin_url(Article, "import"),
        status=by_role(302, 200, 200, 403),
        data=lambda w: {**import_upload(w), "status": "published"},
        snapshot=published_count,
        writers=frozenset({EDITOR}),
    ),
    Row(
        id="admin:articles.article:add-published:POST",
        method="POST",
        url=lambda w: admin_url(Article, "add"),
        status=by_role(302, 200, 302, 403),
        data=lambda w: form_on(
            w,
            admin_url(Article, "add"),
            **{**ADD_DATA[Article](w), "status": "published"},
        ),
        snapshot=published_count,
        writers=frozenset({EDITOR}),
    ),
    Row(
        id="admin:articles.article:change-publish:POST",
        method="POST",
        url=lambda w: admin_url(Article, "change", w.review.pk),
        status=by_role(302, 200, 302, 403),
        data=lambda w: form_on(
            w, admin_url(Article, "change", w.review.pk), status="published"
        ),
        snapshot=published_count,
        writers=frozenset({EDITOR}),
    ),
    custom_read(
        "article-suggestions",
        lambda w: reverse(
            "admin:articles_article_suggestions", args=[w.published.pk, "confirm"]
        ),
        by_role(302, 302, 302, 302, 302),
    ),
    *[
        Row(
            id=f"admin:article-suggestions-{decision}:POST",
            method="POST",
            url=lambda w, d=decision: reverse(
                "admin:articles_article_suggestions", args=[w.published.pk, d]
            ),
            status=by_role(302, 302, 302, 403),
            data=lambda w: {},
            snapshot=lambda w: list(
                ArticlePerson.objects.filter(article=w.published).values_list(
                    "state", flat=True
                )
            ),
            writers=frozenset(BOTH),
        )
        for decision in ("confirm", "reject")
    ],
    # The review queue: opens the oldest draft (a redirect to its page).
    custom_read(
        "article-queue",
        lambda w: reverse("admin:articles_article_queue") + "?queue=draft",
        by_role(302, 302, 302, 403, 302),
    ),
    custom_read(
        "article-suggestion",
        lambda w: reverse(
            "admin:articles_article_suggestion",
            args=[w.published.pk, "person", w.suggested_link.pk, "confirm"],
        ),
        by_role(302, 405, 405, 405, 405),
    ),
    *[
        Row(
            id=f"admin:article-suggestion-{decision}:POST",
            method="POST",
            url=lambda w, d=decision: reverse(
                "admin:articles_article_suggestion",
                args=[w.published.pk, "person", w.suggested_link.pk, d],
            ),
            status=by_role(302, 302, 302, 403),
            data=lambda w: {},
            snapshot=lambda w: list(
                ArticlePerson.objects.filter(article=w.published).values_list(
                    "state", flat=True
                )
            ),
            writers=frozenset(BOTH),
        )
        for decision in ("confirm", "reject")
    ],
    custom_read(
        "user-password",
        lambda w: reverse("admin:auth_user_password_change", args=[w.users[SUPER].pk]),
        by_role(302, 403, 403, 403, 200),
    ),
    Row(
        id="admin:user-password:POST",
        method="POST",
        url=lambda w: reverse(
            "admin:auth_user_password_change", args=[w.users[SUPER].pk]
        ),
        status=by_role(302, 403, 403, 403),
        data=lambda w: {
            "password1": "a new long passphrase 9",
            "password2": "a new long passphrase 9",
        },
        snapshot=lambda w: User.objects.get(pk=w.users[SUPER].pk).password,
    ),
    *[row for model in RIGHTS for row in model_rows(model)],
    *ACTION_ROWS,
    history_revert(Article, "title", rename_article),
    *[
        history_revert(model, "description", renamed("description"))
        for model in (Outlet, Person, Topic)
    ],
    history_revert(Annotation, "note", renamed("note")),
    history_revert(Quote, "state", confirm_quote),
]

ROWS = SITE_ROWS + API_READS + API_WRITES + ADMIN_ROWS


def response_text(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(
    "row, actor", [cell for row in ROWS if row.method == "GET" for cell in row.cells()]
)
def test_read(world, row, actor):
    url = row.url(world)
    response = client_for(world, actor).get(url)
    assert response.status_code == row.status[actor], url
    if response.status_code == 302 and actor == ANON and url.startswith("/admin/"):
        assert response["Location"].startswith(row.login), response["Location"]
    text = response_text(response)
    insider = actor in row.insiders and response.status_code < 400
    for key in row.shows if insider else ():
        assert TEXT[key] in text, f"{actor} should see {key} at {url}"
    hidden = [k for k in SECRETS if k not in row.public_ok] if not insider else []
    for key in [*hidden, *row.never]:
        assert TEXT[key] not in text, f"{actor} sees {key} at {url}"
    if 200 <= response.status_code < 300 or response.status_code == 410:
        for key in row.always:
            assert TEXT[key] in text, f"{actor} should see {key} at {url}"


@pytest.mark.parametrize(
    "row, actor", [cell for row in ROWS if row.method != "GET" for cell in row.cells()]
)
def test_write(world, row, actor):
    url = row.url(world)
    data = row.data(world) if row.data else None
    client = client_for(world, actor)
    before = row.snapshot(world)
    send = getattr(client, row.method.lower())
    response = send(url, data, format="json") if row.api else send(url, data)
    assert response.status_code == row.status[actor], (
        url,
        response_text(response)[:3000],
    )
    after = row.snapshot(world)
    if actor in row.writers:
        assert after != before, f"{actor}'s {row.method} {url} changed nothing"
    else:
        assert after == before, f"{actor}'s {row.method} {url} changed the database"
    text = response_text(response)
    if actor not in INSIDERS:
        for key in SECRETS:
            assert TEXT[key] not in text, f"{actor} sees {key} at {url}"


def routes(patterns=None, prefix=""):
    """Every address pattern of the site, as Django joins them (ResolverMatch
    .route)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route


def test_every_address_is_in_the_matrix(world):
    """A new address (a view, a model in the admin, an API endpoint) fails
    here until the table says who may use it."""
    covered = {resolve(row.url(world).partition("?")[0]).route for row in ROWS}
    missing = sorted(set(routes()) - covered)
    assert not missing, "Add rows for: " + ", ".join(missing)


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, id=row.id)
        for row in SITE_ROWS + API_READS
        if not row.id.startswith("api:schema")
    ],
)
def test_cached_answers_never_cross_roles(world, settings, row):
    """With the page cache on, what a curator was shown is never served to an
    anonymous visitor, nor the anonymous answer to a curator."""
    settings.CACHE_PAGES = True
    url = row.url(world)
    curator, anonymous = client_for(world, CURATOR), client_for(world, ANON)
    for _ in range(2):
        assert curator.get(url).status_code == row.status[CURATOR]
        text = response_text(anonymous.get(url))
        for key in SECRETS:
            if key not in row.public_ok:
                assert TEXT[key] not in text, f"anon sees {key} at {url}"
    text = response_text(curator.get(url))
    for key in row.shows:
        assert TEXT[key] in text, f"the curator should see {key} at {url}"


DOC_RECORDS = {
    "Articles": [Article],
    "Outlets": [Outlet],
    "People": [Person],
    "Topics": [Topic],
    "People in articles": [ArticlePerson],
    "Topics of articles": [ArticleTopic],
    "Quotes": [Quote],
    "Annotations": [Annotation],
    "Candidate people": [CandidatePerson],
    "Stories": [Story],
    "Merge records": [MergeRecord],
    "Import batches": [ImportBatch],
    "Users, groups, tokens, login records": [
        User,
        Group,
        TokenProxy,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
    ],
}


def test_admin_rights_match_this_table():
    """docs/curating.md's admin table says what RIGHTS says."""
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "curating.md").read_text()
    words = {"view": "v", "add": "a", "change": "c", "delete": "d", "none": ""}
    documented = {}
    for line in doc.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in DOC_RECORDS:
            curator, editor = (
                "".join(words[w.strip()] for w in cell.split(",")) for cell in cells[1:]
            )
            for model in DOC_RECORDS[cells[0]]:
                documented[model] = (curator, editor)
    assert documented == {
        model: (RIGHTS[model].get(CURATOR, ""), RIGHTS[model].get(EDITOR, ""))
        for model in RIGHTS
    }
