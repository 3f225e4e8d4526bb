"""Facet counts beside a list of articles, bounded so that a huge result set
cannot stall a page: counts cover at most FACET_SAMPLE matching articles (the
newest), and the page says so when the bound was reached.

Four queries whatever the result set: the sample's rows (outlet, language and
date of each, which are counted here), the names of the sampled outlets, and the
sample's topic and person links counted by the database.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from .models import ArticlePerson, ArticleTopic, LinkState, Outlet

FACET_SIZE = 10


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Facets:
    outlet: list[FacetValue]
    topic: list[FacetValue]
    person: list[FacetValue]
    language: list[FacetValue]
    year: list[FacetValue]
    sampled: bool
    sample_size: int

    def items(self):
        return [
            ("outlet", "Outlet", self.outlet),
            ("topic", "Topic", self.topic),
            ("person", "Person", self.person),
            ("language", "Language", self.language),
            ("year", "Year", self.year),
        ]


def _top(counter: Counter, labels: dict) -> list[FacetValue]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], labels[item[0]]))
    return [
        FacetValue(value=str(value), label=str(labels[value]), count=n)
        for value, n in ranked[:FACET_SIZE]
    ]


def _linked(model, ids, key: str) -> list[FacetValue]:
    rows = (
        model.objects.filter(article__in=ids, state=LinkState.CONFIRMED)
        .values(f"{key}__slug", f"{key}__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", f"{key}__name")[:FACET_SIZE]
    )
    return [
        FacetValue(value=row[f"{key}__slug"], label=row[f"{key}__name"], count=row["n"])
        for row in rows
    ]


def facets(queryset) -> Facets:
    """Return facet counts for the (already filtered, published) queryset."""
    limit = settings.FACET_SAMPLE
    rows = list(
        queryset.newest_first().values_list(
            "pk", "outlet_id", "language", "published_at"
        )[: limit + 1]
    )
    sampled = len(rows) > limit
    rows = rows[:limit]
    ids = [pk for pk, *_ in rows]
    # The sample names a few hundred outlets at most: count them by slug.
    by_pk = Counter(outlet for _, outlet, _, _ in rows)
    outlets, names = Counter(), {}
    for pk, slug, name in Outlet.objects.filter(pk__in=by_pk).values_list(
        "pk", "slug", "name"
    ):
        outlets[slug], names[slug] = by_pk[pk], name
    languages = Counter(language for _, _, language, _ in rows)
    years = Counter(at.year for *_, at in rows if at is not None)
    return Facets(
        outlet=_top(outlets, names),
        topic=_linked(ArticleTopic, ids, "topic"),
        person=_linked(ArticlePerson, ids, "person"),
        language=_top(languages, {code: code for code in languages}),
        year=[
            FacetValue(str(y), str(y), years[y]) for y in sorted(years, reverse=True)
        ][:30],
        sampled=sampled,
        sample_size=limit,
    )
