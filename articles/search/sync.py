"""Keeping the index in step with the database.

Every write that changes what search sees (an article's text, status, date,
outlet or language; a person or topic link; a quote) leaves the article's id in
the outbox table (SearchChange), written by database triggers in the same
transaction, so that no writer can forget it: the admin, the API, the importer,
bulk updates, merges, backups, `loaddata`, raw SQL. Once the transaction
commits, the writing process applies the outbox to the index (`apply_soon`);
a process that dies before it does leaves the outbox for the next one to
apply, or for `manage.py search_index --follow`, and every search applies
what is left first, so that search answers as of the last commit.

Applying takes Tantivy's writer lock first (one writer at a time, across
processes), reads the outbox and the articles' current rows, replaces their
entries, commits the index, and only then removes the outbox rows it read. A
crash at any point leaves rows that the next writer applies again, which
changes nothing it already did.
"""

import atexit
import hashlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from articles.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Quote,
    SearchChange,
)

from . import counting
from .engine import BUILD_HEAP, Engine, EngineUnavailable, Entry, WriterBusy

logger = logging.getLogger(__name__)

# The outbox rows one apply reads at most; a bulk change of more is applied in
# several rounds.
BATCH = 2_000
# A search applies what is left in the outbox before it reads the index, up to
# this many rows, waiting at most READ_LOCK_WAIT seconds for a writer (the
# applier) to finish; a bigger backlog is left to the writers and the follower.
READ_CATCH_UP = 5_000
READ_LOCK_WAIT = 2.0

_engines: dict[str, Engine] = {}


def engine() -> Engine:
    """The index this process searches (SEARCH_INDEX_DIR)."""
    root = str(settings.SEARCH_INDEX_DIR)
    if root not in _engines:
        _engines[root] = Engine(root)
    return _engines[root]


def forget_engines() -> None:
    """Close every index this process has open (tests change the folder)."""
    for opened in _engines.values():
        opened.forget()
    _engines.clear()
    counting.forget()


# Reading what the index should hold


def stamp(*values) -> int:
    """A fingerprint of an entry's fields, the same in every process."""
    digest = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


ENTRY_COLUMNS = [
    "pk",
    "status",
    "title",
    "lead",
    "body",
    "language",
    "outlet_id",
    "published_at",
    "content_hash",
]
# What drift checks compare: the entry's fields without the text itself.
STAMP_COLUMNS = [c for c in ENTRY_COLUMNS if c != "body"]


def _links(within: dict, using):
    """Each article's confirmed people (with roles), topics and speakers, for
    the articles `within` names (a lookup on the links' article)."""
    people, topics, speakers = {}, {}, {}
    confirmed = {"state": LinkState.CONFIRMED, **within}
    for article, person, role in (
        ArticlePerson.objects.using(using)
        .filter(**confirmed)
        .values_list("article_id", "person_id", "role")
    ):
        people.setdefault(article, []).append((person, role))
    for article, topic in (
        ArticleTopic.objects.using(using)
        .filter(**confirmed)
        .values_list("article_id", "topic_id")
    ):
        topics.setdefault(article, []).append(topic)
    for article, speaker in (
        Quote.objects.using(using)
        .filter(**confirmed)
        .values_list("article_id", "speaker_id")
    ):
        speakers.setdefault(article, []).append(speaker)
    return people, topics, speakers


def _within(ids=None, *, after=None, upto=None) -> dict:
    """A lookup on articles' ids: these ids, or the range (after, upto], which
    the database reads as one range of its indexes."""
    if ids is not None:
        return {"in": list(ids)}
    return {"gt": after, "lte": upto}


def _stamped(row, people, topics, speakers) -> int:
    _, status, title, lead, language, outlet, published_at, content_hash = row
    return stamp(
        status,
        title,
        lead,
        language,
        outlet,
        published_at.timestamp() if published_at else None,
        content_hash,
        sorted(set(people)),
        sorted(set(topics)),
        sorted(set(speakers)),
    )


