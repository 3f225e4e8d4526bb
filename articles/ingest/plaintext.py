"""Page text copied from a browser, furniture and all.

The text is read as lines, and the parse is a short pipeline:

1. lines: one line a paragraph; hard-wrapped lines (an e-mailed release) are
   joined back into their paragraphs.
2. title: the headline-like line whose slug the article's URL carries, else
   the first one that opens the article (past furniture and its own repeats,
   prose, a date or a byline follows it; a site name or a navigation label is
   followed by more labels).
3. kinds: each line is the title again, a date line, page furniture (by the
   named rules in FURNITURE), the outlet's name, a byline, prose, or a short
   fragment (navigation, teasers, labels).
4. zones: the article starts at the last repeat of the title (a scrape
   repeats it: og:title, <h1>); a standfirst may follow (told apart from the
   first paragraph by the dateline that opens the body, by a site name,
   byline or date between the two, or by reading like one); the body runs to
   its last prose paragraph before the page's closing furniture.
5. body: prose paragraphs, and single short lines between them (subheadings);
   runs of fragments (navigation, "Analysis" + teaser headline + time) go.

Dates, bylines and outlets come from dates.py, bylines.py and signatures.py.
"""

import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

from articles.text import ascii_slug, fold, normalise_body

from . import signatures
from .bylines import find_authors, parse_byline, personal_name
from .dates import DAY_AND_MONTH, find_date, is_date_line
from .parsed import ParsedArticle, RejectedInput

NO_TITLE = "No title found: no headline line comes before the article's text."
NO_TEXT = "No article text found: nothing but page furniture is left."


