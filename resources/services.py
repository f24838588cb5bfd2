"""Every change to shared materials."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from circles.errors import NOT_ALLOWED
from circles.models import SDG, Circle, Language
from circles.selectors import user_may_manage_circle
from config.errors import ServiceError
from libraries.models import Library
from libraries.selectors import user_is_library_staff

from .models import Licence, Resource, ResourceFormat, Visibility


@transaction.atomic
def resource_create_link(
    *,
    created_by: User,
    owner_library: Library,
    title: str,
    url: str,
    format: ResourceFormat,
    sdgs: Iterable[SDG] = (),
    description: str = "",
    language: Language = Language.DANISH,
    licence: Licence = Licence.CC_BY,
    circle: Circle | None = None,
    visibility: Visibility = Visibility.PUBLIC,
) -> Resource:
    """Share a link. Staff of the owner library may; so may the circle's facilitators for their circle."""
    allowed = user_is_library_staff(created_by, owner_library) or (
        circle is not None and user_may_manage_circle(created_by, circle)
    )
    if not allowed:
        raise ServiceError("not_allowed", NOT_ALLOWED)
    resource = Resource(
        title=title,
        url=url,
        format=format,
        description=description,
        language=language,
        licence=licence,
        owner_library=owner_library,
        circle=circle,
        visibility=visibility,
        created_by=created_by,
    )
    resource.full_clean()
    resource.save()
    resource.sdgs.set(sdgs)
    return resource
