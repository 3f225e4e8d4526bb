"""Property-based fuzzing (hypothesis) of the two places where strangers' input
meets the archive: the importer, and the search and filter parameters of the
public site and the API.

The importer, fed random bytes, text in the archive's encodings, real pages cut
short or corrupted, and JSON Lines records with fields of the wrong type: every
item is imported, a duplicate, an update or rejected with a one-line reason; a
rejection writes nothing; an imported article is whole; the report is JSON.

The list parameters, given random strings, NUL bytes, invalid UTF-8, huge and
negative numbers, SQL and tsquery syntax, repeated: never a 5xx; a 400 names the
parameter; nothing unpublished is ever listed.

CI runs the "ci" profile: derandomized, so the same examples every run, and no
example database. `HYPOTHESIS_PROFILE=long` runs many more, randomly.
"""

import base64
import datetime as dt
import io
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from articles.ingest.service import REJECTED, STATUSES, Importer, Report
from articles.models import Article, ArticlePerson, LinkState
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    TopicFactory,
)
from tests.test_ingest import record as ingest_record

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=50,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile(
    "long",
    parent=settings.get_profile("ci"),
    derandomize=False,
    max_examples=1000,
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def fuzz(share: float = 1.0):
    """Settings of the chosen profile, with share of its examples (slow tests
    take fewer)."""
    return settings(PROFILE, max_examples=max(10, int(PROFILE.max_examples * share)))


pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent
SEEDS = ROOT.parent.parent / "shared" / "seeds"
SAMPLES = sorted(
    path
    for folder in (ROOT / "inputs", SEEDS)
    if folder.is_dir()
    for path in folder.rglob("*")
    if path.is_file()
)


@contextmanager
def rolled_back():
    """Run an example in a savepoint that is undone afterwards, so that no
    example sees another's writes."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# -- the importer -----------------------------------------------------------------

ARTICLE_MODELS = [
    model
    for model in apps.get_app_config("articles").get_models()
    if not model._meta.proxy
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ARTICLE_MODELS}


def record(**fields) -> dict:
    """test_ingest's JSON Lines record, with topics and people as well."""
    return ingest_record(
        **{"topics": ["grain-deal"], "people": ["Sergey Lavrov"], **fields}
    )


@pytest.fixture
def archive_to_import_into(db):
    """People and a topic for suggestions to find, and one article already in
    (the base record), so that imports also meet duplicates and new versions."""
    PersonFactory(name="Sergey Lavrov", slug="sergey-lavrov", aliases=["Lavrov"])
    PersonFactory(name="Hakan Fidan", slug="hakan-fidan")
    TopicFactory(name="Grain deal", slug="grain-deal", keywords=["grain corridor"])
    outlet = OutletFactory(name="Wire", slug="wire", domains=["wire.example"])
    with io.StringIO() as out, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "base.jsonl"
        path.write_text(json.dumps(record()) + "\n", encoding="utf-8")
        call_command("import_articles", str(path), "--report", "json", stdout=out)
    return outlet


def check_import(sources, *, default_outlet=None, status=Article.Status.DRAFT):
    """Import sources; check what each item did and that the report holds."""
    before = row_counts()
    importer = Importer(default_outlet=default_outlet, status=status)
    items = list(importer.run(sources))
    after = row_counts()
    for item in items:
        event(item.status)
        if item.error:
            event(item.error[:50])
    assert items, "every source gives at least one report item"
    for item in items:
        assert item.status in STATUSES
        assert all(isinstance(w, str) for w in item.warnings)
        if item.status == REJECTED:
            assert isinstance(item.error, str) and item.error.strip()
            assert "\n" not in item.error, f"a one-line reason: {item.error!r}"
            # These two mean the importer caught a bug, not a bad input.
            assert not item.error.startswith("Unexpected error"), item.error
            assert not item.error.startswith("Database error"), item.error
            continue
        assert item.error is None
        article = Article.objects.select_related("outlet").get(pk=item.article["id"])
        if article.outlet is None:
            # A page that names no outlet waits for a curator, as a draft.
            assert article.status == Article.Status.DRAFT
            assert any("No outlet found" in w for w in item.warnings)
        else:
            assert article.outlet.name.strip()
        assert article.title.strip() and article.body.strip()
        assert article.raw_text and article.content_hash
        assert item.article["title"] == article.title
    imported = sum(i.status == "imported" for i in items)
    updated = sum(i.status == "updated" for i in items)
    assert after["Article"] - before["Article"] == imported
    assert after["ArticleVersion"] - before["ArticleVersion"] == updated
    if not imported and not updated:
        assert after == before, "a rejected or duplicate item writes nothing"
    report = json.loads(json.dumps(Report(items=items).as_dict(), ensure_ascii=False))
    check_report(report)
    return items


def check_report(report: dict):
    assert set(report) == {"items", "summary"}
    assert set(report["summary"]) == set(STATUSES)
    assert sum(report["summary"].values()) == len(report["items"])
    for item in report["items"]:
        assert set(item) == {"source", "status", "error", "warnings", "article"}
        assert isinstance(item["source"], str)
        assert isinstance(item["warnings"], list)
        if item["status"] == REJECTED:
            assert item["article"] is None
        else:
            assert {"id", "title", "outlet", "body", "language"} <= set(item["article"])


def encodable(encoding: str) -> str:
    """Return the printable characters of a single-byte code page."""
    return "".join(
        c
        for c in bytes(range(0x20, 0x100)).decode(encoding, errors="ignore")
        if c.isprintable()
    )


ENCODINGS = {
    "utf-8": None,
    "utf-8-sig": None,
    "utf-16": None,  # with a byte order mark
    "utf-16-le": None,
    "utf-16-be": None,
    "cp1251": encodable("cp1251"),
    "iso-8859-9": encodable("iso-8859-9"),
    "latin-1": encodable("latin-1"),
}
WORDS = [
    "Lavrov",
    "Fidan",
    "Moscow",
    "Ankara",
    "grain",
    "corridor",
    "talks",
    "said",
    "minister",
    "Лавров",
    "Москва",
    "переговоры",
    "зерновой",
    "коридор",
    "Çavuşoğlu",
    "Dışişleri",
    "Bakanı",
    "görüştü",
    "Erdoğan",
    "İstanbul",
    "ş",
    "ğ",
    "ı",
    "é",
    "à",
    "ß",
]


@st.composite
def encoded_texts(draw):
    """A text in one of the archive's encodings, as plain text, an HTML page
    (declaring a charset, maybe the wrong one) or a JSON Lines record."""
    encoding = draw(st.sampled_from(sorted(ENCODINGS)))
    alphabet = ENCODINGS[encoding]
    chars = (
        st.characters(blacklist_categories=("Cs",))
        if alphabet is None
        else st.sampled_from(alphabet + "\n")
    )
    pieces = st.one_of(st.text(chars, max_size=30), st.sampled_from(WORDS))
    if alphabet is not None:
        pieces = pieces.filter(lambda p: all(c in alphabet + "\n" for c in p))
    title = " ".join(draw(st.lists(pieces, min_size=1, max_size=8)))
    body = " ".join(draw(st.lists(pieces, min_size=5, max_size=40)))
    shape = draw(st.sampled_from(["text", "html", "jsonl"]))
    if shape == "text":
        text = f"{title}\n\n{body}\n"
    elif shape == "html":
        declared = draw(st.sampled_from([encoding, "utf-8", "windows-1252", "bogus"]))
        text = (
            f'<!doctype html><html><head><meta charset="{declared}">'
            f"<title>{escape(title)}</title></head><body><article>"
            f"<h1>{escape(title)}</h1><p>{escape(body)}</p></article></body></html>"
        )
    else:
        text = json.dumps({"title": title, "body": body}, ensure_ascii=False) + "\n"
    return text.encode(encoding)


@st.composite
def damaged_samples(draw):
    """A real saved page or export, cut at a random point and with some of its
    bytes replaced."""
    data = draw(st.sampled_from(SAMPLES)).read_bytes()
    # Drawn as what is cut off, so that the simplest example is the whole page.
    cut = len(data) - draw(st.integers(min_value=0, max_value=len(data)))
    data = bytearray(data[:cut])
    if data:
        for _ in range(draw(st.integers(min_value=0, max_value=8))):
            at = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[at] = draw(st.integers(min_value=0, max_value=255))
    return bytes(data)


def json_containers(children):
    return st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8), children, max_size=4
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    json_containers,
    max_leaves=12,
)
IMPOSSIBLE_DATES = [
    "2020-02-30",
    "2023-02-29T10:00:00Z",
    "2020-13-01",
    "0000-00-00",
    "9999-99-99T99:99:99",
    "2020-01-01T25:61:61Z",
    "2023-08-31T10:15:00+25:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "10000-01-01",
    "-0001-01-01",
    "20200101T000000Z",
    "Mon, 32 Jan 2020 00:00:00 +0000",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "1e308",
    "NaN",
    "yesterday",
    "\x00",
    "2023-08-31\n10:15",
]
field_values = st.one_of(
    json_values,
    st.sampled_from(IMPOSSIBLE_DATES),
    st.builds(
        lambda s, n: s * n,
        st.text(min_size=1, max_size=5),
        st.sampled_from([100, 2000, 30_000]),
    ),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=50),
)
FIELD_NAMES = [
    *record(),
    "lead",
    "dateline",
    "headline",
    "text",
    "unknown",
]


