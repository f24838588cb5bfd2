"""Services of shared materials: versions, adoption, downloads per library, removal requests, chat links."""

import pytest
from django.db import transaction

from chat.markdown import render_chat_markdown
from chat.models import Message
from config.errors import ServiceError
from resources import services
from resources.models import (
    RemovalRequest,
    Resource,
    ResourceAdoption,
    ResourceDownload,
    ResourceFormat,
    ResourceVersion,
    Visibility,
)
from tests import factories

from . import files
from .conftest import stored_files


@pytest.fixture
def handout(library_staff, library, media_root):
    return services.resource_create_file(
        created_by=library_staff,
        owner_library=library,
        title="Klimahandout",
        upload=files.upload("klima.pdf", files.pdf()),
        format=ResourceFormat.HANDOUT,
        visibility=Visibility.STAFF,
    )


def test_new_version_keeps_the_earlier_file_for_editors(handout, library_staff, media_root):
    first_name = handout.file.name
    services.resource_version_upload(
        resource=handout, uploaded_by=library_staff, upload=files.upload("klima-2.pdf", files.pdf("maroon"))
    )
    handout.refresh_from_db()
    assert handout.version == 2
    assert handout.filename == "klima-2.pdf"
    earlier = ResourceVersion.objects.get(resource=handout)
    assert (earlier.number, earlier.filename, earlier.file.name) == (1, "klima.pdf", first_name)
    assert earlier.uploaded_by == library_staff
    assert len(stored_files(media_root / "resources")) == 2


def test_a_refused_new_version_changes_nothing(handout, library_staff, media_root):
    with pytest.raises(ServiceError):
        services.resource_version_upload(
            resource=handout, uploaded_by=library_staff, upload=files.upload("klima.pdf", files.executable())
        )
    handout.refresh_from_db()
    assert handout.version == 1
    assert not ResourceVersion.objects.exists()
    assert len(stored_files(media_root / "resources")) == 1


def test_only_editors_upload_versions(handout, media_root):
    other = factories.LibraryStaffFactory().user
    with pytest.raises(ServiceError) as refused:
        services.resource_version_upload(resource=handout, uploaded_by=other, upload=files.upload("x.pdf", files.pdf()))
    assert refused.value.code == "not_allowed"


def test_staff_of_another_library_adopts_with_credit_once(handout):
    other_library = factories.LibraryFactory()
    other_staff = factories.LibraryStaffFactory(library=other_library).user
    adoption = services.resource_adopt(resource=handout, library=other_library, adopted_by=other_staff)
    assert adoption.resource.owner_library == handout.owner_library
    with pytest.raises(ServiceError) as again:
        services.resource_adopt(resource=handout, library=other_library, adopted_by=other_staff)
    assert again.value.code == "already_adopted"


def test_the_owner_library_cannot_adopt_its_own_material(handout, library, library_staff):
    with pytest.raises(ServiceError) as refused:
        services.resource_adopt(resource=handout, library=library, adopted_by=library_staff)
    assert refused.value.code == "own_material"


def test_circle_only_material_cannot_be_adopted(circle, facilitator, media_root):
    resource = factories.ResourceFactory(owner_library=circle.host_library, circle=circle, visibility=Visibility.CIRCLE)
    other_library = factories.LibraryFactory()
    other_staff = factories.LibraryStaffFactory(library=other_library).user
    with pytest.raises(ServiceError) as refused:
        services.resource_adopt(resource=resource, library=other_library, adopted_by=other_staff)
    assert refused.value.code == "circle_only"
    assert not ResourceAdoption.objects.exists()


def test_one_cannot_adopt_into_a_library_one_is_not_staff_of(handout):
    stranger = factories.UserFactory()
    with pytest.raises(ServiceError):
        services.resource_adopt(resource=handout, library=factories.LibraryFactory(), adopted_by=stranger)


def test_downloads_are_counted_per_library_of_the_person(handout):
    from django.contrib.auth.models import AnonymousUser

    other_library = factories.LibraryFactory()
    staff = factories.LibraryStaffFactory(library=other_library).user
    reader = factories.UserFactory(home_library=other_library)
    services.resource_download_record(resource=handout, user=staff)
    handout.visibility = Visibility.PUBLIC
    handout.save()
    services.resource_download_record(resource=handout, user=reader)
    services.resource_download_record(resource=handout, user=AnonymousUser())
    counted = sorted((row.library_id or 0) for row in ResourceDownload.objects.all())
    assert counted == [0, other_library.pk, other_library.pk]


@pytest.mark.django_db(transaction=True)
def test_removal_request_is_stored_and_mails_the_owner_library_staff(handout, library, mailoutbox):
    from django.contrib.auth.models import AnonymousUser

    handout.visibility = Visibility.PUBLIC
    handout.save()
    colleague = factories.LibraryStaffFactory(library=library).user
    factories.LibraryStaffFactory()  # staff elsewhere hear nothing
    request = services.removal_request_create(
        resource=handout,
        name="Grethe Holm",
        email="grethe@example.org",
        reason="Jeg er på billedet side 2.",
        requested_by=AnonymousUser(),
    )
    assert RemovalRequest.objects.get() == request
    assert len(mailoutbox) == 1
    recipients = set(mailoutbox[0].to)
    assert colleague.email in recipients
    assert len(recipients & {staff.user.email for staff in library.staff.all()}) == library.staff.count()
    assert "Klimahandout" in mailoutbox[0].subject
    assert "Jeg er på billedet side 2." in mailoutbox[0].body


