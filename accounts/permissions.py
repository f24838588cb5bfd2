"""Who may do what: the one module that answers every "may this person do this?" question.

Services, views, consumers and the admin ask here and nowhere else. Every function takes
the person (logged in or anonymous) and the object, and answers True or False. Site
superusers may do everything; anonymous visitors may change nothing.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from chat.models import Room
from chat.selectors import room_membership
from circles.models import Circle, CircleKind, CircleStatus, Meeting, Membership, MembershipRole, MembershipState
from libraries.models import Library, LibraryStaff, StaffRole
from resources.models import Resource

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
    if is_library_staff(user, circle.host_library):
        return True
    return Membership.objects.filter(
        circle=circle, user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
    ).exists()


def may_post_in_room(user: Person, room: Room) -> bool:
    """Write in the circle's discussion: active members who are not muted."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    membership = room_membership(user, room)
    return membership is not None and (membership.muted_until is None or membership.muted_until <= timezone.now())


def may_read_room(user: Person, room: Room) -> bool:
    """Open the circle's discussion (its socket and its pages): active members, muted or not."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return room_membership(user, room) is not None


def may_moderate_room(user: Person, room: Room) -> bool:
    """Remove anyone's message in the circle's discussion: those who run the circle."""
    return may_manage_circle(user, room.circle)


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
