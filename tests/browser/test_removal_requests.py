"""Asking for removal without seeing the material, and the library staff answering it. axe on every page."""

import pytest
from django.core.cache import cache

from resources.models import RemovalRequest, RemovalStatus, Visibility
from tests import factories

from .axe import assert_no_axe_violations
from .test_facilitator import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def circle_photo(transactional_db, sdgs):
    library = factories.LibraryFactory(
        name="Ballerup Bibliotek", slug="ballerup-bibliotek", email="info@ballerup.example"
    )
    factories.LibraryStaffFactory(library=library, user=factories.UserFactory(email="bibliotekar@cirkler.example"))
    circle = factories.CircleFactory(host_library=library, sdgs=[sdgs[13]])
    # The browser posts from 127.0.0.1 through the live server: start with that address's count at zero.
    cache.delete("resources:removal-requests:127.0.0.1")
    return factories.ResourceFactory(
        owner_library=library, circle=circle, visibility=Visibility.CIRCLE, title="Billeder fra mødet"
    )


def test_a_visitor_asks_for_removal_and_staff_keep_the_material_with_a_reason(browser_page, circle_photo):
    page = browser_page.page
    page.goto(f"/materialer/{circle_photo.pk}/fjernelse/")
    assert_no_axe_violations(page)
    assert "Billeder fra mødet" not in page.content()
    assert "info@ballerup.example" not in page.content()  # not even whose material it is
    page.locator("input[name=name]").fill("Grethe Hansen")
    page.locator("input[name=email]").fill("grethe@example.org")
    page.locator("textarea[name=reason]").fill("Jeg er på det andet billede.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    removal = RemovalRequest.objects.get()
    assert removal.status == RemovalStatus.OPEN
    assert_no_axe_violations(page)

    log_in(page, "bibliotekar@cirkler.example")
    page.goto(circle_photo.get_absolute_url())
    page.locator(".edit-links a[href$='/fjernelser/ballerup-bibliotek/']").click()
    page.wait_for_load_state()
    assert "Jeg er på det andet billede." in page.content()
    assert_no_axe_violations(page)
    decline = page.locator("form").filter(has=page.locator("input[name=action][value=decline]"))
    decline.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    decline = page.locator("form").filter(has=page.locator("input[name=action][value=decline]"))
    decline.locator("textarea").fill("Billedet viser kun hænder, ingen ansigter.")
    decline.locator("button[type=submit]").click()
    page.wait_for_load_state()
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.DECLINED
    assert "Billedet viser kun hænder, ingen ansigter." in page.content()
    assert_no_axe_violations(page)
