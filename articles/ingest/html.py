"""Saved web pages: the main text by trafilatura, the metadata from the page's
JSON-LD, Open Graph and other tags, read here because trafilatura's own guesses
(a date without its time, authors joined into one string, the site name as the
outlet) are not precise enough for an archive.

The page is parsed once, by lxml; trafilatura works on a copy of that tree, and
its own metadata extraction (slow: it searches the page for dates) runs only
when the page's tags give no title or no date.
"""

import datetime as dt
import html as html_entities
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from articles.text import fold, normalise_body, strip_control_characters

from . import dates, signatures
from .language import detect_language
from .parsed import ParsedArticle, RejectedInput
from .reading import timestamp

NO_TEXT = "No article text found in this HTML page."
NO_TITLE = "No title found in this HTML page."

_NEWS_TYPES = {
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "AskPublicNewsArticle",
    "SatiricalArticle",
}
_ARTICLE_TYPES = {"Article", "BlogPosting", "Report", "LiveBlogPosting"}
_ORGANISATIONS = {"Organization", "NewsMediaOrganization", "Corporation"}

# Meta tags, by property or name, in order of preference.
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "pubdate",
    "publish-date",
    "publishdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
)
_LANGUAGE_META = ("content-language", "dc.language", "og:locale")
_FURNITURE_CONTAINERS = {"nav", "aside", "footer"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:by|from|автор[ы]?:?|текст:?|yazan:?|haber:?|muhabir:?)\s+", re.I
)
_NAME_SEPARATORS = re.compile(r"\s*(?:;|\||&|\band\b|\bve\b|\bи\b)\s*")
_TITLE_SEPARATORS = (
    " | ",
    " - ",
    " – ",
    " — ",
    " :: ",
    " « ",
    " » ",
    " / ",
    " • ",
    " · ",
)
_BYLINE_DASHES = re.compile(r"\s[-–—]\s|\n")
_SUMMARY = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-summary ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' p-summary ')"
    " or (@itemprop = 'description' and not(self::meta))]"
)
_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP_LEVEL_DOMAIN = re.compile(r"\.[a-z]{2,3}$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_TRUNCATED = ("...", "…")
_SENTENCE_END = re.compile(r"[.!?…][\"'”»)]*(?=\s|$)")
# Lines that pages put inside the article's text: links to other articles, and
# at its end subscription notices, calls to follow the outlet, copyright lines.
_INLINE_FURNITURE = re.compile(
    r"^(?:(?:read (?:also|more)|also read|see also"
    r"|читайте также|смотрите также|ayrıca (?:bakınız|okuyun)|[iİ]lgili haber"
    r"|həmçinin oxuyun)(?:\s*[:\-–—]|\s*$|\s)"
    r"|related(?: news| articles)?(?:\s*[:\-–—]|\s*$|\n))",
    re.IGNORECASE,
)
_CLOSING_FURNITURE = re.compile(
    r"all rights reserved|follow (?:us|the author)\b|subscribe (?:to our|now)"
    r"|sign up for our|our newsletter|©|copyright \d{4}"
    r"|tüm hakları saklıdır|bizi takip edin|abone ol|abonelik için"
    r"|все права защищены|подписывайтесь|подпишитесь на|подписаться на"
    r"|bütün hüquqlar qorunur|bizi izləyin|abunə olun",
    re.IGNORECASE,
)
# A dateline before the first sentence: a place in capitals, then agency, date
# or both ("MOSCOW, April 27. /TASS/.", "ANKARA (AA) -", "МОСКВА, 27 мая — РИА
# Новости.", "BAKU, Azerbaijan, May 27."). Only the place is kept.
_DATELINE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+){0,3})"
    r"(?:"
    r"\s*\([^()\n]{1,30}\)\s*[-–—:]+\s+"
    r"|,[^\n.]{1,40}?\.\s*/[^/\n]{1,20}/\.?\s+"
    r"|,[^\n.]{1,40}?\([^()\n]{1,30}\)\s*[-–—:]+\s+"
    r"|,[^\n.]{1,40}?\s[-–—]\s+[^\n.]{1,30}?\.\s+"
    r"|,(?:\s*[^\W\d_]+,)?\s*(?:\d{1,2}\s+)?[^\W\d_]{3,9}\.?(?:\s+\d{1,2})?"
    r"(?:,?\s*\d{4})?\.\s+"
    r"|\s+[-–—]\s+"
    r")"
)


