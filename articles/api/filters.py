"""The API's article filters: the public site's, plus what programs need."""

import datetime as dt

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from ..filters import ArticleFilter, SlugChoiceField, documented_as_slug, visible
from ..models import Annotation, Article, Person, Quote
from .errors import NoSuchRecord

ORDERINGS = {
    "-published_at": "Newest first (the default).",
    "published_at": "Oldest first.",
    "relevance": "Best match first (the default with q); without q, newest first.",
    "modified": "Least recently changed first: the order of a sync stream, so only "
    "with modified_since (its default there); without it, a 400. Other orders "
    "put a sync stream's tombstones after every dated article.",
}
NEEDS_MODIFIED_SINCE = (
    "`modified` orders a sync stream: give `modified_since` as well (an early "
    "time, such as 2000-01-01T00:00:00Z, for every article), or choose another "
    "ordering."
)


class ApiArticleForm(forms.Form):
    def clean(self):
        data = super().clean()
        # An invalid modified_since has its own error already.
        a_stream = data.get("modified_since") or "modified_since" in self.errors
        if data.get("ordering") == "modified" and not a_stream:
            self.add_error("ordering", NEEDS_MODIFIED_SINCE)
        return data


class UtcDateTimeField(forms.DateTimeField):
    """A date and time, in UTC as the database stores it. Any offset is taken,
    not only those PostgreSQL takes (within 16 hours); a time whose UTC is
    outside the years 1 to 9999 ("9999-12-31T23:59:59-12:00") bounds nothing
    and is taken as the end of the calendar."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            # A valid time whose UTC falls just outside Python's calendar
            # (0001-01-01T00:00:00+01:00): as a bound, the calendar's own end.
            edge = dt.datetime.min if moment.year == 1 else dt.datetime.max
            return edge.replace(tzinfo=dt.UTC)


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = UtcDateTimeField


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


# The largest id a record can have (a BigAutoField, settings.DEFAULT_AUTO_FIELD):
# a larger number is no id, and SQLite cannot even compare it with one.
LARGEST_ID = 2**63 - 1


class SlugFilter(django_filters.ModelChoiceFilter):
    """One record named by its slug; a slug that names none the client may see
    is a 400 naming the parameter."""

    field_class = SlugChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class ApiArticleFilter(ArticleFilter):
    published_after = DateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Published at or after this ISO 8601 time or date.",
    )
    published_before = DateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="Published before this ISO 8601 time or date.",
    )
    modified_since = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this ISO 8601 time: for keeping a copy in "
        "sync. Articles that left the public archive meanwhile come as tombstones.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Article.Status.choices,
        distinct=False,  # one row an article, as the language filter
        help_text="Curators only: articles in this status; repeat for several.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=list(ORDERINGS.items()),
        help_text="; ".join(f"`{k}`: {v}" for k, v in ORDERINGS.items()),
    )

    class Meta(ArticleFilter.Meta):
        form = ApiArticleForm

    def date_range(self, data):
        return data.get("published_after"), data.get("published_before")


EXPORT_FORMATS = {"csv": "CSV, with a header row", "jsonl": "JSON Lines"}


class ExportFilter(ApiArticleFilter):
    """The export's parameters: the list's filters and the format. Rows always
    come newest first, so there is no ordering to choose."""

    format = django_filters.ChoiceFilter(
        choices=list(EXPORT_FORMATS.items()),
        required=True,
        help_text="`csv` or `jsonl`.",
    )

    class Meta(ApiArticleFilter.Meta):
        pass


# The site's date-only range is covered by published_after/published_before.
for _filterset, _names in [
    (ApiArticleFilter, ("date_from", "date_to")),
    (ExportFilter, ("date_from", "date_to", "ordering")),
]:
    for _name in _names:
        _filterset.base_filters.pop(_name)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, stricter for programs: a typed parameter given without a
    value (`published_after=`) is a mistake to report, not a filter to drop.
    Free-text parameters (q) may be empty."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, filter_ in filterset_class.base_filters.items():
                if isinstance(filter_, django_filters.CharFilter):
                    continue
                values = request.query_params.getlist(name)
                if any(not value.strip() for value in values):
                    raise ValidationError(
                        {name: ["Give a value, or leave the parameter out."]}
                    )
        return super().get_filterset(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        filterset = self.validated(request, queryset, view)
        return queryset if filterset is None else filterset.qs

    def validated(self, request, queryset, view):
        """Return the view's filterset, valid, or refuse: a well-formed slug
        that names no outlet, person or topic the client may see is a 404
        naming the parameter (as the record's own address would be); any other
        invalid value is a 400. (Articles take it to ask the search door.)"""
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        if not filterset.is_valid():
            errors = filterset.form.errors.as_data()
            lookups = (
                django_filters.ModelChoiceFilter,
                django_filters.ModelMultipleChoiceFilter,
            )
            if all(
                isinstance(filterset.filters[name], lookups)
                and all(e.code == "invalid_choice" for e in found)
                for name, found in errors.items()
            ):
                raise NoSuchRecord(
                    {name: [str(m) for m in filterset.errors[name]] for name in errors}
                )
            raise ValidationError(filterset.errors)
        return filterset


class PassageFilter(django_filters.FilterSet):
    """The quotes or notes of one article. Any id is taken: an article the
    client may not see simply has none (a 400 for some ids and an empty list
    for others would tell which ids are drafts)."""

    article = extend_schema_field(
        {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
    )(
        IdFilter(
            field_name="article_id",
            min_value=1,
            max_value=LARGEST_ID,
            help_text="The article's id.",
        )
    )


class QuoteFilter(PassageFilter):
    speaker = documented_as_slug(
        SlugFilter(
            queryset=visible(Person),
            help_text="The speaker's slug (as quotes give it).",
        )
    )

    class Meta:
        model = Quote
        fields = []


class AnnotationFilter(PassageFilter):
    visibility = django_filters.ChoiceFilter(
        choices=Annotation.Visibility.choices,
        help_text="`public`, or `internal` (curators' own notes, which only "
        "curators see).",
    )

    class Meta:
        model = Annotation
        fields = []
