"""Citations of one archived article in APA, MLA, Chicago, BibTeX, RIS and CSL-JSON.

Researchers and journalists cite the archive's copy of an article. Every format
names the original address (``article.url``) as the primary URL when it is
known and adds the archive copy's permalink as the style advises for archived
copies; when the original address is unknown, the permalink is the URL.

Conventions shared by every format:

* Authors are the names the archive stores, "First Last" order. With none, the
  article is unsigned and the outlet stands as its author (MLA, which begins
  unsigned periodical entries with the title, is the exception).
* Dates are the UTC calendar day of ``published_at``, as in the permalink. An
  inferred date (``date_inferred``) is never presented as stated: the prose
  styles put it in square brackets, the way bibliographers mark information
  supplied from outside the source, and the structured formats say so in a note.
* Titles keep the outlet's wording. MLA and Chicago capitalise English titles
  headline-style (only words printed all lower case change); APA keeps the
  title as printed, since sentence case cannot be made safely without knowing
  which words are proper nouns.
* Italics are marked where each style sets them (APA: the title of a page on a
  news website; MLA: the containers, outlet and archive; Chicago: the outlet,
  also when it stands as the author of an unsigned article). cite() returns
  plain text; cite_html() the same text with <i> elements, for the page and
  for pasting into a word processor.
* MLA gives the access date; Chicago only for an undated article; the
  structured formats have a field for it; APA leaves it out, as it does for
  archived (unchanging) pages.

The rules each prose style follows, with the sections of its manual, are in
docs/public-site.md ("Citations").
* No field can break its format: whitespace runs and line breaks collapse to
  one space, control characters are dropped, and characters that are never
  legal in a URL are percent-encoded. Nothing is HTML-escaped; templates do
  that. All output is Unicode text, to be served as UTF-8.
"""

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from anyascii import anyascii
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ARCHIVE_NAME = "News archive"

INFERRED_DATE_NOTE = (
    "Publication date inferred by the archive's curators; "
    "the source does not state it in full."
)


class Format(NamedTuple):
    label: str
    extension: str
    mime: str


FORMATS = MappingProxyType(
    {
        "apa": Format("APA (7th ed.)", "txt", "text/plain"),
        "mla": Format("MLA (9th ed.)", "txt", "text/plain"),
        "chicago": Format("Chicago (17th ed.)", "txt", "text/plain"),
        "bibtex": Format("BibTeX", "bib", "application/x-bibtex"),
        "ris": Format("RIS", "ris", "application/x-research-info-systems"),
        "csljson": Format(
            "CSL-JSON", "json", "application/vnd.citationstyles.csl+json"
        ),
    }
)


def cite(
    article,
    *,
    fmt: str,
    authors: list[str],
    permalink: str,
    accessed: dt.date,
) -> str:
    """Return the citation of article in format fmt (a key of FORMATS).

    authors: the author names, "First Last" order; empty for an unsigned article.
    permalink: the absolute URL of the archive's copy.
    accessed: the day the reader consulted the copy.
    """
    return _marked(article, fmt, authors, permalink, accessed).translate(_UNMARKED)


def cite_html(
    article,
    *,
    fmt: str,
    authors: list[str],
    permalink: str,
    accessed: dt.date,
) -> SafeString:
    """Return cite()'s text as HTML, escaped, with the style's italics as <i>."""
    text = _marked(article, fmt, authors, permalink, accessed)
    html = escape(text).replace(_ITALIC, "<i>").replace(_ROMAN, "</i>")
    return mark_safe(html)  # escaped text; the only markup is <i>


def _marked(article, fmt, authors, permalink, accessed) -> str:
    try:
        writer = _WRITERS[fmt]
    except (KeyError, TypeError):
        known = ", ".join(FORMATS)
        raise ValueError(
            f"Unknown citation format {fmt!r}; expected one of {known}."
        ) from None
    return writer(_Source.of(article, authors, permalink, accessed))


# Italics travel through the writers as two control characters, which _clean()
# removes from every field, so no text from an article can forge them.
_ITALIC, _ROMAN = "\x02", "\x03"
_UNMARKED = {ord(_ITALIC): None, ord(_ROMAN): None}


def _italic(text: str) -> str:
    return f"{_ITALIC}{text}{_ROMAN}" if text else text


def citation_key(article, authors: list[str]) -> str:
    """Return a BibTeX key such as "hasanova2016putin".

    Lowercase ASCII of the first author's family name (the outlet's slug when
    unsigned), the year when known, and the first significant word of the title.
    """
    return _Source.of(article, authors, "", dt.date.min).key


