"""The import: from sources (a name and its bytes) to draft articles.

Every item (a file, or one line of a JSON Lines file) is written inside its own
savepoint: it goes in whole or not at all, and a bad item never stops the
others. Items are committed in batches, which keeps SQLite and PostgreSQL from
paying one disk flush per article; an interrupted run loses at most the batch in
flight, never part of an article, and a re-run skips what is already in.
"""

import datetime as dt
import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import (
    CharField,
    Prefetch,
    TextField,
    prefetch_related_objects,
)
from django.utils import timezone

from articles.cache import bump_on_commit
from articles.counts import recount_for_articles
from articles.history import record_origins, short_name
from articles.models import (
    Article,
    ArticleFingerprint,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    CandidatePerson,
    ImportBatch,
    LinkState,
    Outlet,
    Quote,
    Story,
)
from articles.search import sync
from articles.text import fold

from . import analysis as analysing
from . import fingerprint, jsonl, reading, signatures
from .analysis import Analysis, Entry, analyse, decode_source, parse_decoded
from .language import load_model as load_language_model
from .parsed import ParsedArticle, RejectedInput, one_line, unexpected
from .suggest import NameIndex

logger = logging.getLogger(__name__)

NO_OUTLET = (
    "No outlet found in the input: imported as a draft. Choose its outlet "
    "before sending it to review (or import it with --outlet SLUG, or the "
    "upload form's outlet field)."
)

BATCH_SIZE = 200
# Parsing and analysis (language, suggestions, fingerprints) run in worker
# processes for inputs of at least POOL_MIN_ITEMS items, in chunks of
# CHUNK_ITEMS, at most AHEAD chunks a worker ahead of the writes (enough to
# keep the workers busy while a batch is written); smaller inputs are not worth
# starting processes for. The database is only used here, in the process that
# runs the import.
POOL_MIN_ITEMS = 2 * BATCH_SIZE
CHUNK_ITEMS = 50
AHEAD = 8


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(cores, 8)


IMPORTED, UPDATED, DUPLICATE, REJECTED = "imported", "updated", "duplicate", "rejected"
STATUSES = (IMPORTED, UPDATED, DUPLICATE, REJECTED)


class _ItemByItem(Exception):
    """The batch cannot be written whole; write it item by item."""


class _Rejected(Exception):
    def __init__(self, item):
        super().__init__(item.error)
        self.item = item


@dataclass
class _Draft:
    source: str
    parsed: ParsedArticle
    article: Article
    warnings: list[str]
    analysis: Analysis


@dataclass
class Item:
    source: str
    status: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    article: dict | None = None

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "warnings": self.warnings,
            "article": self.article,
        }


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            counts[item.status] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "items": [item.as_dict() for item in self.items],
            "summary": self.summary(),
        }

    @property
    def rejected(self) -> int:
        return self.summary()[REJECTED]


def message_of(error: Exception) -> str:
    """Return the one-line reason an error gives for rejecting an item."""
    if not isinstance(error, ValidationError):
        return one_line(error)
    if hasattr(error, "message_dict"):
        return one_line(
            "; ".join(
                f"{'' if name == '__all__' else name + ': '}{' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
        )
    return one_line(" ".join(error.messages))


def article_summary(article: Article, *, authors: list[str], dry_run: bool) -> dict:
    return {
        "id": None if dry_run else article.pk,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet is not None else None,
        "published_at": article.published_at.isoformat()
        if article.published_at
        else None,
        "authors": authors,
        "url": article.url,
        "dateline": article.dateline,
        "language": article.language,
        "body": article.body,
    }


def start_batch(
    *,
    origin: str,
    sources: list[str],
    status: str,
    user=None,
    started_by: str = "",
) -> ImportBatch:
    """Record the start of an import (not of a dry run, which writes nothing);
    its number names it in the history of the articles it brings in."""
    batch = ImportBatch(
        origin=origin,
        sources=", ".join(sources)[:2000],
        status=status,
        user=user,
        started_by=(user.get_username() if user else started_by)[:150],
    )
    batch.full_clean()
    batch.save()
    return batch


def finish_batch(batch: ImportBatch, report: Report) -> None:
    """Keep the import's report with its record: each item's source, result,
    error and warnings, and its article's id and title (not its text)."""
    batch.summary = report.summary()
    batch.items = [
        {
            **item.as_dict(),
            "article": item.article
            and {k: item.article[k] for k in ("id", "title", "outlet")},
        }
        for item in report.items
    ]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["summary", "items", "finished_at"])


