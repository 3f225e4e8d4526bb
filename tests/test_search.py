import pytest
from django.db import connection

from articles.models import Article
from articles.search import parse_query, snippets
from tests.factories import ArticleFactory, PersonFactory

pytestmark = pytest.mark.django_db


def titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


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


def test_parse_query_reads_web_search_syntax():
    parsed = parse_query('"strategic ally" Lavrov or Putin -NATO')
    assert parsed.groups == [["strategic ally"], ["Lavrov", "Putin"]]
    assert parsed.excluded == ["NATO"]


def test_words_are_all_required(corpus):
    assert titles(Article.objects.search("Turkey strategic")) == [
        "Lavrov on Nagorno-Karabakh"
    ]


def test_quoted_phrase(corpus):
    assert titles(Article.objects.search('"strategic ally"')) == [
        "Lavrov on Nagorno-Karabakh"
    ]


def test_or_and_excluded_words(corpus):
    found = Article.objects.search("Lavrov or trade -NATO")
    assert titles(found) == ["Lavrov on Nagorno-Karabakh"]


def test_names_match_through_aliases_and_accents(corpus):
    PersonFactory(name="Recep Tayyip Erdoğan", aliases=["Erdogan", "Эрдоган"])
    assert titles(Article.objects.search("Erdogan")) == ["Erdoğan meets Putin in Sochi"]
    assert titles(Article.objects.search("Эрдоган")) == ["Erdoğan meets Putin in Sochi"]


def test_title_matches_rank_above_body_matches(corpus):
    ArticleFactory(title="Putin interview", body="An interview about many things.")
    ranked = list(Article.objects.search("Putin").order_by("-rank", "pk"))
    assert ranked[0].title in {"Erdoğan meets Putin in Sochi", "Putin interview"}
    assert len(ranked) == 2


def test_a_body_only_match_ranks_below_title_matches(corpus):
    ArticleFactory(title="Summit report", body="Putin arrived late to the summit.")
    ArticleFactory(title="Putin interview", body="An interview about many things.")
    ranked = list(Article.objects.search("Putin").order_by("-rank", "pk"))
    assert [a.title for a in ranked][-1] == "Summit report"
    assert len(ranked) == 3


def test_search_vector_follows_edits(corpus):
    article = Article.objects.get(title="Trade figures")
    article.body = "A completely different text about wheat."
    article.save()
    assert titles(Article.objects.search("wheat")) == ["Trade figures"]
    assert not Article.objects.search("billion").exists()


@pytest.mark.parametrize(
    "q", ["", "   ", "-", '"', "or", "&|!:*", "a" * 5000, "'; DROP TABLE x; --"]
)
def test_odd_queries_never_fail(corpus, q):
    list(Article.objects.search(q))


def test_snippets_mark_matches_and_escape_the_rest(db):
    article = ArticleFactory(
        body="Officials said <script>alert(1)</script> the grain corridor stays open."
    )
    html = snippets([article], "grain")[article.pk]
    assert "<mark>grain</mark>" in html
    # Escaped by us (SQLite) or dropped as markup by ts_headline (PostgreSQL).
    assert "<script>" not in html
    assert "corridor stays open" in html


@pytest.fixture
def many_matches(monkeypatch, settings):
    """Six published articles about a pipeline, the oldest the most relevant (the
    word in its title), and a planner that expects as many matches as there are."""
    import datetime as dt

    from django.utils import timezone

    from articles import search

    monkeypatch.setattr(search, "planned_search", lambda qs: (qs.count(), False))
    settings.SEARCH_RANK_CANDIDATES = 3
    now = timezone.now()
    ArticleFactory(
        title="Pipeline pipeline pipeline",
        body="The pipeline opened.",
        published_at=now - dt.timedelta(days=30),
    )
    for day in range(5):
        ArticleFactory(
            title=f"Day {day} news",
            body=f"Ministers met on day {day}; a pipeline was mentioned once.",
            published_at=now - dt.timedelta(days=day),
        )


def test_a_search_too_common_to_rank_ranks_its_newest_matches(client, many_matches):
    page = client.get("/articles/", {"q": "pipeline"}).content.decode()
    assert "Day 0 news" in page and "Day 2 news" in page
    assert "Day 3 news" not in page and "Pipeline pipeline" not in page
    assert "the 3 newest are ranked by relevance" in page
    assert "?q=pipeline&amp;sort=newest" in page

    page = client.get("/articles/", {"q": "pipeline", "sort": "newest"})
    html = page.content.decode()
    assert "Pipeline pipeline" in html and "Day 4 news" in html
    assert "ranked by relevance" not in html

    response = client.get("/api/v1/articles/", {"q": "pipeline"})
    assert {a["title"] for a in response.json()["results"]} == {
        "Day 0 news",
        "Day 1 news",
        "Day 2 news",
    }
    assert response["Ranked-Among-Newest"] == "3"
    response = client.get(
        "/api/v1/articles/", {"q": "pipeline", "ordering": "-published_at"}
    )
    assert len(response.json()["results"]) == 6
    assert "Ranked-Among-Newest" not in response


