"""A newcomer signs up, gets a code by e-mail, logs in by code, makes the text larger, switches to English."""

import re

import pytest
from django.core.management import call_command

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

CODE_LINE = re.compile(r"^\s*([A-Z0-9][A-Z0-9-]{3,14})\s*$", re.MULTILINE)


def latest_code_for(server, address: str) -> str:
    mails = [mail for mail in server.mails() if address in mail["To"]]
    assert mails, f"no e-mail to {address}"
    match = CODE_LINE.search(mails[-1].get_content())
    assert match, mails[-1].get_content()
    return match.group(1)


@pytest.fixture
def demo(transactional_db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)


def test_newcomer_signs_up_logs_in_by_code_enlarges_text_and_switches_to_english(browser_page, daphne_server, demo):
    page = browser_page.page
    address = "karen.newcomer@example.dk"

    page.goto("/")
    page.get_by_role("link", name="Opret dig – det er gratis").click()
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Dit navn").fill("Karen")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Opret konto").click()

    page.wait_for_url("**/konto/confirm-email/")
    assert_no_axe_violations(page)
    page.get_by_label("Kode").fill(latest_code_for(daphne_server, address))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(daphne_server.url + "/")
    assert page.get_by_text("Logget ind som Karen").is_visible()

    page.get_by_role("button", name="Log ud").click()
    page.get_by_role("link", name="Log ind").first.click()
    page.get_by_role("link", name="Send mig en login-kode").click()
    assert_no_axe_violations(page)
    page.get_by_label("E-mail").fill(address)
    page.get_by_role("button", name="Anmod om kode").click()
    page.wait_for_url("**/konto/login/code/confirm/")
    assert_no_axe_violations(page)
    page.get_by_label("Kode").fill(latest_code_for(daphne_server, address))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(daphne_server.url + "/")
    assert page.get_by_text("Logget ind som Karen").is_visible()

    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="Tekststørrelse").click()
    assert_no_axe_violations(page)
    page.get_by_label("Stor", exact=True).check()
    page.get_by_role("button", name="Brug disse valg").click()
    page.wait_for_url(daphne_server.url + "/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= normal_size * 1.19
    page.goto("/tilgaengelighed/")
    assert "text-large" in page.locator("html").get_attribute("class")

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/tilgaengelighed/")
    assert page.get_by_role("heading", level=1).inner_text() == "Accessibility statement"
    assert page.get_by_text("Logged in as Karen").is_visible()
    assert "text-large" in page.locator("html").get_attribute("class")


def log_in(page, email: str, password: str = "cirkler-demo") -> None:
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")


ACCOUNT_PAGES = [
    "/konto/profil/",
    "/konto/visning/",
    "/konto/e-mails/",
    "/konto/email/",
    "/konto/password/change/",
    "/konto/2fa/",
    "/konto/2fa/totp/activate",
    "/konto/sessions/",
    "/konto/mine-data/",
    "/konto/slet/",
    "/privatliv/",
    "/en/konto/profil/",
]


def test_account_pages_have_no_axe_violations(browser_page, demo):
    page = browser_page.page
    log_in(page, "facilitator@cirkler.example")
    for path in ACCOUNT_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/konto/login/",
        "/konto/signup/",
        "/konto/login/code/",
        "/konto/password/reset/",
        "/konto/visning/",
        "/en/konto/login/",
    ],
)
def test_pages_for_visitors_have_no_axe_violations(browser_page, demo, path):
    page = browser_page.page
    page.goto(path)
    assert_no_axe_violations(page)


def test_login_errors_are_announced_and_pasting_a_password_works(browser_page, demo):
    page = browser_page.page
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill("medlem@cirkler.example")
    page.get_by_label("Adgangskode").focus()
    page.evaluate(
        """() => { const data = new DataTransfer(); data.setData('text/plain', 'forkert-kode');
                 document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }"""
    )
    page.keyboard.insert_text("forkert-kode")
    assert page.get_by_label("Adgangskode").input_value() == "forkert-kode"
    page.get_by_role("button", name="Log ind").click()
    assert page.get_by_text("E-mailadressen eller adgangskoden er ikke rigtig.").is_visible()
    assert_no_axe_violations(page)
