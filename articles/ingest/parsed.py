"""What every format's parser returns: one article as found in the input."""

import datetime as dt
from dataclasses import dataclass, field


class RejectedInput(Exception):
    """The input cannot become an article; the message says why, in one line."""


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
