"""The export of articles as CSV and JSON Lines: one row per article, its columns
defined here once for every surface that exports (the API's
/api/v1/articles/export/, and the public site's "export this view").

A row has the same names and values as the article in the API's detail, less
what an export has no use for (quotes, notes, provenance): `outlet`, `people` and
`topics` are objects there and in JSON Lines. CSV, which has no objects, flattens
them by one rule: an object becomes one column per field (`outlet.slug`,
`outlet.name`, `outlet.country`), and a list one cell whose items are joined by
"; " (a person as "Name (role)", a topic as its name). docs/api.md#export shows
the columns.
"""

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from . import search
from .models import Article, ArticlePerson, ArticleTopic, LinkState, Outlet

CONFIRMED = {"state": LinkState.CONFIRMED}
TIME = serializers.DateTimeField()  # the API's own format: 2021-09-29T15:00:00Z


class Times:
    """Times written as TIME writes them, the time zone read once (for an
    export), not for each time: DRF's field asks for the current zone every
    call, a seventh of an export's time."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.iso = api_settings.DATETIME_FORMAT.lower() == ISO_8601

    def __call__(self, moment) -> str | None:
        if not moment:
            return None
        if not self.iso:
            return TIME.to_representation(moment)
        text = moment.astimezone(self.zone).isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def dates(article, time=TIME.to_representation) -> dict:
    """Return an article's date fields as every read shows them.

    `published_at` is the exact time, or None when only the day is known (a
    date a curator inferred, shown on the site without a time): a day alone
    must not read as midnight. `published_date` is the UTC day of either.
    """
    moment = article.published_at
    return {
        "published_at": (
            time(moment) if moment and not article.date_inferred else None
        ),
        "published_date": moment.date().isoformat() if moment else None,
        "date_inferred": article.date_inferred,
    }


# What a row reads of the article itself; its outlet, people and topics are
# read as plain values, a chunk of articles at a time (no model instances for
# them: making those took most of an export's time).
ROW_FIELDS = [
    "id",
    "outlet_id",
    "title",
    "slug",
    "url",
    "published_at",
    "date_inferred",
    "language",
    "lead",
    "body",
    "updated_at",
    "status",
]


@dataclass
class Exported:
    """One article as an export row reads it."""

    article: Article  # ROW_FIELDS only
    outlet: dict | None  # None only for a draft waiting for its outlet
    people: list[dict]
    topics: list[dict]


def found(question, *, chunk: int = 1_000) -> Iterator[Exported]:
    """Every article a search question finds, newest first (undated last),
    read a chunk of ids at a time from the search door: a stream of any length
    in constant memory. What the public may not see is never read."""
    articles = Article.objects.all()
    if question.is_public:
        articles = articles.published()
    articles = articles.only(*ROW_FIELDS)
    # Only ever added to, by one read at a time: a chunk's outlets are in it
    # before the chunk is handed over.
    outlets: dict[int, dict] = {}

    def read(ids):
        by_pk = articles.in_bulk(ids)
        wanted = {a.outlet_id for a in by_pk.values()} - outlets.keys() - {None}
        for pk, slug, name, country in Outlet.objects.filter(pk__in=wanted).values_list(
            "pk", "slug", "name", "country"
        ):
            outlets[pk] = {"slug": slug, "name": name, "country": str(country or "")}
        return ids, by_pk, *_linked(list(by_pk))

    chunks = search.ids(question, order="newest", chunk=chunk)
    for ids, by_pk, people, topics in read_ahead(read, chunks):
        for pk in ids:
            if pk in by_pk:
                article = by_pk[pk]
                yield Exported(
                    article,
                    outlets.get(article.outlet_id),
                    people.get(pk, []),
                    topics.get(pk, []),
                )


def read_ahead(read, items: Iterator) -> Iterator:
    """Yield read(item) for each item, the next one read while the caller
    writes out this one: on a thread with a database connection of its own, so
    the database's work (a third of an export's time) runs beside Python's.

    Inside a transaction (a test's, or a caller's) reads stay on this thread:
    another connection would not see what the transaction wrote."""
    if connection.in_atomic_block:
        yield from map(read, items)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as reader:
        try:
            pending = None
            for item in items:
                following = reader.submit(read, item)
                if pending is not None:
                    yield pending.result()
                pending = following
            if pending is not None:
                yield pending.result()
        finally:
            # Also when the client goes away mid-stream: the reader's
            # connection is its thread's own, closed there.
            reader.submit(connections.close_all).result()


def _linked(ids) -> tuple[dict[int, list], dict[int, list]]:
    """The confirmed people and topics of these articles, in the order
    prefetches() gives them."""
    people, topics = defaultdict(list), defaultdict(list)
    person_links = (
        ArticlePerson.objects.filter(article_id__in=ids, **CONFIRMED)
        .order_by("article_id", "role", "person__name")
        .values_list("article_id", "person__slug", "person__name", "role")
    )
    for pk, *columns in person_links:
        people[pk].append(person_column(*columns))
    topic_links = (
        ArticleTopic.objects.filter(article_id__in=ids, **CONFIRMED)
        .order_by("article_id", "topic__name")
        .values_list("article_id", "topic__slug", "topic__name")
    )
    for pk, *columns in topic_links:
        topics[pk].append(topic_column(*columns))
    return people, topics


def prefetches():
    """Return what a row reads besides the article and its outlet (joined):
    its confirmed people and topics, in a fixed order."""
    return [
        Prefetch(
            "person_links",
            ArticlePerson.objects.filter(**CONFIRMED)
            .select_related("person")
            .order_by("role", "person__name"),
            to_attr="confirmed_people",
        ),
        Prefetch(
            "topic_links",
            ArticleTopic.objects.filter(**CONFIRMED)
            .select_related("topic")
            .order_by("topic__name"),
            to_attr="confirmed_topics",
        ),
    ]


def person_column(slug, name, role) -> dict:
    return {"person": slug, "name": name, "role": role}


def topic_column(slug, name) -> dict:
    return {"slug": slug, "name": name}


def people(article) -> list[dict]:
    return [
        person_column(link.person.slug, link.person.name, link.role)
        for link in article.confirmed_people
    ]


def topics(article) -> list[dict]:
    return [
        topic_column(link.topic.slug, link.topic.name)
        for link in article.confirmed_topics
    ]


class OutletColumnsSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2, or empty.")


class PersonColumnSerializer(serializers.Serializer):
    person = serializers.CharField(help_text="The person's slug.")
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=ArticlePerson.Role.choices)


class TopicColumnSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ExportRowSerializer(serializers.Serializer):
    """One exported article (a line of JSON Lines; CSV flattens it). The fields
    declared here are the columns, in order; `to_representation` builds the row
    directly, for speed, and the tests hold it to these declarations."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    outlet = OutletColumnsSerializer()
    published_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The exact time in UTC; null when undated or when only the day "
        "is known (date_inferred).",
    )
    published_date = serializers.DateField(
        allow_null=True, help_text="The day of publication (UTC); null if undated."
    )
    date_inferred = serializers.BooleanField(
        help_text="A curator inferred the date from the text; only the day is known."
    )
    language = serializers.CharField()
    lead = serializers.CharField()
    body = serializers.CharField()
    people = PersonColumnSerializer(many=True, help_text="Confirmed people.")
    topics = TopicColumnSerializer(many=True, help_text="Confirmed topics.")
    url = serializers.CharField(
        help_text="The canonical URL at the outlet; empty when unknown."
    )
    web_url = serializers.URLField(help_text="The permalink on the public site.")
    modified_at = serializers.DateTimeField()
    status = serializers.CharField(
        help_text="Always `published` for the public; curators export any status."
    )

    def to_representation(self, exported: Exported):
        article = exported.article
        return {
            "id": article.pk,
            "title": article.title,
            # None only for a draft waiting for its outlet (staff exports).
            "outlet": exported.outlet,
            **dates(article, self.context["time"]),
            "language": article.language,
            "lead": article.lead,
            "body": article.body,
            "people": exported.people,
            "topics": exported.topics,
            "url": article.url,
            "web_url": self.context["permalink"](article),
            "modified_at": self.context["time"](article.updated_at),
            "status": article.status,
        }


