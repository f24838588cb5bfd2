"""Every change to shared materials.

Files are stored inside the service's transaction; if anything after that fails, the
stored files are deleted again before the error goes on, so a failure half-way leaves
nothing behind. Files that a change replaces or removes are deleted after it commits.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import User
from accounts.permissions import (
    Person,
    may_adopt_resource,
    may_edit_resource,
    may_handle_removal_requests,
    may_share_resource,
    may_share_resource_in_room,
    may_view_resource,
    room_may_see_resource,
)
from chat.models import Message, Room
from chat.services import message_post
from circles.models import SDG, Circle, Language
from config.errors import ServiceError
from libraries.models import Library

from . import errors, notifications
from .models import (
    Licence,
    RemovalRequest,
    RemovalStatus,
    Resource,
    ResourceAdoption,
    ResourceDownload,
    ResourceFormat,
    ResourceVersion,
    Visibility,
)
from .selectors import library_of_person
from .storage import private_storage
from .uploads import CheckedFile, check_upload, extension_of


def _refuse(code: str, message) -> ServiceError:
    return ServiceError(code, str(message))


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Collects the names of files stored inside the block; deletes them if the block fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in stored:
            private_storage().delete(name)
        raise


def _delete_after_commit(*files: FieldFile | str) -> None:
    names = [stored if isinstance(stored, str) else stored.name for stored in files if stored]

    def delete() -> None:
        for name in names:
            private_storage().delete(name)

    if names:
        transaction.on_commit(delete, robust=True)


def _store(stored: list[str], folder: str, extension: str, content: bytes) -> str:
    now = timezone.now()
    name = private_storage().save(f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}", ContentFile(content))
    stored.append(name)
    return name


def _put_file(resource: Resource, checked: CheckedFile, uploaded_by: User, stored: list[str]) -> None:
    resource.file.name = _store(stored, "resources", extension_of(checked.filename), checked.content)
    resource.filename = checked.filename
    resource.content_type = checked.content_type
    resource.size = len(checked.content)
    resource.inline_ok = checked.inline_ok
    resource.thumbnail.name = _store(stored, "thumbnails", "webp", checked.thumbnail) if checked.thumbnail else ""
    resource.file_uploaded_at = timezone.now()
    resource.file_uploaded_by = uploaded_by


def _check_placement(resource: Resource) -> None:
    if resource.visibility == Visibility.CIRCLE and resource.circle is None:
        raise _refuse("circle_needed", errors.CIRCLE_NEEDED)
    if resource.shows_people and not resource.people_consent:
        raise _refuse("consent_needed", errors.CONSENT_NEEDED)


def _check_may_share(user: User, resource: Resource) -> None:
    if not may_share_resource(user, resource):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)


def resource_create_file(
    *,
    created_by: User,
    owner_library: Library,
    title: str,
    upload: UploadedFile,
    format: ResourceFormat,
    sdgs: Iterable[SDG] = (),
    description: str = "",
    language: Language = Language.DANISH,
    licence: Licence = Licence.CC_BY,
    circle: Circle | None = None,
    visibility: Visibility = Visibility.PUBLIC,
    shows_people: bool = False,
    people_consent: bool = False,
) -> Resource:
    """Share an uploaded file, after checking its bytes. Who may: as for links."""
    resource = Resource(
        title=title,
        format=format,
        description=description,
        language=language,
        licence=licence,
        owner_library=owner_library,
        circle=circle,
        visibility=visibility,
        created_by=created_by,
        shows_people=shows_people,
        people_consent=people_consent,
    )
    _check_may_share(created_by, resource)
    _check_placement(resource)
    checked = check_upload(upload)
    with _files_removed_on_failure() as stored:
        _put_file(resource, checked, created_by, stored)
        resource.full_clean()
        resource.save()
        resource.sdgs.set(sdgs)
    return resource


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
    _check_may_share(created_by, resource)
    _check_placement(resource)
    resource.full_clean()
    resource.save()
    resource.sdgs.set(sdgs)
    return resource


EDITABLE_FIELDS = (
    "title",
    "description",
    "url",
    "format",
    "language",
    "licence",
    "circle",
    "visibility",
    "shows_people",
    "people_consent",
)


@transaction.atomic
def resource_update(*, resource: Resource, edited_by: User, sdgs: Iterable[SDG] | None = None, **changes) -> Resource:
    """Change what is said about a resource. The person must be allowed to edit it before and after the change."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if not may_edit_resource(edited_by, resource):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    if "url" in changes and resource.file:
        changes.pop("url")
    for field, value in changes.items():
        setattr(resource, field, value)
    # Moving material to a circle one does not run is not allowed either.
    _check_may_share(edited_by, resource)
    _check_placement(resource)
    resource.updated_at = timezone.now()
    resource.full_clean()
    resource.save()
    if sdgs is not None:
        resource.sdgs.set(sdgs)
    return resource


