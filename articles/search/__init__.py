"""The search door: the one way to ask which articles match.

Every list of articles goes through here: the public list and its search, the
outlet, person and topic pages, the feeds, the API's list, sync and export, the
admin's text search and the research views. A caller turns its parameters into
a Question (`question_from`), asks `find()` (a page, the exact total, facets,
snippets, counts over time) or one of its siblings, and renders what comes back.
Sorting, narrowing, paging and what the public may see are decided here, once.

Underneath is a Tantivy index (articles.search.engine), kept in step with the
database by articles.search.sync; counts over every match are taken from
whichever side of a common word is smaller (articles.search.counting). It is
the seam where another engine can take over (docs/design.md, "Beyond one
machine"): the Question says what is asked in the archive's terms; only the
engine module knows how to ask it.
"""

import datetime as dt
import logging
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from articles.cache import generation, remembered
from articles.models import Article, Outlet, Person, Topic

from . import about as about_module
from . import counting, sync
from .engine import NO_OUTLET, EngineUnavailable, Hits, month_of
from .question import NO_TEXT, PUBLISHED, Question, Text
from .snippets import snippet
from .text import parse

__all__ = [
    "NO_TEXT",
    "PUBLISHED",
    "Found",
    "Question",
    "SearchUnavailable",
    "Text",
    "about",
    "by_year",
    "count",
    "find",
    "ids",
    "languages",
    "matching",
    "over_time",
    "over_time_by_outlet",
    "parse",
]

logger = logging.getLogger(__name__)

ORDERS = ("relevance", "newest", "oldest")
FACET_SIZE = 10
# The engine releases Python's lock while it searches: a page's aggregations
# (facets, counts over time) run on a second core while its articles are found
# and read from the database.
_BESIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search")


def _threads_of_its_own():
    """A forked process (an import worker, a preloaded server's worker) has
    none of its parent's threads, only their pool's memory: a pool that
    believed it had idle threads would never run what it is handed."""
    global _BESIDE
    _BESIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search")


os.register_at_fork(after_in_child=_threads_of_its_own)

# Retry-After, in seconds, when the index cannot be read.
RETRY_AFTER = 60


class SearchUnavailable(Exception):
    """The search index is missing or damaged: search answers 503 until it is
    rebuilt (`manage.py search_index --rebuild`); every other page works."""

    message = (
        "Search is unavailable for a moment: its index is being rebuilt or "
        "repaired. Please try again in a minute."
    )
    retry_after = RETRY_AFTER


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Facets:
    """Counts over every match (not a sample), the top FACET_SIZE of each."""

    outlet: list[FacetValue] = field(default_factory=list)
    topic: list[FacetValue] = field(default_factory=list)
    person: list[FacetValue] = field(default_factory=list)
    language: list[FacetValue] = field(default_factory=list)
    year: list[FacetValue] = field(default_factory=list)

    def items(self):
        return [
            ("outlet", "Outlet", self.outlet),
            ("topic", "Topic", self.topic),
            ("person", "Person", self.person),
            ("language", "Language", self.language),
            ("year", "Year", self.year),
        ]


@dataclass
class Found:
    """A page of matching articles, in order, and what was asked for besides.

    Also a page for the site's templates (object_list, number, has_next…)."""

    articles: list
    total: int
    number: int = 1
    per_page: int = 20
    keys: list = field(default_factory=list)  # each article's place in the order
    facets: Facets | None = None
    # Matching dated articles per month (with facets, or when asked).
    by_month: dict[dt.date, int] | None = None
    more: bool = False  # rows past this page (keyset paging)

    @property
    def object_list(self):
        return self.articles

    @property
    def has_next(self) -> bool:
        return self.more or self.number * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def _engine():
    """The served index, caught up with the outbox."""
    return _caught_up()[0]


def _caught_up():
    """(the served index, caught up with the outbox; whether it is in step,
    nothing left waiting)."""
    try:
        in_step = sync.catch_up()
        return sync.engine(), in_step
    except EngineUnavailable as error:
        raise SearchUnavailable(str(error)) from error


