"""What a search finds: the web-search syntax, people's other spellings,
language-aware matching, ranking, orders, counts, facets and snippets, all
through the one door (articles.search), the same on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from articles import search
from articles.models import Article
from articles.search import Question, parse
from articles.search.snippets import snippet
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


def found(q: str, **question) -> list[str]:
    """The titles a search finds, sorted."""
    hits = search.find(Question(text=parse(q), **question), order="relevance")
    return sorted(a.title for a in hits.articles)


def at(year, month=1, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def corpus():
    ArticleFactory(
        title="Erdoğan meets Putin in Sochi",
        body="The presidents discussed the S-400 missile defense system and gas.",
    )
    ArticleFactory(
        title="Lavrov on Nagorno-Karabakh",
        body="Lavrov said Russia never considered Turkey a strategic ally.",
    )
    ArticleFactory(
        title="Trade figures",
        body="Trade between Russia and Turkey reached 62 billion; NATO reacted.",
    )


def test_the_query_reads_web_search_syntax():
    text = parse('"strategic ally" Lavrov or Putin -NATO', names=NoNames())
    assert text.groups == ((("strategic ally",),), (("Lavrov",), ("Putin",)))
    assert text.excluded == (("NATO",),)


class NoNames:
    def quoted(self, q):
        return q

    def spellings(self, text):
        return (text,)


def test_words_are_all_required(corpus):
    assert found("Turkey strategic") == ["Lavrov on Nagorno-Karabakh"]


def test_a_quoted_phrase_needs_its_words_together(corpus):
    ArticleFactory(title="Allies", body="An ally that was strategic in the past.")
    assert found('"strategic ally"') == ["Lavrov on Nagorno-Karabakh"]


def test_or_and_excluded_words(corpus):
    assert found("Lavrov or trade -NATO") == ["Lavrov on Nagorno-Karabakh"]


def test_words_are_matched_by_their_stem_and_without_accents(corpus):
    ArticleFactory(title="Talking about gas", body="Ministers talked for hours.")
    assert found("talks") == ["Talking about gas"]
    assert found("Erdogan") == ["Erdoğan meets Putin in Sochi"]
    assert found("ERDOĞAN sochi") == ["Erdoğan meets Putin in Sochi"]


def test_each_language_is_stemmed_as_its_own():
    ArticleFactory(
        title="Переговоры в Москве",
        body="Министры провели переговоры о поставках газа.",
        language="ru",
    )
    ArticleFactory(
        title="Ankara'daki görüşmeler",
        body="Bakanlar doğalgaz anlaşmalarını görüştü.",
        language="tr",
    )
    assert found("переговоров") == ["Переговоры в Москве"]
    assert found("görüşmelerde") == ["Ankara'daki görüşmeler"]
    # Folded as well as stemmed: typed without Turkish letters.
    assert found("gorusmeler") == ["Ankara'daki görüşmeler"]
    # The Turkish capital İ is an I.
    ArticleFactory(title="İstanbul summit", body="Leaders met.", language="tr")
    assert found("istanbul") == ["İstanbul summit"]


def test_names_match_through_aliases_and_scripts(corpus):
    PersonFactory(name="Recep Tayyip Erdoğan", aliases=["Erdogan", "Эрдоган"])
    assert found("Erdogan") == ["Erdoğan meets Putin in Sochi"]
    assert found("Эрдоган") == ["Erdoğan meets Putin in Sochi"]


def test_a_full_name_typed_without_quotes_finds_the_other_spellings():
    PersonFactory(name="Sergey Lavrov", aliases=["Sergei Lavrov", "Сергей Лавров"])
    ArticleFactory(title="Лавров", body="Сергей Лавров заявил о переговорах.")
    ArticleFactory(title="Sergey", body="Sergey met another minister.")
    assert found("Sergei Lavrov") == ["Лавров"]


def test_excluding_a_person_excludes_every_spelling_of_them():
    """`turkey -lavrov` used to return articles about Lavrov: each spelling was
    searched apart and the results joined, so excluding one let the others
    through."""
    PersonFactory(name="Sergey Lavrov", aliases=["Lavrov", "Лавров"])
    ArticleFactory(title="Latin", body="Turkey and Lavrov discussed grain.")
    ArticleFactory(title="Cyrillic", body="Turkey: Лавров discussed grain.")
    ArticleFactory(title="Full name", body="Turkey hosted Sergey Lavrov.")
    ArticleFactory(title="Unrelated", body="Turkey discussed grain.")
    assert found("turkey -lavrov") == ["Unrelated"]
    assert found("turkey lavrov") == ["Cyrillic", "Full name", "Latin"]


def test_title_matches_rank_above_body_matches(corpus):
    ArticleFactory(title="Summit report", body="Putin arrived late to the summit.")
    ArticleFactory(title="Putin interview", body="An interview about many things.")
    hits = search.find(Question(text=parse("Putin")), order="relevance")
    titles = [a.title for a in hits.articles]
    assert titles[-1] == "Summit report"
    assert hits.total == 3


def test_edits_are_found_at_once(corpus):
    article = Article.objects.get(title="Trade figures")
    article.body = "A completely different text about wheat."
    article.save()
    assert found("wheat") == ["Trade figures"]
    assert found("billion") == []


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "-",
        '"',
        "or",
        "or or",
        "-or",
        "&|!:*",
        "a" * 5000,
        "'; DROP TABLE x; --",
        "\x00",
        "title:foo AND bar^3",
        '"unterminated phrase',
        "𝕿𝖚𝖗𝖐𝖊𝖞 🇹🇷",
        "*" * 600,
    ],
)
def test_odd_queries_never_fail(client, corpus, q):
    search.find(Question(text=parse(q)), order="relevance", facets=True)
    assert client.get("/articles/", {"q": q}).status_code in (200, 400)
    assert client.get("/api/v1/articles/", {"q": q}).status_code in (200, 400)


# Orders, counts and pages


@pytest.fixture
def dated():
    outlet = OutletFactory()
    articles = [
        ArticleFactory(title=f"Day {n}", outlet=outlet, published_at=at(2020, 1, n + 1))
        for n in range(7)
    ]
    undated = ArticleFactory(title="Undated", outlet=outlet, published_at=None)
    return outlet, articles, undated


@pytest.mark.usefixtures("dated")
def test_newest_and_oldest_first_put_undated_articles_last():
    newest = search.find(Question(), order="newest").articles
    oldest = search.find(Question(), order="oldest").articles
    assert [a.title for a in newest] == [f"Day {n}" for n in range(6, -1, -1)] + [
        "Undated"
    ]
    assert [a.title for a in oldest] == [f"Day {n}" for n in range(7)] + ["Undated"]


def test_articles_at_the_same_time_are_ordered_by_id(dated):
    outlet, _, _ = dated
    twins = [ArticleFactory(outlet=outlet, published_at=at(2021)) for _ in range(3)]
    newest = search.find(Question(), order="newest", per_page=3).articles
    assert newest == twins[::-1]


@pytest.mark.usefixtures("dated")
def test_the_total_is_exact_and_pages_follow_each_other():
    first = search.find(Question(), order="newest", per_page=3)
    assert first.total == 8 and first.has_next and not first.has_previous
    third = search.find(Question(), order="newest", page=3, per_page=3)
    assert [a.title for a in third.articles] == ["Day 0", "Undated"]
    assert not third.has_next
    after = search.find(Question(), order="newest", per_page=3, after=first.keys[-1])
    assert [a.title for a in after.articles] == ["Day 3", "Day 2", "Day 1"]
    before = search.find(Question(), order="newest", per_page=2, before=after.keys[0])
    assert [a.title for a in before.articles] == ["Day 5", "Day 4"]


def test_a_date_range_includes_its_ends():
    for day in (1, 2, 3):
        ArticleFactory(title=f"Day {day}", published_at=at(2020, 3, day))
    ArticleFactory(title="Undated", published_at=None)
    question = Question(since=at(2020, 3, 2).replace(hour=0), until=at(2020, 3, 3))
    assert found("", since=question.since, until=question.until) == ["Day 2"]
    assert found("", undated=True) == ["Undated"]


# Filters


def test_filters_narrow_as_documented():
    tass, duvar = OutletFactory(name="TASS"), OutletFactory(name="Duvar", country="TR")
    syria, gas = TopicFactory(name="Syria"), TopicFactory(name="Gas")
    lavrov = PersonFactory(name="Sergey Lavrov")
    a = ArticleFactory(title="A", outlet=tass, language="ru")
    b = ArticleFactory(title="B", outlet=duvar)
    c = ArticleFactory(title="C", outlet=duvar)
    for article in (a, b):
        ArticleTopicFactory(article=article, topic=syria)
    ArticleTopicFactory(article=b, topic=gas)
    ArticlePersonFactory(article=a, person=lavrov, role="quoted")
    ArticlePersonFactory(article=c, person=lavrov, role="mentioned")
    QuoteFactory(article=a, speaker=lavrov)
    assert found("", outlets=frozenset([tass.pk, duvar.pk])) == ["A", "B", "C"]
    assert found("", topics=(syria.pk, gas.pk)) == ["B"]
    assert found("", people=(lavrov.pk,)) == ["A", "C"]
    assert found("", people=(lavrov.pk,), role="mentioned") == ["C"]
    assert found("", speakers=(lavrov.pk,)) == ["A"]
    assert found("", languages=frozenset(["ru"])) == ["A"]


def test_suggested_links_do_not_count():
    syria = TopicFactory()
    article = ArticleFactory(title="Suggested only")
    ArticleTopicFactory(article=article, topic=syria, state="suggested")
    assert found("", topics=(syria.pk,)) == []


# Nothing unpublished


def test_nothing_unpublished_is_ever_found(client):
    topic = TopicFactory(slug="syria")
    for status in ("draft", "review", "withdrawn"):
        article = ArticleFactory(
            title=f"Secret {status}",
            body=f"A secret {status} ceasefire.",
            status=status,
        )
        ArticleTopicFactory(article=article, topic=topic)
    ArticleFactory(title="Public", body="A public ceasefire.")
    assert found("ceasefire") == ["Public"]
    assert search.count(Question(text=parse("secret"))) == 0
    hits = search.find(Question(text=parse("ceasefire")), facets=True)
    assert hits.total == 1 and hits.facets.topic == []
    for url in ("/articles/?q=secret", "/articles/feed/?q=secret", "/topics/syria/"):
        assert b"Secret" not in client.get(url).content
    api = client.get("/api/v1/articles/", {"q": "ceasefire"}).json()
    assert api["count"] == 1 and [r["title"] for r in api["results"]] == ["Public"]


def test_curators_may_ask_for_every_status():
    ArticleFactory(title="Draft", status="draft")
    ArticleFactory(title="Published")
    assert found("", statuses=None) == ["Draft", "Published"]
    assert found("", statuses=frozenset(["draft"])) == ["Draft"]


# Facets and counts over time


def test_facets_count_every_match_not_a_sample():
    tass, other = OutletFactory(name="TASS", slug="tass"), OutletFactory()
    for n in range(30):
        ArticleFactory(outlet=tass if n % 3 else other, published_at=at(2019 + n % 2))
    facets = search.find(Question(), facets=True).facets
    assert [(f.label, f.count) for f in facets.outlet] == [
        ("TASS", 20),
        (other.name, 10),
    ]
    assert [(f.value, f.count) for f in facets.year] == [("2020", 15), ("2019", 15)]


def test_counts_over_time_by_day_week_month_and_year():
    for day in (5, 6, 12):  # Sunday, Monday, Sunday in January 2020
        ArticleFactory(published_at=at(2020, 1, day))
    ArticleFactory(published_at=at(2021, 3, 1))
    ArticleFactory(published_at=None)
    question = Question()
    assert search.over_time(question, unit="day") == {
        dt.date(2020, 1, 5): 1,
        dt.date(2020, 1, 6): 1,
        dt.date(2020, 1, 12): 1,
        dt.date(2021, 3, 1): 1,
    }
    assert search.over_time(question, unit="week") == {
        dt.date(2019, 12, 30): 1,
        dt.date(2020, 1, 6): 2,
        dt.date(2021, 3, 1): 1,
    }
    assert search.over_time(question, unit="month") == {
        dt.date(2020, 1, 1): 3,
        dt.date(2021, 3, 1): 1,
    }
    assert search.over_time(question, unit="year") == {
        dt.date(2020, 1, 1): 3,
        dt.date(2021, 1, 1): 1,
    }


def test_months_before_1970_are_counted_too():
    ArticleFactory(published_at=at(1968, 11))
    assert search.over_time(Question()) == {dt.date(1968, 11, 1): 1}


# Snippets


def test_snippets_mark_matches_and_escape_the_rest():
    html = snippet(
        "Officials said <script>alert(1)</script> the grain corridor stays open.",
        "en",
        parse("grain"),
    )
    assert "<mark>grain</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_snippets_mark_inflected_words_and_cut_at_word_boundaries():
    body = " ".join(f"word{n}" for n in range(100))
    body = body.replace("word50", "Erdoğan’s talks,")
    html = snippet(body, "en", parse("talk erdogan"))
    assert "<mark>Erdoğan</mark>’s <mark>talks</mark>," in html
    words = html.replace("… ", "").replace(" …", "").split()
    assert all(w.startswith(("word", "<mark>")) for w in words)
    assert html.startswith("… ") and html.endswith(" …")


def test_a_match_in_the_title_only_has_no_snippet():
    assert snippet("Nothing to see here.", "en", parse("Putin")) is None


def test_a_page_counts_its_months_with_its_facets():
    for month in (1, 1, 3):
        ArticleFactory(title="Gas deal", published_at=at(2021, month))
    ArticleFactory(title="Gas deal", published_at=None)
    ArticleFactory(title="Other", published_at=at(2021, 2))
    question = Question(text=parse("gas"))
    page = search.find(question, facets=True)
    assert page.by_month == search.over_time(question, unit="month")
    assert page.by_month == {dt.date(2021, 1, 1): 2, dt.date(2021, 3, 1): 1}
    assert search.find(question, by_month=True).by_month == page.by_month
    assert search.find(question).by_month is None


@pytest.fixture
def counted(engine_calls):
    """How many times the index was asked to count (aggregate)."""
    return engine_calls("aggregate")


def test_a_public_search_is_counted_once_until_anything_published_changes(
    settings, counted, django_capture_on_commit_callbacks
):
    settings.CACHE_PAGES = True
    ArticleFactory(title="Gas deal", published_at=at(2021))
    question = Question(text=parse("gas"))
    first = search.find(question, facets=True, page=1, per_page=1)
    second = search.find(question, facets=True, page=2, per_page=1)
    assert len(counted) == 1 and first.facets == second.facets
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Gas again", published_at=at(2022))
    again = search.find(question, facets=True)
    assert len(counted) == 2
    assert [(y.value, y.count) for y in again.facets.year] == [
        ("2022", 1),
        ("2021", 1),
    ]


def test_counts_are_not_kept_for_curators_nor_without_the_page_cache(settings, counted):
    settings.CACHE_PAGES = True
    ArticleFactory(title="Gas deal", status=Article.Status.DRAFT, published_at=None)
    everyone = Question(text=parse("gas"), statuses=None)
    assert search.find(everyone, facets=True).facets.year == []
    ArticleFactory(
        title="Gas again", status=Article.Status.DRAFT, published_at=at(2020)
    )
    # No generation moved (drafts are not public), yet the curator sees it.
    assert [y.value for y in search.find(everyone, facets=True).facets.year] == ["2020"]
    settings.CACHE_PAGES = False
    public = Question(text=parse("gas"))
    search.find(public, facets=True)
    search.find(public, facets=True)
    assert len(counted) == 4


def test_a_distinctive_word_is_shown_as_most_of_its_articles_write_it():
    for n in range(3):
        ArticleFactory(
            title=f"Gas talks {n}", body=f"Erdoğan spoke of the corridor {n}."
        )
    ArticleFactory(title="Gas talks 3", body="Erdogan spoke of the corridor.")
    for n in range(12):
        ArticleFactory(title=f"Weather {n}", body=f"Rain spoke of the coast {n}.")
    words = {
        w.word: w.articles for w in search.about(Question(text=parse("gas"))).words
    }
    assert words["erdoğan"] == 4 and "erdogan" not in words
    assert words["corridor"] == 4 and "gas" not in words


def test_a_forked_process_counts_beside_its_searches_too():
    """An import worker or a preloaded server's worker is a fork: its pool of
    threads must be its own, not a copy of its parent's that runs nothing."""
    import os

    from articles import search as door

    door._BESIDE.submit(lambda: None).result()  # the parent's threads, idle
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, and leave at once
        try:
            ran = door._BESIDE.submit(lambda: 2).result(timeout=5) == 2
        except Exception:
            ran = False
        os.write(write, b"1" if ran else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