def resource_version_upload(*, resource: Resource, uploaded_by: User, upload: UploadedFile) -> Resource:
    """Replace the file with a new version; the earlier file is kept as a version editors can still download."""
    if not may_edit_resource(uploaded_by, resource):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    if not resource.file:
        raise _refuse("not_a_file", errors.NOT_A_FILE)
    checked = check_upload(upload)
    with _files_removed_on_failure() as stored:
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        ResourceVersion.objects.create(
            resource=resource,
            number=resource.version,
            file=resource.file.name,
            filename=resource.filename,
            content_type=resource.content_type,
            size=resource.size,
            uploaded_at=resource.file_uploaded_at,
            uploaded_by=resource.file_uploaded_by,
        )
        old_thumbnail = resource.thumbnail.name
        _put_file(resource, checked, uploaded_by, stored)
        resource.version += 1
        resource.updated_at = timezone.now()
        resource.full_clean()
        resource.save()
        _delete_after_commit(old_thumbnail)
    return resource


def resource_purge(resource: Resource) -> None:
    """Delete a resource with its versions, and its files once that commits. No permission check: callers decide.

    Open requests for its removal are answered: the material is removed, and each requester is told.
    """
    # The row as stored now: a caller's copy may name a file that a new version has replaced.
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    files = [resource.file, resource.thumbnail, *(version.file for version in resource.versions.all())]
    answered = list(resource.removal_requests.select_for_update().filter(status=RemovalStatus.OPEN))
    for removal in answered:
        removal.status = RemovalStatus.REMOVED
        removal.handled_at = timezone.now()
        removal.save(update_fields=["status", "handled_at"])
        notifications.removal_answered(removal)
        _forget_after_a_year(removal)
    resource.delete()
    _delete_after_commit(*files)


@transaction.atomic
def circle_materials_purge(circle: Circle) -> int:
    """Delete the circle-only material of a circle about to be deleted; returns how many.

    The circle link of other material is cleared by the database (SET_NULL), but circle-only
    material may not lose its circle (a check constraint), and nobody could see it any more.
    """
    materials = list(Resource.objects.filter(circle=circle, visibility=Visibility.CIRCLE))
    for resource in materials:
        resource_purge(resource)
    return len(materials)


@transaction.atomic
def resource_delete(*, resource: Resource, deleted_by: User) -> None:
    """Take material down for good, with every version of its file."""
    if not may_edit_resource(deleted_by, resource):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    resource_purge(resource)


@transaction.atomic
def resource_adopt(*, resource: Resource, library: Library, adopted_by: User) -> ResourceAdoption:
    """Put another library's material in this library's list, crediting the original library."""
    if library.pk == resource.owner_library_id:
        raise _refuse("own_material", errors.OWN_MATERIAL)
    if resource.visibility == Visibility.CIRCLE:
        raise _refuse("circle_only", errors.CIRCLE_ONLY_NOT_ADOPTABLE)
    if not may_adopt_resource(adopted_by, resource, library):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    adoption, created = ResourceAdoption.objects.get_or_create(
        library=library, resource=resource, defaults={"adopted_by": adopted_by}
    )
    if not created:
        raise _refuse("already_adopted", errors.ALREADY_ADOPTED)
    return adoption


@transaction.atomic
def resource_unadopt(*, resource: Resource, library: Library, removed_by: User) -> None:
    """Take adopted material out of the library's list again."""
    if not may_adopt_resource(removed_by, resource, library):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    ResourceAdoption.objects.filter(resource=resource, library=library).delete()


def resource_download_record(*, resource: Resource, user: Person) -> ResourceDownload:
    """Count one download for the library of the person (none for visitors); who it was is not kept."""
    if not may_view_resource(user, resource):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    return ResourceDownload.objects.create(resource=resource, library=library_of_person(user))


# An answered request stays this long as the library's record of its answer (the privacy page says so).
ANSWERED_REMOVAL_KEPT = datetime.timedelta(days=365)