@st.composite
def jsonl_records(draw):
    """A record of the export format with some fields replaced by values of any
    type, some removed."""
    fields = record(
        url=draw(
            st.sampled_from(
                ["https://tass.com/politics/1000001", "https://wire.example/a", ""]
            )
        )
    )
    changes = draw(
        st.dictionaries(st.sampled_from(FIELD_NAMES), field_values, max_size=3)
    )
    fields.update(changes)
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=1)):
        fields.pop(name, None)
    if not draw(st.booleans()):
        # A fresh body, so that the record is new rather than a duplicate.
        fields["body"] = f"{fields.get('body')} Round {draw(st.integers(0, 10**6))}."
    return fields


@st.composite
def jsonl_files(draw):
    """Some records as JSON Lines (or as a JSON array), maybe cut short."""
    records = draw(
        st.lists(
            st.one_of(jsonl_records(), jsonl_records(), json_values),
            min_size=1,
            max_size=3,
        )
    )
    if draw(st.booleans()):
        text = "\n".join(
            json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records
        )
    else:
        text = json.dumps(records, indent=draw(st.sampled_from([None, 2])))
    if draw(st.integers(0, 3)) == 3:
        text = text[: len(text) - draw(st.integers(min_value=1, max_value=len(text)))]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


# How an example imports: with no default outlet, with one, or published at once.
HOW = st.sampled_from(["no outlet", "outlet", "published"])


