"""Who may do what: the one module that answers every "may this person do this?" question.

Services, views, consumers and the admin ask here and nowhere else. Every function takes
the person (logged in or anonymous) and the object, and answers True or False. Site
superusers may do everything; anonymous visitors may change nothing.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from chat.models import Message, Room
from chat.selectors import room_membership
from circles.models import Circle, CircleKind, CircleStatus, Meeting, Membership, MembershipRole, MembershipState
from libraries.models import Library, LibraryStaff, StaffRole
from resources.models import Resource, Visibility

Person = User | AnonymousUser


def is_library_staff(user: Person, library: Library) -> bool:
    """Staff or admin of this library."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return LibraryStaff.objects.filter(library=library, user=user).exists()


def is_library_admin(user: Person, library: Library) -> bool:
    """Admin of this library."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return LibraryStaff.objects.filter(library=library, user=user, role=StaffRole.ADMIN).exists()


def may_edit_library(user: Person, library: Library) -> bool:
    """Change the library's details, venues, action plan and commitments: its staff and admins."""
    return is_library_staff(user, library)


def may_manage_library_staff(user: Person, library: Library) -> bool:
    """Give people a role at the library or take it away: its admins."""
    return is_library_admin(user, library)


def may_create_circle(user: Person, library: Library) -> bool:
    """Start a circle hosted by the library: its staff and admins."""
    return is_library_staff(user, library)


def may_appoint_facilitator(user: Person, circle: Circle) -> bool:
    """Make someone a facilitator of the circle: staff of its host library."""
    return is_library_staff(user, circle.host_library)


def may_manage_circle(user: Person, circle: Circle) -> bool:
    """Run the circle (meetings, materials): its active facilitators and staff of its host library."""
    if not user.is_authenticated:
        return False
    # By the library's id: the circle's library need not be loaded to ask.
    if user.is_superuser or LibraryStaff.objects.filter(library_id=circle.host_library_id, user=user).exists():
        return True
    return Membership.objects.filter(
        circle=circle, user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
    ).exists()


def room_rights(user: Person, room: Room) -> tuple[bool, bool]:
    """(may_read_room, may_post_in_room) from one query, for the send path that asks both."""
    if not user.is_authenticated:
        return False, False
    if user.is_superuser:
        return True, True
    membership = room_membership(user, room)
    if membership is None:
        return False, False
    return True, membership.muted_until is None or membership.muted_until <= timezone.now()


def may_post_in_room(user: Person, room: Room) -> bool:
    """Write in the circle's discussion: active members who are not muted."""
    return room_rights(user, room)[1]


def may_read_room(user: Person, room: Room) -> bool:
    """Open the circle's discussion (its socket and its pages): active members, muted or not."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return room_membership(user, room) is not None


def may_moderate_room(user: Person, room: Room) -> bool:
    """Moderate the circle's discussion (remove anyone's message, pin, mute, lock, slow mode, see reports): those who run the circle."""
    return may_manage_circle(user, room.circle)


def may_report_message(user: Person, message: Message) -> bool:
    """Report a message to the circle's facilitators: those who may read the room, about someone else's message."""
    return message.author_id != user.pk and may_read_room(user, message.room)


def may_share_resource(user: Person, resource: Resource) -> bool:
    """Share material owned by a library: its staff; for a circle's material, also whoever runs that circle."""
    if is_library_staff(user, resource.owner_library):
        return True
    return resource.circle is not None and may_manage_circle(user, resource.circle)


def may_view_circle(user: Person, circle: Circle) -> bool:
    """See a circle and its meetings: anyone once it is open or running (or finished); a draft only those who run it."""
    if circle.status in (CircleStatus.OPEN, CircleStatus.RUNNING, CircleStatus.FINISHED):
        return True
    return may_manage_circle(user, circle)


def _is_active_member(user: Person, circle: Circle, *, role: MembershipRole | None = None) -> bool:
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.filter(circle=circle, user=user, state=MembershipState.ACTIVE)
    if role is not None:
        memberships = memberships.filter(role=role)
    return memberships.exists()


def may_see_online_link(user: Person, circle: Circle) -> bool:
    """See the link to a circle's online meetings: its active members and facilitators, and staff of its library."""
    return _is_active_member(user, circle) or may_manage_circle(user, circle)


def may_read_meeting_notes(user: Person, circle: Circle) -> bool:
    """Read the notes of a circle's meetings: the same people who may join them online."""
    return may_see_online_link(user, circle)


def may_give_feedback(user: Person, meeting: Meeting) -> bool:
    """Rate a meeting: the circle's active members (not the facilitators who ran it, not staff)."""
    return _is_active_member(user, meeting.circle, role=MembershipRole.MEMBER)


def may_edit_project_actions(user: Person, circle: Circle) -> bool:
    """Add, change and delete a project group's actions: its active members and facilitators, staff of its host library."""
    if circle.kind != CircleKind.PROJECT_GROUP or not user.is_authenticated:
        return False
    return is_library_staff(user, circle.host_library) or _is_active_member(user, circle)


def _is_staff_or_facilitator_anywhere(user: Person) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or LibraryStaff.objects.filter(user=user).exists():
        return True
    return Membership.objects.filter(user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE).exists()


def may_view_resource(user: Person, resource: Resource) -> bool:
    """See shared material and download its file.

    Public: everyone. Staff: staff of any library and facilitators of any circle. Circle: the
    circle's active members. Those who may edit it, and the members of its circle, always may.
    resources.selectors.visible_resources asks the same question of the database.
    """
    if resource.visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if resource.circle_id is not None and _is_active_member(user, resource.circle):
        return True
    if resource.visibility == Visibility.STAFF and _is_staff_or_facilitator_anywhere(user):
        return True
    return may_edit_resource(user, resource)


def may_edit_resource(user: Person, resource: Resource) -> bool:
    """Change material, upload a new version, see earlier versions and delete it: whoever may share it."""
    return may_share_resource(user, resource)


def may_upload_resource(user: Person) -> bool:
    """Share material at all: staff of a library, facilitators of a circle."""
    return _is_staff_or_facilitator_anywhere(user)


def may_adopt_resource(user: Person, resource: Resource, library: Library) -> bool:
    """Take material into a library's own list: staff of that library, when it is another library's and not circle-only."""
    if resource.visibility == Visibility.CIRCLE or library.pk == resource.owner_library_id:
        return False
    return is_library_staff(user, library) and may_view_resource(user, resource)


def room_may_see_resource(resource: Resource, room: Room) -> bool:
    """Everyone in the room may see the material: it is public, or it belongs to the room's circle.

    Members of a circle see all of the circle's material, staff-level included (may_view_resource);
    staff-level material of another circle, or of no circle, is hidden from ordinary members.
    """
    return resource.visibility == Visibility.PUBLIC or (
        resource.circle_id is not None and resource.circle_id == room.circle_id
    )


def may_share_resource_in_room(user: Person, resource: Resource, room: Room) -> bool:
    """Post a link to material in a circle's discussion: someone who may write there and see it, when everyone in the room may see it too."""
    if not room_may_see_resource(resource, room):
        return False
    return may_post_in_room(user, room) and may_view_resource(user, resource)


def may_handle_removal_requests(user: Person, library: Library) -> bool:
    """See the requests for removal sent to a library and answer them: its staff and admins."""
    return is_library_staff(user, library)
