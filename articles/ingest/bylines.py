"""Bylines and credit lines in page text, and the authors they name.

A byline is a line of its own: "By Anna Petrova and Ivan Ivanov", "Author:
Anna Petrova", "Anna Petrova | 16 August 2016", or, near the headline, a bare
list of names, "Anna Petrova, Ivan Ivanov and Elif Kaya". Credit lines
("Reporting by X; Writing by Y; Editing by Z") close wire stories: reporters
and writers are authors, editors, translators and photographers are not, and
the whole line is page furniture either way.
"""

import re
from collections.abc import Iterable

from articles.text import fold

from . import signatures
from .dates import is_date_line

# "By X", "Yazan: X", "Автор: X": the rest of the line names the authors.
_BY = re.compile(
    r"^\W{0,2}(?:written\s+|story\s+|posted\s+)?by\s*:?\s+(?P<names>.+)$"
    r"|^(?:authors?|author\(s\)|writer|reporter|correspondent|yazar(?:lar)?|yazan"
    r"|muhabir|haber|автор(?:ы)?|текст|müəllif)\s*:\s*(?P<labelled>.+)$",
    re.IGNORECASE,
)
# One credit of a credit line: "Reporting by X in Ankara", "Editing by Y".
_CREDIT = re.compile(
    r"^(?P<role>(?:additional\s+)?reporting|writing|written|editing|edited"
    r"|compiled|translated|translation|photos?|photography|graphics|video"
    r"|production|produced|research|fact[- ]checking|fact[- ]checked)"
    r"\s+by\s*:?\s+(?P<names>.+)$",
    re.IGNORECASE,
)
_AUTHOR_ROLES = {"reporting", "additional reporting", "writing", "written"}
# Other credits, labelled: not authors, but furniture.
_NOT_AUTHOR_LABEL = re.compile(
    r"^(?:editor|edited|editing|editör|redaktör|редактор|translator|çeviri|перевод"
    r"|photo|photos|fotoğraf|фото)\s*:\s*\S",
    re.IGNORECASE,
)
# "Name | 16 August 2016", "Name · AA": a name, a separator, then a date.
_NAME_THEN = re.compile(r"^(?P<names>[^|•·]{3,80}?)\s*[|•·]\s*(?P<rest>.+)$")
_NAME_SEPARATOR = re.compile(r"\s*(?:,|;|&|\band\b|\bve\b|\bи\b|\bvə\b)\s*")
# What follows a name in a byline and is not part of it: "in Ankara", "for
# Reuters", "– Trend:", "/ AFP", "(AP)", an e-mail address or a handle.
_TRAILERS = (
    re.compile(r"\s*[-–—/|]\s+.*$"),
    re.compile(r"\s*\([^)]*\)\s*$"),
    re.compile(r"\s*\S+@\S+$"),
    re.compile(r"\s*@\w+$"),
    re.compile(r"\s*:\s*$"),
)
_PLACE = re.compile(r"\s+(?:in|from|for|reporting from)\s+[A-Z][\w .'-]*$")
_TOKEN = re.compile(r"^(?:[^\W\d_]\.|[^\W\d_][^\W\d_]*(?:[-'’][^\W\d_]+)*\.?)$")
# Lower-case parts of names: "Bashar al-Assad", "Ursula von der Leyen".
_PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "van",
    "von",
    "der",
    "den",
    "de",
    "da",
    "di",
    "du",
    "la",
    "le",
    "dos",
    "das",
    "del",
    "oğlu",
}
# Words that no personal name contains: roles, desks, agencies, page labels.
NOT_NAME_WORDS = frozenset(
    fold(word)
    for word in (
        "editor", "editör", "editörü", "yöneticisi", "site", "staff", "desk", "news",
        "newsroom", "agency", "agencies", "ajans", "ajansı", "haber", "merkezi",
        "merkez", "redaksiya", "редакция", "редактор", "admin", "administrator",
        "reporter", "correspondent", "muhabiri", "muhabir", "daily", "weekly",
        "online", "digital", "media", "bureau", "office", "service", "team", "with",
        "international", "world", "press", "policy", "privacy", "terms", "cookie",
        "cookies", "about", "contact", "home", "latest", "more", "east", "west",
        "north", "south", "middle", "africa", "asia", "europe", "america",
        "americas", "ministry", "embassy", "president", "presidency", "government",
        "kremlin", "wire", "wires", "report", "analysis", "opinion", "editorial",
        "newsletter", "subscribe", "сотрудник", "корреспондент", "служба", "xəbər",
    )
)  # fmt: skip
MAX_NAME_TOKENS = 5