def test_removal_request_does_not_need_sight_of_the_material(circle, media_root):
    """The person shown may not be among those the material is shared with (tests/resources/test_removal_requests.py)."""
    resource = factories.ResourceFactory(owner_library=circle.host_library, circle=circle, visibility=Visibility.CIRCLE)
    removal = services.removal_request_create(
        resource=resource, name="X", email="x@example.org", reason="x", requested_by=factories.UserFactory()
    )
    assert removal.library == circle.host_library


def test_sharing_in_chat_posts_a_markdown_link(circle, member):
    resource = factories.ResourceFactory(owner_library=circle.host_library, circle=circle, visibility=Visibility.CIRCLE)
    message = services.resource_share_in_room(
        resource=resource, room=circle.room, user=member, link=f"https://cirkler.example/materialer/{resource.pk}/"
    )
    assert Message.objects.get() == message
    assert f'href="https://cirkler.example/materialer/{resource.pk}/"' in render_chat_markdown(message.body)


def test_circle_material_cannot_be_shared_in_another_circles_chat(circle, member, sdgs):
    resource = factories.ResourceFactory(owner_library=circle.host_library, circle=circle, visibility=Visibility.CIRCLE)
    other = factories.CircleFactory(host_library=circle.host_library, sdgs=[sdgs[1]])
    factories.MembershipFactory(circle=other, user=member)
    with pytest.raises(ServiceError):
        services.resource_share_in_room(resource=resource, room=other.room, user=member, link="https://x.example/")


@pytest.mark.django_db(transaction=True)
def test_deleting_material_removes_every_file_after_commit(handout, library_staff, media_root):
    services.resource_version_upload(
        resource=handout, uploaded_by=library_staff, upload=files.upload("plakat.png", files.png())
    )
    assert len(stored_files(media_root / "resources")) == 2  # the first PDF and the picture
    with transaction.atomic():
        services.resource_delete(resource=handout, deleted_by=library_staff)
        assert len(stored_files(media_root / "resources")) == 2
    assert stored_files(media_root) == []


def test_update_cannot_move_material_to_a_circle_one_does_not_run(circle, facilitator, sdgs, media_root):
    resource = factories.ResourceFactory(owner_library=circle.host_library, circle=circle, visibility=Visibility.CIRCLE)
    elsewhere = factories.CircleFactory(sdgs=[sdgs[2]])
    with pytest.raises(ServiceError):
        services.resource_update(resource=resource, edited_by=facilitator, circle=elsewhere)


def test_circle_visibility_needs_a_circle(library, library_staff):
    with pytest.raises(ServiceError) as refused:
        services.resource_create_link(
            created_by=library_staff,
            owner_library=library,
            title="x",
            url="https://x.example/",
            format=ResourceFormat.GUIDE,
            visibility=Visibility.CIRCLE,
        )
    assert refused.value.code == "circle_needed"


def test_export_holds_the_persons_files_once_and_their_removal_requests(handout, library_staff, media_root):
    import io
    import json
    import zipfile

    from accounts.export import personal_data_zip

    services.resource_version_upload(
        resource=handout, uploaded_by=library_staff, upload=files.upload("v2.txt", b"To\n")
    )
    RemovalRequest.objects.create(
        resource=handout,
        library=handout.owner_library,
        name="Anna",
        email="anna@example.org",
        reason="x",
        requested_by=library_staff,
    )
    archive = zipfile.ZipFile(io.BytesIO(personal_data_zip(library_staff)))
    document = json.loads(archive.read("data.json"))
    assert [row["number"] for row in document["linked"]["resources.resourceversion.uploaded_by"]] == [1]
    assert len(document["linked"]["resources.resource.file_uploaded_by"]) == 1
    assert [row["email"] for row in document["linked"]["resources.removalrequest.requested_by"]] == ["anna@example.org"]
    names = [name for name in archive.namelist() if name.startswith("files/")]
    assert len(names) == len(set(names))
    handout.refresh_from_db()
    assert f"files/{handout.file.name}" in names
    assert f"files/{ResourceVersion.objects.get().file.name}" in names


def test_deleting_an_account_deletes_the_persons_removal_requests(handout):
    from accounts.services import account_delete

    person = factories.UserFactory()
    handout.visibility = Visibility.PUBLIC
    handout.save()
    services.removal_request_create(
        resource=handout, name="Anna", email="anna@example.org", reason="x", requested_by=person
    )
    account_delete(user=person, keep_messages=True)
    assert not RemovalRequest.objects.exists()


def test_deleting_a_circle_takes_its_circle_only_material_and_keeps_the_rest(
    library_staff, library, media_root, django_capture_on_commit_callbacks
):
    circle = factories.CircleFactory(host_library=library)
    for visibility in (Visibility.CIRCLE, Visibility.PUBLIC):
        services.resource_create_file(
            created_by=library_staff,
            owner_library=library,
            title=f"Plakat {visibility}",
            upload=files.upload("plakat.pdf", files.pdf()),
            format=ResourceFormat.HANDOUT,
            circle=circle,
            visibility=visibility,
        )
    assert len(stored_files(media_root)) >= 2

    with django_capture_on_commit_callbacks(execute=True):
        circle.delete()

    remaining = list(Resource.objects.all())
    assert [(r.title, r.circle_id) for r in remaining] == [(f"Plakat {Visibility.PUBLIC}", None)]
    kept = {name.rsplit("/", 1)[-1] for name in (remaining[0].file.name, remaining[0].thumbnail.name) if name}
    assert {path.name for path in stored_files(media_root)} == kept
