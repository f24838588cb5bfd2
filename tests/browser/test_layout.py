"""The site in a real browser: accessible in both languages, nothing fetched from other hosts."""

import pytest
from django.core.management import call_command

from .axe import assert_no_axe_violations, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)


def test_axe_helper_reports_a_missing_alt_text(browser_page):
    page = browser_page.page
    page.goto("/healthz")
    page.set_content(
        '<!DOCTYPE html><html lang="da"><head><title>t</title></head><body><main><img src="/static/favicon.svg"></main></body></html>'
    )
    assert [violation["id"] for violation in axe_violations(page)] == ["image-alt"]


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/", "da", "Læringscirkler for en bæredygtig fremtid"),
        ("/en/", "en", "Learning circles for a sustainable future"),
    ],
)
def test_home_page_has_no_axe_violations(browser_page, demo, path, language, heading):
    page = browser_page.page
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/cirkler/klimasamtaler-for-60/",
        "/cirkler/renere-vandloeb-paa-tvaers/",
        "/en/cirkler/everyday-equality-online/",
        "/biblioteker/ballerup-bibliotek/",
        "/tilgaengelighed/",
        "/en/tilgaengelighed/",
        "/konto/login/",
        "/konto/signup/",
        "/findes-ikke/",
    ],
)
def test_demo_pages_have_no_axe_violations(browser_page, demo, path):
    page = browser_page.page
    page.goto(path)
    assert_no_axe_violations(page)


def test_language_switch_goes_to_the_same_page_in_english_and_back(browser_page, demo):
    page = browser_page.page
    page.goto("/tilgaengelighed/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tilgængelighedserklæring"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/tilgaengelighed/")
    assert page.get_by_role("heading", level=1).inner_text() == "Accessibility statement"
    page.get_by_role("link", name="Dansk").click()
    page.wait_for_url("**/tilgaengelighed/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tilgængelighedserklæring"


def test_footer_links_to_the_accessibility_statement(browser_page, demo):
    page = browser_page.page
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Tilgængelighedserklæring").click()
    page.wait_for_url("**/tilgaengelighed/")
    page.goto("/was")
    assert page.url.endswith("/tilgaengelighed/")


def test_skip_link_is_first_and_moves_focus_to_the_content(browser_page, demo):
    page = browser_page.page
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Gå til indholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_no_request_leaves_loopback(browser_page, demo):
    page = browser_page.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", "/en/", "/cirkler/klimasamtaler-for-60/", "/konto/login/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert requested, "the pages made no requests at all"
    assert all(
        url.startswith(browser_page.page.context.pages[0].url.split("/")[0] + "//127.0.0.1:") for url in requested
    ), requested
    assert browser_page.outside_requests == []


def test_base_text_is_at_least_18px_and_targets_at_least_44px(browser_page, demo):
    page = browser_page.page
    page.goto("/")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 18
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('header a, header button, footer a, main a.button, main h3 a')]
              .map(el => { const r = el.getBoundingClientRect(); return [el.textContent.trim(), r.width, r.height]; })"""
    )
    assert sizes
    small = [(text, width, height) for text, width, height in sizes if width < 44 or height < 44]
    assert small == []
