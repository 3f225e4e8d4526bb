"""The engine under the search door: a Tantivy index in a folder on disk.

One index serves SQLite and PostgreSQL alike. It holds every article, whatever
its status (curators search drafts too), as the fields a question can ask about:
the text, analysed per language (stemming where Snowball has the language,
folding everywhere, so that "Erdogan" finds "Erdoğan"); the outlet, language,
date, status, people (by role), topics and quoted speakers as fast fields, which
filter, sort and aggregate (facets, counts over time) without touching the
database. Nothing is stored but those fields: the database stays the one copy of
the text, and a page's rows are read from it by id.

The folder holds generations: `current` is a link to the one being served
(`gen-<n>`). A rebuild writes a new generation beside it and moves the link, so
that readers never see a half-built index; each process notices the move on its
next search and opens the new one.

This module knows Tantivy and nothing of Django's models; articles.search.sync
feeds it and the door (articles.search) asks it questions.
"""

import datetime as dt
import functools
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import tantivy

from .question import NO_TEXT, Question, Spelling, Text

logger = logging.getLogger(__name__)

# Snowball stemmers Tantivy has, by the primary subtag of a BCP 47 tag. Every
# other language is indexed folded and lower-cased but not stemmed ("other").
STEMMERS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
OTHER = "other"
ANALYSED = sorted({*STEMMERS, OTHER})
# Words longer than this are not indexed (they are not words: URLs, hashes).
LONGEST_WORD = 40
TITLE_BOOST = 3.0

STATUS_CODES = {"draft": 0, "review": 1, "published": 2, "withdrawn": 3}
ROLE_CODES = {"author": 1, "quoted": 2, "mentioned": 3}
ROLES = len(ROLE_CODES) + 1

# Sort keys: seconds since 1900 (plus one) in the high bits, the article's id
# in the low 30, so that one number orders as the database would (publication
# time, then id). Undated articles go last either way: 0 in `newest` (read in
# descending order), the largest time in `oldest` (ascending).
EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
ID_BITS = 30
MAX_ID = (1 << ID_BITS) - 1
MAX_TIME = (1 << 33) - 1  # 272 years after 1900: 2172
# The outlet field of a draft without an outlet: above every id, so no filter
# by outlet matches it. A filter by no outlets at all asks for NO_MATCH, which
# no article has either.
NO_OUTLET = MAX_ID + 1
NO_MATCH = 0

UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

INDEX_HEAP = 50_000_000  # bytes a writer buffers before it writes a segment
BUILD_HEAP = 400_000_000
LOCK_WAIT = 5.0  # seconds a writer waits for another to finish


class EngineUnavailable(Exception):
    """The index is missing or cannot be read."""


def guarded(method):
    """Turn a panic inside Tantivy (a BaseException, which no `except
    Exception` would catch) into EngineUnavailable: logged, answered 503."""

    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except BaseException as error:
            if type(error).__name__ != "PanicException":
                raise
            logger.exception("The search engine panicked.")
            raise EngineUnavailable(f"The search engine failed: {error}") from None

    return call


class WriterBusy(Exception):
    """Another process held the index's writer lock for longer than we waited."""


def language_group(tag: str) -> str:
    """The analysed field group of a BCP 47 language tag."""
    primary = (tag or "").split("-", 1)[0].lower()
    return primary if primary in STEMMERS else OTHER


def prepared(text: str) -> str:
    """Text as the analysers should see it. Tantivy lower-cases the Turkish
    capital İ to i and a combining dot, which folding keeps: make it I first."""
    return text.replace("İ", "I")


def analyzer(group: str) -> tantivy.TextAnalyzer:
    # Folded before stemming: a query typed without accents then meets the
    # same stem as the accented text ("Erdogan", "Erdoğan" → "erdoga" in
    # Turkish), at the price of a few inflections the stemmer then misses.
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(LONGEST_WORD))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if group in STEMMERS:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMERS[group]))
    return builder.build()


ANALYZERS = {group: analyzer(group) for group in ANALYSED}
# The words themselves, lower-cased, token for token beside what ANALYZERS
# make of them (the forms "what a search is about" shows for its stems).
FORMS = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(LONGEST_WORD))
    .filter(tantivy.Filter.lowercase())
    .build()
)


