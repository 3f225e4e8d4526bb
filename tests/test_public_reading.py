"""How the public pages read: the header's search box on every page, what an
empty or refused list says, and the article page (lead once, quotes marked once,
later versions announced, JSON-LD for machines)."""

import datetime as dt
import json
import re
from html import unescape

import html5lib
import pytest
from django.template import Context, Template
from django.utils import timezone
from django.utils.html import json_script

from articles.models import ArticleVersion
from articles.text import lead_is_repeated
from tests.factories import (
    ArticleFactory,
    ArticlePersonFactory,
    ArticleTopicFactory,
    OutletFactory,
    PersonFactory,
    QuoteFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def header_search(response) -> tuple[str, list[tuple[str, str]], str]:
    """Return the header search form's action, hidden inputs and label."""
    html = response.content.decode()
    form = re.search(r'<form class="site-search".*?</form>', html, re.S)
    assert form, "no search box in the header"
    form = form.group(0)
    action = unescape(re.search(r'action="([^"]*)"', form).group(1))
    hidden = [
        (unescape(name), unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form
        )
    ]
    label = unescape(re.search(r'<label for="site-q"[^>]*>([^<]*)</label>', form)[1])
    return action, hidden, label


@pytest.fixture
def tass():
    outlet = OutletFactory(name="TASS", slug="tass", country="RU")
    ArticleFactory(
        title="Lavrov on Idlib",
        outlet=outlet,
        published_at=dt.datetime(2020, 2, 15, tzinfo=dt.UTC),
    )
    return outlet


# The header's search box ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/outlets/", "/people/", "/topics/", "/quotes/", "/search/help/"]
)
def test_header_searches_the_whole_archive_from_pages_without_filters(
    client, tass, path
):
    response = client.get(path)
    assert response.status_code == 200
    assert header_search(response) == ("/articles/", [], "Search all articles")


def test_header_search_on_an_article_and_a_missing_page_searches_everything(
    client, tass
):
    article = tass.articles.get()
    assert header_search(client.get(article.get_absolute_url()))[:2] == (
        "/articles/",
        [],
    )
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert header_search(missing)[:2] == ("/articles/", [])


def test_header_search_on_the_list_keeps_its_filters_but_not_words_or_page(
    client, tass
):
    # A topic the public may see: on a published article.
    ArticleTopicFactory(topic=TopicFactory(slug="syria"))
    response = client.get(
        "/articles/?q=Idlib&outlet=tass&topic=syria&language=&sort=newest&page=1"
    )
    assert response.status_code == 200
    action, hidden, label = header_search(response)
    assert action == "/articles/"
    assert hidden == [("outlet", "tass"), ("topic", "syria"), ("sort", "newest")]
    assert label == "Search within these filters"


def test_header_search_on_an_entity_page_searches_within_the_entity(client, tass):
    response = client.get("/outlets/tass/?language=en")
    action, hidden, label = header_search(response)
    assert (action, hidden) == ("/outlets/tass/", [("language", "en")])
    assert label == "Search TASS within these filters"
    person = PersonFactory(name="Sergey Lavrov", slug="sergey-lavrov")
    ArticlePersonFactory(person=person)  # named in a published article
    response = client.get(person.get_absolute_url())
    assert header_search(response) == (
        "/people/sergey-lavrov/",
        [],
        "Search articles on Sergey Lavrov",
    )


def test_header_search_on_a_refused_question_drops_its_filters(client, tass):
    response = client.get("/outlets/tass/?date_from=not-a-date&language=en")
    assert response.status_code == 400
    assert header_search(response) == ("/articles/", [], "Search all articles")


def test_a_hostile_filter_value_is_never_echoed_raw(client, tass):
    response = client.get('/articles/?q=x&date_from=2020-01-01&outlet=tass"><b>')
    html = response.content.decode()
    assert '"><b>' not in html
    assert response.status_code == 400  # an unknown outlet: refused, not echoed raw


# Empty and refused lists -------------------------------------------------------


