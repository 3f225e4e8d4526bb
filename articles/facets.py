"""Facet counts beside a list of articles, bounded so that a huge result set
cannot stall a page: counts cover at most FACET_SAMPLE matching articles (the
newest), and the page says so when the bound was reached."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Article, ArticlePerson, ArticleTopic, LinkState

FACET_SAMPLE = 10_000
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

    def items(self):
        return [
            ("outlet", "Outlet", self.outlet),
            ("topic", "Topic", self.topic),
            ("person", "Person", self.person),
            ("language", "Language", self.language),
            ("year", "Year", self.year),
        ]


def facets(queryset) -> Facets:
    """Return facet counts for the (already filtered, published) queryset."""
    ids = queryset.order_by().values("pk")
    ordered = queryset.order_by("-published_at", "-pk").values("pk")
    sampled = ordered[FACET_SAMPLE : FACET_SAMPLE + 1].exists()
    if sampled:
        ids = ordered[:FACET_SAMPLE]
    articles = Article.objects.filter(pk__in=ids)

    def top(rows, value, label):
        return [
            FacetValue(value=str(row[value]), label=str(row[label]), count=row["n"])
            for row in rows[:FACET_SIZE]
        ]

    outlet = (
        articles.values("outlet__slug", "outlet__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "outlet__name")
    )
    topic = (
        ArticleTopic.objects.filter(article__in=ids, state=LinkState.CONFIRMED)
        .values("topic__slug", "topic__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "topic__name")
    )
    person = (
        ArticlePerson.objects.filter(article__in=ids, state=LinkState.CONFIRMED)
        .values("person__slug", "person__name")
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "person__name")
    )
    language = (
        articles.values("language").annotate(n=Count("pk")).order_by("-n", "language")
    )
    year = (
        articles.filter(published_at__isnull=False)
        .annotate(y=ExtractYear("published_at"))
        .values("y")
        .annotate(n=Count("pk"))
        .order_by("-y")
    )
    return Facets(
        outlet=top(outlet, "outlet__slug", "outlet__name"),
        topic=top(topic, "topic__slug", "topic__name"),
        person=top(person, "person__slug", "person__name"),
        language=top(language, "language", "language"),
        year=[FacetValue(str(r["y"]), str(r["y"]), r["n"]) for r in year[:30]],
        sampled=sampled,
    )