# --- Furniture rules ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A kind of page furniture: lines up to max_length characters that the
    pattern finds (searched, so anchor it to match whole lines), except those
    that the unless pattern finds. When hints are given, the pattern is tried
    only on lines that contain one of them (lower case): a cheap test that
    keeps long alternations off prose."""

    name: str
    pattern: re.Pattern
    max_length: int = 200
    hints: tuple[str, ...] = ()
    unless: re.Pattern | None = None


def _rule(
    name: str,
    pattern: str,
    max_length: int = 200,
    *,
    case: bool = False,
    hints: tuple[str, ...] = (),
    unless: str = "",
) -> Rule:
    flags = 0 if case else re.IGNORECASE
    return Rule(
        name,
        re.compile(pattern, flags),
        max_length,
        hints,
        re.compile(unless, re.IGNORECASE) if unless else None,
    )


# Lower-case letters of the archive's languages, for tag and keyword lines.
_LOWER = "a-zçğıöşüəäéàèáíóúñа-яё"
_SOCIAL = (
    r"share|tweet|facebook|twitter|x|telegram|whatsapp|linkedin|vk|vkontakte|ok"
    r"|instagram|youtube|tiktok|reddit|e-?mail|print|copy link|paylaş|yazdır"
    r"|поделиться|bölüş"
)
# Agencies and photo services that sign image credits ("Mikhail Metzel/TASS").
_CREDITED = (
    r"AFP|AP|Reuters|AA|Anadolu(?: Agency| Ajansı)?|Getty(?: Images)?|TASS|ТАСС"
    r"|Sputnik|RIA Novosti|РИА Новости|EPA|DHA|IHA|İHA|Pool|Handout|Kremlin\.ru"
    r"|Xinhua|Shutterstock|AzerTac|APA|Trend"
)

FURNITURE: tuple[Rule, ...] = (
    _rule(
        "navigation",
        r"^(?:all news|news ?feed|latest news|top stories|home(?: ?page)?|menu"
        r"|search|log ?in|sign ?in|sign up|register|(?:read|see|show|load|view) more"
        r"|more news|back to top|next|previous|prev|close|get short url|live"
        r"|skip to (?:main )?content|loader|loading\W*|chats?"
        r"|ana ?sayfa|gündem|tüm haberler|son dakika|haberin devamı|devamını oku"
        r"|daha fazla|reklam|giriş yap|üye ol|главная|все новости|лента новостей"
        r"|реклама|читать далее|войти|популярное|bütün xəbərlər|xəbər lenti"
        r"|əsas səhifə)\W{0,3}$",
        40,
    ),
    _rule(
        "advertisement",
        r"^(?:advertisement|advert|ad|sponsored(?: content)?|reklam|реклама)\b.{0,30}$",
        45,
    ),
    _rule("bullet_link", r"^[•·▪►▸]\s*\S.{0,40}$", 45),
    _rule(
        "share_buttons",
        rf"^(?:(?:{_SOCIAL})\b[\s,|/:·•]*){{1,8}}$"
        r"|\bshare (?:it|this(?: story| article)?) with (?:a friend|your friends)\b",
        120,
    ),
    _rule(
        "follow_us",
        r"^(?:follow (?:us|[\w .]{1,30}?) on\b|join us on\b|find us on\b"
        r"|bizi .{0,30}?(?:takip edin|izləyin)|takip edin\b"
        r"|подписывайтесь на|читайте нас в|следите за нами)",
    ),
    _rule(
        "subscription",
        r"^(?:subscribe|sign up|abone ol|подписаться|подпишитесь)\b"
        r"|\bsubscribe (?:now|today|to)\b|\bsign up for (?:our|the)\b"
        r"|\bour (?:daily |weekly )?newsletter\b"
        r"|\b(?:available|only) (?:to|for) (?:subscribers|members)\b"
        r"|\byou have reached your (?:free )?article limit\b"
        r"|\b(?:offered|available) to subscribers\b|\bsubscription (?:options|plans)\b"
        r"|^(?:keep up|stay) (?:to date|up to date|informed|updated) with\b"
        r"|^get the latest news\b",
        250,
        hints=(
            "subscri",
            "sign up",
            "abone",
            "подпи",
            "newsletter",
            "members",
            "limit",
            "keep up",
            "stay",
            "latest news",
        ),
    ),
    _rule(
        "cookie_notice",
        r"\bcookies?\b.{0,150}\b(?:accept|consent|agree|continu\w*|experience"
        r"|policy|settings)\b|\b(?:accept|reject|manage) (?:all )?cookies\b"
        r"|\bçerez(?:ler)?\b|\bcookie-файл|\bфайл\w* cookie",
        300,
        hints=("cookie", "çerez"),
    ),
    _rule(
        "image_credit",
        r"^©\s*[^/\n]{1,40}\s/"
        r"|^(?:photo|image|picture|video|foto(?:ğraf)?|фото|görsel|şəkil)"
        r"(?:\s+(?:credit|by))?\s*[:/©]"
        rf"|^[\w .'’-]{{2,40}}\s*/\s*(?:{_CREDITED})(?:\s+(?:photo|via .*))?$"
        rf"|^\(?(?:{_CREDITED})(?:\s+photo)?\)?$",
    ),
    _rule(
        "copyright",
        r"^(?:©|\(c\)\s|copyright\b)|©\s*\d{4}|\ball rights reserved\b"
        r"|\btüm hakları saklıdır\b|\bвсе права защищены\b|\bbütün hüquqlar qorunur\b",
        hints=("©", "(c)", "copyright", "reserved", "saklı", "защищены", "qorunur"),
    ),
    # "… in central Moscow, Russia - Sputnik International, 1920, 27.05.2023"
    _rule(
        "caption_site_suffix",
        r"\s[-–—]\s[^\n]{2,80},\s*\d{2,4},\s*\d{1,2}\.\d{1,2}\.\d{4}$",
        600,
        hints=(" - ", " – ", " — "),
    ),
    _rule(
        "photo_caption",
        r"\bin this (?:file |undated |handout |combination |archive )?"
        r"(?:photo|picture|image|photograph)\b"
        r"|\((?:L|R|C|2nd [LR]|left|right|centre|center|front)\)"
        r"|\b(?:is|are) (?:seen )?pictured\b"
        r"|\b(?:file|handout|archive) (?:photo|picture)\b"
        r"|\((?:photo|image|foto|фото)\s*:|\bархивное фото\b|\bфото из архива\b"
        r"|\barşiv fotoğraf\w*"
        rf"|(?:/\s*|\bvia\s+)(?:{_CREDITED})\s*$",
        400,
        hints=(
            "photo",
            "picture",
            "image",
            "pictured",
            "foto",
            "фото",
            ")",
            "/",
            "via",
        ),
        # "Sen. John Smith (R) said …" is a sentence, not a caption.
        unless=r"[\"“”«»]|\b(?:said|says|told|added|according to|dedi|заявил\w*)\b",
    ),
    _rule(
        "related_link",
        r"^(?:read (?:also|more|next)|also read|see also|up next|more from\b.*"
        r"|related(?: news| articles| stories| topics)?"
        r"|more on (?:this|the) (?:topic|story)|recommended(?: for you)?"
        r"|you may also like|don'?t miss|most read|most popular|editor'?s picks?"
        r"|trending(?: now)?|читайте также|смотрите также|по теме"
        r"|ayrıca (?:bakınız|okuyun)|ilgili haber(?:ler)?|İlgili haber(?:ler)?"
        r"|benzer haberler|həmçinin oxuyun|oxşar xəbərlər)\b\s*(?:[:\-–—].*)?$",
        250,
    ),
    _rule(
        "reaction_counter",
        r"^(?:like|dislike|love|funny|angry|sad|wow|haha|care|happy|surprised"
        r"|beğen(?:dim)?|güldüm|kızdım|üzüldüm|şaşırdım|нравится|не нравится)\s*\d*$",
        30,
    ),
    _rule(
        "comment_prompt",
        r"^(?:ne düşünüyorsun(?:uz)?|what do you think|to participate in the discussion"
        r"|log in or register|leave a (?:comment|reply)|add (?:a )?comment"
        r"|post a comment|comments? \(\d+\)|\d+ comments?|yorum (?:yap|yaz)\w*"
        r"|yorumlar?|оставьте комментарий|комментарии(?: \(\d+\))?|şərh yaz)\W{0,3}$",
        60,
    ),
    _rule("bare_number", r"^[+\-−]?\d[\d\s.,:%/+\-−]*$", 40),
    _rule("time_of_day", r"^\d{1,2}:\d{2}(?:\s*(?:[ap]\.?m\.?|GMT|UTC|MSK))?$", 20),
    _rule("url", r"^(?:https?://|www\.)\S+$", 2000),
    _rule("markup_path", r"^/(?:html|head|body)\b|^//?[\w\-]+\[@", 300),
    _rule("email", r"^(?:e-?mail\s*:\s*)?[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$", 120),
    _rule(
        "phone",
        r"^(?:(?:tel|phone|fax|telefon|тел)\.?\s*:?\s*)\+?\d[\d\s()\-]{6,}$",
        60,
    ),
    _rule("locale", r"^[a-z]{2}[_-][A-Z]{2}$", 10, case=True),
    _rule("boolean", r"^(?:true|false|null|none|undefined|nan)$", 10),
    _rule(
        "keyword_list",
        rf"^[{_LOWER}][{_LOWER}0-9\-' ]*(?:, ?[{_LOWER}0-9\-' ]+)+$",
        300,
        case=True,
    ),
    _rule(
        "lowercase_tag",
        rf"^[{_LOWER}][{_LOWER}0-9\-]*(?: [{_LOWER}0-9\-]+){{0,2}}$",
        40,
        case=True,
    ),
    _rule(
        "tags",
        r"^(?:tags?|topics?|keywords?|etiketler|anahtar kelimeler|теги|метки"
        r"|ключевые слова|teqlər|açar sözlər)\s*:",
    ),
    _rule("source_line", r"^(?:sources?|kaynak|источник|mənbə)\s*:\s*\S.{0,80}$", 100),
    _rule(
        "relative_time",
        r"^(?:updated\s+)?\d+\s+(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?"
        r"|weeks?|saniye|dakika|saat|gün|hafta|секунд\w*|минут\w*|час\w*|дн\w*"
        r"|день|недел\w*)\s+(?:ago|önce|назад)$",
        40,
    ),
    _rule(
        "reading_time",
        r"^(?:\d+\s*(?:min(?:ute)?s?|dk|dakika|мин\.?)(?:\s+(?:read|to read|okuma"
        r"(?: süresi)?|чтения))?|(?:reading time|okuma süresi|время чтения)\W.*)$",
        40,
    ),
    _rule(
        "view_count",
        r"^[\d.,\s]+(?:k\s*)?(?:views?|reads?|görüntülenme|okunma|просмотр\w*)$",
        40,
    ),
    _rule(
        "app_store",
        r"(?:app ?store|google ?play)",
        60,
        hints=("app", "google"),
    ),
    _rule(
        "disclaimer",
        r"^(?:the (?:views|opinions) expressed\b|disclaimer\b"
        r"|мнение (?:автора|редакции)|редакция может не разделять)",
        400,
    ),
    _rule(
        "editorial_standards",
        r"^(?:our standards|editorial (?:standards|guidelines|policy))\b"
        r"|\btrust principles\b",
        150,
        hints=("standards", "guidelines", "policy", "principles"),
    ),
    _rule(
        "breadcrumbs",
        r"^[^\W\d_][\w .&'’-]{1,30}(?:\s*[>»›/]\s*[^\W\d_][\w .&'’-]{1,30}){1,5}$",
        120,
        hints=(">", "»", "›", "/"),
    ),
)


# Furniture that closes a page: nothing after it is the article's.
CLOSING = frozenset(
    {"copyright", "editorial_standards", "comment_prompt", "reaction_counter"}
)


def furniture_rule(line: str) -> str:
    """Return the name of the furniture rule that the line matches, or ""."""
    text = " ".join(line.split())
    lower = text.lower()
    for rule in FURNITURE:
        if len(text) > rule.max_length:
            continue
        if rule.hints and not any(hint in lower for hint in rule.hints):
            continue
        if rule.pattern.search(text) and not (rule.unless and rule.unless.search(text)):
            return rule.name
    return ""


# --- Datelines ---------------------------------------------------------------

_WORD = r"[^\W\d_](?:[^\W\d_]|['’.])*"  # a word of a place: "ST.", "N'DJAMENA"
_PLACE = rf"(?P<place>{_WORD}(?:[ \-]{_WORD}){{0,2}})"
_AGENCY = r"\([^()\n]{1,30}\)"
_DASH = r"[-–—:]+"
_DATELINE = re.compile(
    _PLACE + r"(?:"
    rf"\s*{_AGENCY}\s*{_DASH}\s+"  # MOSCOW (Sputnik) -
    r"|,\s*[^\n/()]{1,30}?\.?\s*/[^/\n]{1,20}/\.?\s+"  # MOSCOW, April 27. /TASS/.
    rf"|,\s*[^\n()]{{1,30}}?\s*{_AGENCY}\s*{_DASH}\s+"  # BAKU, Oct 5 (Reuters) -
    r"|,\s*[^\n.]{1,30}?\s+[-–—]\s+[^\n.]{1,30}?\.\s+"  # МОСКВА, 15 янв — РИА Новости.
    rf"|(?:,\s*[^\W\d_][\w ]{{1,25}}?)?,\s*{DAY_AND_MONTH}\.?\s*(?:[-–—:]\s*)?"
    r"|(?P<bare>\s+[-–—]\s+)"  # ISTANBUL —
    r")",
    re.IGNORECASE,
)
# A dateline on a line of its own: "ANKARA", "BAKU, Azerbaijan, March 5".
_DATELINE_LINE = re.compile(
    _PLACE + rf"(?:,\s*[^\W\d_][\w ]{{1,25}}?)?(?:,\s*{DAY_AND_MONTH})?\.?$",
    re.IGNORECASE,
)
_OPENING = re.compile(r"[^\W\d_]|[\"“«'‘„(\[]|\d")


def _is_place(place: str) -> bool:
    letters = sum(c.isalpha() for c in place)
    return letters >= 3 and place.isupper()


def split_dateline(paragraph: str, *, bare: bool = True) -> tuple[str, str]:
    """Return the dateline's place and the paragraph without its dateline
    ("MOSCOW, April 27. /TASS/. Russian …" gives "MOSCOW" and "Russian …");
    ("", paragraph) when it has none. bare=False refuses a place and a dash
    alone ("ISTANBUL — "), which could as well be "NATO — " in a sentence."""
    match = _DATELINE.match(paragraph)
    if match is None or not _is_place(match["place"]):
        return "", paragraph
    if match["bare"] and not bare:
        return "", paragraph
    rest = paragraph[match.end() :]
    if not _OPENING.match(rest) or rest[:1].islower():
        return "", paragraph
    return match["place"].strip(" .,"), rest


def dateline_line(line: str) -> str:
    """Return the place of a line that is only a dateline ("ANKARA"), or ""."""
    match = _DATELINE_LINE.match(line)
    if match is None or not _is_place(match["place"]):
        return ""
    return match["place"].strip(" .,")


# --- Lines -------------------------------------------------------------------

TITLE, DATE, FURNITURE_LINE, SITE, BYLINE, PROSE, FRAGMENT = (
    "title",
    "date",
    "furniture",
    "site",
    "byline",
    "prose",
    "fragment",
)
_TERMINAL = (".", "!", "?", "…", ":", ";")
_CLOSERS = "\"'”’»)]"
_SPACE = re.compile(r"\s+")
_NOT_KEY = re.compile(r"[\W_]+")
_URL = re.compile(r"https?://[^\s<>\"'“”«»]+")
_IMAGE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|avif|bmp|ico|mp4|webm|mp3|pdf)$", re.I
)
_ASSET_HOST = re.compile(r"^(?:cdn|img|image|images|static|media|assets|st|i|s)\d*$")
_SOCIAL_HOSTS = {
    "twitter.com",
    "x.com",
    "facebook.com",
    "t.me",
    "telegram.me",
    "instagram.com",
    "youtube.com",
    "youtu.be",
    "vk.com",
    "ok.ru",
    "linkedin.com",
    "whatsapp.com",
    "tiktok.com",
    "apps.apple.com",
    "play.google.com",
    "schema.org",
    "ogp.me",
}
_GENERIC_LABELS = {
    "www",
    "en",
    "eng",
    "m",
    "amp",
    "mobile",
    "com",
    "net",
    "org",
    "gov",
    "edu",
    "co",
    "info",
    "news",
    "tr",
    "ru",
    "az",
    "uk",
    "ua",
    "kz",
}
_URL_LABEL = re.compile(r"^(?:direct link|link|url|permalink|source url)\s*:\s*", re.I)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|tells|reported|reports|announced|stated|noted|added"
    r"|according to|claimed|wrote|declared|dedi|açıkladı|belirtti|söyledi"
    r"|заявил\w*|сообщил\w*|отметил\w*|сказал\w*|bildirib|deyib)\b",
    re.IGNORECASE,
)
_QUOTES = re.compile(r"[\"“”«»„]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*\s+(?=[\"“«]?[^\W\d_])")

MAX_TITLE_WORDS = 30
TITLE_REACH = 6  # a title is followed by prose within this many lines
MAX_SUBHEADING_WORDS = 12


@dataclass
class _Line:
    text: str
    block: int
    kind: str = ""
    # What the line is on its own, worked out once (see _annotate).
    key: str = ""
    rule: str = ""
    dated: bool = False
    byline: bool = False
    prose: bool = False


def _key(text: str) -> str:
    """Return the text for comparing lines: folded, punctuation as spaces."""
    if text.isascii():
        return _NOT_KEY.sub(" ", text.casefold()).strip()
    return _NOT_KEY.sub(" ", fold(text)).strip()


def _annotate(lines: list[_Line]):
    for line in lines:
        text = line.text
        line.key = _key(text)
        line.rule = furniture_rule(text)
        line.dated = is_date_line(text)
        line.byline = not line.rule and parse_byline(text) is not None
        line.prose = _is_prose(text)


def _words(text: str) -> int:
    return len(text.split())


def _is_prose(text: str) -> bool:
    """A sentence or more: long, or ending like a sentence."""
    words = _words(text)
    return words >= 12 or (words >= 3 and text.rstrip(_CLOSERS).endswith(_TERMINAL))


def _headline_like(text: str) -> bool:
    words = _words(text)
    return (
        2 <= words <= MAX_TITLE_WORDS
        and len(text) <= 300
        and not text.rstrip(_CLOSERS).endswith((".", ",", ";", ":"))
        and bool(_OPENING.match(text))
        and not text[:1].islower()
    )


# A line that starts something of its own, even inside hard-wrapped text: a
# list item.
_ASIDE = re.compile(r"[•·▪►▸*\-–—]\s|\d+[.)]\s")


def _read_lines(text: str) -> list[_Line]:
    """Return the non-blank lines, each with the number of its block (lines
    between blank lines); hard-wrapped lines are joined into paragraphs."""
    lines: list[_Line] = []
    block = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _SPACE.sub(" ", raw).strip()
        if line:
            lines.append(_Line(line, block))
        else:
            block += 1
    width = _wrap_width(lines)
    if not width:
        return lines
    joined: list[_Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.block == line.block
            and len(previous.text) >= width - 25
            and not previous.text.rstrip(_CLOSERS).endswith(("!", "?", ":"))
            and not _ASIDE.match(line.text)
        ):
            glue = "" if previous.text.endswith("-") else " "
            previous.text = previous.text + glue + line.text
        else:
            joined.append(line)
    return joined


def _wrap_width(lines: list[_Line]) -> int:
    """Return the width the text is hard-wrapped at, or 0 when it is not: many
    lines end near one width of at most 100 columns, and none is longer."""
    lengths = [len(line.text) for line in lines]
    if len(lengths) < 6:
        return 0
    width = max(lengths)
    if width > 100:
        return 0
    near = sum(1 for n in lengths if n >= width - 12)
    following = sum(1 for a, b in pairwise(lines) if a.block == b.block)
    return width if near >= 4 and near >= len(lengths) * 0.3 and following else 0


# --- Outlets and URLs --------------------------------------------------------


def _clean_url(url: str) -> str:
    return url.rstrip(".,;:!?)]}»”’'\"")


def _is_article_url(url: str) -> bool:
    host = signatures.domain_of(url)
    if (
        not host
        or host in _SOCIAL_HOSTS
        or any(host.endswith("." + social) for social in _SOCIAL_HOSTS)
    ):
        return False
    if any(_ASSET_HOST.match(label) for label in host.split(".")[:-2]):
        return False
    path = urlsplit(url).path
    return bool(path.strip("/")) and not _IMAGE.search(path)


def _main_label(domain: str) -> str:
    """Return the label that names the site: "dailysabah" for dailysabah.com,
    "kremlin" for en.kremlin.ru, "aa" for aa.com.tr."""
    labels = [part for part in domain.split(".")[:-1] if part not in _GENERIC_LABELS]
    return labels[-1] if labels else ""


def _names_site(text: str, label: str) -> bool:
    """Whether a short line names the site of the domain label: "Daily Sabah"
    (dailysabah), "РИА Новости" (ria), "Anadolu Agency" (aa)."""
    words = _key(text).split()
    if not label or not 1 <= len(words) <= 5:
        return False
    if any("".join(words[:n]) == label for n in range(1, len(words) + 1)):
        return True
    return len(words) >= 2 and "".join(w[0] for w in words) == label


# --- The parse ---------------------------------------------------------------


@dataclass
class _Page:
    lines: list[_Line]
    title: str = ""
    title_at: int = 0  # the title's first line
    start: int = 0  # the title's last repeat before the article
    body_start: int = 0
    body_end: int = 0  # the last prose line
    lead: str = ""
    site_names: tuple[str, ...] = ()


def parse_text(text: str, *, source: str = "") -> ParsedArticle:
    """Return the article in page text copied from a browser; raise
    RejectedInput when it has no title or no article text."""
    lines = _read_lines(text)
    if not lines:
        raise RejectedInput(NO_TEXT)
    _annotate(lines)
    urls = [_clean_url(u) for u in _URL.findall(text)]
    article_urls = [u for u in urls if _is_article_url(u)]
    signature = _signature(lines, article_urls, text)

    page = _Page(lines)
    names = [signature.name] if signature else []
    names += [_main_label(signatures.domain_of(url)) for url in article_urls]
    page.site_names = tuple(name for name in names if name)
    title_at, url = _find_title(lines, article_urls, page.site_names)
    if title_at is None:
        raise RejectedInput(NO_TITLE)
    page.title, page.title_at = lines[title_at].text, title_at
    _classify(page)
    _find_zones(page)
    if page.body_end < page.body_start:
        raise RejectedInput(NO_TEXT)

    paragraphs = _body(page)
    dateline, paragraphs = _dateline(page, paragraphs)
    body = normalise_body("\n\n".join(paragraphs))
    if not body:
        raise RejectedInput(NO_TEXT)

    chrome = [
        i for i, line in enumerate(lines) if i < page.body_start or i > page.body_end
    ]
    url = url or _canonical_url(lines, chrome)
    domains = _outlet_domains(url, lines, chrome)
    if signature is None:
        signature = next(filter(None, map(signatures.for_domain, domains)), None)
    outlet = signature.name if signature else _site_name(lines, chrome, domains)

    title, stated = _numbered_release(page.title)
    from_title = "\n".join(line.text for line in lines[page.title_at :])
    date = find_date(from_title, url=url, stated=stated)
    if date.value is None and not date.text:
        date = find_date(text, url=url, stated=stated)
    warnings = [date.warning] if date.warning else []

    return ParsedArticle(
        title=title,
        body=body,
        lead=page.lead,
        url=url,
        outlet=outlet,
        outlet_domains=domains,
        published_at=date.value,
        authors=_authors(page, outlet, domains),
        dateline=dateline,
        warnings=warnings,
        format="text",
    )


def _signature(lines: list[_Line], article_urls: list[str], text: str):
    """Return the outlet's signature: by the domain of the page's address (an
    article URL on a line of its own), else, when the text gives no address,
    by the signature patterns it contains. A page of an outlet not in
    outlets.json gets none, even when it relays a known agency's story."""
    own_line = {_URL_LABEL.sub("", line.text) for line in lines}
    addresses = [url for url in article_urls if url in own_line]
    for url in addresses:
        signature = signatures.for_domain(signatures.domain_of(url))
        if signature is not None:
            return signature
    return None if addresses else signatures.in_text(text)


