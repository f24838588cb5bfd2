"""Shared materials in a real browser: a facilitator uploads a handout to a circle, a member downloads it,
a non-member gets 404, and staff of another library finds library-wide material and adopts it. axe on every page."""

import re
from pathlib import Path

import pytest

from circles.models import CircleStatus, MembershipRole
from resources import services
from resources.models import Resource, ResourceAdoption, ResourceFormat, Visibility
from resources.storage import private_storage
from tests import factories
from tests.resources import files

from .axe import assert_no_axe_violations
from .test_facilitator import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def materials(transactional_db, sdgs):
    library = factories.LibraryFactory(name="Ballerup Bibliotek", slug="ballerup-bibliotek")
    staff = factories.LibraryStaffFactory(
        library=library, user=factories.UserFactory(email="bibliotekar@cirkler.example")
    ).user
    circle = factories.CircleFactory(
        slug="klimasamtaler", title="Klimasamtaler", host_library=library, status=CircleStatus.OPEN, sdgs=[sdgs[13]]
    )
    factories.MembershipFactory(
        circle=circle, role=MembershipRole.FACILITATOR, user=factories.UserFactory(email="facilitator@cirkler.example")
    )
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(email="medlem@cirkler.example"))
    factories.UserFactory(email="udenfor@cirkler.example")
    other_library = factories.LibraryFactory(name="Herlev Bibliotek", slug="herlev-bibliotek")
    factories.LibraryStaffFactory(library=other_library, user=factories.UserFactory(email="herlev@cirkler.example"))
    services.resource_create_file(
        created_by=staff,
        owner_library=library,
        title="Workshopplan om affald",
        upload=files.upload("workshopplan.pdf", files.pdf()),
        format=ResourceFormat.WORKSHOP_PLAN,
        sdgs=[sdgs[12]],
        visibility=Visibility.STAFF,
    )
    yield circle
    # The daphne process stored the files under MEDIA_ROOT/private/: take them away again.
    for resource in Resource.objects.all():
        for stored in (resource.file, resource.thumbnail, *(version.file for version in resource.versions.all())):
            if stored:
                private_storage().delete(stored.name)


def _log_out(page) -> None:
    page.context.clear_cookies()


def test_facilitator_shares_member_downloads_outsider_404_other_library_adopts(browser_page, materials, tmp_path):
    page = browser_page.page
    handout = tmp_path / "Handout møde 1.pdf"
    handout.write_bytes(files.pdf("darkgreen"))

    log_in(page, "facilitator@cirkler.example")
    page.goto("/cirkler/klimasamtaler/")
    page.get_by_role("link", name="Share material with the circle").or_(
        page.get_by_role("link", name="Del materiale med cirklen")
    ).click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("^(Titel|Title)")).fill("Handout til første møde")
    page.locator("select[name=format]").select_option("handout")
    page.locator("input[name=upload]").set_input_files(str(handout))
    assert "Handout møde 1.pdf" in page.locator("[data-drop-status]").inner_text()
    assert page.locator("input[name=visibility][value=circle]").is_checked()
    page.locator("form.resource-form button[type=submit]").click()
    page.wait_for_load_state()
    resource = Resource.objects.get(title="Handout til første møde")
    assert page.url.endswith(resource.get_absolute_url())
    assert (resource.circle, resource.visibility, resource.filename) == (materials, "circle", "Handout møde 1.pdf")
    assert_no_axe_violations(page)
    for address in (
        f"/materialer/{resource.pk}/rediger/",
        f"/materialer/{resource.pk}/ny-version/",
        f"/materialer/{resource.pk}/slet/",
    ):
        page.goto(address)
        assert_no_axe_violations(page)

    _log_out(page)
    log_in(page, "medlem@cirkler.example")
    page.goto("/cirkler/klimasamtaler/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Handout til første møde").click()
    page.wait_for_load_state()
    with page.expect_download() as download_info:
        page.locator(".resource-get a[download]").click()
    download = download_info.value
    assert download.suggested_filename == "Handout møde 1.pdf"
    with resource.file.open("rb") as stored:
        assert Path(download.path()).read_bytes() == stored.read()
    assert resource.downloads.count() == 1
    page.goto(f"/materialer/{resource.pk}/fjernelse/")
    assert_no_axe_violations(page)

    _log_out(page)
    log_in(page, "udenfor@cirkler.example")
    assert page.goto(resource.get_absolute_url()).status == 404
    assert page.goto(f"/materialer/{resource.pk}/hent/").status == 404

    _log_out(page)
    log_in(page, "herlev@cirkler.example")
    page.goto("/materialer/")
    page.get_by_role("searchbox").fill("affald")
    page.locator("form.catalogue-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    assert "Handout til første møde" not in page.content()
    page.get_by_role("link", name="Workshopplan om affald").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)
    page.locator("form[action$='/adopter/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert ResourceAdoption.objects.filter(
        library__slug="herlev-bibliotek", resource__title="Workshopplan om affald"
    ).exists()
    assert "Herlev Bibliotek" in page.locator("dl.facts").inner_text()
    assert_no_axe_violations(page)