class Aggregator:
    """Asks the index for aggregations (counts over every match) of one
    question, keeping the answers for public questions in the cache under the
    generation of what the public sees (articles.cache): the next pages of a
    search, another sort of it, a chart or a comparison asked again are not
    counted again.

    The generation is read before the index is caught up, and nothing is
    kept unless the index was in step with the database (nothing in the
    outbox; not a bulk change its writer is still applying): an answer is
    never kept under a generation newer than the index it was counted from.
    Kept with CACHE_PAGES, the switch for everything the public reads, for
    CACHE_SECONDS at most."""

    def __init__(self, question: Question):
        self.question = question
        self.generation = None
        if settings.CACHE_PAGES and question.is_public:
            try:
                self.generation = generation()
            except Exception:
                logger.warning("Cache unavailable; counting afresh.", exc_info=True)
        self.engine, in_step = _caught_up()
        if self.generation is not None:
            if not in_step:
                self.generation = None
            else:  # a rebuilt index (another generation of it) counts afresh
                self.generation += f":{self.engine.generation()}"

    def __call__(self, aggregations: dict) -> dict:
        def count():
            return counting.aggregate(self.engine, self.question, aggregations)

        if self.generation is None:
            return count()
        key = counting.key(self.generation, self.question, aggregations)
        return remembered(key, count, settings.CACHE_SECONDS)


def find(
    question: Question,
    *,
    order: str = "newest",
    page: int = 1,
    per_page: int = 20,
    offset: int | None = None,
    after: int | float | None = None,
    before: int | float | None = None,
    rows=None,
    facets: bool = False,
    by_month: bool = False,
    snippets: bool = False,
) -> Found:
    """Return the page of articles matching the question, in `order`
    (relevance, newest or oldest first), with the exact total.

    Pages are numbered (`page`, or start at `offset`), or follow a place in
    the order (`after` a
    key, or `before` one, reading backwards), which costs the same at any
    depth. `rows` is the queryset the page's articles are read from (what a
    list shows of each); facets counts over every match, by_month counts
    them per month (also given with facets: the same pass over the matches),
    and snippets marks where the text's words stand in each article.
    """
    aggregate = Aggregator(question)
    engine = aggregate.engine
    offset = (page - 1) * per_page if offset is None else offset
    # The other thread counts the matches (and the facets and months asked
    # for) while this one finds the page without counting them: a page of
    # a common word is then ranked from its best blocks, or found near
    # either end of the archive, without reading every match.
    counts = _BESIDE.submit(
        aggregate, _page_aggregations(facets=facets, by_month=by_month)
    )
    try:
        if before is not None:
            hits = engine.search(
                question,
                order=order,
                limit=per_page + 1,
                after=before,
                backwards=True,
                count=False,
            )
            more = len(hits.ids) > per_page
            hits = Hits(
                ids=hits.ids[:per_page][::-1],
                keys=hits.keys[:per_page][::-1],
                total=hits.total,
            )
        else:
            hits = engine.search(
                question,
                order=order,
                offset=offset,
                limit=per_page + 1,
                after=after,
                count=False,
            )
            more = len(hits.ids) > per_page
            hits = Hits(hits.ids[:per_page], hits.keys[:per_page], hits.total)
        found = Found(
            articles=_load(hits.ids, rows, question),
            total=0,  # counted beside it, below
            number=page,
            per_page=per_page,
            more=more,
        )
        shown = {article.pk for article in found.articles}
        found.keys = [
            key for key, pk in zip(hits.keys, hits.ids, strict=True) if pk in shown
        ]
        if snippets and question.text:
            _add_snippets(found.articles, question.text)
        result = counts.result()
        found.total = int(result["total"]["value"])
        if facets or by_month:
            found.by_month = _counted(result["month"]["buckets"], "month")
        if facets:
            found.facets = _facets(result, found.by_month)
    except EngineUnavailable as error:
        raise SearchUnavailable(str(error)) from error
    return found