# trafilatura's settings, chosen by measurement on real pages (bench_extract,
# docs/benchmarks.md): tables kept (articles laid out in tables, results and
# standings), and its balance of precision and recall rather than
# favor_precision, which kept 24 of 368 words on a business-news page.
EXTRACTION = {
    "favor_precision": False,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
}
# A table cell with this many links or more, making up this share of its text,
# is navigation.
LINK_CELL_LINKS = 2
LINK_CELL_DENSITY = 0.6
# Extracted text with this share of it in links is a list of links, not an
# article.
MOSTLY_LINKS = 0.7
# A site's name has at most this many words (in a <title>, a logo, a
# copyright line); a longer text is a headline or a sentence.
SITE_NAME_WORDS = 5
# A host is the page's own when it has this many of the page's absolute links
# or more, and more than half of them.
LINKED_HOST_LINKS = 3
_SHARING_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "t.me",
    "telegram.me",
    "instagram.com",
    "youtube.com",
    "linkedin.com",
    "pinterest.com",
    "whatsapp.com",
    "vk.com",
    "reddit.com",
    "google.com",
    "apple.com",
)
_LOGO_WORD = re.compile(r"\b(?:logo(?:type)?|логотип|home(?:page)?)\b", re.I)
_COPYRIGHT_TEXTS = etree.XPath(
    "//body//text()[contains(., '©') or contains(., '(c)') or contains(., '(C)')"
    " or contains(translate(., 'COPYRIGHT', 'copyright'), 'copyright')]"
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?:by\s+)?"
    r"(?P<name>[^\W\d_][^.,;|©\n]{0,60}?)\s*"
    r"(?:[.,;|]|\d{4}|\ball rights\b|\btüm hakları\b|\bвсе права\b|$)",
    re.IGNORECASE,
)
# A paragraph this long at most that holds only a date (and a time, a label)
# dates the article; it is not part of its text.
DATE_LINE_CHARS = 80
# An element marked as the byline holds at most this much text; more is an
# author's biography or a list of articles.
BYLINE_CHARS = 100
_BYLINES = etree.XPath(
    "//body//*[@rel='author' or @itemprop='author'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
    " or contains(@class, 'byline') or contains(@class, 'author-name')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
)
# Words of bylines that name a desk or a role, not a person.
_NOT_NAMES = {
    "staff", "reporter", "reporters", "correspondent", "editor", "editors",
    "desk", "team", "newsroom", "admin", "agency", "agencies", "redaktion",
    "online", "news", "wire", "writer", "writers", "contributor",
}  # fmt: skip
_MARKED_DATES = etree.XPath(
    "//body//*[not(self::time) and not(self::script)"
    " and (contains(@class, 'date') or contains(@class, 'time')"
    " or contains(@id, 'date'))]"
)
# As trafilatura loads a page itself: without comments, which left in the tree
# make it drop the paragraphs around them, and processing instructions.
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


@dataclass
class _Page:
    """What the page's own tags say about the article."""

    title: str = ""
    url: str = ""
    site_name: str = ""
    publisher: str = ""
    lead: str = ""
    dates: list[str] = field(default_factory=list)
    # Names by source, best source first: JSON-LD, meta tags, trafilatura.
    authors: list[list[str]] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    language: str = ""
    article_body: str = ""
    headings: list[str] = field(default_factory=list)
    title_tag: str = ""
    date_guessed: bool = False