def path_sources(paths: Iterable[str | Path], *, max_bytes: int):
    """Yield (source name, bytes or the reason the file cannot be read)."""
    for path in reading.iter_paths([Path(p) for p in paths]):
        try:
            yield str(path), reading.read_bytes(path, max_bytes=max_bytes)
        except RejectedInput as error:
            yield str(path), error


class Importer:
    """Import articles; one instance per run, holding the lookups it reuses."""

    def __init__(
        self,
        *,
        default_outlet: Outlet | None = None,
        status: str = Article.Status.DRAFT,
        dry_run: bool = False,
        max_bytes: int | None = None,
        workers: int = 1,
        batch: ImportBatch | None = None,
    ):
        """workers > 1: parse and analyse imports of POOL_MIN_ITEMS items or
        more in that many forked processes. Only for a process that runs no
        other threads (a management command, not a threaded web server), since
        a fork copies locks other threads may hold.

        batch: the import's record (start_batch), named in each new article's
        first history record and kept on the article."""
        self.default_outlet = default_outlet
        self.batch = batch
        self.workers = workers
        self._status_valid = not analysing.field_errors({"status": status})
        self.status = status
        self.dry_run = dry_run
        self.max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
        self.people = NameIndex.of_people()
        self.topics = NameIndex.of_topics()
        self._load_outlets()

    def _load_outlets(self):
        self._outlets_by_domain: dict[str, Outlet] = {}
        self._outlets_by_name: dict[str, Outlet] = {}
        for outlet in Outlet.objects.all():
            self._remember(outlet)

    def _remember(self, outlet: Outlet):
        self._outlets_by_name[fold(outlet.name)] = outlet
        for domain in outlet.domains:
            self._outlets_by_domain[domain] = outlet

    def run(
        self, sources: Iterable[tuple[str, bytes | RejectedInput]]
    ) -> Iterator[Item]:
        """Yield one report item per article found in the sources, as it is done."""
        jobs = self._jobs(sources)
        head = list(islice(jobs, POOL_MIN_ITEMS))
        jobs = chain(head, jobs)
        if len(head) >= POOL_MIN_ITEMS and self._can_fork():
            if any(kind == "text" for kind, _ in head):
                # Pages seldom declare their language: load the model once,
                # for the workers to share, rather than once in each.
                load_language_model()
            entries = self._entries_from_workers(jobs)
        else:
            # Analysed when written, and only articles that are new.
            entries = (entry for job in jobs for entry in analysing.entries_of(job))
        pending: list[Entry] = []
        for entry in entries:
            pending.append(entry)
            if len(pending) >= BATCH_SIZE:
                yield from self._write_batch(pending)
                pending = []
        if pending:
            yield from self._write_batch(pending)

    def _jobs(self, sources):
        """Yield the work the sources make, one job an item: a JSON Lines file
        is split here into its records, so that workers share a large one."""
        for name, data in sources:
            decoded = decode_source(name, data, self.max_bytes)
            if isinstance(decoded, RejectedInput):
                yield "item", (name, decoded, "")
            elif decoded[1] == "jsonl" and jsonl.is_line_by_line(decoded[0]):
                # As parse_jsonl reads it, a line at a time, the parsing left
                # to whoever does the job.
                now = dt.datetime.now(dt.UTC)
                for number, line in enumerate(decoded[0].split("\n"), start=1):
                    if line.strip():
                        yield "line", (name, number, line, now)
            elif decoded[1] == "jsonl":
                for item in parse_decoded(name, *decoded):
                    yield "item", item
            else:
                yield "text", (name, *decoded)

    def _can_fork(self) -> bool:
        return self.workers > 1 and "fork" in multiprocessing.get_all_start_methods()

    def _entries_from_workers(self, jobs) -> Iterator[Entry]:
        """Yield the jobs' entries, parsed and analysed by a pool of forked
        workers, in order. The workers never touch the database: they inherit
        the parent's connection but never use it, and leave without closing it."""
        context = multiprocessing.get_context("fork")
        pool = context.Pool(
            self.workers,
            initializer=analysing.init_worker,
            initargs=(self.people, self.topics),
        )
        try:
            in_flight = deque()
            while chunk := list(islice(jobs, CHUNK_ITEMS)):
                in_flight.append(pool.apply_async(analysing.work, (chunk,)))
                if len(in_flight) >= AHEAD * self.workers:
                    yield from in_flight.popleft().get()
            while in_flight:
                yield from in_flight.popleft().get()
        finally:
            pool.terminate()
            pool.join()

    def _write_batch(self, pending) -> Iterator[Item]:
        """Write a batch: first all of it in a few bulk statements; if anything in
        it fails, item by item, each in its own savepoint."""
        try:
            with transaction.atomic():
                if not self.dry_run:
                    # Bulk inserts and updates send no signals: new versions of
                    # public articles, stories joined, outlets created; the
                    # search outbox has them (triggers), applied once this
                    # commits.
                    bump_on_commit()
                    sync.apply_soon()
                self._known = self._existing_texts(pending)
                try:
                    with transaction.atomic():
                        items = self._write(pending, whole=True)
                        if self.dry_run:
                            transaction.set_rollback(True)
                except Exception:
                    # Forget what the undone attempt wrote, then go one by one.
                    self._load_outlets()
                    self._known = self._existing_texts(pending)
                    items = [self._write_one(entry) for entry in pending]
        except DatabaseError as error:
            # The batch is gone whole; say so for every item in it.
            items = [
                Item(
                    source=e.source,
                    status=REJECTED,
                    error=f"Database error: {one_line(error)}",
                )
                for e in pending
            ]
            self._load_outlets()
        if self.dry_run:
            self._load_outlets()  # outlets "created" by the dry run do not exist
        yield from items

    def _write_one(self, entry: Entry) -> Item:
        source, parsed = entry.source, entry.parsed
        known, by_url = dict(self._known), dict(self._by_url)
        outlets = len(self._outlets_by_name)
        try:
            with transaction.atomic():
                (item,) = self._write([entry], whole=False)
                if self.dry_run:
                    transaction.set_rollback(True)
            return item
        except IntegrityError as error:
            item = Item(
                source=source,
                status=REJECTED,
                error=f"The archive refused this article: {one_line(error)}",
                warnings=parsed.warnings,
            )
        except _Rejected as rejected:
            item = rejected.item
        except Exception as error:
            # A bug must not cost the rest of the run its articles: report it on
            # this item, with the traceback in the log.
            logger.exception("Importing %s failed", source)
            item = Item(
                source=source,
                status=REJECTED,
                error=str(unexpected(error)),
                warnings=parsed.warnings,
            )
        # The item's savepoint is undone: so is what it taught the lookups.
        self._known, self._by_url = known, by_url
        if len(self._outlets_by_name) != outlets:
            self._load_outlets()
        return item

    def _write(self, entries, *, whole: bool) -> list[Item]:
        """Import entries; return one report item each, in order.

        whole: the entries share one savepoint, so an item rejected after it
        wrote something (a new outlet) sends the batch item by item instead.
        Otherwise there is one entry, and its rejection undoes its savepoint.
        """
        results: list[Item | _Draft] = []
        urls: set[str] = set()
        for entry in entries:
            source, parsed = entry.source, entry.parsed
            if isinstance(parsed, RejectedInput):
                results.append(
                    Item(source=source, status=REJECTED, error=message_of(parsed))
                )
                continue
            before = len(self._outlets_by_name)
            try:
                outcome = self._prepare(entry)
            except (RejectedInput, ValidationError) as error:
                item = Item(
                    source=source,
                    status=REJECTED,
                    error=message_of(error),
                    warnings=parsed.warnings,
                )
                if len(self._outlets_by_name) > before:
                    if whole:
                        raise _ItemByItem from error
                    raise _Rejected(item) from error
                results.append(item)
                continue
            if isinstance(outcome, _Draft):
                if outcome.article.url and outcome.article.url in urls:
                    raise _ItemByItem  # a second capture of a URL in this batch
                urls.add(outcome.article.url)
            results.append(outcome)
        drafts = [r for r in results if isinstance(r, _Draft)]
        if drafts:
            self._assign_slugs(drafts)
            _insert_articles([d.article for d in drafts])
            self._record_history(drafts)
            self._by_url.update(
                {d.article.url: d.article for d in drafts if d.article.url}
            )
            self._add_suggestions(drafts)
            self._link_stories(drafts)
            if self.status == Article.Status.PUBLISHED:
                # Inserted without signals: count them for their outlets.
                recount_for_articles([d.article.pk for d in drafts])
        return [
            Item(
                source=r.source,
                status=IMPORTED,
                warnings=r.warnings,
                article=article_summary(
                    r.article, authors=r.parsed.authors, dry_run=self.dry_run
                ),
            )
            if isinstance(r, _Draft)
            else r
            for r in results
        ]

    def _record_history(self, drafts):
        """Give the new articles their first history record, saying where they
        came from, in one statement for the batch."""
        if self.batch is None:
            reasons = {
                d.article.pk: f"Imported from {short_name(d.source)}" for d in drafts
            }
        else:
            reasons = {
                d.article.pk: self.batch.history_reason(d.source) for d in drafts
            }
        record_origins(
            Article,
            reasons,
            when=drafts[0].article.imported_at,
            user_id=self.batch and self.batch.user_id,
        )

    def _prepare(self, entry: Entry) -> "Item | _Draft":
        """Validate one article and decide what it is, writing only a new outlet
        or a captured version; return the report item, or a draft to insert."""
        source, parsed, raw = entry.source, entry.parsed, entry.raw
        body, digest = entry.body, entry.digest
        warnings = list(parsed.warnings)
        if not parsed.title.strip():
            raise RejectedInput("No title found.")
        if not body:
            raise RejectedInput("No article text found.")

        existing = self._same_text(digest)
        if existing is not None:
            return Item(
                source=source,
                status=DUPLICATE,
                warnings=warnings,
                article=self._summary(existing),
            )

        outlet = self._outlet_for(parsed, warnings)
        now = timezone.now()
        if parsed.url:
            same_url = self._by_url.get(parsed.url)
            if same_url is not None:
                version = ArticleVersion(
                    article=same_url,
                    captured_at=now,
                    title=parsed.title.strip()[:500],
                    lead=parsed.lead.strip(),
                    body=body,
                    content_hash=digest,
                    raw_text=raw,
                    source=source,
                )
                version.full_clean()
                version.save()
                self._known[digest] = same_url
                warnings.append(
                    "The outlet changed this article since it was captured; the new "
                    "text is kept as a version for curators to compare."
                )
                return Item(
                    source=source,
                    status=UPDATED,
                    warnings=warnings,
                    article=self._summary(same_url),
                )

        if entry.analysis is None:
            entry.analysis = analyse(entry, self.people, self.topics)
        analysis = entry.analysis
        language = analysis.language
        if not language:
            language = (outlet.language if outlet is not None else "") or "en"
            warnings.append(f"Language not detected; set to “{language}”.")
        status = self.status
        if outlet is None:
            # Imported rather than rejected: a curator chooses the outlet, and
            # until then the article stays a draft (article_outlet_unless_draft).
            status = Article.Status.DRAFT
            warnings.append(NO_OUTLET)
        # The fields as Article.refresh_derived_fields would leave them: the
        # analysis normalised the body and derived the rest from it.
        article = Article(
            outlet=outlet,
            title=analysis.title,
            url=parsed.url,
            published_at=parsed.published_at,
            dateline=parsed.dateline[:200],
            lead=analysis.lead,
            body=body,
            content_hash=digest,
            word_count=analysis.word_count,
            language=language,
            status=status,
            raw_text=raw,
            source=source[:2000],
            imported_at=now,
            import_batch=self.batch,
        )
        # The analysis validated what came from the input; the language the
        # outlet gave and the importer's status are checked here.
        if not (analysis.fields_valid and analysis.language and self._status_valid):
            self._validate(article)
        self._known[digest] = article
        return _Draft(
            source=source,
            parsed=parsed,
            article=article,
            warnings=warnings,
            analysis=analysis,
        )

    @staticmethod
    def _validate(article: Article):
        """Validate a new article's fields as full_clean would, without its two
        queries per article: the outlet is one the importer loaded or created,
        and the body's hash was looked up for the whole batch (the database's
        unique constraint still refuses a duplicate that slips in between).
        Title and body are present, the derived fields are set above, and
        date_inferred is False, so Article.clean has nothing else to refuse."""
        values = {f.attname: getattr(article, f.attname) for f in analysing.VALIDATED}
        errors = analysing.field_errors(values, article)
        if errors:
            raise ValidationError(errors)

    def _assign_slugs(self, drafts):
        """Give each new article a unique slug, with at most two queries for the
        batch: the bases taken, then every slug starting with a base that is
        taken or that two articles of the batch share."""
        # Unsaved models cannot be dictionary keys, hence pairs.
        bases = [(d.article, d.analysis.slug_base) for d in drafts]
        taken = set(
            Article.objects.filter(slug__in={base for _, base in bases}).values_list(
                "slug", flat=True
            )
        )
        counts = Counter(base for _, base in bases)
        clashing = {base for base, n in counts.items() if n > 1 or base in taken}
        taken |= _slugs_starting_with(sorted(clashing))
        for article, base in bases:
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            article.slug = slug
            taken.add(slug)

    def _existing_texts(self, pending) -> dict[str, Article]:
        """Return the batch's bodies already in the archive, by content hash, in
        two queries for the whole batch rather than two per article."""
        digests = {e.digest for e in pending if e.digest}
        known = {
            article.content_hash: article
            for article in Article.objects.select_related("outlet").filter(
                content_hash__in=digests
            )
        }
        versions = ArticleVersion.objects.select_related("article__outlet").filter(
            content_hash__in=digests - set(known)
        )
        known.update({version.content_hash: version.article for version in versions})
        self._with_authors(known.values())
        # The URL index is partial (URLs are unique only when present): SQLite
        # uses it only when the query states the index's condition.
        urls = {
            e.parsed.url
            for e in pending
            if isinstance(e.parsed, ParsedArticle) and e.parsed.url
        }
        self._by_url = {
            article.url: article
            for article in Article.objects.select_related("outlet")
            .filter(url__in=urls)
            .exclude(url="")
        }
        self._with_authors(self._by_url.values())
        return known

    @staticmethod
    def _with_authors(articles):
        """Load the authors of articles a report names, one query for all."""
        prefetch_related_objects(
            [a for a in articles if a.pk is not None],
            Prefetch(
                "person_links",
                ArticlePerson.objects.filter(role=ArticlePerson.Role.AUTHOR)
                .select_related("person")
                .order_by("pk"),
                to_attr="author_links",
            ),
        )

    def _same_text(self, digest: str) -> Article | None:
        return self._known.get(digest)

    def _summary(self, article: Article) -> dict:
        links = getattr(article, "author_links", None)
        if links is None:  # captured in this run: its authors are suggestions
            links = article.person_links.filter(role=ArticlePerson.Role.AUTHOR)
        authors = [link.person.name for link in links]
        return article_summary(article, authors=authors, dry_run=False)

    def _outlet_for(self, parsed: ParsedArticle, warnings) -> Outlet | None:
        """Return the archive's outlet for the input: one it matches by domain or
        name, else one created from what the input says, else the importer's
        default outlet (--outlet), which only fills in for inputs that name
        none; None when there is none of these."""
        domains = [d.lower().removeprefix("www.") for d in parsed.outlet_domains if d]
        if parsed.url:
            domains.insert(0, signatures.domain_of(parsed.url))
        for domain in domains:
            parts = domain.split(".")
            for i in range(len(parts) - 1):
                outlet = self._outlets_by_domain.get(".".join(parts[i:]))
                if outlet is not None:
                    return outlet
        names = [parsed.outlet] if parsed.outlet else []
        signature = next(
            filter(None, (signatures.for_domain(d) for d in domains)), None
        ) or (signatures.for_name(parsed.outlet) if parsed.outlet else None)
        if signature is not None:
            names.insert(0, signature.name)
        for name in names:
            outlet = self._outlets_by_name.get(fold(name))
            if outlet is not None:
                return outlet
        if signature is not None:
            outlet = Outlet(
                name=signature.name,
                domains=list(signature.domains),
                country=signature.country,
                language=signature.language,
                ownership=signature.ownership,
            )
        elif parsed.outlet or domains:
            outlet = Outlet(
                name=(parsed.outlet or domains[0])[:200],
                domains=[d for d in dict.fromkeys(domains) if d][:5],
                homepage=f"https://{domains[0]}/" if domains else "",
            )
        else:
            return self.default_outlet
        outlet.full_clean()
        outlet.save()
        self._remember(outlet)
        warnings.append(f"New outlet “{outlet.name}” created; check its details.")
        return outlet

    def _add_suggestions(self, drafts):
        """Suggest people, topics, quotes and candidates for the new articles,
        with one insert per kind for the whole batch."""
        # Rows of plain values rather than model instances: a batch has several
        # thousand, and Django's per-instance work was most of the write.
        suggested = str(LinkState.SUGGESTED)
        people, topics, quotes, candidates = [], [], [], []
        for draft in drafts:
            pk = draft.article.pk
            found = draft.analysis.suggestions
            draft.warnings.extend(draft.analysis.topic_warnings)
            people += [
                (pk, person, str(role), suggested) for person, role in found.people
            ]
            topics += [(pk, topic, suggested) for topic in found.topics]
            quotes += [
                (pk, q.person_id, q.text, q.start, q.end, suggested)
                for q in found.quotes
            ]
            candidates += [
                (
                    pk,
                    c.name[:200],
                    c.title[:200],
                    str(c.role),
                    c.context[:300],
                    str(CandidatePerson.State.SUGGESTED),
                )
                for c in found.candidates
            ]
        _insert_rows(ArticlePerson, ["article", "person", "role", "state"], people)
        _insert_rows(ArticleTopic, ["article", "topic", "state"], topics)
        _insert_rows(
            Quote, ["article", "speaker", "text", "start", "end", "state"], quotes
        )
        _insert_rows(
            CandidatePerson,
            ["article", "name", "title", "role", "context", "state"],
            candidates,
            ignore_conflicts=True,
        )

    def _link_stories(self, drafts):
        """Link each new article to copies of the same story in other outlets,
        earlier articles in this batch included, in three queries for the batch."""
        shingles = {d.article.pk: d.analysis.shingles for d in drafts}
        keys = {d.article.pk: d.analysis.band_keys for d in drafts}
        by_key: dict[int, list[tuple[int, int]]] = {}
        wanted = {key for article_keys in keys.values() for key in article_keys}
        if not wanted:
            return
        for key, article_id, outlet_id in _fingerprint_rows(wanted):
            by_key.setdefault(key, []).append((article_id, outlet_id))
        # In key order, so that the key index takes them in one pass.
        _insert_rows(
            ArticleFingerprint,
            ["article", "key"],
            sorted(
                (
                    (pk, key)
                    for pk, article_keys in keys.items()
                    for key in article_keys
                ),
                key=itemgetter(1),
            ),
        )
        chosen: dict[int, list[int]] = {}
        for draft in drafts:
            article = draft.article
            shared: dict[int, int] = {}
            for key in keys[article.pk]:
                for other, outlet_id in by_key.get(key, ()):
                    if outlet_id != article.outlet_id:
                        shared[other] = shared.get(other, 0) + 1
                # Later articles of the batch see this one.
                by_key.setdefault(key, []).append((article.pk, article.outlet_id))
            ranked = sorted(
                (o for o, n in shared.items() if n >= fingerprint.MIN_SHARED_BANDS),
                key=lambda other: (-shared[other], other),
            )
            chosen[article.pk] = ranked[: fingerprint.MAX_COMPARED]
        in_batch = {d.article.pk: d.article for d in drafts}
        stored_ids = {o for ids in chosen.values() for o in ids} - set(in_batch)
        others = {
            a.pk: a
            for a in Article.objects.filter(pk__in=stored_ids).only(
                "pk", "body", "story_id", "title"
            )
        } | in_batch
        for draft in drafts:
            article = draft.article
            copies = [
                others[o]
                for o in chosen[article.pk]
                if fingerprint.containment(
                    shingles[article.pk],
                    shingles[o]
                    if o in shingles
                    else fingerprint.shingles(others[o].body),
                )
                >= fingerprint.CONTAINMENT
            ]
            if copies:
                self._join_story(article, copies)
                draft.warnings.append(
                    "Linked as a copy of the same story as: "
                    + "; ".join(f"“{c.title}” (#{c.pk})" for c in copies)
                )

    def _join_story(self, article, copies):
        story_ids = sorted({c.story_id for c in [article, *copies] if c.story_id})
        story = (
            Story.objects.get(pk=story_ids[0]) if story_ids else Story.objects.create()
        )
        if len(story_ids) > 1:
            Article.objects.filter(story_id__in=story_ids[1:]).update(story=story)
            Story.objects.filter(pk__in=story_ids[1:]).delete()
        members = [article, *copies]
        Article.objects.filter(pk__in=[m.pk for m in members]).update(story=story)
        for member in members:
            member.story_id = story.pk