def parse_byline(line: str, *, bare_names: bool = False) -> list[str] | None:
    """Return the authors a byline or credit line names, [] for a credit line
    that names no author ("Editing by Y"); None when the line is neither.

    bare_names accepts a line of two or more names and nothing else ("X, Y and
    Z"), which only near the headline is a byline.
    """
    line = " ".join(line.split()).strip()
    if not line or len(line) > 200:
        return None
    inner = line.strip("()[] ")
    credits = [part.strip() for part in re.split(r"\s*;\s*|\s+/\s+", inner)]
    matches = [_CREDIT.match(part) for part in credits if part]
    if matches and all(matches):
        names = []
        for match in matches:
            role = " ".join(match["role"].lower().split())
            if role in _AUTHOR_ROLES:
                names.extend(_names(match["names"]))
        return names
    if _NOT_AUTHOR_LABEL.match(inner):
        return []
    match = _BY.match(inner)
    if match is not None:
        names = _names(match["names"] or match["labelled"])
        return names if names else None
    match = _NAME_THEN.match(inner)
    if match is not None and is_date_line(match["rest"]):
        names = _names(match["names"])
        return names if names else None
    if bare_names:
        parts = [p for p in _NAME_SEPARATOR.split(inner) if p]
        if len(parts) >= 2 and all(_valid(p) for p in parts):
            return [_cased(p) for p in parts]
    return None


def find_authors(
    lines: Iterable[str], *, bare_names: bool = True, exclude: Iterable[str] = ()
) -> list[str]:
    """Return the authors that the bylines and credit lines among lines name,
    once each, in order, without names in exclude (the outlet's names)."""
    excluded = {fold(name) for name in exclude if name}
    authors: list[str] = []
    seen: set[str] = set()
    for line in lines:
        for name in parse_byline(line, bare_names=bare_names) or ():
            key = fold(name)
            if key not in seen and key not in excluded:
                seen.add(key)
                authors.append(name)
    return authors


def personal_name(text: str) -> str:
    """Return the text as a personal name if it is one and nothing else
    ("Ragıp Soylu", "ANNA PETROVA"), else "". Alone, a name is a byline only
    where the page puts one: next to the date under the headline."""
    text = " ".join(text.split()).strip(" .,")
    return _cased(text) if _valid(text) else ""


def _names(text: str) -> list[str]:
    """Return the personal names in the part of a byline after "By"."""
    for trailer in _TRAILERS:
        text = trailer.sub("", text)
    names = []
    for part in _NAME_SEPARATOR.split(text):
        part = _PLACE.sub("", part.strip(" .,:"))
        if _valid(part):
            names.append(_cased(part))
    return names


def _valid(name: str) -> bool:
    """Whether the text is a personal name: two to five words, each capitalised
    (or a particle such as "al-" or "von"), no digits, no role or desk words,
    not an outlet's name."""
    tokens = name.split()
    if not 2 <= len(tokens) <= MAX_NAME_TOKENS:
        return False
    for token in tokens:
        base = token.split("-")[-1] if token.lower().startswith("al-") else token
        if token.lower() in _PARTICLES:
            continue
        if not (_TOKEN.match(token) and base[:1].isupper()):
            return False
        if fold(token) in NOT_NAME_WORDS:
            return False
    return signatures.for_name(name) is None


def _cased(name: str) -> str:
    """Return a name written in capitals ("ANNA PETROVA") in title case."""
    if name.isupper() and len(name) > 3:
        return " ".join(
            token if token.lower() in _PARTICLES else token.capitalize()
            for token in name.lower().split()
        )
    return name
