"""Hostile text on every surface: markup, event handlers, javascript: URLs,
broken markup, XML breakers and odd Unicode stored in every field a curator or
the importer can fill come out as text, never as markup, on the public pages,
feeds, sitemaps, citations, raw text, admin pages and API responses.

Each HTML page is parsed (html5lib, as a browser would) and checked twice: no
element or attribute the payloads would have created exists, and the payload is
still there, verbatim, in the page's text or attribute values (so it was not
silently dropped either)."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import html5lib
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.merging import undo_merge
from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleVersion,
    CandidatePerson,
    LinkState,
    MergeRecord,
    Outlet,
    Person,
    Quote,
)
from articles.text import content_hash
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "<b><i>unclosed",
    "</textarea></title></script>",
    "]]> &amp;",
    "{{x}}",
    "\u202eevil\u202c",
    "a\u200bb\u200dc\ufeff",
    "Z\u0336\u0337a",
    "🙂👩‍👩‍👧",
]
# One line of every payload: short enough for the 200-character name fields.
HOSTILE = " ".join(PAYLOADS)
assert len(HOSTILE) < 190
# A word to search for, next to the payload in the body.
NEEDLE = "xylophone"
BODY = (
    f"{NEEDLE} {HOSTILE}\n\n"
    f"The minister said {HOSTILE} at the talks.\n\n"
    f"Curators noted {HOSTILE} here."
)


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def assert_inert(html: str | bytes, *expected: str, where: str = ""):
    """Assert the HTML holds no markup the payloads would have made, and that
    each expected string is in its text or attribute values, verbatim."""
    if isinstance(html, bytes):
        html = html.decode()
    document = html5lib.parse(html, namespaceHTMLElements=False)
    titles = 0
    for element in document.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        text = "".join(element.itertext())
        if tag == "title":
            titles += 1
        if tag == "script" and "json" in element.get("type", ""):
            json.loads(text)  # data, whole: the payload did not close the element
        else:
            assert not (tag == "script" and "alert(" in text), "a payload <script>"
        assert not (tag == "img" and element.get("src") == "x"), "a payload <img>"
        assert not (tag in {"b", "i"} and text.startswith("unclosed")), "payload <b>"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{tag} has {name}={value!r}"
            assert not value.strip().lower().startswith("javascript:"), (
                f"{tag} {name}={value!r}"
            )
    assert titles <= 1, "the payload closed the <title> and opened another"
    pieces = [_collapsed("".join(document.itertext()))]
    pieces += [_collapsed(v) for e in document.iter() for v in e.attrib.values()]
    for wanted in expected:
        wanted = _collapsed(wanted)
        shown = any(wanted in piece for piece in pieces)
        assert shown, f"{where}: {wanted!r} not shown"


@pytest.fixture
def hostile(db):
    """An archive whose every curator- and importer-filled text is hostile."""
    outlet = OutletFactory(
        name=HOSTILE, slug="hostile-outlet", description=HOSTILE, homepage=""
    )
    person = PersonFactory(
        name=HOSTILE, slug="hostile-person", aliases=[HOSTILE], description=HOSTILE
    )
    speaker = PersonFactory(name=f"S {HOSTILE}", slug="hostile-speaker")
    topic = TopicFactory(
        name=HOSTILE, slug="hostile-topic", description=HOSTILE, keywords=[HOSTILE]
    )
    article = ArticleFactory(
        outlet=outlet,
        title=HOSTILE,
        slug="hostile-article",
        lead=HOSTILE,
        body=BODY,
        dateline=HOSTILE,
        notes=f"internal notes {HOSTILE}",
        raw_text=f"raw {HOSTILE}\x01\x7f",
        url="https://example.org/hostile",
    )
    ArticlePersonFactory(article=article, person=person, role="author")
    ArticlePersonFactory(article=article, person=speaker, role="mentioned")
    ArticleTopicFactory(article=article, topic=topic)
    second = BODY.index(HOSTILE, BODY.index("minister"))
    quote = QuoteFactory(
        article=article,
        speaker=speaker,
        text=HOSTILE,
        start=second,
        end=second + len(HOSTILE),
    )
    third = BODY.rindex(HOSTILE)
    public = AnnotationFactory(
        article=article,
        note=f"public note {HOSTILE}",
        start=third,
        end=third + len(HOSTILE),
    )
    internal = AnnotationFactory(
        article=article,
        note=f"internal note {HOSTILE}",
        visibility=Annotation.Visibility.INTERNAL,
    )
    ArticleVersion.objects.create(
        article=article,
        captured_at=dt.datetime(2020, 1, 2, tzinfo=dt.UTC),
        title=f"old {HOSTILE}",
        body=f"old body {HOSTILE}",
        content_hash=content_hash(f"old body {HOSTILE}"),
    )
    CandidatePerson.objects.create(
        article=article, name=f"C {HOSTILE}", context=HOSTILE
    )
    withdrawn = ArticleFactory(
        outlet=outlet,
        title=f"withdrawn {HOSTILE}",
        slug="hostile-withdrawn",
        status=Article.Status.WITHDRAWN,
        withdrawal_reason=f"reason {HOSTILE}",
    )
    return {
        "article": article,
        "outlet": outlet,
        "person": person,
        "speaker": speaker,
        "topic": topic,
        "quote": quote,
        "public": public,
        "internal": internal,
        "withdrawn": withdrawn,
    }


# Public pages -----------------------------------------------------------------


def public_pages(h):
    article = h["article"]
    return [
        ("/", [HOSTILE]),
        ("/articles/", [HOSTILE]),
        (f"/articles/?q={NEEDLE}", [HOSTILE, "<script>alert(1)</script>"]),
        (article.get_absolute_url(), [HOSTILE, f"public note {HOSTILE}"]),
        (h["outlet"].get_absolute_url(), [HOSTILE]),
        (h["person"].get_absolute_url(), [HOSTILE]),
        (h["speaker"].get_absolute_url(), [f"S {HOSTILE}", HOSTILE]),
        (h["topic"].get_absolute_url(), [HOSTILE]),
        ("/outlets/", [HOSTILE]),
        ("/people/", [HOSTILE]),
        ("/topics/", [HOSTILE]),
        ("/quotes/", [HOSTILE, f"S {HOSTILE}"]),
    ]


def test_public_pages_show_hostile_text_as_text(client, hostile):
    for url, expected in public_pages(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        assert_inert(response.content, *expected)


def test_article_page_marks_quotes_and_notes_around_escaped_text(client, hostile):
    response = client.get(hostile["article"].get_absolute_url())
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    marks = document.findall(".//mark")
    assert {m.get("class") for m in marks} == {"mark-quote", "mark-annotation"}
    for mark in marks:
        assert _collapsed("".join(mark.itertext())) == _collapsed(HOSTILE)
    speaker_mark = next(m for m in marks if m.get("class") == "mark-quote")
    assert speaker_mark.get("title") == f"S {HOSTILE}"
    dateline = document.find(".//span[@class='dateline']")
    assert "".join(dateline.itertext()) == HOSTILE
    assert_inert(response.content, f"old body {HOSTILE}")


def test_internal_notes_stay_internal_even_when_hostile(client, hostile):
    page = client.get(hostile["article"].get_absolute_url()).content.decode()
    assert "internal note" not in page and "internal notes" not in page


def test_withdrawn_notice_shows_the_hostile_reason_as_text(client, hostile):
    response = client.get(f"/articles/undated/{hostile['withdrawn'].slug}/")
    assert response.status_code == 410
    assert_inert(response.content, f"reason {HOSTILE}", f"withdrawn {HOSTILE}")


@pytest.mark.parametrize(
    "url",
    ["/articles/?q={}", "/quotes/?q={}", "/people/?q={}", "/outlets/?q={}"],
)
def test_a_hostile_query_is_echoed_as_text(client, hostile, url):
    response = client.get(url.format(quote(HOSTILE)))
    assert response.status_code in {200, 400}
    assert_inert(response.content, HOSTILE)


@pytest.mark.parametrize(
    "url", ["/quotes/?q={}", "/quotes/?speaker={}", "/people/?q={}", "/topics/?q={}"]
)
def test_a_query_with_control_characters_is_answered(client, hostile, url):
    response = client.get(url.format(quote("S\x00 <script>\x01")))
    assert response.status_code == 200
    assert_inert(response.content)


def test_search_snippets_escape_the_text_between_their_marks(client, hostile):
    response = client.get(f"/articles/?q={NEEDLE}")
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    (snippet,) = document.findall(".//p[@class='snippet']")
    assert [m.text for m in snippet.findall("mark")] == [NEEDLE]
    assert [child.tag for child in snippet] == ["mark"]
    # Nothing that looks like a tag is dropped: the passage is the text as it
    # stands, around the needle.
    shown = _collapsed("".join(snippet.itertext())).strip("… ")
    article = Article.objects.get(body__contains=NEEDLE)
    assert shown in _collapsed(f"{article.lead}\n\n{article.body}")
    assert f"{NEEDLE} {_collapsed(HOSTILE)[:60]}" in shown


def test_snippet_sentinels_in_the_body_do_not_become_marks(client, db):
    ArticleFactory(body=f"{NEEDLE} \x02stray\x03 words", slug="sentinels")
    response = client.get(f"/articles/?q={NEEDLE}")
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    (snippet,) = document.findall(".//p[@class='snippet']")
    assert [m.text for m in snippet.findall("mark")] == [NEEDLE]


# Feeds and sitemaps -------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_urls(h):
    urls = ["/feeds/latest/", f"/articles/feed/?q={NEEDLE}"]
    for name in ("outlet", "person", "topic"):
        urls.append(h[name].get_absolute_url() + "feed/")
    return urls + [url.replace("feed/", "feed/rss/") for url in urls]


def _feed_entries(root):
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            yield (
                entry.find(f"{ATOM}title").text,
                entry.find(f"{ATOM}summary"),
            )
    else:
        for item in root.iter("item"):
            yield item.find("title").text, item.find("description")


def test_feeds_are_valid_xml_with_hostile_text_as_text(client, hostile):
    for url in feed_urls(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)
        entries = list(_feed_entries(root))
        assert entries, url
        for title, summary in entries:
            assert title == HOSTILE
            # Summaries and descriptions are HTML to a feed reader: the reader
            # must get the lead escaped, so it shows it as text.
            assert summary is not None
            if summary.get("type") is not None:
                assert summary.get("type") == "html"
            assert_inert(summary.text, HOSTILE)


def test_a_hostile_search_feed_title_is_xml_text(client, hostile):
    response = client.get(f"/articles/feed/?q={quote('<script>&]]>')}")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f"{ATOM}title").text == "News archive: “<script>&]]>”"


def test_feeds_survive_control_characters_in_stored_text(client, hostile):
    """Text stored before the model refused control characters (or written
    around it) must not break the XML: they are dropped from the feed."""
    Article.objects.filter(pk=hostile["article"].pk).update(
        title=f"bell\x07{HOSTILE}", lead="form\x0cfeed"
    )
    Outlet.objects.filter(pk=hostile["outlet"].pk).update(name=f"out\x01{HOSTILE}")
    for url in ["/feeds/latest/", "/feeds/latest/rss/"]:
        response = client.get(url)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        titles = [title for title, _ in _feed_entries(root)]
        assert f"bell{HOSTILE}" in titles


def test_sitemaps_are_valid_xml(client, hostile):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    sections = [loc.text for loc in index.iter(f"{namespace}loc")]
    assert len(sections) == 4
    found = []
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        root = ET.fromstring(response.content)
        found += [loc.text for loc in root.iter(f"{namespace}loc")]
    assert f"http://testserver{hostile['article'].get_absolute_url()}" in found
    assert all("<" not in url and '"' not in url for url in found)


# Citations and raw text ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["apa", "mla", "chicago", "bibtex", "ris", "csljson"])
def test_citations_are_never_served_as_html(client, hostile, fmt):
    url = hostile["article"].url_for("article-citation", fmt=fmt)
    response = client.get(url)
    assert response.status_code == 200
    content_type = response["Content-Type"]
    assert "html" not in content_type and "xml" not in content_type
    assert content_type.endswith("charset=utf-8")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    if fmt == "csljson":
        (item,) = json.loads(text)
        assert item["title"] == HOSTILE
        assert item["container-title"] == HOSTILE
    elif fmt == "bibtex":
        assert "<script>alert(1)</script>" in text
        assert text.count("{") == text.count("}")
    else:
        assert "<script>alert(1)</script>" in text


def test_raw_text_is_plain_text_exactly_as_received(client, hostile):
    response = client.get(hostile["article"].url_for("article-raw"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode() == hostile["article"].raw_text


# API ------------------------------------------------------------------------------


def api_urls(h):
    return [
        "/api/v1/articles/",
        f"/api/v1/articles/{h['article'].pk}/",
        "/api/v1/outlets/",
        f"/api/v1/outlets/{h['outlet'].slug}/",
        "/api/v1/people/",
        f"/api/v1/people/{h['person'].slug}/",
        "/api/v1/topics/",
        f"/api/v1/topics/{h['topic'].slug}/",
        "/api/v1/quotes/",
        "/api/v1/annotations/",
    ]


def test_api_returns_hostile_text_as_json_strings(client, hostile):
    for url in api_urls(hostile):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json"), url
        data = response.json()
        strings = json.dumps(data, ensure_ascii=False)
        assert json.dumps(HOSTILE, ensure_ascii=False)[1:-1] in strings, url
        assert "internal note" not in strings, url


def test_not_found_pages_echo_a_hostile_path_only_as_json_or_not_at_all(client, db):
    path = quote(PAYLOADS[0])
    api = client.get(f"/api/v1/{path}/")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert PAYLOADS[0] in api.json()["error"]["message"]
    page = client.get(f"/no-such-page/{path}/")
    assert page.status_code == 404
    assert_inert(page.content, "Not found")


def test_exports_keep_hostile_text_and_defuse_spreadsheet_formulas(client, hostile):
    import csv
    import io

    ArticleFactory(
        outlet=hostile["outlet"],
        title='=HYPERLINK("https://evil.example","click")',
        slug="formula",
    )
    response = client.get("/api/v1/articles/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = {row["title"] for row in rows}
    assert HOSTILE in titles
    assert '\'=HYPERLINK("https://evil.example","click")' in titles
    assert {row["outlet.name"] for row in rows} == {HOSTILE}
    response = client.get("/api/v1/articles/export/?format=jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    titles = {json.loads(line)["title"] for line in lines}
    assert titles == {HOSTILE, '=HYPERLINK("https://evil.example","click")'}


@pytest.mark.parametrize("signed_in", [False, True])
def test_browsable_api_shows_hostile_text_as_text(client, curator, hostile, signed_in):
    # Signed in, the pages also hold forms filled with the records' values.
    if signed_in:
        client.force_login(curator)
    for url in api_urls(hostile):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url
        # The browsable API shows the JSON itself, with the payload in it.
        assert_inert(response.content, json.dumps(HOSTILE, ensure_ascii=False)[1:-1])


# Admin ----------------------------------------------------------------------------


def admin_pages(h):
    article = h["article"]
    pages = []
    for model, obj in [
        ("article", article),
        ("outlet", h["outlet"]),
        ("person", h["person"]),
        ("topic", h["topic"]),
        ("quote", h["quote"]),
        ("annotation", h["internal"]),
        ("candidateperson", CandidatePerson.objects.get()),
    ]:
        pages += [
            reverse(f"admin:articles_{model}_changelist"),
            reverse(f"admin:articles_{model}_change", args=[obj.pk]),
        ]
        if model != "candidateperson":
            pages.append(reverse(f"admin:articles_{model}_history", args=[obj.pk]))
    pages += [
        reverse(f"admin:articles_{model}_changelist") + "?state__exact=suggested"
        for model in ("articleperson", "articletopic")
    ]
    pages += [
        reverse("admin:articles_article_changelist") + f"?q={quote(PAYLOADS[0])}",
        reverse("admin:articles_article_change", args=[h["withdrawn"].pk]),
    ]
    return pages


def test_admin_pages_show_hostile_text_as_text(client, superuser, hostile):
    ArticlePerson.objects.filter(person=hostile["speaker"]).update(
        state=LinkState.SUGGESTED
    )
    ArticleTopicFactory(
        article=hostile["withdrawn"], topic=hostile["topic"], state=LinkState.SUGGESTED
    )
    client.force_login(superuser)
    for url in admin_pages(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, HOSTILE, where=url)
    # The index lists the review queue and recent actions, named by the objects.
    LogEntry.objects.log_actions(
        superuser.pk, [hostile["article"], hostile["person"]], CHANGE, change_message=""
    )
    assert_inert(client.get(reverse("admin:index")).content, HOSTILE)


def test_admin_merge_pages_show_hostile_names_as_text(client, superuser, hostile):
    client.force_login(superuser)
    people = [hostile["person"], hostile["speaker"]]
    data = {"action": "merge_two", "_selected_action": [p.pk for p in people]}
    changelist = reverse("admin:articles_person_changelist")
    response = client.post(changelist, data)
    assert response.status_code == 200
    assert_inert(response.content, HOSTILE, f"S {HOSTILE}")
    client.post(changelist, {**data, "post": "yes", "survivor": people[0].pk})
    record = MergeRecord.objects.get()
    for url in [
        reverse("admin:articles_mergerecord_changelist"),
        reverse("admin:articles_mergerecord_change", args=[record.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, f"S {HOSTILE}", where=url)
    undo_merge(record=record)
    assert set(Person.objects.values_list("name", flat=True)) == {
        HOSTILE,
        f"S {HOSTILE}",
    }


def test_admin_history_diffs_show_hostile_edits_as_text(client, superuser, hostile):
    client.force_login(superuser)
    article = hostile["article"]
    article.refresh_from_db()
    article.title = f"edited {HOSTILE}"
    article.full_clean()
    article.save()
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert_inert(response.content, f"edited {HOSTILE}")
    for record in article.history.all():
        url = reverse(
            "admin:articles_article_simple_history",
            args=[article.pk, record.history_id],
        )
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, HOSTILE, where=url)


HOSTILE_PAGE = f"""<!doctype html>
<html lang="en"><head>
<title>{HOSTILE} | Hostile Daily</title>
<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt; og">
<meta property="og:site_name" content="Hostile &lt;svg onload=alert(1)&gt; Daily">
<meta property="og:url" content="javascript:alert(1)">
<link rel="canonical" href="javascript:alert(1)">
<meta name="author" content="Ann &lt;img src=x onerror=alert(1)&gt; Writer">
<meta property="article:published_time" content="2024-03-01T10:00:00Z">
<script>alert("page script")</script>
</head><body onload="alert(1)">
<article>
<h1>&lt;script&gt;alert(1)&lt;/script&gt; headline</h1>
<p class="dateline">MOSCOW</p>
<p>First paragraph with &lt;b&gt;&lt;i&gt;unclosed escaped markup and a
<a href="javascript:alert(1)">javascript link</a> and
<img src=x onerror="alert(1)"> an image, \u202eevil\u202c zero\u200bwidth.</p>
<p>Second paragraph: <script>alert(2)</script> ]]&gt; &amp; done
<svg onload="alert(3)"><circle r="1"/></svg> and more words to make it long
enough to count as an article body for the importer's readability check.</p>
<p>Third paragraph of ordinary words so the article has a body of some length,
with {{{{x}}}} left as it was written.</p>
</article>
</body></html>
"""


def test_a_hostile_html_page_imports_as_text(client, superuser, hostile):
    client.force_login(superuser)
    upload = SimpleUploadedFile("hostile.html", HOSTILE_PAGE.encode(), "text/html")
    # An empty file is rejected: the report names it, hostile name and all.
    named = SimpleUploadedFile(f"{PAYLOADS[1]}.txt", b"")
    response = client.post(
        reverse("admin:articles_article_import"),
        {
            "files": [upload, named],
            "status": "published",
            "outlet": hostile["outlet"].pk,
        },
    )
    assert response.status_code == 200
    assert "1 imported" in response.content.decode()
    assert_inert(response.content, f"{PAYLOADS[1]}.txt", "The file is empty")
    article = Article.objects.exclude(
        pk__in=[hostile["article"].pk, hostile["withdrawn"].pk]
    ).get()
    # Text inside the page's own script and svg elements is not article text.
    assert "alert(2)" not in article.body and "page script" not in article.body
    assert "<b><i>unclosed escaped markup" in article.body
    assert "<script>alert(1)</script>" in article.title
    assert not article.url.startswith("javascript:")
    assert_inert(response.content, article.title)
    for url in [
        article.get_absolute_url(),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content, article.title)
    raw = client.get(article.url_for("article-raw"))
    assert raw["Content-Type"] == "text/plain; charset=utf-8"
    assert raw.content.decode() == HOSTILE_PAGE


# What the model and form layers refuse --------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_javascript_and_data_urls_are_refused(db, url):
    article = ArticleFactory.build(outlet=OutletFactory(), url=url)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "url" in error.value.message_dict
    outlet = Outlet(name="Scheme test", slug="scheme-test", homepage=url)
    with pytest.raises(ValidationError) as error:
        outlet.full_clean()
    assert "homepage" in error.value.message_dict


def test_admin_form_refuses_a_javascript_homepage(client, superuser, hostile):
    client.force_login(superuser)
    outlet = hostile["outlet"]
    response = client.post(
        reverse("admin:articles_outlet_change", args=[outlet.pk]),
        {
            "name": "Renamed",
            "slug": outlet.slug,
            "homepage": "javascript:alert(1)",
            "domains": "[]",
            "language": "en",
            "ownership": outlet.ownership,
            "country": "RU",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    outlet.refresh_from_db()
    assert outlet.homepage == "" and outlet.name == HOSTILE


@pytest.mark.parametrize(
    "model, field",
    [
        (Article, "title"),
        (Article, "lead"),
        (Article, "body"),
        (Article, "dateline"),
        (Article, "notes"),
        (Outlet, "name"),
        (Person, "name"),
        (Quote, "text"),
        (Annotation, "note"),
    ],
)
def test_control_characters_are_refused_with_a_clear_message(hostile, model, field):
    obj = {
        Article: hostile["article"],
        Outlet: hostile["outlet"],
        Person: hostile["person"],
        Quote: hostile["quote"],
        Annotation: hostile["public"],
    }[model]
    obj.refresh_from_db()
    setattr(obj, field, f"bell\x07 {getattr(obj, field)}")
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert "control character" in " ".join(error.value.message_dict[field])


def test_tabs_and_line_breaks_are_not_control_characters(hostile):
    article = hostile["article"]
    article.refresh_from_db()
    article.lead = "one\ttwo\nthree\r\nfour"
    article.full_clean()


def test_the_importer_drops_control_characters(curator_client, db):
    record = {
        "title": "Bell\x07 and NUL\x00 in a title",
        "url": "https://example.org/controls",
        "outlet": "Control Daily",
        "published_at": "2023-09-01T08:00:00Z",
        "lead": "A lead\x1b[31m in red",
        "body": "Body text\x0c with a form feed and \x02stray\x03 sentinels.",
        "authors": ["Ann\x08 Writer"],
    }
    upload = SimpleUploadedFile(
        "controls.jsonl", json.dumps(record).encode(), "application/json"
    )
    response = curator_client.post(
        reverse("admin:articles_article_import"), {"files": [upload], "status": "draft"}
    )
    assert "1 imported" in response.content.decode()
    article = Article.objects.get()
    assert article.title == "Bell and NUL in a title"
    assert article.lead == "A lead[31m in red"
    assert article.body == "Body text with a form feed and stray sentinels."


@pytest.mark.parametrize(
    "change, field",
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"title": "bell\x07 title"}, "title"),
        ({"body": "NUL\x00 in the body"}, "body"),
    ],
)
def test_the_api_refuses_javascript_urls_and_control_characters(
    curator, db, change, field
):
    from rest_framework.test import APIClient

    OutletFactory(slug="tass", name="TASS")
    client = APIClient()
    client.force_authenticate(curator)
    record = {
        "title": "Ministers meet",
        "outlet": "tass",
        "language": "en",
        "body": "The ministers met.",
        **change,
    }
    response = client.post("/api/v1/articles/", record, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Article.objects.exists()


def test_a_stored_javascript_url_is_never_a_link(client, hostile):
    """Validation refuses such URLs; rows written around it (a raw update, an
    old import) still never become a javascript: link."""
    Article.objects.filter(pk=hostile["article"].pk).update(url="javascript:alert(1)")
    Outlet.objects.filter(pk=hostile["outlet"].pk).update(
        homepage="JavaScript:alert(1)"
    )
    for url in [hostile["article"].get_absolute_url(), "/outlets/hostile-outlet/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert_inert(response.content, HOSTILE, where=url)


WORDS = (
    "The ministers met in the capital on Monday to discuss the grain corridor, "
    "the exchange of prisoners and the reopening of the consulates, and agreed "
    "to meet again next month. "
)


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "controls.html",
            "<html><head><title>Bell\x07 title\x01</title></head><body><article>"
            f"<h1>Bell\x07 title\x01</h1><p>Body\x0b text\x1b says: {WORDS * 3}</p>"
            f"<p>{WORDS * 3}</p><p>{WORDS * 3}</p></article></body></html>",
        ),
        (
            "controls.txt",
            f"Bell\x07 title\x01\n\nBody\x0b text\x1b says: {WORDS * 3}\n\n"
            f"{WORDS * 3}\n",
        ),
    ],
)
def test_html_and_text_imports_drop_control_characters(
    curator_client, db, name, content
):
    OutletFactory(name="Control Daily", slug="control-daily")
    upload = SimpleUploadedFile(name, content.encode())
    response = curator_client.post(
        reverse("admin:articles_article_import"),
        {
            "files": [upload],
            "status": "draft",
            "outlet": Outlet.objects.get().pk,
        },
    )
    assert "1 imported" in response.content.decode(), response.content.decode()
    article = Article.objects.get()
    assert article.title == "Bell title"
    assert article.body.startswith("Body text says: The ministers")


def test_a_withdrawal_reason_with_a_control_character_is_refused(
    client, superuser, hostile
):
    from articles import workflow

    message = workflow.refusal(
        superuser, Article.Status.PUBLISHED, Article.Status.WITHDRAWN, reason="Bell\x07"
    )
    assert "U+0007" in message
    assert (
        workflow.refusal(
            superuser,
            Article.Status.PUBLISHED,
            Article.Status.WITHDRAWN,
            reason=f"reason {HOSTILE}",
        )
        is None
    )
