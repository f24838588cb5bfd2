"""Actions of project groups: services, who may change them, the pages, and the libraries that show them."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from circles import errors
from circles.models import ActionStatus, Circle, CircleKind, MembershipRole, MembershipState, ProjectAction
from circles.services import project_action_create, project_action_delete, project_action_update
from config.errors import ServiceError
from tests import factories

WHO = [
    "anonymous",
    "member_of_the_group",
    "member_of_another_circle",
    "facilitator",
    "staff_of_another_library",
    "host_library_staff",
    "partner_library_staff",
]
MAY_EDIT = {"member_of_the_group", "facilitator", "host_library_staff"}
PAGES = [
    ("circles:project_action_create", False),
    ("circles:project_action_edit", True),
    ("circles:project_action_delete", True),
]


@pytest.fixture
def partner_library(db):
    return factories.LibraryFactory(name="Herlev Bibliotek")


@pytest.fixture
def group(library, partner_library, sdgs):
    """A project group hosted by `library` with `partner_library` as partner, and one active member."""
    group = factories.CircleFactory(
        host_library=library, kind=CircleKind.PROJECT_GROUP, title="Renere vandløb", sdgs=[sdgs[6]]
    )
    group.partner_libraries.set([partner_library])
    group.member = factories.MembershipFactory(circle=group).user
    group.facilitator = factories.MembershipFactory(circle=group, role=MembershipRole.FACILITATOR).user
    return group


@pytest.fixture
def action(group, sdgs):
    return project_action_create(
        created_by=group.member,
        circle=group,
        title="Ryd op ved broen",
        sdg=sdgs[14],
        owner=group.member,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


@pytest.fixture
def person(request, group, library, partner_library):
    """Who is asking, by name (parametrized indirectly)."""
    return {
        "anonymous": lambda: None,
        "member_of_the_group": lambda: group.member,
        "member_of_another_circle": lambda: factories.MembershipFactory().user,
        "facilitator": lambda: group.facilitator,
        "staff_of_another_library": lambda: factories.LibraryStaffFactory().user,
        "host_library_staff": lambda: factories.LibraryStaffFactory(library=library).user,
        "partner_library_staff": lambda: factories.LibraryStaffFactory(library=partner_library).user,
    }[request.param]()


@pytest.fixture(autouse=True)
def _danish_between_requests():
    translation.activate("da")
    yield
    translation.activate("da")


def page_url(name: str, with_action: bool, group: Circle, action: ProjectAction) -> str:
    kwargs = {"slug": group.slug}
    if with_action:
        kwargs["pk"] = action.pk
    return reverse(name, kwargs=kwargs)


# Services


def test_a_member_adds_an_action_with_goal_owner_and_due_date(group, sdgs):
    due = timezone.localdate() + datetime.timedelta(days=10)
    action = project_action_create(
        created_by=group.member,
        circle=group,
        title="Lån gribetænger",
        description="Herlev har nogle.",
        sdg=sdgs[17],
        owner=group.facilitator,
        due_on=due,
    )
    action.refresh_from_db()
    assert (action.title, action.sdg_id, action.owner, action.due_on) == ("Lån gribetænger", 17, group.facilitator, due)
    assert (action.status, action.created_by) == (ActionStatus.TODO, group.member)


@pytest.mark.parametrize("state", [MembershipState.PENDING, MembershipState.WAITLISTED, MembershipState.REMOVED])
def test_the_owner_must_be_an_active_member_of_the_group(group, state):
    outsider = factories.MembershipFactory(circle=group, state=state).user
    with pytest.raises(ServiceError) as refused:
        project_action_create(created_by=group.member, circle=group, title="Noget", owner=outsider)
    assert (refused.value.code, refused.value.message) == ("owner_not_member", errors.OWNER_NOT_MEMBER)
    with pytest.raises(ServiceError):
        project_action_create(created_by=group.member, circle=group, title="Noget", owner=factories.UserFactory())
    assert not ProjectAction.objects.exists()


def test_members_update_status_owner_and_due_date(group, action):
    before = action.updated_at
    due = timezone.localdate() + datetime.timedelta(days=30)
    project_action_update(
        updated_by=group.facilitator,
        action=action,
        data={"status": ActionStatus.DOING, "owner": group.facilitator, "due_on": due},
    )
    action.refresh_from_db()
    assert (action.status, action.owner, action.due_on) == (ActionStatus.DOING, group.facilitator, due)
    assert action.title == "Ryd op ved broen"
    assert action.updated_at > before


def test_an_owner_who_left_keeps_the_action_but_cannot_be_given_a_new_one(group, action):
    group.memberships.filter(user=group.member).update(state=MembershipState.REMOVED)
    project_action_update(updated_by=group.facilitator, action=action, data={"status": ActionStatus.DONE})
    project_action_update(updated_by=group.facilitator, action=action, data={"title": "Ryd op", "owner": group.member})
    with pytest.raises(ServiceError, match=str(errors.OWNER_NOT_MEMBER)):
        project_action_create(created_by=group.facilitator, circle=group, title="Ny", owner=group.member)


def test_update_refuses_fields_that_are_not_the_actions(group, action):
    with pytest.raises(ValueError, match="circle"):
        project_action_update(updated_by=group.member, action=action, data={"circle": factories.CircleFactory()})


@pytest.mark.parametrize(
    "service",
    [
        lambda who, group, action: project_action_create(created_by=who, circle=group, title="Noget"),
        lambda who, group, action: project_action_update(updated_by=who, action=action, data={"status": "done"}),
        lambda who, group, action: project_action_delete(deleted_by=who, action=action),
    ],
    ids=["create", "update", "delete"],
)
@pytest.mark.parametrize("person", [who for who in WHO if who != "anonymous"], indirect=True)
def test_only_members_facilitators_and_host_library_staff_change_actions(service, person, group, action, request):
    allowed = request.node.callspec.params["person"] in MAY_EDIT
    if allowed:
        service(person, group, action)
        return
    with pytest.raises(ServiceError) as refused:
        service(person, group, action)
    assert refused.value.code == "not_allowed"
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO


def test_learning_circles_have_no_actions(circle, member, library_staff):
    for person in (member, library_staff):
        with pytest.raises(ServiceError):
            project_action_create(created_by=person, circle=circle, title="Noget")


def test_deleting_an_action_removes_it(group, action):
    project_action_delete(deleted_by=group.facilitator, action=action)
    assert not ProjectAction.objects.exists()


# Pages


@pytest.mark.parametrize(
    ("name", "with_action", "person", "allowed"),
    [
        pytest.param(name, with_action, who, who in MAY_EDIT, id=f"{name.split(':')[1]}-{who}")
        for name, with_action in PAGES
        for who in WHO
    ],
    indirect=["person"],
)
def test_action_page_permission_table(client, group, action, name, with_action, person, allowed):
    if person is not None:
        client.force_login(person)
    url = page_url(name, with_action, group, action)
    response = client.get(url)
    if person is None:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("person", "allowed"), [pytest.param(who, who in MAY_EDIT, id=who) for who in WHO], indirect=["person"]
)
def test_status_form_permission_table(client, group, action, person, allowed):
    if person is not None:
        client.force_login(person)
    url = reverse("circles:project_action_status", kwargs={"slug": group.slug, "pk": action.pk})
    response = client.post(url, {"status": "doing"})
    action.refresh_from_db()
    if person is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif allowed:
        assert response.status_code == 302
        assert response["Location"] == f"{group.get_absolute_url()}#action-{action.pk}"
        assert action.status == ActionStatus.DOING
        return
    else:
        assert response.status_code == 403
    assert action.status == ActionStatus.TODO


def test_adding_an_action_on_its_page_goes_back_to_the_group(client, group, sdgs):
    client.force_login(group.member)
    response = client.post(
        reverse("circles:project_action_create", kwargs={"slug": group.slug}),
        {
            "title": "Kortlæg affaldet",
            "description": "",
            "sdg": "6",
            "owner": str(group.facilitator.pk),
            "due_on": "2030-05-01",
            "status": "doing",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{group.get_absolute_url()}#actions-title"
    action = ProjectAction.objects.get()
    assert (action.title, action.owner, action.due_on, action.status) == (
        "Kortlæg affaldet",
        group.facilitator,
        datetime.date(2030, 5, 1),
        ActionStatus.DOING,
    )


def test_the_owner_list_offers_only_the_groups_active_members(client, group, action):
    outsider = factories.UserFactory(display_name="Udenforstående")
    factories.MembershipFactory(circle=group, state=MembershipState.PENDING, user=factories.UserFactory())
    client.force_login(group.member)
    url = reverse("circles:project_action_edit", kwargs={"slug": group.slug, "pk": action.pk})
    owners = client.get(url).context["form"].fields["owner"].queryset
    assert set(owners) == {group.member, group.facilitator}
    response = client.post(url, {"title": "Ryd op", "owner": str(outsider.pk), "status": "todo"})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    action.refresh_from_db()
    assert action.owner == group.member


def test_deleting_asks_first_and_deletes_only_on_post(client, group, action):
    client.force_login(group.facilitator)
    url = reverse("circles:project_action_delete", kwargs={"slug": group.slug, "pk": action.pk})
    page = client.get(url).content.decode()
    assert "Ryd op ved broen" in page
    assert 'method="post"' in page
    assert ProjectAction.objects.exists()
    response = client.post(url)
    assert response["Location"] == f"{group.get_absolute_url()}#actions-title"
    assert not ProjectAction.objects.exists()


def test_the_group_page_lists_actions_and_offers_status_forms_to_members_only(client, group, action, sdgs):
    project_action_create(created_by=group.member, circle=group, title="Allerede gjort", status=ActionStatus.DONE)
    status_url = reverse("circles:project_action_status", kwargs={"slug": group.slug, "pk": action.pk})
    html = client.get(group.get_absolute_url()).content.decode()
    assert 'id="actions-title"' in html
    assert "Ryd op ved broen" in html
    assert group.member.name in html
    assert html.index("Ryd op ved broen") < html.index("Allerede gjort")
    assert status_url not in html

    client.force_login(group.member)
    html = client.get(group.get_absolute_url()).content.decode()
    assert f'action="{status_url}"' in html
    assert f'<label for="action-{action.pk}-status">' in html
    assert 'value="todo" selected' in html
    assert reverse("circles:project_action_create", kwargs={"slug": group.slug}) in html


@pytest.mark.parametrize("name", ["circles:project_action_edit", "circles:project_action_status"])
def test_an_action_is_only_found_under_its_own_group(client, group, action, library, name):
    other = factories.CircleFactory(host_library=library, kind=CircleKind.PROJECT_GROUP)
    client.force_login(factories.LibraryStaffFactory(library=library).user)
    url = reverse(name, kwargs={"slug": other.slug, "pk": action.pk})
    response = client.post(url, {"status": "done"}) if name.endswith("status") else client.get(url)
    assert response.status_code == 404


def test_learning_circles_have_no_action_pages(client, circle, library_staff):
    client.force_login(library_staff)
    assert client.get(reverse("circles:project_action_create", kwargs={"slug": circle.slug})).status_code == 404


# Library pages


@pytest.mark.parametrize("which", ["host", "partner"])
def test_every_library_of_the_group_shows_its_open_actions(client, group, action, library, partner_library, which):
    project_action_create(created_by=group.member, circle=group, title="Allerede gjort", status=ActionStatus.DONE)
    page_library = library if which == "host" else partner_library
    with translation.override("en"):
        url = page_library.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Project groups we take part in" in html
    assert f'href="/en{group.get_absolute_url()}"' in html or group.get_absolute_url() in html
    assert "Ryd op ved broen" in html
    assert group.member.name in html
    assert "Allerede gjort" not in html


def test_a_library_without_project_groups_shows_no_such_section(client, library):
    html = client.get(library.get_absolute_url()).content.decode()
    assert 'id="project-groups-title"' not in html


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_library_page_query_count_does_not_grow_with_project_groups_and_actions(client, partner_library, sdgs):
    def add_group() -> None:
        group = factories.CircleFactory(kind=CircleKind.PROJECT_GROUP)
        group.partner_libraries.set([partner_library])
        owner = factories.MembershipFactory(circle=group).user
        for number in range(3):
            project_action_create(
                created_by=owner, circle=group, title=f"Handling {number}", owner=owner, sdg=sdgs[number + 1]
            )

    add_group()
    url = partner_library.get_absolute_url()
    client.get(url)
    few = _queries_for(client, url)
    for _number in range(5):
        add_group()
    assert _queries_for(client, url) == few


# Demo data


def test_the_demo_project_group_has_four_actions_owned_by_its_members_in_mixed_states(db, sdgs):
    call_command("seed_demo", "--force", verbosity=0)
    group = Circle.objects.get(slug="renere-vandloeb-paa-tvaers")
    actions = list(group.actions.all())
    assert len(actions) == 4
    members = set(group.memberships.filter(state=MembershipState.ACTIVE).values_list("user", flat=True))
    assert {action.owner_id for action in actions} <= members
    assert {action.status for action in actions} == set(ActionStatus.values)

    # Idempotent, and a demo seeded before actions existed gets them on the next run.
    call_command("seed_demo", "--force", verbosity=0)
    assert group.actions.count() == 4
    group.actions.all().delete()
    call_command("seed_demo", "--force", verbosity=0)
    assert group.actions.count() == 4
