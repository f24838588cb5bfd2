"""The library page and its edit pages, rendered in-process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from circles.models import CircleStatus
from libraries.models import ActionPlanArea, Commitment, Initiative, InitiativeStatus, StaffRole, Venue
from resources.models import Visibility
from tests import factories

WHO = ["anonymous", "member", "staff_of_other_library", "staff", "library_admin"]
EXPECTED = {"anonymous": 302, "member": 403, "staff_of_other_library": 403, "staff": 200, "library_admin": 200}
EDIT_PAGES = [
    ("libraries:edit", None),
    ("libraries:venue_create", None),
    ("libraries:venue_edit", "venue"),
    ("libraries:initiative_create", None),
    ("libraries:initiative_edit", "initiative"),
    ("libraries:initiative_delete", "initiative"),
    ("libraries:commitment_create", None),
    ("libraries:commitment_edit", "commitment"),
    ("libraries:commitment_delete", "commitment"),
]


@pytest.fixture
def plan(library, sdgs):
    """A library with one venue, one initiative and one commitment."""
    return {
        "venue": factories.VenueFactory(library=library, name="Posthuset", address="Banegårdspladsen"),
        "initiative": factories.InitiativeFactory(library=library, title="Affaldssortering", sdgs=[sdgs[12]]),
        "commitment": factories.CommitmentFactory(library=library, text="Vi printer dobbeltsidet."),
    }


@pytest.fixture
def person(request, library, circle):
    """Who is asking, by name (parametrized indirectly)."""
    kind = request.param
    if kind == "anonymous":
        return None
    if kind == "member":
        return factories.MembershipFactory(circle=circle).user
    if kind == "staff_of_other_library":
        return factories.LibraryStaffFactory().user
    role = StaffRole.ADMIN if kind == "library_admin" else StaffRole.STAFF
    return factories.LibraryStaffFactory(library=library, role=role).user


@pytest.fixture
def editor(library):
    return factories.LibraryStaffFactory(library=library, role=StaffRole.ADMIN).user


def page_url(name: str, part: str | None, library, plan, language: str = "da") -> str:
    """The page's address in Danish (the default, no prefix) or English (under /en/)."""
    kwargs = {"slug": library.slug}
    if part:
        kwargs["pk"] = plan[part].pk
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def english(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def _danish_between_requests():
    """A request under /en/ leaves English active in the thread; each test starts in Danish."""
    translation.activate("da")
    yield
    translation.activate("da")


@pytest.mark.parametrize(
    ("name", "part", "person", "expected"),
    [
        pytest.param(name, part, who, EXPECTED[who], id=f"{name.split(':')[1]}-{who}")
        for name, part in EDIT_PAGES
        for who in WHO
    ],
    indirect=["person"],
)
def test_edit_page_permission_table(client, library, plan, name, part, person, expected):
    if person is not None:
        client.force_login(person)
    url = page_url(name, part, library, plan)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("name", ["libraries:initiative_edit", "libraries:initiative_delete"])
def test_an_initiative_is_only_found_under_its_own_library(client, editor, library, sdgs, name):
    elsewhere = factories.InitiativeFactory(sdgs=[sdgs[1]])
    client.force_login(editor)
    assert client.get(reverse(name, kwargs={"slug": library.slug, "pk": elsewhere.pk})).status_code == 404


def test_refused_people_see_a_friendly_page_in_the_site_layout(client, library, plan):
    client.force_login(factories.UserFactory())
    response = client.get(english("libraries:edit", slug=library.slug))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this page" in html
    assert '<main id="main"' in html


# Each form: (page, the part it edits, posted data, how to read the result, what it should be)
def _library_city(library, plan):
    library.refresh_from_db()
    return library.city


FORMS = [
    (
        "libraries:edit",
        None,
        {
            "address": "Banegårdspladsen 1",
            "postcode": "2750",
            "city": "Ballerup",
            "email": "",
            "phone": "",
            "website": "",
        },
        _library_city,
        "Ballerup",
    ),
    (
        "libraries:venue_create",
        None,
        {"name": "Biblioteket, mødesalen", "address": "Banegårdspladsen", "step_free": "on"},
        lambda library, plan: sorted(Venue.objects.filter(step_free=True).values_list("name", flat=True)),
        ["Biblioteket, mødesalen"],
    ),
    (
        "libraries:venue_edit",
        "venue",
        {"name": "Posthuset", "address": "Banegårdspladsen", "hearing_loop": "on", "accessibility_notes": "Rampe."},
        lambda library, plan: list(Venue.objects.values_list("hearing_loop", "accessibility_notes")),
        [(True, "Rampe.")],
    ),
    (
        "libraries:initiative_create",
        None,
        {"title": "GRO SELV", "area": ActionPlanArea.CITIZEN_INVOLVEMENT, "status": "under_way", "sdgs": ["13", "15"]},
        lambda library, plan: [
            (initiative.title, sorted(initiative.sdgs.values_list("number", flat=True)))
            for initiative in Initiative.objects.order_by("title")
        ],
        [("Affaldssortering", [12]), ("GRO SELV", [13, 15])],
    ),
    (
        "libraries:initiative_edit",
        "initiative",
        {"title": "Affaldssortering", "area": ActionPlanArea.OWN_SUSTAINABILITY, "status": "done", "sdgs": ["12"]},
        lambda library, plan: list(Initiative.objects.values_list("status", "area")),
        [(InitiativeStatus.DONE, ActionPlanArea.OWN_SUSTAINABILITY)],
    ),
    (
        "libraries:initiative_delete",
        "initiative",
        {},
        lambda library, plan: Initiative.objects.count(),
        0,
    ),
    (
        "libraries:commitment_create",
        None,
        {"text": "Vi sorterer affald."},
        lambda library, plan: list(Commitment.objects.values_list("text", flat=True)),
        ["Vi printer dobbeltsidet.", "Vi sorterer affald."],
    ),
    (
        "libraries:commitment_edit",
        "commitment",
        {"text": "Vi printer altid dobbeltsidet.", "position": "3"},
        lambda library, plan: list(Commitment.objects.values_list("text", "position")),
        [("Vi printer altid dobbeltsidet.", 3)],
    ),
    (
        "libraries:commitment_delete",
        "commitment",
        {},
        lambda library, plan: Commitment.objects.count(),
        0,
    ),
]


@pytest.mark.parametrize(
    ("name", "part", "data", "read", "expected"), FORMS, ids=[name.split(":")[1] for name, *_ in FORMS]
)
def test_each_form_changes_the_library_and_goes_back_to_its_page(
    client, editor, library, plan, name, part, data, read, expected
):
    client.force_login(editor)
    response = client.post(page_url(name, part, library, plan), data)
    assert response.status_code == 302
    assert response["Location"].startswith(library.get_absolute_url())
    assert read(library, plan) == expected


@pytest.mark.parametrize("who", ["anonymous", "member", "staff_of_other_library"])
@pytest.mark.parametrize(
    ("name", "part", "data", "read", "expected"), FORMS, ids=[name.split(":")[1] for name, *_ in FORMS]
)
def test_a_post_by_someone_refused_changes_nothing(
    client, library, circle, plan, who, name, part, data, read, expected
):
    if who == "member":
        client.force_login(factories.MembershipFactory(circle=circle).user)
    elif who == "staff_of_other_library":
        client.force_login(factories.LibraryStaffFactory().user)
    before = read(library, plan)
    response = client.post(page_url(name, part, library, plan), data)
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert read(library, plan) == before
    assert read(library, plan) != expected


def test_the_edit_pages_need_csrf(library, editor, plan):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("libraries:commitment_create", kwargs={"slug": library.slug}), {"text": "Nej"})
    assert response.status_code == 403
    assert list(Commitment.objects.values_list("text", flat=True)) == ["Vi printer dobbeltsidet."]


