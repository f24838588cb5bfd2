"""The library page and its edit pages in a real browser, as a visitor and as the demo library's admin."""

import pytest
from django.core.management import call_command

from circles.demo import DEMO_PASSWORD
from libraries.models import Commitment, Initiative, Venue

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

LIBRARY = "/biblioteker/ballerup-bibliotek/"


@pytest.fixture
def demo(transactional_db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)


def log_in(page, email: str = "bibliotekar@cirkler.example", password: str = DEMO_PASSWORD) -> None:
    """Log in through allauth's own form, as a person would."""
    page.goto("/konto/login/")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/konto/login/" not in page.url, page.content()


def edit_pages() -> list[str]:
    initiative = Initiative.objects.filter(library__slug="ballerup-bibliotek").first()
    commitment = Commitment.objects.filter(library__slug="ballerup-bibliotek").first()
    venue = Venue.objects.filter(library__slug="ballerup-bibliotek").first()
    return [
        f"{LIBRARY}rediger/",
        f"{LIBRARY}moedesteder/ny/",
        f"{LIBRARY}moedesteder/{venue.pk}/rediger/",
        f"{LIBRARY}handleplan/ny/",
        f"{LIBRARY}handleplan/{initiative.pk}/rediger/",
        f"{LIBRARY}handleplan/{initiative.pk}/slet/",
        f"{LIBRARY}loefter/ny/",
        f"{LIBRARY}loefter/{commitment.pk}/rediger/",
        f"{LIBRARY}loefter/{commitment.pk}/slet/",
    ]


@pytest.mark.parametrize("path", [LIBRARY, "/en" + LIBRARY, "/biblioteker/herlev-bibliotek/"])
def test_library_page_with_its_action_plan_has_no_axe_violations(browser_page, demo, path):
    page = browser_page.page
    page.goto(path)
    assert page.locator("#action-plan-title").is_visible()
    assert page.locator("h4").count() >= 2
    assert_no_axe_violations(page)


def test_library_admin_sees_edit_links_and_every_edit_page_has_no_axe_violations(browser_page, demo):
    page = browser_page.page
    log_in(page)
    page.goto(LIBRARY)
    assert_no_axe_violations(page)
    for path in edit_pages():
        assert page.locator(f'main a[href="{path}"]').count() == 1, path
    for path in edit_pages():
        response = page.goto(path)
        assert response.status == 200, path
        assert_no_axe_violations(page)
        page.goto("/en" + path)
        assert_no_axe_violations(page)


def test_a_form_with_mistakes_lists_them_and_has_no_axe_violations(browser_page, demo):
    page = browser_page.page
    log_in(page)
    page.goto("/en" + LIBRARY + "handleplan/ny/")
    page.get_by_role("button", name="Add the initiative").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Choose at least one Sustainable Development Goal." in summary.inner_text()
    assert_no_axe_violations(page)


def test_library_admin_adds_an_initiative_with_the_keyboard_friendly_form(browser_page, demo):
    page = browser_page.page
    log_in(page)
    page.goto("/en" + LIBRARY + "handleplan/ny/")
    page.get_by_label("Title").fill("Cykelværksted i Posthuset")
    page.get_by_label("Citizen involvement").check()
    page.get_by_label("Under way").check()
    page.get_by_label("13. Climate action").check()
    page.get_by_label("11. Sustainable cities and communities").check()
    page.get_by_role("button", name="Add the initiative").click()
    page.wait_for_url("**/en/biblioteker/ballerup-bibliotek/#action-plan-title")
    article = page.get_by_role("article", name="Cykelværksted i Posthuset")
    assert "Under way" in article.inner_text()
    assert article.locator(".sdg-badge").count() == 2


def test_someone_without_access_gets_a_friendly_403_page(browser_page, demo):
    page = browser_page.page
    log_in(page, email="medlem@cirkler.example")
    response = page.goto("/en" + LIBRARY + "rediger/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    assert_no_axe_violations(page)
