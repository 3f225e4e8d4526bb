"""JSON Lines exports: one article object a line, each line its own item.

The fields are those of ParsedArticle: title, url, outlet, published_at, authors,
language, body, and optionally lead, dateline, topics and people. A line that
cannot become an article is yielded as a RejectedInput saying why, and the lines
after it are still read. A JSON array of such objects is accepted too.

Parsing is kept cheap (the importer must take a thousand records a second): a
record without a language is left without one, and the importer detects it only
for records that are not already in the archive.
"""

import datetime as dt
import json
import re
from collections.abc import Iterator

from articles.text import normalise_body

from . import signatures
from .language import primary_tag
from .parsed import ParsedArticle, RejectedInput, one_line
from .reading import ImpossibleDate, NotADate, timestamp

FIELDS = (
    "title",
    "url",
    "outlet",
    "published_at",
    "authors",
    "language",
    "body",
    "lead",
    "dateline",
    "topics",
    "people",
)
_KNOWN = frozenset(FIELDS)
_TEXT_FIELDS = ("title", "url", "outlet", "language", "body", "lead", "dateline")
# Names other tools give the required fields, to say what to rename.
_ALIASES = {
    "title": ("headline", "name"),
    "body": ("text", "content", "article", "articleBody", "full_text"),
}
_FUTURE = dt.timedelta(days=1)
_TYPE_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}
_WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_decoder = json.JSONDecoder()


def parse_jsonl(
    text: str, *, source: str = ""
) -> Iterator[tuple[int, ParsedArticle | RejectedInput]]:
    """Yield (line number, article or the reason it was rejected) for each
    non-blank line of text, numbered from 1; for a JSON array, the line where
    each element starts."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from _parse_array(text)
        return
    pretty = _pretty_object(text)
    if pretty is not None:
        record, number = pretty
        yield number, _record(record, number)
        return
    now = dt.datetime.now(dt.UTC)
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line:
            yield number, parse_line(line, number, now)


def is_line_by_line(text: str) -> bool:
    """Return whether parse_jsonl reads text one line at a time (neither a JSON
    array nor one pretty-printed object), so that its lines can be parsed apart."""
    return not text.lstrip().startswith("[") and _pretty_object(text) is None


def parse_line(line: str, number: int, now: dt.datetime):
    """Return the article one stripped, non-blank line describes, or why not."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return _not_json(number, error)
    return _record(record, number, now=now)


def _pretty_object(text: str):
    """Return (record, line number) when text is one pretty-printed object
    rather than JSON Lines, else None."""
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n" in stripped.strip():
        first = stripped.split("\n", 1)[0].strip()
        if not _is_json(first):
            try:
                record = json.loads(text)
            except ValueError:
                return None
            return record, text[: len(text) - len(stripped)].count("\n") + 1
    return None


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _not_json(number: int, error: json.JSONDecodeError) -> RejectedInput:
    # json says "Unterminated string starting at" and lets the position follow.
    reason = error.msg.removesuffix(" at")
    return RejectedInput(
        f"Line {number} is not valid JSON: {reason} at column {error.colno}."
    )


def _parse_array(text: str) -> Iterator[tuple[int, ParsedArticle | RejectedInput]]:
    """Yield the elements of a JSON array of objects, numbered by the line each
    starts on; a syntax error ends the array with one rejection."""
    now = dt.datetime.now(dt.UTC)
    position = text.index("[") + 1
    line, counted = 1, 0
    while True:
        position = _skip_space(text, position)
        if position < len(text) and text[position] == "]":
            return
        line += text.count("\n", counted, position)
        counted = position
        try:
            record, position = _decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield error.lineno, _not_json(error.lineno, error)
            return
        yield line, _record(record, line, now=now)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position >= len(text) or text[position] != "]":
            error_line = text.count("\n", 0, position) + 1
            column = position - text.rfind("\n", 0, position)
            yield (
                error_line,
                RejectedInput(
                    f"Line {error_line} is not valid JSON: Expecting ',' delimiter "
                    f"at column {column}."
                ),
            )
            return


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _record(
    record, number: int, *, now: dt.datetime | None = None
) -> ParsedArticle | RejectedInput:
    """Return the article a decoded record describes, or why it cannot be one."""
    if not isinstance(record, dict):
        return RejectedInput(
            f"Line {number} is {_TYPE_NAMES.get(type(record), 'a value')}, "
            "not an article object."
        )
    try:
        return _article(record, number, now or dt.datetime.now(dt.UTC))
    except RejectedInput as error:
        return error


