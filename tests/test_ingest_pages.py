"""Saved pages in the shape of real ones (tests/inputs/pages): each holds a way
the importer used to lose article text or metadata, and its known text in
NAME.txt. The folder is also bench_extract's regression set."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.ingest import scoring
from articles.ingest.html import parse_html
from articles.ingest.parsed import ParsedArticle
from articles.text import lead_is_repeated

PAGES = Path(__file__).parent / "inputs" / "pages"


def page(name: str) -> ParsedArticle:
    return parse_html((PAGES / f"{name}.html").read_text(encoding="utf-8"))


def known_text(name: str) -> str:
    return (PAGES / f"{name}.txt").read_text(encoding="utf-8")


def shingle_scores(name: str, body: str) -> tuple[float, float]:
    score = scoring.Score(name)
    scoring.score_text(score, scoring.Page(name, "", text=known_text(name)), body)
    return score.precision, score.recall


@pytest.mark.parametrize(
    "name", sorted(path.stem for path in PAGES.glob("*.html")), ids=str
)
def test_every_page_gives_its_whole_text_and_nothing_else(name):
    precision, recall = shingle_scores(name, page(name).body)
    assert (precision, recall) == (1.0, 1.0)


def test_html_comments_inside_the_article_cost_no_text():
    article = page("comments_in_article")
    assert "who asked that the figures not be published" in article.body
    assert article.body.startswith("Port operators along the Caspian Sea")
    assert "Aktau and Turkmenbashi report similar demand" in article.body
    assert article.body.endswith("runs at capacity through the spring.")
    assert "ad slot" not in article.body and "Most read" not in article.body


def test_a_page_laid_out_in_a_table_keeps_its_text_not_its_sidebar():
    article = page("table_layout")
    assert article.title == "Sınır kapısında yoğunluk sürüyor"
    assert article.outlet == "Kars Gazetesi"
    assert article.outlet_domains == ["karsgazetesi.example"]
    assert "Tır şoförleri ise kuyrukta bekleyen" in article.body
    for furniture in ("Çok okunanlar", "Kars'ta kar kalınlığı", "Ana Sayfa"):
        assert furniture not in article.body
    # The date line above the text dates the article and leaves the body.
    assert article.published_at == dt.datetime(2011, 2, 14, 10, 45, tzinfo=dt.UTC)
    assert "14.02.2011" not in article.body
    assert any("14.02.2011 - 10:45" in w for w in article.warnings)


def test_a_results_table_is_part_of_the_article_a_row_a_line():
    article = page("results_table")
    assert (
        "Place | Runner | Country | Time\n1 | Evans Kiprotich | Kenya | 2:09:41\n"
        in article.body
    )
    assert "5 | Ramil Guliyev | Azerbaijan | 2:14:18\n\nGuliyev's fifth place" in (
        article.body
    )
    assert article.outlet == "Caspian Sport"  # the logo's alt text
    assert article.outlet_domains == ["sport.caspian.example"]


def test_a_cut_description_is_completed_without_emptying_the_body():
    article = page("truncated_description")
    # The page's only paragraph stays the body; the lead is its first sentence.
    assert article.body == known_text("truncated_description").strip()
    assert article.lead == (
        "The central bank kept its key rate at 9.5% on Thursday, saying inflation "
        "had slowed for a fourth month but that the risks from food prices and a "
        "weaker currency had not gone away."
    )
    assert lead_is_repeated(article.lead, article.body)


def test_the_outlet_is_found_in_the_title_suffix():
    article = page("outlet_in_title_suffix")
    assert article.outlet == "Baku Observer"
    assert article.title.startswith("Ferry service to Turkmenbashi resumes")
    assert "Baku Observer" not in article.title


def test_the_outlet_is_found_in_the_copyright_line_and_its_year_is_no_date():
    article = page("outlet_in_copyright")
    assert article.outlet == "Волжская газета"
    assert article.language == "ru"
    # "© 2022" is when the site was, not when the article was published.
    assert article.published_at is None
    assert "The page gives no publication date; left empty." in article.warnings


def test_a_title_that_is_only_the_site_name_gives_way_to_the_headline():
    article = page("site_name_as_title")
    assert article.title == "Police break up caviar smuggling ring on the Volga delta"
    assert article.outlet == "Caspian Herald"
    assert article.authors == ["Ivan Sokolov"]


@pytest.mark.parametrize(
    "byline, authors",
    [
        (
            "By Anna Petrova and Ivan Ivanov | 12 March 2024",
            ["Anna Petrova", "Ivan Ivanov"],
        ),
        ("By Staff Reporter", []),
        ("By Caspian Herald", []),
    ],
)
def test_bylines_name_people_not_desks_or_the_outlet(byline, authors):
    html = (
        "<html><head><title>Talks end | Caspian Herald</title>"
        '<meta property="og:site_name" content="Caspian Herald"></head><body>'
        f'<article><h1>Talks end</h1><p class="byline">{byline}</p>'
        "<p>The talks in Ankara ended on Friday without an agreement on the "
        "grain corridor, officials from both delegations said afterwards.</p>"
        "</article></body></html>"
    )
    assert parse_html(html).authors == authors


def test_bench_extract_scores_the_regression_set():
    out = StringIO()
    call_command("bench_extract", str(PAGES), "--worst", "2", stdout=out)
    report = out.getvalue()
    assert f"{len(list(PAGES.glob('*.html')))} pages" in report
    assert "| importer | 1.000 | 1.000 | 1.000 | 0 | 0 |" in report
    assert "outlet: 7 (100%)" in report
    assert "Worst 2 pages for the importer:" in report


def test_bench_extract_scores_snippets_and_trafilatura_alike(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text(
        (PAGES / "comments_in_article.html").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (tmp_path / "evaldata.json").write_text(
        '{"https://www.caspianherald.example/business/x": {"file": "a.html",'
        ' "with": ["who asked that the figures", "runs at capacity"],'
        ' "without": ["Most read", "All rights reserved"]}}',
        encoding="utf-8",
    )
    out = StringIO()
    call_command("bench_extract", str(tmp_path), "--trafilatura", stdout=out)
    report = out.getvalue()
    assert "| importer | 1.000 | 1.000 | 1.000 | 0 | 0 |" in report
    assert "| trafilatura extract() |" in report


def test_bench_extract_refuses_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder") as error:
        call_command("bench_extract", str(tmp_path / "nope"), stdout=StringIO())
    assert error.value.returncode == 2
