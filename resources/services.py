"""Every change to shared materials."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from accounts.permissions import may_share_resource
from circles.errors import NOT_ALLOWED
from circles.models import SDG, Circle, Language
from config.errors import ServiceError
from libraries.models import Library

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
    if not may_share_resource(created_by, resource):
        raise ServiceError("not_allowed", NOT_ALLOWED)
    resource.full_clean()
    resource.save()
    resource.sdgs.set(sdgs)
    return resource