# Text and URL hygiene -------------------------------------------------------


def _clean(text) -> str:
    """Return text on one line: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = "".join(
        " " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text
    )
    return " ".join(text.split())


_URL_UNSAFE = frozenset(' "<>\\^`{|}')


def _clean_url(url) -> str:
    """Return url stripped, with spaces, controls and {}|\\^`"<> percent-encoded."""
    url = unicodedata.normalize("NFC", str(url or "")).strip()
    out = []
    for char in url:
        if char in _URL_UNSAFE or unicodedata.category(char) in {"Cc", "Zl", "Zp"}:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        elif char.isspace():
            out.append("%20")
        else:
            out.append(char)
    return "".join(out)


def _end(text: str, mark: str = ".") -> str:
    """Return text closed by mark, unless it already ends a sentence.

    Closing quotation marks stay outside the full stop (American style):
    ‘… useful’ becomes ‘… useful.’ A ’ counts as a closing mark only when a ‘
    opens a quotation, since it is also the apostrophe ("the Turks’").
    """
    if text.endswith(_ROMAN):  # the mark goes after the italics
        inner = text[: -len(_ROMAN)]
        ended = _end(inner, mark)
        if ended.startswith(inner):
            return f"{inner}{_ROMAN}{ended[len(inner) :]}"
        return f"{ended}{_ROMAN}"
    closers = "”"
    if "‘" in text:
        closers += "’"
    if text.count('"') % 2 == 0:
        closers += '"'
    body = text.rstrip(closers)
    if not body or body.endswith((".", "?", "!", "…")):
        return text
    return f"{body}{mark}{text[len(body) :]}"


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", anyascii(text).lower())


# Names ----------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})


@dataclass(frozen=True)
class _Name:
    family: str
    given: str = ""
    suffix: str = ""
    literal: bool = False  # An organisation: one name, never inverted.

    @classmethod
    def parse(cls, name: str) -> "_Name":
        """Split "First [particles] Last [Jr.]" into its parts.

        Lowercase words before the last one are particles of the family name
        ("Ludwig van Beethoven" → "van Beethoven", "Ludwig"). A name written
        "Last, First" is taken as such.
        """
        name = _clean(name)
        suffix = ""
        head, comma, tail = name.rpartition(",")
        if comma and tail.strip().lower().rstrip(".") in _SUFFIXES:
            name, suffix = head.strip(), tail.strip()
        if "," in name:
            family, _, given = name.partition(",")
            return cls(family.strip(), given.strip(), suffix)
        words = name.split()
        if not suffix and len(words) > 2 and words[-1].lower().rstrip(".") in _SUFFIXES:
            suffix = words.pop()
        if len(words) <= 1:
            return cls(name if not words else words[0], "", suffix)
        start = len(words) - 1
        while start > 1 and words[start - 1][:1].islower():
            start -= 1
        return cls(" ".join(words[start:]), " ".join(words[:start]), suffix)

    def inverted(self) -> str:
        """Return "Last, First, Jr." (MLA, Chicago)."""
        parts = [self.family, self.given, self.suffix]
        return ", ".join(p for p in parts if p)

    def natural(self) -> str:
        """Return "First Last Jr." (MLA, Chicago: names after the first)."""
        if self.literal:
            return self.family
        return " ".join(p for p in [self.given, self.family, self.suffix] if p)

    def apa(self) -> str:
        """Return "Last, F. M., Jr." (APA)."""
        if self.literal:
            return self.family
        parts = [self.family, _initials(self.given), self.suffix]
        return ", ".join(p for p in parts if p)


def _initials(given: str) -> str:
    """Return "J.-P. M." for "Jean-Paul Marie"; letters keep their script."""
    initials = []
    for word in given.split():
        pieces = []
        for piece in word.split("-"):
            letter = next((c for c in piece if c.isalpha()), "")
            if letter:
                pieces.append(f"{letter.upper()}.")
        if pieces:
            initials.append("-".join(pieces))
    return " ".join(initials)


# Headline-style capitalisation (MLA, Chicago) --------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Articles, coordinating conjunctions and prepositions that CMOS 8.159 and MLA
# lowercase. Words that are often adverbs in headlines ("Shoots Down", "Steps
# Up", "Over") are left out, so they are capitalised.
_MINOR_WORDS = _words(
    """
    a an the and but for nor or as about above across after against along amid
    among around at before behind below beneath beside besides between beyond by
    despite during except from in inside into of on onto outside per than through
    throughout to toward towards under underneath unlike until upon versus via vs
    vs. v. with within without
    """
)
# MLA also lowercases these coordinating conjunctions; Chicago capitalises them.
_MLA_MINOR_WORDS = _MINOR_WORDS | {"so", "yet"}
# Name particles that stay lowercase inside a title ("Staffan de Mistura").
_TITLE_PARTICLES = _words("al el de del della der di du von bin ibn")
_PART = re.compile(r"^(\W*)(\w[\w'’.]*)?(.*)$", re.DOTALL)


def _headline_case(title: str, minor: frozenset[str]) -> str:
    """Capitalise the words of title that are printed all lower case.

    Never lowercases anything, so acronyms, names and "[UPDATE]" are kept;
    the first and last words and words after a colon, question or exclamation
    mark or dash are always capitalised; each element of a hyphenated compound
    is treated as a word ("Full-Fledged", "Out-of-Date").
    """
    tokens = title.split(" ")
    wordy = [i for i, t in enumerate(tokens) if any(c.isalpha() for c in t)]
    if not wordy:
        return title
    last, start, out = wordy[-1], True, []
    for index, token in enumerate(tokens):
        parts = token.split("-")
        for n, part in enumerate(parts):
            lead, core, tail = _PART.match(part).groups()
            if not core or any(c.isupper() or c.isdigit() for c in core):
                continue
            is_edge = (start and n == 0) or (index == last and n == len(parts) - 1)
            lowered = core.lower()
            if is_edge or not (lowered in minor or lowered in _TITLE_PARTICLES):
                core = core[0].upper() + core[1:]
            parts[n] = f"{lead}{core}{tail}"
        out.append("-".join(parts))
        if any(c.isalpha() for c in token):
            start = False
        if token.endswith((":", "?", "!")) or token in {"—", "–", "-"}:
            start = True
    return " ".join(out)


def _quoted(title: str) -> str:
    """Return “Title.” with quotation marks inside the title made single."""
    inner = title.replace("“", "‘").replace("”", "’")
    # Straight double quotes: opening at the start or after a space or bracket.
    inner = re.sub(r'(^|(?<=[\s(\[]))"', "‘", inner)
    inner = inner.replace('"', "’")
    return f"“{_end(inner)}”"


# The source -----------------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MLA_MONTHS = [
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]
_KEY_STOP_WORDS = _words(
    """
    a an the and or but of in on at to for from by with as is are was were be
    it its this that
    """
)


@dataclass(frozen=True)
class _Source:
    title: str
    outlet: str
    outlet_slug: str
    names: tuple[_Name, ...]
    signed: bool
    day: dt.date | None
    inferred: bool
    original_url: str
    permalink: str
    accessed: dt.date
    language: str

    @classmethod
    def of(cls, article, authors, permalink, accessed) -> "_Source":
        outlet = article.outlet
        # A draft waiting for its outlet (seen only by staff) is cited unsigned.
        outlet_name = _clean(outlet.name) if outlet is not None else ""
        parsed = (_Name.parse(a) for a in authors or ())
        names = tuple(n for n in parsed if n.family or n.given)
        signed = bool(names)
        if not signed:
            names = (_Name(outlet_name, literal=True),)
        published = article.published_at
        day = None
        if published is not None:
            if published.tzinfo is not None:
                published = published.astimezone(dt.UTC)
            day = published.date()
        return cls(
            title=_clean(article.title),
            outlet=outlet_name,
            outlet_slug=(outlet.slug if outlet is not None else "") or outlet_name,
            names=names,
            signed=signed,
            day=day,
            inferred=bool(article.date_inferred) and day is not None,
            original_url=_clean_url(article.url),
            permalink=_clean_url(permalink),
            accessed=accessed,
            language=_clean(article.language),
        )

    @property
    def url(self) -> str:
        """The primary URL: the original address, else the archive copy."""
        return self.original_url or self.permalink

    @property
    def english(self) -> bool:
        return self.language.lower().split("-")[0] in {"en", "eng"}

    def headline(self, minor: frozenset[str]) -> str:
        return _headline_case(self.title, minor) if self.english else self.title

    def archive_note(self) -> str:
        note = f"Archived copy at {ARCHIVE_NAME}: {self.permalink}"
        return f"{note}. {INFERRED_DATE_NOTE}" if self.inferred else note

    @property
    def key(self) -> str:
        first = self.names[0]
        who = _ascii_word(first.family if self.signed else self.outlet_slug)
        year = str(self.day.year) if self.day else ""
        words = (_ascii_word(w) for w in self.title.split())
        word = next((w for w in words if w and w not in _KEY_STOP_WORDS), "")
        return f"{who}{year}{word}" or "article"


def _bracketed(text: str, inferred: bool) -> str:
    return f"[{text}]" if inferred else text


# APA 7 ----------------------------------------------------------------------


def _apa_authors(names) -> str:
    written = [n.apa() for n in names]
    if len(written) == 1:
        return written[0]
    if len(written) <= 20:
        return ", ".join(written[:-1]) + ", & " + written[-1]
    return ", ".join(written[:19]) + ", . . . " + written[-1]


def _apa(s: _Source) -> str:
    """Author. (Date). *Title*. Site. URL — a webpage on a news website (APA 7,
    10.16, Example 110): the title in italics, the site in roman, and the site
    left out when the outlet is the author. A date supplied by the archive is
    bracketed inside the parentheses, as APA does for dates known from outside
    the work; no date is (n.d.)."""
    if s.day is None:
        date = "(n.d.)"
    else:
        text = f"{s.day.year}, {_MONTHS[s.day.month - 1]} {s.day.day}"
        date = f"([{text}])" if s.inferred else f"({text})"
    parts = [_end(_apa_authors(s.names)), f"{date}.", _end(_italic(s.title))]
    if s.signed:
        parts.append(_end(s.outlet))
    if s.original_url:
        parts.append(f"{s.original_url}.")
    parts += [f"Archived at {ARCHIVE_NAME}.", s.permalink]
    return " ".join(parts)


# MLA 9 ----------------------------------------------------------------------


def _mla_authors(names) -> str:
    if len(names) == 1:
        return names[0].inverted()
    if len(names) == 2:
        return f"{names[0].inverted()}, and {names[1].natural()}"
    return f"{names[0].inverted()}, et al."


def _mla_date(day: dt.date) -> str:
    return f"{day.day} {_MLA_MONTHS[day.month - 1]} {day.year}"


def _mla(s: _Source) -> str:
    """Author. “Title.” Outlet, Date, original URL. Archive, permalink. Accessed
    Date. The archive is a second container (MLA 9, 5.87–5.91). An unsigned
    article begins with its title: the outlet is named once, as the container."""
    parts = [_end(_mla_authors(s.names))] if s.signed else []
    parts.append(_quoted(s.headline(_MLA_MINOR_WORDS)))
    container = [_italic(s.outlet)]
    if s.day is not None:
        container.append(_bracketed(_mla_date(s.day), s.inferred))
    if s.original_url:
        container.append(s.original_url)
    parts.append(_end(", ".join(container)))
    parts.append(f"{_italic(ARCHIVE_NAME)}, {s.permalink}.")
    parts.append(f"Accessed {_mla_date(s.accessed)}.")
    return " ".join(parts)


# Chicago 17 -----------------------------------------------------------------


def _chicago_authors(names) -> str:
    if len(names) > 10:  # CMOS 14.76: the first seven, then et al.
        names = names[:7]
        rest = ", ".join(n.natural() for n in names[1:])
        return f"{names[0].inverted()}, {rest}, et al."
    if len(names) == 1:
        return names[0].inverted()
    if len(names) == 2:
        return f"{names[0].inverted()}, and {names[1].natural()}"
    middle = "".join(f", {n.natural()}" for n in names[1:-1])
    return f"{names[0].inverted()}{middle}, and {names[-1].natural()}"


def _chicago_date(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _chicago(s: _Source) -> str:
    """Bibliography entry, notes-bibliography system, for a news article read
    online (CMOS 17, 14.191 and 14.206; archived copies as in the CMOS Q&A on
    the Wayback Machine). The outlet is italic, like a newspaper's name; an
    unsigned article has the outlet as its author, as CMOS cites unsigned
    newspaper articles, not repeated after the title. No access date unless
    the article is undated (14.12)."""
    author = _chicago_authors(s.names) if s.signed else _italic(s.outlet)
    parts = [_end(author), _quoted(s.headline(_MINOR_WORDS))]
    date = _bracketed(_chicago_date(s.day), s.inferred) if s.day is not None else None
    outlet = _italic(s.outlet)
    if s.signed:
        parts.append(_end(f"{outlet}, {date}" if date else outlet))
    elif date:
        parts.append(f"{date}.")
    if s.original_url:
        parts.append(f"{s.original_url}.")
    parts.append(f"Archived at {ARCHIVE_NAME}.")
    if date is None:
        parts.append(f"Accessed {_chicago_date(s.accessed)}.")
    parts.append(f"{s.permalink}.")
    return " ".join(parts)


# BibTeX ---------------------------------------------------------------------

_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    # "\{" would leave BibTeX counting an unbalanced brace; these do not.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_MONTHS = tuple(month[:3].lower() for month in _MONTHS)  # BibTeX macros


def _tex(text: str) -> str:
    """Escape LaTeX's special characters; Unicode is kept as UTF-8."""
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text)


def _bibtex_name(name: _Name) -> str:
    if name.literal:
        return "{" + _tex(name.family) + "}"

    def part(text: str) -> str:
        text = _tex(text)
        return "{" + text + "}" if "," in text or " and " in text else text

    if name.suffix:
        return f"{part(name.family)}, {part(name.suffix)}, {part(name.given)}"
    if name.given:
        return f"{part(name.family)}, {part(name.given)}"
    return part(name.family)


def _bibtex(s: _Source) -> str:
    """A biblatex @article (entrysubtype newspaper) that classic BibTeX reads
    too: it takes author, title, journal, year, month, url and note and ignores
    the rest. Field values are braced; the title twice, to keep its capitals.
    The url field is verbatim: _clean_url has percent-encoded braces and
    backslashes, so it cannot unbalance the entry."""
    fields = [
        ("author", "{" + " and ".join(_bibtex_name(n) for n in s.names) + "}"),
        ("title", "{{" + _tex(s.title) + "}}"),
        ("journal", "{" + _tex(s.outlet) + "}"),
        ("entrysubtype", "{newspaper}"),
    ]
    if s.day is not None:
        fields += [
            ("date", "{" + s.day.isoformat() + "}"),
            ("year", "{" + str(s.day.year) + "}"),
            ("month", _BIBTEX_MONTHS[s.day.month - 1]),
        ]
    fields += [
        ("url", "{" + s.url + "}"),
        ("urldate", "{" + s.accessed.isoformat() + "}"),
        ("note", "{" + _tex(s.archive_note()) + "}"),
    ]
    lines = ["% Encoding: UTF-8", f"@article{{{s.key},"]
    lines += [f"  {name} = {value}," for name, value in fields]
    lines.append("}")
    return "\n".join(lines) + "\n"


# RIS ------------------------------------------------------------------------


def _ris_date(day: dt.date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def _ris(s: _Source) -> str:
    """A RIS record of type NEWS, lines ending CRLF as the format specifies.
    An organisation author ends with a comma, so importers do not invert it."""
    tags = [("TY", "NEWS")]
    for name in s.names:
        tags.append(("AU", f"{name.family}," if name.literal else name.inverted()))
    tags += [("TI", s.title), ("T2", s.outlet)]
    if s.day is not None:
        tags += [("DA", _ris_date(s.day)), ("PY", str(s.day.year))]
    tags += [
        ("UR", s.url),
        ("Y2", _ris_date(s.accessed)),
        ("LA", s.language),
        ("N1", s.archive_note()),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_clean(value)}\r\n" for tag, value in tags)


# CSL-JSON -------------------------------------------------------------------


def _csl_date(day: dt.date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def _csl_name(name: _Name) -> dict:
    if name.literal or not name.given:
        return {"literal": name.natural()}
    data = {"family": name.family, "given": name.given}
    if name.suffix:
        data["suffix"] = name.suffix
    return data


def _csljson(s: _Source) -> str:
    """A one-item CSL-JSON array. An inferred date carries "circa" as well as
    the note, so processors can mark it as uncertain."""
    item = {
        "id": s.key,
        "type": "article-newspaper",
        "title": s.title,
        "container-title": s.outlet,
        "author": [_csl_name(n) for n in s.names],
    }
    if s.day is not None:
        item["issued"] = _csl_date(s.day)
        if s.inferred:
            item["issued"]["circa"] = True
    item |= {
        "accessed": _csl_date(s.accessed),
        "URL": s.url,
        "language": s.language,
        "archive": ARCHIVE_NAME,
        "archive_location": s.permalink,
        "note": s.archive_note(),
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


_WRITERS = {
    "apa": _apa,
    "mla": _mla,
    "chicago": _chicago,
    "bibtex": _bibtex,
    "ris": _ris,
    "csljson": _csljson,
}
