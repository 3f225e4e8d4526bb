"""The API's article filters: the public site's, plus what programs need."""

import datetime as dt

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from ..filters import ArticleFilter
from ..models import Article

ORDERINGS = {
    "-published_at": "Newest first (the default).",
    "published_at": "Oldest first.",
    "relevance": "Best match first; only with q (and the default with q).",
    "modified": "Least recently changed first; the default with modified_since.",
}


class UtcDateTimeField(forms.DateTimeField):
    """A date and time, in UTC as the database stores it. One that does not
    exist there ("9999-12-31T23:59:59-12:00" is in the year 10000) is an
    error; any offset is taken, not only those PostgreSQL takes (within 16
    hours)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "This time falls outside the years 1 to 9999 in UTC.",
                code="out_of_range",
            ) from None


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = UtcDateTimeField


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
        pass

    def date_range(self, data):
        return data.get("published_after"), data.get("published_before")


# The site's date-only range is covered by published_after/published_before.
for _name in ("date_from", "date_to"):
    ApiArticleFilter.base_filters.pop(_name)


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