def _article(record: dict, number: int, now: dt.datetime) -> ParsedArticle:
    values = {}
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise RejectedInput(
                f"Line {number}: {name} must be a string, not "
                f"{_TYPE_NAMES.get(type(value), 'that')}."
            )
        values[name] = value.strip()
    for name in ("title", "body"):
        if not values[name]:
            raise RejectedInput(_missing(number, name, record))
    warnings = []
    unknown = [name for name in record if name not in _KNOWN]
    if unknown:
        warnings.append(f"Unknown fields ignored: {', '.join(sorted(unknown))}.")

    authors = _names(record.get("authors"), "authors", number, one_string=True)
    topics = _names(record.get("topics"), "topics", number)
    people = _names(record.get("people"), "people", number)
    published_at = _published_at(record.get("published_at"), number, now, warnings)

    url = values["url"]
    if url and not _WEB_ADDRESS.fullmatch(url):
        warnings.append(f"url “{url}” is not a web address; left empty.")
        url = ""
    body = normalise_body(values["body"])
    language = ""
    if values["language"]:
        language = primary_tag(values["language"])
        if not language:
            warnings.append(
                f"language “{values['language']}” is no language tag such as "
                "“en”; it is detected from the text instead."
            )
    domain = signatures.domain_of(url) if url else ""
    return ParsedArticle(
        title=" ".join(values["title"].split()),
        body=body,
        lead=normalise_body(values["lead"]),
        url=url,
        outlet=values["outlet"],
        outlet_domains=[domain] if domain else [],
        published_at=published_at,
        authors=authors,
        dateline=values["dateline"],
        language=language,
        topics=topics,
        people=people,
        warnings=warnings,
        format="jsonl",
    )


def _missing(number: int, name: str, record: dict) -> str:
    message = f"Line {number} has no {name}."
    for alias in _ALIASES[name]:
        if isinstance(record.get(alias), str) and record[alias].strip():
            return f"{message[:-1]} (rename “{alias}” to “{name}”)."
    return message


def _names(value, name: str, number: int, *, one_string: bool = False) -> list[str]:
    """Return a list of names from a list of strings (or of objects with a
    "name", as JSON-LD writes authors), or from one string where allowed."""
    if value is None:
        return []
    if isinstance(value, str) and one_string:
        value = [value]
    if not isinstance(value, list):
        raise RejectedInput(
            f"Line {number}: {name} must be a list of names, not "
            f"{_TYPE_NAMES.get(type(value), 'that')}."
        )
    names = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            item = item["name"]
        if not isinstance(item, str):
            raise RejectedInput(
                f"Line {number}: {name} must be a list of names; one is "
                f"{_TYPE_NAMES.get(type(item), 'something else')}."
            )
        item = " ".join(item.split())
        if item and item not in names:
            names.append(item)
    return names


def _published_at(
    value, number: int, now: dt.datetime, warnings: list[str]
) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RejectedInput(
            f"Line {number}: published_at must be a date and time such as "
            f"“2023-08-31T10:15:00Z”, not {_TYPE_NAMES.get(type(value), 'that')}."
        )
    try:
        published_at = timestamp(value)
    except ImpossibleDate:
        raise RejectedInput(
            f"Line {number}: published_at '{_shown(value)}' is not a real date."
        ) from None
    except NotADate:
        raise RejectedInput(
            f"Line {number}: published_at '{_shown(value)}' is not a date and time "
            "such as “2023-08-31T10:15:00Z”."
        ) from None
    if published_at > now + _FUTURE:
        warnings.append(
            f"published_at {published_at:%Y-%m-%d %H:%M} UTC is in the future; "
            "check it."
        )
    return published_at


def _shown(value: str, limit: int = 60) -> str:
    """Return a value as a one-line reason quotes it: on one line, cut short."""
    value = one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
