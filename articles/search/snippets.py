"""Snippets: the passages of an article where a search's words stand, with the
words marked.

The words are found as the index found them, by the analyser of the article's
language (so "talks" marks "talk" and "talking"), and passages are cut at word
boundaries, never inside a word. The HTML is built from escaped text and the
<mark> elements only.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .engine import ANALYZERS, language_group, prepared, tokens
from .question import Text

WORDS = 30  # in a passage
PASSAGES = 2
GAP = " … "


def snippet(text: str, language: str, wanted: Text) -> SafeString | None:
    """Return up to PASSAGES passages of the text around the words the search
    looks for, as HTML with those words in <mark>; None when none is in it."""
    group = language_group(language)
    looked_for = {word for s in wanted.spellings for word in tokens(s, group)}
    if not looked_for:
        return None
    found = ANALYZERS[group].pre_tokenize(prepared(text)).tokens
    hits = [i for i, token in enumerate(found) if token.text in looked_for]
    if not hits:
        return None
    passages = _passages(hits, len(found))
    html = []
    for first, last in passages:
        start = found[first].char_offset_from
        end = _word_end(text, found[last].char_offset_to)
        marks = [
            (found[i].char_offset_from, found[i].char_offset_to)
            for i in hits
            if first <= i <= last
        ]
        html.append(_marked(text, start, end, marks))
    opening = "… " if passages[0][0] > 0 else ""
    closing = " …" if passages[-1][1] < len(found) - 1 else ""
    return mark_safe(opening + GAP.join(html) + closing)


def _passages(hits: list[int], count: int) -> list[tuple[int, int]]:
    """Token ranges [first, last] of at most PASSAGES windows of WORDS tokens,
    the first around the densest run of hits, in the order of the text."""
    chosen: list[tuple[int, int]] = []
    remaining = list(hits)
    while remaining and len(chosen) < PASSAGES:
        best, best_hits = None, -1
        for hit in remaining:
            first = max(0, min(hit - WORDS // 3, count - WORDS))
            last = min(count - 1, first + WORDS - 1)
            inside = sum(first <= h <= last for h in remaining)
            if inside > best_hits:
                best, best_hits = (first, last), inside
        chosen.append(best)
        remaining = [h for h in remaining if not any(a <= h <= b for a, b in chosen)]
        # A second passage only where it does not touch the first.
        remaining = [
            h for h in remaining if all(h > b + WORDS // 3 or h < a for a, b in chosen)
        ]
    return sorted(chosen)


def _word_end(text: str, end: int) -> int:
    """Extend a passage's end over punctuation that closes its last word
    ("talks," and "Erdoğan’s" keep their comma and apostrophe-s)."""
    while end < len(text) and not text[end].isspace():
        end += 1
    return end


def _marked(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> str:
    parts, at = [], start
    for mark_start, mark_end in marks:
        parts.append(escape(text[at:mark_start]))
        parts.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        at = mark_end
    parts.append(escape(text[at:end]))
    return " ".join("".join(parts).split())
