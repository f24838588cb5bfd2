"""Every change to libraries, venues, staff roles, action plans and commitments.

Each runs in a transaction, asks accounts.permissions who may do it, and validates the
object with full_clean() before saving it.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import may_edit_library
from circles.errors import NOT_ALLOWED
from circles.models import SDG
from config.errors import ServiceError

from .models import (
    ActionPlanArea,
    Commitment,
    Initiative,
    InitiativeStatus,
    Library,
    LibraryStaff,
    StaffRole,
    Venue,
)

NO_SDGS = _("Choose at least one Sustainable Development Goal.")


def _require_editor(user: User, library: Library) -> None:
    if not may_edit_library(user, library):
        raise ServiceError("not_allowed", NOT_ALLOWED)


def _set_fields(instance, fields: dict) -> None:
    """Set the given fields; None means "leave as it is"."""
    for name, value in fields.items():
        if value is not None:
            setattr(instance, name, value)


@transaction.atomic
def library_staff_set(*, library: Library, user: User, role: StaffRole) -> LibraryStaff:
    """Give a person a role at a library (or change the role they have)."""
    staff, _created = LibraryStaff.objects.update_or_create(library=library, user=user, defaults={"role": role})
    return staff


@transaction.atomic
def library_update(
    *,
    updated_by: User,
    library: Library,
    address: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    description: str | None = None,
) -> Library:
    """Change a library's address, contact and description (its name stays). Its staff and admins may."""
    _require_editor(updated_by, library)
    _set_fields(
        library,
        {
            "address": address,
            "postcode": postcode,
            "city": city,
            "email": email,
            "phone": phone,
            "website": website,
            "description": description,
        },
    )
    library.full_clean()
    library.save()
    return library


@transaction.atomic
def venue_create(
    *,
    created_by: User,
    library: Library,
    name: str,
    address: str,
    postcode: str = "",
    city: str = "",
    step_free: bool = False,
    hearing_loop: bool = False,
    accessibility_notes: str = "",
) -> Venue:
    """Add a meeting place to a library. Its staff and admins may."""
    _require_editor(created_by, library)
    venue = Venue(
        library=library,
        name=name,
        address=address,
        postcode=postcode,
        city=city,
        step_free=step_free,
        hearing_loop=hearing_loop,
        accessibility_notes=accessibility_notes,
    )
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def venue_update(
    *,
    updated_by: User,
    venue: Venue,
    name: str | None = None,
    address: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    step_free: bool | None = None,
    hearing_loop: bool | None = None,
    accessibility_notes: str | None = None,
) -> Venue:
    """Change a meeting place. Staff and admins of its library may."""
    _require_editor(updated_by, venue.library)
    _set_fields(
        venue,
        {
            "name": name,
            "address": address,
            "postcode": postcode,
            "city": city,
            "step_free": step_free,
            "hearing_loop": hearing_loop,
            "accessibility_notes": accessibility_notes,
        },
    )
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def initiative_create(
    *,
    created_by: User,
    library: Library,
    title: str,
    area: ActionPlanArea,
    sdgs: Iterable[SDG],
    description: str = "",
    status: InitiativeStatus = InitiativeStatus.PLANNED,
) -> Initiative:
    """Add an initiative to a library's action plan. Its staff and admins may."""
    _require_editor(created_by, library)
    sdgs = list(sdgs)
    if not sdgs:
        raise ServiceError("no_sdgs", NO_SDGS)
    now = timezone.now()
    initiative = Initiative(
        library=library,
        title=title,
        description=description,
        area=area,
        status=status,
        created_at=now,
        updated_at=now,
    )
    initiative.full_clean()
    initiative.save()
    initiative.sdgs.set(sdgs)
    return initiative


@transaction.atomic
def initiative_update(
    *,
    updated_by: User,
    initiative: Initiative,
    title: str | None = None,
    description: str | None = None,
    area: ActionPlanArea | None = None,
    status: InitiativeStatus | None = None,
    sdgs: Iterable[SDG] | None = None,
) -> Initiative:
    """Change an initiative; it is marked as changed now. Staff and admins of its library may."""
    _require_editor(updated_by, initiative.library)
    if sdgs is not None:
        sdgs = list(sdgs)
        if not sdgs:
            raise ServiceError("no_sdgs", NO_SDGS)
    _set_fields(initiative, {"title": title, "description": description, "area": area, "status": status})
    initiative.updated_at = timezone.now()
    initiative.full_clean()
    initiative.save()
    if sdgs is not None:
        initiative.sdgs.set(sdgs)
    return initiative


@transaction.atomic
def initiative_delete(*, deleted_by: User, initiative: Initiative) -> None:
    """Remove an initiative from the action plan. Staff and admins of its library may."""
    _require_editor(deleted_by, initiative.library)
    initiative.delete()


@transaction.atomic
def commitment_create(*, created_by: User, library: Library, text: str, position: int | None = None) -> Commitment:
    """Add a public commitment to a library's page, last in the list unless a place is given."""
    _require_editor(created_by, library)
    if position is None:
        last = Commitment.objects.filter(library=library).aggregate(last=Max("position"))["last"]
        position = (last or 0) + 1
    commitment = Commitment(library=library, text=text.strip(), position=position)
    commitment.full_clean()
    commitment.save()
    return commitment


@transaction.atomic
def commitment_update(
    *, updated_by: User, commitment: Commitment, text: str | None = None, position: int | None = None
) -> Commitment:
    """Change a commitment's text or place in the list. Staff and admins of its library may."""
    _require_editor(updated_by, commitment.library)
    _set_fields(commitment, {"text": text.strip() if text is not None else None, "position": position})
    commitment.full_clean()
    commitment.save()
    return commitment


@transaction.atomic
def commitment_delete(*, deleted_by: User, commitment: Commitment) -> None:
    """Remove a commitment. Staff and admins of its library may."""
    _require_editor(deleted_by, commitment.library)
    commitment.delete()
