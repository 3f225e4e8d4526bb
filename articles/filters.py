"""The parameters of an article list, shared by the public site and the API.

A FilterSet defines and validates them (and documents them in the API's
schema), but it filters nothing itself: `question()` turns the valid values
into a search Question, and the search door (articles.search) finds the
articles. A list of articles has one way to be narrowed.
"""

import datetime as dt

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from .models import Article, ArticlePerson, Outlet, Person, Topic
from .search import PUBLISHED, Question, parse


def documented_as_slug(filter_):
    """Describe the filter in the API schema as a slug (not a database id)."""
    schema = {"type": "string", "format": "slug"}
    schema["description"] = filter_.extra["help_text"]
    return extend_schema_field(schema)(filter_)


def slugs(model, help_text: str):
    """A repeatable slug parameter (?topic=syria&topic=idlib); an unknown slug
    is an error naming the parameter, never silently ignored."""
    return documented_as_slug(
        django_filters.ModelMultipleChoiceFilter(
            queryset=model.objects.all(), to_field_name="slug", help_text=help_text
        )
    )


class ArticleFilter(django_filters.FilterSet):
    """What a list of published articles may be narrowed by.

    Several outlets, languages or countries widen the search (any of them);
    several topics or people narrow it (all of them), as adding a facet should.
    """

    q = django_filters.CharFilter(
        max_length=500,
        label="Search",
        help_text='Words, "a phrase", alternatives with or, -excluded words.',
    )
    outlet = slugs(Outlet, "Outlet slug; repeat for any of several.")
    topic = slugs(Topic, "Topic slug; repeat for all of several.")
    person = slugs(Person, "Person slug; repeat for all of several.")
    role = django_filters.ChoiceFilter(
        choices=ArticlePerson.Role.choices,
        help_text="With person: only articles where they have this role.",
    )
    language = django_filters.MultipleChoiceFilter(
        field_name="language",
        choices=[],
        help_text="BCP 47 language tag; repeat for any of several.",
    )
    country = django_filters.MultipleChoiceFilter(
        field_name="outlet__country",
        choices=[],
        help_text="The outlet's country (ISO 3166-1 alpha-2); repeat for any.",
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
            outlets=_ids(data.get("outlet")),
            outlet_sets=(_outlets_in(countries),) if countries else (),
            languages=frozenset(data.get("language") or ()),
            topics=tuple(t.pk for t in data.get("topic") or ()),
            people=tuple(p.pk for p in data.get("person") or ()),
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
    return 2 <= len(value) <= 35 and value.replace("-", "").isalnum()
