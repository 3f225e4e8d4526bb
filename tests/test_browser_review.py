"""A curator's day in a real browser (Debian's Chromium driven by Playwright):
twenty imported drafts reviewed through the queue, each suggestion confirmed
or rejected in place, one draft tagged, every draft sent to review; once with
the mouse, counting clicks and page loads, and once from the keyboard alone.
axe-core finds no violation on the list, the article page and the queue."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, ArticlePerson, ArticleTopic, LinkState, Quote
from tests.conftest import member_of, restore_role_groups
from tests.review_drafts import import_drafts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "review-the-queue-42"
# The same task on the admin before the queue, measured in Chromium on its
# code (docs/curating.md, "How many clicks"): list → open → decide each
# suggestion in the inlines → status → save (back to the list), per draft; and
# its shortest way, with "Confirm all suggestions" after rejecting in the inline.
OLD_WAY_CLICKS = 215
OLD_WAY_CONFIRM_ALL_CLICKS = 155


@pytest.fixture
def drafts(transactional_db):
    restore_role_groups()
    user = member_of("Curators", "curator")
    user.set_password(PASSWORD)
    user.save()
    return import_drafts()


class Counted:
    """The curator's actions on a page: clicks, keys pressed, pages loaded."""

    def __init__(self, page):
        self.page, self.clicks, self.keys, self.loads = page, 0, 0, 0
        self.urls = []
        page.on("load", self.loaded)

    def loaded(self, _page):
        self.loads += 1
        self.urls.append(self.page.url)

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def press(self, key):
        self.keys += 1
        self.page.keyboard.press(key)


FOCUS_ON_TOPIC_BOX = """() => {
  const box = document.activeElement.closest(".select2-container");
  return Boolean(box && box.closest("#topic_links-group"));
}"""


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#review-queue")).to_contain_text("Drafts")
    page.wait_for_load_state("load")  # counting starts on the loaded index


def rejected(suggestion) -> bool:
    """The curator's decision: people merely mentioned are rejected."""
    return "mentioned" in suggestion.inner_text()


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def assert_reviewed(drafts, tagged):
    assert not Article.objects.filter(status="draft").exists()
    assert Article.objects.filter(status="review").count() == len(drafts) == 20
    waiting = [
        model.objects.filter(state=LinkState.SUGGESTED).count()
        for model in (ArticlePerson, ArticleTopic, Quote)
    ]
    assert waiting == [0, 0, 0]
    assert not ArticlePerson.objects.filter(role="mentioned").exists()
    assert ArticlePerson.objects.filter(state="confirmed").count() == 20
    assert Quote.objects.filter(state="confirmed").count() == 20
    assert list(tagged.topics.values_list("name", flat=True).order_by("name")) == [
        "Black Sea grain deal",
        "Energy",
    ]


