"""The API's viewsets: what each endpoint reads and writes, which parameters it
takes, and which records each client may see (the models' published() and
public(), or everything for curators)."""

import datetime as dt

from django.db.models import DateTimeField, Prefetch, Value
from django.http import Http404, StreamingHttpResponse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .. import export, search
from ..cache import CachedReadsMixin, cached_read
from ..export import ExportRowSerializer
from ..filters import SLUG
from ..models import (
    Annotation,
    Article,
    ArticlePerson,
    LinkState,
    Outlet,
    Person,
    Quote,
    Tombstone,
    Topic,
)
from ..parameters import filter_parameters, parameter_errors
from ..search import PUBLISHED, Question
from ..workflow import sees_drafts
from . import serializers as s
from .errors import Gone
from .filters import (
    AnnotationFilter,
    ApiArticleFilter,
    ExportFilter,
    QuoteFilter,
    StrictFilterBackend,
)
from .pagination import Key, Source

BY_ID = [Key("id")]
CONFIRMED = {"state": LinkState.CONFIRMED}
PAGINATION_PARAMETERS = {"cursor", "page_size"}


class DeclaredParametersMixin:
    """Take only the query parameters this operation declares, each as often
    as it may come: any other is a 400 naming it (articles.parameters), never
    silently ignored. What is declared comes from the same places as the
    schema's parameters: the action's FilterSet, the paginator, `fields=`."""

    def declared_parameters(self) -> tuple[set[str], set[str]]:
        """Return the names the current action takes, and those that repeat."""
        known, repeatable = set(), set()
        if self.action in ("list", "export"):
            filterset = self.get_filterset_class()
            if filterset is not None:
                known, repeatable = filter_parameters(filterset)
        if self.action == "list" and self.pagination_class is not None:
            known |= PAGINATION_PARAMETERS
        if self.takes_fields():
            known.add("fields")
        return known, repeatable

    def get_filterset_class(self):
        return getattr(self, "filterset_class", None)

    def takes_fields(self) -> bool:
        return self.action in ("list", "retrieve") and issubclass(
            self.get_serializer_class(), s.FieldsMixin
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "OPTIONS" or self.action is None:
            return  # no such operation: the 405 says so
        known, repeatable = self.declared_parameters()
        errors = parameter_errors(
            request.query_params, known=known, repeatable=repeatable
        )
        if errors:
            raise ValidationError(errors)


class FieldsMixin:
    """`fields=a,b`: only those fields; an unknown name is a 400 naming it."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        raw = self.request.query_params.get("fields") if self.request else None
        if raw is not None and self.takes_fields():
            wanted = [name.strip() for name in raw.split(",") if name.strip()]
            known = self.get_serializer_class().selectable_fields()
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


class ArchiveViewSet(DeclaredParametersMixin, FieldsMixin, viewsets.ModelViewSet):
    pass


class EntityViewSet(CachedReadsMixin, KeysetById, WriteMixin, ArchiveViewSet):
    """Outlets, people and topics: addressed by slug, with published counts.
    The public sees those with published articles (the models' public())."""

    lookup_field = "slug"
    # Only a slug can name one: anything else (a NUL byte, which PostgreSQL
    # cannot compare) is no address, a 404 before the database is asked.
    lookup_value_regex = SLUG.strip("^$")

    def get_queryset(self):
        entities = self.queryset.model.objects.with_published_counts()
        if self.request.method in SAFE_METHODS and not sees_drafts(self.request.user):
            entities = entities.public()
        return entities


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


class PassageViewSet(CachedReadsMixin, KeysetById, WriteMixin, ArchiveViewSet):
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = self.model.objects.select_related("article", *self.related)
        if sees_drafts(self.request.user):
            return queryset
        return queryset.public()


class QuoteViewSet(PassageViewSet):
    """Quoted speech, located in the article body by character offsets. The
    public sees confirmed quotes of published articles."""

    model = Quote
    related = ["speaker"]
    filterset_class = QuoteFilter
    serializer_class = s.QuoteSerializer
    queryset = Quote.objects.all()


class AnnotationViewSet(PassageViewSet):
    """Curators' notes on articles or passages of them. The public sees public
    notes on published articles; curators also see internal ones."""

    model = Annotation
    related = []
    filterset_class = AnnotationFilter
    serializer_class = s.AnnotationSerializer
    queryset = Annotation.objects.all()


ORDERING_KEYS = {
    "-published_at": [
        Key("published_at", True, dt.datetime, nullable=True),
        Key("id", True),
    ],
    "published_at": [
        Key("published_at", False, dt.datetime, nullable=True),
        Key("id", False),
    ],
    "modified": [Key("updated_at", False, dt.datetime), Key("id", False)],
}

# What each field of a list row reads of the article, besides its id (a
# list asked for `fields=id,title` reads two columns).
LIST_COLUMNS = {
    "web_url": ("slug", "published_at"),
    "title": ("title",),
    "slug": ("slug",),
    "outlet": ("outlet",),
    "url": ("url",),
    "published_at": ("published_at", "date_inferred"),
    "published_date": ("published_at", "date_inferred"),
    "date_inferred": ("date_inferred",),
    "dateline": ("dateline",),
    "language": ("language",),
    "lead": ("lead",),
    "word_count": ("word_count",),
    "status": ("status",),
    "version": ("version",),
    "modified_at": ("updated_at",),
}

# The API's orderings as the search door names them.
SEARCH_ORDERS = {
    "-published_at": "newest",
    "published_at": "oldest",
    "relevance": "relevance",
}

# Tombstones in a sync stream ordered by date sort after every article, as
# undated articles do in a date order (by id among them).
AFTER_EVERY_ARTICLE = Value(None, output_field=DateTimeField())

ARTICLE_ROW = PolymorphicProxySerializer(
    component_name="ArticleRow",
    serializers={"article": s.ArticleSerializer, "tombstone": s.TombstoneSerializer},
    resource_type_field_name="kind",
    many=True,
)
# The POST example, valid against the demo collection (tests/test_api_schema.py
# sends it).
NEW_DRAFT = {
    "title": "Putin and Erdoğan meet in Sochi",
    "outlet": "tass",
    "url": "https://tass.com/politics/1",
    "published_at": "2021-09-29T15:00:00Z",
    "language": "en",
    "body": "SOCHI, September 29. /TASS/. Russian President Vladimir Putin said "
    "the talks with Turkish President Recep Tayyip Erdoğan were useful.",
    "topics": ["russia-turkey-relations"],
    "people": [
        {"person": "vladimir-putin", "role": "quoted"},
        {"person": "recep-tayyip-erdogan", "role": "mentioned"},
    ],
}


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Published articles (curators: every status), newest first, "
        "filtered. With `modified_since`, also tombstones of articles that left "
        "the public archive since then (`kind` tells them apart), ordered by "
        "modification time unless `ordering` says otherwise.",
        responses={200: ARTICLE_ROW},
    ),
    retrieve=extend_schema(
        summary="One article",
        responses={200: s.ArticleDetailSerializer},
    ),
    create=extend_schema(
        summary="Add an article (curators)",
        request=s.ArticleWriteSerializer,
        responses={201: s.ArticleDetailSerializer},
        examples=[OpenApiExample("A new draft", request_only=True, value=NEW_DRAFT)],
    ),
    update=extend_schema(
        request=s.ArticleUpdateSerializer,
        responses={200: s.ArticleDetailSerializer},
    ),
    partial_update=extend_schema(
        request=s.ArticleUpdateSerializer,
        responses={200: s.ArticleDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete an article (editors)"),
)
class ArticleViewSet(ArchiveViewSet):
    """Articles: the archive's coverage."""

    queryset = Article.objects.all()
    lookup_value_regex = "[0-9]+"

    def get_filterset_class(self):
        return ExportFilter if self.action == "export" else ApiArticleFilter

    @property
    def filterset_class(self):
        return self.get_filterset_class()

    def get_serializer_class(self):
        if self.action == "create":
            return s.ArticleWriteSerializer
        if self.action in ("update", "partial_update"):
            return s.ArticleUpdateSerializer
        if self.action == "list":
            return s.ArticleSerializer
        return s.ArticleDetailSerializer

    def get_queryset(self):
        queryset = Article.objects.select_related("outlet")
        if not sees_drafts(self.request.user):
            queryset = queryset.published()
        if self.action == "list":
            queryset = queryset.for_listing()
            if "authors" in self.listed_fields():
                queryset = queryset.prefetch_related(authors_prefetch())
            return queryset
        if self.action == "retrieve":
            return queryset.prefetch_related(*detail_prefetches(self.request.user))
        return queryset

    def listed_fields(self) -> list[str]:
        """The fields a list's rows show: those `fields=` names, else all."""
        return self.get_serializer_context().get(
            "fields", s.ArticleSerializer.Meta.fields
        )

    def found_rows(self):
        """The rows a search's page is read from: with `fields=`, only the
        columns (and the outlet, the authors) those fields show."""
        queryset = self.get_queryset()
        wanted = self.get_serializer_context().get("fields")
        if wanted is None:
            return queryset
        if "outlet" not in wanted:
            queryset = queryset.select_related(None)
        columns = {column for name in wanted for column in LIST_COLUMNS.get(name, ())}
        return queryset.only("id", *columns)

    def filter_queryset(self, queryset):
        # A list is found by the search door (list, export, the sync stream's
        # filters); one article is looked up by its id alone.
        return queryset

    def asked(self, request) -> ApiArticleFilter:
        """The request's filters, valid: an unknown slug is a 404, any other
        invalid value a 400, and the status filter is for curators only."""
        if "status" in request.query_params and not sees_drafts(request.user):
            raise PermissionDenied(
                "Only curators can filter by status; the public sees published "
                "articles only."
            )
        return StrictFilterBackend().validated(request, Article.objects.none(), self)

    def question(self, filterset) -> Question:
        """What the filters ask, of what the user may see: the public, the
        published articles (Article.objects.published()); curators, every
        status, or those they name."""
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
        if ordering == "relevance" and not searching:
            return "-published_at"  # no search: all equally relevant, newest first
        return ordering

    def keyset(self, request, queryset):
        """The sync stream (modified_since): articles changed since a time,
        read from the database in the order asked for (modification time by
        default; a stream of changes has no relevance, which reads as newest
        first), exactly, ties and all; the filters' matches kept by the search
        door, a batch of rows at a time; and the tombstones of articles that
        left the archive meanwhile."""
        filterset = self.asked(request)
        question = self.question(filterset)
        ordering = self.ordering(request)
        if ordering == "relevance":
            ordering = "-published_at"
        keys = ORDERING_KEYS[ordering]
        since = filterset.form.cleaned_data["modified_since"]
        changed = self.get_queryset().filter(updated_at__gte=since)
        if question.statuses is not None:
            changed = changed.filter(status__in=question.statuses)
        keep = None
        if question.narrowed(statuses=None) != Question(statuses=None):

            def keep(rows):
                found = search.matching(question, [row.pk for row in rows])
                return [row for row in rows if row.pk in found]

        sources = [Source(changed, [k.field for k in keys], keep)]
        stones = Tombstone.objects.filter(removed_at__gte=since)
        if sees_drafts(request.user):
            stones = stones.filter(status=Tombstone.DELETED)
        else:
            stones = stones.filter(was_public=True)
        if ordering == "modified":
            sources.append(Source(stones, ["removed_at", "article_id"]))
        else:
            stones = stones.annotate(after=AFTER_EVERY_ARTICLE)
            sources.append(Source(stones, ["after", "article_id"]))
        return ordering, keys, sources

    @cached_read
    def list(self, request, *args, **kwargs):
        if request.query_params.get("modified_since"):
            rows = self.paginate_queryset(self.get_queryset())
        else:
            question = self.question(self.asked(request))
            ordering = self.ordering(request)
            order = SEARCH_ORDERS[ordering]

            def find(**page):
                return search.find(
                    question, order=order, rows=self.found_rows(), **page
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
        try:
            article = self.get_object()
        except Http404:
            self.refuse_withdrawn()
            raise
        response = Response(self.get_serializer(article).data)
        response["Last-Modified"] = http_date(article.updated_at.timestamp())
        return response

    def refuse_withdrawn(self):
        """Answer 410 for a withdrawn article, as its page on the site does,
        with the reason readers see there."""
        if self.request.method not in SAFE_METHODS:
            return
        withdrawn = (
            Article.objects.filter(
                pk=self.kwargs["pk"], status=Article.Status.WITHDRAWN
            )
            .values_list("withdrawal_reason", flat=True)
            .first()
        )
        if withdrawn is not None:
            raise Gone(
                "This article was withdrawn from the archive"
                + (f": {withdrawn}" if withdrawn else ".")
            )

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
        "one row per article, newest first, as CSV or JSON Lines. Takes the "
        "list's filters. The schema shows one row; JSON Lines sends one per line, "
        "and CSV flattens it (docs/api.md#export).",
        filters=True,
        responses={
            (200, "application/x-ndjson"): ExportRowSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    @action(detail=False, pagination_class=None)
    def export(self, request, format=None):
        # format: the router's suffix (export.json), which names no export
        # format; the format parameter does.
        question = self.question(self.asked(request))
        fmt = request.query_params["format"]  # required by ExportFilter
        articles = export.found(question)
        content_type, write = export.FORMATS[fmt]
        response = StreamingHttpResponse(
            write(
                export.rows(
                    articles, permalink=export.Permalinks(request.build_absolute_uri)
                )
            ),
            content_type=content_type,
        )
        response["Content-Disposition"] = f'attachment; filename="articles.{fmt}"'
        return response


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
        annotations = annotations.public()
        quotes = quotes.public()
    return [
        authors_prefetch(),
        *export.prefetches(),
        Prefetch("quotes", quotes, to_attr="shown_quotes"),
        Prefetch("annotations", annotations, to_attr="shown_annotations"),
    ]
