"""The import: from sources (a name and its bytes) to draft articles.

Every item (a file, or one line of a JSON Lines file) is written inside its own
savepoint: it goes in whole or not at all, and a bad item never stops the
others. Items are committed in batches, which keeps SQLite and PostgreSQL from
paying one disk flush per article; an interrupted run loses at most the batch in
flight, never part of an article, and a re-run skips what is already in.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from articles.models import (
    Article,
    ArticleFingerprint,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    CandidatePerson,
    LinkState,
    Outlet,
    Quote,
    Story,
)
from articles.text import content_hash, fold, normalise_body

from . import fingerprint, reading, signatures
from .html import parse_html
from .jsonl import parse_jsonl
from .language import detect_language
from .parsed import ParsedArticle, RejectedInput
from .plaintext import parse_text
from .suggest import NameIndex, suggest

BATCH_SIZE = 200

IMPORTED, UPDATED, DUPLICATE, REJECTED = "imported", "updated", "duplicate", "rejected"
STATUSES = (IMPORTED, UPDATED, DUPLICATE, REJECTED)


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


def message_of(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{'' if name == '__all__' else name + ': '}{' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def article_summary(article: Article, *, authors: list[str], dry_run: bool) -> dict:
    return {
        "id": None if dry_run else article.pk,
        "title": article.title,
        "outlet": article.outlet.name,
        "published_at": article.published_at.isoformat()
        if article.published_at
        else None,
        "authors": authors,
        "url": article.url,
        "dateline": article.dateline,
        "language": article.language,
        "body": article.body,
    }


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
    ):
        self.default_outlet = default_outlet
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
        pending: list[tuple[str, ParsedArticle | RejectedInput, str]] = []
        for name, data in sources:
            pending.extend(self._parse_source(name, data))
            if len(pending) >= BATCH_SIZE:
                yield from self._write_batch(pending)
                pending = []
        if pending:
            yield from self._write_batch(pending)

    def _parse_source(self, name: str, data: bytes | RejectedInput):
        """Return (source, parsed article or rejection, raw text) for each item."""
        if isinstance(data, RejectedInput):
            return [(name, data, "")]
        if not data.strip():
            return [(name, RejectedInput("The file is empty."), "")]
        if len(data) > self.max_bytes:
            return [
                (name, RejectedInput(reading.too_large(len(data), self.max_bytes)), "")
            ]
        try:
            text = reading.decode(data)
            kind = reading.sniff(text)
            if kind == "jsonl":
                lines = text.split("\n")
                return [
                    (f"{name}:{number}", parsed, lines[number - 1] if number else text)
                    for number, parsed in parse_jsonl(text, source=name)
                ]
            parser = parse_html if kind == "html" else parse_text
            return [(name, parser(text, source=name), text)]
        except RejectedInput as error:
            return [(name, error, "")]

    def _write_batch(self, pending) -> Iterator[Item]:
        items = []
        try:
            with transaction.atomic():
                self._known = self._existing_texts(pending)
                for source, parsed, raw in pending:
                    items.append(self._write_item(source, parsed, raw))
        except DatabaseError as error:
            # The batch is gone whole; say so for every item in it, then reload
            # the outlets so no lookup points at a row that was rolled back.
            items = [
                Item(source=s, status=REJECTED, error=f"Database error: {error}")
                for s, _, _ in pending
            ]
            self._load_outlets()
        yield from items

    def _write_item(self, source: str, parsed, raw: str) -> Item:
        if isinstance(parsed, RejectedInput):
            return Item(source=source, status=REJECTED, error=str(parsed))
        new_outlets: list[Outlet] = []
        try:
            with transaction.atomic():
                item = self._import(source, parsed, raw, new_outlets)
                if self.dry_run:
                    transaction.set_rollback(True)
        except RejectedInput as error:
            return Item(
                source=source,
                status=REJECTED,
                error=str(error),
                warnings=parsed.warnings,
            )
        except ValidationError as error:
            return Item(
                source=source,
                status=REJECTED,
                error=message_of(error),
                warnings=parsed.warnings,
            )
        except IntegrityError as error:
            return Item(
                source=source,
                status=REJECTED,
                error=f"The archive refused this article: {error}",
                warnings=parsed.warnings,
            )
        if not self.dry_run:
            for outlet in new_outlets:
                self._remember(outlet)
        return item

    def _import(
        self, source: str, parsed: ParsedArticle, raw: str, new_outlets
    ) -> Item:
        warnings = list(parsed.warnings)
        body = normalise_body(parsed.body)
        if not parsed.title.strip():
            raise RejectedInput("No title found.")
        if not body:
            raise RejectedInput("No article text found.")
        digest = content_hash(body)

        existing = self._same_text(digest)
        if existing is not None:
            return Item(
                source=source,
                status=DUPLICATE,
                warnings=warnings,
                article=self._summary(existing),
            )

        outlet = self._outlet_for(parsed, warnings, new_outlets)
        now = timezone.now()
        if parsed.url:
            same_url = (
                Article.objects.select_related("outlet").filter(url=parsed.url).first()
            )
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

        language = parsed.language or detect_language(body)
        if not language:
            language = outlet.language or "en"
            warnings.append(f"Language not detected; set to “{language}”.")
        article = Article(
            outlet=outlet,
            title=parsed.title.strip()[:500],
            url=parsed.url,
            published_at=parsed.published_at,
            dateline=parsed.dateline[:200],
            lead=parsed.lead,
            body=body,
            language=language,
            status=self.status,
            raw_text=raw,
            source=source[:2000],
            imported_at=now,
        )
        # The database enforces the constraints; duplicates were checked above.
        article.full_clean(validate_unique=False, validate_constraints=False)
        article.save()
        self._known[digest] = article
        self._add_suggestions(article, parsed, warnings)
        self._link_story(article, warnings)
        return Item(
            source=source,
            status=IMPORTED,
            warnings=warnings,
            article=article_summary(
                article, authors=parsed.authors, dry_run=self.dry_run
            ),
        )

    def _existing_texts(self, pending) -> dict[str, Article]:
        """Return the batch's bodies already in the archive, by content hash, in
        two queries for the whole batch rather than two per article."""
        digests = {
            content_hash(normalise_body(parsed.body))
            for _, parsed, _ in pending
            if isinstance(parsed, ParsedArticle) and parsed.body
        }
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
        return known

    def _same_text(self, digest: str) -> Article | None:
        return self._known.get(digest)

    def _summary(self, article: Article) -> dict:
        authors = list(
            article.person_links.filter(role=ArticlePerson.Role.AUTHOR).values_list(
                "person__name", flat=True
            )
        )
        return article_summary(article, authors=authors, dry_run=False)

    def _outlet_for(self, parsed: ParsedArticle, warnings, new_outlets) -> Outlet:
        """Return the archive's outlet for the input, creating it from what is known."""
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
        if self.default_outlet is not None:
            return self.default_outlet
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
            raise RejectedInput(
                "No outlet found in the input; name one with --outlet SLUG (or the "
                "upload form's outlet field)."
            )
        outlet.full_clean()
        outlet.save()
        new_outlets.append(outlet)
        warnings.append(f"New outlet “{outlet.name}” created; check its details.")
        return outlet

    def _add_suggestions(self, article: Article, parsed: ParsedArticle, warnings):
        found, topic_warnings = suggest(
            title=article.title,
            lead=article.lead,
            body=article.body,
            authors=parsed.authors,
            listed_people=parsed.people,
            listed_topics=parsed.topics,
            people=self.people,
            topics=self.topics,
        )
        warnings.extend(topic_warnings)
        suggested = LinkState.SUGGESTED
        if found.people:
            ArticlePerson.objects.bulk_create(
                ArticlePerson(article=article, person_id=pk, role=role, state=suggested)
                for pk, role in found.people
            )
        if found.topics:
            ArticleTopic.objects.bulk_create(
                ArticleTopic(article=article, topic_id=pk, state=suggested)
                for pk in found.topics
            )
        if found.quotes:
            Quote.objects.bulk_create(
                Quote(
                    article=article,
                    speaker_id=q.person_id,
                    text=q.text,
                    start=q.start,
                    end=q.end,
                    state=suggested,
                )
                for q in found.quotes
            )
        if found.candidates:
            CandidatePerson.objects.bulk_create(
                (
                    CandidatePerson(
                        article=article,
                        name=c.name[:200],
                        title=c.title[:200],
                        role=c.role,
                        context=c.context[:300],
                    )
                    for c in found.candidates
                ),
                ignore_conflicts=True,
            )

    def _link_story(self, article: Article, warnings):
        """Link the article to copies of the same story in other outlets."""
        shingles = fingerprint.shingles(article.body)
        keys = fingerprint.band_keys(shingles)
        if not keys:
            return
        candidate_ids = list(
            ArticleFingerprint.objects.filter(key__in=keys)
            .exclude(article__outlet=article.outlet_id)
            .values("article_id")
            .annotate(shared=Count("id"))
            .filter(shared__gte=fingerprint.MIN_SHARED_BANDS)
            .order_by("-shared", "article_id")
            .values_list("article_id", flat=True)[: fingerprint.MAX_COMPARED]
        )
        ArticleFingerprint.objects.bulk_create(
            ArticleFingerprint(article=article, key=key) for key in keys
        )
        if not candidate_ids:
            return
        copies = [
            other
            for other in Article.objects.filter(pk__in=candidate_ids).only(
                "pk", "body", "story_id", "title"
            )
            if fingerprint.containment(shingles, fingerprint.shingles(other.body))
            >= fingerprint.CONTAINMENT
        ]
        if not copies:
            return
        story_ids = sorted({c.story_id for c in copies if c.story_id})
        story = (
            Story.objects.get(pk=story_ids[0]) if story_ids else Story.objects.create()
        )
        if len(story_ids) > 1:
            Article.objects.filter(story_id__in=story_ids[1:]).update(story=story)
            Story.objects.filter(pk__in=story_ids[1:]).delete()
        Article.objects.filter(pk__in=[article.pk, *(c.pk for c in copies)]).update(
            story=story
        )
        article.story = story
        warnings.append(
            "Linked as a copy of the same story as: "
            + "; ".join(f"“{c.title}” (#{c.pk})" for c in copies[:3])
        )


def import_paths(
    paths: Iterable[str | Path], **options
) -> tuple[Importer, Iterator[Item]]:
    importer = Importer(**options)
    return importer, importer.run(path_sources(paths, max_bytes=importer.max_bytes))