def import_check(data: bytes, outlet, how: str):
    with rolled_back():
        check_import(
            [("input", data)],
            default_outlet=None if how == "no outlet" else outlet,
            status="published" if how == "published" else "draft",
        )


@fuzz()
@given(data=st.binary(max_size=3000), how=HOW)
def test_random_bytes_are_rejected_or_imported_whole(archive_to_import_into, data, how):
    import_check(data, archive_to_import_into, how)


@fuzz()
@given(data=encoded_texts(), how=HOW)
def test_text_in_any_of_the_archive_encodings_imports_cleanly(
    archive_to_import_into, data, how
):
    import_check(data, archive_to_import_into, how)


@fuzz(0.8)
@given(data=damaged_samples(), how=HOW)
def test_real_pages_cut_short_or_corrupted_import_cleanly(
    archive_to_import_into, data, how
):
    import_check(data, archive_to_import_into, how)


@fuzz()
@given(data=jsonl_files(), how=HOW)
def test_malformed_json_lines_are_rejected_line_by_line(
    archive_to_import_into, data, how
):
    import_check(data, archive_to_import_into, how)


@fuzz(0.2)
@given(
    files=st.lists(
        st.one_of(st.binary(max_size=500), jsonl_files(), damaged_samples()),
        min_size=1,
        max_size=3,
    )
)
def test_the_import_command_reports_every_file_as_json(archive_to_import_into, files):
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        for number, data in enumerate(files):
            (Path(folder) / f"{number}.input").write_bytes(data)
        out = io.StringIO()
        try:
            call_command("import_articles", folder, "--report", "json", stdout=out)
            code = 0
        except SystemExit as exit:
            code = exit.code
        report = json.loads(out.getvalue())
        check_report(report)
        assert code == (1 if report["summary"]["rejected"] else 0)
        assert len(report["items"]) >= len(files)


@fuzz(0.2)
@given(data=st.one_of(st.binary(max_size=500), jsonl_files(), damaged_samples()))
def test_the_admin_upload_reports_every_file(
    archive_to_import_into, curator_client, data
):
    with rolled_back():
        before = row_counts()
        response = curator_client.post(
            "/admin/articles/article/import/",
            {"files": SimpleUploadedFile("upload.bin", data), "status": "draft"},
        )
        assert response.status_code == 200
        report = response.context["report"]
        check_report(json.loads(json.dumps(report.as_dict())))
        after = row_counts()
        # Every upload is kept as an import batch, its report (issue 21).
        assert after.pop("ImportBatch") == before.pop("ImportBatch") + 1
        if not any(i.status in ("imported", "updated") for i in report.items):
            assert after == before


# -- search and filter parameters --------------------------------------------------