def test_a_search_that_can_be_ranked_ranks_every_match(client, many_matches, settings):
    settings.SEARCH_RANK_CANDIDATES = 6
    page = client.get("/articles/", {"q": "pipeline"}).content.decode()
    assert "ranked by relevance" not in page
    assert page.index("Pipeline pipeline") < page.index("Day 0 news")
    response = client.get("/api/v1/articles/", {"q": "pipeline"})
    assert response.json()["results"][0]["title"] == "Pipeline pipeline pipeline"
    assert "Ranked-Among-Newest" not in response


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's"
)
def test_the_planner_estimates_how_many_articles_a_word_finds():
    from articles.search import planned_search

    def estimated_rows(queryset):
        return planned_search(queryset)[0]

    for n in range(200):
        word = "pipeline" if n % 2 else "harvest"
        ArticleFactory(body=f"Ministers discussed the {word} on day {n}.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    common = estimated_rows(Article.objects.search("pipeline"))
    assert 50 <= common <= 200
    assert estimated_rows(Article.objects.search("zebra")) < 10
    assert estimated_rows(Article.objects.none().model.objects.filter(pk=-1)) <= 1


@pytest.fixture
def slow_search(monkeypatch, settings):
    """A search whose query sleeps past the time limit, as a pathological phrase
    of common words would run on a big archive."""
    from articles import search

    settings.SEARCH_TIMEOUT_MS = 50
    narrowed = search.narrowed

    def sleepy(queryset, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.5)")
        return narrowed(queryset, **kwargs)

    monkeypatch.setattr("articles.views.narrowed", sleepy)
    monkeypatch.setattr("articles.api.views.narrowed", sleepy)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the time limit is PostgreSQL's"
)
def test_a_search_past_the_time_limit_asks_for_a_narrower_one(client, slow_search):
    ArticleFactory(title="Pipeline talks")
    response = client.get("/articles/", {"q": "pipeline"})
    assert response.status_code == 503
    assert "would take too long" in response.content.decode()
    assert "Add a rarer word" in response.content.decode()

    response = client.get("/api/v1/articles/", {"q": "pipeline"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_too_broad"

    # The limit was the search's own: the next request runs without it.
    assert client.get("/articles/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_a_rare_word_is_gathered_from_the_text_index_before_ordering(
    client, monkeypatch, settings
):
    from django.test.utils import CaptureQueriesContext

    from articles import search

    monkeypatch.setattr(search, "planned_search", lambda qs: (qs.count(), False))
    settings.SEARCH_RANK_CANDIDATES = 10
    wanted = [ArticleFactory(body=f"A rare zebra seen on day {n}.") for n in range(3)]
    ArticleFactory(body="Nothing of the sort.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/articles/", {"q": "zebra", "sort": "newest"})
    html = response.content.decode()
    assert [html.index(a.title) for a in reversed(wanted)] == sorted(
        html.index(a.title) for a in wanted
    )
    listing = [
        q["sql"] for q in queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    # The page's query reads the gathered ids, not the text condition again.
    assert listing and " IN (" in listing[0] and "zebra" not in listing[0].lower()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's"
)
@pytest.mark.parametrize(
    "q, phrase",
    [
        ('"grain corridor"', True),
        ("Erdogan-Putin talks", True),
        ("grain corridor", False),
        ("grain or corridor -gas", False),
    ],
)
def test_the_plan_says_whether_a_search_has_a_phrase(q, phrase):
    from articles.search import planned_search

    ArticleFactory(body="The grain corridor stays open, Erdogan-Putin talks say.")
    rows, found = planned_search(Article.objects.published().search(q))
    assert found is phrase
    assert rows >= 0


def test_a_phrase_is_gathered_while_its_words_are_not_too_common(
    client, monkeypatch, settings
):
    """The planner counts a phrase's candidates (its words anywhere), not its
    matches: a phrase is gathered below a limit of its own."""
    from django.test.utils import CaptureQueriesContext

    from articles import search

    estimate = {}
    monkeypatch.setattr(search, "planned_search", lambda qs: (estimate["rows"], True))
    settings.SEARCH_GATHER_LIMIT, settings.SEARCH_PHRASE_GATHER_LIMIT = 2, 10
    wanted = ArticleFactory(body="The grain corridor stays open.")
    ArticleFactory(body="A corridor for the grain harvest.")

    def gathered(rows):
        estimate["rows"] = rows
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/articles/", {"q": '"grain corridor"'})
        assert wanted.title in response.content.decode()
        listing = [
            q["sql"] for q in queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
        ]
        # The page's query reads the gathered ids (its rank may name the words).
        return 'WHERE "articles_article"."id" IN (' in listing[0]

    assert gathered(rows=8)
    assert not gathered(rows=11)