def parse_html(html: str, *, source: str = "") -> ParsedArticle:
    """Return the article in a saved web page; raise RejectedInput when the page
    has no title or no article text."""
    # trafilatura takes 150 ms to import: not before there is a page to read.
    import trafilatura

    tree = _load(html)
    page = _read_page(tree)
    # Read before the link cells go: they are much of a site's own links.
    linked_host = "" if page.url else _linked_host(tree)
    marked_date = "" if page.dates else _marked_date(tree)
    _without_link_cells(tree)
    fallback = not (page.title and (page.dates or marked_date))
    document = trafilatura.bare_extraction(
        tree, url=page.url or None, with_metadata=fallback, **EXTRACTION
    )
    if fallback and document is not None:
        _fill_in(page, document, tree)
    paragraphs = _paragraphs(document.body) if document is not None else []
    paragraphs = _without_furniture(paragraphs)
    if _mostly_links(paragraphs, tree):
        paragraphs = []
    if not paragraphs and page.article_body:
        paragraphs = normalise_body(page.article_body).split("\n\n")
    if not paragraphs:
        raise RejectedInput(NO_TEXT)
    title = _completed(page.title, page.headings) or _title_from_headings(page)
    if not title:
        raise RejectedInput(NO_TITLE)

    outlet = _outlet_of(page, tree)
    domain = (signatures.domain_of(page.url) if page.url else "") or linked_host
    signature = (signatures.for_domain(domain) if domain else None) or (
        signatures.for_name(outlet) if outlet else None
    )
    if signature is not None:
        outlet = signature.name
    title = _headline(title, page, (outlet, page.site_name, page.publisher))
    outlet_names = _outlet_names(page, outlet)
    authors = _authors(page, outlet_names)
    paragraphs = _without_bylines(
        paragraphs, outlet_names | {fold(name) for name in authors}
    )
    paragraphs, date_line = _without_title(paragraphs, title)
    date_line = date_line or marked_date
    dateline = ""
    if paragraphs:
        dateline, paragraphs[0] = _dateline(paragraphs[0])
        paragraphs, _ = _without_title(paragraphs, title)
    lead = _completed_lead(page.lead, paragraphs)
    body = normalise_body("\n\n".join(paragraphs))
    if not body:
        raise RejectedInput(NO_TEXT)
    warnings: list[str] = []

    return ParsedArticle(
        title=title,
        body=body,
        lead=lead,
        url=page.url,
        outlet=outlet,
        outlet_domains=[domain] if domain else [],
        published_at=_published_at(page, date_line, warnings),
        authors=authors,
        dateline=dateline,
        language=detect_language(body, hint=page.language),
        warnings=warnings,
        format="html",
    )


def _load(html: str):
    # lxml refuses text that declares its encoding, as XHTML pages do, and
    # strings with control characters (a page with one stray \x07 had no text).
    html = strip_control_characters(_XML_DECLARATION.sub("", html, count=1))
    if not html.strip():
        raise RejectedInput(NO_TEXT)
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        raise RejectedInput(NO_TEXT) from None


def _without_link_cells(tree):
    """Empty the table cells that are lists of links: with tables extracted,
    the sidebar of a page laid out in a table ("Most read: …") would join the
    article. A cell of a results table, one link to a team, stays."""
    for cell in tree.iter("td", "th"):
        links = list(cell.iter("a"))
        if len(links) < LINK_CELL_LINKS:
            continue
        text = _clean(cell.text_content())
        linked = sum(len(_clean(a.text_content())) for a in links)
        if text and linked >= LINK_CELL_DENSITY * len(text):
            for child in list(cell):
                cell.remove(child)
            cell.text = ""


def _read_page(tree) -> _Page:
    page = _Page()
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = (
            element.get("property")
            or element.get("name")
            or element.get("itemprop")
            or element.get("http-equiv")
        )
        content = _clean(element.get("content") or "")
        if key and content:
            meta.setdefault(key.strip().lower(), []).append(content)

    def first(*keys: str) -> str:
        for key in keys:
            if meta.get(key):
                return meta[key][0]
        return ""

    article = _article_node(tree)
    if article is not None:
        _read_json_ld(article, page)

    page.title = _completed(page.title, meta.get("og:title", ())) or first(
        "og:title", "twitter:title"
    )
    page.site_name = first("og:site_name", "application-name")
    page.lead = (
        page.lead
        or first("og:description", "twitter:description")
        or _summary(tree)
        or first("description")
    )
    canonical = _canonical(tree)
    og_url = first("og:url")
    page.url = next(
        (
            url
            for url in (
                urljoin(og_url or page.url, canonical) if canonical else "",
                og_url,
                page.url,
            )
            if _is_web_address(url)
        ),
        "",
    )
    page.dates.extend(value for key in _DATE_META for value in meta.get(key, ()))
    page.dates.extend(_times(tree))
    page.authors.append(
        [
            name
            for key in ("article:author", "author", "dc.creator", "parsely-author")
            for value in meta.get(key, ())
            if not _is_web_address(value)
            for name in _split_names(value)
        ]
    )
    page.authors.append(_byline_names(tree))
    language = tree.get("lang") or tree.get(
        "{http://www.w3.org/XML/1998/namespace}lang"
    )
    page.language = _clean(language or "") or page.language or first(*_LANGUAGE_META)

    for element in tree.iter("title", "h1"):
        text = _clean(element.text_content())
        if not text:
            continue
        if element.tag == "title":
            page.title_tag = page.title_tag or text
        elif not _inside(element, _FURNITURE_CONTAINERS):
            page.headings.append(text)
    return page


