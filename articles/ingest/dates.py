"""Publication dates in page text: reading one date, and finding the one that
dates the story.

python-dateutil does the parsing. What it cannot be trusted with is done here:
month names in Turkish, Russian and Azerbaijani are translated first, time
zones ("UTC+04:00", "GMT", "MSK") are read here (dateutil reads "UTC+4" the
POSIX way, as four hours *behind*), and a date without a year is never
completed: dateutil would silently fill in a default year, so the year is
looked for before parsing and, when there is none, the date is left empty
with a warning for the curator.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from dateutil import parser as dateutil_parser

# --- Vocabulary --------------------------------------------------------------

# Month names as outlets print them, by month number: English (dateutil knows
# these, they are listed for finding dates in text), Turkish, Russian
# (nominative, genitive, abbreviations) and Azerbaijani.
_MONTHS = {
    1: "january jan ocak январь января янв yanvar",
    2: "february feb şubat subat февраль февраля фев fevral",
    3: "march mar mart март марта мар",
    4: "april apr nisan апрель апреля апр aprel",
    5: "may mayıs mayis май мая",
    6: "june jun haziran июнь июня июн iyun İyun",
    7: "july jul temmuz июль июля июл iyul İyul",
    8: "august aug ağustos agustos август августа авг avqust",
    9: "september sept sep eylül eylul сентябрь сентября сент сен sentyabr",
    10: "october oct ekim октябрь октября окт oktyabr",
    11: "november nov kasım kasim ноябрь ноября нояб ноя noyabr",
    12: "december dec aralık aralik декабрь декабря дек dekabr",
}
_ENGLISH_MONTH = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_WEEKDAYS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "pazartesi", "salı", "sali", "çarşamba", "carsamba", "perşembe", "persembe",
    "cuma", "cumartesi", "pazar",
    "понедельник", "вторник", "среда", "среду", "четверг", "пятница", "пятницу",
    "суббота", "субботу", "воскресенье", "пн", "вт", "ср", "чт", "пт", "сб", "вс",
    "bazar", "ertəsi", "çərşənbə", "axşamı", "cümə", "şənbə",
)  # fmt: skip
# Words around dates that carry nothing: "15 января 2020 года в 10:42",
# "5 Mart 2020 saat 10:42", "on March 5, 2020 at 10:42".
_FILLERS = ("at", "on", "of", "the", "г", "г.", "года", "год", "в", "saat",
            "tarihinde", "il", "ili")  # fmt: skip
# Labels that introduce the publication date, and those that introduce a later
# edit; the first outrank any other date, the second come after unlabelled ones.
_PUBLISHED_LABEL = (
    r"(?:published(?:\s+(?:time|on|at|date))?|publication\s+date|date\s+published"
    r"|first\s+published|posted(?:\s+on)?|date|created|release\s+date"
    r"|yayınlanma(?:\s+tarihi)?|yayın\s+tarihi|giriş|oluşturulma(?:\s+tarihi)?|tarih"
    r"|опубликовано|дата\s+публикации|дата|dərc\s+olunub|tarix)"
)
_UPDATED_LABEL = (
    r"(?:(?:last\s+)?updated?(?:\s+(?:time|on|at))?|modified|edited(?:\s+time)?"
    r"|son\s+güncelleme|güncelleme(?:\s+tarihi)?|güncellenme(?:\s+tarihi)?"
    r"|обновлено|изменено|yenilənib)"
)
# Time zones by name, in minutes east of UTC.
_ZONE_OFFSETS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "МСК": 180,
    "TSİ": 180,
    "TSI": 180,
    "TRT": 180,
    "AZT": 240,
    "BST": 60,
    "EST": -300,
    "EDT": -240,
    "PST": -480,
    "PDT": -420,
}


def _folded(word: str) -> str:
    """Return a word lower case, without accents, dotless ı as i: the key of
    the month and weekday tables."""
    word = word.casefold().replace("ı", "i").rstrip(".")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTH_NUMBER = {
    _folded(name): number for number, names in _MONTHS.items() for name in names.split()
}
_WEEKDAY_KEYS = {_folded(word) for word in _WEEKDAYS}
_FILLER_KEYS = {_folded(word) for word in _FILLERS}


def _alternation(words) -> str:
    return "|".join(sorted({re.escape(w) for w in words}, key=len, reverse=True))


_MONTH_NAME = (
    r"(?:" + _alternation(n for v in _MONTHS.values() for n in v.split()) + r")\.?"
)
_WEEKDAY = r"(?:" + _alternation(_WEEKDAYS) + r")\b\.?"

# --- Patterns ----------------------------------------------------------------

_ISO = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_YEAR_FIRST = r"\d{4}[./]\d{1,2}[./]\d{1,2}"
_DAY_FIRST = r"\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d./])|\d{1,2}-\d{1,2}-\d{4}"
_DAY_MONTH = (
    r"\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+)?" + _MONTH_NAME + r"(?:,?\s+\d{4}\b)?"
)
_MONTH_DAY = _MONTH_NAME + r"\s*\d{1,2}(?:st|nd|rd|th)?\b(?![:\d])(?:,?\s+\d{4}\b)?"
# A date, as a day and a month at least: a month and year alone date nothing.
DATE = re.compile(
    rf"(?<![\w/.-])(?:{_ISO}|{_YEAR_FIRST}|{_DAY_FIRST}|{_DAY_MONTH}|{_MONTH_DAY})",
    re.IGNORECASE,
)
# A day and a month by name, with or without a year: "April 27", "5 марта 2020".
DAY_AND_MONTH = rf"(?:{_DAY_MONTH}|{_MONTH_DAY})"
_NAMED_DATE = re.compile(rf"(?<![\w/.-]){DAY_AND_MONTH}", re.IGNORECASE)
_TIME = re.compile(
    r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?\b)?(?![\d:])", re.I
)
_ZONE = re.compile(
    r"\(?\s*(?:\b(?P<base>UTC|GMT)\s*(?:(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?"
    r"|(?:(?<=\d)|(?<=[AaPp][Mm])|(?<=[AaPp]\.[Mm]\.))"
    r"\s*(?P<osign>[+\-−])(?P<oh>\d{2}):?(?P<om>\d{2})\b"
    r"|\b(?P<name>" + _alternation(k for k in _ZONE_OFFSETS if len(k) > 1) + r")\b"
    r")\s*\)?"
)
_PUBLISHED = re.compile(rf"^\W*{_PUBLISHED_LABEL}\b\s*[:\-–—]?\s*", re.IGNORECASE)
_UPDATED = re.compile(rf"\b{_UPDATED_LABEL}\b\s*[:\-–—]?\s*", re.IGNORECASE)
_LABEL = re.compile(
    rf"(?:^|(?<=[\s|,(]))(?:{_PUBLISHED_LABEL}|{_UPDATED_LABEL})\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(rf"(?<!\w){_WEEKDAY}", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2\d)\d{2}(?!\d)")
_NUMERIC_WITH_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)|\d{4}[./-]\d")
_WORD = re.compile(r"[^\W\d_]+(?:\.|\b)")
_DIGITS = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_URL = re.compile(r"https?://[^\s<>\"'“”«»]+")
_IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif)(?:$|\?)", re.IGNORECASE)
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})(?P<sep>[/-]?)(?P<m>[01]\d)(?P=sep)(?P<d>[0-3]\d)(?=[/_\-.]|$)"
)
# "MOSCOW, April 27. /TASS/." or "BAKU, Azerbaijan, Oct 5 (Reuters) -": a place
# in capitals, perhaps a country, then the date.
_DATELINE_DATE = re.compile(
    r"^(?P<place>[^\W\d_](?:[^\W\d_]|['’.])+(?:[ \-][^\W\d_](?:[^\W\d_]|['’.])*){0,2})"
    r"(?:,\s*[^\W\d_][\w ]{1,25}?)?,\s*(?P<date>" + DAY_AND_MONTH + ")",
    re.IGNORECASE,
)

_FUTURE = dt.timedelta(days=1)  # later than this from now is worth a warning
_LINE_LIMIT = 160  # a longer line is prose, not a line that dates the page
_PROSE_LINES = 6  # date mentions are looked for in this many prose lines


# --- Results -----------------------------------------------------------------


@dataclass
class DateResult:
    """A publication date, or why there is none.

    value is an aware datetime in UTC, or None; warning says what the curator
    should check (a missing year, an impossible date, a missing time), or is
    empty; text is the date as the input wrote it.
    """

    value: dt.datetime | None = None
    warning: str = ""
    text: str = ""


NO_DATE = "The text states no publication date; the date was left empty."


def _no_year(text: str) -> str:
    return (
        f"The text dates the story “{text}” but gives no year; the date was left empty."
    )


def _impossible(text: str) -> str:
    return (
        f"The text dates the story “{text}”, which is not a real date; the date "
        "was left empty."
    )


def _unreadable(text: str) -> str:
    return f"The date “{text}” could not be read; the date was left empty."


def _day_only(text: str) -> str:
    return (
        f"The text gives the day of publication (“{text}”) but not the time; "
        "the time was set to 00:00 UTC."
    )


def _future(value: dt.datetime) -> str:
    return f"The date {value:%Y-%m-%d %H:%M} UTC lies in the future; check it."


def _mention_only(text: str) -> str:
    return (
        f"The text states no publication date; it mentions “{text}”, which may be "
        "the date of an event rather than of the story; the date was left empty."
    )


# --- Reading one date --------------------------------------------------------


def parse_date(text: str, *, dayfirst: bool = True) -> DateResult:
    """Read one date, with or without time and zone, in any of the outlets'
    formats; a time without a zone is taken as UTC.

    Numeric dates are read day first ("05.03.2020" is 5 March) unless dayfirst
    is False. Never raises: a date without a year, an impossible date or
    anything unreadable gives value None and a warning.
    """
    return _parse(text, dayfirst=dayfirst)[0]


# What _parse found: a date, a day and month without a year, a well-formed date
# that does not exist, or nothing it can read.
_OK, _NO_YEAR, _IMPOSSIBLE, _UNREADABLE = "ok", "no year", "impossible", "unreadable"


def _parse(text: str, *, dayfirst: bool = True) -> tuple[DateResult, str]:
    original = " ".join(text.split())
    iso = _from_iso(original)
    if iso is not None:
        return DateResult(iso, "", original), _OK
    cleaned, offset = _without_zone(_PUBLISHED.sub("", original))
    cleaned = _in_english(_UPDATED.sub(" ", cleaned))
    found = DATE.search(cleaned)
    if found is None:
        return DateResult(None, _unreadable(original), original), _UNREADABLE
    date = found.group(0)
    if not (_YEAR.search(date) or _NUMERIC_WITH_YEAR.search(date)):
        return DateResult(None, _no_year(original), original), _NO_YEAR
    # Only the date and the time go to dateutil: labels, weekdays and stray
    # words around them would make it fail or, worse, guess.
    time = _TIME.search(cleaned.replace(date, " ", 1))
    core = f"{date} {time.group(0)}" if time else date
    yearfirst = bool(re.match(r"\d{4}", core))
    try:
        value = dateutil_parser.parse(
            core,
            dayfirst=dayfirst and not yearfirst,
            yearfirst=yearfirst,
            default=dt.datetime(1900, 1, 1),
        )
    except (ValueError, OverflowError):
        return DateResult(None, _impossible(original), original), _IMPOSSIBLE
    try:
        if value.tzinfo is None:
            zone = dt.timezone(dt.timedelta(minutes=offset or 0))
            value = value.replace(tzinfo=zone)
        value = value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        # A zone a day or more away ("+2500"), or a time that leaves the
        # calendar when moved to UTC (1 January of the year 1 at +03:00).
        return DateResult(None, _impossible(original), original), _IMPOSSIBLE
    warning = _future(value) if value > dt.datetime.now(dt.UTC) + _FUTURE else ""
    return DateResult(value, warning, original), _OK


def _from_iso(text: str) -> dt.datetime | None:
    if not re.fullmatch(_ISO, text):
        return None
    # Python 3.11 reads "+0000" and "Z"; a date alone is its midnight, UTC.
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        return None  # out of the calendar in UTC: _parse says it is impossible


def _without_zone(text: str) -> tuple[str, int | None]:
    """Return the text without its time zone, and the zone's offset in minutes."""
    match = _ZONE.search(text)
    if match is None:
        return text, None
    if match["name"]:
        offset = _ZONE_OFFSETS[match["name"].upper()]
    else:
        sign = match["sign"] or match["osign"]
        hours = match["h"] or match["oh"] or "0"
        minutes = match["m"] or match["om"] or "0"
        offset = int(hours) * 60 + int(minutes)
        if sign in ("-", "−"):
            offset = -offset
    return text[: match.start()] + " " + text[match.end() :], offset


