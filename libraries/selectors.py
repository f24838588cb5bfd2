"""Read queries and permission questions for libraries."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from accounts.models import User
from circles.models import Circle
from circles.selectors import VISIBLE_STATUSES

from .models import Library, LibraryStaff, StaffRole


def user_is_library_staff(user: User | AnonymousUser, library: Library) -> bool:
    """Staff or admin of this library (site superusers count as staff everywhere)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return LibraryStaff.objects.filter(library=library, user=user).exists()


def user_is_library_admin(user: User | AnonymousUser, library: Library) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return LibraryStaff.objects.filter(library=library, user=user, role=StaffRole.ADMIN).exists()


def library_get_public(*, slug: str) -> Library:
    """A library with its venues and the circles it hosts."""
    return (
        Library.objects.select_related("municipality")
        .prefetch_related(
            "venues",
            Prefetch(
                "hosted_circles", queryset=Circle.objects.filter(status__in=VISIBLE_STATUSES), to_attr="visible_circles"
            ),
        )
        .get(slug=slug)
    )