def _article_node(tree) -> dict | None:
    """Return the JSON-LD object of the article, its references resolved."""
    nodes: list[dict] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json" and script.text:
            _collect(_load_json(script.text), nodes)
    if not nodes:
        return None
    ids = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    news = [node for node in nodes if _types(node) & _NEWS_TYPES]
    articles = news or [node for node in nodes if _types(node) & _ARTICLE_TYPES]
    if not articles:
        return None
    article = dict(articles[0])
    for key in ("author", "publisher", "mainEntityOfPage"):
        article[key] = _resolve(article.get(key), ids)
    if not article.get("publisher"):
        organisation = next(
            (node for node in nodes if _types(node) & _ORGANISATIONS), None
        )
        article["publisher"] = organisation
    return article


def _collect(data, nodes: list[dict]):
    if isinstance(data, list):
        for item in data:
            _collect(item, nodes)
    elif isinstance(data, dict):
        nodes.append(data)
        for key in ("@graph", "mainEntity"):
            if isinstance(data.get(key), list | dict):
                _collect(data[key], nodes)


def _load_json(text: str):
    """Return the JSON in a script, forgiving what sites get wrong: comment or
    CDATA wrappers, raw line breaks inside strings, trailing commas."""
    text = text.strip()
    for wrapper in ("<!--", "//<![CDATA[", "<![CDATA["):
        text = text.removeprefix(wrapper)
    for wrapper in ("-->", "//]]>", "]]>"):
        text = text.removesuffix(wrapper)
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _types(node: dict) -> set[str]:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {re.split(r"[/:#]", k)[-1] for k in kinds if isinstance(k, str)}


def _resolve(value, ids: dict):
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict) and "@id" in value and len(value) <= 2:
        return ids.get(value["@id"], value)
    return value


def _read_json_ld(article: dict, page: _Page):
    page.title = _text(article.get("headline")) or _text(article.get("name"))
    page.lead = _text(article.get("description"))
    date = _text(article.get("datePublished")) or _text(article.get("dateCreated"))
    if date:
        page.dates.append(date)
    authors = []
    for person in _as_list(article.get("author")):
        if isinstance(person, str):
            authors.extend(_split_names(_clean(html_entities.unescape(person))))
        elif isinstance(person, dict):
            name = _text(person.get("name"))
            if not name:
                continue
            if _types(person) & _ORGANISATIONS:
                page.organisations.append(name)
            else:
                authors.extend(_split_names(name))
    page.authors.append(authors)
    publisher = next(iter(_as_list(article.get("publisher"))), None)
    if isinstance(publisher, dict):
        page.publisher = _text(publisher.get("name"))
    elif isinstance(publisher, str):
        page.publisher = _clean(publisher)
    entity = article.get("mainEntityOfPage")
    if isinstance(entity, dict):
        entity = entity.get("@id") or entity.get("url")
    page.url = next(
        (
            url
            for url in (_text(article.get("url")), _text(entity))
            if _is_web_address(url)
        ),
        "",
    )
    page.language = _text(article.get("inLanguage"))
    page.article_body = (
        html_entities.unescape(article["articleBody"])
        if isinstance(article.get("articleBody"), str)
        else ""
    )


