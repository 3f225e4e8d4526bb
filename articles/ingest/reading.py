"""From paths to text: reading files, refusing what is not text, decoding legacy
code pages, telling the formats apart, and reading timestamps."""

import codecs
import datetime as dt
import email.utils
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

from dateutil.parser import isoparse

from .parsed import RejectedInput

MB = 1024 * 1024

# Leading bytes of the binary formats curators are likely to drop into an import.
MAGIC_NUMBERS = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x7fELF", "program"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg audio or video"),
    (b"fLaC", "FLAC audio"),
    (b"\x1a\x45\xdf\xa3", "Matroska or WebM video"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 8192
# C0 controls that never occur in text (tab, line feed, form feed, carriage
# return and escape do).
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27})

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+?encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Browsers read these labels as the Windows code pages that extend them, and so
# do pages that declare them.
_DECLARED_ALIASES = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso8859-9": "cp1254",
    "iso_8859-9": "cp1254",
    "latin5": "cp1254",
    "l5": "cp1254",
}

# The legacy code pages of the archive's languages, in order of preference when
# two of them give the same score. Each comes with the letters beyond ASCII that
# its languages use; other letters count against it.
_WESTERN = "àâäçéèêëîïôöùûüÿœæáíóúñãõåøßìòœ"
_TURKISH = "çğıöşüâîû"
_CENTRAL = "ąćęłńóśźżčďěňřšťůžýáéíúőűăâîşţäöüôĺľŕ"
_CYRILLIC = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐЎ"
)
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
_CODE_PAGES = {
    "cp1251": set(_CYRILLIC),
    "cp1254": set(_TURKISH + _TURKISH.upper() + "İ" + _WESTERN) - {"ð", "ý", "þ"},
    "cp1252": set(_WESTERN + _WESTERN.upper()),
    "cp1250": set(_CENTRAL + _CENTRAL.upper()),
    "koi8_r": set(_CYRILLIC),
}
# Punctuation the legacy code pages share; anything else beyond ASCII that is not
# a letter counts against a decoding.
_PUNCTUATION = set("\u00a0\u00ad“”‘’„‚«»‹›–—…•·€№°§©®™±×")
_LETTERS = re.compile(r"[^\W\d_]+")

_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|article|meta|title"
    r"|link|main|section|header|div|p|h[1-6]|script|style|\?xml)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
# Saved pages may open with what the server printed before the page (a PHP
# site's warnings ran to 20 KB on one): the page's own tags are looked for this
# far in.
HTML_SNIFF_CHARS = 64 * 1024
# "[" and then "{": an array of objects, even one broken further on (the parser
# then reports where).
_ARRAY_OF_OBJECTS = re.compile(r"\[\s*\{")


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """Return the bytes of a file, or raise RejectedInput saying why it cannot be
    imported: missing, a folder, unreadable, empty or over max_bytes."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            os.listdir(path)
            raise RejectedInput("This is a folder, not a file; it has nothing to read.")
        if not stat.S_ISREG(info.st_mode):
            raise RejectedInput("This is not a regular file; it cannot be imported.")
        if info.st_size > max_bytes:
            raise RejectedInput(too_large(info.st_size, max_bytes))
        with open(path, "rb") as file:
            # One byte more than allowed shows a file that grew since stat().
            data = file.read(max_bytes + 1)
    except FileNotFoundError:
        raise RejectedInput("No such file or folder.") from None
    except PermissionError:
        raise RejectedInput(
            "Permission denied: the importer may not read this file or folder."
        ) from None
    except OSError as error:
        raise RejectedInput(
            f"The file cannot be read: {error.strerror or error}."
        ) from None
    if not data:
        raise RejectedInput("The file is empty.")
    if len(data) > max_bytes:
        raise RejectedInput(too_large(len(data), max_bytes))
    return data


def too_large(size: int, max_bytes: int) -> str:
    """Return the message for a file of size bytes over the max_bytes limit."""
    shown, limit = sizes(size, max_bytes)
    return f"The file is {shown}; the limit is {limit} (IMPORT_MAX_BYTES)."


def sizes(size: int, limit: int) -> tuple[str, str]:
    """Return size and limit in words, with digits enough to tell them apart."""
    for digits in range(1, 7):
        shown, most = _size(size, digits), _size(limit, digits)
        if shown != most:
            break
    return shown, most


def _size(n: int, digits: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if n >= scale:
            number = f"{n / scale:.{digits}f}".rstrip("0").rstrip(".")
            return f"{number} {unit}"
    return f"{n} bytes"


def decode(data: bytes) -> str:
    """Return the text of data with \\n line endings, or raise RejectedInput for a
    binary file.

    UTF-8 (with or without a byte order mark) is tried first, then a charset an
    HTML or XML document declares, then detection among the legacy code pages.
    """
    kind = binary_kind(data)
    if kind is not None:
        detail = f" ({kind})" if kind else ""
        raise RejectedInput(
            f"This is a binary file{detail}, not text, HTML or JSON Lines."
        )
    text = _decode(data)
    text = text.removeprefix("\ufeff").replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def binary_kind(data: bytes) -> str | None:
    """Return what kind of binary file data is ("" when unknown), or None for
    text in any encoding."""
    for magic, kind in MAGIC_NUMBERS:
        if data.startswith(magic):
            if kind == "ZIP archive" and b"word/" in data[:4096]:
                return "Word document"
            return kind
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        return "WebP image"
    if data[4:8] == b"ftyp":
        return "MP4 video or HEIC image"
    if _bom_encoding(data) or _utf16_without_bom(data):
        return None
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return ""
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) * 0.1:
        return ""
    return None


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _without_bom(data: bytes) -> bytes:
    for bom, _ in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le" or "-be" for UTF-16 text of mostly Latin or Cyrillic
    letters written without a byte order mark: every other byte is then NUL or
    a small number."""
    sample = data[: _SAMPLE - _SAMPLE % 2]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) > half * 0.6 and low.count(0) == 0:
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _decode(data: bytes) -> str:
    encoding = _bom_encoding(data)
    if encoding is not None:
        return _without_bom(data).decode(encoding, errors="replace")
    encoding = _utf16_without_bom(data)
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text
    text = _declared(data)
    if text is not None:
        return text
    return _detected(data)


