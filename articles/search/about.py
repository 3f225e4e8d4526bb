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

from .engine import ANALYZERS, FORMS, ROLE_CODES, ROLES, language_group, prepared
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
        "total": {"value_count": {"field": "id"}},
        "speaker": {"terms": {"field": "speaker", "size": size, **terms}},
        # Enough person × role pairs for each role's top ten.
        "role": {"terms": {"field": "role", "size": size * 12, **terms}},
        "topic": {"terms": {"field": "topic", "size": size, **terms}},
        "outlet": {"terms": {"field": "outlet", "size": size, **terms}},
    }


def about(engine, question: Question, counted, *, size: int = TOP) -> About:
    """What the question's matches are about. `counted()` gives the answer
    to aggregations(size) (asked beforehand, so that the index counts while
    the sample is read and analysed here)."""
    hits = engine.search(
        question,
        order="relevance" if question.text else "newest",
        limit=SAMPLE,
        count=False,  # counted beside it
    )
    words = distinctive_words(engine, hits.ids, question)
    result = counted()

    def pairs(name):
        return [(int(b["key"]), int(b["doc_count"])) for b in result[name]["buckets"]]

    roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for value, n in pairs("role"):
        person, code = divmod(value, ROLES)
        if len(roles[ROLE_NAMES[code]]) < size:
            roles[ROLE_NAMES[code]].append((person, n))
    return About(
        total=int(result["total"]["value"]),
        sampled=len(hits.ids),
        quoted=pairs("speaker"),
        roles=dict(roles),
        topics=pairs("topic"),
        outlets=pairs("outlet"),
        words=words,
    )


def distinctive_words(engine, ids: list[int], question: Question) -> list[Word]:
    """The words of the sampled articles most distinctive against the whole
    archive, language by language: a word's share of the sampled articles in
    a language against its share of all the archive's articles in that
    language (so that "the" is as common here as anywhere)."""
    if not ids:
        return []
    asked = {t.casefold() for s in question.text.spellings for t in s.split()}
    # Per language group: sampled articles using each word (lower-cased, as
    # written), and each article's words.
    per_word: dict[str, Counter] = defaultdict(Counter)
    articles: dict[str, list[set]] = defaultdict(list)
    rows = Article.objects.filter(pk__in=ids).values_list(
        "language", "title", "lead", "body"
    )
    for language, title, lead, body in rows.iterator(chunk_size=500):
        group = language_group(language)
        words = set(FORMS.analyze(prepared(f"{title}\n\n{lead}\n\n{body}")))
        per_word[group].update(words)
        articles[group].append(words)
    # Each word stemmed once, as the index stems it (the sample's words are a
    # small vocabulary: an article's text analysed once, not twice).
    per_stem: dict[str, Counter] = {}
    forms: dict[tuple[str, str], tuple[int, str]] = {}
    for group, counted in per_word.items():
        stem_of = _stems(group, list(counted))
        per_stem[group] = Counter()
        stem = stem_of.__getitem__
        for words in articles[group]:
            per_stem[group].update(set(map(stem, words)))
        for word, n in counted.items():
            key = (group, stem_of[word])
            # The form most articles use; of equals, the first in order.
            if key not in forms or (-n, word) < forms[key]:
                forms[key] = (-n, word)
    sampled = {group: len(texts) for group, texts in articles.items()}
    # In enough of the whole sample to matter, whatever the language.
    floor = max(MIN_ARTICLES, math.ceil(MIN_SHARE * len(ids)))
    candidates = {
        (group, stem): n
        for group, counted in per_stem.items()
        for stem, n in counted.items()
        if n >= floor and len(stem) >= SHORTEST_WORD and not stem.isdigit()
    }
    archive = _articles_per_group(engine)
    searcher = engine.searcher()
    words = {}
    for (group, stem), n in candidates.items():
        form = forms[(group, stem)][1]
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


def _stems(group: str, words: list[str]) -> dict[str, str]:
    """Each word's stem in the group's analyser: one call for all of them
    (each word is one token of the same tokenizer, so they come back in
    order), or word by word if any did not."""
    stems = ANALYZERS[group].analyze(" ".join(words))
    if len(stems) != len(words):
        stems = [(ANALYZERS[group].analyze(word) or [word])[0] for word in words]
    return dict(zip(words, stems, strict=True))


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
