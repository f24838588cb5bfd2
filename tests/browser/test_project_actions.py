"""The demo project group's actions in a real browser: a member changes a status without JavaScript-only parts."""

import pytest
from django.core.management import call_command

from circles.demo import DEMO_PASSWORD
from circles.models import ActionStatus, ProjectAction

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

GROUP = "/cirkler/renere-vandloeb-paa-tvaers/"


@pytest.fixture
def demo(transactional_db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)


def log_in(page, email: str) -> None:
    page.goto("/konto/login/")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/konto/login/" not in page.url, page.content()


def test_a_member_changes_the_status_of_an_action_on_the_group_page(browser_page, demo):
    page = browser_page.page
    log_in(page, "medlem@cirkler.example")
    action = ProjectAction.objects.get(title="Fælles oprydningsdag ved broen")
    page.goto("/en" + GROUP)
    assert_no_axe_violations(page)
    page.get_by_label(f"Status – {action.title}").select_option(ActionStatus.DOING)
    page.get_by_role("button", name=f"Save the status – {action.title}").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{GROUP}#action-{action.pk}")
    assert "is saved" in page.locator(".messages").inner_text()
    action.refresh_from_db()
    assert action.status == ActionStatus.DOING
    assert_no_axe_violations(page)


def test_the_action_pages_and_the_partner_library_page_have_no_axe_violations(browser_page, demo):
    page = browser_page.page
    page.goto("/biblioteker/herlev-bibliotek/")
    assert page.locator("#project-groups-title").is_visible()
    assert_no_axe_violations(page)
    log_in(page, "frivillig@cirkler.example")
    action = ProjectAction.objects.filter(circle__slug="renere-vandloeb-paa-tvaers").first()
    for path in (
        f"{GROUP}handlinger/ny/",
        f"{GROUP}handlinger/{action.pk}/rediger/",
        f"{GROUP}handlinger/{action.pk}/slet/",
    ):
        for prefix in ("", "/en"):
            response = page.goto(prefix + path)
            assert response.status == 200, path
            assert_no_axe_violations(page)
    page.goto("/en" + GROUP + "handlinger/ny/")
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert_no_axe_violations(page)