SQL = [
    "' OR 1=1 --",
    "' OR '1'='1",
    ";DROP TABLE articles_article;",
    "'; DROP TABLE articles_article; --",
    '" OR ""="',
    "1 UNION SELECT username, password FROM auth_user --",
    "1; SELECT pg_sleep(10)",
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
    "$1",
    "%s",
]
TSQUERY = [
    "a & | b",
    "!!",
    "(((",
    ")))",
    ":*",
    "<->",
    "<2>",
    "grain <-> corridor",
    "grain:*",
    "grain:A",
    "!grain",
    "grain |",
    "& grain",
    "'",
    '"',
    '"grain',
    '""',
    '-""',
    "-",
    "--",
    "or",
    "or or",
    "grain or",
    "-grain",
    "- -",
    "(grain | corridor",
    "grain & !",
    "a:*:*",
    "\\:",
]
ODD = [
    "\x00",
    "grain\x00",
    "\x01",
    "\x0b",
    "\x1f",
    "\x7f",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\ufffe",
    "\U0010ffff",
    "🙂",
    "İ",
    "ß",
    "Ǆ",
    "e\u0301",
    "Лавров",
    "ğ",
    " ",
    "\t",
    "\n",
]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e3",
    "1.5",
    "9" * 30,
    "-" + "9" * 30,
    "9" * 5000,
    "0x10",
    "١٢",
    "inf",
    "NaN",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
]
DATES = [
    "2020-01-01",
    "0001-01-01",
    "9999-12-31",
    "2020-02-30",
    "2020-13-01",
    "20200101",
    "2020-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59.999999",
    "0001-01-01T00:00:00",
    "2020-01-01T25:00:00",
    "2020-01-01 00:00",
    "01/02/2020",
    "yesterday",
]
KNOWN = [
    "grain",
    "corridor",
    "Lavrov",
    "Лавров",
    "tass",
    "wire",
    "grain-deal",
    "sergey-lavrov",
    "en",
    "ru",
    "RU",
    "TR",
    "newest",
    "oldest",
    "relevance",
    "published_at",
    "-published_at",
    "modified",
    "author",
    "quoted",
    "mentioned",
    "draft",
    "review",
    "withdrawn",
    "published",
    "csv",
    "jsonl",
    "id,title",
    "title,,",
    "public",
    "internal",
]
CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]
with_controls = st.builds(
    lambda before, control, after: before + control + after,
    st.sampled_from(["", "grain", "Lavrov ", "en", "2020-01-01"]),
    st.sampled_from(CONTROL),
    st.sampled_from(["", "corridor", " talks", "-"]),
)
offsets = st.builds(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
EDGES = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59Z",
    "2020-01-01T00:00:00",
]
dates = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(DATES),
    st.dates().map(dt.date.isoformat),
    st.datetimes(timezones=st.none() | offsets).map(
        lambda moment: moment.isoformat(timespec="seconds")
    ),
)
numbers = st.one_of(
    st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str)
)
words = st.one_of(
    st.sampled_from(SQL + TSQUERY + ODD + KNOWN),
    st.lists(st.sampled_from(SQL + TSQUERY + ODD + KNOWN), min_size=1, max_size=6).map(
        " ".join
    ),
    st.lists(st.sampled_from(TSQUERY + ODD + KNOWN), min_size=1, max_size=6).map(
        "".join
    ),
)
scalars = st.one_of(
    words,
    with_controls,
    numbers,
    dates,
    st.text(max_size=30),
    st.builds(
        lambda s, n: s * n,
        st.sampled_from(["a", "é", "(", "-x ", "\x00"]),
        st.sampled_from([200, 501, 5000]),
    ),
    st.binary(min_size=1, max_size=12),  # sent as is: not always UTF-8
)
# What each parameter is most likely to choke on, besides anything at all.
TARGETED = {
    "q": words | with_controls,
    "date_from": dates,
    "date_to": dates,
    "published_after": dates,
    "published_before": dates,
    "modified_since": dates,
    "page": numbers,
    "page_size": numbers,
    "article": numbers,
    "outlet": st.sampled_from(KNOWN) | with_controls,
    "topic": st.sampled_from(KNOWN) | with_controls,
    "person": st.sampled_from(KNOWN) | with_controls,
    "speaker": st.sampled_from(KNOWN) | with_controls | numbers,
}


