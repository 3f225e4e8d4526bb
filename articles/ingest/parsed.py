"""What every format's parser returns: one article as found in the input."""

import datetime as dt
from dataclasses import dataclass, field, replace


class RejectedInput(Exception):
    """The input cannot become an article; the message says why, in one line."""


def one_line(text: str) -> str:
    """Return text with its line breaks and runs of spaces made single spaces,
    for a report's one-line reason (database errors come with a DETAIL line,
    quoted input with its own line breaks)."""
    return " ".join(str(text).split())


def unexpected(error: Exception) -> RejectedInput:
    """Return the rejection reported for an item that hit a bug (the caller
    logs the traceback)."""
    return RejectedInput(
        f"Unexpected error, logged for the maintainers: {one_line(error)}"
    )


@dataclass
class ParsedArticle:
    title: str = ""
    body: str = ""
    lead: str = ""
    url: str = ""
    # The outlet as the input names it (a signature's canonical name, og:site_name,
    # JSON-LD publisher, or a JSON Lines "outlet" value), and web domains seen in
    # the input's URLs. The service matches both against the archive's outlets.
    outlet: str = ""
    outlet_domains: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    dateline: str = ""
    language: str = ""
    # Only JSON Lines records carry these: names or slugs of topics and people.
    topics: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    # Things a curator should check, e.g. "The date gives no year; left empty."
    warnings: list[str] = field(default_factory=list)
    format: str = ""


def without_nul(parsed: ParsedArticle) -> ParsedArticle:
    """Return the article without NUL characters, which PostgreSQL cannot keep
    in text. Decoding drops NUL bytes, but JSON writes one as an escape
    ("\\u0000"), in JSON Lines and in a page's JSON-LD alike."""
    changes = {}
    for name in ("title", "body", "lead", "url", "outlet", "dateline", "language"):
        value = getattr(parsed, name)
        if "\x00" in value:
            changes[name] = value.replace("\x00", "")
    for name in ("outlet_domains", "authors", "topics", "people", "warnings"):
        values = getattr(parsed, name)
        if any("\x00" in value for value in values):
            changes[name] = [value.replace("\x00", "") for value in values]
    return replace(parsed, **changes) if changes else parsed