def _find_title(
    lines: list[_Line], article_urls: list[str], site_names: tuple[str, ...]
) -> tuple[int | None, str]:
    """Return the index of the title's line, and the article URL that carries
    the title's slug ("" if none does)."""
    site_keys = _site_keys(site_names)
    candidates = [
        i
        for i, line in enumerate(lines)
        if _headline_like(line.text)
        and not (line.rule or line.dated or line.byline)
        and not _is_site(line, site_keys)
    ]
    paths = [(url, urlsplit(url).path.lower()) for url in article_urls]
    for i in candidates:
        slug = ascii_slug(lines[i].text)
        if slug.count("-") >= 2:
            for url, path in paths:
                if slug in path:
                    return i, url
    opening = [i for i in candidates if _opens_article(lines, i)]
    for min_words in (3, 2):
        for i in opening:
            if _words(lines[i].text) >= min_words:
                return i, ""
    for i in candidates:
        if _prose_follows(lines, i, TITLE_REACH):
            return i, ""
    return None, ""


def _opens_article(lines: list[_Line], index: int) -> bool:
    """Whether the line is followed, past furniture and its own repeats, by
    the article: prose, a date or a byline, and prose soon after. (A site name
    or a navigation label is followed by more labels.)"""
    key = lines[index].key
    for i in range(index + 1, len(lines)):
        line = lines[i]
        if line.rule or line.key == key:
            continue
        if line.prose and not line.dated:
            return True
        return (line.dated or line.byline) and _prose_follows(lines, i, TITLE_REACH)
    return False