def _load(ids: list[int], rows, question: Question) -> list:
    """The articles with these ids from the database, in this order. Rows the
    index has not yet seen leave the public's view (a withdrawal committed a
    moment ago) are left out, never shown."""
    if not ids:
        return []
    rows = Article.objects.for_listing() if rows is None else rows
    if question.is_public:
        rows = rows.published()
    by_pk = rows.in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _add_snippets(articles, text: Text) -> None:
    bodies = Article.objects.filter(pk__in=[a.pk for a in articles]).values_list(
        "pk", "lead", "body"
    )
    texts = {pk: f"{lead}\n\n{body}" if lead else body for pk, lead, body in bodies}
    for article in articles:
        article.snippet = snippet(texts.get(article.pk, ""), article.language, text)


def ids(
    question: Question, *, order: str = "newest", chunk: int = 1_000
) -> Iterator[list[int]]:
    """Every matching article's id, in order, in chunks (an export): each
    chunk is read after the last one's place, so the whole set costs about
    as much per article however large it is."""
    if order not in ("newest", "oldest"):
        raise ValueError("Exports read in date order.")
    engine = _engine()
    after = None
    while True:
        hits = engine.search(
            question, order=order, limit=chunk, after=after, count=False
        )
        if not hits.ids:
            return
        yield hits.ids
        if len(hits.ids) < chunk:
            return
        after = hits.keys[-1]


def matching(question: Question, candidates: list[int]) -> set[int]:
    """Which of these articles match the question (a sync page's candidates,
    read in modification order from the database)."""
    if not candidates:
        return set()
    narrowed = question.narrowed(ids=frozenset(candidates))
    hits = _engine().search(
        narrowed, order="newest", limit=len(candidates), count=False
    )
    return set(hits.ids)


def count(question: Question) -> int:
    return _engine().count(question)


# What a search is about


def about(question: Question) -> "about_module.About":
    """The people its articles quote and mention (by role), its topics and
    outlets, counted over every match, and its most distinctive words, from
    a sample (articles.search.about). People, topics and outlets come as
    FacetValues (slug, name, count)."""
    aggregate = Aggregator(question)
    try:
        counting = _BESIDE.submit(aggregate, about_module.aggregations())
        found = about_module.about(aggregate.engine, question, counting.result)
    except EngineUnavailable as error:
        raise SearchUnavailable(str(error)) from error
    people = _named(
        Person,
        [pk for pk, _ in found.quoted]
        + [pk for pairs in found.roles.values() for pk, _ in pairs],
    )
    found.quoted = _labelled(found.quoted, people)
    found.roles = {
        role: _labelled(pairs, people) for role, pairs in found.roles.items()
    }
    found.topics = _labelled(
        found.topics, _named(Topic, [pk for pk, _ in found.topics])
    )
    found.outlets = _labelled(
        found.outlets, _named(Outlet, [pk for pk, _ in found.outlets])
    )
    return found


def _named(model, ids) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {
        pk: (slug, name)
        for pk, slug, name in model.objects.filter(pk__in=set(ids)).values_list(
            "pk", "slug", "name"
        )
    }


def _labelled(pairs, names) -> list[FacetValue]:
    return [FacetValue(*names[pk], n) for pk, n in pairs if pk in names]


# Facets


def _page_aggregations(*, facets: bool, by_month: bool) -> dict:
    """What a page counts over every match, in one pass: the matches, and
    the facets' terms and the months if asked (the year facet and the page's
    chart both come from them). Split in two and counted side by side, the
    people apart, a page of a common word took longer, not less: each part
    reads every match again."""
    aggregations = {"total": {"value_count": {"field": "id"}}}
    if not (facets or by_month):
        return aggregations
    aggregations["month"] = _histogram("month")
    if facets:
        for name in ("outlet", "topic", "person", "language"):
            aggregations[name] = {
                "terms": {"field": name, "size": FACET_SIZE, "segment_size": 100_000}
            }
    return aggregations


