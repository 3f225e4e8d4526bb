"""The curator workflow in a real browser (Debian's Chromium driven by
Playwright): annotate an article's body in the admin, send it to review, and an
editor publishes it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Annotation, Article, Quote
from tests.conftest import member_of, restore_role_groups
from tests.factories import ArticleFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "annotate-the-body-42"
# The dove before the passage is one code point but two UTF-16 units: the
# offsets the page sends must still be the server's (code point) ones.
BODY = (
    "Talks opened in Geneva \N{DOVE OF PEACE} on Monday.\n\n"
    "\N{LEFT DOUBLE QUOTATION MARK}We had a useful exchange,"
    "\N{RIGHT DOUBLE QUOTATION MARK} the minister said after the meeting."
)
PASSAGE = "We had a useful exchange,"

SELECT_WORDS = """
([selector, words]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const at = text.indexOf(words);
  const boundary = (index) => {
    for (const [node, offset] of nodes) {
      if (index <= offset + node.data.length) return [node, index - offset];
    }
  };
  const range = document.createRange();
  range.setStart(...boundary(at));
  range.setEnd(...boundary(at + words.length));
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
"""


@pytest.fixture
def role_groups(transactional_db):
    restore_role_groups()


def user_with_password(group, username):
    user = member_of(group, username)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def save_with_status(page, status):
    page.locator("#id_status").select_option(status)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("changed")


def test_curator_annotates_and_sends_to_review_then_editor_publishes(
    role_groups, page, live_server
):
    curator = user_with_password("Curators", "curator")
    user_with_password("Editors", "editor")
    PersonFactory(name="Sergey Lavrov", slug="sergey-lavrov")
    PersonFactory(name="Maria Zakharova", slug="maria-zakharova")
    article = ArticleFactory(body=BODY, status=Article.Status.DRAFT)
    change_url = reverse("admin:articles_article_change", args=[article.pk])

    log_in(page, live_server, "curator", change_url)
    page.locator("#annotate-section > summary").click()
    panel = page.locator("#annotate")
    expect(panel.get_by_role("heading", name="Annotate the body")).to_be_visible()
    expect(panel.locator("#annotate-body")).to_have_text(BODY)

    page.evaluate(SELECT_WORDS, ["#annotate-body", PASSAGE])
    expect(panel.locator("#annotate-exact")).to_have_text(PASSAGE)
    start = BODY.index(PASSAGE)
    expect(panel.get_by_label("Start")).to_have_value(str(start))
    expect(panel.get_by_label("End")).to_have_value(str(start + len(PASSAGE)))

    panel.get_by_label("Note", exact=True).fill("Said after the first session.")
    panel.get_by_label("Public").check()
    panel.get_by_role("button", name="Add note").click()
    status = panel.get_by_role("status")
    expect(status).to_have_text("Note added (public).")
    expect(panel.locator("#annotate-list")).to_contain_text(
        "Said after the first session."
    )

    panel.get_by_label("Speaker").press_sequentially("lavr")
    panel.get_by_role("option", name="Sergey Lavrov").click()
    expect(panel.get_by_label("Speaker")).to_have_value("Sergey Lavrov")
    panel.get_by_role("button", name="Add quote").click()
    expect(status).to_have_text("Quote by Sergey Lavrov added.")
    expect(panel.locator("#annotate-list li")).to_have_count(2)
    expect(panel.locator("#annotate-body mark")).to_have_text(PASSAGE)

    panel.get_by_role("button", name="Add quote").click()
    expect(status).to_have_text("Quote not added: This quote is already recorded.")
    expect(panel.locator("#annotate-list li")).to_have_count(2)
    violations = Axe().run(page, context="#annotate").response["violations"]
    assert [v["id"] for v in violations if v["impact"] in {"serious", "critical"}] == []

    note = Annotation.objects.get(article=article)
    assert (note.visibility, note.author) == ("public", curator)
    assert BODY[note.start : note.end] == note.exact == PASSAGE
    quote = Quote.objects.get(article=article)
    assert quote.speaker.slug == "sergey-lavrov"
    assert BODY[quote.start : quote.end] == quote.text == PASSAGE

    save_with_status(page, "review")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert article.annotations.count() == article.quotes.count() == 1

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "editor", change_url)
    save_with_status(page, "published")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    page.goto(live_server.url + article.get_absolute_url())
    notes = page.locator("section", has=page.get_by_role("heading", name="notes"))
    expect(notes).to_contain_text("Said after the first session.")
    expect(notes).to_contain_text(PASSAGE)