def entries(ids=None, using: str = DEFAULT_DB_ALIAS, *, after=None, upto=None):
    """The index entries of the articles with these ids, or with ids in
    (after, upto], as the database has them now; articles that are gone have
    none."""
    within = _within(ids, after=after, upto=upto)
    rows = list(
        Article.objects.using(using)
        .filter(**{f"pk__{op}": value for op, value in within.items()})
        .values_list(*ENTRY_COLUMNS)
    )
    links = {f"article_id__{op}": value for op, value in within.items()}
    people, topics, speakers = _links(links, using)
    made = []
    for pk, status, title, lead, body, language, outlet, at, content_hash in rows:
        linked = people.get(pk, ()), topics.get(pk, ()), speakers.get(pk, ())
        made.append(
            Entry(
                id=pk,
                status=status,
                title=title,
                text=f"{lead}\n\n{body}" if lead else body,
                language=language,
                outlet=outlet,
                published_at=at,
                people=tuple(linked[0]),
                topics=tuple(linked[1]),
                speakers=tuple(linked[2]),
                stamp=_stamped(
                    (pk, status, title, lead, language, outlet, at, content_hash),
                    *linked,
                ),
            )
        )
    return made


def stored_stamps(using: str = DEFAULT_DB_ALIAS, *, batch: int = 20_000) -> dict:
    """Every article's stamp as the database has it now."""
    result = {}
    for after, upto in id_ranges(using, batch):
        rows = list(
            Article.objects.using(using)
            .filter(pk__gt=after, pk__lte=upto)
            .values_list(*STAMP_COLUMNS)
        )
        links = {"article_id__gt": after, "article_id__lte": upto}
        people, topics, speakers = _links(links, using)
        for row in rows:
            pk = row[0]
            result[pk] = _stamped(
                row, people.get(pk, ()), topics.get(pk, ()), speakers.get(pk, ())
            )
    return result


def id_ranges(using: str = DEFAULT_DB_ALIAS, size: int = 2_000):
    """Consecutive ranges (after, upto] of article ids with `size` articles
    each (the last fewer), read from the primary key's index."""
    after = 0
    articles = Article.objects.using(using).order_by("pk").values_list("pk", flat=True)
    while True:
        ids = list(articles.filter(pk__gt=after)[size - 1 : size])
        if ids:
            yield after, ids[0]
            after = ids[0]
            continue
        last = articles.filter(pk__gt=after).last()
        if last is not None:
            yield after, last
        return


# Applying the outbox


def apply(
    using: str = DEFAULT_DB_ALIAS,
    *,
    limit: int | None = None,
    wait: float | None = None,
    generation: str | None = None,
) -> int:
    """Apply the outbox to the index (or to generation `generation`), `limit`
    rows at most (all by default), in rounds of BATCH; return how many
    articles were re-indexed. Raises WriterBusy when another writer held the
    lock past `wait` seconds."""
    done = 0
    target = engine()
    options = {} if wait is None else {"wait": wait}
    outbox = SearchChange.objects.using(using)
    while (limit is None or done < limit) and waiting(using):
        size = BATCH if limit is None else min(BATCH, limit - done)
        with target.writer(generation, **options) as writer:
            changes = list(outbox.order_by("pk").values_list("pk", "article_id")[:size])
            ids = sorted({article for _, article in changes})
            writer.replace(entries(ids, using), ids)
        # Only the rows read: a row committed since (with a lower id, from a
        # transaction that started earlier) stays for the next round.
        outbox.filter(pk__in=[pk for pk, _ in changes]).delete()
        done += len(ids)
    return done


def apply_soon(using: str = DEFAULT_DB_ALIAS) -> None:
    """Apply the outbox once the current transaction commits (at once outside
    one), in the applier's thread: the request or import that wrote goes on
    at once. However many times a transaction asks, one pass follows its
    commit (and one more, if a commit comes during a pass)."""
    transaction.on_commit(lambda: applier.wake(using), using=using)


class Applier:
    """Applies the outbox in a thread of its own, started when there is work
    and ended when there is none, so that no process keeps a thread it does
    not need (nor forks one). At the end of a process, `flush` waits for a
    pass under way (registered with atexit); a pass cut short anyway leaves the
    outbox for the next writer or search."""

    def __init__(self):
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._wanted: set[str] = set()
        self._running = False

    def wake(self, using: str = DEFAULT_DB_ALIAS) -> None:
        if not settings.SEARCH_APPLY_IN_THREAD:
            apply_after_commit(using)
            return
        with self._lock:
            self._wanted.add(using)
            if not self._running:
                self._running = True
                thread = threading.Thread(
                    target=self._run, name="search-applier", daemon=True
                )
                thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    self._done.notify_all()
                    return
                using = self._wanted.pop()
            try:
                apply_after_commit(using)
            finally:
                connections.close_all()  # this thread's own

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every pass asked for is done; False if still busy."""
        with self._lock:
            return self._done.wait_for(
                lambda: not self._running and not self._wanted, timeout
            )


applier = Applier()
atexit.register(applier.flush)


def apply_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Apply the outbox after a commit; a failure is logged, never raised: the
    change is saved and the outbox keeps it for the next writer or search."""
    try:
        apply(using)
    except WriterBusy:
        logger.info("Search index busy; the outbox waits for the next writer.")
    except EngineUnavailable as error:
        logger.warning(
            "Search index unavailable, changes kept in the outbox: %s", error
        )
    except Exception:
        logger.exception("Applying the search outbox failed; it is kept.")


