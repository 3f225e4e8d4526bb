"""The public site's look and reading in a real browser (Debian's Chromium
driven by Playwright): axe-core finds no violation at all, at desktop and phone
widths, on every kind of public page; the header's search box works from any
page; an APA citation is copied to the clipboard with its italics."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTICLE = (
    "/articles/2020/10/14/russia-has-never-viewed-turkey-as-its-strategic-ally-lavrov/"
)
PAGES = {
    "home": "/",
    "list": "/articles/",
    "search": "/articles/?q=Lavrov",
    "filtered search": "/articles/?q=Lavrov&outlet=duvar-english",
    "empty search": "/articles/?q=zeppelin&outlet=tass",
    "refused question": "/articles/?date_from=not-a-date",
    "article": ARTICLE,
    "outlet": "/outlets/tass/",
    "person": "/people/sergey-lavrov/",
    "topic": "/topics/russia-turkey-relations/",
    "outlets": "/outlets/",
    "people": "/people/",
    "topics": "/topics/",
    "quotes": "/quotes/",
    "search help": "/search/help/",
    "not found": "/no-such-page/",
}
WIDTHS = {"desktop": 1280, "phone": 390}


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_violations(page, live_server, demo, name, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    page.goto(live_server.url + PAGES[name])
    assert violations(page) == []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width], f"{name} scrolls sideways ({scroll}px)"


def test_pages_use_the_self_hosted_fonts(page, live_server, demo):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + ARTICLE)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('1rem \"Source Serif 4\"')")
    assert page.evaluate("document.fonts.check('1rem \"Source Sans 3\"')")
    fonts = [url for url in requested if url.endswith(".woff2")]
    assert fonts and all(url.startswith(live_server.url + "/static/") for url in fonts)
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert family.startswith('"Source Serif 4"')


def test_search_from_the_home_pages_header(page, live_server, demo):
    page.goto(live_server.url)
    page.get_by_label("Search all articles").fill("Lavrov")
    page.get_by_role("button", name="Find articles").click()
    expect(page).to_have_url(re.compile(r"/articles/\?q=Lavrov$"))
    expect(page.locator("article.card")).to_have_count(3)


def test_header_search_on_an_outlet_page_stays_within_it_and_its_filters(
    page, live_server, demo
):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/outlets/duvar-english/?language=en")
    page.get_by_label("Search Duvar English within these filters").fill("strategic")
    page.get_by_label("Search Duvar English within these filters").press("Enter")
    expect(page).to_have_url(
        re.compile(r"/outlets/duvar-english/\?q=strategic&language=en$")
    )
    expect(page.locator("article.card")).to_have_count(1)
    expect(page.locator("article.card")).to_contain_text("strategic ally")


def test_copy_an_apa_citation(page, live_server, demo):
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page.goto(live_server.url + ARTICLE)
    shown = page.locator("#cite-apa")
    expect(shown).to_contain_text("Duvar English. ([2020, October 14]).")
    page.get_by_role("button", name="Copy APA (7th ed.)").click()
    expect(page.locator("#cite .copy-status").first).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown.text_content()
    assert copied.startswith(
        "Duvar English. ([2020, October 14]). Russia has never viewed Turkey as its "
        "strategic ally: Lavrov. Archived at News archive. http"
    )
    html = page.evaluate(
        """async () => {
          const [item] = await navigator.clipboard.read();
          return await (await item.getType("text/html")).text();
        }"""
    )
    assert "<i>Russia has never viewed Turkey as its strategic ally: Lavrov</i>" in html


def test_citations_stay_readable_and_downloadable_without_javascript(
    browser, live_server, demo
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + ARTICLE)
    expect(page.locator("#cite-apa")).to_contain_text("Duvar English. ([2020")
    expect(page.get_by_role("button", name="Copy APA (7th ed.)")).to_be_hidden()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="APA (7th ed.)").click()
    text = download_info.value.path().read_text(encoding="utf-8")
    assert text == page.locator("#cite-apa").text_content()
    context.close()


def test_a_quote_in_the_list_leads_to_its_words_in_the_text(page, live_server, demo):
    page.goto(live_server.url + ARTICLE)
    page.locator(".quote-list li").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#quote-\d+$"))
    target = page.locator(":target")
    expect(target).to_have_class(re.compile("mark-quote"))
    expect(target).to_contain_text("We have never considered Turkey")
    expect(target).to_be_in_viewport()
