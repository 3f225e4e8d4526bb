"""What every format's parser returns: one article as found in the input."""

import datetime as dt
from dataclasses import dataclass, field, fields

from articles.text import normalise_body, strip_control_characters


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

    def __post_init__(self):
        # Every format may carry control characters (a stray form feed in a
        # text file, NUL in a JSON string); the archive stores none of them.
        for name in (f.name for f in fields(self)):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, _without_controls(name, value))
            elif isinstance(value, list):
                cleaned = [
                    _without_controls(name, v) if isinstance(v, str) else v
                    for v in value
                ]
                setattr(self, name, cleaned)


def _without_controls(name: str, value: str) -> str:
    cleaned = strip_control_characters(value)
    if cleaned == value:
        return value
    if name in {"body", "lead"}:
        return normalise_body(cleaned)
    return " ".join(cleaned.split())