def waiting(using: str | None = None) -> bool:
    """Whether the outbox holds any change (asked of the primary key's index:
    a table just emptied of many rows is scanned fast by its index, slowly by
    its pages until it is vacuumed). Asked where the router reads, unless
    `using` says."""
    outbox = SearchChange.objects.using(using) if using else SearchChange.objects
    return bool(outbox.order_by("pk").values_list("pk")[:1])


def catch_up() -> bool:
    """Before a search: apply what the outbox still holds (a writer that died,
    a test's uncommitted transaction), unless another process is already at
    it or the backlog is a bulk change's, which its writer applies. Return
    whether the index is now in step (nothing waits: asked once more only
    when something did).

    Whether anything is pending is asked where the request reads (a replica,
    for anonymous visitors, where one is set up); only then is the primary
    written to."""
    if not waiting():
        return True
    try:
        done = apply(limit=READ_CATCH_UP, wait=READ_LOCK_WAIT)
    except WriterBusy:
        return False
    if done:
        engine().refresh()
    return not waiting()


# Rebuilding


def rebuild(
    using: str = DEFAULT_DB_ALIAS,
    *,
    batch: int = 2_000,
    threads: int = 2,
    progress=None,
) -> int:
    """Build a new index generation from every article, then serve it.

    The served index keeps answering meanwhile. Its writer lock is held
    throughout, so that changes made during the build wait in the outbox; they
    are applied to the new generation before it is served. Returns the number
    of articles indexed."""
    target = engine()
    name = target.new_generation()
    started = time.monotonic()
    total = 0
    with _served_lock(target):
        # Changes committed before the build reads the database are in it.
        outbox = SearchChange.objects.using(using)
        covered = list(outbox.values_list("pk", flat=True))
        with target.writer(name, heap=BUILD_HEAP, threads=threads) as writer:
            batches = (
                entries(using=using, after=after, upto=upto)
                for after, upto in id_ranges(using, batch)
            )
            for batch_entries in _prefetched(batches, using):
                total += writer.add(batch_entries)
                if progress:
                    progress(total, time.monotonic() - started)
        for start in range(0, len(covered), 10_000):
            outbox.filter(pk__in=covered[start : start + 10_000]).delete()
        apply(using, generation=name)
        target.serve(name)
    return total


def _prefetched(batches, using: str):
    """The batches, each read from the database in a thread of its own while
    the one before is being indexed, so that the database's work and the
    index's overlap. Inside a transaction (a test's, a caller's) they are read
    here instead: another connection would not see what it wrote."""
    if connections[using].in_atomic_block:
        yield from batches
        return

    def read_next():
        return next(batches, None)

    with ThreadPoolExecutor(max_workers=1) as reader:
        batches = iter(batches)
        try:
            ahead = reader.submit(read_next)
            while (batch := ahead.result()) is not None:
                ahead = reader.submit(read_next)
                yield batch
        finally:
            reader.submit(connections.close_all).result()


@contextmanager
def _served_lock(target: Engine):
    """Hold the served index's writer lock, if there is an index that can be
    opened (a missing or damaged one is what a rebuild replaces)."""
    with ExitStack() as held:
        with suppress(EngineUnavailable):
            held.enter_context(target.writer(wait=60))
        yield


def check(using: str = DEFAULT_DB_ALIAS) -> dict:
    """Compare the index with the database: ids missing from the index,
    entries of articles that are gone, and entries that differ."""
    indexed = engine().stamps()
    stored = stored_stamps(using)
    return {
        "missing": sorted(set(stored) - set(indexed)),
        "extra": sorted(set(indexed) - set(stored)),
        "stale": sorted(
            pk for pk in stored.keys() & indexed.keys() if stored[pk] != indexed[pk]
        ),
    }


def repair(drift: dict, using: str = DEFAULT_DB_ALIAS) -> int:
    """Queue every drifted article in the outbox and apply it."""
    ids = sorted({*drift["missing"], *drift["extra"], *drift["stale"]})
    SearchChange.objects.using(using).bulk_create(
        [SearchChange(article_id=pk) for pk in ids], batch_size=5_000
    )
    apply(using)
    return len(ids)