def _text(value) -> str:
    """Return a JSON-LD string value as clean text; "" for anything else."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return _clean(html_entities.unescape(value)) if isinstance(value, str) else ""


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _summary(tree) -> str:
    """Return the article's summary as the page marks it with microformats or
    microdata (a government site's lead paragraph, say)."""
    for element in _SUMMARY(tree):
        text = _clean(element.text_content())
        if text:
            return text
    return ""


def _canonical(tree) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = (link.get("href") or "").strip()
            if href:
                return href
    return ""


def _is_web_address(value: str) -> bool:
    return value.startswith(("http://", "https://")) and bool(
        signatures.domain_of(value)
    )


def _times(tree) -> list[str]:
    """Return the datetime of <time> elements that date the article: those
    marked as the publication date, else the first inside <article>, else the
    page's only one outside navigation, sidebars and footers (a page with
    several dates them in lists of other articles)."""
    marked, inside, others = [], [], []
    for element in tree.iter("time"):
        value = (element.get("datetime") or "").strip()
        if not value:
            continue
        marks = " ".join(
            (element.get("itemprop") or "", element.get("class") or "")
        ).lower()
        if (
            "datepublished" in marks
            or "publish" in marks
            or "pubdate" in element.attrib
        ):
            marked.append(value)
        elif _inside(element, {"article"}):
            inside.append(value)
        elif not _inside(element, _FURNITURE_CONTAINERS):
            others.append(value)
    return marked + inside[:1] + (others if len(others) == 1 else [])


def _inside(element, tags: set[str]) -> bool:
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _split_names(value: str) -> list[str]:
    """Return the names in a byline: "By Anna Petrova and Ivan Ivanov" gives
    both; commas separate names only when each part has a first and last name
    ("Petrova, Anna" stays one)."""
    value = _BYLINE_PREFIX.sub("", value)
    names = []
    for part in _NAME_SEPARATORS.split(value):
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            names.extend(pieces)
        else:
            names.append(part.strip(" ,"))
    return [name for name in names if name]


def _byline_names(tree) -> list[str]:
    """Return the people a byline on the page names ("By Anna Petrova and Ivan
    Ivanov"), not desks or roles ("By Staff Reporter")."""
    for element in _BYLINES(tree):
        text = _clean(element.text_content())
        if not text or len(text) > BYLINE_CHARS:
            continue
        names = [
            name
            for part in _BYLINE_DASHES.split(text.replace("|", "\n"))
            for name in _split_names(part)
            if _is_person(name)
        ]
        if names:
            return names
    return []


def _is_person(name: str) -> bool:
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(
            word[:1].isupper() and not any(c.isdigit() for c in word) for word in words
        )
        and not {fold(word) for word in words} & _NOT_NAMES
    )


def _marked_date(tree) -> str:
    """Return the text of the first element the page marks as a date ("date",
    "time" in its class) that holds only a date, outside navigation, sidebars
    and footers."""
    for element in _MARKED_DATES(tree):
        if _inside(element, _FURNITURE_CONTAINERS):
            continue
        text = _clean(element.text_content())
        if text and len(text) <= DATE_LINE_CHARS and dates.is_date_line(text):
            return text
    return ""


def _copyright_year(tree, year: str) -> bool:
    """Return whether the page's copyright line names the year."""
    return any(
        year in text and _COPYRIGHT.search(_clean(text))
        for text in _COPYRIGHT_TEXTS(tree)
    )


def _fill_in(page: _Page, document, tree):
    """Fill what the page's tags left out from trafilatura's metadata."""
    page.title = page.title or _clean(document.title or "")
    # trafilatura takes "© 2022" for a date, 1 January 2022, when it finds no
    # other: no date is better than that one.
    guess = document.date or ""
    if guess.endswith("-01-01") and _copyright_year(tree, guess[:4]):
        guess = ""
    if not page.dates and guess:
        page.dates.append(guess)
        page.date_guessed = True
    if document.author:
        page.authors.append(
            [name for part in document.author.split(";") for name in _split_names(part)]
        )
    page.site_name = (
        page.site_name or _site_from_title(page) or _clean(document.sitename or "")
    )
    if not page.url and document.url and _is_web_address(document.url):
        page.url = document.url


def _completed(title: str, fuller: Iterable[str]) -> str:
    """Return the title, or the first of fuller ones that completes it when it
    was cut short ("…"), as JSON-LD headlines often are."""
    if title.endswith(_TRUNCATED):
        start = title.rstrip(".…").rstrip()
        for candidate in fuller:
            if candidate.startswith(start) and len(candidate) > len(start):
                return candidate
    return title