def columns() -> list[str]:
    """Return the CSV header: the row's fields, objects flattened."""
    names = []
    for name, field in ExportRowSerializer().fields.items():
        if isinstance(field, serializers.Serializer):
            names += [f"{name}.{sub}" for sub in field.fields]
        else:
            names.append(name)
    return names


class Permalinks:
    """Articles' absolute permalinks, made by filling in their two addresses
    (dated, undated) reversed once per export, not by reverse() for each
    row (a fifth of an export's time). A slug outside the alphabet of the
    addresses' slugs takes the long way (and fails there, as it always did)."""

    SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
    DAY = {"year": 1111, "month": "11", "day": "11"}

    def __init__(self, absolute):
        """absolute(path): the address with scheme and host (a request's
        build_absolute_uri)."""
        self.absolute = absolute
        dated = absolute(
            reverse("articles:article-detail", kwargs={**self.DAY, "slug": "s"})
        )
        undated = absolute(reverse("articles:article-undated", kwargs={"slug": "s"}))
        self.dated = dated.rsplit("/1111/11/11/s/", 1)
        self.undated = undated.rsplit("/s/", 1)

    def __call__(self, article) -> str:
        if not self.SLUG.match(article.slug) or len(self.dated) != 2:
            return self.absolute(article.get_absolute_url())
        if article.published_at is None:
            return f"{self.undated[0]}/{article.slug}/{self.undated[1]}"
        day = article.published_at.astimezone(dt.UTC)
        before, after = self.dated
        return (
            f"{before}/{day.year}/{day.month:02d}/{day.day:02d}/{article.slug}/{after}"
        )


