"""Sharing material in a circle's discussion: only where everyone in the room may see it.

A link posted where some members may not open it leaks its title and leads them to a 404.
"""

import pytest
from django.urls import reverse

from accounts.permissions import may_share_resource_in_room, may_view_resource
from chat.models import Message
from circles.models import MembershipRole
from config.errors import ServiceError
from resources import errors, services
from resources.models import Visibility
from resources.selectors import rooms_for_sharing
from tests import factories


@pytest.fixture
def other_circle(circle, sdgs):
    """A second circle of the same library, with its own ordinary member."""
    other = factories.CircleFactory(host_library=circle.host_library, sdgs=[sdgs[2]])
    factories.MembershipFactory(circle=other)
    return other


@pytest.fixture
def sharer(circle, other_circle):
    """A facilitator of both circles: may see staff material and write in both discussions."""
    person = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    factories.MembershipFactory(circle=other_circle, user=person, role=MembershipRole.FACILITATOR)
    return person


def _share(resource, circle, person):
    return services.resource_share_in_room(
        resource=resource, room=circle.room, user=person, link=f"https://cirkler.example/materialer/{resource.pk}/"
    )


def test_staff_only_material_cannot_be_shared_in_a_discussion_of_ordinary_members(circle, member, sharer):
    staff_material = factories.ResourceFactory(owner_library=circle.host_library, visibility=Visibility.STAFF)
    assert may_view_resource(sharer, staff_material)
    assert not may_view_resource(member, staff_material)
    with pytest.raises(ServiceError) as refused:
        _share(staff_material, circle, sharer)
    assert refused.value.code == "not_for_everyone_in_room"
    assert refused.value.message == str(errors.NOT_FOR_EVERYONE_IN_ROOM)
    assert not Message.objects.exists()


def test_staff_only_material_is_not_offered_for_sharing_and_a_forged_post_posts_nothing(client, circle, sharer):
    staff_material = factories.ResourceFactory(
        owner_library=circle.host_library, visibility=Visibility.STAFF, title="Intern plan"
    )
    client.force_login(sharer)
    page = client.get(reverse("resources:detail", kwargs={"pk": staff_material.pk})).content.decode()
    assert reverse("resources:share", kwargs={"pk": staff_material.pk}) not in page
    response = client.post(reverse("resources:share", kwargs={"pk": staff_material.pk}), {"circle": circle.pk})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_staff_material_of_another_circle_cannot_be_shared_here(circle, other_circle, sharer):
    material = factories.ResourceFactory(
        owner_library=circle.host_library, visibility=Visibility.STAFF, circle=other_circle
    )
    with pytest.raises(ServiceError):
        _share(material, circle, sharer)
    assert _share(material, other_circle, sharer).room == other_circle.room


def test_staff_material_of_the_circle_can_be_shared_in_its_own_discussion(circle, member, sharer):
    """Members of a circle see all of its material, staff-level included (may_view_resource)."""
    material = factories.ResourceFactory(owner_library=circle.host_library, visibility=Visibility.STAFF, circle=circle)
    assert may_view_resource(member, material)
    message = _share(material, circle, sharer)
    assert Message.objects.get() == message


def test_public_material_can_be_shared_in_any_discussion_one_writes_in(circle, other_circle, member, sharer):
    public = factories.ResourceFactory(owner_library=circle.host_library, visibility=Visibility.PUBLIC)
    _share(public, circle, sharer)
    _share(public, other_circle, sharer)
    _share(public, circle, member)
    assert Message.objects.count() == 3


def test_circle_material_only_in_its_own_circle(circle, other_circle, sharer):
    material = factories.ResourceFactory(owner_library=circle.host_library, visibility=Visibility.CIRCLE, circle=circle)
    with pytest.raises(ServiceError) as refused:
        _share(material, other_circle, sharer)
    assert refused.value.code == "not_in_this_circle"
    _share(material, circle, sharer)
    assert list(Message.objects.values_list("room__circle", flat=True)) == [circle.pk]


PLACEMENTS = [
    (Visibility.PUBLIC, None),
    (Visibility.PUBLIC, "circle"),
    (Visibility.STAFF, None),
    (Visibility.STAFF, "circle"),
    (Visibility.STAFF, "other_circle"),
    (Visibility.CIRCLE, "circle"),
    (Visibility.CIRCLE, "other_circle"),
]


@pytest.mark.parametrize(("visibility", "placed_in"), PLACEMENTS)
@pytest.mark.parametrize("who", ["sharer", "member"])
def test_rooms_offered_for_sharing_are_exactly_those_the_service_accepts(
    circle, other_circle, member, sharer, visibility, placed_in, who
):
    places = {"circle": circle, "other_circle": other_circle, None: None}
    material = factories.ResourceFactory(
        owner_library=circle.host_library, visibility=visibility, circle=places[placed_in]
    )
    person = {"sharer": sharer, "member": member}[who]
    offered = {offered.pk for offered in rooms_for_sharing(user=person, resource=material)}
    accepted = {
        candidate.pk
        for candidate in (circle, other_circle)
        if may_share_resource_in_room(person, material, candidate.room)
    }
    assert offered == accepted
    for candidate in (circle, other_circle):
        if candidate.pk in accepted:
            _share(material, candidate, person)
        else:
            with pytest.raises(ServiceError):
                _share(material, candidate, person)
    assert Message.objects.count() == len(accepted)