def _in_english(text: str) -> str:
    """Return the date with month names in English and without weekday names and
    filler words, which dateutil does not know."""

    def replace(match: re.Match) -> str:
        word = match.group(0)
        key = _folded(word)
        if key in _MONTH_NUMBER:
            return _ENGLISH_MONTH[_MONTH_NUMBER[key]]
        if key in _WEEKDAY_KEYS or key in _FILLER_KEYS:
            return " "
        return word

    text = _WORD.sub(replace, text)
    return " ".join(text.replace("|", " ").replace("(", " ").replace(")", " ").split())


def _has_time(text: str) -> bool:
    return bool(_TIME.search(text) or re.search(r"T\d{2}:\d{2}", text))


# --- Finding the date of a page ----------------------------------------------


@dataclass
class _Candidate:
    strength: int
    position: int
    text: str


# Strengths: a labelled publication date or a machine timestamp outranks a
# date on a line of its own or in the article's URL, which outrank a labelled
# edit date, the date in a dateline ("MOSCOW, April 27."), and, last, a date
# mentioned in the first sentences.
PUBLISHED, DATE_LINE, UPDATED, DATELINE, MENTION = 4, 3, 2, 1, 0


def find_date(
    text: str, *, url: str | None = None, stated: tuple[str, ...] = ()
) -> DateResult:
    """Return the publication date of a page's text.

    Looked for, best first: labelled publication dates ("Published time: …",
    "Giriş: …", "Опубликовано: …") and ISO timestamps; lines that hold only a
    date and time; the date in the article's URL (url; when None, the first
    URL in the text that is not an image's; "" when the page has no address);
    "Updated: …" lines; the date of a dateline; a date mentioned in
    the first sentences. Among equals the first wins. A date without a time is
    completed from a same-day date that has one. stated are dates the caller
    found in a place that dates the page (a press release's numbered title).
    """
    candidates = [_Candidate(PUBLISHED, -1, s) for s in stated]
    candidates.extend(_candidates(text))
    if url is None:
        url = next((u for u in _URL.findall(text) if not _IMAGE_URL.search(u)), "")
    url_date = _url_date(url)
    if url_date:
        candidates.append(_Candidate(DATE_LINE, -1, url_date))
    if not candidates:
        return DateResult(None, NO_DATE, "")
    candidates.sort(key=lambda c: (-c.strength, c.position))
    bad: DateResult | None = None
    for candidate in candidates:
        if candidate.strength == MENTION:
            break
        result, status = _parse(candidate.text)
        if status in (_IMPOSSIBLE, _UNREADABLE):
            bad = bad or result  # try the next; say so if none is better
        elif status == _NO_YEAR:
            return result  # the best date there is has no year: never guess one
        elif _has_time(candidate.text):
            return result
        else:
            return _with_time(result, candidates)
    if bad is not None:
        return bad
    mention = next((c for c in candidates if c.strength == MENTION), None)
    if mention is None:
        return DateResult(None, NO_DATE, "")
    result, status = _parse(mention.text)
    if status == _OK:
        return DateResult(None, _mention_only(mention.text), mention.text)
    return result


