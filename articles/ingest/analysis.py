"""The CPU-bound part of an import, kept free of the database so that it can run
in worker processes: parsing an input, normalising and hashing its body, and,
for an article that may be new, its language, slug, suggestions and near-duplicate
fingerprint.

Everything here is a pure function of the input and of the name indexes the
importer loaded when it started; the service decides with the database what
each item is, and writes it.
"""

import hashlib
import logging
import signal
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError

from articles.models import Article
from articles.text import ascii_slug, count_words, normalise_body

from . import fingerprint, reading
from .html import parse_html
from .jsonl import parse_jsonl, parse_line
from .language import detect_language
from .parsed import ParsedArticle, RejectedInput, unexpected
from .plaintext import parse_text
from .suggest import NameIndex, Suggestions, suggest

logger = logging.getLogger(__name__)


@dataclass
class Analysis:
    """What a new article needs besides its parsed fields, as the service stores it."""

    title: str
    lead: str
    language: str  # the input's own, else detected; "" when neither
    slug_base: str
    word_count: int
    suggestions: Suggestions
    topic_warnings: list[str]
    shingles: np.ndarray  # fingerprint.shingles: sorted unique CRC-32s
    band_keys: list[int]
    # Whether the article's fields from the input (all but its status, and
    # the language only when there is one) pass the model's validation.
    fields_valid: bool = False


@dataclass
class Entry:
    """One item of an import: a parsed article (or why there is none), its raw
    text, its normalised body with that body's hash, and once analysed, the rest."""

    source: str
    parsed: ParsedArticle | RejectedInput
    raw: str
    body: str = ""
    digest: str = ""
    analysis: Analysis | None = field(default=None, repr=False)

    @classmethod
    def of(cls, source: str, parsed: ParsedArticle | RejectedInput, raw: str):
        entry = cls(source, parsed, raw)
        if isinstance(parsed, ParsedArticle):
            # parse_jsonl normalises the body it reads; other parsers do not.
            jsonl = parsed.format == "jsonl"
            entry.body = parsed.body if jsonl else normalise_body(parsed.body)
            # The body is normalised already, so this equals text.content_hash
            # without normalising it a second time.
            entry.digest = hashlib.sha256(entry.body.encode("utf-8")).hexdigest()
        return entry


def article_title(parsed: ParsedArticle) -> str:
    """The title as Article.refresh_derived_fields stores it."""
    return " ".join(parsed.title.strip()[:500].split())


def analyse(entry: Entry, people: NameIndex, topics: NameIndex) -> Analysis:
    parsed, body = entry.parsed, entry.body
    title = article_title(parsed)
    lead = parsed.lead.strip()
    found, topic_warnings = suggest(
        title=title,
        lead=lead,
        body=body,
        authors=parsed.authors,
        listed_people=parsed.people,
        listed_topics=parsed.topics,
        people=people,
        topics=topics,
    )
    shingles = fingerprint.shingles(body)
    language = parsed.language or detect_language(body)
    errors = field_errors(
        {
            "title": title,
            "url": parsed.url,
            "published_at": parsed.published_at,
            "dateline": parsed.dateline[:200],
            "body": body,
            "source": entry.source[:2000],
            **({"language": language} if language else {}),
        }
    )
    return Analysis(
        title=title,
        lead=lead,
        language=language,
        slug_base=ascii_slug(title, 180) or "article",
        word_count=count_words(body),
        suggestions=found,
        topic_warnings=topic_warnings,
        shingles=shingles,
        band_keys=fingerprint.band_keys(shingles),
        fields_valid=not errors,
    )


# The fields of a new article that can be invalid. The others are derived,
# defaults or free text, or validated by a query (the outlet, which the
# importer loaded or created); slugs are chosen afterwards.
VALIDATED = [
    Article._meta.get_field(name)
    for name in (
        "title",
        "url",
        "published_at",
        "dateline",
        "body",
        "language",
        "status",
        "source",
    )
]


def field_errors(values: dict, article: Article | None = None) -> dict:
    """Validate values of an article's fields as Model.clean_fields does, and
    return its errors by field name; the cleaning of these fields returns the
    value it was given."""
    errors = {}
    for f in VALIDATED:
        if f.attname not in values:
            continue
        value = values[f.attname]
        if f.blank and value in f.empty_values:
            continue
        try:
            f.clean(value, article)
        except ValidationError as error:
            errors[f.name] = error.error_list
    return errors


def needs_analysis(entry: Entry) -> bool:
    return isinstance(entry.parsed, ParsedArticle) and bool(
        entry.parsed.title.strip() and entry.body
    )


def decode_source(
    name: str, data: bytes | RejectedInput, max_bytes: int
) -> tuple[str, str] | RejectedInput:
    """Return the text of one input and its format, or why it cannot be read."""
    if isinstance(data, RejectedInput):
        return data
    if not data.strip():
        return RejectedInput("The file is empty.")
    if len(data) > max_bytes:
        return RejectedInput(reading.too_large(len(data), max_bytes))
    try:
        text = reading.decode(data)
        return text, reading.sniff(text)
    except RejectedInput as error:
        return error


def parse_decoded(name: str, text: str, kind: str):
    """Yield (source, parsed article or rejection, raw text) for each item of a
    decoded input; a JSON Lines file holds several, any other file one."""
    try:
        if kind == "jsonl":
            lines = text.split("\n")
            for number, parsed in parse_jsonl(text, source=name):
                yield f"{name}:{number}", parsed, lines[number - 1] if number else text
            return
        parser = parse_html if kind == "html" else parse_text
        yield name, parser(text, source=name), text
    except RejectedInput as error:
        yield name, error, ""
    except Exception as error:
        # A parser's bug costs only this input, not the run: it is reported on
        # its item, with the traceback in the log.
        logger.exception("Parsing %s failed", name)
        yield name, unexpected(error), text


# Jobs for worker processes: ("text", (name, text, kind)) for a file to parse,
# ("line", (name, number, line, now)) for one line of a JSON Lines file, and
# ("item", (source, parsed or rejection, raw)) for an item parsed already.
_worker_indexes: tuple[NameIndex, NameIndex] | None = None


def init_worker(people: NameIndex, topics: NameIndex):
    global _worker_indexes
    # Ctrl-C reaches every process of the terminal's group: the import stops
    # in the parent (import_articles), which ends the workers; each printing
    # its own traceback would bury its message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_indexes = (people, topics)


def entries_of(job) -> list[Entry]:
    kind, args = job
    if kind == "text":
        return [Entry.of(*item) for item in parse_decoded(*args)]
    if kind == "line":
        name, number, line, now = args
        source = f"{name}:{number}"
        try:
            parsed = parse_line(line.strip(), number, now)
        except Exception as error:
            logger.exception("Parsing %s failed", source)
            parsed = unexpected(error)
        return [Entry.of(source, parsed, line)]
    return [Entry.of(*args)]


def work(jobs) -> list[Entry]:
    """Parse and analyse a chunk of jobs in a worker process. An article that
    may turn out to be a duplicate is analysed all the same: whether it is
    one is for the service to find out in the database."""
    people, topics = _worker_indexes
    entries = [entry for job in jobs for entry in entries_of(job)]
    for entry in entries:
        if needs_analysis(entry):
            try:
                entry.analysis = analyse(entry, people, topics)
            except Exception:
                # Left to the service, which analyses the entry itself and
                # reports the error on this item as it always has.
                entry.analysis = None
    return entries
