"""Anyone shown can ask for removal, seeing the material or not; the library answers, and the requester hears back."""

import datetime
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from config.errors import ServiceError
from resources import errors, services
from resources.models import RemovalRequest, RemovalStatus, Resource, ResourceFormat, Visibility
from resources.views import REMOVAL_REQUESTS_PER_HOUR
from tests import factories

from . import files
from .conftest import stored_files

ASK = {"name": "Grethe Hansen", "email": "grethe@example.org", "reason": "Jeg er på billedet på side 2."}


@pytest.fixture
def hidden_material(circle, library):
    """Circle-only material with a title and description nobody outside the circle may read."""
    library.email = "kontakt@bibliotek.example"
    library.phone = "44 77 00 00"
    library.save()
    return factories.ResourceFactory(
        owner_library=library,
        circle=circle,
        visibility=Visibility.CIRCLE,
        title="Hemmelig titel",
        description="Hemmelig beskrivelse",
    )


def _ask_url(resource) -> str:
    return reverse("resources:removal_request", kwargs={"pk": resource.pk})


def _ask(resource, requested_by=None, **changes) -> RemovalRequest:
    return services.removal_request_create(
        resource=resource, requested_by=requested_by or factories.UserFactory(), **{**ASK, **changes}
    )


# ---------------------------------------------------------------------- asking


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_someone_who_may_not_see_the_material_gets_the_form_and_nothing_about_it(client, hidden_material, who):
    if who == "outsider":
        client.force_login(factories.UserFactory())
    response = client.get(_ask_url(hidden_material))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hemmelig" not in page
    assert hidden_material.url not in page
    # Not even whose it is: that would tell who holds material hidden from them.
    assert hidden_material.owner_library.name not in page
    assert "kontakt@bibliotek.example" not in page
    assert "44 77 00 00" not in page
    for field in ("name", "email", "reason"):
        assert f'<label for="id_{field}"' in page


def test_a_member_who_may_see_it_gets_the_title(client, hidden_material, member):
    client.force_login(member)
    page = client.get(_ask_url(hidden_material)).content.decode()
    assert "Hemmelig titel" in page
    # Who may see it also learns whose it is, and how to reach them.
    assert hidden_material.owner_library.name in page
    assert "kontakt@bibliotek.example" in page


def test_an_anonymous_visitor_can_ask_and_the_library_staff_get_the_mail(
    client, hidden_material, library_staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_ask_url(hidden_material), ASK)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    removal = RemovalRequest.objects.get()
    assert (removal.status, removal.requested_by, removal.email) == (RemovalStatus.OPEN, None, "grethe@example.org")
    assert (removal.library, removal.resource_title) == (hidden_material.owner_library, "Hemmelig titel")
    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([library_staff.email, "kontakt@bibliotek.example"])
    assert not mail.alternatives
    assert reverse("resources:removal_requests", kwargs={"slug": hidden_material.owner_library.slug}) in mail.body


def test_an_anonymous_request_needs_a_name_and_an_address_to_answer_to(client, hidden_material):
    response = client.post(_ask_url(hidden_material), {"reason": "Fjern mig."})
    assert response.status_code == 200
    assert not RemovalRequest.objects.exists()


def test_the_request_form_is_csrf_protected(hidden_material):
    client = Client(enforce_csrf_checks=True)
    assert client.post(_ask_url(hidden_material), ASK).status_code == 403
    assert not RemovalRequest.objects.exists()


