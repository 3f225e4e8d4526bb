"""The public archive: list filters, facets, search, feeds, sitemaps, citations,
indexes and quotes, and that nothing unpublished reaches any of them."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticleVersion, LinkState, Story
from articles.search import sync
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
LIST = "/articles/"


def page_titles(response) -> list[str]:
    return re.findall(
        r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def world():
    tass = OutletFactory(name="TASS", slug="tass", country="RU", language="en")
    duvar = OutletFactory(name="Duvar English", slug="duvar", country="TR")
    syria = TopicFactory(name="Syria", slug="syria")
    s400 = TopicFactory(name="S-400", slug="s-400")
    lavrov = PersonFactory(name="Sergey Lavrov", slug="lavrov", aliases=["Lavrov"])
    a = ArticleFactory(
        title="Lavrov on Idlib",
        outlet=tass,
        published_at=dt.datetime(2020, 2, 15, tzinfo=dt.UTC),
        body="Lavrov spoke about Idlib and the ceasefire in northwestern Syria.",
    )
    b = ArticleFactory(
        title="S-400 deliveries",
        outlet=duvar,
        language="tr",
        published_at=dt.datetime(2019, 7, 12, tzinfo=dt.UTC),
        body="Turkey received the first S-400 batteries despite warnings.",
    )
    c = ArticleFactory(
        title="Syria and the S-400",
        outlet=tass,
        published_at=dt.datetime(2021, 3, 1, tzinfo=dt.UTC),
        body="Both subjects came up at the ministers' talks in Moscow.",
    )
    ArticleTopicFactory(article=a, topic=syria)
    ArticleTopicFactory(article=b, topic=s400)
    ArticleTopicFactory(article=c, topic=syria)
    ArticleTopicFactory(article=c, topic=s400)
    ArticlePersonFactory(article=a, person=lavrov, role="quoted")
    ArticlePersonFactory(article=c, person=lavrov, role="mentioned")
    draft = ArticleFactory(title="Draft about Syria", outlet=tass, status="draft")
    ArticleTopicFactory(article=draft, topic=syria)
    ArticlePersonFactory(article=draft, person=lavrov, role="quoted")
    return {"a": a, "b": b, "c": c, "draft": draft}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"outlet": "tass"}, ["Syria and the S-400", "Lavrov on Idlib"]),
        (
            {"outlet": ["tass", "duvar"]},
            ["Syria and the S-400", "Lavrov on Idlib", "S-400 deliveries"],
        ),
        ({"topic": "syria"}, ["Syria and the S-400", "Lavrov on Idlib"]),
        ({"topic": ["syria", "s-400"]}, ["Syria and the S-400"]),
        ({"person": "lavrov"}, ["Syria and the S-400", "Lavrov on Idlib"]),
        ({"person": "lavrov", "role": "quoted"}, ["Lavrov on Idlib"]),
        ({"language": "tr"}, ["S-400 deliveries"]),
        ({"country": "TR"}, ["S-400 deliveries"]),
        ({"date_from": "2020-01-01", "date_to": "2020-12-31"}, ["Lavrov on Idlib"]),
        ({"date_to": "2020-02-15"}, ["Lavrov on Idlib", "S-400 deliveries"]),
        (
            {"sort": "oldest"},
            ["S-400 deliveries", "Lavrov on Idlib", "Syria and the S-400"],
        ),
        ({"q": "ceasefire"}, ["Lavrov on Idlib"]),
        ({"q": "S-400", "sort": "newest"}, ["Syria and the S-400", "S-400 deliveries"]),
    ],
)
def test_list_filters_and_sorts(client, world, params, expected):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert page_titles(response) == expected


@pytest.mark.parametrize(
    "params, field",
    [
        ({"outlet": "no-such-outlet"}, "outlet"),
        ({"topic": "nope"}, "topic"),
        ({"date_from": "2020-13-45"}, "date_from"),
        ({"role": "king"}, "role"),
        ({"sort": "relevance"}, "sort"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, world, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_search_results_show_highlighted_snippets(client, world):
    page = client.get(LIST, {"q": "ceasefire"}).content.decode()
    assert "<mark>ceasefire</mark>" in page


def test_facets_count_published_articles_and_add_filters(client, world):
    page = client.get(LIST, {"outlet": "tass"}).content.decode()
    facets = page[page.index('class="facets"') :]
    assert re.search(
        r'topic=syria" rel="nofollow">Syria</a> <span class="count">2</span>', facets
    )
    assert re.search(
        r'person=lavrov" rel="nofollow">Sergey Lavrov</a> <span class="count">2</span>',
        facets,
    )
    assert "outlet=tass&amp;topic=syria" in facets
    assert "date_from=2020-01-01&amp;date_to=2020-12-31" in facets
    assert "Draft" not in page


def test_list_queries_do_not_grow_with_the_page(client, world, settings):
    settings.ARCHIVE_PAGE_SIZE = 40

    def queries(params):
        # What the articles' commit would have applied to the index (the
        # test's transaction never commits), not counted as the page's.
        sync.catch_up()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, params).status_code == 200
        return len(captured)

    params = {"q": "talks", "topic": "syria", "outlet": "tass"}
    queries(params)  # the first search loads people's names once per process
    few = queries(params)
    for n in range(30):
        article = ArticleFactory(
            outlet=world["a"].outlet, body=f"More talks, number {n}."
        )
        ArticleTopicFactory(article=article, topic=world["a"].topic_links.get().topic)
    # The longer span is drawn by another unit, whose counts of everything
    # published are read once and kept (articles.workbench.kept).
    queries(params)
    # Not more than before (fewer when the longer span is summed by year).
    assert queries(params) <= few


def test_article_page_marks_quotes_and_public_notes_in_place(client):
    article = ArticleFactory(
        body="Opening words.\n\n“We agree on most issues,” Lavrov said."
    )
    quote = QuoteFactory(article=article, text="We agree on most issues,")
    note = AnnotationFactory(article=article, exact="Opening words", note="Context.")
    AnnotationFactory(article=article, exact="Lavrov said", visibility="internal")
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'title="{quote.speaker.name}">We agree on most issues,</mark>' in page
    assert f'href="#quote-{quote.pk}"' in page
    assert f'href="#annotation-{note.pk}"' in page
    assert page.count('class="mark-annotation"') == 1


def test_article_page_has_json_ld_and_open_graph(client):
    article = ArticleFactory(title='Quotes "and" </script> tags')
    page = client.get(article.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'id="news-article-jsonld"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert '<meta property="og:title"' in page


def test_article_page_lists_copies_related_coverage_and_versions(client):
    story = Story.objects.create()
    topic = TopicFactory()
    article = ArticleFactory(story=story, body="The original text of the report.")
    copy = ArticleFactory(story=story, outlet=OutletFactory(name="Reprinter"))
    hidden_copy = ArticleFactory(story=story, status="draft", title="Hidden copy")
    related = ArticleFactory(title="Related piece")
    for a in (article, related):
        ArticleTopicFactory(article=a, topic=topic)
    ArticleVersion.objects.create(
        article=article,
        captured_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        title=article.title,
        body="The revised text of the report.",
        content_hash="x" * 64,
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert copy.title in page and "Related piece" in page
    assert hidden_copy.title not in page
    assert "<del>original</del>" in page and "<ins>revised</ins>" in page


@pytest.mark.parametrize("fmt", ["apa", "mla", "chicago", "bibtex", "ris", "csljson"])
def test_citations_download(client, fmt):
    article = ArticleFactory(slug="talks")
    response = client.get(article.url_for("article-citation", fmt=fmt))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert article.title.split()[0] in response.content.decode()


def test_unknown_citation_format_is_404(client):
    article = ArticleFactory()
    assert (
        client.get(article.url_for("article-citation", fmt="word")).status_code == 404
    )


def test_raw_text_is_served_as_plain_text(client):
    article = ArticleFactory(raw_text="<script>alert(1)</script> raw")
    response = client.get(article.url_for("article-raw"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "<script>alert(1)</script> raw"


@pytest.mark.parametrize("status", ["draft", "review", "withdrawn"])
def test_unpublished_articles_leak_nowhere(client, world, status):
    hidden = world["draft"]
    Article.objects.filter(pk=hidden.pk).update(status=status)
    urls = [
        LIST,
        f"{LIST}?q=Draft",
        f"{LIST}?topic=syria",
        "/outlets/",
        "/outlets/tass/",
        "/people/",
        "/people/lavrov/",
        "/topics/syria/",
        "/quotes/",
        "/feeds/latest/",
        "/feeds/latest/rss/",
        "/outlets/tass/feed/",
        "/people/lavrov/feed/",
        "/topics/syria/feed/",
        "/articles/feed/?q=Draft",
        "/sitemap-articles.xml",
        hidden.url_for("article-raw"),
        hidden.url_for("article-citation", fmt="apa"),
    ]
    for url in urls:
        response = client.get(url)
        assert "Draft about Syria" not in response.content.decode(), url
        assert hidden.slug not in response.content.decode(), url


def test_index_counts_only_published_articles(client, world):
    page = client.get("/topics/").content.decode()
    assert re.search(r">Syria</a>.*?<td class=\"number\">2</td>", page, re.S)


def test_index_finds_names_with_typos_on_postgresql(client, world):
    response = client.get(
        "/people/", {"q": "Lavorv" if connection.vendor == "postgresql" else "Lavrov"}
    )
    assert "Sergey Lavrov" in response.content.decode()


def test_quotes_are_searchable_by_words_and_speaker(client):
    quote = QuoteFactory(text="We had a useful exchange,")
    QuoteFactory(article=ArticleFactory(status="draft"), speaker=quote.speaker)
    page = client.get(
        "/quotes/", {"q": "useful", "speaker": quote.speaker.name}
    ).content.decode()
    assert page.count('class="quote"') == 1


def test_person_page_lists_quotes_and_a_timeline(client):
    quote = QuoteFactory()
    ArticlePersonFactory(article=quote.article, person=quote.speaker, role="quoted")
    page = client.get(quote.speaker.get_absolute_url()).content.decode()
    assert "We had a useful exchange," in page
    assert quote.article.title in page


def test_feeds_are_valid_xml_with_published_articles(client, world):
    from xml.etree import ElementTree

    for url in [
        "/feeds/latest/",
        "/feeds/latest/rss/",
        "/topics/syria/feed/",
        "/topics/syria/feed/rss/",
        "/outlets/tass/feed/rss/",
        "/people/lavrov/feed/rss/",
        "/articles/feed/?q=S-400",
        "/articles/feed/rss/?q=S-400",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ElementTree.fromstring(response.content)
        assert root.tag in {"{http://www.w3.org/2005/Atom}feed", "rss"}


@pytest.mark.parametrize(
    ("params", "name"),
    [({"outlet": "nope"}, "outlet"), ({"outlett": "tass"}, "outlett")],
)
def test_invalid_search_feed_is_400_naming_the_parameter(client, params, name):
    response = client.get("/articles/feed/", params)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{name}: ")


def test_sitemap_and_robots(client, world):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-articles.xml" in index
    articles = client.get("/sitemap-articles.xml").content.decode()
    assert world["a"].get_absolute_url() in articles
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def test_search_help_page(client):
    assert '"strategic ally"' in client.get("/search/help/").content.decode()


def test_suggested_links_are_not_public(client):
    article = ArticleFactory()
    ArticleTopicFactory(
        article=article,
        topic=TopicFactory(name="Guessed topic"),
        state=LinkState.SUGGESTED,
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Guessed topic" not in page
    assert "Guessed topic" not in client.get(LIST).content.decode()


def test_empty_form_fields_mean_any(client, world):
    response = client.get(
        LIST, {"q": "S-400", "language": "", "country": "", "date_from": "", "sort": ""}
    )
    assert response.status_code == 200
    assert len(page_titles(response)) == 2


def test_related_coverage_shows_only_published_articles_sharing_a_confirmed_topic(
    client,
):
    topic = TopicFactory()
    article = ArticleFactory()
    shown = ArticleFactory(title="Shares the topic")
    draft = ArticleFactory(title="Draft sharing the topic", status="draft")
    suggested = ArticleFactory(title="Only suggested for the topic")
    for a in (article, shown, draft):
        ArticleTopicFactory(article=a, topic=topic)
    ArticleTopicFactory(article=suggested, topic=topic, state="suggested")
    ArticleTopicFactory(article=ArticleFactory(title="Another topic entirely"))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Shares the topic" in page
    for title in (draft.title, suggested.title, "Another topic entirely"):
        assert title not in page