def _slugs_starting_with(prefixes: list[str]) -> set[str]:
    """Return the stored slugs that start with any of the prefixes, in one
    statement per 200 prefixes, each part of which the slug's index serves:
    SQLite cannot use an index for LIKE (case-insensitive there) but can for a
    range; PostgreSQL has a pattern index for LIKE, and collations under which
    the range would be wrong."""
    quote = connection.ops.quote_name
    table, column = quote(Article._meta.db_table), quote("slug")
    select = f"SELECT {column} FROM {table} WHERE {column}"
    found = set()
    with connection.cursor() as cursor:
        for start in range(0, len(prefixes), 200):
            chunk = prefixes[start : start + 200]
            if connection.vendor == "sqlite":
                # Compared as bytes, every string starting with the prefix sorts
                # between it and the prefix followed by the last code point.
                part = f"{select} >= %s AND {column} < %s"
                params = [
                    p for prefix in chunk for p in (prefix, prefix + "\U0010ffff")
                ]
            else:
                part = f"{select} LIKE %s"
                params = [
                    prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    + "%"
                    for prefix in chunk
                ]
            cursor.execute(" UNION ALL ".join([part] * len(chunk)), params)
            found.update(slug for (slug,) in cursor.fetchall())
    return found


def _fingerprint_rows(keys: set[int]) -> list[tuple[int, int, int]]:
    """Return (key, article id, outlet id) for the stored fingerprints with any
    of the keys: thousands a batch, so as plain SQL, in chunks under SQLite's
    limit on parameters."""
    quote = connection.ops.quote_name
    fingerprints = quote(ArticleFingerprint._meta.db_table)
    articles = quote(Article._meta.db_table)
    key, article_id, outlet_id, id_ = map(
        quote, ["key", "article_id", "outlet_id", "id"]
    )
    select = (
        f"SELECT f.{key}, f.{article_id}, a.{outlet_id} FROM {fingerprints} f "
        f"JOIN {articles} a ON a.{id_} = f.{article_id} WHERE f.{key}"
    )
    rows = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{select} = ANY(%s)", [list(keys)])
            return cursor.fetchall()
        keys = list(keys)
        size = connection.features.max_query_params or 999
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            rows += cursor.fetchall()
    return rows