def test_requests_are_limited_per_visitor_address_behind_the_proxy(hidden_material, settings):
    """The address is read as allauth reads it for sign-up: one trusted proxy adds the visitor's address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = Client()
    first, second = "203.0.113.5", "203.0.113.6"
    for address in (first, second):
        cache.delete(f"resources:removal-requests:{address}")
    try:
        statuses = [
            client.post(_ask_url(hidden_material), ASK, HTTP_X_FORWARDED_FOR=first).status_code
            for _ in range(REMOVAL_REQUESTS_PER_HOUR + 1)
        ]
        assert statuses == [302] * REMOVAL_REQUESTS_PER_HOUR + [429]
        assert client.post(_ask_url(hidden_material), ASK, HTTP_X_FORWARDED_FOR=second).status_code == 302
    finally:
        for address in (first, second):
            cache.delete(f"resources:removal-requests:{address}")
    assert RemovalRequest.objects.count() == REMOVAL_REQUESTS_PER_HOUR + 1


def test_a_library_without_address_or_staff_forwards_to_the_site_managers(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MANAGERS = [("Cirkler drift", "drift@cirkler.example")]
    lonely = factories.ResourceFactory(owner_library=factories.LibraryFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        _ask(lonely)
    [mail] = mailoutbox
    assert mail.to == ["drift@cirkler.example"]
    assert lonely.owner_library.name in mail.body.split("\n")[0]


def test_without_configured_managers_the_site_superusers_get_it(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MANAGERS = []
    settings.ADMINS = []
    factories.UserFactory(email="superbruger@cirkler.example", is_superuser=True, is_staff=True)
    factories.UserFactory(email="ikke-aktiv@cirkler.example", is_superuser=True, is_active=False)
    lonely = factories.ResourceFactory(owner_library=factories.LibraryFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        _ask(lonely)
    assert [mail.to for mail in mailoutbox] == [["superbruger@cirkler.example"]]


# ---------------------------------------------------------------------- answering


def test_staff_see_the_open_requests_of_their_own_library_only(client, hidden_material, library_staff):
    _ask(hidden_material, reason="Mit ansigt er med.")
    _ask(factories.ResourceFactory(title="Andet biblioteks materiale"), reason="Ikke jeres.")
    client.force_login(library_staff)
    response = client.get(reverse("resources:removal_requests", kwargs={"slug": hidden_material.owner_library.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mit ansigt er med." in page
    assert "Ikke jeres." not in page


def test_the_material_page_leads_staff_to_the_requests(client, hidden_material, library_staff):
    _ask(hidden_material)
    client.force_login(library_staff)
    page = client.get(hidden_material.get_absolute_url()).content.decode()
    assert reverse("resources:removal_requests", kwargs={"slug": hidden_material.owner_library.slug}) in page


def test_the_library_page_leads_its_staff_and_only_them_to_the_requests(client, library, library_staff, member):
    requests_url = reverse("resources:removal_requests", kwargs={"slug": library.slug})
    library_url = reverse("libraries:detail", kwargs={"slug": library.slug})
    client.force_login(library_staff)
    assert requests_url in client.get(library_url).content.decode()
    client.force_login(member)
    assert requests_url not in client.get(library_url).content.decode()


def test_removing_deletes_the_material_answers_every_open_request_and_tells_each_requester(
    client, library, library_staff, media_root, mailoutbox, django_capture_on_commit_callbacks
):
    handout = services.resource_create_file(
        created_by=library_staff,
        owner_library=library,
        title="Foto fra workshop",
        upload=files.upload("foto.png", files.png()),
        format=ResourceFormat.HANDOUT,
        shows_people=True,
        people_consent=True,
    )
    first = _ask(handout, email="en@example.org")
    second = _ask(handout, email="to@example.org")
    mailoutbox.clear()
    client.force_login(library_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("resources:removal_request_answer", kwargs={"pk": first.pk}), {"action": "remove"}
        )
    assert response.status_code == 302
    assert not Resource.objects.exists()
    assert stored_files(media_root) == []
    for removal in (first, second):
        removal.refresh_from_db()
        assert removal.status == RemovalStatus.REMOVED
        assert removal.handled_at is not None
        assert removal.resource_title == "Foto fra workshop"
    assert sorted(mail.to[0] for mail in mailoutbox) == ["en@example.org", "to@example.org"]
    with translation.override(settings.LANGUAGE_CODE):
        removed = translation.gettext("The material has been removed. Nobody can see or download it any more.")
    assert all(removed in mail.body and not mail.alternatives for mail in mailoutbox)
    # The trail stays on the library's page.
    page = client.get(reverse("resources:removal_requests", kwargs={"slug": library.slug})).content.decode()
    assert "Foto fra workshop" in page


def test_declining_needs_a_reason_and_sends_it_to_the_requester(
    client, hidden_material, library_staff, mailoutbox, django_capture_on_commit_callbacks
):
    removal = _ask(hidden_material)
    mailoutbox.clear()
    client.force_login(library_staff)
    url = reverse("resources:removal_request_answer", kwargs={"pk": removal.pk})
    empty = client.post(url, {"action": "decline", "reason": "  "})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.content.decode()
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "decline", "reason": "Du er ikke på billedet; det er en tegning."})
    assert response.status_code == 302
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.DECLINED
    assert Resource.objects.filter(pk=hidden_material.pk).exists()
    [mail] = mailoutbox
    assert mail.to == ["grethe@example.org"]
    assert "Du er ikke på billedet; det er en tegning." in mail.body


def test_only_the_owner_librarys_staff_may_answer(client, hidden_material, member, facilitator):
    removal = _ask(hidden_material)
    other_staff = factories.LibraryStaffFactory().user
    for person in (other_staff, member, facilitator):
        with pytest.raises(ServiceError) as refused:
            services.removal_request_decline(removal=removal, handled_by=person, reason="Nej.")
        assert refused.value.code == "not_allowed"
        with pytest.raises(ServiceError):
            services.removal_request_remove_material(removal=removal, handled_by=person)
        client.force_login(person)
        url = reverse("resources:removal_request_answer", kwargs={"pk": removal.pk})
        assert client.post(url, {"action": "remove"}).status_code == 403
    assert Resource.objects.filter(pk=hidden_material.pk).exists()
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.OPEN


def test_an_answered_request_cannot_be_answered_again(hidden_material, library_staff):
    removal = _ask(hidden_material)
    services.removal_request_decline(removal=removal, handled_by=library_staff, reason="Tegning, ikke foto.")
    with pytest.raises(ServiceError) as refused:
        services.removal_request_remove_material(removal=removal, handled_by=library_staff)
    assert refused.value.message == str(errors.REMOVAL_ALREADY_ANSWERED)
    assert Resource.objects.filter(pk=hidden_material.pk).exists()


def test_deleting_material_directly_answers_its_open_requests(
    hidden_material, library_staff, mailoutbox, django_capture_on_commit_callbacks
):
    removal = _ask(hidden_material)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(resource=hidden_material, deleted_by=library_staff)
    removal.refresh_from_db()
    assert (removal.status, removal.resource) == (RemovalStatus.REMOVED, None)
    assert [mail.to for mail in mailoutbox] == [["grethe@example.org"]]


def test_answered_requests_are_kept_a_year_as_the_librarys_record_then_deleted(hidden_material, library_staff):
    year_old = _ask(hidden_material)
    services.removal_request_decline(removal=year_old, handled_by=library_staff, reason="Tegning, ikke foto.")
    still_open = _ask(hidden_material)
    recent = _ask(hidden_material)
    services.removal_request_decline(removal=recent, handled_by=library_staff, reason="Tegning, ikke foto.")
    answered = timezone.now() - services.ANSWERED_REMOVAL_KEPT
    RemovalRequest.objects.filter(pk=year_old.pk).update(handled_at=answered - datetime.timedelta(minutes=1))
    RemovalRequest.objects.filter(pk=still_open.pk).update(created_at=answered - datetime.timedelta(days=30))
    RemovalRequest.objects.filter(pk=recent.pk).update(handled_at=answered + datetime.timedelta(minutes=1))

    _ask(hidden_material)  # a new request (like every answer) prunes the old answered ones

    left = set(RemovalRequest.objects.values_list("pk", flat=True))
    assert year_old.pk not in left
    assert {still_open.pk, recent.pk} <= left


@pytest.mark.postgres
def test_removing_through_a_request_locks_the_material_before_the_request(transactional_db, library, library_staff):
    """resource_purge locks the material, then its requests; answering a request must take them in that
    order too, or two people removing the same material at once deadlock (one of them gets an error)."""
    material = factories.ResourceFactory(owner_library=library)
    removal = _ask(material)
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    answered: list[BaseException | RemovalRequest] = []

    def answer() -> None:
        try:
            answered.append(services.removal_request_remove_material(removal=removal, handled_by=library_staff))
        except BaseException as failure:
            answered.append(failure)
        finally:
            connections.close_all()

    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            # Someone deleting the material directly holds its row.
            cursor.execute("SELECT id FROM resources_resource WHERE id = %s FOR UPDATE", [material.pk])
            thread = threading.Thread(target=answer)
            thread.start()
            # Until the answer waits for a lock...
            cursor.execute("SELECT pg_backend_pid()")
            [holder_pid] = cursor.fetchone()
            waiting = 0
            while not waiting and thread.is_alive():
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s AND locktype IN ('tuple', 'transactionid')",
                    [holder_pid],
                )
                [waiting] = cursor.fetchone()
            assert waiting, answered
            # ...while it waits, the request is not locked: the direct deletion can answer it.
            cursor.execute("SELECT id FROM resources_removalrequest WHERE id = %s FOR UPDATE NOWAIT", [removal.pk])
            assert cursor.fetchone() == (removal.pk,)
        holder.rollback()
        thread.join()
    finally:
        holder.close()
    [result] = answered
    assert isinstance(result, RemovalRequest), result
    assert result.status == RemovalStatus.REMOVED
    assert not Resource.objects.filter(pk=material.pk).exists()