def cursors(orderings):
    """A cursor that looks like the API's: base64 JSON of an ordering and values."""
    value = st.one_of(json_values, dates, numbers, st.integers())
    payload = (
        st.fixed_dictionaries(
            {
                "o": st.sampled_from(orderings) | st.text(max_size=5),
                "v": st.lists(value, max_size=3),
            },
            optional={"b": json_values},
        )
        | json_values
    )
    return st.one_of(
        payload.map(
            lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
        ),
        scalars,
    )


# Values each parameter takes in earnest, so that a query with one odd value
# among good ones reaches past the filter's validation.
VALID = {
    "q": ["grain", "Lavrov", '"grain corridor"', "grain or wheat", "-wheat grain"],
    "speaker": ["Lavrov", "Sergey"],
    "outlet": ["tass", "wire"],
    "topic": ["grain-deal"],
    "person": ["sergey-lavrov"],
    "role": ["author", "quoted", "mentioned"],
    "language": ["en", "tr"],
    "country": ["RU", "TR"],
    "date_from": ["2019-01-01"],
    "date_to": ["2030-12-31"],
    "sort": ["newest", "oldest", "relevance"],
    "page": ["1", "2"],
    "published_after": ["2019-01-01", "2019-01-01T00:00:00Z"],
    "published_before": ["2030-01-01T00:00:00+03:00"],
    "modified_since": ["2019-01-01T00:00:00Z"],
    "status": ["draft", "review", "published", "withdrawn"],
    "ordering": ["-published_at", "published_at", "relevance", "modified"],
    "fields": ["id,title", "id,slug,published_at"],
    "page_size": ["1", "2", "500"],
    "format": ["csv", "jsonl"],
    "visibility": ["public", "internal"],
}


def parameters(name, cursor_orderings):
    """An odd value for the parameter: one aimed at what it parses, or any."""
    if name == "cursor" and cursor_orderings:
        return st.tuples(st.just(name), cursors(cursor_orderings))
    targeted = TARGETED.get(name)
    values = scalars if targeted is None else st.one_of(targeted, targeted, scalars)
    return st.tuples(st.just(name), values)


def query_strings(names, *, cursor_orderings=None):
    """A query string of some of the parameter names (and a few unknown ones),
    repeated or not: a few good values and one or two odd ones, in any order."""
    valid = st.sampled_from([n for n in names if n in VALID]).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(VALID[name]))
    )
    names = [*names, "unknown", "page[0]"]
    if cursor_orderings:
        names.append("cursor")
    odd = st.sampled_from(names).flatmap(
        lambda name: parameters(name, cursor_orderings)
    )
    pairs = st.builds(
        lambda good, bad: good + bad,
        st.lists(valid, max_size=4),
        st.lists(odd, min_size=1, max_size=2),
    )
    return pairs.flatmap(st.permutations).map(encode_query)


def encode_query(pairs) -> str:
    """Percent-encode the pairs; a value given as bytes is sent as those bytes."""
    return "&".join(
        f"{quote(name)}={quote(value if isinstance(value, bytes) else value.encode())}"
        for name, value in pairs
    )


def get(client, url):
    """GET url in a savepoint, so that a database error in one example (which
    would be a 500) leaves the test's transaction usable for the next."""
    note(f"GET {url}")
    with rolled_back():
        response = client.get(url)
        if response.streaming:
            response.body = b"".join(response.streaming_content)
    return response


def sent_names(query: str) -> set[str]:
    from django.http import QueryDict

    return set(QueryDict(query).keys())


@pytest.fixture
def archive_to_search(db):
    """Published articles, and articles in every other status that match the
    same filters: the draft, in review and withdrawn ones must never be listed."""
    tass = OutletFactory(name="TASS", slug="tass", domains=["tass.com"])
    wire = OutletFactory(name="Wire", slug="wire", country="TR", language="tr")
    topic = TopicFactory(name="Grain deal", slug="grain-deal")
    lavrov = PersonFactory(
        name="Sergey Lavrov", slug="sergey-lavrov", aliases=["Лавров"]
    )
    body = "Lavrov said the grain corridor talks went well. Лавров."
    articles = [
        ArticleFactory(outlet=tass, body=f"{body} Published {n}.") for n in range(3)
    ]
    articles.append(
        ArticleFactory(
            outlet=wire, body=f"{body} Undated.", published_at=None, language="tr"
        )
    )
    hidden = [
        ArticleFactory(
            outlet=outlet,
            status=status,
            title=f"Hidden {status} grain",
            body=f"{body} Hidden {status}.",
        )
        for status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
            Article.Status.WITHDRAWN,
        )
        for outlet in (tass,)
    ]
    for article in articles + hidden:
        ArticleTopicFactory(article=article, topic=topic, state=LinkState.CONFIRMED)
        ArticlePersonFactory(
            article=article,
            person=lavrov,
            role=ArticlePerson.Role.AUTHOR,
            state=LinkState.CONFIRMED,
        )
    hidden[-1].withdrawal_reason = "Retracted by the outlet."
    return {
        "published": {a.pk for a in articles},
        "hidden": {a.pk: a.slug for a in hidden},
    }