def _prose_follows(lines: list[_Line], index: int, reach: int) -> bool:
    seen = 0
    for line in lines[index + 1 :]:
        if line.rule:
            continue
        if line.prose and not line.dated:
            return True
        seen += 1
        if seen >= reach:
            return False
    return False


def _site_keys(site_names: tuple[str, ...]) -> set[str]:
    return {"".join(_key(name).split()) for name in site_names} - {""}


def _is_site(line: _Line, site_keys: set[str]) -> bool:
    """The outlet's name, or its domain's name, on a line of its own."""
    return len(line.text) <= 60 and "".join(line.key.split()) in site_keys


def _is_title(line: _Line, title: str, title_key: str) -> bool:
    """The title again, perhaps with the site's name after it ("… - TASS")."""
    if line.key == title_key:
        return True
    text = line.text
    return (
        text.startswith(title)
        and _words(text[len(title) :]) <= 5
        and bool(re.match(r"\s+[-–—|:]\s", text[len(title) :]))
    )


def _classify(page: _Page):
    title_key = _key(page.title)
    site_keys = _site_keys(page.site_names)
    for line in page.lines:
        if _is_title(line, page.title, title_key):
            line.kind = TITLE
        elif line.dated:
            line.kind = DATE
        elif line.rule:
            line.kind = FURNITURE_LINE
        elif _is_site(line, site_keys):
            line.kind = SITE
        elif line.byline:
            line.kind = BYLINE
        elif line.prose:
            line.kind = PROSE
        else:
            line.kind = FRAGMENT