def tokens(text: str, group: str) -> list[str]:
    return ANALYZERS[group].analyze(prepared(text))


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("id", "newest", "oldest", "outlet"):
        builder.add_unsigned_field(name, indexed=True, fast=True)
    for name in ("status", "person", "role", "roles", "topic", "speaker"):
        builder.add_unsigned_field(name, indexed=True, fast=True)
    builder.add_integer_field("at", indexed=True, fast=True)
    builder.add_integer_field("month", fast=True)
    builder.add_integer_field("day", fast=True)
    builder.add_unsigned_field("stamp", fast=True)
    builder.add_text_field("language", tokenizer_name="raw", fast=True)
    for group in ANALYSED:
        for part in ("title", "text"):
            builder.add_text_field(f"{part}_{group}", tokenizer_name=f"lang_{group}")
    return builder.build()


SCHEMA = build_schema()


@dataclass(frozen=True)
class Entry:
    """One article as the index holds it."""

    id: int
    status: str
    title: str
    text: str  # the lead and the body
    language: str
    outlet: int | None  # None: a draft that waits for its outlet
    published_at: dt.datetime | None
    people: tuple[tuple[int, str], ...]  # (person id, role), confirmed links
    topics: tuple[int, ...]
    speakers: tuple[int, ...]
    stamp: int  # a fingerprint of the rest, for finding drift

    def document(self) -> tantivy.Document:
        if not 0 < self.id <= MAX_ID:
            raise ValueError(f"Article ids above {MAX_ID:,} cannot be indexed.")
        newest, oldest = sort_keys(self.id, self.published_at)
        group = language_group(self.language)
        doc = tantivy.Document()
        doc.add_unsigned("id", self.id)
        doc.add_unsigned("status", STATUS_CODES[self.status])
        doc.add_unsigned("newest", newest)
        doc.add_unsigned("oldest", oldest)
        doc.add_unsigned("outlet", NO_OUTLET if self.outlet is None else self.outlet)
        doc.add_unsigned("stamp", self.stamp)
        doc.add_text("language", self.language.lower())
        if self.published_at is not None:
            at = self.published_at.astimezone(dt.UTC)
            doc.add_integer("at", _microseconds(at))
            doc.add_integer("month", month_number(at))
            doc.add_integer("day", (at.date() - UNIX_EPOCH.date()).days)
        for person, role in sorted(set(self.people)):
            doc.add_unsigned("role", person * ROLES + ROLE_CODES[role])
        for person in sorted({person for person, _ in self.people}):
            doc.add_unsigned("person", person)
        for role in sorted({role for _, role in self.people}):
            doc.add_unsigned("roles", ROLE_CODES[role])
        for topic in sorted(set(self.topics)):
            doc.add_unsigned("topic", topic)
        for speaker in sorted(set(self.speakers)):
            doc.add_unsigned("speaker", speaker)
        doc.add_text(f"title_{group}", prepared(self.title))
        doc.add_text(f"text_{group}", prepared(self.text))
        return doc


def sort_keys(pk: int, published_at: dt.datetime | None) -> tuple[int, int]:
    """The article's keys in the `newest` and `oldest` orders."""
    if published_at is None:
        return pk, (MAX_TIME << ID_BITS) | pk
    seconds = int((published_at - EPOCH).total_seconds()) + 1
    key = (min(max(seconds, 1), MAX_TIME - 1) << ID_BITS) | pk
    return key, key


def month_number(at: dt.datetime) -> int:
    """Months since January 1970 (negative before)."""
    return (at.year - 1970) * 12 + at.month - 1


def month_of(number: int) -> dt.date:
    year, month = divmod(number, 12)
    return dt.date(1970 + year, month + 1, 1)


# Questions, compiled


def _filtered(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    # Filters take no part in the score.
    return tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)


def _terms(field: str, values) -> tantivy.Query:
    values = sorted(set(values))
    if len(values) == 1:
        return tantivy.Query.term_query(SCHEMA, field, values[0])
    return tantivy.Query.term_set_query(SCHEMA, field, values)


def _spelled(
    spelling: Spelling, groups: list[str], searcher=None
) -> tuple[list[tantivy.Query], bool]:
    """Queries finding one spelling (a word or a phrase) in any language,
    and whether any words are left of it once analysed. Given the searcher
    that will run them, a field where no article holds every word is left
    out: a union of forty fields, most of them empty, costs several times
    one of the two that hold the word."""
    found, analysable = [], False
    for group in groups:
        words = tokens(spelling, group)
        if not words:
            continue
        analysable = True
        for part, boost in (("title", TITLE_BOOST), ("text", 1.0)):
            field = f"{part}_{group}"
            if searcher is not None and not all(
                searcher.doc_freq(field, word) for word in words
            ):
                continue
            if len(words) == 1:
                query = tantivy.Query.term_query(SCHEMA, field, words[0])
            else:
                query = tantivy.Query.phrase_query(SCHEMA, field, words)
            if boost != 1.0:
                query = tantivy.Query.boost_query(query, boost)
            found.append(query)
    return found, analysable


