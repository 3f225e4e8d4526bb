"""Full-text search over articles: PostgreSQL's, with a simpler SQLite fallback.

Both take the same web-search syntax: words (all required), "quoted phrases",
`or` between alternatives, and -excluded words. Names also match through
people's aliases: a query naming a person (in any of their spellings or
scripts) finds articles that use any other spelling of that person.
"""

import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import OperationalError, connections, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Replace
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape

CONFIG = "archive"
MAX_VARIANTS = 8
MAX_QUERY_LENGTH = 500
_START, _STOP = "\x02", "\x03"
# ts_headline drops whatever its parser takes for an XML tag ("<b>", "<script>"),
# so a body's "<" stands in as this character while PostgreSQL makes the snippet.
_LESS_THAN = "\x04"
_ITEM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass
class ParsedQuery:
    """Required groups (each satisfied by any of its items) and excluded items."""

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return [item for group in self.groups for item in group]


def parse_query(q: str) -> ParsedQuery:
    """Parse web-search syntax the way PostgreSQL's websearch_to_tsquery reads it."""
    parsed, join_next = ParsedQuery(), False
    for match in _ITEM.finditer(q[:MAX_QUERY_LENGTH]):
        negated = bool(match.group(1) or match.group(3))
        text = (
            match.group(2) if match.group(2) is not None else match.group(4)
        ).strip()
        text = text.strip("\"'()&|!:*<>")
        if not text:
            continue
        if not negated and text.lower() == "or" and match.group(4) is not None:
            join_next = bool(parsed.groups)
            continue
        if negated:
            parsed.excluded.append(text)
        elif join_next:
            parsed.groups[-1].append(text)
        else:
            parsed.groups.append([text])
        join_next = False
    return parsed


_people = {"index": None, "built": 0.0, "variants": {}}
_people_lock = threading.Lock()
# Other processes' edits reach this one's index within this many seconds.
PEOPLE_INDEX_TTL = 300


def people_index():
    """Return the index of people's names, built once per process, rebuilt after
    a person is saved or deleted here and at least every PEOPLE_INDEX_TTL."""
    with _people_lock:
        stale = time.monotonic() - _people["built"] > PEOPLE_INDEX_TTL
        if _people["index"] is None or stale:
            from .ingest.suggest import NameIndex

            _people["index"] = NameIndex.of_people()
            _people["built"] = time.monotonic()
            _people["variants"] = {}
        return _people["index"]


def _forget_people(**kwargs):
    with _people_lock:
        _people["index"] = None
        _people["variants"] = {}


def connect_signals():
    from .models import Person

    post_save.connect(_forget_people, sender=Person, dispatch_uid="search-people")
    post_delete.connect(_forget_people, sender=Person, dispatch_uid="search-people")


def variants(q: str) -> list[str]:
    """Return the query and its rewrites with other spellings of named people.

    Remembered per query until people change, so the search and its snippets on
    one page (and repeated searches) look the names up once.
    """
    q = q[:MAX_QUERY_LENGTH]
    index = people_index()
    remembered = _people["variants"]
    if q not in remembered:
        if len(remembered) > 10_000:
            remembered.clear()
        remembered[q] = _rewrites(q, index.find(q))
    return remembered[q]


def _rewrites(q: str, found) -> list[str]:
    from .models import Person

    if not found:
        return [q]
    spellings_of = {
        pk: [name, *(aliases or [])]
        for pk, name, aliases in Person.objects.filter(pk__in=found).values_list(
            "pk", "name", "aliases"
        )
    }
    result = [q]
    for pk, spans in found.items():
        if pk not in spellings_of:  # removed since the index was built
            continue
        span = spans[0]
        spellings = spellings_of[pk]
        # Articles mostly name people by surname: "Erdoğan" for Recep Tayyip Erdoğan.
        spellings += [s.split()[-1] for s in spellings if len(s.split()) > 1]
        for spelling in dict.fromkeys(spellings):
            if spelling.casefold() == q[span.start : span.end].casefold():
                continue
            result.append(f'{q[: span.start]}"{spelling}"{q[span.end :]}')
            if len(result) >= MAX_VARIANTS:
                return result
    return result


