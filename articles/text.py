"""Text helpers shared by the models, the importer and the public pages."""

import hashlib
import re
import unicodedata

from anyascii import anyascii
from django.utils.text import slugify

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*", re.UNICODE)
_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[^\S\n]+")
# C0 and C1 control characters other than tab, line feed and carriage return:
# invisible, illegal in XML 1.0 feeds, and NUL cannot be stored by PostgreSQL.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalise_body(text: str) -> str:
    """Return the body in the canonical form used for hashing and storage.

    Line endings become ``\\n``, runs of spaces and tabs collapse to one space,
    each line is stripped, and paragraphs are separated by exactly one blank line.
    Unicode is composed (NFC) so that "ğ" typed two ways hashes the same.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def strip_control_characters(text: str) -> str:
    """Return text without control characters; those that separate words (form
    feed, vertical tab, information separators, NEL) become spaces."""
    return CONTROL_CHARACTER.sub(lambda m: " " if m.group().isspace() else "", text)


def has_visible_character(text: str) -> bool:
    """Return whether text shows anything: a character that is neither a space
    nor an invisible format character (category Cf: zero-width space, joiners,
    direction marks, the byte-order mark)."""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)


def content_hash(body: str) -> str:
    """Return the SHA-256 hex digest of the normalised body."""
    return hashlib.sha256(normalise_body(body).encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def ascii_slug(text: str, max_length: int = 200) -> str:
    """Return a readable ASCII slug, transliterating Cyrillic, Turkish and so on."""
    slug = slugify(anyascii(text))[:max_length].strip("-")
    return slug


def fold(text: str) -> str:
    """Return text folded for matching names: lower case, without accents.

    "Erdoğan", "ERDOGAN" and "Erdogan" all fold to "erdogan".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return anyascii(stripped).casefold()


# The lead is "repeated" when the body's first paragraphs already hold nine in
# ten of its three-word runs: the outlet's page printed its summary and then
# the same sentences as the opening of the text (often with a clause moved).
LEAD_WINDOW = 3
LEAD_REPEATED = 0.9
_RUN = 3


def lead_is_repeated(lead: str, body: str) -> bool:
    """Return whether the body's first LEAD_WINDOW paragraphs already say the
    lead, word for word but for punctuation, case and a few words moved; the
    article page then shows the lead once, as the body's opening."""
    said = [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", lead))]
    if not said:
        return False
    opening = "\n\n".join(body.split("\n\n")[:LEAD_WINDOW])
    text = [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", opening))]
    size = min(_RUN, len(said))
    runs = [tuple(said[i : i + size]) for i in range(len(said) - size + 1)]
    present = {tuple(text[i : i + size]) for i in range(len(text) - size + 1)}
    return sum(run in present for run in runs) >= LEAD_REPEATED * len(runs)


def opening_words(text: str, count: int = 6) -> str:
    """Return the first count words of text, with an ellipsis if it goes on."""
    words = text.split()
    shown = " ".join(words[:count])
    return f"{shown}…" if len(words) > count else shown