def rows(exported, *, permalink):
    """Yield the export rows of articles (as found() reads them);
    permalink(article) gives the absolute page URL."""
    row = ExportRowSerializer(context={"permalink": permalink, "time": Times()})
    for item in exported:
        yield row.to_representation(item)


# A spreadsheet runs a cell that begins with one of these as a formula
# (=HYPERLINK(...), say); an apostrophe in front makes it text (OWASP's advice
# on CSV injection). JSON Lines keeps every value exactly.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    # Most cells are text: asked first, as the type itself (a cell is written
    # for each of an export's columns and rows).
    if value.__class__ is str:
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return _cell("; ".join(_item(item) for item in value))
    if isinstance(value, str):
        return _cell(str(value))
    return value


def _item(item) -> str:
    if "role" in item:
        return f"{item['name']} ({item['role']})"
    return item["name"]


def _flat(row: dict) -> list:
    cells = []
    for value in row.values():
        if isinstance(value, dict):
            cells += [_cell(v) for v in value.values()]
        else:
            cells.append(_cell(value))
    return cells


# Rows a streamed export sends at a time: each piece of a streaming response
# costs a trip through the server's layers, which a row at a time made a
# third of a CSV export's time.
ROWS_PER_PIECE = 100


def write_csv(rows):
    lines = [_csv_line(columns())]
    for row in rows:
        lines.append(_csv_line(_flat(row)))
        if len(lines) == ROWS_PER_PIECE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _csv_line(cells) -> str:
    """A record as csv.writer writes it (the excel dialect: quoted only when
    it must be, quotes doubled, CRLF after it), four times as fast for an
    export's long bodies: str.replace and `in` go through a body at memory
    speed, the csv module a character at a time."""
    return ",".join(map(_csv_field, cells)) + "\r\n"


def _csv_field(value) -> str:
    if value.__class__ is not str:
        value = "" if value is None else str(value)
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def write_jsonl(rows):
    lines = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False))
        if len(lines) == ROWS_PER_PIECE:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


FORMATS = {
    "csv": ("text/csv; charset=utf-8", write_csv),
    "jsonl": ("application/x-ndjson; charset=utf-8", write_jsonl),
}