def is_postgres(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_query(q: str) -> SearchQuery:
    query = None
    for variant in variants(q):
        part = SearchQuery(variant, config=CONFIG, search_type="websearch")
        query = part if query is None else query | part
    return query


def search(queryset, q: str):
    """Filter the queryset to articles matching q and annotate a relevance `rank`."""
    if not q.strip():
        return queryset.annotate(rank=Value(0.0))
    if is_postgres(queryset):
        query = search_query(q)
        # ts_rank is a 4-byte real, which does not survive a round trip through
        # Python's floats; as a double it does, so API cursors can compare ranks.
        rank = SearchRank(F("search_vector"), query, normalization=32)
        return queryset.filter(search_vector=query).annotate(
            rank=Cast(rank, output_field=FloatField())
        )
    return _fallback_search(queryset, q)


# A phrase operator in a plan's text search condition: <-> or <N>.
PHRASE = re.compile(r"@@ '.*<(-|\d+)>")


def planned_search(queryset) -> tuple[int, bool] | None:
    """Return PostgreSQL's estimate of the rows the queryset finds and whether
    its text search has a phrase (quoted words, or a word the parser splits,
    like a hyphenated one), from one EXPLAIN (nothing is run); None on other
    databases."""
    if not is_postgres(queryset):
        return None
    text = queryset.order_by().values("pk").explain(format="json")
    return int(json.loads(text)[0]["Plan"]["Plan Rows"]), bool(PHRASE.search(text))


def narrowed(queryset, *, by_relevance: bool) -> tuple["QuerySet", bool]:  # noqa: F821
    """Prepare a search's results for ordering, so that no order costs seconds.

    A search PostgreSQL expects to find at most SEARCH_GATHER_LIMIT articles
    is gathered first, from the text index alone, and the results are those
    ids: ordering them by date or rank is then cheap. (Left to itself, the
    planner may walk the date index hoping to meet a rare word soon, and read
    the whole table when the word is rarer than it thought.)

    PostgreSQL estimates a phrase as the articles having all of its words
    anywhere, which are the candidates the text index hands over, each then
    checked for the words' positions; a phrase is gathered while it expects at
    most SEARCH_PHRASE_GATHER_LIMIT of them (gathering 20,000 takes about
    0.2 s at a million articles; walking the date index for a phrase in 41 of
    them passed the 3-s time limit). A search gathering more than
    SEARCH_GATHER_LIMIT rows stops there and is treated as a common one.

    A search expected to find more is not gathered. By date, the date index is
    walked, which finds a common word at once. By relevance, only the newest
    SEARCH_RANK_CANDIDATES matches are ranked: ts_rank reads each match's
    search vector, and over every match of a common word that costs seconds.

    Returns the queryset and whether relevance was bounded (the page and the
    API say so when it was). Other databases search by scanning, and get the
    queryset as it is.
    """
    limit, gather = settings.SEARCH_RANK_CANDIDATES, settings.SEARCH_GATHER_LIMIT
    planned = planned_search(queryset)
    if planned is None:
        return queryset, False
    estimate, phrase = planned
    ids, bounded = None, False
    if estimate <= (settings.SEARCH_PHRASE_GATHER_LIMIT if phrase else gather):
        found = list(
            queryset.order_by().values_list("pk", "published_at")[: gather + 1]
        )
        if len(found) <= gather:
            if by_relevance and len(found) > limit:
                found.sort(key=_newest_first)
                found, bounded = found[:limit], True
            ids = [pk for pk, _ in found]
    if ids is None:
        if not by_relevance:
            return queryset, False
        newest = queryset.newest_first().values_list("pk", flat=True)
        ids, bounded = list(newest[:limit]), True
    return _by_ids(queryset, ids, rank=by_relevance), bounded


def _newest_first(row):
    pk, published_at = row
    return (published_at is None, -published_at.timestamp() if published_at else 0, -pk)


def _by_ids(queryset, ids, *, rank: bool):
    """The queryset's rows with these ids, as it would load them (related rows,
    prefetches, deferred columns, selected annotations), its conditions left
    out: the ids stand for them, the text match among them, which need not be
    checked again row by row. Its aliases are left out too: they only served
    its conditions and order (ArticleQuerySet.linked_to's name columns of a
    join that is not here), and the list then orders by the articles' own
    date."""
    gathered = queryset.model.objects.filter(pk__in=ids)
    gathered.query.select_related = queryset.query.select_related
    gathered.query.deferred_loading = queryset.query.deferred_loading
    gathered._prefetch_related_lookups = queryset._prefetch_related_lookups
    annotations = {
        name: expression
        for name, expression in queryset.query.annotation_select.items()
        if rank or name != "rank"
    }
    return gathered.annotate(**annotations) if annotations else gathered


class SearchTooBroad(Exception):
    """A search's queries ran past SEARCH_TIMEOUT_MS and were cancelled."""

    message = (
        "This search would take too long to finish: its words are in too many "
        "articles for that combination (a phrase of very common words, say). "
        "Add a rarer word, a date range or an outlet."
    )


@contextmanager
def time_limited(using: str):
    """Run a search's queries under a time limit (SEARCH_TIMEOUT_MS), so that no
    query, however pathological, holds a worker and a database connection for
    minutes; raise SearchTooBroad when the database cancels one. PostgreSQL
    only (SET LOCAL inside a transaction); elsewhere, no limit."""
    connection = connections[using]
    limit = settings.SEARCH_TIMEOUT_MS
    if connection.vendor != "postgresql" or not limit:
        yield
        return
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [int(limit)])
            yield
    except OperationalError as error:
        import psycopg

        if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise SearchTooBroad from error
        raise