PUBLIC_LIST_PARAMETERS = [
    "q",
    "outlet",
    "topic",
    "person",
    "role",
    "language",
    "country",
    "date_from",
    "date_to",
    "sort",
    "page",
]
PUBLIC_LISTS = [
    "/articles/",
    "/outlets/tass/",
    "/topics/grain-deal/",
    "/people/sergey-lavrov/",
]
PUBLIC_FEEDS = ["/articles/feed/", "/articles/feed/rss/"]
PUBLIC_INDEXES = ["/outlets/", "/people/", "/topics/", "/quotes/"]


def check_public_list(response, query, archive):
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code == 404:
        # A page past the end of the list, or past the deepest one served.
        assert "page" in sent_names(query)
        return
    errors = response.context["errors"]
    if response.status_code == 400:
        assert errors
        assert set(errors) <= sent_names(query) | {"sort"}, errors
        content = response.content.decode()
        for messages in errors.values():
            assert all(escape(m) in content for m in messages)
        return
    assert not errors
    shown = {a.pk for a in response.context["page"].object_list}
    assert shown <= archive["published"]


@fuzz(3)
@given(path=st.sampled_from(PUBLIC_LISTS), query=query_strings(PUBLIC_LIST_PARAMETERS))
def test_public_lists_answer_any_parameters_without_a_server_error(
    archive_to_search, client, path, query
):
    response = get(client, f"{path}?{query}")
    check_public_list(response, query, archive_to_search)


@fuzz(2)
@given(path=st.sampled_from(PUBLIC_FEEDS), query=query_strings(PUBLIC_LIST_PARAMETERS))
def test_search_feeds_answer_any_parameters_without_a_server_error(
    archive_to_search, client, path, query
):
    response = get(client, f"{path}?{query}")
    assert response.status_code in (200, 400), response.status_code
    content = response.content.decode()
    assert not any(slug in content for slug in archive_to_search["hidden"].values())