def _mostly_utf8(data: bytes) -> str | None:
    """Return data as UTF-8 when a few bad bytes (a truncated last character, a
    stray byte from another code page) spoil otherwise UTF-8 text."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for c in text if c > "\x7f") - bad
    if bad <= max(1, wide // 50) and wide >= 2 * bad:
        return text
    return None


def _declared(data: bytes) -> str | None:
    """Return data decoded with the charset an HTML or XML document declares."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    label = _DECLARED_ALIASES.get(label, label)
    try:
        encoding = codecs.lookup(label).name
    except LookupError:
        return None
    if encoding == "utf-8":
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "cp1252":
            return data.decode("latin-1")
    return None


def _detected(data: bytes) -> str:
    """Return data decoded with the likeliest legacy code page.

    charset-normalizer guesses wrong on short Latin-1, Turkish and Cyrillic texts
    (ISO-8859-9 read as Windows-1252 turns "ş" into "þ"), so its guess competes
    with the archive's code pages on how plausible the letters they produce are.
    Its guess wins outright only when none of those reads well (Greek, Arabic,
    Chinese ...).
    """
    from charset_normalizer import from_bytes

    guess = from_bytes(data[: 64 * 1024]).best()
    guessed = guess.encoding if guess is not None else None
    sample = data[: 64 * 1024]
    best, best_score = None, 0
    candidates = list(_CODE_PAGES)
    if guessed and guessed not in _CODE_PAGES:
        candidates.append(guessed)
    for encoding in candidates:
        try:
            text = sample.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text, _CODE_PAGES.get(encoding, set()))
        if best is None or score > best_score:
            best, best_score = encoding, score
    if best is None or (best_score <= 0 and guessed):
        best = guessed or "latin-1"
    try:
        return data.decode(best)
    except UnicodeDecodeError:
        return data.decode(best, errors="replace")


def _plausibility(text: str, letters: set[str]) -> int:
    """Return how much text reads like prose in the languages of a code page:
    its letters beyond ASCII count for it; other letters, words made mostly of
    such letters, case changing inside words, script mixed inside words and
    stray symbols count against it, and so does Cyrillic with too few vowels
    (Greek read as Windows-1251, say)."""
    score = 0
    all_cyrillic = vowels = 0
    for word in _LETTERS.findall(text):
        wide = [c for c in word if c > "\x7f"]
        if not wide:
            continue
        cyrillic = sum(1 for c in wide if "\u0400" <= c <= "\u04ff")
        all_cyrillic += cyrillic
        vowels += sum(1 for c in wide if c in _CYRILLIC_VOWELS)
        if cyrillic and (cyrillic < len(wide) or len(wide) < len(word)):
            score -= 2 * len(wide)
            continue
        if not cyrillic and len(word) >= 4 and len(wide) * 10 > len(word) * 6:
            score -= len(wide)
            continue
        if any(a.islower() and b.isupper() for a, b in pairwise(word)):
            score -= len(wide)
            continue
        score += sum(1 if c in letters else -1 for c in wide)
    for c in text:
        if c > "\x7f" and not c.isalpha() and c not in _PUNCTUATION:
            score -= 5 if unicodedata.category(c) == "Cc" else 2
    if all_cyrillic >= 20 and vowels < all_cyrillic * 0.3:
        score -= 2 * all_cyrillic
    return score


def sniff(text: str) -> str:
    """Return "jsonl", "html" or "text": the format of text, by its content."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "jsonl" if _ARRAY_OF_OBJECTS.match(stripped) else "text"
    if stripped.startswith("{"):
        lines = (line.strip() for line in stripped.split("\n", 50)[:50])
        candidates = [line for line in lines if line.startswith("{")][:5]
        if any(_json_object(line) for line in candidates):
            return "jsonl"
        if _json_object(stripped):
            return "jsonl"
        return "text"
    if _HTML_START.match(text) or _HTML_ANYWHERE.search(text[:HTML_SNIFF_CHARS]):
        return "html"
    return "text"


def _json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield the files to import: each path given, and the files in each folder
    given, recursively in name order, skipping hidden files and folders.

    A path that does not exist or a folder that cannot be listed is yielded as
    it is, so that reading it reports why.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, seen=set())
        else:
            yield path


def _walk(folder: Path, *, seen: set) -> Iterator[Path]:
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen=seen)
        else:
            yield path


class NotADate(ValueError):
    """The text is no date in a form the importer reads."""


class ImpossibleDate(ValueError):
    """The text has the form of a date that does not exist ("2020-02-31")."""


_ISO_SHAPE = re.compile(
    r"\d{4}-?\d{2}-?\d{2}(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


def timestamp(value: str) -> dt.datetime:
    """Return an aware UTC datetime for an ISO 8601 or RFC 2822 date and time.

    A value without a zone is taken as UTC; a date alone as its midnight, UTC.
    Raise ImpossibleDate for a well-formed date that does not exist, NotADate for
    anything else.
    """
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            parsed = isoparse(value)
        except (ValueError, OverflowError):
            if _ISO_SHAPE.fullmatch(value):
                raise ImpossibleDate(value) from None
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                raise NotADate(value) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ImpossibleDate(value) from None
