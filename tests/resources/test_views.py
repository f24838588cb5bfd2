"""Every resources URL, for every visibility and every kind of person, and what the download answers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.permissions import may_view_resource
from circles.models import MembershipRole
from resources import services
from resources.models import ResourceAdoption, ResourceFormat, Visibility
from resources.selectors import visible_resources
from tests import factories

from . import files

ROLES = ["anonymous", "outsider", "other_member", "member", "facilitator", "other_staff", "staff"]


@pytest.fixture
def people(circle, library_staff, sdgs) -> dict:
    other_circle = factories.CircleFactory(host_library=circle.host_library, sdgs=[sdgs[2]])
    return {
        "anonymous": None,
        "outsider": factories.UserFactory(),
        "other_member": factories.MembershipFactory(circle=other_circle).user,
        "member": factories.MembershipFactory(circle=circle).user,
        "facilitator": factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user,
        "other_staff": factories.LibraryStaffFactory().user,
        "staff": library_staff,
    }


@pytest.fixture
def picture(request, circle, library_staff, media_root):
    """A picture shared with the circle at the given visibility, with one earlier version."""
    resource = services.resource_create_file(
        created_by=library_staff,
        owner_library=circle.host_library,
        circle=circle,
        title="Plakat",
        upload=files.upload("plakat.png", files.png()),
        format=ResourceFormat.HANDOUT,
        visibility=request.param,
    )
    return services.resource_version_upload(
        resource=resource, uploaded_by=library_staff, upload=files.upload("plakat-2.png", files.png(colour="red"))
    )


# Who may see the material (see), and who may change it (edit), per visibility.
SEES = {
    Visibility.PUBLIC: set(ROLES),
    Visibility.STAFF: {"member", "facilitator", "other_staff", "staff"},
    Visibility.CIRCLE: {"member", "facilitator", "staff"},
}
EDITS = {"facilitator", "staff"}
ADOPTS = {Visibility.PUBLIC: {"other_staff"}, Visibility.STAFF: {"other_staff"}, Visibility.CIRCLE: set()}
SHARES = {"member", "facilitator"}


def _hidden(role: str) -> int:
    """What someone who may not see the material gets: visitors are asked to log in, others are told it is not there."""
    return 302 if role == "anonymous" else 404


def _expected(kind: str, role: str, visibility: str) -> int:
    sees = role in SEES[visibility]
    if kind == "see":
        return 200 if sees else _hidden(role)
    if kind == "anyone":
        return 200
    if kind == "edit":
        if role == "anonymous":
            return 302
        return (200 if role in EDITS else 403) if sees else 404
    if kind == "adopt":
        return (302 if role in ADOPTS[visibility] else 403) if sees else _hidden(role)
    if kind == "share":
        return (302 if role in SHARES else 403) if sees else _hidden(role)
    raise ValueError(kind)


URLS = [
    ("get", "resources:detail", {}, "see"),
    ("get", "resources:download", {}, "see"),
    ("get", "resources:thumbnail", {}, "see"),
    ("get", "resources:removal_request", {}, "anyone"),
    ("get", "resources:edit", {}, "edit"),
    ("get", "resources:new_version", {}, "edit"),
    ("get", "resources:delete", {}, "edit"),
    ("get", "resources:version_download", {"number": 1}, "edit"),
    ("post", "resources:adopt", {}, "adopt"),
    ("post", "resources:share", {}, "share"),
]


@pytest.mark.parametrize("picture", list(Visibility.values), indirect=True)
@pytest.mark.parametrize(("method", "name", "extra", "kind"), URLS, ids=[url[1] for url in URLS])
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, people, picture, method, name, extra, kind, role):
    person = people[role]
    if person is not None:
        client.force_login(person)
    url = reverse(name, kwargs={"pk": picture.pk, **extra})
    data = {}
    if name == "resources:adopt" and role == "other_staff":
        data = {"library": person.library_roles.get().library_id}
    if name == "resources:share":
        data = {"circle": picture.circle_id}
    response = getattr(client, method)(url, data)
    assert response.status_code == _expected(kind, role, picture.visibility)
    if (
        response.status_code == 302
        and _expected(kind, role, picture.visibility) == _hidden(role)
        and role == "anonymous"
    ):
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("picture", list(Visibility.values), indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_catalogue_lists_exactly_what_the_person_may_see(client, people, picture, role):
    person = people[role]
    if person is not None:
        client.force_login(person)
    listed = "Plakat" in client.get(reverse("resources:list")).content.decode()
    assert listed is (role in SEES[picture.visibility])
    assert may_view_resource(person or AnonymousUser(), picture) is listed
    assert visible_resources(person or AnonymousUser()).filter(pk=picture.pk).exists() is listed


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_and_facilitators_may_open_the_upload_page(client, people, role):
    person = people[role]
    if person is not None:
        client.force_login(person)
    response = client.get(reverse("resources:create"))
    expected = 302 if role == "anonymous" else (200 if role in {"facilitator", "staff", "other_staff"} else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("picture", [Visibility.PUBLIC], indirect=True)
def test_download_is_an_attachment_that_is_never_sniffed(client, picture):
    response = client.get(reverse("resources:download", kwargs={"pk": picture.pk}))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="plakat-2.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("picture", [Visibility.PUBLIC], indirect=True)
def test_checked_pictures_open_inline_on_request(client, picture):
    response = client.get(reverse("resources:download", kwargs={"pk": picture.pk}) + "?vis=1")
    assert response["Content-Disposition"] == 'inline; filename="plakat-2.png"'


def test_office_files_are_attachments_even_when_asked_inline(client, library, library_staff, media_root):
    resource = services.resource_create_file(
        created_by=library_staff,
        owner_library=library,
        title="Plan",
        upload=files.upload("Workshopplan æøå.docx", files.docx()),
        format=ResourceFormat.WORKSHOP_PLAN,
    )
    response = client.get(reverse("resources:download", kwargs={"pk": resource.pk}) + "?vis=1")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''Workshopplan%20%C3%A6")


@pytest.mark.parametrize("picture", [Visibility.PUBLIC], indirect=True)
def test_behind_nginx_the_download_is_an_internal_redirect(client, picture, settings):
    settings.RESOURCE_X_ACCEL_REDIRECT_PREFIX = "/internal-files/"
    response = client.get(reverse("resources:download", kwargs={"pk": picture.pk}))
    assert response["X-Accel-Redirect"] == f"/internal-files/{picture.file.name}"
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("picture", [Visibility.CIRCLE], indirect=True)
def test_private_files_have_no_public_address(client, picture, settings):
    with pytest.raises(NotImplementedError):
        picture.file.url  # noqa: B018
    assert client.get(f"/media/private/{picture.file.name}").status_code == 404
    assert client.get(f"{settings.MEDIA_URL}{picture.file.name}").status_code == 404


@pytest.mark.parametrize("picture", [Visibility.PUBLIC], indirect=True)
def test_downloads_are_counted_for_the_persons_library(client, people, picture):
    client.force_login(people["other_staff"])
    client.get(reverse("resources:download", kwargs={"pk": picture.pk}))
    client.logout()
    client.get(reverse("resources:download", kwargs={"pk": picture.pk}))
    rows = sorted((row.library_id or 0) for row in picture.downloads.all())
    assert rows == [0, people["other_staff"].library_roles.get().library_id]


@pytest.mark.parametrize("picture", [Visibility.CIRCLE], indirect=True)
def test_circle_page_shows_its_materials_to_members_only(client, people, picture):
    for role, shown in [("member", True), ("outsider", False), ("other_staff", False), ("facilitator", True)]:
        client.force_login(people[role])
        html = client.get(picture.circle.get_absolute_url()).content.decode()
        assert (picture.get_absolute_url() in html) is shown, role
    client.logout()
    assert picture.get_absolute_url() not in client.get(picture.circle.get_absolute_url()).content.decode()


def test_catalogue_searches_filters_and_sorts(client, library, library_staff, sdgs):
    popular = factories.ResourceFactory(owner_library=library, title="Madspild i hverdagen", language="da")
    popular.sdgs.set([sdgs[12]])
    newest = factories.ResourceFactory(owner_library=library, title="Climate talk guide", language="en")
    newest.sdgs.set([sdgs[13]])
    other_library = factories.LibraryFactory()
    services.resource_adopt(
        resource=popular, library=other_library, adopted_by=factories.LibraryStaffFactory(library=other_library).user
    )
    url = reverse("resources:list")

    def titles(**query) -> list[str]:
        page = client.get(url, query).context["page_obj"]
        return [resource.title for resource in page.object_list]

    assert titles() == ["Climate talk guide", "Madspild i hverdagen"]
    assert titles(sort="most-used") == ["Madspild i hverdagen", "Climate talk guide"]
    assert titles(q="madspild") == ["Madspild i hverdagen"]
    assert titles(sdg=13) == ["Climate talk guide"]
    assert titles(language="en") == ["Climate talk guide"]
    assert titles(library=other_library.slug) == ["Madspild i hverdagen"]
    assert titles(format="video") == []


def test_catalogue_queries_do_not_grow_with_the_number_of_materials(
    client, library, sdgs, django_assert_max_num_queries
):
    for number in range(15):
        factories.ResourceFactory(owner_library=library).sdgs.set([sdgs[1 + number % 17]])
    with django_assert_max_num_queries(8):
        client.get(reverse("resources:list"))


def test_upload_through_the_form(client, circle, facilitator, media_root, sdgs):
    client.force_login(facilitator)
    response = client.post(
        reverse("resources:create"),
        {
            "title": "Handout til mødet",
            "format": ResourceFormat.HANDOUT,
            "language": "da",
            "licence": "cc-by",
            "visibility": Visibility.CIRCLE,
            "circle": circle.pk,
            "sdgs": [sdgs[13].pk],
            "upload": files.upload("handout.pdf", files.pdf()),
        },
    )
    assert response.status_code == 302
    resource = circle.resources.get()
    assert resource.owner_library == circle.host_library
    assert resource.filename == "handout.pdf"


def test_an_oversize_upload_through_the_form_says_so_and_stores_nothing(client, library_staff, media_root, settings):
    settings.RESOURCE_MAX_UPLOAD_BYTES = 1000
    client.force_login(library_staff)
    response = client.post(
        reverse("resources:create"),
        {
            "title": "Stor",
            "format": ResourceFormat.HANDOUT,
            "language": "da",
            "licence": "cc-by",
            "visibility": Visibility.PUBLIC,
            "upload": files.upload("stor.pdf", files.pdf() + b"0" * 2000),
        },
    )
    assert response.status_code == 200
    assert "Filen er for stor. En fil må højst fylde 1000" in response.content.decode().replace("\xa0", " ")
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_removal_request_form_sends_mail(
    client, library, library_staff, mailoutbox, django_capture_on_commit_callbacks
):
    resource = factories.ResourceFactory(owner_library=library)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("resources:removal_request", kwargs={"pk": resource.pk}),
            {"name": "Grethe", "email": "grethe@example.org", "reason": "Mit ansigt er på side 3."},
        )
    assert response.status_code == 302
    assert [mail.to for mail in mailoutbox] == [[library_staff.email]]


def test_adoption_is_shown_with_credit_on_the_library_page(client, library, sdgs):
    resource = factories.ResourceFactory(owner_library=library, title="Workshop om vand")
    other_library = factories.LibraryFactory()
    ResourceAdoption.objects.create(resource=resource, library=other_library)
    html = client.get(other_library.get_absolute_url()).content.decode()
    assert "Workshop om vand" in html
    assert library.name in html


@pytest.mark.parametrize("picture", [Visibility.CIRCLE], indirect=True)
def test_admin_pages_of_a_file_resource_open_without_a_public_address(client, picture):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:resources_resource_change", args=[picture.pk]))
    assert response.status_code == 200
    assert reverse("resources:download", kwargs={"pk": picture.pk}) in response.content.decode()
    assert "/media/" not in response.content.decode()


def test_removal_requests_from_one_address_are_limited(client, library, library_staff, mailoutbox, settings):
    from resources.views import REMOVAL_REQUESTS_PER_HOUR

    resource = factories.ResourceFactory(owner_library=library)
    url = reverse("resources:removal_request", kwargs={"pk": resource.pk})
    data = {"name": "Grethe", "email": "grethe@example.org", "reason": "Fjern mig."}
    statuses = [client.post(url, data).status_code for _ in range(REMOVAL_REQUESTS_PER_HOUR + 1)]
    assert statuses == [302] * REMOVAL_REQUESTS_PER_HOUR + [429]
    assert resource.removal_requests.count() == REMOVAL_REQUESTS_PER_HOUR