def test_an_empty_search_says_no_articles_match_and_offers_to_ask_less(client, tass):
    response = client.get("/articles/?q=zeppelin&outlet=tass")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No published articles yet" not in html
    assert "No articles match “zeppelin” with filters applied." in html
    assert 'href="/articles/?q=zeppelin"' in html  # without the filters
    assert 'href="/articles/?outlet=tass"' in html  # without the words


def test_an_empty_search_on_an_entity_page_offers_the_whole_archive(client, tass):
    response = client.get("/outlets/tass/?q=zeppelin")
    html = response.content.decode()
    assert "No articles match “zeppelin” in TASS." in html
    assert 'href="/articles/?q=zeppelin"' in html


def test_an_empty_archive_says_so_only_when_nothing_was_asked(client):
    response = client.get("/articles/")
    html = response.content.decode()
    assert "No published articles yet." in html
    assert "No articles match" not in html


def test_a_refused_question_offers_no_feeds_and_no_results(client, tass):
    for path in (
        "/articles/?date_from=not-a-date",
        "/outlets/tass/?date_from=not-a-date",
    ):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 400
        assert "could not be used" in html
        assert 'rel="alternate"' not in html, path
        assert "Follow" not in html, path
        assert "/feed/" not in html.split('<footer class="site-footer">')[0], path
        assert "No published articles" not in html and "No articles match" not in html


def test_a_valid_question_still_offers_its_feeds(client, tass):
    html = client.get("/outlets/tass/?q=Idlib").content.decode()
    assert 'rel="alternate" type="application/atom+xml" title="TASS (Atom)"' in html
    assert "Follow TASS:" in html
    html = client.get("/articles/?q=Idlib").content.decode()
    assert 'title="These results (Atom)"' in html


# The article page reads once ---------------------------------------------------

OPENING = "Lavrov said on Monday that Moscow sees Ankara as a partner, not an ally."
SECOND = "“We have never considered Turkey our ally,” he told reporters in Moscow."
LATER = "The remarks followed talks on Nagorno-Karabakh."


@pytest.mark.parametrize(
    ("lead", "repeated"),
    [
        (OPENING, True),  # the first paragraph, word for word
        (f"{OPENING} {SECOND}", True),  # the first two, run together
        # a clause moved, punctuation and case changed: still the same words
        (
            "Lavrov said on Monday that Moscow sees Ankara as a partner, not an "
            "ally. “WE HAVE NEVER CONSIDERED TURKEY OUR ALLY,” he told reporters.",
            True,
        ),
        ("Moscow and Ankara left the crisis behind them, the minister said.", False),
        (f"{OPENING} Analysts doubt that the two will ever be allies again.", False),
        ("", False),
    ],
)
def test_a_lead_is_repeated_when_the_opening_paragraphs_already_say_it(lead, repeated):
    body = f"{OPENING}\n\n{SECOND}\n\n{LATER}"
    assert lead_is_repeated(lead, body) is repeated


def test_a_lead_the_body_repeats_is_shown_once_as_the_opening(client):
    article = ArticleFactory(lead=OPENING, body=f"{OPENING}\n\n{SECOND}")
    html = client.get(article.get_absolute_url()).content.decode()
    main = html.split('<main id="main">')[1].split("</main>")[0]
    assert main.count("sees Ankara as a partner") == 1
    assert '<p class="lead">' not in html
    assert 'id="p1" class="lead-paragraph"' in html


def test_a_lead_that_says_something_else_keeps_its_place(client):
    lead = "Moscow and Ankara left the crisis behind them, the minister said."
    article = ArticleFactory(lead=lead, body=f"{OPENING}\n\n{SECOND}")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<p class="lead">{lead}</p>' in html
    assert "lead-paragraph" not in html


