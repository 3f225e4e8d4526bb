"""The researcher's loop in a real browser (Debian's Chromium driven by
Playwright), on the demo archive and on a small generated one: search from the
home page, read the exact count, see the chart and its numbers, narrow by a
facet, open what the articles are about, compare with a second outlet added by
name, export the view as CSV and read it back, and copy an APA citation. axe
finds no violation on any page of the loop, at desktop and phone widths."""

import csv
import re
from collections import Counter
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from articles import export, search
from articles.models import Article, Outlet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"desktop": 1280, "phone": 390}


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def looked_at(page, where: str) -> None:
    """No axe violation, and nothing wider than the window."""
    assert violations(page) == [], where
    scroll = page.evaluate("document.documentElement.scrollWidth")
    width = page.viewport_size["width"]
    assert scroll <= width, f"{where} scrolls sideways ({scroll}px at {width}px)"


def number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def shown_count(page) -> int:
    return number(page.locator(".result-count strong").text_content())


def search_from_home(page, live_server, words: str) -> int:
    page.goto(live_server.url)
    looked_at(page, "home")
    page.get_by_label("Search all articles").fill(words)
    page.get_by_role("button", name="Find articles").click()
    expect(page).to_have_url(re.compile(r"/articles/\?q="))
    looked_at(page, "results")
    return shown_count(page)


def chart_numbers(page) -> list[int]:
    """The chart's table, opened: the first series' count in each period."""
    chart = page.locator("figure.chart").first
    expect(chart.locator("svg.chart-plot")).to_be_visible()
    expect(chart.locator("svg.chart-plot polyline")).to_have_count(1)
    chart.get_by_text("Show the numbers").click()
    table = chart.locator("table")
    expect(table).to_be_visible()
    cells = table.locator("tbody tr td:nth-child(2)").all_text_contents()
    return [number(cell.split("(")[0]) for cell in cells]


def narrow_by_first_outlet(page) -> tuple[str, int]:
    facet = page.locator(".facets section").filter(
        has=page.get_by_role("heading", name="Outlet", exact=True)
    )
    first = facet.locator("li").first
    name = first.get_by_role("link").text_content().strip()
    count = number(first.locator(".count").text_content())
    first.get_by_role("link").click()
    expect(page.locator(".active-filters")).to_contain_text(f"Outlet: {name}")
    looked_at(page, "results narrowed by an outlet")
    return name, count


def export_csv(page) -> list[dict]:
    with page.expect_download() as download:
        page.locator(".research-links").get_by_role("link", name="CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    return list(csv.DictReader(StringIO(text)))


def open_about(page, count: int) -> None:
    page.get_by_role("link", name="What these articles are about").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What these articles are about"
    )
    expect(page.locator(".lead")).to_contain_text(
        f"{count:,} article{'s' if count != 1 else ''}."
    )
    expect(page.get_by_role("heading", name="Outlets")).to_be_visible()
    looked_at(page, "what it is about")
    page.go_back()


def compare_with(page, first: str, second: str, typed: str) -> None:
    """From the results page to a comparison, then a second outlet added by
    typing part of its name, choosing the suggestion (the datalist the
    script fills), and adding it."""
    page.get_by_role("link", name="Compare with other searches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compare attention over time"
    )
    looked_at(page, "compare, one series")
    picker = page.get_by_label("Outlet", exact=True)
    picker.press_sequentially(typed, delay=30)
    suggestions = page.locator(f"#{picker.get_attribute('list')} option")
    expect(suggestions.filter(has_text="")).not_to_have_count(0)
    values = [o.get_attribute("value") for o in suggestions.all()]
    assert second in values, values
    picker.fill(second)
    page.get_by_role("button", name="Add to the comparison").click()
    legend = page.locator("ul.legend li")
    expect(legend).to_have_count(2)
    expect(legend.nth(0)).to_contain_text(first)
    expect(legend.nth(1)).to_contain_text(second)
    expect(page.locator("svg.chart-plot polyline")).to_have_count(2)
    looked_at(page, "compare, two series")


def copy_apa(page, live_server) -> None:
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page.locator("article.card .card-title a").first.click()
    looked_at(page, "article")
    page.get_by_role("button", name="Copy APA (7th ed.)").click()
    expect(page.locator("#cite .copy-status").first).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied and copied == page.locator("#cite-apa").text_content()
    assert "Archived at News archive." in copied


