"""Finding a circle in a real browser: filters update the list with htmx, and work as a plain form without JavaScript."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from circles.models import MeetingFormat
from tests import factories
from tests.live import LOOPBACK_HOSTS

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

CATALOGUE = "/en/cirkler/"


@pytest.fixture
def demo(transactional_db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)


@pytest.fixture
def circles_to_find(transactional_db, sdgs):
    """Three open circles: only one is both about climate (SDG 13) and online."""
    library = factories.LibraryFactory(name="Ballerup Bibliotek")
    wanted = factories.CircleFactory(
        slug="klima-hjemmefra",
        title="Klima hjemmefra",
        host_library=library,
        sdgs=[sdgs[13], sdgs[12]],
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/klima",
    )
    factories.MeetingFactory(circle=wanted)
    factories.CircleFactory(
        slug="klima-paa-biblioteket", title="Klima på biblioteket", host_library=library, sdgs=[sdgs[13]]
    )
    factories.CircleFactory(
        slug="ligestilling-online",
        title="Ligestilling online",
        host_library=library,
        sdgs=[sdgs[5]],
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/lige",
    )
    return wanted


def result_titles(page):
    return page.locator("#catalogue-results h3")


def test_filters_update_the_list_in_place_and_lead_to_the_circle(browser_page, circles_to_find):
    page = browser_page.page
    page.goto(CATALOGUE)
    count = page.locator("#catalogue-count")
    expect(count).to_have_text("3 circles found")
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("13. Climate action", exact=True).check()
    expect(count).to_have_text("2 circles found")
    page.get_by_label("How it meets").select_option("online")
    expect(count).to_have_text("1 circle found")
    expect(result_titles(page)).to_have_text(["Klima hjemmefra"])

    assert page.evaluate("window.stillTheSamePage") is True, "the page was reloaded instead of updated by htmx"
    assert "sdg=13" in page.url
    assert "format=online" in page.url
    assert count.get_attribute("role") == "status"
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Klima hjemmefra").click()
    page.wait_for_url(f"**{CATALOGUE}klima-hjemmefra/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Klima hjemmefra")


def test_filters_work_without_javascript(browser, daphne_server, circles_to_find):
    context = browser.new_context(base_url=daphne_server.url, java_script_enabled=False, locale="da-DK")
    outside: list[str] = []

    def only_loopback(route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    try:
        page.goto(CATALOGUE)
        page.get_by_label("13. Climate action", exact=True).check()
        page.get_by_label("How it meets").select_option("online")
        # Nothing changes until the person asks: no JavaScript, no live update.
        expect(page.locator("#catalogue-count")).to_have_text("3 circles found")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**format=online**")
        assert "sdg=13" in page.url
        expect(page.locator("#catalogue-count")).to_have_text("1 circle found")
        expect(result_titles(page)).to_have_text(["Klima hjemmefra"])
        expect(page.get_by_label("13. Climate action", exact=True)).to_be_checked()

        page.get_by_role("link", name="Klima hjemmefra").click()
        page.wait_for_url(f"**{CATALOGUE}klima-hjemmefra/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Klima hjemmefra")
    finally:
        context.close()
    assert outside == []


def test_clear_filters_shows_every_circle_again(browser_page, circles_to_find):
    page = browser_page.page
    page.goto(CATALOGUE + "?q=nothing-like-this")
    expect(page.locator("#catalogue-count")).to_have_text("0 circles found")
    page.locator("#catalogue-results").get_by_role("link", name="Clear filters").click()
    page.wait_for_url(f"**{CATALOGUE}")
    expect(page.locator("#catalogue-count")).to_have_text("3 circles found")


@pytest.mark.parametrize(
    "path",
    [
        "/cirkler/",
        CATALOGUE,
        "/cirkler/?sdg=13&format=hybrid",
        CATALOGUE + "?sdg=13&sdg=12&free_seats=on&weekday=2",
        "/cirkler/?q=findes-slet-ikke",
        CATALOGUE + "?sdg=99&weekday=x",
    ],
)
def test_catalogue_has_no_axe_violations(browser_page, demo, path):
    page = browser_page.page
    page.goto(path)
    expect(page.locator("#catalogue-count")).to_be_visible()
    assert_no_axe_violations(page)


def test_header_link_and_home_button_lead_to_the_catalogue(browser_page, demo):
    page = browser_page.page
    page.goto("/en/")
    page.get_by_role("link", name="See all circles").click()
    page.wait_for_url(f"**{CATALOGUE}")
    page.goto("/en/")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Find a circle").click()
    page.wait_for_url(f"**{CATALOGUE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a circle")