def _title_from_headings(page: _Page) -> str:
    """Return the heading that the <title> also names, else the <title> itself,
    else the first heading."""
    for heading in page.headings:
        if heading in page.title_tag:
            return heading
    return page.title_tag or next(iter(page.headings), "")


def _site_from_title(page: _Page) -> str:
    """Return the site name a <title> adds to the article's heading: what
    follows the heading, else a short last part ("Headline | Outlet")."""
    for heading in page.headings:
        rest = page.title_tag.removeprefix(heading)
        if rest != page.title_tag:
            for separator in _TITLE_SEPARATORS:
                if rest.startswith(separator):
                    return rest[len(separator) :].strip()
    for separator in _TITLE_SEPARATORS:
        headline, found, site = page.title_tag.rpartition(separator)
        site = site.strip()
        if (
            found
            and 0 < len(site.split()) <= SITE_NAME_WORDS
            and len(site) < len(headline)
        ):
            return site
    return ""


def _outlet_of(page: _Page, tree) -> str:
    """Return the outlet's name as the page gives it: in its metadata, its
    <title>'s suffix, its logo's text or its copyright line."""
    return (
        page.publisher
        or page.site_name
        or _site_from_title(page)
        or _logo_name(tree)
        or _copyright_holder(tree)
    )


def _logo_name(tree) -> str:
    """Return the alt text of the site's logo ("Caspian Herald logo" gives
    "Caspian Herald")."""
    for image in tree.iter("img"):
        alt = _clean(image.get("alt") or "")
        if not alt:
            continue
        marks = [image, *list(image.iterancestors())[:2]]
        if (
            any(
                "logo" in " ".join((e.get("class") or "", e.get("id") or "")).lower()
                for e in marks
            )
            or "logo" in (image.get("src") or "").lower()
        ):
            name = _LOGO_WORD.sub("", alt).strip(" -–—:|")
            if name and len(name.split()) <= SITE_NAME_WORDS:
                return name
    return ""


def _copyright_holder(tree) -> str:
    """Return the name in the page's copyright line ("© 2024 Outlet. All
    rights reserved.")."""
    for text in _COPYRIGHT_TEXTS(tree):
        parent = text.getparent()
        if parent is None or parent.tag in ("script", "style"):
            continue
        match = _COPYRIGHT.search(_clean(parent.text_content()))
        if match:
            name = match.group("name").strip(" -–—:")
            if name and len(name.split()) <= SITE_NAME_WORDS:
                return name
    return ""


def _linked_host(tree) -> str:
    """Return the host most of the page's absolute links go to, which is the
    site's own on a page that links its sections and articles in full."""
    hosts: dict[str, int] = {}
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith(("http://", "https://")):
            host = signatures.domain_of(href)
            if host and not any(
                host == s or host.endswith("." + s) for s in _SHARING_HOSTS
            ):
                hosts[host] = hosts.get(host, 0) + 1
    if not hosts:
        return ""
    host, count = max(hosts.items(), key=lambda item: (item[1], item[0]))
    total = sum(hosts.values())
    return host if count >= LINKED_HOST_LINKS and 2 * count > total else ""


def _headline(title: str, page: _Page, names) -> str:
    """Return the title without the site's name; a title that is only the
    site's name gives way to the page's heading."""
    folded = {fold(name) for name in names if name}
    if fold(title) in folded:
        heading = next(
            (h for h in page.headings if fold(h) not in folded and len(h) > 3), ""
        )
        title = heading or _without_site_name(page.title_tag, names) or title
    return _without_site_name(title, names)


def _without_site_name(title: str, names) -> str:
    """Return the title without the " | Site name" that pages append, or the
    "Site name - " that some put first."""
    folded = title.casefold()
    for name in filter(None, names):
        for separator in _TITLE_SEPARATORS:
            suffix = (separator + name).casefold()
            if folded.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
            prefix = (name + separator).casefold()
            if folded.startswith(prefix) and len(title) > len(prefix):
                return title[len(prefix) :].strip()
    return title