def _find_zones(page: _Page):
    """Find where the article starts (the title's last repeat that prose
    follows), its standfirst, and the first and last lines of its body."""
    lines = page.lines
    prose = [i for i, line in enumerate(lines) if line.kind == PROSE]
    repeats = [
        i
        for i, line in enumerate(lines)
        if line.kind == TITLE and i >= page.title_at and prose and prose[-1] > i
    ]
    page.start = repeats[-1] if repeats else page.title_at
    after = [i for i in prose if i > page.start]
    if not after:
        page.body_start, page.body_end = len(lines), -1
        return
    page.body_start = after[0]
    closing = next(
        (
            i
            for i in range(after[0], len(lines))
            if lines[i].kind == FURNITURE_LINE and lines[i].rule in CLOSING
        ),
        len(lines),
    )
    after = [i for i in after if i < closing] or after
    page.body_end = after[-1]
    if _has_standfirst(page, after):
        page.body_start = after[1]
        page.lead = lines[after[0]].text
    else:
        page.lead = _metadata_lead(page)


def _has_standfirst(page: _Page, after: list[int]) -> bool:
    """Whether the first prose line after the title is a standfirst, not the
    body's first paragraph: when the second one opens with a dateline, when a
    site name, byline or date separates the two, or when it reads like one."""
    lines = page.lines
    if len(after) < 2 or split_dateline(lines[after[0]].text)[0]:
        return False
    if split_dateline(lines[after[1]].text, bare=False)[0]:
        return True
    return _separated(page, after[0], after[1]) or _is_standfirst(page, after)