def test_a_wrong_postcode_is_explained_in_plain_words(client, editor, library):
    client.force_login(editor)
    response = client.post(english("libraries:edit", slug=library.slug), {"postcode": "27500"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "A postcode is four digits, for example 2750." in html
    assert 'href="#id_postcode"' in html
    assert 'aria-invalid="true"' in html
    library.refresh_from_db()
    assert library.postcode == ""


def test_an_initiative_without_goals_is_refused_with_a_plain_message(client, editor, library):
    client.force_login(editor)
    url = english("libraries:initiative_create", slug=library.slug)
    response = client.post(url, {"title": "Uden mål", "area": ActionPlanArea.OUTREACH, "status": "planned"})
    assert response.status_code == 200
    assert "Choose at least one Sustainable Development Goal." in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_second_venue_with_the_same_name_is_refused_on_the_form(client, editor, library, plan):
    client.force_login(editor)
    url = english("libraries:venue_create", slug=library.slug)
    response = client.post(url, {"name": "Posthuset", "address": "Et andet sted"})
    assert response.status_code == 200
    assert "This library already has a meeting place with that name." in response.content.decode()
    assert Venue.objects.count() == 1


def test_the_goal_picker_is_a_fieldset_of_checkboxes_with_the_goal_names(client, editor, library, sdgs):
    client.force_login(editor)
    html = client.get(english("libraries:initiative_create", slug=library.slug)).content.decode()
    assert "<fieldset" in html
    assert "<legend>Sustainable Development Goals:</legend>" in html
    assert html.count('type="checkbox" name="sdgs"') == 17
    assert "13. Climate action</label>" in html
    assert html.count('type="radio" name="area"') == 3
    assert 'name="csrfmiddlewaretoken"' in html


def test_deleting_asks_first_on_its_own_page(client, editor, library, plan):
    client.force_login(editor)
    html = client.get(
        english("libraries:initiative_delete", slug=library.slug, pk=plan["initiative"].pk)
    ).content.decode()
    assert "Delete this initiative?" in html
    assert "Affaldssortering" in html
    assert Initiative.objects.count() == 1


def test_changing_an_initiative_shows_it_as_changed_today(client, editor, library, plan):
    import datetime

    from django.utils import timezone

    Initiative.objects.update(updated_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(editor)
    url = reverse("libraries:initiative_edit", kwargs={"slug": library.slug, "pk": plan["initiative"].pk})
    client.post(url, {"title": "Affaldssortering", "area": "own", "status": "done", "sdgs": ["12"]})
    html = client.get(library.get_absolute_url()).content.decode()
    assert f'datetime="{timezone.localdate().isoformat()}' in html


def test_library_page_shows_contact_venues_circles_plan_commitments_and_public_materials(client, library, sdgs):
    library.address, library.postcode, library.city = "Banegårdspladsen 1", "2750", "Ballerup"
    library.phone, library.email, library.website = "44 77 00 00", "bib@ballerup.example", "https://bib.example"
    library.save()
    factories.VenueFactory(library=library, name="Posthuset", accessibility_notes="Handicaptoilet i stueetagen.")
    factories.CircleFactory(host_library=library, title="Klimasamtaler")
    factories.CircleFactory(host_library=library, title="Hemmelig kladde", status=CircleStatus.DRAFT)
    factories.InitiativeFactory(
        library=library,
        title="Sammen om Verdensmål",
        area=ActionPlanArea.CITIZEN_INVOLVEMENT,
        status=InitiativeStatus.UNDER_WAY,
        description="For **60+**",
        sdgs=[sdgs[3], sdgs[11]],
    )
    factories.InitiativeFactory(library=library, title="Intet plastik", area=ActionPlanArea.OWN_SUSTAINABILITY)
    factories.CommitmentFactory(library=library, text="Vi sorterer affald.", position=2)
    factories.CommitmentFactory(library=library, text="Vi printer dobbeltsidet.", position=1)
    factories.ResourceFactory(owner_library=library, title="Workshopplan", url="https://materialer.example/plan")
    factories.ResourceFactory(owner_library=library, title="Kun for personalet", visibility=Visibility.STAFF)

    html = client.get(english("libraries:detail", slug=library.slug)).content.decode()

    for shown in (
        'href="tel:44770000"',
        'href="mailto:bib@ballerup.example"',
        "Banegårdspladsen 1, 2750 Ballerup",
        "Handicaptoilet i stueetagen.",
        "Klimasamtaler",
        "Citizen involvement</h3>",
        "The library&#x27;s own sustainability</h3>",
        "Under way",
        "<strong>60+</strong>",
        'class="sdg-badge sdg-11"',
        '<a href="https://materialer.example/plan">Workshopplan</a> · Handout',
    ):
        assert shown in html, shown
    for hidden in ("Hemmelig kladde", "Kun for personalet", "Outreach</h3>", "Edit"):
        assert hidden not in html, hidden
    assert html.index("Vi printer dobbeltsidet.") < html.index("Vi sorterer affald.")
    assert html.index("Citizen involvement</h3>") < html.index("The library&#x27;s own sustainability</h3>")


@pytest.mark.parametrize(
    ("person", "shows_edit_links"), [(who, EXPECTED[who] == 200) for who in WHO], indirect=["person"]
)
def test_library_page_shows_edit_links_only_to_its_staff_and_admins(client, library, plan, person, shows_edit_links):
    if person is not None:
        client.force_login(person)
    html = client.get(library.get_absolute_url()).content.decode()
    for name, part in EDIT_PAGES:
        assert (f'href="{page_url(name, part, library, plan)}"' in html) is shows_edit_links, name


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "staff"])
def test_library_page_query_count_does_not_grow_with_its_content(client, library, sdgs, as_staff):
    if as_staff:
        client.force_login(factories.LibraryStaffFactory(library=library).user)
    url = library.get_absolute_url()
    factories.InitiativeFactory(library=library, sdgs=[sdgs[1]])
    factories.VenueFactory(library=library)
    factories.ResourceFactory(owner_library=library)
    factories.CommitmentFactory(library=library)
    factories.CircleFactory(host_library=library)
    client.get(url)  # the first request of a session records the session; later ones only read it
    few = _queries_for(client, url)
    for number in range(2, 12):
        area = list(ActionPlanArea)[number % 3]
        factories.InitiativeFactory(library=library, area=area, sdgs=[sdgs[number], sdgs[number + 1]])
        factories.VenueFactory(library=library)
        factories.ResourceFactory(owner_library=library)
        factories.CommitmentFactory(library=library)
        factories.CircleFactory(host_library=library)
    assert _queries_for(client, url) == few
