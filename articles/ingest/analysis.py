"""The CPU-bound part of an import, kept free of the database so that it can run
in worker processes: parsing an input, normalising and hashing its body, and,
for an article that may be new, its language, slug, suggestions and near-duplicate
fingerprint.

Everything here is a pure function of the input and of the name indexes the
importer loaded when it started; the service decides with the database what
each item is, and writes it.
"""

import hashlib
from dataclasses import dataclass, field

from articles.text import ascii_slug, count_words, normalise_body

from . import fingerprint, reading
from .html import parse_html
from .jsonl import parse_jsonl
from .language import detect_language
from .parsed import ParsedArticle, RejectedInput
from .plaintext import parse_text
from .suggest import NameIndex, Suggestions, suggest


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
    shingles: set[int]
    band_keys: list[int]


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
            entry.body = normalise_body(parsed.body)
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
    return Analysis(
        title=title,
        lead=lead,
        language=parsed.language or detect_language(body),
        slug_base=ascii_slug(title, 180) or "article",
        word_count=count_words(body),
        suggestions=found,
        topic_warnings=topic_warnings,
        shingles=shingles,
        band_keys=fingerprint.band_keys(shingles),
    )


def needs_analysis(entry: Entry) -> bool:
    return isinstance(entry.parsed, ParsedArticle) and bool(
        entry.parsed.title.strip() and entry.body
    )


def parse_source(name: str, data: bytes | RejectedInput, max_bytes: int):
    """Return (source, parsed article or rejection, raw text) for each item of
    one input; a JSON Lines file holds several, any other file one."""
    if isinstance(data, RejectedInput):
        return [(name, data, "")]
    if not data.strip():
        return [(name, RejectedInput("The file is empty."), "")]
    if len(data) > max_bytes:
        return [(name, RejectedInput(reading.too_large(len(data), max_bytes)), "")]
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