def _separated(page: _Page, first: int, second: int) -> bool:
    """Whether a site-name, byline, date or dateline line stands between two
    prose lines: what separates a standfirst from the body (Duvar English's
    site-name line, Daily Sabah's byline and date)."""
    return any(
        line.kind in (SITE, BYLINE, DATE)
        or (line.kind == FRAGMENT and bool(dateline_line(line.text)))
        for line in page.lines[first + 1 : second]
    )


def _is_standfirst(page: _Page, after: list[int]) -> bool:
    """Whether the first prose line, under a headline, date and byline, is a
    standfirst: one short sentence, neither quoting nor quoted, with more
    paragraphs after it. (A first paragraph of news says who said it.)"""
    lines = page.lines
    first = lines[after[0]].text
    heading = [lines[i].kind for i in range(page.start + 1, after[0])]
    return (
        len(after) >= 3
        and BYLINE in heading
        and DATE in heading
        and len(first) <= 250
        and not _SENTENCE_END.search(first)
        and not _QUOTES.search(first)
        and not _ATTRIBUTION.search(first)
    )


def _metadata_lead(page: _Page) -> str:
    """Return the description a scrape shows under the title's first copy, in
    its metadata (og:description), when the article proper starts later."""
    for line in page.lines[page.title_at + 1 : page.start]:
        if line.kind == PROSE:
            return line.text
        if line.kind not in (TITLE, FURNITURE_LINE, DATE):
            return ""
    return ""


