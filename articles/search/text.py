"""Reading what a reader typed: web-search syntax, and people's other names.

Words are all required, "quoted phrases" are found as phrases, `or` between two
items lets either do, and -excluded items rule articles out. A name of a person
the archive knows (any of their spellings, in any script, or their surname)
stands for all of that person's spellings: "Erdogan" finds "Erdoğan" and
"Эрдоган", and "-Lavrov" leaves out every article naming Lavrov however it
spells him.
"""

import re
import threading
import time
from collections import defaultdict

from .question import Term, Text

MAX_QUERY_LENGTH = 500
MAX_SPELLINGS = 12  # of one person, searched for one name
_ITEM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
_OPERATORS = "\"'()&|!:*<>"


def parse(q: str, *, names=None) -> Text:
    """Return the text of a query: its groups and excluded terms, each term
    with the other spellings of the person it names (from `names`, the
    archive's people, by default)."""
    q = q[:MAX_QUERY_LENGTH]
    if not q.strip():
        return Text()
    names = people() if names is None else names
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for negated, text, is_word in _items(names.quoted(q)):
        if not negated and is_word and text.lower() == "or":
            join_next = bool(groups)
            continue
        term = names.spellings(text)
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return Text(tuple(tuple(group) for group in groups), tuple(excluded))


def _items(q: str):
    """(negated, text, is a bare word) for each item of the query."""
    for match in _ITEM.finditer(q):
        negated = bool(match.group(1) or match.group(3))
        is_word = match.group(4) is not None
        text = (match.group(4) if is_word else match.group(2)).strip()
        text = text.strip(_OPERATORS)
        if text:
            yield negated, text, is_word


class Names:
    """People's names, for reading queries: which words name someone, and how
    else that person is spelt."""

    def __init__(self, index, spellings: dict[int, list[str]]):
        self.index = index  # articles.ingest.suggest.NameIndex
        self.by_person = spellings

    @classmethod
    def of_people(cls):
        from articles.ingest.suggest import NameIndex
        from articles.models import Person

        spellings, keys = {}, defaultdict(set)
        for pk, name, aliases in Person.objects.values_list("pk", "name", "aliases"):
            known = [name, *(aliases or [])]
            for spelling in known:
                if key := NameIndex.key(spelling):
                    keys[key].add(pk)
            # Articles mostly name people by surname: "Erdoğan" for Recep
            # Tayyip Erdoğan.
            known += [s.split()[-1] for s in known if len(s.split()) > 1]
            spellings[pk] = list(dict.fromkeys(known))
        return cls(NameIndex(keys), spellings)

    def quoted(self, q: str) -> str:
        """The query with names of several words, typed without quotes,
        quoted, so that "Sergey Lavrov" is read as one name."""
        spans = sorted(
            span
            for found in self.index.find(_outside_quotes(q)).values()
            for span in found
        )
        for span in reversed(spans):
            inside = q[span.start : span.end]
            if " " in inside and '"' not in inside:
                q = f'{q[: span.start]}"{inside}"{q[span.end :]}'
        return q

    def spellings(self, text: str) -> Term:
        """The text and, where it names a person, its other spellings: the
        name replaced by each of the person's."""
        found = self.index.find(text)
        for pk, spans in found.items():
            if pk not in self.by_person:  # removed since the index was built
                continue
            span = spans[0]
            named = text[span.start : span.end].casefold()
            variants = [text]
            for spelling in self.by_person[pk]:
                if spelling.casefold() != named:
                    variants.append(f"{text[: span.start]}{spelling}{text[span.end :]}")
            return tuple(dict.fromkeys(variants))[:MAX_SPELLINGS]
        return (text,)


def _outside_quotes(q: str) -> str:
    """The query with quoted parts blanked out (same length), so that names
    are only looked for where the reader did not quote."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), q)


class _People:
    """The people's names, built once per process and rebuilt after a person is
    saved or deleted here, and at least every TTL seconds (other processes'
    edits)."""

    TTL = 300

    def __init__(self):
        self.lock = threading.Lock()
        self.names = None
        self.built = 0.0

    def __call__(self) -> Names:
        with self.lock:
            if self.names is None or time.monotonic() - self.built > self.TTL:
                self.names = Names.of_people()
                self.built = time.monotonic()
            return self.names

    def forget(self, **kwargs):
        with self.lock:
            self.names = None


people = _People()
