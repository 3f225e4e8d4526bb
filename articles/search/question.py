"""What a search asks, in the archive's terms and free of any engine: the text
(parsed, with people's other spellings) and the filters, as ids. The door
(articles.search) makes one from a request's parameters; an engine compiles it
into its own query language."""

import datetime as dt
from dataclasses import dataclass, replace

# A word or a phrase to find, as typed or as a person's other spelling.
Spelling = str
# Any of several spellings: one thing the reader asked for.
Term = tuple[Spelling, ...]


@dataclass(frozen=True)
class Text:
    """Required groups, each satisfied by any of its terms, and excluded
    terms; a term is found by any of its spellings."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups or self.excluded)

    @property
    def spellings(self) -> list[Spelling]:
        """Every spelling the text looks for (not those it excludes)."""
        return [s for group in self.groups for term in group for s in term]


NO_TEXT = Text()
PUBLISHED = frozenset({"published"})


@dataclass(frozen=True)
class Question:
    """Articles matching all of these; None or empty means "any"."""

    text: Text = NO_TEXT
    # What the public may see is the published articles (Article.objects.
    # published()); curators may ask for other statuses, or any (None).
    statuses: frozenset[str] | None = PUBLISHED
    outlets: frozenset[int] | None = None  # any of these outlets
    # Further sets of outlets the article's must be in (one per country list).
    outlet_sets: tuple[frozenset[int], ...] = ()
    languages: frozenset[str] = frozenset()  # any of these language tags
    topics: tuple[int, ...] = ()  # all of these topics
    people: tuple[int, ...] = ()  # all of these people…
    role: str | None = None  # …each in this role (without people: anyone in it)
    speakers: tuple[int, ...] = ()  # quoting all of these people
    since: dt.datetime | None = None  # published at or after
    until: dt.datetime | None = None  # published before
    undated: bool | None = None  # only undated (True), only dated (False)
    ids: frozenset[int] | None = None  # among these articles only

    def narrowed(self, **changes) -> "Question":
        return replace(self, **changes)

    @property
    def is_public(self) -> bool:
        return self.statuses == PUBLISHED

    @property
    def by_status_only(self) -> bool:
        """Whether it narrows by nothing but its text and statuses (a search
        of the whole archive, or the archive itself)."""
        return replace(self, text=NO_TEXT, statuses=None) == Question(statuses=None)

    @property
    def everything(self) -> "Question":
        """The same question without its text and filters: every article it
        could have found (the denominator of shares over time)."""
        return Question(statuses=self.statuses)