def _body(page: _Page) -> list[str]:
    """Return the body's paragraphs: prose, and a short line standing between
    two prose paragraphs (a subheading). Anything else between paragraphs is
    furniture: a run of short lines is navigation, a teaser ("Analysis",
    a headline, a time) or a label with its link."""
    lines = page.lines[page.body_start : page.body_end + 1]
    kept: list[str] = []
    for i, line in enumerate(lines):
        subheading = (
            line.kind == FRAGMENT
            and 0 < i < len(lines) - 1
            and lines[i - 1].kind == PROSE
            and lines[i + 1].kind == PROSE
            and 2 <= _words(line.text) <= MAX_SUBHEADING_WORDS
        )
        if line.kind == PROSE or subheading:
            kept.append(line.text)
    # A paragraph shown twice (a pull quote, a preview) is kept where it last is.
    keys = [_key(text) for text in kept]
    last = {key: i for i, key in enumerate(keys)}
    return [text for i, text in enumerate(kept) if last[keys[i]] == i]


def _dateline(page: _Page, paragraphs: list[str]) -> tuple[str, list[str]]:
    """Return the dateline's place and the paragraphs without it: from the
    first paragraph, else from a line of its own just above the body."""
    if not paragraphs:
        return "", paragraphs
    place, rest = split_dateline(paragraphs[0])
    if place:
        return place, [rest, *paragraphs[1:]]
    site_keys = _site_keys(page.site_names)
    for line in reversed(page.lines[page.start + 1 : page.body_start]):
        if line.kind in (PROSE, TITLE):
            break
        if line.kind in (FRAGMENT, DATE):
            place = dateline_line(line.text)
            if place and not _is_site(line, site_keys):
                return place, paragraphs
    return "", paragraphs


