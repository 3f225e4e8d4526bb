"""What a search is about: the people its articles quote and mention, its topics
and outlets (counted over every match by the index), and the words that set its
articles apart from the whole archive.

Distinctive words are found as Media Cloud finds its top words, in a sample: the
SAMPLE best matches (by relevance, or the newest when there is no text) are read
from the database and analysed as the index analyses them; each word's share of
the sample is compared with its share of the whole archive (the index's document
frequency), and words much more frequent here than there, and frequent enough to
matter, come first. Each stem is shown in the form the sample uses most.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from articles.models import Article

from .engine import ANALYZERS, ROLE_CODES, ROLES, language_group, prepared
from .question import Question

SAMPLE = 500
WORDS = 25
TOP = 10
# A word must be in at least this many sampled articles (and this share of them).
MIN_ARTICLES = 3
MIN_SHARE = 0.02
SHORTEST_WORD = 3

ROLE_NAMES = {code: name for name, code in ROLE_CODES.items()}


@dataclass(frozen=True)
class Word:
    word: str  # as the sample writes it most often
    articles: int  # sampled articles using it
    share: float  # of the sample
    archive_share: float  # of every article in the archive (its language)
    score: float


@dataclass
class About:
    total: int
    sampled: int
    # (id, count) pairs, most first; the door names them.
    quoted: list[tuple[int, int]] = field(default_factory=list)  # by quotes
    roles: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    topics: list[tuple[int, int]] = field(default_factory=list)
    outlets: list[tuple[int, int]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)


def aggregations(size: int = TOP) -> dict:
    terms = {"segment_size": 100_000}
    return {
        "speaker": {"terms": {"field": "speaker", "size": size, **terms}},
        # Enough person × role pairs for each role's top ten.
        "role": {"terms": {"field": "role", "size": size * 12, **terms}},
        "topic": {"terms": {"field": "topic", "size": size, **terms}},
        "outlet": {"terms": {"field": "outlet", "size": size, **terms}},
    }


def about(engine, question: Question, *, size: int = TOP) -> About:
    result = engine.aggregate(question, aggregations(size))

    def pairs(name):
        return [(int(b["key"]), int(b["doc_count"])) for b in result[name]["buckets"]]

    roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for value, n in pairs("role"):
        person, code = divmod(value, ROLES)
        if len(roles[ROLE_NAMES[code]]) < size:
            roles[ROLE_NAMES[code]].append((person, n))
    hits = engine.search(
        question, order="relevance" if question.text else "newest", limit=SAMPLE
    )
    found = About(
        total=hits.total,
        sampled=len(hits.ids),
        quoted=pairs("speaker"),
        roles=dict(roles),
        topics=pairs("topic"),
        outlets=pairs("outlet"),
    )
    found.words = distinctive_words(engine, hits.ids, question)
    return found


def distinctive_words(engine, ids: list[int], question: Question) -> list[Word]:
    """The words of the sampled articles most distinctive against the whole
    archive, language by language: a word's share of the sampled articles in
    a language against its share of all the archive's articles in that
    language (so that "the" is as common here as anywhere)."""
    if not ids:
        return []
    asked = {t.casefold() for s in question.text.spellings for t in s.split()}
    per_stem = Counter()  # sampled articles using each (group, stem)
    sampled = Counter()  # sampled articles per language group
    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
    rows = Article.objects.filter(pk__in=ids).values_list(
        "language", "title", "lead", "body"
    )
    for language, title, lead, body in rows.iterator(chunk_size=500):
        group = language_group(language)
        sampled[group] += 1
        text = prepared(f"{title}\n\n{lead}\n\n{body}")
        # Each stem once per article, at its first place (a dictionary look-up
        # a token; the form is cut from the text once per stem and article).
        first = {}
        for token in ANALYZERS[group].pre_tokenize(text).tokens:
            if token.text not in first:
                first[token.text] = token
        for stem, token in first.items():
            if len(stem) < SHORTEST_WORD or stem.isdigit():
                continue
            key = (group, stem)
            forms[key][text[token.char_offset_from : token.char_offset_to].lower()] += 1
            per_stem[key] += 1
    archive = _articles_per_group(engine)
    searcher = engine.searcher()
    # In enough of the whole sample to matter, whatever the language.
    floor = max(MIN_ARTICLES, math.ceil(MIN_SHARE * len(ids)))
    words = {}
    for (group, stem), n in per_stem.items():
        if n < floor:
            continue
        form = forms[(group, stem)].most_common(1)[0][0]
        if form.casefold() in asked:
            continue
        everywhere = searcher.doc_freq(f"text_{group}", stem)
        share = n / sampled[group]
        archive_share = min((everywhere + 1) / (archive.get(group, 0) + 1), 1.0)
        lift = share / archive_share
        if lift <= 1.5:
            continue
        # Frequent here and rare elsewhere: a share weighted by how much more
        # often it comes here (a log-ratio), as significant-terms scores do.
        word = Word(form, n, share, archive_share, share * math.log(lift))
        # A name in articles of two languages is one word, at its best.
        if form not in words or words[form].score < word.score:
            words[form] = word
    return sorted(words.values(), key=lambda w: (-w.score, w.word))[:WORDS]


_per_group: dict[tuple, Counter] = {}


def _articles_per_group(engine) -> Counter:
    """Every indexed article per analysed language group (what document
    frequencies count). The same for every question: counted once for each
    state of the index (its generation and size), not on every request (an
    aggregation over every article, 90 ms at a million)."""
    state = (engine.generation(), engine.searcher().num_docs)
    if state not in _per_group:
        _per_group.clear()
        _per_group[state] = _count_per_group(engine)
    return _per_group[state]


def _count_per_group(engine) -> Counter:
    aggregation = {"l": {"terms": {"field": "language", "size": 10_000}}}
    result = engine.aggregate(Question(statuses=None), aggregation)
    groups = Counter()
    for bucket in result["l"]["buckets"]:
        groups[language_group(bucket["key"])] += int(bucket["doc_count"])
    return groups
