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
from circles.models import Circle, Membership, MembershipRole, MembershipState
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


def may_share_resource(user: Person, resource: Resource) -> bool:
    """Share material owned by a library: its staff; for a circle's material, also whoever runs that circle."""
    if is_library_staff(user, resource.owner_library):
        return True
    return resource.circle is not None and may_manage_circle(user, resource.circle)