def review_with_the_mouse(page, live_server, drafts, decide) -> Counted:
    """Walk the queue with the mouse: on each draft, decide(suggestions,
    counted) until none waits; tag the first with Energy; send each to
    review, which opens the next. Returns what it took."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server)
    counted = Counted(page)
    counted.click(page.get_by_role("link", name="Open the oldest of the drafts"))
    for number, draft in enumerate(drafts):
        expect(page.locator("#id_title")).to_have_value(draft.title)
        page.wait_for_load_state("load")  # its script too, as a person would
        decide(page.locator(".suggestion"), counted)
        expect(page.locator("#waiting-count")).to_have_text("0")
        if number == 0:
            counted.click(page.get_by_role("button", name="Add another Topic"))
            counted.click(page.locator("#topic_links-group .select2-selection").last)
            page.keyboard.type("Energy")
            counted.click(page.get_by_role("option", name="Energy"))
        counted.click(
            page.get_by_role("button", name="Send to review and open the next")
        )
    expect(page.locator(".messagelist")).to_contain_text("That was the last of")
    page.wait_for_load_state("load")
    assert_reviewed(drafts, drafts[0])
    assert counted.loads == 1 + len(drafts), counted.urls
    return counted


def test_curator_reviews_twenty_drafts_with_half_the_clicks(page, live_server, drafts):
    def one_by_one(suggestions, counted):
        for index in range(suggestions.count()):
            suggestion = suggestions.nth(index)
            decision = "Reject" if rejected(suggestion) else "Confirm"
            counted.click(suggestion.get_by_role("button", name=decision))
            expect(suggestion.locator(".suggestion-outcome")).to_have_text(
                f"{decision}ed"
            )

    counted = review_with_the_mouse(page, live_server, drafts, one_by_one)
    print(f"\nQueue, mouse: {counted.clicks} clicks, {counted.loads} page loads")
    assert counted.clicks <= OLD_WAY_CLICKS / 2


def test_with_confirm_all_the_task_takes_a_third_of_the_clicks(
    page, live_server, drafts
):
    def rejections_then_all(suggestions, counted):
        for index in range(suggestions.count()):
            suggestion = suggestions.nth(index)
            if rejected(suggestion):
                counted.click(suggestion.get_by_role("button", name="Reject"))
                expect(suggestion.locator(".suggestion-outcome")).to_be_visible()
        page = suggestions.page
        counted.click(page.get_by_role("button", name="Confirm all suggestions"))

    counted = review_with_the_mouse(page, live_server, drafts, rejections_then_all)
    print(f"\nQueue, confirm all: {counted.clicks} clicks, {counted.loads} page loads")
    assert counted.clicks <= OLD_WAY_CONFIRM_ALL_CLICKS / 2


def test_curator_reviews_twenty_drafts_from_the_keyboard(page, live_server, drafts):
    log_in(page, live_server)
    counted = Counted(page)
    page.get_by_role("link", name="Open the oldest of the drafts").focus()
    counted.press("Enter")
    for number, draft in enumerate(drafts):
        expect(page.locator("#id_title")).to_have_value(draft.title)
        page.wait_for_load_state("load")  # its script too, as a person would
        suggestions = page.locator(".suggestion")
        for index in range(suggestions.count()):
            suggestion = suggestions.nth(index)
            counted.press("x" if rejected(suggestion) else "c")
            expect(suggestion.locator(".suggestion-outcome")).not_to_have_count(0)
        move = page.get_by_role("button", name="Send to review and open the next")
        # Deciding the last suggestion leaves the keyboard on the move.
        expect(move).to_be_focused()
        if number == 0:
            page.get_by_role("button", name="Add another Topic").focus()
            counted.press("Enter")
            # Back from "Add another Topic" to the new row's topic box.
            for _ in range(6):
                counted.press("Shift+Tab")
                if page.evaluate(FOCUS_ON_TOPIC_BOX):
                    break
            counted.press("Enter")
            # Typed into the box's search field once it is open and has the
            # keyboard (keys pressed before that go nowhere).
            expect(page.locator(".select2-search__field")).to_be_focused()
            page.keyboard.type("Energy")
            # Enter takes the highlighted option: wait, as a person would, for
            # the answer to what was typed (the list shown before it has every
            # topic, Energy among them, another one highlighted).
            highlighted = page.locator(".select2-results__option--highlighted")
            expect(highlighted).to_have_text("Energy")
            counted.press("Enter")
            # Chosen, as the person sees it, before they move on.
            chosen = page.locator("#topic_links-group .select2-selection__rendered")
            expect(chosen.last).to_contain_text("Energy")
            move.focus()
        counted.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("That was the last of")
    page.wait_for_load_state("load")
    assert_reviewed(drafts, drafts[0])
    print(f"\nQueue, keyboard: {counted.keys} keys, {counted.loads} page loads")


def test_j_and_k_walk_the_queue(page, live_server, drafts):
    log_in(page, live_server)
    page.goto(
        live_server.url + reverse("admin:articles_article_queue") + "?queue=draft"
    )
    expect(page.locator("#id_title")).to_have_value(drafts[0].title)
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    expect(page.locator("#id_title")).to_have_value(drafts[1].title)
    page.wait_for_load_state("load")
    page.keyboard.press("k")
    expect(page.locator("#id_title")).to_have_value(drafts[0].title)
    page.wait_for_load_state("load")
    # Typing in a field types; it does not leave the page.
    page.locator("#id_title").press("End")
    page.locator("#id_title").press("j")
    expect(page.locator("#id_title")).to_have_value(drafts[0].title + "j")


@pytest.mark.parametrize(
    "where",
    [
        "changelist",
        "filtered changelist",
        "queue",
        "article",
        "index",
    ],
)
def test_admin_pages_have_no_accessibility_violations(page, live_server, drafts, where):
    log_in(page, live_server)
    changelist = reverse("admin:articles_article_changelist")
    address = {
        "changelist": changelist,
        "filtered changelist": changelist + "?status__exact=draft&suggestions=pending",
        "queue": reverse("admin:articles_article_queue") + "?queue=draft",
        "article": reverse("admin:articles_article_change", args=[drafts[3].pk]),
        "index": "/admin/",
    }[where]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + address)
    # Every section open: what is folded is checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert violations(page) == []
