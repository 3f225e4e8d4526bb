"""The parameters of an article list, shared by the public site and the API.

A FilterSet defines and validates them (and documents them in the API's
schema), but it filters nothing itself: `question()` turns the valid values
into a search Question, and the search door (articles.search) finds the
articles. A list of articles has one way to be narrowed.
"""

import datetime as dt
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf.locale import LANG_INFO
from django.db.models import QuerySet
from django_countries import countries
from drf_spectacular.utils import extend_schema_field

from .models import Article, ArticlePerson, Outlet, Person, Topic
from .search import PUBLISHED, Question, parse
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

    public = None

    def records(request):
        nonlocal public
        if request is not None and sees_drafts(getattr(request, "user", None)):
            return model.objects.all()
        # public() builds its EXISTS subquery anew each time (about a
        # millisecond, three times a request); a clone of one made once is free.
        if public is None:
            public = model.objects.public()
        return public.all()

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
        super().__init__(*args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    """What a list of published articles may be narrowed by.

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
            max_length=500,
            label="Search",
            help_text='Words, "a phrase", alternatives with or, -excluded words.',
        )
    )
    outlet = documented_as_slug(
        SlugsFilter(
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
        help_text="Articles naming someone in this role; with person, articles "
        "where they have it.",
    )
    language = documented_as_code(
        django_filters.MultipleChoiceFilter(
            field_name="language",
            choices=[],
            help_text="BCP 47 language tag; repeat for any of several.",
        )
    )
    country = documented_as_code(
        django_filters.MultipleChoiceFilter(
            field_name="outlet__country",
            choices=[],
            help_text="The outlet's country (ISO 3166-1 alpha-2); repeat for any.",
        )
    )
    date_from = django_filters.DateFilter(
        help_text="Published on or after (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        help_text="Published on or before (YYYY-MM-DD)."
    )

    class Meta:
        model = Article
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # A form submits its empty fields (language=&country=); they mean "any".
        if data is not None:
            data = data.copy()
            for key in list(data.keys()):
                values = [v for v in data.getlist(key) if v.strip()]
                if values:
                    data.setlist(key, values)
                else:
                    del data[key]
        kwargs.setdefault("queryset", Article.objects.none())
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

    def filter_queryset(self, queryset):
        raise TypeError(
            "Articles are found by the search door: ask articles.search.find() "
            "with this filter's question()."
        )

    @property
    def is_searching(self) -> bool:
        return bool(self.is_valid() and self.form.cleaned_data.get("q"))

    def question(self, *, statuses=PUBLISHED, **narrower) -> Question:
        """The question these (valid) parameters ask, of articles in these
        statuses (what the public may see, by default), narrowed further by
        `narrower` (an entity page's own person, topic or outlet)."""
        data = self.form.cleaned_data
        countries = data.get("country") or []
        since, until = self.date_range(data)
        question = Question(
            text=parse(data.get("q") or ""),
            statuses=statuses,
            outlets=_ids(_chosen(data.get("outlet"))),
            outlet_sets=(_outlets_in(countries),) if countries else (),
            languages=frozenset(data.get("language") or ()),
            topics=tuple(t.pk for t in _chosen(data.get("topic"))),
            people=tuple(p.pk for p in _chosen(data.get("person"))),
            role=data.get("role") or None,
            since=since,
            until=until,
            undated=False if data.get("date_to") == dt.date.max else None,
        )
        for name, value in narrower.items():
            if name in ("topics", "people"):
                value = (*getattr(question, name), *value)
            question = question.narrowed(**{name: value})
        return question

    def date_range(self, data) -> tuple[dt.datetime | None, dt.datetime | None]:
        start, end = data.get("date_from"), data.get("date_to")
        since = _midnight(start) if start else None
        until = None
        if end and end != dt.date.max:  # no day after it: every dated article
            until = _midnight(end + dt.timedelta(days=1))
        return since, until


def _chosen(value) -> list:
    """What a choice of outlets, topics or people chose. Nothing chosen is
    an empty queryset, which is not asked (asking one is most of the cost of
    reading a question with none)."""
    if value is None or (isinstance(value, QuerySet) and value.query.is_empty()):
        return []
    return list(value)


def _ids(objects) -> frozenset[int] | None:
    return frozenset(o.pk for o in objects) if objects else None


def _outlets_in(countries) -> frozenset[int]:
    return frozenset(
        Outlet.objects.filter(country__in=countries).values_list("pk", flat=True)
    )


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


# Naming the parameters for readers


LANGUAGE_NAMES = {"zh": "Chinese", "pt": "Portuguese", "nb": "Norwegian"}


def language_name(code: str) -> str:
    """A language's English name from its BCP 47 tag ("tr" → "Turkish")."""
    for tag in (code.lower(), code.split("-")[0].lower()):
        name = LANG_INFO.get(tag, {}).get("name") or LANGUAGE_NAMES.get(tag)
        if name:
            return name if tag == code.lower() else f"{name} ({code})"
    return code


def country_name(code: str) -> str:
    return countries.name(code.upper()) or code.upper()


@dataclass(frozen=True)
class ActiveFilter:
    """One narrowing a list has, named for a reader, with the parameter and
    value that remove it."""

    param: str
    value: str
    label: str


def active_filters(filterset) -> list[ActiveFilter]:
    """Everything a valid list's parameters narrow it by, by name."""
    data = filterset.form.cleaned_data
    active = []
    if data.get("q"):
        active.append(ActiveFilter("q", data["q"], f"Words: {data['q']}"))
    for param, kind in (("outlet", "Outlet"), ("topic", "Topic"), ("person", "Person")):
        for obj in data.get(param) or ():
            active.append(ActiveFilter(param, obj.slug, f"{kind}: {obj.name}"))
    if data.get("role"):
        role = dict(ArticlePerson.Role.choices)[data["role"]]
        active.append(ActiveFilter("role", data["role"], f"Role: {role}"))
    for code in data.get("language") or ():
        active.append(
            ActiveFilter("language", code, f"Language: {language_name(code)}")
        )
    for code in data.get("country") or ():
        active.append(ActiveFilter("country", code, f"Country: {country_name(code)}"))
    for param, label in (("date_from", "From"), ("date_to", "To")):
        if data.get(param):
            day = data[param]
            active.append(ActiveFilter(param, day.isoformat(), f"{label} {day}"))
    return list(dict.fromkeys(active))  # a value given twice is shown once


# Finding outlets, topics and people by name (the list's pickers)

NAMED = {"outlet": Outlet, "topic": Topic, "person": Person}
# Each picker's label, which its errors name.
NAME_LABELS = {"outlet": "Outlet", "topic": "Topic", "person": "Person"}
SUGGESTIONS = 10


def named(kind: str, name: str, limit: int = SUGGESTIONS) -> list:
    """The public outlets, topics or people whose names resemble `name`, best
    first (typo-tolerant on PostgreSQL); an exact name, slug or alias first of
    all."""
    model = NAMED[kind]
    name = " ".join(strip_control_characters(name).split())[:100]
    if not name:
        return []
    found = model.objects.public().resembling(name, limit)
    exact = [o for o in found if name.casefold() in _names_of(o)]
    if not exact and re.fullmatch(SLUG, name):
        by_slug = model.objects.public().filter(slug=name).first()
        exact = [by_slug] if by_slug else []
    return exact + [o for o in found if o not in exact][: limit - len(exact)]


def _names_of(entity) -> set[str]:
    names = {entity.name.casefold(), entity.slug.casefold()}
    names.update(a.casefold() for a in getattr(entity, "aliases", None) or ())
    return names


def resolve_name(kind: str, value: str):
    """Return (the public outlet, topic or person a typed name means, None)
    or (None, a message saying why none could be chosen): no one has that
    name, or several resemble it."""
    value = " ".join(strip_control_characters(value).split())
    matches = named(kind, value, limit=5)
    exact = [m for m in matches if value.casefold() in _names_of(m)]
    if len(exact) == 1:
        return exact[0], None
    if not exact and len(matches) == 1:
        return matches[0], None
    noun = NAMED[kind]._meta.verbose_name
    shown = value[:100]
    if matches:
        options = ", ".join(m.name for m in matches)
        return None, f"Which {noun} do you mean by “{shown}”? Perhaps: {options}."
    return None, f"No {noun} in the archive is called “{shown}”."


def resolve_names(params, *, prefix="", suffix="_name"):
    """Turn the pickers' names (outlet_name=TASS) into the list's slugs
    (outlet=tass). Returns the parameters to redirect to (None when there is
    nothing to resolve) and errors, by the picker's label ("Outlet"), for
    names that match no one or several."""
    fields = {kind: f"{prefix}{kind}{suffix}" for kind in NAMED}
    wanted = [(kind, v) for kind, f in fields.items() for v in params.getlist(f)]
    if not wanted:
        return None, {}
    resolved, errors = params.copy(), {}
    for field in fields.values():
        resolved.pop(field, None)
    for kind, value in wanted:
        if not value.strip():
            continue
        chosen, error = resolve_name(kind, value)
        if error:
            errors.setdefault(NAME_LABELS[kind], []).append(error)
        elif chosen.slug not in resolved.getlist(f"{prefix}{kind}"):
            resolved.appendlist(f"{prefix}{kind}", chosen.slug)
    return resolved, errors