def removal_requests_prune(*, now: datetime.datetime) -> int:
    """Delete the requests answered longer ago than ANSWERED_REMOVAL_KEPT.

    The worker runs it when an answer's year is up (queued with the answer, `_forget_after_a_year`);
    every new request and answer runs it too, a safety net for a queue that lost its task.
    """
    deleted, _per_model = RemovalRequest.objects.filter(
        handled_at__lt=now - ANSWERED_REMOVAL_KEPT, status__in=[RemovalStatus.REMOVED, RemovalStatus.DECLINED]
    ).delete()
    return deleted


def _forget_after_a_year(removal: RemovalRequest) -> None:
    """After commit, queue the deletion of this answered request for when its year is up."""
    from .tasks import removal_requests_forget

    forget_at = removal.handled_at + ANSWERED_REMOVAL_KEPT + datetime.timedelta(minutes=1)
    transaction.on_commit(lambda: removal_requests_forget.using(run_after=forget_at).enqueue(), robust=True)


@transaction.atomic
def removal_request_create(
    *, resource: Resource, name: str, email: str, reason: str, requested_by: Person
) -> RemovalRequest:
    """Ask the owner library to take material down; its staff get an e-mail once it is stored.

    Anyone with the material's address may ask, logged in or not, seeing the material or not:
    the person shown in it may not be among those it is shared with.
    """
    request = RemovalRequest(
        resource=resource,
        library=resource.owner_library,
        resource_title=resource.title,
        name=name.strip(),
        email=email.strip(),
        reason=reason.strip(),
        requested_by=requested_by if requested_by.is_authenticated else None,
    )
    request.full_clean()
    request.save()
    removal_requests_prune(now=timezone.now())
    notifications.removal_requested(request)
    return request


def _open_removal(removal: RemovalRequest, handled_by: Person) -> RemovalRequest:
    if not may_handle_removal_requests(handled_by, removal.library):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    removal = (
        RemovalRequest.objects.select_for_update(of=("self",)).select_related("resource", "library").get(pk=removal.pk)
    )
    if removal.status != RemovalStatus.OPEN:
        raise _refuse("already_answered", errors.REMOVAL_ALREADY_ANSWERED)
    return removal


@transaction.atomic
def removal_request_remove_material(*, removal: RemovalRequest, handled_by: User) -> RemovalRequest:
    """Answer a request by deleting the material (resource_delete); every open request for it is answered, each requester told."""
    # The material's row is locked before the request's, in the order resource_purge takes them:
    # two people removing it at once (from two requests, or one deleting it directly) wait, not deadlock.
    resource_id = RemovalRequest.objects.filter(pk=removal.pk).values_list("resource_id", flat=True).first()
    if resource_id is not None:
        list(Resource.objects.select_for_update().filter(pk=resource_id).values_list("pk", flat=True))
    removal = _open_removal(removal, handled_by)
    if removal.resource is None:
        raise _refuse("already_removed", errors.REMOVAL_MATERIAL_GONE)
    resource_delete(resource=removal.resource, deleted_by=handled_by)
    removal.refresh_from_db()
    return removal


@transaction.atomic
def removal_request_decline(*, removal: RemovalRequest, handled_by: User, reason: str) -> RemovalRequest:
    """Answer a request by keeping the material, with a short reason the requester gets by e-mail."""
    removal = _open_removal(removal, handled_by)
    reason = reason.strip()
    if not reason:
        raise _refuse("reason_needed", errors.DECLINE_REASON_NEEDED)
    removal.status = RemovalStatus.DECLINED
    removal.decline_reason = reason
    removal.handled_at = timezone.now()
    removal.full_clean()
    removal.save(update_fields=["status", "decline_reason", "handled_at"])
    removal_requests_prune(now=removal.handled_at)
    notifications.removal_answered(removal)
    _forget_after_a_year(removal)
    return removal


def resource_share_in_room(*, resource: Resource, room: Room, user: User, link: str) -> Message:
    """Post a message with a link to the resource in a circle's discussion, when everyone there may see it."""
    if not room_may_see_resource(resource, room):
        if resource.visibility == Visibility.CIRCLE:
            raise _refuse("not_in_this_circle", errors.NOT_IN_THIS_CIRCLE)
        raise _refuse("not_for_everyone_in_room", errors.NOT_FOR_EVERYONE_IN_ROOM)
    if not may_share_resource_in_room(user, resource, room):
        raise _refuse("not_allowed", errors.NOT_ALLOWED)
    title = resource.title.replace("[", "(").replace("]", ")")
    message, _created = message_post(room=room, author=user, body=f"[{title}]({link})", client_id=uuid.uuid4())
    return message
