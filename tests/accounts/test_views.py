"""Profile, preferences and privacy pages."""

import pytest
from django.core.cache import cache

from accounts.models import TextSize
from circles.models import MembershipRole
from tests import factories

ACCOUNT_PAGES = ["/konto/profil/", "/konto/e-mails/", "/konto/mine-data/", "/konto/2fa/", "/konto/sessions/"]
OPEN_PAGES = ["/konto/visning/", "/privatliv/", "/en/privatliv/"]


def person(kind: str, circle):
    if kind == "anonymous":
        return None
    if kind == "member":
        return factories.MembershipFactory(circle=circle).user
    if kind == "facilitator":
        return factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    if kind == "staff_of_other_library":
        return factories.LibraryStaffFactory().user
    if kind == "library_staff":
        return factories.LibraryStaffFactory(library=circle.host_library).user
    if kind == "library_admin":
        return factories.LibraryStaffFactory(library=circle.host_library, role="admin").user
    raise ValueError(kind)


PEOPLE = ["anonymous", "member", "facilitator", "staff_of_other_library", "library_staff", "library_admin"]


@pytest.mark.parametrize("kind", PEOPLE)
@pytest.mark.parametrize("url", ACCOUNT_PAGES + OPEN_PAGES)
def test_account_pages_need_a_login_and_open_pages_do_not(client, circle, kind, url):
    someone = person(kind, circle)
    if someone:
        client.force_login(someone)
    response = client.get(url)
    if someone is None and url in ACCOUNT_PAGES:
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/login/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("kind", PEOPLE)
def test_deleting_an_account_asks_everyone_to_log_in_again_first(client, circle, kind):
    someone = person(kind, circle)
    if someone:
        client.force_login(someone)
    response = client.get("/konto/slet/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/" if someone is None else "/konto/reauthenticate/")


def test_profile_form_saves_what_others_see(client, user, library):
    client.force_login(user)
    response = client.post(
        "/konto/profil/",
        {
            "display_name": "  Ingrid  ",
            "municipality": library.municipality.pk,
            "home_library": library.pk,
            "bio": "Pensioneret lærer, glad for fugle.",
            "languages": ["da", "de"],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.municipality, user.home_library) == ("Ingrid", library.municipality, library)
    assert user.bio == "Pensioneret lærer, glad for fugle."
    assert user.languages == ["da", "de"]


@pytest.mark.parametrize(
    "data", [{"display_name": ""}, {"display_name": "Ok", "languages": ["xx"]}, {"display_name": "x" * 81}]
)
def test_profile_form_refuses_bad_input_and_changes_nothing(client, user, data):
    client.force_login(user)
    before = user.display_name
    response = client.post("/konto/profil/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    user.refresh_from_db()
    assert user.display_name == before


def test_a_visitor_chooses_large_text_and_it_applies_on_every_page(client, db):
    response = client.post("/konto/visning/", {"text_size": "large", "high_contrast": "on", "next": "/privatliv/"})
    assert response.status_code == 302
    assert response["Location"] == "/privatliv/"
    for path in ("/", "/privatliv/", "/en/"):
        html = client.get(path).content.decode()
        assert 'class="text-large high-contrast"' in html


def test_display_choices_are_kept_on_the_account(client, user):
    client.force_login(user)
    client.post("/konto/visning/", {"text_size": "larger", "reduced_motion": "on"})
    user.refresh_from_db()
    assert (user.text_size, user.high_contrast, user.reduced_motion) == (TextSize.LARGER, False, True)
    assert 'class="text-larger reduced-motion"' in client.get("/").content.decode()


def test_display_page_ignores_a_next_address_on_another_site(client, db):
    response = client.post("/konto/visning/", {"text_size": "normal", "next": "https://evil.example/"})
    assert response["Location"] == "/konto/visning/"


def test_email_preferences_are_saved(client, user):
    client.force_login(user)
    client.post("/konto/e-mails/", {"email_mentions": "on", "email_weekly_digest": "on"})
    user.refresh_from_db()
    assert (user.email_meeting_reminders, user.email_mentions, user.email_weekly_digest) == (False, True, True)


def test_privacy_page_lists_every_inventory_entry(client, db):
    from accounts.inventory import INVENTORY

    html = client.get("/privatliv/").content.decode()
    for item in INVENTORY:
        assert str(item.what) in html.replace("&#x27;", "'")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