@fuzz(1.2)
@given(
    path=st.sampled_from(PUBLIC_INDEXES), query=query_strings(["q", "speaker", "page"])
)
def test_public_indexes_answer_any_parameters_without_a_server_error(
    archive_to_search, client, path, query
):
    response = get(client, f"{path}?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code == 404:
        assert "page" in sent_names(query)  # past the end of the list
        return
    if response.status_code == 400:
        # A parameter the index takes once, given twice.
        assert set(response.context["errors"]) <= sent_names(query)
        return
    if path == "/quotes/":
        shown = {quote.article_id for quote in response.context["page"].object_list}
        assert shown <= archive_to_search["published"]


API_LIST_PARAMETERS = [
    "q",
    "outlet",
    "topic",
    "person",
    "role",
    "language",
    "country",
    "published_after",
    "published_before",
    "modified_since",
    "status",
    "ordering",
    "fields",
    "cursor",
    "page_size",
]
API_ORDERINGS = ["-published_at", "published_at", "relevance", "modified", "id"]


def check_api_error(response, query, *, required=()):
    body = response.json()["error"]
    assert body["status"] == response.status_code
    assert body["message"].strip()
    if response.status_code in (400, 404) and "fields" in body:
        # 404: a filter's slug names no record the client may see.
        assert body.get("fields"), body
        assert set(body["fields"]) <= sent_names(query) | set(required), body
        if len(body["fields"]) == 1:
            assert body["message"].startswith(next(iter(body["fields"])))


@fuzz(3)
@given(query=query_strings(API_LIST_PARAMETERS, cursor_orderings=API_ORDERINGS))
def test_the_api_article_list_answers_any_parameters_without_a_server_error(
    archive_to_search, client, query
):
    response = get(client, f"/api/v1/articles/?{query}")
    # 403: a status filter from the public; 404: a slug naming no record.
    assert response.status_code in (200, 400, 403, 404), response.status_code
    if response.status_code != 200:
        check_api_error(response, query)
        return
    for row in response.json()["results"]:
        if row["kind"] == "tombstone":
            assert set(row) == {
                "kind",
                "id",
                "slug",
                "status",
                "modified_at",
                "tombstone",
            }
        elif "id" in row:
            assert row["id"] in archive_to_search["published"]


@fuzz(1)
@given(query=query_strings(API_LIST_PARAMETERS, cursor_orderings=API_ORDERINGS))
def test_the_api_answers_curators_any_parameters_without_a_server_error(
    archive_to_search, curator_client, query
):
    response = get(curator_client, f"/api/v1/articles/?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code != 200:
        check_api_error(response, query)


@fuzz(1.2)
@given(
    fmt=st.sampled_from(["format=csv&", "format=jsonl&", ""]),
    query=query_strings([*API_LIST_PARAMETERS, "format"]),
)
def test_the_api_export_answers_any_parameters_without_a_server_error(
    archive_to_search, client, fmt, query
):
    query = fmt + query
    response = get(client, f"/api/v1/articles/export/?{query}")
    assert response.status_code in (200, 400, 403, 404), response.status_code
    if response.status_code != 200:
        check_api_error(response, query, required={"format"})
        return
    content = response.body.decode()
    assert not any(slug in content for slug in archive_to_search["hidden"].values())


API_OTHER_LISTS = {
    "/api/v1/outlets/": ["cursor", "page_size", "fields"],
    "/api/v1/people/": ["cursor", "page_size", "fields"],
    "/api/v1/topics/": ["cursor", "page_size", "fields"],
    "/api/v1/quotes/": ["cursor", "page_size", "fields", "article", "speaker"],
    "/api/v1/annotations/": ["cursor", "page_size", "fields", "article", "visibility"],
}


@fuzz(2)
@given(
    path_and_query=st.sampled_from(sorted(API_OTHER_LISTS)).flatmap(
        lambda path: st.tuples(
            st.just(path), query_strings(API_OTHER_LISTS[path], cursor_orderings=["id"])
        )
    )
)
def test_the_other_api_lists_answer_any_parameters_without_a_server_error(
    archive_to_search, client, path_and_query
):
    path, query = path_and_query
    response = get(client, f"{path}?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code != 200:
        check_api_error(response, query)


# -- regressions: what the fuzzing found, as plain tests ---------------------------

PAGE = """Ministers meet in Moscow for grain talks

Published: {date}

MOSCOW. The foreign ministers met in Moscow on Thursday to discuss the grain
corridor and agreed to keep working on it, officials said after the talks.

The next round is expected in Ankara next month, according to both ministries.
"""


@pytest.mark.parametrize(
    "date",
    [
        "05.03.2020 10:00 GMT+25:00",  # a zone more than a day away
        "0001-01-01T00:00:00+01:00",  # the year 0 in UTC
    ],
)
def test_a_page_dated_outside_the_calendar_imports_without_its_date(
    archive_to_import_into, date
):
    (item,) = Importer(default_outlet=archive_to_import_into).run(
        [("page.txt", PAGE.format(date=date).encode())]
    )
    assert item.status == "imported", item.error
    assert Article.objects.get(pk=item.article["id"]).published_at is None


def test_a_parser_bug_costs_only_its_own_file(archive_to_import_into, monkeypatch):
    from articles.ingest import analysis

    def broken(text, source=""):
        raise KeyError("a bug")

    monkeypatch.setattr(analysis, "parse_html", broken)
    items = list(
        Importer(default_outlet=archive_to_import_into).run(
            [
                ("page.html", b"<!doctype html><html><body><p>x</p></body></html>"),
                ("page.txt", PAGE.format(date="5 March 2020").encode()),
            ]
        )
    )
    assert [i.status for i in items] == ["rejected", "imported"]
    assert items[0].error == "Unexpected error, logged for the maintainers: 'a bug'"


def test_a_rejection_quoting_the_input_stays_on_one_short_line(archive_to_import_into):
    lines = [
        json.dumps(record(published_at="last\nThursday")),
        json.dumps(record(published_at="x" * 10_000)),
    ]
    items = list(Importer().run([("a.jsonl", "\n".join(lines).encode())]))
    assert [i.status for i in items] == ["rejected", "rejected"]
    assert items[0].error == (
        "Line 1: published_at 'last Thursday' is not a date and time such as "
        "“2023-08-31T10:15:00Z”."
    )
    assert "\n" not in items[1].error and len(items[1].error) < 200


@pytest.mark.parametrize("path", ["/articles/feed/", "/articles/feed/rss/"])
def test_a_search_feed_drops_characters_xml_cannot_carry(
    archive_to_search, client, path
):
    response = client.get(path, {"q": "grain\x01\x0b"})
    assert response.status_code == 200
    assert "grain”" in response.content.decode()  # the title quotes the search


def test_a_feed_of_an_article_whose_title_holds_a_control_character(db, client):
    ArticleFactory(title="Talks\x01 resume", slug="talks-resume")
    response = client.get("/feeds/latest/")
    assert response.status_code == 200
    assert "<title>Talks resume</title>" in response.content.decode()


def test_date_to_the_last_day_of_the_calendar_finds_every_dated_article(
    archive_to_search, client
):
    response = client.get("/articles/", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    shown = {a.pk for a in response.context["page"].object_list}
    dated = set(
        Article.objects.filter(
            pk__in=archive_to_search["published"], published_at__isnull=False
        ).values_list("pk", flat=True)
    )
    assert shown == dated


@pytest.mark.parametrize(
    "name, value",
    [
        ("published_before", "9999-12-31T23:59:59-12:00"),
        ("published_after", "0001-01-01T00:00:00+14:00"),
        ("modified_since", "0001-01-01T00:00:00+14:00"),
    ],
)
def test_an_api_time_outside_the_calendar_in_utc_bounds_at_its_end(
    archive_to_search, client, name, value
):
    # A valid RFC 3339 time (the schema's date-time) whose UTC falls past the
    # calendar's end: as a bound, the end itself, so every article is on the
    # near side of it.
    response = client.get("/api/v1/articles/", {name: value})
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    dated = set(
        Article.objects.filter(
            pk__in=archive_to_search["published"], published_at__isnull=False
        ).values_list("pk", flat=True)
    )
    expected = dated if name != "modified_since" else archive_to_search["published"]
    assert listed == expected


def cursor(ordering, values):
    data = json.dumps({"o": ordering, "v": values}).encode()
    return base64.urlsafe_b64encode(data).decode()


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": cursor("-published_at", ["2020-01-01T00:00:00", 5])},  # naive
        {"cursor": cursor("-published_at", ["0001-01-01T00:00:00+14:00", 5])},
        {"cursor": cursor("relevance", ["nan", 5]), "q": "grain"},
        {"cursor": cursor("relevance", ["1e999", 5]), "q": "grain"},
        {"cursor": cursor("relevance", [-3]), "q": "grain"},
        {"cursor": cursor("-published_at", [2**64])},
        {"cursor": cursor("published_at", [-1])},
        {"cursor": cursor("-published_at", [1.5])},
    ],
)
def test_a_forged_cursor_is_a_400_naming_the_cursor(archive_to_search, client, params):
    response = client.get("/api/v1/articles/", params)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/outlets/", {"q": "ta\x00ss"}),
        ("/people/", {"q": "\x00"}),
        ("/topics/", {"q": "grain\x00"}),
        ("/quotes/", {"q": "\x00", "speaker": "Lav\x00rov"}),
    ],
)
def test_a_nul_in_a_name_search_is_ignored(archive_to_search, client, path, params):
    response = client.get(path, params)
    assert response.status_code == 200
    assert "\x00" not in response.context["q"]


