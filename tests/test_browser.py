"""The public pages in a real browser: Debian's Chromium driven by Playwright,
with an axe-core accessibility scan of each page type."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_reader_goes_from_home_to_an_article_and_its_outlet(page, live_server, demo):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Latest articles")).to_be_visible()
    expect(page.locator("article.card")).to_have_count(5)

    page.get_by_role(
        "link", name="Putin: Russia seeks to restore full-fledged ties"
    ).click()
    expect(page).to_have_url(re.compile(r"/articles/2016/08/16/[a-z0-9-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("full-fledged ties")
    expect(page.locator(".byline")).to_have_text("By Gunay Hasanova")
    expect(page.locator("#p1")).to_contain_text("sincerely seeking to restore")

    page.locator(".meta").get_by_role("link", name="AzerNews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AzerNews")
    expect(page.locator("article.card")).to_have_count(1)


def test_search_narrow_by_facet_open_and_cite(page, live_server, demo):
    page.goto(live_server.url + "/articles/")
    page.get_by_label("Search the archive").fill("Lavrov")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("article.card")).to_have_count(3)
    expect(page.locator(".snippet mark").first).to_be_visible()

    page.locator(".facets").get_by_role("link", name="Duvar English").click()
    expect(page).to_have_url(re.compile(r"outlet=duvar-english"))
    expect(page.locator("article.card")).to_have_count(2)

    page.locator("article.card a").first.click()
    expect(page.get_by_role("heading", name="Cite this")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("BibTeX")).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-bibtex.bib")
    text = download.path().read_text(encoding="utf-8")
    assert "@article{" in text and "Duvar English" in text


def test_follow_a_person_to_their_quotes_and_timeline(page, live_server, demo):
    page.goto(live_server.url + "/people/")
    page.get_by_role("link", name="Sergey Lavrov").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sergey Lavrov")
    expect(page.get_by_role("heading", name="Quotes")).to_be_visible()
    expect(page.locator("figure.quote").first).to_contain_text("strategic ally")
    expect(page.locator("svg").first).to_be_visible()
    page.get_by_text("Show the numbers").click()
    expect(page.locator("table").first).to_be_visible()


def test_article_page_reads_on_a_phone(page, live_server, demo):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/articles/")
    page.locator("article.card a").first.click()
    expect(page.locator("article.article .body")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px wide)"


PAGE_TYPES = {
    "home": "/",
    "article list": "/articles/",
    "search": "/articles/?q=Turkey",
    "outlet": "/outlets/tass/",
    "person": "/people/sergey-lavrov/",
    "topic": "/topics/syria/",
    "indexes": "/topics/",
    "quotes": "/quotes/",
    "search help": "/search/help/",
    "not found": "/no-such-page/",
}


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_page_has_no_serious_accessibility_violations(page, live_server, demo, name):
    page.goto(live_server.url + PAGE_TYPES[name])
    assert serious_violations(page) == []


def test_article_page_has_no_serious_accessibility_violations(page, live_server, demo):
    page.goto(live_server.url + "/articles/")
    page.locator("article.card a").first.click()
    expect(page.locator("article.article")).to_be_visible()
    assert serious_violations(page) == []


def try_the_article_list(page, live_server):
    """Open the API docs (Swagger UI), try the article list and wait for its
    200."""
    page.goto(live_server.url + "/api/docs/")
    operation = page.locator("#operations-articles-articles_list")
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(
        page.locator(".live-responses-table tbody .response-col_status").first
    ).to_have_text("200")


def test_api_docs_render_from_our_own_files_and_try_a_call(page, live_server, demo):
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith(live_server.url)
            and not request.url.startswith("data:")
            else None
        ),
    )
    try_the_article_list(page, live_server)
    expect(page.locator(".live-responses-table")).to_contain_text(
        "Putin: Russia seeks to restore full-fledged ties"
    )
    assert elsewhere == []
