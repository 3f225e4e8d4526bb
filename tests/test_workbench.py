"""The researcher's workbench: counts, attention over time, comparisons and what
a search is about, on the search door, with nothing unpublished anywhere."""

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles import charts, export
from articles.models import Outlet
from articles.search import sync
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


def at(year, month=1, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def archive():
    """Pipeline coverage in TASS and Duvar over 2020–2021, other news besides,
    and drafts that must never show."""
    tass = OutletFactory(name="TASS", slug="tass")
    duvar = OutletFactory(name="Duvar English", slug="duvar")
    energy = TopicFactory(name="Energy", slug="energy")
    lavrov = PersonFactory(name="Sergey Lavrov", slug="lavrov")
    fidan = PersonFactory(name="Hakan Fidan", slug="fidan")
    for n in range(6):
        article = ArticleFactory(
            title=f"Pipeline talks {n}",
            body=f"The Turkstream pipeline and its compressor stations, day {n}.",
            outlet=tass if n % 2 else duvar,
            published_at=at(2020 + n // 3, 1 + n),
        )
        ArticleTopicFactory(article=article, topic=energy)
        ArticlePersonFactory(article=article, person=lavrov, role="mentioned")
        if n < 2:
            QuoteFactory(article=article, speaker=fidan, text="compressor stations")
    for n in range(10):
        ArticleFactory(
            title=f"Other news {n}",
            body=f"Ministers met about wheat and grain, meeting {n}.",
            outlet=tass,
            published_at=at(2020 + n // 5, 1 + n),
        )
    for status in ("draft", "review", "withdrawn"):
        secret = ArticleFactory(
            title=f"Secret pipeline {status}",
            body=f"A secret Turkstream pipeline memo, {status} version.",
            outlet=tass,
            status=status,
            published_at=at(2020, 3),
        )
        ArticleTopicFactory(article=secret, topic=energy)
        QuoteFactory(article=secret, speaker=lavrov, text="pipeline memo")
    return {"tass": tass, "duvar": duvar, "energy": energy, "lavrov": lavrov}


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# The results page


def test_the_results_page_says_how_many_articles_match(client, archive):
    page = client.get("/articles/", {"q": "pipeline"}).content.decode()
    assert "<strong>6</strong> articles match" in page
    page = client.get("/articles/").content.decode()
    assert "<strong>16</strong> articles" in page


def test_the_results_page_draws_attention_over_time_with_its_numbers(client, archive):
    response = client.get("/articles/", {"q": "pipeline"})
    chart = response.context["chart"]
    assert chart.unit == "week"  # 18 months: 77 weeks fit, 549 days do not
    assert chart.series[0].total == 6
    page = response.content.decode()
    assert 'class="chart-plot"' in page and "<polyline" in page
    assert "<summary>Show the numbers</summary>" in page
    monthly = {"q": "pipeline", "unit": "month"}
    rows = read_csv(client.get("/articles/chart.csv", monthly))
    counted = {r["period_start"]: int(r["Articles: articles"]) for r in rows}
    assert sum(counted.values()) == 6
    assert counted["2020-02-01"] == 1 and counted["2020-03-01"] == 1
    # Shares of everything published in the period (drafts never counted).
    march = next(r for r in rows if r["period_start"] == "2020-03-01")
    assert march["all published articles"] == "2"
    assert float(march["Articles: share"]) == pytest.approx(0.5)


def test_the_unit_and_scale_can_be_chosen(client, archive):
    response = client.get("/articles/", {"q": "pipeline", "unit": "year"})
    assert response.context["chart"].unit == "year"
    response = client.get("/articles/", {"q": "pipeline", "scale": "share"})
    assert response.context["chart"].scale == "share"
    assert (
        "of everything published"
        not in response.content.decode().split('class="chart-options"')[0]
    )
    for params in ({"unit": "fortnight"}, {"scale": "log"}):
        response = client.get("/articles/", params)
        assert response.status_code == 400
        assert f"<strong>{next(iter(params))}</strong>" in response.content.decode()


def test_the_unit_follows_the_span_of_the_question(client, archive):
    days = client.get(
        "/articles/", {"date_from": "2020-03-01", "date_to": "2020-03-31"}
    )
    assert days.context["chart"].unit == "day"
    assert len(days.context["chart"].starts) == 31
    weeks = client.get(
        "/articles/", {"date_from": "2020-01-01", "date_to": "2021-06-30"}
    )
    assert weeks.context["chart"].unit == "week"


def test_a_chart_of_one_article_is_not_a_wall():
    one = charts.chart([charts.Series("One", {dt.date(2020, 1, 1): 1})], unit="month")
    assert one.maximum >= 4
    assert one.markers and one.lines[0][1]  # a visible marker at the point


# Comparisons


def test_a_comparison_draws_each_series_on_one_axis(client, archive):
    query = urlencode(
        [("s", "outlet=tass"), ("s", "outlet=duvar"), ("s", "q=pipeline&outlet=tass")]
    )
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 200
    chart = response.context["chart"]
    assert [s.name for s in chart.series] == [
        "TASS",
        "Duvar English",
        "“pipeline” · TASS",
    ]
    assert [s.total for s in chart.series] == [13, 3, 3]
    assert len({s.colour for s in chart.series}) == 3
    assert len({s.dash for s in chart.series}) == 3
    rows = read_csv(client.get(f"/compare/chart.csv?{query}"))
    assert sum(int(r["TASS: articles"]) for r in rows) == 13
    assert sum(int(r["Duvar English: articles"]) for r in rows) == 3


def test_a_series_can_be_added_and_removed(client, archive):
    response = client.get(
        "/compare/", {"s": "outlet=tass", "add_q": "pipeline", "add": "1"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert [s.name for s in response.context["chart"].series] == ["TASS", "“pipeline”"]
    removed = response.context["series"][0].remove_url
    response = client.get(f"/compare/{removed}")
    assert [s.name for s in response.context["chart"].series] == ["“pipeline”"]


def test_a_series_results_page_adds_its_question_to_the_comparison(client, archive):
    response = client.get("/compare/", {"s": "outlet=tass"})
    results = response.context["series"][0].results_url
    page = client.get(results)
    assert page.context["adding"]
    adding = page.context["compare_url"]
    assert "Add to the comparison" in page.content.decode()
    # Narrowed on the results page, the new question joins the old one.
    narrowed = client.get(f"{results}&q=pipeline")
    response = client.get(narrowed.context["compare_url"])
    assert [s.name for s in response.context["chart"].series] == [
        "TASS",
        "“pipeline” · TASS",
    ]
    assert client.get(adding).context["series"][0].name == "TASS"


def test_the_results_page_links_to_a_comparison_and_what_it_is_about(client, archive):
    page = client.get("/articles/", {"q": "pipeline", "page": "1"}).content.decode()
    assert 'href="/compare/?s=q%3Dpipeline"' in page
    assert 'href="/articles/about/?q=pipeline"' in page


@pytest.mark.parametrize(
    "params, field",
    [
        ([("s", "outlet=nope")], "series 1, outlet"),
        ([("s", f"q=w{n}") for n in range(6)], "s"),
        ([("s", "q=gas"), ("unit", "decade")], "unit"),
    ],
)
def test_a_comparison_that_cannot_be_drawn_answers_400_naming_why(
    client, archive, params, field
):
    response = client.get(f"/compare/?{urlencode(params)}")
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_shares_normalise_a_comparison(client, archive):
    query = urlencode([("s", "outlet=tass"), ("scale", "share"), ("unit", "year")])
    chart = client.get(f"/compare/?{query}").context["chart"]
    assert all(0 <= v <= 1 for v in chart.series[0].values)


# What it is about


def test_what_a_search_is_about(client, archive):
    response = client.get("/articles/about/", {"q": "pipeline"})
    about = response.context["about"]
    assert about.total == 6
    assert [(v.label, v.count) for v in about.quoted] == [("Hakan Fidan", 2)]
    assert [(v.label, v.count) for v in about.roles["mentioned"]] == [
        ("Sergey Lavrov", 6)
    ]
    assert [(v.label, v.count) for v in about.topics] == [("Energy", 6)]
    assert {(v.label, v.count) for v in about.outlets} == {
        ("TASS", 3),
        ("Duvar English", 3),
    }
    words = [w.word for w in about.words]
    assert "turkstream" in words and "compressor" in words
    assert "pipeline" not in words  # what was asked for
    page = response.content.decode()
    assert "q=pipeline&amp;topic=energy" in page
    assert 'href="/articles/?q=pipeline+turkstream"' in page


# Nothing unpublished


def test_no_draft_reaches_a_count_chart_comparison_or_top_list(client, archive):
    assert "Secret" not in client.get("/articles/", {"q": "secret"}).content.decode()
    rows = read_csv(client.get("/articles/chart.csv", {"q": "memo"}))
    assert sum(int(r["Articles: articles"]) for r in rows) == 0
    chart = client.get("/compare/", {"s": "q=memo"}).context["chart"]
    assert chart.series[0].total == 0
    about = client.get("/articles/about/", {"q": "memo"}).context["about"]
    assert about.total == 0 and about.quoted == [] and about.words == []
    about = client.get("/articles/about/", {"topic": "energy"}).context["about"]
    assert about.total == 6
    assert [v.label for v in about.quoted] == ["Hakan Fidan"]  # not Lavrov's drafts
    assert "memo" not in [w.word for w in about.words]


# Query counts


def test_the_workbench_pages_take_as_many_queries_for_many_articles(client, archive):
    urls = [
        "/articles/?q=pipeline",
        "/compare/?s=outlet%3Dtass&s=q%3Dpipeline",
        "/articles/about/?q=pipeline",
    ]

    def queries():
        sync.catch_up()
        counts = []
        for url in urls:
            client.get(url)  # people's names, once per process
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    few = queries()
    for n in range(30):
        article = ArticleFactory(
            title=f"More pipeline {n}", published_at=at(2021, 3, n % 28 + 1)
        )
        ArticleTopicFactory(article=article, topic=archive["energy"])
        QuoteFactory(article=article)
    assert queries() == few


# Filters a person can use: pickers by name


def test_names_suggests_public_outlets_topics_and_people(client, archive):
    hidden = PersonFactory(name="Sergei Lavrovsky", slug="lavrovsky")
    draft = ArticleFactory(status="draft", published_at=at(2020, 2))
    ArticlePersonFactory(article=draft, person=hidden)
    response = client.get("/names/people/", {"q": "lav"})
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"results": [{"name": "Sergey Lavrov", "slug": "lavrov"}]}
    assert client.get("/names/outlets/", {"q": "tass"}).json()["results"] == [
        {"name": "TASS", "slug": "tass"}
    ]
    assert client.get("/names/topics/", {"q": "ener"}).json()["results"][0] == {
        "name": "Energy",
        "slug": "energy",
    }
    assert client.get("/names/people/").json() == {"results": []}


def test_names_refuses_what_it_does_not_take(client, archive):
    response = client.get("/names/people/", {"name": "lav"})
    assert response.status_code == 400
    assert "Unknown parameter “name”" in response.json()["errors"]["name"][0]
    assert client.get("/names/stories/", {"q": "a"}).status_code == 404


def test_names_takes_as_many_queries_for_many_people(
    client, archive, django_assert_max_num_queries
):
    def asked():
        with CaptureQueriesContext(connection) as captured:
            found = client.get("/names/people/", {"q": "Person"}).json()["results"]
        return len(captured), len(found)

    for n in range(3):
        QuoteFactory(speaker=PersonFactory(name=f"Person {n}", slug=f"person-{n}"))
    few, shown = asked()
    assert shown == 3
    for n in range(3, 30):
        QuoteFactory(speaker=PersonFactory(name=f"Person {n}", slug=f"person-{n}"))
    many, shown = asked()
    assert shown == 10  # the suggestions' limit
    # On PostgreSQL: the threshold, the candidates by name, the public ones
    # among them, a slug (BEGIN and COMMIT counted too); on SQLite, fewer.
    assert many == few <= 6


def test_a_name_typed_in_a_picker_becomes_the_lists_filter(client, archive):
    response = client.get("/articles/", {"q": "pipeline", "outlet_name": "TASS"})
    assert response.status_code == 302
    assert response["Location"] == "/articles/?q=pipeline&outlet=tass"
    # Several at once: the outlet kept, a second one and a person added.
    response = client.get(
        "/articles/",
        {
            "outlet": "tass",
            "outlet_name": "duvar english",
            "person_name": "Sergey Lavrov",
        },
    )
    assert response["Location"] == "/articles/?outlet=tass&outlet=duvar&person=lavrov"
    page = client.get(response["Location"])
    assert page.context["page"].total == 6


def test_an_unknown_name_answers_400_naming_it_with_the_form_kept(client, archive):
    response = client.get("/articles/", {"q": "pipeline", "topic_name": "Zeppelins"})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "<strong>Topic</strong>: No topic in the archive is called “Zeppelins”."
    ) in page
    assert 'name="topic_name" id="id_topic_name" value="Zeppelins"' in page
    assert 'name="q" id="id_q" value="pipeline"' in page
    assert '<option value="relevance" selected>Most relevant</option>' in page
    assert "Follow these results" not in page and "/articles/feed/" not in page


def test_a_name_like_several_asks_which(client, archive):
    namesake = PersonFactory(name="Sergey Lavrovsky", slug="lavrovsky")
    ArticlePersonFactory(article=ArticleFactory(), person=namesake)
    response = client.get("/articles/", {"person_name": "Sergey"})
    assert response.status_code == 400
    assert (
        "<strong>Person</strong>: Which person do you mean by “Sergey”? "
        "Perhaps: Sergey Lavrov, Sergey Lavrovsky."
    ) in response.content.decode()
    # The whole name is no question.
    response = client.get("/articles/", {"person_name": "sergey lavrov"})
    assert response["Location"] == "/articles/?person=lavrov"


def test_a_misspelt_name_is_forgiven_on_postgresql(client, archive):
    if connection.vendor != "postgresql":
        pytest.skip("Trigram similarity is PostgreSQL's; SQLite matches substrings.")
    response = client.get("/articles/", {"q": "pipeline", "topic_name": "Enrgy"})
    assert response["Location"] == "/articles/?q=pipeline&topic=energy"


def test_an_entity_pages_filters_take_names_too(client, archive):
    response = client.get("/outlets/tass/", {"person_name": "sergey lavrov"})
    assert response.status_code == 302
    assert response["Location"] == "/outlets/tass/?person=lavrov"
    assert client.get(response["Location"]).context["page"].total == 3


def test_active_filters_are_shown_by_name_with_a_remove_link(client, archive):
    response = client.get(
        "/articles/",
        [("outlet", "tass"), ("topic", "energy"), ("language", "en"), ("page", "1")],
    )
    page = response.content.decode()
    assert (
        'Outlet: TASS <a href="/articles/?topic=energy&amp;language=en" '
        'aria-label="Remove Outlet: TASS">✕</a>'
    ) in page
    assert "Topic: Energy" in page and "Language: English" in page
    without = {f.label: url for f, url in response.context["active"]}
    assert client.get(without["Topic: Energy"]).context["page"].total == 13


def test_language_and_country_are_chosen_by_name(client, archive):
    OutletFactory(name="Anadolu", slug="anadolu", country="TR")
    ArticleFactory(outlet=Outlet.objects.get(slug="anadolu"), language="tr")
    page = client.get("/articles/").content.decode()
    assert '<option value="tr">Turkish</option>' in page
    assert (
        '<option value="TR">Turkey</option>' in page
        or '<option value="TR">Türkiye</option>' in page
    )


# Compare: a series added by name


def test_a_second_outlet_is_added_to_a_comparison_by_name(client, archive):
    response = client.get(
        "/compare/", {"s": "outlet=tass", "add_outlet": "Duvar English", "add": "1"}
    )
    assert response.status_code == 302
    chart = client.get(response["Location"]).context["chart"]
    assert [(s.name, s.total) for s in chart.series] == [
        ("TASS", 13),
        ("Duvar English", 3),
    ]


def test_a_name_the_comparison_cannot_place_answers_400_naming_its_field(
    client, archive
):
    response = client.get(
        "/compare/",
        {"s": "outlet=tass", "add_q": "gas", "add_person": "Nobody Atall", "add": "1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "<strong>Person</strong>: No person in the archive is called “Nobody Atall”"
        in page
    )
    assert 'id="id_add_person" value="Nobody Atall"' in page
    assert 'id="add_q" maxlength="500" value="gas"' in page
    # The comparison so far is kept, and removing from it drops the failed add.
    assert '<input type="hidden" name="s" value="outlet=tass">' in page
    assert "add_person" not in response.context["series"][0].remove_url


def test_a_comparison_refuses_parameters_it_does_not_take(client, archive):
    response = client.get("/compare/", {"s": "outlet=tass", "add_outlett": "x"})
    assert response.status_code == 400
    assert "Unknown parameter “add_outlett”" in response.content.decode()


# Export the current view


def test_the_results_page_exports_every_match(client, archive):
    page = client.get("/articles/", {"q": "pipeline", "outlet": "tass"})
    assert (
        page.context["export_csv_url"]
        == "/articles/export/?q=pipeline&outlet=tass&format=csv"
    )
    response = client.get(page.context["export_csv_url"])
    assert response["Content-Disposition"] == 'attachment; filename="articles.csv"'
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert len(rows) == page.context["page"].total == 3
    assert list(rows[0]) == export.columns()
    assert {r["outlet.slug"] for r in rows} == {"tass"}
    assert all("Secret" not in r["title"] for r in rows)
    assert rows[0]["people"] == "Sergey Lavrov (mentioned)"
    response = client.get(page.context["export_jsonl_url"])
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3 and '"topics": [{"slug": "energy"' in lines[0]


@pytest.mark.parametrize(
    "params, name",
    [
        ({"q": "x"}, "format"),
        ({"format": "xlsx"}, "format"),
        ({"format": "csv", "page": "2"}, "page"),
        ({"format": "csv", "outlet": "nope"}, "outlet"),
    ],
)
def test_an_export_it_cannot_make_answers_400_naming_why(client, archive, params, name):
    response = client.get("/articles/export/", params)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{name}: ")


def test_the_export_takes_as_many_queries_for_many_articles(client, archive):
    def queries():
        sync.catch_up()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/articles/export/", {"format": "csv"})
            text = b"".join(response.streaming_content).decode()
        return len(captured), len(list(csv.DictReader(io.StringIO(text))))

    few, rows = queries()
    assert rows == 16
    for n in range(30):
        ArticleFactory(title=f"More {n}", published_at=at(2021, 3, n % 28 + 1))
    many, rows = queries()
    assert rows == 46 and many == few


def test_exports_from_the_site_count_with_the_apis(client, archive, settings):
    settings.API_ANON_EXPORT_RATE = "2/hour"
    assert client.get("/articles/export/", {"format": "csv"}).status_code == 200
    api = client.get("/api/v1/articles/export/", {"format": "jsonl"})
    assert api.status_code == 200
    refused = client.get("/articles/export/", {"format": "csv", "q": "pipeline"})
    assert refused.status_code == 429
    assert "Exports from your address are limited to 2/hour" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_a_long_span_is_drawn_by_year_with_every_month_counted(client):
    """Twelve years of coverage, no date range asked: drawn by year, each
    year's count the sum of its months (drafts left out)."""
    outlet = OutletFactory()
    for year, months in ((2010, (1, 6, 12)), (2015, (3,)), (2021, (2, 11))):
        for month in months:
            ArticleFactory(
                title="Grain corridor", outlet=outlet, published_at=at(year, month)
            )
    ArticleFactory(
        title="Grain corridor", outlet=outlet, status="draft", published_at=at(2015)
    )
    chart = client.get("/articles/", {"q": "grain"}).context["chart"]
    assert chart.unit == "year"
    counts = chart.series[0].counts
    assert counts[dt.date(2010, 1, 1)] == 3
    assert counts[dt.date(2015, 1, 1)] == 1
    assert counts[dt.date(2021, 1, 1)] == 2
    assert sum(counts.values()) == 6


def test_an_exported_permalink_is_the_article_s_own_address(client):
    dated = ArticleFactory(slug="gas-talks", published_at=at(2021, 3, 9))
    undated = ArticleFactory(slug="undated-note", published_at=None)
    response = client.get("/articles/export/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    rows = {int(r["id"]): r["web_url"] for r in csv.DictReader(io.StringIO(text))}
    for article in (dated, undated):
        assert rows[article.pk] == "http://testserver" + article.get_absolute_url()
    assert rows[dated.pk] == "http://testserver/articles/2021/03/09/gas-talks/"
    assert rows[undated.pk] == "http://testserver/articles/undated/undated-note/"


# Any text, control characters, quotes, separators and line breaks included;
# surrogates cannot be written as UTF-8, so no export holds them.
CELL_TEXT = st.text(
    st.one_of(
        st.sampled_from([",", '"', "\n", "\r", " ", "\x00", "\t", "'", "="]),
        st.characters(blacklist_categories=["Cs"]),
    ),
    max_size=40,
)


@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(CELL_TEXT, st.none(), st.integers()),
        min_size=2,
        max_size=6,
    )
)
@example(["\r", "x"])
@example(["line\nbreak", 7])
@example(['say "no"', None])
@example(["a,b", ""])
@example(["=1+1", "\x00", " padded "])
def test_an_export_writes_a_csv_record_as_the_csv_module_does(cells):
    """The export's own CSV writer (faster on long bodies) writes exactly
    what csv.writer writes, and reads back as the same cells."""
    expected = io.StringIO()
    csv.writer(expected).writerow(cells)
    written = export._csv_line(cells)
    assert written == expected.getvalue()
    (read,) = csv.reader(io.StringIO(written, newline=""))
    assert read == ["" if c is None else str(c) for c in cells]