def test_each_quote_is_marked_once_in_the_text_and_listed_by_its_opening(client):
    article = ArticleFactory(lead="", body=f"{OPENING}\n\n{SECOND}\n\n{LATER}")
    quote = QuoteFactory(
        article=article, text="We have never considered Turkey our ally,"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("We have never considered Turkey our ally,") == 1
    assert html.count(f'id="quote-{quote.pk}"') == 1
    mark = re.search(
        rf'<mark class="mark-quote" id="quote-{quote.pk}"[^>]*>([^<]*)', html
    )
    assert mark and mark[1] == "We have never considered Turkey our ally,"
    listed = re.search(rf'<li id="quote-{quote.pk}-listed">(.*?)</li>', html, re.S)[1]
    assert f'href="#quote-{quote.pk}"' in listed
    assert "¶2" in listed and "“We have never considered Turkey our…”" in listed
    assert f'href="#quote-{quote.pk}-listed"' in html  # from the mark to the list
    assert "<blockquote>" not in html


def test_a_quote_link_from_elsewhere_lands_on_the_words_in_the_text(client):
    quote = QuoteFactory(
        article=ArticleFactory(body=f"{OPENING}\n\n{SECOND}"),
        text="We have never considered Turkey our ally,",
    )
    html = client.get(quote.article.get_absolute_url()).content.decode()
    fragment = quote.get_absolute_url().split("#")[1]
    assert re.search(rf'<mark class="mark-quote" id="{fragment}"', html)


def test_later_versions_are_announced_beside_the_headline(client):
    article = ArticleFactory(body=f"{OPENING}\n\n{SECOND}")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "version-notice" not in html
    ArticleVersion.objects.create(
        article=article,
        captured_at=timezone.now(),
        title=article.title,
        body=f"{OPENING}\n\n{LATER}",
        content_hash="b" * 64,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    header = html.split("</header>")[1]  # the article's header, after the site's
    assert '<p class="version-notice">' in header
    assert 'href="#versions-heading"' in header
    assert "the later version" in header
    assert 'id="versions-heading"' in html


HOSTILE = {
    "headline": "</script><script>alert(1)</script> & <!-- \u2028 \u2029",
    "nested": ["<b>", "&amp;"],
}


def test_json_ld_filter_escapes_exactly_as_json_script():
    rendered = Template('{% load archive %}{{ data|json_ld:"ld" }}').render(
        Context({"data": HOSTILE})
    )
    ours = re.fullmatch(
        r'<script id="ld" type="application/ld\+json">(.*)</script>', rendered, re.S
    )[1]
    theirs = re.fullmatch(
        r'<script id="ld" type="application/json">(.*)</script>',
        json_script(HOSTILE, "ld"),
        re.S,
    )[1]
    assert ours == theirs
    assert "</script" not in ours and "<!--" not in ours
    assert json.loads(ours) == HOSTILE


def test_article_page_serves_json_ld_as_linked_data(client):
    article = ArticleFactory(title='Quotes "and" </script> tags')
    html = client.get(article.get_absolute_url()).content.decode()
    document = html5lib.parse(html, namespaceHTMLElements=False)
    scripts = [
        s for s in document.iter("script") if s.get("type") == "application/ld+json"
    ]
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == 'Quotes "and" </script> tags'
    assert 'type="application/json"' not in html


# Citations to read and copy ---------------------------------------------------------


def test_citations_are_text_on_the_page_with_downloads_kept(client, tass):
    article = tass.articles.get()
    html = client.get(article.get_absolute_url()).content.decode()
    apa = re.search(r'<p class="citation-text" id="cite-apa">(.*?)</p>', html, re.S)[1]
    assert apa.startswith("TASS. (2020, February 15). <i>Lavrov on Idlib</i>.")
    bibtex = r'<pre class="citation-text" id="cite-bibtex">% Encoding: UTF-8\n@article'
    assert re.search(bibtex, html)
    assert re.search(r'<pre class="citation-text" id="cite-ris">TY  - NEWS', html)
    for fmt in ("apa", "mla", "chicago", "bibtex", "ris", "csljson"):
        assert f'href="{article.get_absolute_url()}cite/{fmt}/" download' in html
        assert f'data-copy="cite-{fmt}"' in html
    # The copy buttons wait for the script, which comes from our own origin.
    assert html.count("copy-button") == 6 and html.count(" hidden>Copy</button>") == 6
    assert '<script src="/static/articles/cite.js" defer></script>' in html