def _facets(result: dict, by_month: dict[dt.date, int]) -> Facets:
    def buckets(name):
        return [(b["key"], int(b["doc_count"])) for b in result[name]["buckets"]]

    facets = Facets()
    for name, model in (("outlet", Outlet), ("topic", Topic), ("person", Person)):
        counted = [(int(key), n) for key, n in buckets(name)]
        names = _named(model, [pk for pk, _ in counted])
        setattr(facets, name, _labelled(counted, names))
    facets.language = [FacetValue(code, code, n) for code, n in buckets("language")]
    facets.year = [
        FacetValue(str(year.year), str(year.year), n)
        for year, n in sorted(by_year(by_month).items(), reverse=True)
    ]
    return facets


def languages(question: Question) -> list[str]:
    """Every language tag the matching articles are in, most used first."""
    terms = {"terms": {"field": "language", "size": 10_000, "segment_size": 100_000}}
    result = Aggregator(question)({"l": terms})
    return [b["key"] for b in result["l"]["buckets"] if b["doc_count"]]


# Counts over time

UNITS = ("day", "week", "month", "year")
# How each unit is counted: a histogram over a fast field of the index. Days
# are counted from 1970-01-01, a Thursday: weeks start on Mondays, four days on.
_HISTOGRAMS = {
    "day": ("day", 1, 0),
    "week": ("day", 7, 4),
    "month": ("month", 1, 0),
    "year": ("month", 12, 0),
}


def period_start(unit: str, key: int) -> dt.date:
    """The first day of the period a histogram bucket's key stands for."""
    if unit in ("day", "week"):
        return dt.date(1970, 1, 1) + dt.timedelta(days=key)
    return month_of(key)


def _histogram(unit: str) -> dict:
    field_name, interval, offset = _HISTOGRAMS[unit]
    histogram = {"field": field_name, "interval": interval}
    if offset:
        histogram["offset"] = offset
    return {"histogram": histogram}


def by_year(by_month: dict[dt.date, int]) -> dict[dt.date, int]:
    """Counts per month summed into counts per calendar year (a chart or the
    year facet drawn from months already counted, not a second pass)."""
    years = {}
    for month, n in by_month.items():
        year = month.replace(month=1)
        years[year] = years.get(year, 0) + n
    return years


def _counted(buckets, unit: str) -> dict[dt.date, int]:
    return {
        period_start(unit, int(b["key"])): int(b["doc_count"])
        for b in buckets
        if b["doc_count"]
    }


def over_time(question: Question, *, unit: str = "month") -> dict[dt.date, int]:
    """The matching dated articles per period (day, week from Monday, month
    or year, in UTC), keyed by each period's first day; empty periods are
    left out."""
    result = Aggregator(question)({"t": _histogram(unit)})
    return _counted(result["t"]["buckets"], unit)


@dataclass
class ByOutlet:
    """Counts over time of the outlets with the most matches, and how many
    outlets have any."""

    periods: dict[int, dict[dt.date, int]]
    outlets: int


def over_time_by_outlet(
    question: Question, *, unit: str = "month", size: int = 8
) -> ByOutlet:
    """over_time() for each of the `size` outlets with the most matches."""
    aggregation = {
        "o": {
            "terms": {"field": "outlet", "size": size, "segment_size": 100_000},
            "aggs": {"t": _histogram(unit)},
        },
        "all": {"terms": {"field": "outlet", "size": 1_000_000}},
    }
    result = Aggregator(question)(aggregation)
    # Drafts waiting for their outlet share one key, which is no outlet.
    return ByOutlet(
        periods={
            int(bucket["key"]): _counted(bucket["t"]["buckets"], unit)
            for bucket in result["o"]["buckets"]
            if int(bucket["key"]) != NO_OUTLET
        },
        outlets=sum(
            int(bucket["key"]) != NO_OUTLET for bucket in result["all"]["buckets"]
        ),
    )