_BLOCKS = {"p", "head", "item", "quote", "list", "table", "row", "cell", "code", "div"}
# Table cells as trafilatura writes them, and as the page does when its
# fallback extraction keeps the page's own markup.
_CELLS = {"cell", "td", "th"}


def _paragraphs(body) -> list[str]:
    """Return the paragraphs of trafilatura's XML body: headings, paragraphs, list
    items and quotes each one paragraph, <lb/> a line break inside one."""
    paragraphs: list[str] = []
    _walk(body, paragraphs)
    return paragraphs


def _walk(element, paragraphs: list[str]):
    parts = [element.text or ""]
    for child in element:
        if child.tag == "table" and next(_rows(child), None) is not None:
            _flush(parts, paragraphs)
            _walk_table(child, paragraphs)
            parts = [child.tail or ""]
        elif child.tag in _BLOCKS:
            _flush(parts, paragraphs)
            _walk(child, paragraphs)
            parts = [child.tail or ""]
        else:
            parts.append(_inline(child))
            parts.append(child.tail or "")
    _flush(parts, paragraphs)


def _walk_table(table, paragraphs: list[str]):
    """Add a table's data as one paragraph, a line a row, its cells separated
    by " | " (results, standings); a cell that holds paragraphs (a page laid
    out in a table) gives them as paragraphs."""
    lines: list[str] = []
    for row in _rows(table):
        cells = [cell for cell in row if cell.tag in _CELLS]
        if any(_has_blocks(cell) for cell in cells):
            _flush(["\n".join(lines)], paragraphs)
            lines = []
            for cell in cells:
                _walk(cell, paragraphs)
            continue
        texts = (_clean(_inline(cell).replace("\u00ad", "")) for cell in cells)
        line = " | ".join(text for text in texts if text)
        if line:
            lines.append(line)
    _flush(["\n".join(lines)], paragraphs)


def _rows(table):
    """Yield the table's own rows: trafilatura's <row>, or the page's <tr> when
    its fallback extraction kept the HTML; not those of tables inside cells."""
    for row in table.iter("row", "tr"):
        if next(row.iterancestors("table"), None) is table:
            yield row


def _has_blocks(element) -> bool:
    return any(child.tag in _BLOCKS for child in element.iterdescendants())