def _with_time(result: DateResult, candidates: list[_Candidate]) -> DateResult:
    """Return the result completed with the time of a same-day candidate."""
    for candidate in candidates:
        if candidate.strength == MENTION or not _has_time(candidate.text):
            continue
        other = parse_date(candidate.text)
        if other.value is not None and other.value.date() == result.value.date():
            return other
    warning = result.warning or _day_only(result.text)
    return DateResult(result.value, warning, result.text)


def _url_date(url: str) -> str:
    match = _URL_DATE.search(url)
    if match is None:
        return ""
    return f"{match['y']}-{match['m']}-{match['d']}"


def _candidates(text: str):
    prose_lines = 0
    for position, raw in enumerate(text.splitlines()):
        line = " ".join(raw.split())
        if not line:
            continue
        match = _DATELINE_DATE.match(line)
        if match is not None and match["place"].isupper():
            yield _Candidate(DATELINE, position, match["date"])
            continue
        found = date_line_parts(line)
        for strength, part in found:
            yield _Candidate(strength, position, part)
        if not found and prose_lines < _PROSE_LINES and len(line.split()) >= 6:
            prose_lines += 1
            match = _NAMED_DATE.search(line)
            if match is not None:
                yield _Candidate(MENTION, position, match.group(0))


@lru_cache(maxsize=4096)
def date_line_parts(line: str) -> tuple[tuple[int, str], ...]:
    """Return (strength, date text) for each date of a line that holds dates
    and little else: "16 August 2016 14:33 (UTC+04:00)", "Published time: 15
    Jan, 2020 10:42", "Giriş: 05.03.2020 10:42 - Güncelleme: 05.03.2020
    11:05"; () for a line that merely mentions a date. (Cached: the parser and
    find_date look at the same lines.)"""
    if len(line) > _LINE_LIMIT or not _DIGIT.search(line) or not DATE.search(line):
        return ()
    return tuple(_date_line_parts(line))