def _insert_articles(articles: list[Article]):
    """Insert new articles as bulk_create does (each field's pre_save and
    database value, the outlet's id) and give them their ids, without the
    statement compiler's work for each of their 21 fields: as rows of values,
    then one query for the ids by content hash, which is unique."""
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    # A text field stores a string as it is (pre_save reads the attribute, the
    # database value of a str is itself): most of the 21 fields, skipped below.
    text = [
        (f.attname if isinstance(f, CharField | TextField) else None) for f in fields
    ]
    for article in articles:
        article._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = []
    for article in articles:
        values = article.__dict__
        row = []
        for f, attname in zip(fields, text, strict=True):
            if attname is not None and type(value := values[attname]) is str:
                row.append(value)
            else:
                row.append(f.get_db_prep_save(f.pre_save(article, True), connection))
        rows.append(tuple(row))
    _insert_rows(Article, [f.name for f in fields], rows)
    ids = dict(
        Article.objects.filter(
            content_hash__in=[a.content_hash for a in articles]
        ).values_list("content_hash", "pk")
    )
    for article in articles:
        article.pk = ids[article.content_hash]
        article._state.adding = False
        article._state.db = connection.alias


def _insert_rows(
    model, fields: list[str], rows: list[tuple], *, ignore_conflicts=False
):
    """Insert rows of plain values for the fields of model, ids left to the
    database: with COPY on PostgreSQL (or, skipping rows that break a unique
    constraint when ignore_conflicts, one INSERT for many rows), executemany
    on SQLite."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        values = f"({', '.join(['%s'] * len(fields))})"
        if connection.vendor == "postgresql":
            # One statement for many rows (executemany runs one a row), within
            # the 65,535 parameters a statement may have.
            size = 65_535 // len(fields)
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES "
                    + ", ".join([values] * len(chunk))
                    + " ON CONFLICT DO NOTHING",
                    [value for row in chunk for value in row],
                )
            return
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        cursor.executemany(f"{verb} INTO {table} ({columns}) VALUES {values}", rows)