def documented_columns(page, live_server) -> list[str]:
    page.goto(live_server.url + "/search/help/")
    return [c.strip() for c in page.locator(".columns code").all_text_contents()]


def check_rows(rows: list[dict], *, count: int, outlet: str) -> None:
    assert len(rows) == count
    assert {r["outlet.name"] for r in rows} == {outlet}
    assert {r["status"] for r in rows} == {"published"}
    ids = [int(r["id"]) for r in rows]
    assert Article.objects.published().filter(pk__in=ids).count() == count


def other_outlet(name: str) -> str:
    """A public outlet other than the one named, to compare it with."""
    return Outlet.objects.public().exclude(name=name).order_by("name").first().name


def the_loop(page, live_server, words):
    count = search_from_home(page, live_server, words)
    assert count > 0
    # Undated articles are counted but drawn in no period.
    assert 0 < sum(chart_numbers(page)) <= count
    outlet, narrowed = narrow_by_first_outlet(page)
    assert shown_count(page) == narrowed
    assert sum(chart_numbers(page)) <= narrowed
    open_about(page, narrowed)
    rows = export_csv(page)
    check_rows(rows, count=narrowed, outlet=outlet)
    assert list(rows[0]) == export.columns()
    second = other_outlet(outlet)
    compare_with(page, outlet, second, typed=second[:4])
    page.go_back()
    page.go_back()
    expect(page.locator(".result-count strong")).to_have_text(f"{narrowed:,}")
    copy_apa(page, live_server)
    assert list(rows[0]) == documented_columns(page, live_server)
    return count, rows


@pytest.mark.parametrize("width", WIDTHS)
def test_the_loop_on_the_demo_archive(page, live_server, demo, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    count, rows = the_loop(page, live_server, "Lavrov")
    assert count == 3
    # Duvar English has two of the three; their rows carry the whole text.
    assert len(rows) == 2
    assert all(r["body"] and r["web_url"].startswith(live_server.url) for r in rows)


@pytest.fixture
def generated(db):
    call_command(
        "generate_corpus",
        stdout=StringIO(),
        articles=400,
        outlets=12,
        people=300,
        topics=80,
        seed=11,
        batch_size=200,
    )


def test_the_loop_on_a_generated_archive(page, live_server, generated):
    page.set_viewport_size({"width": 1280, "height": 900})
    count, rows = the_loop(page, live_server, "pipeline")
    published = Article.objects.published()
    assert count == search.find(search.Question(text=search.parse("pipeline"))).total
    assert 0 < count < published.count()
    # The facet's outlet, exported: every one of its matching articles.
    outlet = rows[0]["outlet.slug"]
    ids = {int(r["id"]) for r in rows}
    assert len(ids) == len(rows)
    assert Counter(
        published.filter(pk__in=ids).values_list("outlet__slug", flat=True)
    ) == {outlet: len(rows)}


def test_a_picker_resolves_a_typed_name_without_javascript(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/articles/?q=Lavrov")
    page.get_by_text("Filters: outlets").click()
    page.get_by_label("Person", exact=True).fill("Sergey Lavrov")
    page.get_by_label("Outlet", exact=True).fill("Duvar English")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(
        re.compile(
            r"/articles/\?q=Lavrov&sort=relevance&outlet=duvar-english"
            r"&person=sergey-lavrov$"
        )
    )
    expect(page.locator(".active-filters li")).to_have_count(3)
    expect(page.locator(".result-count strong")).to_have_text("2")
    # A name no one has: a 400 naming the picker, the form as it was. (The
    # filters stay open while any is active.)
    page.get_by_label("Topic", exact=True).fill("Zeppelins")
    with page.expect_response(lambda r: "topic_name" in r.url) as answer:
        page.get_by_role("button", name="Apply filters").click()
    response = answer.value
    assert response.status == 400
    expect(page.locator(".errors")).to_contain_text(
        "Topic: No topic in the archive is called “Zeppelins”."
    )
    expect(page.get_by_label("Topic", exact=True)).to_have_value("Zeppelins")
    expect(page.get_by_label("Search the archive")).to_have_value("Lavrov")
    context.close()
