"""Hostile text in a real browser (Debian's Chromium driven by Playwright): the
article page, a search result and the admin's annotation panel carry payloads
that would open a dialog or create elements if they were markup. None fires,
none is created, and the payload reads as text."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.test_hostile_text import HOSTILE, NEEDLE, hostile  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hostile-text-is-only-text-42"

# Elements or attributes the payloads would create if they were parsed.
INJECTED = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const script = /^\\s*javascript:/i.test(attr.value);
      if (attr.name.startsWith("on") || script) {
        found.push(`${el.tagName} ${attr.name}`);
      }
    }
  }
  for (const img of document.querySelectorAll("img[src='x']")) found.push("img x");
  for (const script of document.querySelectorAll("script")) {
    if (script.textContent.includes("alert(") && !script.type.includes("json")) {
      found.push("script");
    }
  }
  return found;
}
"""


def watch_dialogs(page) -> list[str]:
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def visible_text(page) -> str:
    return " ".join(page.locator("body").inner_text().split())


def test_article_page_with_payloads_runs_none_of_them(page, live_server, hostile):  # noqa: F811
    dialogs = watch_dialogs(page)
    page.goto(live_server.url + hostile["article"].get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    expect(page.locator("mark.mark-quote")).to_have_text(HOSTILE)
    expect(page.locator("mark.mark-annotation")).to_have_text(HOSTILE)
    page.locator("mark.mark-quote").hover()
    page.wait_for_timeout(200)
    assert page.evaluate(INJECTED) == []
    assert dialogs == []
    assert page.title().startswith(HOSTILE)
    assert f"public note {HOSTILE}" in visible_text(page)


def test_search_result_with_payloads_runs_none_of_them(page, live_server, hostile):  # noqa: F811
    dialogs = watch_dialogs(page)
    page.goto(f"{live_server.url}/articles/?q={NEEDLE}")
    snippet = page.locator(".snippet")
    expect(snippet).to_have_count(1)
    expect(snippet.locator("mark")).to_have_text(NEEDLE)
    expect(snippet).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("article.card h3")).to_have_text(HOSTILE)
    page.wait_for_timeout(200)
    assert page.evaluate(INJECTED) == []
    assert dialogs == []


def test_admin_annotation_panel_shows_payloads_as_text(
    page,
    live_server,
    superuser,
    hostile,  # noqa: F811
):
    superuser.set_password(PASSWORD)
    superuser.save()
    dialogs = watch_dialogs(page)
    change = reverse("admin:articles_article_change", args=[hostile["article"].pk])
    page.goto(f"{live_server.url}/admin/login/?next={change}")
    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    section = page.locator("#annotate-section")
    if not section.evaluate("details => details.open"):
        section.locator("summary").click()  # folded below the form
    panel = page.locator("#annotate")
    expect(panel.locator("#annotate-list li").first).to_be_visible()
    expect(panel.locator("#annotate-list")).to_contain_text(f"public note {HOSTILE}")
    page.wait_for_timeout(200)
    assert page.evaluate(INJECTED) == []
    assert dialogs == []
    assert "<script>alert(1)</script>" in panel.locator("#annotate-body").inner_text()
