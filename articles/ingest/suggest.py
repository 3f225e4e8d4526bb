"""Suggestions for curators: people, topics and quotes a text names.

Nothing here writes to the database; the service turns the results into
suggested links, suggested quotes and candidate people for curators to confirm.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from articles.models import ArticlePerson, Person, Topic
from articles.text import fold

Role = ArticlePerson.Role
_TOKEN = re.compile(r"\w+(?:[’'-]\w+)*")
MAX_NAME_TOKENS = 5

# Quoted speech: “…”, "…", «…». At least MIN_QUOTE_WORDS words inside, so that
# scare quotes ("unacceptable") are not taken for statements.
_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"|«([^»]+)»")
MIN_QUOTE_WORDS = 4
_SPEECH_VERBS = re.compile(
    r"\b(said|says|added|told|noted|stressed|stated|explained|continued|declared|"
    r"underlined|emphasi[sz]ed|warned|wrote|insisted|asked|according to|"
    r"as saying|quoted)\b",
    re.IGNORECASE,
)
_ATTRIBUTION_WINDOW = 120

_TITLE_WORDS = (
    r"(?:President|Minister|Ambassador|Spokesperson|Spokesman|Spokeswoman|Chairman|"
    r"Chairwoman|Speaker|Mayor|Governor|Senator|General|Director|Secretary-General|"
    r"Secretary|Chancellor|Envoy|Commander|Patriarch|Emir|King|Crown Prince)"
)
_TITLES = (
    r"(?:(?:Deputy|Vice|Acting|Former|First)\s+)?"
    r"(?:(?:Prime|Foreign|Defen[cs]e|Interior|Economy|Energy|Finance|Trade|Justice|"
    r"Health|Education|Agriculture|Culture|Transport)\s+)?" + _TITLE_WORDS
)
# Every titled name contains a title word; a text without one is not scanned
# with the full pattern, which tries every position (it starts with \b).
_ANY_TITLE_WORD = re.compile(_TITLE_WORDS)
_TITLED_NAME = re.compile(
    rf"\b(?P<title>{_TITLES})"
    r"(?:\s+(?:of|to|for)\s+(?:the\s+)?[A-ZÇĞİÖŞÜ][\w-]+(?:\s+[A-ZÇĞİÖŞÜ][\w-]+)?)?"
    r"\s+(?P<name>[A-ZÀ-ÞÇĞİÖŞÜĀ-Ž][\w’'-]+(?:\s+(?:al-|bin\s+|de\s+|van\s+)?"
    r"[A-ZÀ-ÞÇĞİÖŞÜĀ-Ž][\w’'-]+){1,2})"
)
_NOT_NAMES = {
    "the", "of", "and", "in", "on", "said", "says", "told", "has", "was", "is",
    "will", "would", "also", "who", "during", "at", "with", "for",
}  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int


# Words recur across articles; folding each spelling once keeps imports fast.
fold_word = lru_cache(maxsize=200_000)(fold)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Return (folded token, start, end) for each word of the text."""
    return [(fold_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


_last_words: tuple[str, list[str], list[re.Match]] = ("", [], [])


def _words(text: str) -> tuple[list[str], list[re.Match]]:
    """Return the folded words of text and their matches, in loops that run in C.

    The last text's words are kept: an article's people and topics are looked
    up in the same text.
    """
    global _last_words
    last = _last_words
    if last[0] is text or last[0] == text:
        return last[1], last[2]
    matches = list(_TOKEN.finditer(text))
    folded = list(map(fold_word, _TOKEN.findall(text)))
    _last_words = (text, folded, matches)
    return folded, matches


class NameIndex:
    """Find known names in text, across case, accents and aliases.

    Built once per import from every person's name and aliases and every
    topic's name and keywords; lookups walk word n-grams, so the cost grows
    with the text, not with the number of names.
    """

    def __init__(self, names: dict[str, set[int]]):
        self.names = names
        # The longest name starting with each word: most words start no name,
        # and those are skipped with one dictionary lookup.
        self.starts: dict[str, int] = {}
        for name in names:
            first, *rest = name.split()
            self.starts[first] = max(self.starts.get(first, 0), len(rest) + 1)

    @classmethod
    def of_people(cls):
        names = defaultdict(set)
        for pk, name, aliases in Person.objects.values_list("pk", "name", "aliases"):
            for spelling in [name, *(aliases or [])]:
                if key := cls.key(spelling):
                    names[key].add(pk)
        return cls(names)

    @classmethod
    def of_topics(cls):
        names = defaultdict(set)
        rows = Topic.objects.values_list("pk", "name", "slug", "keywords")
        for pk, name, slug, keywords in rows:
            for spelling in [name, *(keywords or [])]:
                if key := cls.key(spelling):
                    names[key].add(pk)
            names[f"slug:{slug}"].add(pk)
        return cls(names)

    @staticmethod
    def key(name: str) -> str:
        return " ".join(t for t, _, _ in tokens(name))

    def add(self, name: str, pk: int):
        key = self.key(name)
        self.names.setdefault(key, set()).add(pk)
        first, *rest = key.split()
        self.starts[first] = max(self.starts.get(first, 0), len(rest) + 1)

    def lookup(self, name: str) -> set[int]:
        """Return the ids known by exactly this name (or slug:<slug>)."""
        if name.startswith("slug:"):
            return self.names.get(name, set())
        return self.names.get(self.key(name), set())

    def find(self, text: str) -> dict[int, list[Span]]:
        """Return each known id found in the text with the spans that name it."""
        found = defaultdict(list)
        words, matches = _words(text)
        starts, names, count = self.starts, self.names, len(words)
        free = 0  # the first word not inside a name already found
        # Most words start no name: only those that do are looked at.
        for i in [i for i, word in enumerate(words) if word in starts]:
            if i < free:
                continue
            longest = min(starts[words[i]], MAX_NAME_TOKENS, count - i)
            # Prefer the longest name starting here: "Sergei Lavrov" over "Sergei".
            for n in range(longest, 0, -1):
                ids = names.get(" ".join(words[i : i + n]))
                # An ambiguous spelling (two people called "Aliyev") names no one.
                if ids and len(ids) == 1:
                    span = Span(matches[i].start(), matches[i + n - 1].end())
                    found[next(iter(ids))].append(span)
                    free = i + n
                    break
        return found


@dataclass
class QuoteSuggestion:
    person_id: int
    start: int
    end: int
    text: str


@dataclass
class Candidate:
    name: str
    title: str
    role: str
    context: str


@dataclass
class Suggestions:
    people: dict[tuple[int, str], None] = field(default_factory=dict)  # ordered set
    topics: list[int] = field(default_factory=list)
    quotes: list[QuoteSuggestion] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


def attribute_quotes(body: str, people: NameIndex) -> list[QuoteSuggestion]:
    """Return quotes attributed to exactly one known person near the quote.

    The speaker must be named, with a speech verb, in the words right after the
    closing mark or before the opening one in the same sentence; a quote
    attributed to "he" is left for a curator.
    """
    suggestions = []
    for match in _QUOTE.finditer(body):
        group = next(g for g in range(1, 4) if match.group(g) is not None)
        inner_start, inner_end = match.start(group), match.end(group)
        if len(match.group(group).split()) < MIN_QUOTE_WORDS:
            continue
        after = body[match.end() : match.end() + _ATTRIBUTION_WINDOW]
        after = re.split(r"(?<=[.!?])\s|\n", after, maxsplit=1)[0]
        sentence_start = max(
            body.rfind(". ", 0, match.start()) + 1, body.rfind("\n", 0, match.start())
        )
        before = body[
            max(sentence_start, match.start() - _ATTRIBUTION_WINDOW) : match.start()
        ]
        speakers = set()
        for window in (after, before):
            if _SPEECH_VERBS.search(window):
                speakers |= set(people.find(window))
        if len(speakers) == 1:
            suggestions.append(
                QuoteSuggestion(
                    person_id=speakers.pop(),
                    start=inner_start,
                    end=inner_end,
                    text=body[inner_start:inner_end],
                )
            )
    return suggestions


def titled_candidates(text: str, people: NameIndex) -> list[Candidate]:
    """Return "Foreign Minister X"-style names that are not known people."""
    seen, candidates = set(), []
    if not _ANY_TITLE_WORD.search(text):
        return candidates
    for match in _TITLED_NAME.finditer(text):
        name = match.group("name").strip()
        words = name.split()
        while words and words[-1].casefold() in _NOT_NAMES:
            words.pop()
        if len(words) < 2 or any(w.casefold() in _NOT_NAMES for w in words):
            continue
        name = " ".join(words)
        key = fold(name)
        if key in seen or people.lookup(name):
            continue
        seen.add(key)
        line_start = max(text.rfind("\n", 0, match.start()) + 1, match.start() - 100)
        candidates.append(
            Candidate(
                name=name,
                title=" ".join(match.group("title").split()),
                role=Role.MENTIONED,
                context=text[line_start : match.end() + 60].strip()[:300],
            )
        )
    return candidates


def suggest(
    *,
    title: str,
    lead: str,
    body: str,
    authors: list[str],
    listed_people: list[str],
    listed_topics: list[str],
    people: NameIndex,
    topics: NameIndex,
) -> tuple[Suggestions, list[str]]:
    """Return the suggestions for one article and warnings for a curator."""
    result, warnings = Suggestions(), []
    for author in authors:
        ids = people.lookup(author)
        if len(ids) == 1:
            result.people[(next(iter(ids)), Role.AUTHOR)] = None
        else:
            result.candidates.append(
                Candidate(name=author, title="", role=Role.AUTHOR, context="byline")
            )

    result.quotes = attribute_quotes(body, people)
    quoted = {q.person_id for q in result.quotes}
    for pk in quoted:
        result.people[(pk, Role.QUOTED)] = None
    text = "\n\n".join(part for part in (title, lead, body) if part)
    for pk in people.find(text):
        if pk not in quoted:
            result.people[(pk, Role.MENTIONED)] = None
    for name in listed_people:
        ids = people.lookup(name)
        if len(ids) == 1:
            pk = next(iter(ids))
            if (pk, Role.QUOTED) not in result.people:
                result.people[(pk, Role.MENTIONED)] = None
        else:
            result.candidates.append(
                Candidate(name=name, title="", role=Role.MENTIONED, context="listed")
            )
    authors_folded = {fold(a) for a in authors}
    result.candidates.extend(
        c for c in titled_candidates(text, people) if fold(c.name) not in authors_folded
    )

    topic_ids = dict.fromkeys(topics.find(text))
    for name in listed_topics:
        ids = topics.lookup(name) or topics.lookup(f"slug:{name}")
        if len(ids) == 1:
            topic_ids[next(iter(ids))] = None
        else:
            warnings.append(f"Topic “{name}” is not in the archive; add it to link it.")
    result.topics = list(topic_ids)
    return result, warnings
