"""Search vectors made in Python, equal to PostgreSQL's, for bulk loads.

On PostgreSQL a trigger sets each article's search_vector to

    setweight(to_tsvector('archive', title), 'A')
    || setweight(to_tsvector('archive', lead), 'B')
    || setweight(to_tsvector('archive', body), 'C')

Parsing and stemming cost the server about 0.4 ms an article, more than anything
else in loading a generated corpus. Generated text is made of a few tens of
thousands of distinct whitespace-separated chunks ("Ankara," "“Pipeline"), and
the parser never joins tokens across whitespace, so a chunk's lexemes do not
depend on its neighbours: Vectors asks PostgreSQL once for each new chunk's
vector and for how many positions it takes (stop words take one and leave no
lexeme), then assembles each article's vector as to_tsvector and || would: positions
counted from 1, each part shifted by the highest position before it. Where
to_tsvector's limits would cut a vector short (a lexeme in more than 255 places,
a position past 16,383), the vector is left to the trigger.

generate_corpus writes these vectors with the trigger told to keep them (the
`archive.keep_search_vector` setting, migration 0017) and then checks a sample
against the trigger's expression.
"""

import re
from collections import Counter

MAX_POSITION = 16383  # tsvector's highest position (MAXENTRYPOS - 1)
MAX_PLACES = 255  # positions to_tsvector keeps for one lexeme (MAXNUMPOS - 1)

EXPRESSION = (
    "setweight(to_tsvector('archive', coalesce({t}title, '')), 'A') || "
    "setweight(to_tsvector('archive', coalesce({t}lead, '')), 'B') || "
    "setweight(to_tsvector('archive', coalesce({t}body, '')), 'C')"
)

# A chunk's vector, and the positions its tokens take: the highest position in
# its 'simple' vector, a configuration that maps the same token types (words and
# numbers, not blanks) but keeps stop words.
_LEARN = """
SELECT chunk, to_tsvector('archive', chunk)::text, to_tsvector('simple', chunk)::text
FROM unnest(%s::text[]) AS chunk
"""
_ENTRY = re.compile(r"'((?:[^']|'')*)':([0-9,]+)")


def _entries(vector: str) -> tuple[tuple[str, int], ...]:
    """("'lexeme':", position) pairs of a weightless vector's text, by position."""
    pairs = [
        (_quote(lexeme.replace("''", "'")) + ":", int(position))
        for lexeme, positions in _ENTRY.findall(vector)
        for position in positions.split(",")
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class Vectors:
    """Search vectors as text, from a cache of chunks filled from the database.

    The text names a lexeme once for each of its positions ('talk':3C 'talk':9C):
    PostgreSQL's tsvector input merges them, sorted, as to_tsvector would have
    them.
    """

    def __init__(self, cursor_factory):
        self.cursor = cursor_factory  # a callable giving a DB-API cursor
        self.chunks: dict[str, tuple[tuple[tuple[str, int], ...], int]] = {}
        # Most chunks are one word: its "'lexeme':", or "" for a stop word.
        self.words: dict[str, str] = {}
        self.labels = {w: [f"{n}{w}" for n in range(MAX_POSITION + 1)] for w in "ABCD"}

    def learn(self, texts) -> int:
        """Look up the chunks of texts not seen before; return how many."""
        seen = set()
        for text in texts:
            seen.update(text.split())
        missing = seen.difference(self.chunks)
        if missing:
            with self.cursor() as cursor:
                cursor.execute(_LEARN, [sorted(missing)])
                for chunk, vector, every in cursor.fetchall():
                    taken = max((p for _, p in _entries(every)), default=0)
                    entries = _entries(vector)
                    self.chunks[chunk] = (entries, taken)
                    if taken == 1 and len(entries) <= 1:
                        self.words[chunk] = entries[0][0] if entries else ""
        return len(missing)

    def vectors(self, texts, weights: str = "ABC") -> list[str | None]:
        """vector() of each tuple of texts, the parts weighted by `weights`;
        chunks not seen before are looked up once, for all of them."""
        texts = list(texts)
        made: list[str | None] = []
        unknown = []
        for i, parts in enumerate(texts):
            try:
                made.append(self.vector(*zip(parts, weights, strict=True)))
            except KeyError:
                made.append(None)
                unknown.append(i)
        if unknown:
            self.learn(text for i in unknown for text in texts[i])
            for i in unknown:
                made[i] = self.vector(*zip(texts[i], weights, strict=True))
        return made

    def vector(self, *parts: tuple[str, str]) -> str | None:
        """The text of setweight(to_tsvector(text), weight) || ... for the
        (text, weight) parts of learnt chunks; None where tsvector's limits
        would apply (the trigger then makes that vector): a lexeme in more than
        255 places of one part, a position past 16,383."""
        out: list[str] = []
        shift = 0  # || shifts a part by the highest position before it
        for text, weight in parts:
            chunks = text.split()
            lexemes = list(map(self.words.get, chunks))
            if None in lexemes:  # chunks of several words, or not learnt yet
                lexemes, positions = self.parse(chunks)
            else:  # one position a chunk
                positions = range(1, len(chunks) + 1)
            backwards = zip(reversed(positions), reversed(lexemes), strict=True)
            highest = next((p for p, x in backwards if x), 0)
            if shift + highest > MAX_POSITION:
                return None
            if len(lexemes) > MAX_PLACES:
                places = Counter(lexemes)
                places.pop("", None)
                if places and max(places.values()) > MAX_PLACES:
                    return None
            labels = self.labels[weight]
            placed = zip(lexemes, positions, strict=True)
            out += [x + labels[shift + p] for x, p in placed if x]
            shift += highest
        return " ".join(out)

    def parse(self, chunks) -> tuple[list[str], list[int]]:
        """The lexemes of chunks and their positions ("" for stop words)."""
        lexemes, positions = [], []
        at = 0
        for chunk in chunks:
            entries, taken = self.chunks[chunk]
            for lexeme, position in entries:
                lexemes.append(lexeme)
                positions.append(at + position)
            at += taken
        return lexemes, positions