def _inline(element) -> str:
    if element.tag == "lb":
        return "\n"
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _flush(parts: list[str], paragraphs: list[str]):
    # Soft hyphens are hints where a browser may break a word, not text.
    text = "".join(parts).replace("\u00ad", "")
    lines = (_clean(line) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    if text:
        paragraphs.append(text)


def _without_furniture(paragraphs: list[str]) -> list[str]:
    """Return the paragraphs without short links to other articles, and without
    the notices that close some outlets' articles."""
    kept = [p for p in paragraphs if not (len(p) < 200 and _INLINE_FURNITURE.match(p))]
    while kept and len(kept[-1]) < 300 and _CLOSING_FURNITURE.search(kept[-1]):
        kept.pop()
    return kept


def _mostly_links(paragraphs: list[str], tree) -> bool:
    """Return whether the text is mostly the page's links: a section's list of
    headlines, which the extractor falls back to on a page without an article."""
    anchors = {_clean(a.text_content()) for a in tree.iter("a")}
    anchors.discard("")
    lines = [line for p in paragraphs for line in p.split("\n")]
    total = sum(len(line) for line in lines)
    linked = sum(len(line) for line in lines if line in anchors)
    return bool(total) and linked >= MOSTLY_LINKS * total


def _same(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return _SPACE.sub(" ", fold(text)).strip(" .:;!?…\"'“”«»")

    return bool(a) and bool(b) and key(a) == key(b)


def _without_title(paragraphs: list[str], title: str) -> tuple[list[str], str]:
    """Return the paragraphs without leading ones that repeat the title or only
    date the article ("14.02.2011 - 10:45"), and the first such date."""
    paragraphs, date_line = list(paragraphs), ""
    while paragraphs:
        first = paragraphs[0]
        if _same(first, title):
            paragraphs.pop(0)
        elif len(first) <= DATE_LINE_CHARS and dates.is_date_line(first):
            date_line = date_line or first
            paragraphs.pop(0)
        else:
            break
    return paragraphs, date_line


def _completed_lead(lead: str, paragraphs: list[str]) -> str:
    """Return the lead, completed from the first paragraph when the page cut it
    short ("…") and the paragraph goes on with it: up to the end of the
    sentence it was cut in. The paragraph stays in the body, which is the
    article's whole text; the article page shows the lead once when the body
    repeats it (text.lead_is_repeated)."""
    if not (lead.endswith(_TRUNCATED) and paragraphs):
        return lead
    start = lead.rstrip(".…").rstrip()
    first = paragraphs[0].split("\n", 1)[0]
    if not start or not first.startswith(start) or len(first) <= len(start):
        return lead
    end = _SENTENCE_END.search(first, len(start))
    return first[: end.end()] if end else first


def _dateline(paragraph: str) -> tuple[str, str]:
    """Return the dateline's place and the paragraph without the dateline."""
    match = _DATELINE.match(paragraph)
    if match is None:
        return "", paragraph
    place = match.group("place")
    rest = paragraph[match.end() :]
    letters = [c for c in place if c.isalpha()]
    if len(letters) < 3 or not place.isupper() or not rest[:1].isupper():
        return "", paragraph
    return place.strip(" .,"), rest


def _published_at(
    page: _Page, date_line: str, warnings: list[str]
) -> dt.datetime | None:
    """Return the publication time from the page's metadata, else from the
    date line at the top of the article, else from trafilatura's search of the
    text; warn about what a curator should check."""
    if date_line and (page.date_guessed or not page.dates):
        found = dates.parse_date(date_line)
        if found.value is not None:
            warnings.append(
                found.warning
                or f"The page gives no publication date in its metadata; “"
                f"{date_line}” on the page was read as the date, "
                "its time as UTC. Check it."
            )
            return found.value
    unreadable = ""
    for value in page.dates:
        try:
            published_at = timestamp(value)
        except ValueError:
            unreadable = unreadable or value
            continue
        if page.date_guessed:
            warnings.append(
                "The page gives no publication date in its metadata; the day "
                f"{published_at:%Y-%m-%d} was found in its text and the time set "
                "to 00:00 UTC. Check it."
            )
        elif _DAY_ONLY.fullmatch(value.strip()):
            warnings.append(
                "The page gives the day of publication but not the time; the time "
                "is set to 00:00 UTC."
            )
        return published_at
    if unreadable:
        warnings.append(
            f"The page's publication date “{unreadable}” could not be read; left empty."
        )
    else:
        warnings.append("The page gives no publication date; left empty.")
    return None


def _outlet_names(page: _Page, outlet: str) -> set[str]:
    """Return the names the page gives its outlet, folded: "Trend.Az" and
    "Trend" on en.trend.az."""
    names = (outlet, page.site_name, page.publisher, *page.organisations)
    folded = {fold(name) for name in names if name}
    folded |= {_TOP_LEVEL_DOMAIN.sub("", name) for name in folded}
    return folded | set(signatures.domain_of(page.url).split(".")[:-1])


def _authors(page: _Page, not_people: set[str]) -> list[str]:
    """Return the authors' names once each, without the outlet's own names,
    which pages give as the author of agency copy, and without desks and roles
    ("Staff Reporter")."""
    for names in page.authors:
        authors: list[str] = []
        seen = set()
        for name in names:
            key = fold(name)
            if (
                key
                and key not in seen
                and key not in not_people
                and not set(key.split()) & _NOT_NAMES
            ):
                seen.add(key)
                authors.append(name)
        if authors:
            return authors
    return []


def _without_bylines(paragraphs: list[str], known: set[str]) -> list[str]:
    """Return the paragraphs without a first or last one that only names the
    authors or the outlet ("By Anna Petrova", a signature under the text)."""

    def byline(paragraph: str) -> bool:
        if not known or len(paragraph) > 150:
            return False
        names = [
            name
            for part in _BYLINE_DASHES.split(paragraph)
            for name in _split_names(part)
        ]
        return bool(names) and all(fold(name) in known for name in names)

    paragraphs = list(paragraphs)
    while paragraphs and byline(paragraphs[0]):
        paragraphs.pop(0)
    while paragraphs and byline(paragraphs[-1]):
        paragraphs.pop()
    return paragraphs