def _canonical_url(lines: list[_Line], chrome: list[int]) -> str:
    """Return the article URL that stands on a line of its own, or after
    "Direct link:", outside the body: the page's own address."""
    for i in chrome:
        text = _URL_LABEL.sub("", lines[i].text)
        if _URL.fullmatch(text) and _is_article_url(_clean_url(text)):
            return _clean_url(text)
    return ""


def _outlet_domains(url: str, lines: list[_Line], chrome: list[int]) -> list[str]:
    """Return the domains of the page's URLs outside the body (the address,
    metadata), the canonical URL's first; not CDNs, social networks, links
    inside the article."""
    domains = [signatures.domain_of(url)] if url else []
    for i in chrome:
        for found in _URL.findall(lines[i].text):
            found = _clean_url(found)
            if _is_article_url(found):
                domains.append(signatures.domain_of(found))
    return [d for d in dict.fromkeys(domains) if d]


def _site_name(lines: list[_Line], chrome: list[int], domains: list[str]) -> str:
    """Return an unknown outlet's name as a line outside the body gives it
    (a site-name line that matches the page's domain)."""
    for domain in domains:
        label = _main_label(domain)
        names = [lines[i].text for i in chrome if _names_site(lines[i].text, label)]
        if names:
            name = next((n for n in names if not n.isupper()), names[0])
            # "DAILY SABAH" is a name in capitals; "APA" an acronym.
            return name.title() if name.isupper() and " " in name else name
    return ""


def _authors(page: _Page, outlet: str, domains: list[str]) -> list[str]:
    """Return the authors: bylines between the title and the body (where a
    list of names, or one name next to the date, counts), and explicit
    bylines and credit lines in and after the body ("Reporting by …")."""
    lines = page.lines
    exclude = [outlet, *page.site_names, *(_main_label(d) for d in domains)]
    header = lines[page.title_at + 1 : page.body_start]
    found = find_authors([line.text for line in header], exclude=exclude)
    found += _names_by_dates(header)
    rest = [
        line.text
        for line in lines[page.body_start :]
        if line.kind in (BYLINE, DATE, FRAGMENT, FURNITURE_LINE)
    ]
    found += find_authors(rest, bare_names=False, exclude=exclude)
    excluded = {fold(name) for name in exclude if name}
    authors: list[str] = []
    for name in found:
        key = fold(name)
        if key not in excluded and key not in {fold(a) for a in authors}:
            authors.append(name)
    return authors


def _names_by_dates(header: list[_Line]) -> list[str]:
    """Return names standing alone on a line next to a date or dateline line
    ("Murat Demir" / "ANKARA" / "Mar 04, 2020 10:42 am")."""
    names = []
    for i, line in enumerate(header):
        if line.kind != FRAGMENT or dateline_line(line.text):
            continue
        neighbours = header[max(i - 1, 0) : i] + header[i + 1 : i + 2]
        if any(n.kind == DATE or dateline_line(n.text) for n in neighbours):
            name = personal_name(line.text)
            if name:
                names.append(name)
    return names


# "No: 65, 5 March 2020, Press Release Regarding …": a numbered release whose
# title starts with its number and date.
_RELEASE_NUMBER = re.compile(
    r"^(?:No|Nr|№|Sayı)\s*[:.]?\s*\d+\s*[,/]\s*(?P<date>[^,]{6,30}?)\s*,\s*(?=\S)",
    re.IGNORECASE,
)


def _numbered_release(title: str) -> tuple[str, tuple[str, ...]]:
    """Return the title without a press release's number and date, and the
    date it stated."""
    match = _RELEASE_NUMBER.match(title)
    if match is None or not is_date_line(match["date"]):
        return title, ()
    return title[match.end() :], (match["date"],)
