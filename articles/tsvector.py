"""Search vectors made in Python, equal to PostgreSQL's, for bulk loads.

On PostgreSQL a trigger sets each article's search_vector to

    setweight(to_tsvector('archive', title), 'A')
    || setweight(to_tsvector('archive', lead), 'B')
    || setweight(to_tsvector('archive', body), 'C')

Parsing and stemming cost the server about 0.95 ms an article of generated text,
more than anything else in loading a generated corpus. PostgreSQL's parser never
joins tokens across whitespace, so a whitespace-separated chunk's lexemes do not
depend on its neighbours: Vectors asks PostgreSQL once for each new chunk's
vector and for how many positions it takes (stop words take one and leave no
lexeme). Lexicon turns the words and phrases generate_corpus writes with into
tokens, one a position, which the generator keeps beside its text; Vectors
assembles an article's vector from them as to_tsvector and || would: positions
counted from 1, each part shifted by the highest position before it. Where
to_tsvector's limits would cut a vector short (a lexeme in more than 255 places,
a position past 16,383), the vector is left to the trigger.

generate_corpus writes these vectors with the trigger told to keep them (the
`archive.keep_search_vector` setting, migration 0017) and then checks a sample
against the trigger's expression.
"""

import re
from collections import Counter

import numpy as np

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
                    self.chunks[chunk] = (_entries(vector), taken)
        return len(missing)

    def spell(self, chunks) -> list[str] | None:
        """One "'lexeme':" for each position the chunks take ("" for a stop
        word); None where a position would hold two lexemes."""
        tokens: list[str] = []
        for chunk in chunks:
            entries, taken = self.chunks[chunk]
            places = [""] * taken
            for lexeme, position in entries:
                if places[position - 1]:
                    return None
                places[position - 1] = lexeme
            tokens += places
        return tokens

    def assemble(self, *parts: tuple[list[str], str]) -> str | None:
        """The vector of (tokens, weight) parts, a token a position; None where
        tsvector's limits would apply (the trigger then makes that vector): a
        lexeme in more than 255 places of one part, a position past 16,383."""
        out: list[str] = []
        shift = 0  # || shifts a part by the highest position before it
        for tokens, weight in parts:
            highest = len(tokens)
            while highest and not tokens[highest - 1]:
                highest -= 1
            if shift + highest > MAX_POSITION:
                return None
            if highest > MAX_PLACES:
                places = Counter(tokens)
                places.pop("", None)
                if max(places.values()) > MAX_PLACES:
                    return None
            labels = self.labels[weight]
            placed = enumerate(tokens, shift + 1)
            out += [token + labels[n] for n, token in placed if token]
            shift += highest
        return " ".join(out)


class Lexicon:
    """The tokens (see Vectors.spell) of the words and phrases generate_corpus
    writes with, so that it spells an article as it writes it instead of
    splitting and looking up its text afterwards."""

    def __init__(self, vectors: Vectors):
        self.vectors = vectors
        self.known: dict[str, list[str]] = {}

    def learn(self, texts):
        self.vectors.learn(texts)

    def of(self, text: str) -> list[str]:
        """The tokens of text (a list to copy, not to change)."""
        tokens = self.known.get(text)
        if tokens is None:
            chunks = text.split()
            try:
                tokens = self.vectors.spell(chunks)
            except KeyError:
                self.vectors.learn([text])
                tokens = self.vectors.spell(chunks)
            if tokens is None:
                raise ValueError(f"{text!r} has two lexemes in one position.")
            self.known[text] = tokens
        return tokens

    def words(self, words) -> np.ndarray:
        """The token of each word (each taking one position), as an array that
        numpy can index like the words."""
        array = np.empty(len(words), dtype=object)
        for i, word in enumerate(words):
            tokens = self.of(str(word))
            if len(tokens) != 1:
                raise ValueError(f"{word!r} is not one word.")
            array[i] = tokens[0]
        return array

    def vector(self, title, lead, body) -> str | None:
        return self.vectors.assemble((title, "A"), (lead, "B"), (body, "C"))


class Unspelt:
    """A Lexicon for text that needs no vectors: every word a stop word."""

    def of(self, text: str) -> list[str]:
        return [""] * len(text.split())

    def words(self, words) -> np.ndarray:
        return np.full(len(words), "", dtype=object)

    def vector(self, title, lead, body) -> None:
        return None
