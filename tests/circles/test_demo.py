import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from chat.models import Message
from circles.demo import DEMO_LOGINS, DEMO_PASSWORD
from circles.models import Audience, Circle, CircleKind, CircleStatus, Meeting, MeetingFormat, MembershipState
from libraries.models import Municipality
from resources.models import Resource, ResourceDownload, Visibility


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def demo(db, sdgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo's material files
    call_command("seed_demo", "--force", verbosity=0)


def test_running_seed_demo_twice_changes_nothing(demo):
    before = _row_counts()
    call_command("seed_demo", "--force", verbosity=0)
    assert _row_counts() == before


def test_demo_has_libraries_in_at_least_three_municipalities_and_a_post_office_venue(demo):
    assert Municipality.objects.filter(libraries__isnull=False).distinct().count() >= 3
    assert Circle.objects.filter(venue__name="Posthuset").exists()


def test_demo_has_circles_of_every_kind_audience_and_format(demo):
    shown = Circle.objects.exclude(status=CircleStatus.DRAFT)
    assert set(shown.values_list("kind", flat=True)) == set(CircleKind.values)
    assert set(shown.values_list("audience", flat=True)) == set(Audience.values)
    assert set(shown.values_list("format", flat=True)) == set(MeetingFormat.values)


def test_demo_project_group_spans_three_municipalities(demo):
    group = Circle.objects.get(kind=CircleKind.PROJECT_GROUP)
    municipalities = {group.host_library.municipality_id} | set(
        group.partner_libraries.values_list("municipality", flat=True)
    )
    assert len(municipalities) >= 3


def test_demo_has_upcoming_meetings_chat_resources_and_a_waitlist(demo):
    from django.utils import timezone

    assert Meeting.objects.filter(starts_at__gt=timezone.now()).count() >= 10
    assert Message.objects.count() >= 5
    assert Resource.objects.count() >= 3
    assert Circle.objects.filter(memberships__state=MembershipState.WAITLISTED).exists()


def test_demo_materials_show_every_kind(demo, client):
    from django.urls import reverse

    from resources.demo import GUIDE_TITLE, PHOTO_TITLE

    guide = Resource.objects.get(title=GUIDE_TITLE)
    assert guide.version == 2 and guide.versions.count() == 1
    # Downloads from more than one library, so "most used first" puts the guide on top.
    libraries = set(ResourceDownload.objects.exclude(library=None).values_list("library__slug", flat=True))
    assert {"ballerup-bibliotek", "herlev-bibliotek"} <= libraries
    response = client.get(reverse("resources:list"), {"sort": "most-used"})
    assert response.context["page_obj"].object_list[0] == guide
    # A chat message in a circle's room links the public guide.
    link = Message.objects.get(body__contains=f"]({guide.get_absolute_url()})")
    assert link.room.circle is not None and guide.visibility == Visibility.PUBLIC
    # A picture of people who agreed to be shown.
    photo = Resource.objects.get(title=PHOTO_TITLE)
    assert photo.is_image and photo.shows_people and photo.people_consent


def test_every_demo_login_works_with_the_demo_password(demo, client):
    for login in DEMO_LOGINS:
        assert client.login(email=login.email, password=DEMO_PASSWORD), login.email
        assert User.objects.get(email=login.email).emailaddress_set.filter(verified=True).exists()


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not Circle.objects.exists()


def test_demo_libraries_have_action_plans_and_commitments(demo):
    from libraries.models import ActionPlanArea, Initiative, Library

    ballerup = Library.objects.get(slug="ballerup-bibliotek")
    assert ballerup.initiatives.count() >= 6
    assert set(ballerup.initiatives.values_list("area", flat=True)) == set(ActionPlanArea.values)
    assert ballerup.commitments.count() >= 3
    assert ballerup.commitments.filter(text__startswith="Vi sorterer affald").exists()
    assert Library.objects.get(slug="herlev-bibliotek").initiatives.count() == 2
    assert not Initiative.objects.filter(sdgs__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_seeding_the_demo_sends_no_e_mail_to_its_made_up_people(sdgs):
    """With real commits the services' after-commit e-mails run inside the command: none may go out."""
    from django.core import mail

    from circles.services import membership_join
    from tests import factories

    call_command("seed_demo", "--force", verbosity=0)
    assert mail.outbox == []
    # The same services outside the demo do send: the assertion above can fail.
    membership_join(circle=Circle.objects.get(slug="gro-selv-byhaver-og-biodiversitet"), user=factories.UserFactory())
    assert len(mail.outbox) == 1
