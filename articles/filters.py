"""Filters over published articles, shared by the public list and the API."""

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field

from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Topic,
)
from .text import strip_control_characters
from .workflow import sees_drafts

# What a slug and a language or country code look like: the filters check a
# value against these before looking it up, and the API schema states them.
SLUG = r"^[-a-zA-Z0-9_]+$"
CODE = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
CODE_LENGTH = (2, 35)


def documented_as_slug(filter_):
    """Describe the filter in the API schema as a slug (not a database id)."""
    schema = {"type": "string", "pattern": SLUG}
    schema["description"] = filter_.extra["help_text"]
    return extend_schema_field(schema)(filter_)


def documented_as_code(filter_):
    """Describe the filter in the API schema as a language or country code:
    any well-formed one is taken, and one no article has finds nothing."""
    low, high = CODE_LENGTH
    schema = {"type": "string", "pattern": CODE, "minLength": low, "maxLength": high}
    schema["description"] = filter_.extra["help_text"]
    return extend_schema_field(schema)(filter_)


def visible(model):
    """Return the records of model a request's filters may name: the public
    ones (model.objects.public()), or every one for curators and editors. The
    site's lists pass no request: the public's."""

    def records(request):
        if request is not None and sees_drafts(getattr(request, "user", None)):
            return model.objects.all()
        return model.objects.public()

    return records


class SlugLookupMixin:
    """Refuse a value that cannot be a slug before the database sees it (a NUL
    byte in a query was a 500 on PostgreSQL), and say which kind of record a
    well-formed slug names none of."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.queryset is not None:
            kind = self.queryset.model._meta.verbose_name
            self.error_messages["invalid_choice"] = (
                f"No {kind} has the slug “%(value)s”."
            )

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item not in self.empty_values and not re.fullmatch(SLUG, str(item)):
                raise forms.ValidationError(
                    f"“{strip_control_characters(str(item))}” is not a slug: "
                    "letters, digits, hyphens and underscores only.",
                    code="invalid_slug",
                )
        return super().clean(value)


class SlugChoiceField(SlugLookupMixin, django_filters.fields.ModelChoiceField):
    pass


class SlugsChoiceField(SlugLookupMixin, django_filters.fields.ModelMultipleChoiceField):
    pass


class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable slug parameter (?topic=syria&topic=idlib); an unknown slug is an
    error naming the parameter, never silently ignored."""

    field_class = SlugsChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("method", "filter_by_slugs")
        super().__init__(*args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    """Narrow a queryset of published articles.

    Several outlets, languages or countries widen the search (any of them);
    several topics or people narrow it (all of them), as adding a facet should.
    """

    q = extend_schema_field(
        {
            "type": "string",
            "maxLength": 500,
            "description": 'Words, "a phrase", alternatives with or, -excluded '
            "words; at most 500 characters.",
        }
    )(
        django_filters.CharFilter(
            method="filter_q",
            max_length=500,
            label="Search",
            help_text='Words, "a phrase", alternatives with or, -excluded words.',
        )
    )
    outlet = documented_as_slug(
        SlugsFilter(
            field_name="outlet__slug",
            method=None,
            distinct=False,  # see language
            queryset=visible(Outlet),
            help_text="Outlet slug; repeat for any of several.",
        )
    )
    topic = documented_as_slug(
        SlugsFilter(
            queryset=visible(Topic),
            help_text="Topic slug; repeat for all of several.",
        )
    )
    person = documented_as_slug(
        SlugsFilter(
            queryset=visible(Person),
            help_text="Person slug; repeat for all of several.",
        )
    )
    role = django_filters.ChoiceFilter(
        choices=ArticlePerson.Role.choices,
        method="filter_role",
        help_text="Articles naming someone in this role; with person, articles "
        "where they have it.",
    )
    # No DISTINCT: each row is one article (these are its own or its outlet's
    # columns), and SELECT DISTINCT over a page's columns made PostgreSQL
    # sort every match before the page (100 ms for a year of one language).
    language = documented_as_code(
        django_filters.MultipleChoiceFilter(
            field_name="language",
            distinct=False,
            choices=[],
            help_text="BCP 47 language tag; repeat for any of several.",
        )
    )
    country = documented_as_code(
        django_filters.MultipleChoiceFilter(
            field_name="outlet__country",
            distinct=False,
            choices=[],
            help_text="The outlet's country (ISO 3166-1 alpha-2); repeat for any.",
        )
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from", help_text="Published on or after (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", help_text="Published on or before (YYYY-MM-DD)."
    )

    class Meta:
        model = Article
        fields = []

    def __init__(self, data=None, *args, by_link=False, **kwargs):
        # by_link: a list ordered by ArticleQuerySet.newest_first (the site's
        # pages and feeds, not the API's cursors) may be chosen from a topic's
        # or person's links, newest first (ArticleQuerySet.linked_to).
        self.by_link = by_link
        # A form submits its empty fields (language=&country=); they mean "any".
        if data is not None:
            data = data.copy()
            for key in list(data.keys()):
                values = [v for v in data.getlist(key) if v.strip()]
                if values:
                    data.setlist(key, values)
                else:
                    del data[key]
        super().__init__(data, *args, **kwargs)
        # Any well-formed code is accepted: an unknown one simply finds nothing.
        for name in ("language", "country"):
            self.filters[name].extra["choices"] = _free_choices(self.data, name)
            # A form field built earlier (the API schema builds one) would keep
            # its old choices; build it afresh from these.
            self.filters[name].__dict__.pop("_field", None)
        for name in ("date_from", "date_to"):
            if name in self.filters:
                self.filters[name].extra["widget"] = forms.DateInput(
                    attrs={"type": "date"}
                )

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_role(self, queryset, name, value):
        if self.form.cleaned_data.get("person"):
            return queryset  # filter_by_slugs asks for the role of each person
        links = ArticlePerson.objects.filter(
            article=OuterRef("pk"), role=value, state=LinkState.CONFIRMED
        )
        return queryset.filter(Exists(links))

    def filter_by_slugs(self, queryset, name, values):
        role = self.form.cleaned_data.get("role") if name == "person" else None
        for value in values:
            # A search finds its rows from the text index instead.
            if self.by_link and not self.is_searching and not queryset.is_linked():
                queryset = queryset.linked_to(value, role=role)
                continue
            if name == "topic":
                links = ArticleTopic.objects.filter(topic=value)
            else:
                links = ArticlePerson.objects.filter(person=value)
                if role:
                    links = links.filter(role=role)
            links = links.filter(article=OuterRef("pk"), state=LinkState.CONFIRMED)
            queryset = queryset.filter(Exists(links))
        return queryset

    # Dates narrow the links' copy where the links chose the rows: one range of
    # their index.
    def filter_date_from(self, queryset, name, value):
        date = queryset.listed_at().name
        return queryset.filter(**{f"{date}__gte": _midnight(value)})

    def filter_date_to(self, queryset, name, value):
        date = queryset.listed_at().name
        if value == dt.date.max:  # no day after it: every dated article
            return queryset.filter(**{f"{date}__isnull": False})
        day_after = _midnight(value + dt.timedelta(days=1))
        return queryset.filter(**{f"{date}__lt": day_after})

    @property
    def is_searching(self) -> bool:
        return bool(self.form.is_valid() and self.form.cleaned_data.get("q"))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _free_choices(data, name) -> list[tuple[str, str]]:
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [(v, v) for v in values if _looks_like_code(v)]


def _looks_like_code(value: str) -> bool:
    low, high = CODE_LENGTH
    return low <= len(value) <= high and bool(re.fullmatch(CODE, value))
