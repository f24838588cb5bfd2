"""Every change to libraries, venues and staff roles."""

from django.db import transaction

from accounts.models import User

from .models import Library, LibraryStaff, StaffRole


@transaction.atomic
def library_staff_set(*, library: Library, user: User, role: StaffRole) -> LibraryStaff:
    """Give a person a role at a library (or change the role they have)."""
    staff, _created = LibraryStaff.objects.update_or_create(library=library, user=user, defaults={"role": role})
    return staff
