"""A new person finds a climate circle online, joins it, sees it on My page and takes its calendar home."""

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from circles.models import MeetingFormat
from tests import factories

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def online_climate_circle(transactional_db, sdgs):
    circle = factories.CircleFactory(
        slug="klimacafe-online",
        title="Klimacafé online",
        sdgs=[sdgs[13]],
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/klimacafe",
        capacity=8,
    )
    factories.MeetingFactory(circle=circle, online_url=circle.online_url)
    factories.CircleFactory(title="Klima i haven", sdgs=[sdgs[13]])
    return circle


def test_newcomer_filters_joins_sees_my_page_and_downloads_the_calendar(
    browser_page, daphne_server, online_climate_circle
):
    page = browser_page.page
    person = factories.UserFactory(display_name="Poul")
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Adgangskode").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(daphne_server.url + "/")

    page.get_by_role("link", name="Find en cirkel").first.click()
    page.get_by_label("13. Klimaindsats", exact=True).check()
    page.get_by_label("Hvordan man mødes").select_option("online")
    expect(page.locator("#catalogue-count")).to_have_text("1 cirkel fundet")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Klimacafé online").click()
    page.wait_for_url("**/cirkler/klimacafe-online/")
    assert "meet.cirkler.example/klimacafe" not in page.content()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Meld dig til cirklen").click()
    expect(page.get_by_text("Velkommen! Nu er du med i cirklen.")).to_be_visible()
    expect(page.get_by_role("link", name="Gå til onlinemødet")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Min side").click()
    expect(page.get_by_role("link", name="Klimacafé online").first).to_be_visible()
    expect(page.get_by_text("du er medlem")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Klimacafé online").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Sæt møderne i din kalender (.ics-fil)").click()
    calendar = Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "Klimacafé online"