def _date_line_parts(line: str):
    labels = list(_LABEL.finditer(line))
    starts = [m.start() for m in labels] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    ends = [*starts[1:], len(line)]
    segments = [line[a:b] for a, b in zip(starts, ends, strict=True)]
    if _leftover_words(line) > 4:
        return
    for segment in segments:
        dates = list(DATE.finditer(segment))
        if not dates:
            continue
        spans = [m.span() for m in dates]
        spans += [m.span() for m in _TIME.finditer(segment)]
        spans += [m.span() for m in _ZONE.finditer(segment) if m.group(0).strip()]
        start = min(s for s, _ in spans)
        end = max(e for _, e in spans)
        first = dates[0].group(0)
        timestamp = bool(re.match(_ISO, first)) and _has_time(first)
        if _UPDATED.match(segment.lstrip(" |,-–—(")):
            strength = UPDATED
        elif timestamp or _PUBLISHED.match(segment):
            strength = PUBLISHED
        else:
            strength = DATE_LINE
        yield strength, segment[start:end].strip(" ,|-–—")


def is_date_line(line: str) -> bool:
    """Whether the line holds a date and little else (a label, a weekday, a
    time, a zone, a few words): a line that dates the page, not prose."""
    return bool(date_line_parts(" ".join(line.split())))


def _leftover_words(line: str) -> int:
    """Count the words of a line that are not part of its dates, times, zones,
    labels or weekday names."""
    rest = DATE.sub(" ", line)
    rest = _TIME.sub(" ", rest)
    rest = _ZONE.sub(" ", rest)
    rest = _LABEL.sub(" ", rest)
    rest = _WEEKDAY_RE.sub(" ", rest)
    rest = _DIGITS.sub(" ", rest)
    return sum(1 for word in _WORD.findall(rest) if _folded(word) not in _FILLER_KEYS)
