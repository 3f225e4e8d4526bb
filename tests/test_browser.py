"""The public pages in a real browser: Debian's Chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_goes_from_home_to_an_article_and_its_outlet(page, live_server, demo):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Latest articles")).to_be_visible()
    cards = page.locator("article.card")
    expect(cards).to_have_count(5)

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


def test_article_page_reads_on_a_phone(page, live_server, demo):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/articles/")
    page.locator("article.card a").first.click()
    expect(page.locator("article.article .body")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px wide)"