def _any_of(spellings, groups, searcher=None) -> tantivy.Query | None:
    """A query finding any of the spellings; None when nothing is left of
    them once analysed ("&", "-")."""
    queries, analysable = [], False
    for spelling in spellings:
        found, words = _spelled(spelling, groups, searcher)
        queries += found
        analysable = analysable or words
    if not queries:
        # Words no article holds find nothing.
        return _terms("id", [NO_MATCH]) if analysable else None
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def compile_question(
    question: Question, groups: list[str], searcher=None
) -> tantivy.Query:
    """The Tantivy query for a question, its text scored by BM25 and its
    filters not scored; pruned of the fields without its words, given the
    searcher that will run it."""
    clauses = []
    for group in question.text.groups:
        # A group is satisfied by any of its terms, a term by any spelling.
        query = _any_of([s for term in group for s in term], groups, searcher)
        if query is None:  # nothing left to search once analysed ("&", "-")
            continue
        clauses.append((tantivy.Occur.Must, query))
    for term in question.text.excluded:
        query = _any_of(term, groups, searcher)
        if query is not None:
            clauses.append((tantivy.Occur.MustNot, query))
    if question.statuses is not None:
        codes = [STATUS_CODES[s] for s in question.statuses]
        clauses.append(_filtered(_terms("status", codes)))
    if question.outlets is not None:
        clauses.append(_filtered(_terms("outlet", question.outlets or [NO_MATCH])))
    for outlets in question.outlet_sets:
        clauses.append(_filtered(_terms("outlet", outlets or [NO_MATCH])))
    if question.languages:
        clauses.append(
            _filtered(_terms("language", [v.lower() for v in question.languages]))
        )
    for topic in question.topics:
        clauses.append(_filtered(_terms("topic", [topic])))
    if question.role and not question.people:  # anyone in that role
        clauses.append(_filtered(_terms("roles", [ROLE_CODES[question.role]])))
    for person in question.people:
        if question.role:
            value = person * ROLES + ROLE_CODES[question.role]
            clauses.append(_filtered(_terms("role", [value])))
        else:
            clauses.append(_filtered(_terms("person", [person])))
    for speaker in question.speakers:
        clauses.append(_filtered(_terms("speaker", [speaker])))
    if question.ids is not None:
        clauses.append(_filtered(_terms("id", question.ids or [0])))
    if question.since is not None or question.until is not None:
        bounds = {"lower_bound": _microseconds(question.since)}
        if question.until is not None:
            bounds.update(
                upper_bound=_microseconds(question.until), include_upper=False
            )
        clauses.append(
            _filtered(
                tantivy.Query.range_query(
                    SCHEMA, "at", tantivy.FieldType.Integer, **bounds
                )
            )
        )
    if question.undated is not None:
        dated = tantivy.Query.exists_query("at")
        occur = tantivy.Occur.MustNot if question.undated else tantivy.Occur.Must
        clauses.append((occur, tantivy.Query.const_score_query(dated, 0.0)))
    if not any(occur != tantivy.Occur.MustNot for occur, _ in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def _file_version(path: str) -> tuple | None:
    """What changes whenever a file is replaced (Tantivy writes a commit's
    meta.json beside it and renames it over the old one)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


def _microseconds(moment: dt.datetime | None) -> int | None:
    """Microseconds since 1970, exactly (as the database keeps times)."""
    if moment is None:
        return None
    return (moment - UNIX_EPOCH) // dt.timedelta(microseconds=1)


# Answers


@dataclass(frozen=True)
class Hits:
    ids: list[int]
    keys: list[float | int]  # the sort key (or the score) of each
    total: int


_OPPOSITE = {
    tantivy.Order.Desc: tantivy.Order.Asc,
    tantivy.Order.Asc: tantivy.Order.Desc,
}
ORDERS = {
    # name: (fast field or None for the score, tantivy order)
    "relevance": (None, None),
    "newest": ("newest", tantivy.Order.Desc),
    "oldest": ("oldest", tantivy.Order.Asc),
}


def _hits(hits, searcher, *, total: int) -> Hits:
    """Hits of (key or score, address) pairs, their ids read from the index."""
    addresses = [address for _, address in hits]
    ids = searcher.fast_field_values("id", addresses) if addresses else []
    return Hits(ids=ids, keys=[key for key, _ in hits], total=total)


# Windows of the newest (or oldest) articles a date-ordered search of the whole
# archive reads first: as deep as these ranks, found again this often, each
# expected to hold WINDOW_MARGIN times the page's matches (by the text's
# estimated share of the archive; a rarer text is searched without one).
WINDOW_RANKS = (1_000, 8_000, 64_000)
WINDOW_SECONDS = 300
WINDOW_MARGIN = 4
WINDOW_SHARE = 0.05


class Engine:
    """One index folder, opened once per process and shared by its threads."""

    def __init__(self, root: str):
        self.root = root
        self._lock = threading.Lock()
        self._index = None
        self._generation = None
        self._marks = {}

    # The folder

    @property
    def link(self) -> str:
        return os.path.join(self.root, "current")

    def generation(self) -> str | None:
        try:
            return os.readlink(self.link)
        except (FileNotFoundError, OSError):
            return None

    def exists(self) -> bool:
        return self.generation() is not None

    def new_generation(self) -> str:
        """Make an empty index in a new generation folder (not yet served)."""
        os.makedirs(self.root, exist_ok=True)
        name = f"gen-{time.time_ns()}"
        path = os.path.join(self.root, name)
        os.makedirs(path)
        tantivy.Index(SCHEMA, path=path, reuse=False)
        return name

    def serve(self, name: str) -> None:
        """Make generation `name` the one every process searches. The one it
        replaces is kept (processes reading it move on at their next search);
        older ones are removed."""
        previous = self.generation()
        temporary = f"{self.link}.{os.getpid()}.{threading.get_ident()}"
        os.symlink(name, temporary)
        os.replace(temporary, self.link)
        for entry in os.listdir(self.root):
            if entry.startswith("gen-") and entry not in (name, previous):
                shutil.rmtree(os.path.join(self.root, entry), ignore_errors=True)

    def create(self) -> None:
        """Make an empty index and serve it (a new archive, a test)."""
        self.serve(self.new_generation())

    def open(self, name: str | None = None) -> tantivy.Index:
        """Return the served index (or generation `name`), opened with the
        archive's analysers; raise EngineUnavailable when there is none or it
        cannot be read."""
        if name is not None:
            return self._opened(name)
        return self._served()[1]

    def _served(self) -> tuple[str, tantivy.Index]:
        """The served generation's name and its index, opened."""
        current = self.generation()
        if current is None:
            raise EngineUnavailable(f"No search index at {self.root}.")
        with self._lock:
            if current != self._generation:
                self._index, self._generation = self._opened(current), current
            return self._generation, self._index

    def _opened(self, name: str) -> tantivy.Index:
        path = os.path.join(self.root, name)
        try:
            index = tantivy.Index.open(path)
        except (OSError, ValueError) as error:
            raise EngineUnavailable(
                f"The search index at {path} cannot be read: {error}"
            ) from error
        for group in ANALYSED:
            index.register_tokenizer(f"lang_{group}", ANALYZERS[group])
        index.config_reader(reload_policy="OnCommit")
        return index

    def forget(self) -> None:
        with self._lock:
            self._index = self._generation = None

    # Reading

    def searcher(self) -> tantivy.Searcher:
        return self.open().searcher()

    def refresh(self) -> None:
        """See this process's own commits at once (others' within half a second)."""
        self.open().reload()

    @guarded
    def search(
        self,
        question: Question,
        *,
        order: str,
        offset: int = 0,
        limit: int = 20,
        after: int | None = None,
        backwards: bool = False,
        count: bool = True,
    ) -> Hits:
        """The matches of a question in `order`, `limit` of them from
        `offset`, or those past the key `after` in that order (before it,
        nearest first, reading `backwards`), and how many there are."""
        field, direction = ORDERS[order]
        if backwards:
            direction = _OPPOSITE[direction]
        searcher = self.searcher()
        if not count and after is None:
            if field is None:
                hits = self._ranked(question, offset, limit, searcher)
            else:
                hits = self._windowed(
                    question, field, direction, offset, limit, searcher
                )
            if hits is not None:
                return hits
        query = self.compile(
            question, searcher, after=after, field=field, direction=direction
        )
        if field is None:
            result = searcher.search(query, limit=limit, offset=offset, count=count)
        else:
            result = searcher.search(
                query,
                limit=limit,
                offset=offset,
                count=count,
                order_by_field=field,
                order=direction,
            )
        return _hits(result.hits, searcher, total=result.count if count else -1)

    def _ranked(self, question, offset, limit, searcher):
        """The hits of a search of the whole archive by relevance, ranked
        without its statuses, which are then read for the best few. Without
        a filter beside it, a word's ranking skips every block of articles
        that cannot reach the page (Tantivy's block-max WAND), a tenth of
        the time of ranking every match. None when too few of the best had
        the statuses asked for: the caller ranks with them."""
        if not (question.text and question.statuses and question.by_status_only):
            return None
        codes = {STATUS_CODES[status] for status in question.statuses}
        deep = (offset + limit) * 2 + 20
        query = compile_question(question.narrowed(statuses=None), ANALYSED, searcher)
        result = searcher.search(query, limit=deep, count=False)
        addresses = [address for _, address in result.hits]
        statuses = searcher.fast_field_values("status", addresses) if addresses else []
        kept = [
            hit
            for hit, status in zip(result.hits, statuses, strict=True)
            if status in codes
        ]
        if len(kept) < offset + limit and len(result.hits) == deep:
            return None
        return _hits(kept[offset : offset + limit], searcher, total=-1)

    def _windowed(self, question, field, direction, offset, limit, searcher):
        """The hits of a search of the whole archive in date order, found
        among the newest (or oldest) articles first: the rest of the index
        is left unread when that window holds the whole page (no article
        outside it can come before one inside). None when no window held
        it: the caller searches everything. Only for a question narrowed by
        its text and statuses alone, which finds its pages near the ends."""
        if not question.by_status_only:
            return None
        wanted = (offset + limit) * WINDOW_MARGIN
        if question.text:
            share = self.share(question.text, searcher)
            if share < WINDOW_SHARE:
                return None
            wanted /= share
        query = compile_question(question, ANALYSED, searcher)
        for mark in self._window_marks(field, direction, searcher):
            rank, key = mark
            if rank < wanted:
                continue
            if direction == tantivy.Order.Desc:
                bounds = {"lower_bound": key}
            else:
                bounds = {"upper_bound": key}
            window = tantivy.Query.range_query(
                SCHEMA, field, tantivy.FieldType.Unsigned, **bounds
            )
            result = searcher.search(
                tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, query), _filtered(window)]
                ),
                limit=limit,
                offset=offset,
                count=False,
                order_by_field=field,
                order=direction,
            )
            if len(result.hits) == limit:
                return _hits(result.hits, searcher, total=-1)
            wanted = rank + 1  # a wider window next
        return None

    def _window_marks(self, field, direction, searcher) -> list[tuple[int, int]]:
        """(rank, sort key) of the WINDOW_RANKS-th article in this order, of
        the whole index. Found again every WINDOW_SECONDS: older ones still
        bound windows correctly (an article published since is inside, one
        deleted makes the window hold fewer), only less tightly."""
        name = (self._generation, field, direction)
        found = self._marks.get(name)
        if found is not None and time.monotonic() - found[0] < WINDOW_SECONDS:
            return found[1]
        deepest = max(WINDOW_RANKS)
        result = searcher.search(
            tantivy.Query.all_query(),
            limit=deepest,
            count=False,
            order_by_field=field,
            order=direction,
        )
        keys = [key for key, _ in result.hits]
        marks = [(rank, keys[rank - 1]) for rank in WINDOW_RANKS if rank <= len(keys)]
        self._marks[name] = (time.monotonic(), marks)
        return marks

    def compile(
        self, question: Question, searcher, *, after=None, field=None, direction=None
    ):
        query = compile_question(question, ANALYSED, searcher)
        if after is None:
            return query
        if direction == tantivy.Order.Desc:
            bounds = {"upper_bound": after, "include_upper": False}
        else:
            bounds = {"lower_bound": after, "include_lower": False}
        beyond = tantivy.Query.range_query(
            SCHEMA, field, tantivy.FieldType.Unsigned, **bounds
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), _filtered(beyond)]
        )

    @guarded
    def count(self, question: Question) -> int:
        searcher = self.searcher()
        query = self.compile(question, searcher)
        return searcher.search(query, limit=1, count=True).count

    @guarded
    def aggregate(
        self, question: Question, aggregations: dict, *, searcher=None
    ) -> dict:
        searcher = searcher or self.searcher()
        return searcher.aggregate(self.compile(question, searcher), aggregations)

    @guarded
    def aggregate_unfound(
        self, question: Question, aggregations: dict, *, searcher
    ) -> dict:
        """Aggregations over the articles the question's filters allow and
        its text does not find."""
        allowed = compile_question(question.narrowed(text=NO_TEXT), ANALYSED, searcher)
        found = compile_question(
            Question(text=question.text, statuses=None), ANALYSED, searcher
        )
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, allowed), (tantivy.Occur.MustNot, found)]
        )
        return searcher.aggregate(query, aggregations)

    @guarded
    def snapshot(self) -> tuple[tantivy.Searcher, tuple | None]:
        """A searcher of the index as last committed, and a name for that
        state of it (None if a commit landed while it was opened): every
        answer the same searcher gives is the same while the name is."""
        name, index = self._served()
        meta = os.path.join(self.root, name, "meta.json")
        before = _file_version(meta)
        index.reload()
        searcher = index.searcher()
        version = (self.root, name, *before) if before else None
        return searcher, version if before == _file_version(meta) else None

    def share(self, text: Text, searcher: tantivy.Searcher) -> float:
        """About what share of the index the text finds, from how many
        articles hold each of its words (an estimate, for choosing how to
        count: words are taken as found independently of each other, and a
        phrase as often as its words happen to meet in one article)."""
        articles = searcher.num_docs
        if not articles:
            return 0.0

        def found(term) -> float:
            return min(1.0, sum(self._holding(s, searcher) for s in term) / articles)

        share = 1.0
        for group in text.groups:
            share *= min(1.0, sum(found(term) for term in group))
        for term in text.excluded:
            share *= 1.0 - found(term)
        return share

    @staticmethod
    def _holding(spelling: Spelling, searcher: tantivy.Searcher) -> float:
        """About how many articles' text holds the spelling, in any language."""
        articles = searcher.num_docs
        holding = 0.0
        for group in ANALYSED:
            words = tokens(spelling, group)
            if words:
                together = float(articles)
                for word in words:
                    together *= searcher.doc_freq(f"text_{group}", word) / articles
                holding += together
        return holding

    @guarded
    def stamps(self) -> dict[int, int]:
        """Every indexed article's id and stamp (for finding drift)."""
        searcher = self.searcher()
        total = searcher.num_docs
        if not total:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("id", addresses)
        stamps = searcher.fast_field_values("stamp", addresses)
        return dict(zip(ids, stamps, strict=True))

    # Writing

    @contextmanager
    def writer(
        self,
        name: str | None = None,
        *,
        heap: int = INDEX_HEAP,
        threads: int = 1,
        wait: float = LOCK_WAIT,
    ):
        """Hold the writer lock of the served index (or of generation `name`):
        one writer at a time, across processes, each waiting up to `wait`
        seconds for the one before. What the block adds is committed at its
        end (and merges it started waited for), or rolled back if it raises."""
        deadline = time.monotonic() + wait
        while True:
            served = name or self.generation()
            index = self.open(name)
            try:
                writer = index.writer(heap_size=heap, num_threads=threads)
            except ValueError as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() > deadline:
                    raise WriterBusy(str(error)) from error
                time.sleep(0.02)
                continue
            if name is None and self.generation() != served:
                # A rebuild served a new generation while we waited for the
                # old one's lock: write to the new one.
                writer.rollback()
                del writer
                continue
            break
        try:
            yield Writer(writer)
        except BaseException:
            writer.rollback()
            raise
        else:
            writer.commit()
            writer.wait_merging_threads()
        if name is None:
            index.reload()


class Writer:
    def __init__(self, writer):
        self._writer = writer

    def replace(self, entries: list[Entry], ids: list[int]) -> None:
        """Replace the index's documents of these articles with `entries`
        (an id without an entry is removed)."""
        if ids:
            # By a query: delete_documents_by_term takes a Python int for a
            # signed integer, which no unsigned id equals.
            self._writer.delete_documents_by_query(_terms("id", ids))
        for entry in entries:
            self._writer.add_document(entry.document())

    def add(self, entries) -> int:
        n = 0
        for entry in entries:
            self._writer.add_document(entry.document())
            n += 1
        return n

    def clear(self) -> None:
        self._writer.delete_all_documents()
