"""libraries.services: staff and admins of a library change it; nobody else can."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from circles import errors
from config.errors import ServiceError
from libraries import services
from libraries.models import ActionPlanArea, Commitment, Initiative, InitiativeStatus, StaffRole, Venue
from tests import factories


@pytest.fixture(params=[StaffRole.STAFF, StaffRole.ADMIN])
def editor(request, library):
    """Staff and admins of the library: every service below works for both."""
    return factories.LibraryStaffFactory(library=library, role=request.param).user


@pytest.fixture(params=["stranger", "member", "facilitator", "staff_of_other_library", "admin_of_other_library"])
def refused(request, library, circle):
    """People who may not change the library."""
    if request.param == "member":
        return factories.MembershipFactory(circle=circle).user
    if request.param == "facilitator":
        return factories.MembershipFactory(circle=circle, role="facilitator").user
    if request.param == "staff_of_other_library":
        return factories.LibraryStaffFactory().user
    if request.param == "admin_of_other_library":
        return factories.LibraryStaffFactory(role=StaffRole.ADMIN).user
    return factories.UserFactory()


@pytest.fixture
def initiative(library, sdgs):
    return factories.InitiativeFactory(library=library, sdgs=[sdgs[12]])


@pytest.fixture
def commitment(library):
    return factories.CommitmentFactory(library=library, text="Vi sorterer affald.", position=1)


@pytest.fixture
def venue(library):
    return factories.VenueFactory(library=library, name="Posthuset")


def a_while_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=30)


def test_staff_add_an_initiative_with_its_goals(editor, library, sdgs):
    initiative = services.initiative_create(
        created_by=editor,
        library=library,
        title="Affaldssortering",
        area=ActionPlanArea.OWN_SUSTAINABILITY,
        sdgs=[sdgs[12], sdgs[13]],
        description="Vi sorterer **alt**.",
        status=InitiativeStatus.UNDER_WAY,
    )
    initiative.refresh_from_db()
    assert (initiative.library, initiative.area, initiative.status) == (
        library,
        ActionPlanArea.OWN_SUSTAINABILITY,
        InitiativeStatus.UNDER_WAY,
    )
    assert sorted(initiative.sdgs.values_list("number", flat=True)) == [12, 13]
    assert initiative.updated_at == initiative.created_at


def test_an_initiative_needs_at_least_one_goal(editor, library):
    with pytest.raises(ServiceError) as refusal:
        services.initiative_create(
            created_by=editor, library=library, title="Uden mål", area=ActionPlanArea.OUTREACH, sdgs=[]
        )
    assert refusal.value.code == "no_sdgs"
    assert refusal.value.message == services.NO_SDGS
    assert not Initiative.objects.exists()


def test_an_initiative_needs_a_known_area(editor, library, sdgs):
    with pytest.raises(ValidationError):
        services.initiative_create(created_by=editor, library=library, title="X", area="elsewhere", sdgs=[sdgs[1]])
    assert not Initiative.objects.exists()


def test_updating_an_initiative_changes_it_and_marks_it_changed_now(editor, initiative, sdgs):
    Initiative.objects.filter(pk=initiative.pk).update(updated_at=a_while_ago(), created_at=a_while_ago())
    initiative.refresh_from_db()
    before = timezone.now()
    services.initiative_update(
        updated_by=editor, initiative=initiative, status=InitiativeStatus.DONE, sdgs=[sdgs[14], sdgs[15]]
    )
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.DONE
    assert initiative.title.startswith("Indsats")
    assert sorted(initiative.sdgs.values_list("number", flat=True)) == [14, 15]
    assert initiative.updated_at >= before
    assert initiative.created_at < before


def test_updating_only_the_text_keeps_the_goals(editor, initiative):
    services.initiative_update(updated_by=editor, initiative=initiative, title="Nyt navn")
    initiative.refresh_from_db()
    assert initiative.title == "Nyt navn"
    assert list(initiative.sdgs.values_list("number", flat=True)) == [12]


def test_staff_delete_an_initiative(editor, initiative):
    services.initiative_delete(deleted_by=editor, initiative=initiative)
    assert not Initiative.objects.exists()


def test_commitments_go_last_in_the_list(editor, library, commitment):
    added = services.commitment_create(created_by=editor, library=library, text="  Vi printer dobbeltsidet.  ")
    assert (added.text, added.position) == ("Vi printer dobbeltsidet.", 2)
    assert list(library.commitments.values_list("text", flat=True)) == [commitment.text, added.text]


def test_a_commitment_is_at_most_200_characters(editor, library):
    with pytest.raises(ValidationError):
        services.commitment_create(created_by=editor, library=library, text="x" * 201)
    assert not Commitment.objects.exists()


def test_staff_change_and_delete_a_commitment(editor, commitment):
    services.commitment_update(updated_by=editor, commitment=commitment, text="Vi cykler til møder.", position=5)
    commitment.refresh_from_db()
    assert (commitment.text, commitment.position) == ("Vi cykler til møder.", 5)
    services.commitment_delete(deleted_by=editor, commitment=commitment)
    assert not Commitment.objects.exists()


def test_staff_update_the_librarys_address_and_contact_but_not_its_name(editor, library):
    name = library.name
    services.library_update(
        updated_by=editor,
        library=library,
        address="Banegårdspladsen 1",
        postcode="2750",
        city="Ballerup",
        email="bibliotek@ballerup.example",
        phone="44 77 00 00",
        website="https://bib.ballerup.example",
        description="Velkommen.",
    )
    library.refresh_from_db()
    assert (library.name, library.address, library.postcode, library.email) == (
        name,
        "Banegårdspladsen 1",
        "2750",
        "bibliotek@ballerup.example",
    )


def test_a_postcode_is_four_digits(editor, library):
    with pytest.raises(ValidationError):
        services.library_update(updated_by=editor, library=library, postcode="27500")
    library.refresh_from_db()
    assert library.postcode == ""


def test_staff_add_and_change_a_venue_with_its_accessibility(editor, library):
    venue = services.venue_create(
        created_by=editor, library=library, name="Posthuset", address="Banegårdspladsen", step_free=True
    )
    services.venue_update(
        updated_by=editor, venue=venue, hearing_loop=True, accessibility_notes="Handicaptoilet i stueetagen."
    )
    venue.refresh_from_db()
    assert (venue.step_free, venue.hearing_loop, venue.accessibility_notes) == (
        True,
        True,
        "Handicaptoilet i stueetagen.",
    )


def test_two_venues_of_a_library_cannot_share_a_name(editor, library, venue):
    with translation.override("en"), pytest.raises(ValidationError, match="already has a meeting place with that name"):
        services.venue_create(created_by=editor, library=library, name=venue.name, address="Et andet sted")
    assert Venue.objects.count() == 1


def _every_service(person, library, initiative, commitment, venue, sdgs):
    """Each service called by `person`, as (name, call) pairs."""
    return [
        (
            "initiative_create",
            lambda: services.initiative_create(
                created_by=person, library=library, title="Nej", area=ActionPlanArea.OUTREACH, sdgs=[sdgs[1]]
            ),
        ),
        (
            "initiative_update",
            lambda: services.initiative_update(updated_by=person, initiative=initiative, title="Nej"),
        ),
        ("initiative_delete", lambda: services.initiative_delete(deleted_by=person, initiative=initiative)),
        ("commitment_create", lambda: services.commitment_create(created_by=person, library=library, text="Nej")),
        ("commitment_update", lambda: services.commitment_update(updated_by=person, commitment=commitment, text="Nej")),
        ("commitment_delete", lambda: services.commitment_delete(deleted_by=person, commitment=commitment)),
        ("library_update", lambda: services.library_update(updated_by=person, library=library, city="Nej")),
        ("venue_create", lambda: services.venue_create(created_by=person, library=library, name="Nej", address="Nej")),
        ("venue_update", lambda: services.venue_update(updated_by=person, venue=venue, name="Nej")),
    ]


def _snapshot(library) -> tuple:
    library.refresh_from_db()
    return (
        library.city,
        list(Initiative.objects.values_list("title", "updated_at")),
        list(Commitment.objects.values_list("text", flat=True)),
        list(Venue.objects.values_list("name", flat=True)),
    )


def test_people_who_do_not_work_at_the_library_change_nothing(refused, library, initiative, commitment, venue, sdgs):
    before = _snapshot(library)
    for name, call in _every_service(refused, library, initiative, commitment, venue, sdgs):
        with pytest.raises(ServiceError) as refusal:
            call()
        assert (name, refusal.value.code, refusal.value.message) == (name, "not_allowed", errors.NOT_ALLOWED)
    assert _snapshot(library) == before


def test_a_site_superuser_may_change_any_library(library, initiative, sdgs):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    services.initiative_update(updated_by=superuser, initiative=initiative, title="Rettet af admin")
    initiative.refresh_from_db()
    assert initiative.title == "Rettet af admin"