def test_an_api_time_with_an_offset_postgresql_refuses_is_read_in_utc(
    archive_to_search, client
):
    # 20:00 on 1 January at +20:00 is midnight UTC: PostgreSQL refuses the
    # offset itself (it takes less than 16 hours), so the filter sends UTC.
    moment = "2020-01-01T20:00:00+20:00"
    response = client.get("/api/v1/articles/", {"published_after": moment})
    assert response.status_code == 200
    expected = Article.objects.filter(
        pk__in=archive_to_search["published"],
        published_at__gte=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    assert {row["id"] for row in response.json()["results"]} == set(
        expected.values_list("pk", flat=True)
    )
    # A sync cursor holds a time too.
    far = cursor("modified", ["2030-01-01T20:00:00+23:59", 10**6])
    response = client.get(
        "/api/v1/articles/", {"cursor": far, "modified_since": "2020-01-01"}
    )
    assert response.status_code == 200


def test_nul_characters_escaped_in_json_are_dropped_on_import(archive_to_import_into):
    line = json.dumps(
        record(
            title="Grain\x00 talks",
            body="Lavrov\x00 and Fidan met again to talk about grain.",
            authors=["Anna\x00 Petrova"],
            url="",
        )
    )
    assert "\\u0000" in line
    (item,) = Importer().run([("a.jsonl", line.encode())])
    assert item.status == "imported", item.error
    article = Article.objects.get(pk=item.article["id"])
    assert article.title == "Grain talks"
    assert article.body == "Lavrov and Fidan met again to talk about grain."
    assert item.article["authors"] == ["Anna Petrova"]
