import csv
import datetime as dt
import json

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import search
from ..cache import CachedReadsMixin, cached_read
from ..models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Quote,
    Tombstone,
    Topic,
)
from ..search import PUBLISHED, Question
from . import serializers as s
from .filters import ApiArticleFilter, StrictFilterBackend
from .pagination import Key, Source
from .permissions import sees_drafts

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated fields to return (default: all), e.g. "
    "`id,title,published_at`.",
)
BY_ID = [Key("id")]
CONFIRMED = {"state": LinkState.CONFIRMED}


class FieldsMixin:
    """`fields=a,b`: only those fields; an unknown name is a 400 naming it."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        raw = self.request.query_params.get("fields") if self.request else None
        if raw and self.request.method == "GET":
            wanted = [name.strip() for name in raw.split(",") if name.strip()]
            known = self.get_serializer_class()().fields
            unknown = [name for name in wanted if name not in known]
            if unknown or not wanted:
                raise ValidationError(
                    {
                        "fields": [
                            f"Unknown field(s): {', '.join(unknown) or '(none)'}. "
                            f"Choose from: {', '.join(known)}."
                        ]
                    }
                )
            context["fields"] = wanted
        return context


class KeysetById:
    def keyset(self, request, queryset):
        return "id", BY_ID, [Source(queryset, ["id"])]


class WriteMixin:
    """Answer a write with the record as a read shows it (counts included)."""

    def perform_create(self, serializer):
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        self.perform_create(serializer)


class EntityViewSet(
    CachedReadsMixin, FieldsMixin, KeysetById, WriteMixin, viewsets.ModelViewSet
):
    """Outlets, people and topics: addressed by slug, with published counts."""

    lookup_field = "slug"

    def get_queryset(self):
        return self.queryset.model.objects.with_published_counts()


class OutletViewSet(EntityViewSet):
    """Outlets: the publishers the archive collects from."""

    serializer_class = s.OutletSerializer
    queryset = Outlet.objects.all()


class PersonViewSet(EntityViewSet):
    """People the coverage names, quotes or is written by."""

    serializer_class = s.PersonSerializer
    queryset = Person.objects.all()


class TopicViewSet(EntityViewSet):
    """Topics articles are tagged with, in a hierarchy up to three deep."""

    serializer_class = s.TopicSerializer
    queryset = Topic.objects.all()

    def get_queryset(self):
        return super().get_queryset().select_related("parent")


class PassageViewSet(
    CachedReadsMixin, FieldsMixin, KeysetById, WriteMixin, viewsets.ModelViewSet
):
    def get_queryset(self):
        queryset = self.model.objects.select_related("article", *self.related)
        if sees_drafts(self.request.user):
            return queryset
        return queryset.filter(
            article__status=Article.Status.PUBLISHED, **self.public_filter
        )


class QuoteViewSet(PassageViewSet):
    """Quoted speech, located in the article body by character offsets. The
    public sees confirmed quotes of published articles."""

    model = Quote
    related = ["speaker"]
    filterset_fields = ["article", "speaker"]
    public_filter = CONFIRMED
    serializer_class = s.QuoteSerializer
    queryset = Quote.objects.all()


class AnnotationViewSet(PassageViewSet):
    """Curators' notes on articles or passages of them. The public sees public
    notes on published articles; curators also see internal ones."""

    model = Annotation
    related = []
    filterset_fields = ["article", "visibility"]
    public_filter = {"visibility": Annotation.Visibility.PUBLIC}
    serializer_class = s.AnnotationSerializer
    queryset = Annotation.objects.all()


ORDERING_KEYS = {
    "modified": [Key("updated_at", False, dt.datetime), Key("id", False)],
}
# The API's orderings as the search door names them.
SEARCH_ORDERS = {
    "-published_at": "newest",
    "published_at": "oldest",
    "relevance": "relevance",
}

LIST_PARAMETERS = [FIELDS_PARAMETER]


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Published articles (curators: every status), newest first, "
        "filtered. With `modified_since`, also tombstones of articles that left "
        "the public archive since then, all ordered by modification time.",
        parameters=LIST_PARAMETERS,
        responses={200: s.ArticleSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One article",
        parameters=[FIELDS_PARAMETER],
        responses={200: s.ArticleDetailSerializer},
    ),
    create=extend_schema(
        summary="Add an article (curators)",
        request=s.ArticleWriteSerializer,
        responses={201: s.ArticleDetailSerializer},
        examples=[
            OpenApiExample(
                "A new draft",
                request_only=True,
                value={
                    "title": "Putin and Erdoğan meet in Sochi",
                    "outlet": "tass",
                    "url": "https://tass.com/politics/1",
                    "published_at": "2021-09-29T15:00:00Z",
                    "language": "en",
                    "body": "SOCHI, September 29. /TASS/. Russian President ...",
                    "topics": ["diplomacy"],
                    "people": [{"person": "vladimir-putin", "role": "mentioned"}],
                },
            )
        ],
    ),
    update=extend_schema(
        request=s.ArticleWriteSerializer,
        responses={200: s.ArticleDetailSerializer},
    ),
    partial_update=extend_schema(
        request=s.ArticleWriteSerializer,
        responses={200: s.ArticleDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete an article (editors)"),
)
class ArticleViewSet(FieldsMixin, viewsets.ModelViewSet):
    """Articles: the archive's coverage."""

    filterset_class = ApiArticleFilter
    queryset = Article.objects.all()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.ArticleWriteSerializer
        if self.action == "list":
            return s.ArticleSerializer
        return s.ArticleDetailSerializer

    def get_queryset(self):
        queryset = Article.objects.select_related("outlet")
        if not sees_drafts(self.request.user):
            queryset = queryset.published()
        if self.action == "list":
            return queryset.for_listing().prefetch_related(authors_prefetch())
        if self.action == "retrieve":
            return queryset.prefetch_related(*detail_prefetches(self.request.user))
        return queryset

    def filter_queryset(self, queryset):
        # A list is found by the search door (list, export, keyset); one
        # article is looked up by its id alone.
        return queryset

    def asked(self, request) -> ApiArticleFilter:
        """The request's filters, validated (a 400 names what is wrong)."""
        params = request.query_params
        if params.get("role") and not params.get("person"):
            raise ValidationError(
                {"role": ["A role narrows a person filter; give person too."]}
            )
        if "status" in params and not sees_drafts(request.user):
            raise ValidationError(
                {
                    "status": [
                        "Only curators can filter by status; the public sees "
                        "published articles only."
                    ]
                }
            )
        backend = StrictFilterBackend()
        filterset = backend.get_filterset(request, Article.objects.none(), self)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset

    def question(self, filterset) -> Question:
        """What the filters ask, of what the user may see: the public, the
        published articles; curators, every status (or those they name)."""
        statuses = PUBLISHED
        if sees_drafts(self.request.user):
            chosen = filterset.form.cleaned_data.get("status")
            statuses = frozenset(chosen) if chosen else None
        return filterset.question(statuses=statuses)

    def ordering(self, request) -> str:
        params = request.query_params
        searching = bool(params.get("q", "").strip())
        default = (
            "modified"
            if params.get("modified_since")
            else ("relevance" if searching else "-published_at")
        )
        ordering = params.get("ordering") or default
        if params.get("modified_since") and ordering != "modified":
            raise ValidationError(
                {
                    "ordering": [
                        "With modified_since the list is ordered by modification "
                        "time (ordering=modified), so that tombstones come in order."
                    ]
                }
            )
        if ordering == "relevance" and not searching:
            raise ValidationError(
                {"ordering": ["Order by relevance only when searching (with q)."]}
            )
        return ordering

    def keyset(self, request, queryset):
        """The sync stream (ordering=modified): articles changed since a time,
        read in modification order from the database (which orders them
        exactly, ties and all), the filters' matches kept by the search door,
        and the tombstones of articles that left the archive meanwhile."""
        filterset = self.asked(request)
        question = self.question(filterset)
        keys = ORDERING_KEYS["modified"]
        since = filterset.form.cleaned_data.get("modified_since")
        changed = self.get_queryset()
        if since is not None:
            changed = changed.filter(updated_at__gte=since)
        if question.statuses is not None:
            changed = changed.filter(status__in=question.statuses)
        keep = None
        if question.narrowed(statuses=None) != Question(statuses=None):

            def keep(rows):
                found = search.matching(question, [row.pk for row in rows])
                return [row for row in rows if row.pk in found]

        sources = [Source(changed, [k.field for k in keys], keep)]
        if since is not None:
            stones = Tombstone.objects.filter(removed_at__gte=since)
            if sees_drafts(request.user):
                stones = stones.filter(status=Tombstone.DELETED)
            else:
                stones = stones.filter(was_public=True)
            sources.append(Source(stones, ["removed_at", "article_id"]))
        return "modified", keys, sources

    @cached_read
    def list(self, request, *args, **kwargs):
        ordering = self.ordering(request)
        if ordering == "modified":
            rows = self.paginate_queryset(self.get_queryset())
        else:
            question = self.question(self.asked(request))
            order = SEARCH_ORDERS[ordering]

            def find(**page):
                return search.find(
                    question, order=order, rows=self.get_queryset(), **page
                )

            rows = self.paginator.paginate_search(request, ordering=ordering, find=find)
        context = self.get_serializer_context()
        article = s.ArticleSerializer(context=context)
        stone = s.TombstoneSerializer()
        data = [
            stone.to_representation(row)
            if isinstance(row, Tombstone)
            else article.to_representation(row)
            for row in rows
        ]
        return self.get_paginated_response(data)

    @cached_read
    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        response = Response(self.get_serializer(article).data)
        response["Last-Modified"] = http_date(article.updated_at.timestamp())
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = serializer.save()
        return Response(self.detail_data(article), status=201)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(
            self.get_object(), data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        article = serializer.save()
        return Response(self.detail_data(article))

    def detail_data(self, article):
        article = (
            Article.objects.select_related("outlet")
            .prefetch_related(*detail_prefetches(self.request.user))
            .get(pk=article.pk)
        )
        return s.ArticleDetailSerializer(
            article, context=self.get_serializer_context()
        ).data

    @extend_schema(
        summary="Export every matching article",
        description="Streams every article the filters match (not a sample), "
        "one row per article, as CSV or JSON Lines. Takes the list's filters.",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["csv", "jsonl"],
                required=True,
                description="`csv` or `jsonl`.",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
        },
    )
    @action(detail=False, pagination_class=None)
    def export(self, request, format=None):
        # format: the router's suffix (export.json), which names no export
        # format; the format parameter does.
        fmt = request.query_params.get("format")
        if fmt not in EXPORTERS:
            raise ValidationError({"format": ["Choose csv or jsonl."]})
        question = self.question(self.asked(request))
        rows = Article.objects.for_listing().prefetch_related(*export_prefetches())
        content_type, write = EXPORTERS[fmt]
        articles = exported(question, rows)
        response = StreamingHttpResponse(
            write(export_row(request, a) for a in articles), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="articles.{fmt}"'
        return response


def exported(question, rows):
    """Every article the question finds, newest first, read from the database
    a chunk of ids at a time (a stream of any length in constant memory)."""
    for chunk in search.ids(question, order="newest"):
        by_pk = rows.in_bulk(chunk)
        yield from (by_pk[pk] for pk in chunk if pk in by_pk)


def authors_prefetch():
    return Prefetch(
        "person_links",
        ArticlePerson.objects.filter(
            role=ArticlePerson.Role.AUTHOR, **CONFIRMED
        ).select_related("person"),
        to_attr="author_links",
    )


def detail_prefetches(user):
    annotations = Annotation.objects.all()
    quotes = Quote.objects.select_related("speaker")
    if not sees_drafts(user):
        annotations = annotations.filter(visibility=Annotation.Visibility.PUBLIC)
        quotes = quotes.filter(**CONFIRMED)
    return [
        authors_prefetch(),
        *export_prefetches(),
        Prefetch("quotes", quotes, to_attr="shown_quotes"),
        Prefetch("annotations", annotations, to_attr="shown_annotations"),
    ]


def export_prefetches():
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


TIME = serializers.DateTimeField()  # the API's own format: 2021-09-29T15:00:00Z
EXPORT_COLUMNS = [
    "id",
    "title",
    "outlet",
    "outlet_slug",
    "url",
    "published_at",
    "language",
    "authors",
    "topics",
    "people",
    "web_url",
]


def export_row(request, article) -> dict:
    people = article.confirmed_people
    return {
        "id": article.pk,
        "title": article.title,
        "outlet": article.outlet.name,
        "outlet_slug": article.outlet.slug,
        "url": article.url,
        "published_at": TIME.to_representation(article.published_at)
        if article.published_at
        else None,
        "language": article.language,
        "authors": [
            p.person.name for p in people if p.role == ArticlePerson.Role.AUTHOR
        ],
        "topics": [link.topic.slug for link in article.confirmed_topics],
        "people": [f"{p.person.slug}:{p.role}" for p in people],
        "web_url": request.build_absolute_uri(article.get_absolute_url()),
    }


class _Line:
    def write(self, value):
        return value


# A spreadsheet runs a cell that begins with one of these as a formula
# (=HYPERLINK(...), say); an apostrophe in front makes it text (OWASP's advice
# on CSV injection). JSON Lines keeps every value exactly.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows):
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row.values()])


def write_jsonl(rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


EXPORTERS = {
    "csv": ("text/csv; charset=utf-8", write_csv),
    "jsonl": ("application/x-ndjson; charset=utf-8", write_jsonl),
}
