"""Earlier versions of a file: listed for editors only, and a new version that fails half-way stores nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resources import services
from resources.models import Resource, ResourceFormat, ResourceVersion, Visibility
from tests import factories

from . import files
from .conftest import stored_files


def _poster(*, created_by, circle, visibility=Visibility.PUBLIC) -> Resource:
    return services.resource_create_file(
        created_by=created_by,
        owner_library=circle.host_library,
        circle=circle,
        title="Plakat",
        upload=files.upload("plakat.png", files.png()),
        format=ResourceFormat.HANDOUT,
        visibility=visibility,
    )


@pytest.mark.parametrize(
    ("who", "sees_versions"),
    [("staff", True), ("facilitator", True), ("member", False), ("outsider", False), ("anonymous", False)],
)
def test_earlier_versions_are_listed_only_for_editors(
    client, circle, library_staff, facilitator, member, media_root, who, sees_versions
):
    poster = _poster(created_by=library_staff, circle=circle)
    services.resource_version_upload(
        resource=poster, uploaded_by=library_staff, upload=files.upload("plakat-2.png", files.png(colour="red"))
    )
    people = {"staff": library_staff, "facilitator": facilitator, "member": member, "outsider": factories.UserFactory()}
    if who in people:
        client.force_login(people[who])
    response = client.get(poster.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    earlier = reverse("resources:version_download", kwargs={"pk": poster.pk, "number": 1})
    assert (earlier in html) is sees_versions
    assert ("plakat.png" in html) is sees_versions  # the earlier file's name
    assert ([version.number for version in response.context["versions"]] == [1]) is sees_versions
    assert reverse("resources:download", kwargs={"pk": poster.pk}) in html


@pytest.mark.django_db(transaction=True)
def test_a_new_version_failing_half_way_stores_nothing(circle, library_staff, media_root):
    poster = _poster(created_by=library_staff, circle=circle)
    files_before = stored_files(media_root)
    assert len(files_before) == 2  # the picture and its thumbnail
    # Valid for the database, refused by full_clean(): the service fails after storing the new files.
    Resource.objects.filter(pk=poster.pk).update(format="no-such")
    with pytest.raises(ValidationError):
        services.resource_version_upload(
            resource=poster, uploaded_by=library_staff, upload=files.upload("plakat-2.png", files.png(colour="red"))
        )
    assert stored_files(media_root) == files_before
    assert not ResourceVersion.objects.exists()
    poster.refresh_from_db()
    assert poster.version == 1
    kept = {path.relative_to(media_root).as_posix() for path in files_before}
    assert {poster.file.name, poster.thumbnail.name} == kept
