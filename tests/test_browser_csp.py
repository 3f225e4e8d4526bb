"""The Content-Security-Policy in a real browser (Debian's Chromium driven by
Playwright): the public site, the admin with its annotation script, the API's
browsable pages and Swagger UI all work under it, and the browser reports no
violation on any of them."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_browser import try_the_article_list
from tests.test_browser_workflow import log_in, user_with_password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Reports each violation the browser raises to the test, from every document
# the page loads (the listener is installed before any of the page's scripts).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `on ${document.location.pathname}`
  );
});
"""


@pytest.fixture
def violations(page):
    """Return the list of CSP violations the browser reports, as they come."""
    seen = []
    page.expose_function("cspViolation", lambda text: seen.append(text))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


@pytest.fixture
def role_groups(transactional_db):
    from tests.conftest import restore_role_groups

    restore_role_groups()


def test_the_listener_sees_an_inline_script_the_policy_blocks(
    page, live_server, violations
):
    """The check below can fail: an injected inline script is refused, reported,
    and does not run."""
    response = page.goto(live_server.url + "/search/help/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.body.dataset.ran = 'yes'";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("document.body.dataset.ran") is None
    assert any("script-src" in v for v in violations), violations


PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/articles/?q=Lavrov",
    "/outlets/",
    "/outlets/tass/",
    "/people/sergey-lavrov/",
    "/topics/syria/",
    "/quotes/",
    "/search/help/",
]


def test_public_pages_raise_no_violation(page, live_server, demo, violations):
    for path in PUBLIC_PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path
    page.goto(live_server.url + "/articles/")
    page.locator("article.card a").first.click()
    expect(page.locator("article.article .body")).to_be_visible()
    # The styles came from our stylesheet (style-src 'self'): the card grid is laid
    # out, not unstyled.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).display"
    ) not in {"", "inline"}
    assert violations == []


def test_admin_and_its_annotation_script_raise_no_violation(
    role_groups, page, live_server, violations
):
    user_with_password("Editors", "editor")
    article = ArticleFactory(
        body="Talks opened in Geneva on Monday.", status=Article.Status.DRAFT
    )
    change = f"/admin/articles/article/{article.pk}/change/"
    log_in(page, live_server, "editor", change)
    panel = page.locator("#annotate")
    # annotate.js ran: it fills the panel's body and wires its controls.
    expect(panel.locator("#annotate-body")).to_have_text(
        "Talks opened in Geneva on Monday."
    )
    panel.get_by_label("Speaker").press_sequentially("ge")
    for path in [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/import/",
        "/admin/articles/person/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
    # The browsable API, with its jQuery and Bootstrap, as a curator sees it.
    page.goto(live_server.url + "/api/v1/articles/")
    expect(page.locator(".response-info")).to_contain_text(article.title)
    assert violations == []


def test_swagger_ui_renders_and_calls_the_api_without_a_violation(
    page, live_server, demo, violations
):
    try_the_article_list(page, live_server)
    assert violations == []