def _contains(text: str) -> Q:
    return Q(title__icontains=text) | Q(lead__icontains=text) | Q(body__icontains=text)


def _fallback_search(queryset, q: str):
    condition = Q(pk__in=[])
    parsed_variants = [parse_query(v) for v in variants(q)]
    for parsed in parsed_variants:
        if not parsed.groups:
            continue
        matches = Q()
        for group in parsed.groups:
            any_of = Q(pk__in=[])
            for item in group:
                any_of |= _contains(item)
            matches &= any_of
        for item in parsed.excluded:
            matches &= ~_contains(item)
        condition |= matches
    terms = [t for parsed in parsed_variants for t in parsed.terms][:10]
    rank = Value(0)
    for weight, field_name in [(4, "title"), (2, "lead"), (1, "body")]:
        for term in terms:
            rank = rank + Case(
                When(**{f"{field_name}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return queryset.filter(condition).annotate(rank=rank)


def _marked(text: str) -> str:
    """Escape text, then turn the start/stop sentinels into <mark> elements."""
    return (
        escape(text)
        .replace(_LESS_THAN, "&lt;")
        .replace(_START, "<mark>")
        .replace(_STOP, "</mark>")
    )


def snippets(articles, q: str) -> dict[int, str]:
    """Return {pk: HTML snippet with matched words in <mark>} for shown rows only.

    The HTML is built from escaped text, so it is safe to mark as such. The
    sentinels that stand for the marks are removed from the body first (the
    model refuses control characters, but older rows may hold them), so the
    text itself can never open or close a mark.
    """
    from .models import Article

    ids = [a.pk for a in articles]
    if not ids or not q.strip():
        return {}
    queryset = Article.objects.filter(pk__in=ids)
    if is_postgres(queryset):
        body = F("body")
        for sentinel in (_START, _STOP, _LESS_THAN):
            body = Replace(body, Value(sentinel))
        body = Replace(body, Value("<"), Value(_LESS_THAN))
        headline = SearchHeadline(
            body,
            search_query(q),
            config=CONFIG,
            start_sel=_START,
            stop_sel=_STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        rows = queryset.annotate(snippet=headline).values_list("pk", "snippet")
        return {pk: _marked(text) for pk, text in rows}
    terms = [t for v in variants(q) for t in parse_query(v).terms]
    return {
        pk: _marked(_python_headline(_unmarked(body), terms))
        for pk, body in queryset.values_list("pk", "body")
    }


def _unmarked(text: str) -> str:
    for sentinel in (_START, _STOP, _LESS_THAN):
        text = text.replace(sentinel, "")
    return text


def _python_headline(body: str, terms: list[str], width: int = 240) -> str:
    lowered = body.casefold()
    hits = [(lowered.find(t.casefold()), t) for t in terms if t]
    hits = [(at, t) for at, t in hits if at >= 0]
    start = max(0, min(at for at, _ in hits) - width // 3) if hits else 0
    excerpt = body[start : start + width]
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in terms if t), re.IGNORECASE)
        excerpt = pattern.sub(lambda m: f"{_START}{m.group()}{_STOP}", excerpt)
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(body) else ""
    return f"{prefix}{excerpt}{suffix}"
