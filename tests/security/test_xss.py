"""Every XSS payload through every free-text field people can write, via the real services, then every page,
live frame and e-mail that shows the text: nothing executable survives, and the text itself is there."""

import datetime
import html
import uuid
from email.message import EmailMessage

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from chat import services as chat_services
from chat.models import ReportReason
from chat.protocol import MAX_REPORT_TEXT_CHARS
from circles import notifications
from circles import services as circle_services
from circles.models import SDG, Meeting, Membership, MembershipState
from circles.reminders import reminder_email
from libraries import services as library_services
from libraries.models import ActionPlanArea, Library
from resources import services as resource_services
from resources.models import ResourceAdoption
from tests import factories
from tests.chat.conftest import joined

from .conftest import report
from .scenario import Scenario
from .xss import PAYLOADS, executable_markup

# Which page shows which field, and who looks at it (None: anonymous).
PAGES = {
    "home": (None, lambda s: reverse("home")),
    "circle list": (None, lambda s: reverse("circles:list")),
    "circle page": ("member", lambda s: s.circle.get_absolute_url()),
    "project page": ("member", lambda s: s.project.get_absolute_url()),
    "my page": ("member", lambda s: reverse("my_page")),
    "meeting page": (
        "member",
        lambda s: reverse("circles:meeting", kwargs={"slug": s.circle.slug, "pk": s.meeting.pk}),
    ),
    "feedback summary": ("facilitator", lambda s: reverse("circles:feedback", kwargs={"slug": s.circle.slug})),
    "members page": ("facilitator", lambda s: reverse("circles:members", kwargs={"slug": s.circle.slug})),
    "library page": (None, lambda s: s.library.get_absolute_url()),
    "chat history page": ("member", lambda s: reverse("chat:room", kwargs={"room_id": s.room.pk})),
    "profile page": ("member", lambda s: reverse("accounts:profile")),
    "reports page": ("facilitator", lambda s: reverse("chat:reports", kwargs={"room_id": s.room.pk})),
    "other library page": (None, lambda s: s.other_library.get_absolute_url()),
    "resource list": (None, lambda s: reverse("resources:list")),
    "resource detail": (None, lambda s: s.resources["public"].get_absolute_url()),
    "circle resource detail": ("member", lambda s: s.resources["circle"].get_absolute_url()),
    "removal request page": (
        None,
        lambda s: reverse("resources:removal_request", kwargs={"pk": s.resources["public"].pk}),
    ),
    "removal requests page": (
        "staff",
        lambda s: reverse("resources:removal_requests", kwargs={"slug": s.library.slug}),
    ),
}
# Pages people land on after a form: (who, the form's URL, what they send); the redirect is followed.
ANSWERS = {
    # Staff of the other library adopt the public material: the resource page thanks them, naming both libraries.
    "adopt answer": (
        "other_staff",
        lambda s: reverse("resources:adopt", kwargs={"pk": s.resources["public"].pk}),
        lambda s: {"library": s.other_library.pk},
    ),
    # A member posts a link to the circle's material in its discussion and lands on the circle page.
    "share answer": (
        "member",
        lambda s: reverse("resources:share", kwargs={"pk": s.resources["circle"].pk}),
        lambda s: {"circle": s.circle.pk},
    ),
}
# Field -> the pages where its text must appear.
SHOWN_ON = {
    "circle title": ["home", "circle list", "circle page", "my page", "meeting page", "chat history page"],
    "circle description": ["circle page"],
    "project title": ["project page", "my page"],
    "project action title": ["project page"],
    "project action details": ["project page"],
    "meeting agenda": ["meeting page"],
    "meeting notes": ["meeting page"],
    "feedback comment": ["feedback summary"],
    "display name": ["circle page", "members page", "chat history page"],
    "library description": ["library page"],
    "commitment": ["library page"],
    "initiative title": ["library page"],
    "initiative description": ["library page"],
    "venue name": ["library page"],
    "chat message": ["chat history page"],
    "bio": ["profile page"],
    "report text": ["reports page"],
    "library name": [
        "library page",
        "other library page",
        "circle page",
        "resource list",
        "resource detail",
        "adopt answer",
    ],
    "library address": ["library page"],
    "library town": ["library page"],
    "library phone": ["library page"],
    "venue address": ["library page", "meeting page"],
    "venue town": ["library page", "meeting page"],
    "venue accessibility notes": ["library page"],
    # Written into the public and the circle-only material alike; the shared link carries it into the chat.
    "resource title": [
        "resource list",
        "resource detail",
        "circle resource detail",
        "circle page",
        "library page",
        "other library page",
        "removal request page",
        "removal requests page",
        "adopt answer",
        "share answer",
        "chat history page",
    ],
    "resource description": ["resource detail", "circle resource detail"],
    # Written by anyone who asks for removal, and by the staff who answer: the library's requests page.
    "removal requester name": ["removal requests page"],
    "removal reason": ["removal requests page"],
    "removal decline reason": ["removal requests page"],
}


def write_everything(scenario: Scenario, number: int, payload: str) -> dict[str, str]:
    """Write the payload into every field through its service; returns field -> the marker stored with it."""
    marker = {field: f"XSS{number}x{index}" for index, field in enumerate(SHOWN_ON)}

    def text(field: str) -> str:
        return f"{marker[field]} {payload}"

    staff, facilitator, member = scenario.users["staff"], scenario.facilitator, scenario.member
    goal = SDG.objects.get(number=13)
    circle_services.circle_update(
        updated_by=facilitator,
        circle=scenario.circle,
        title=text("circle title")[:150],
        description=text("circle description"),
    )
    circle_services.circle_update(updated_by=facilitator, circle=scenario.project, title=text("project title")[:150])
    circle_services.project_action_create(
        created_by=facilitator,
        circle=scenario.project,
        title=text("project action title")[:200],
        description=text("project action details"),
    )
    circle_services.meeting_update_notes(
        updated_by=facilitator, meeting=scenario.meeting, agenda=text("meeting agenda"), notes=text("meeting notes")
    )
    # One rating per person and meeting: each payload rates a meeting of its own that has started.
    started = timezone.now().replace(microsecond=0) - datetime.timedelta(days=number + 2)
    rated = factories.MeetingFactory(
        circle=scenario.circle, starts_at=started, ends_at=started + datetime.timedelta(hours=1)
    )
    circle_services.feedback_give(user=member, meeting=rated, rating=3, comment=text("feedback comment"))
    account_services.profile_update(
        user=member,
        display_name=text("display name")[:80],
        municipality=None,
        home_library=None,
        bio=text("bio")[:500],
        languages=[],
    )
    library_services.library_update(
        updated_by=staff,
        library=scenario.library,
        description=text("library description"),
        address=text("library address")[:200],
        postcode="8000",
        city=text("library town")[:100],
        phone=text("library phone")[:30],
    )
    # A library's name is set by the site operator in Django's admin; no service changes it.
    Library.objects.filter(pk=scenario.library.pk).update(name=text("library name")[:150])
    library_services.commitment_create(created_by=staff, library=scenario.library, text=text("commitment")[:200])
    library_services.initiative_create(
        created_by=staff,
        library=scenario.library,
        title=text("initiative title")[:150],
        area=ActionPlanArea.OUTREACH,
        sdgs=[goal],
        description=text("initiative description"),
    )
    library_services.venue_create(
        created_by=staff, library=scenario.library, name=text("venue name")[:150], address="Torvet 1"
    )
    library_services.venue_update(
        updated_by=staff,
        venue=scenario.venue,
        address=text("venue address")[:200],
        postcode="8000",
        city=text("venue town")[:100],
        accessibility_notes=text("venue accessibility notes"),
    )
    message, _created = chat_services.message_post(
        room=scenario.room, author=member, body=text("chat message"), client_id=uuid.uuid4()
    )
    chat_services.message_report(
        message=message,
        reporter=facilitator,
        reason=ReportReason.OFFENSIVE,
        text=text("report text")[:MAX_REPORT_TEXT_CHARS],
    )
    for resource in (scenario.resources["public"], scenario.resources["circle"]):
        resource_services.resource_update(
            resource=resource,
            edited_by=staff,
            title=text("resource title")[:200],
            description=text("resource description"),
        )
    for field in ("removal reason", "removal decline reason"):
        removal = resource_services.removal_request_create(
            resource=scenario.resources["public"],
            name=text("removal requester name")[:150],
            email="vist@example.org",
            reason=text(field)[:2000],
            requested_by=AnonymousUser(),
        )
    # The second one is answered: its reason shows among the latest answers.
    resource_services.removal_request_decline(
        removal=removal, handled_by=staff, reason=text("removal decline reason")[:1000]
    )
    # Each payload adopts the material anew (the adopt answer below).
    ResourceAdoption.objects.filter(resource=scenario.resources["public"]).delete()
    return marker


def page_as(scenario: Scenario, role: str | None, path: str) -> str:
    client = Client()
    if role is not None:
        client.force_login(scenario.users[role])
    response = client.get(path)
    assert response.status_code == 200, (path, role, response.status_code)
    return response.content.decode()


def answer_as(scenario: Scenario, role: str, path: str, data: dict) -> str:
    client = Client()
    client.force_login(scenario.users[role])
    response = client.post(path, data, follow=True)
    assert response.status_code == 200, (path, role, response.status_code)
    assert response.redirect_chain, (path, role, "the form was not accepted")
    return response.content.decode()


def test_xss_payloads_in_every_field_run_nowhere_they_are_shown(scenario):
    Meeting.objects.filter(pk=scenario.meeting.pk).update(venue=scenario.venue)
    # The pages as they are, before any payload: the checker finds nothing in the site's own markup.
    for place, (role, path) in PAGES.items():
        found, _text = executable_markup(page_as(scenario, role, path(scenario)))
        assert found == [], f"{place} has executable markup of its own: {found}"
    tried = 0
    for number, payload in enumerate(PAYLOADS):
        marker = write_everything(scenario, number, payload)
        models = (scenario.circle, scenario.project, scenario.meeting, scenario.member, scenario.library)
        for model in (*models, scenario.other_library, scenario.venue, *scenario.resources.values()):
            model.refresh_from_db()
        documents = {
            place: answer_as(scenario, role, path(scenario), data(scenario))
            for place, (role, path, data) in ANSWERS.items()
        }
        documents.update({place: page_as(scenario, role, path(scenario)) for place, (role, path) in PAGES.items()})
        for place, document in documents.items():
            found, text = executable_markup(document)
            assert found == [], f"payload {payload!r} runs on the {place}: {found}"
            for field, places in SHOWN_ON.items():
                if place in places:
                    assert marker[field] in text, f"the {field} is not on the {place}: the check would prove nothing"
                    tried += 1
    assert set(PAGES) | set(ANSWERS) == {place for places in SHOWN_ON.values() for place in places}
    report(
        f"XSS: {len(PAYLOADS)} payloads x {sum(len(places) for places in SHOWN_ON.values())} (field, page) places "
        f"({len(SHOWN_ON)} fields, {len(PAGES) + len(ANSWERS)} pages) = {tried} renderings checked, 0 executable"
    )


def assert_plain_text_only(
    message: EmailMessage | mail.EmailMessage, expected_text: str, *, subject_text: str | None = None
) -> None:
    """A text/plain e-mail (no HTML part for a mail program to run), with the person's text in it as typed,
    in the subject too (a subject is plain text: "&lt;" there is a bug a reader sees)."""
    alternatives = getattr(message, "alternatives", [])
    for content, mimetype in alternatives:
        if mimetype == "text/html":
            found, _text = executable_markup(content)
            assert found == []
            assert subject_text is None or html.escape(subject_text, quote=False) in content
    assert message.content_subtype == "plain"
    assert expected_text in message.body
    if subject_text is not None:
        assert subject_text in message.subject, (subject_text, message.subject)


def test_xss_payloads_in_membership_and_reminder_emails(scenario, django_capture_on_commit_callbacks):
    tried = 0
    for number, payload in enumerate(PAYLOADS):
        text = f"XSS{number} {payload}"
        circle = scenario.circle
        circle_services.circle_update(updated_by=scenario.facilitator, circle=circle, title=text[:150])
        circle_services.meeting_update_notes(
            updated_by=scenario.facilitator, meeting=scenario.meeting, agenda=text, notes=""
        )
        person = factories.UserFactory(display_name=text[:80])
        membership = Membership.objects.create(circle=circle, user=person, state=MembershipState.PENDING)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            circle_services.membership_approve(decided_by=scenario.facilitator, membership=membership, message=text)
        circle.refresh_from_db()
        approved = [message for message in mail.outbox if person.email in message.to]
        assert approved, "the approval e-mail was sent"
        for message in approved:
            assert_plain_text_only(message, text[:100], subject_text=circle.title)
            tried += 1
        scenario.meeting.refresh_from_db()
        reminder = reminder_email(scenario.meeting, person)
        assert_plain_text_only(reminder, text, subject_text=circle.title)
        tried += 1
    assert notifications.MEMBERSHIP_EVENTS
    report(
        f"XSS in e-mails: {len(PAYLOADS)} payloads x 2 e-mails (membership answer, reminder) = {tried}, all text/plain, subjects as typed"
    )


def test_xss_payloads_in_mention_and_removal_request_emails(scenario, django_capture_on_commit_callbacks):
    tried = 0
    circle, facilitator, staff = scenario.circle, scenario.facilitator, scenario.users["staff"]
    material = scenario.resources["public"]
    for number, payload in enumerate(PAYLOADS):
        text = f"XSS{number} {payload}"
        circle_services.circle_update(updated_by=facilitator, circle=circle, title=text[:150])
        circle.refresh_from_db()
        author = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name=text[:80])).user
        message, _created = chat_services.message_post(
            room=scenario.room, author=author, body=f"@{facilitator.name} {text}", client_id=uuid.uuid4()
        )
        mail.outbox.clear()
        # At most one mention e-mail an hour per room and person: each payload comes two hours later.
        later = timezone.now() + datetime.timedelta(hours=2 * number)
        assert chat_services.mention_emails_send(message_id=message.pk, now=later) == 1
        (mention,) = mail.outbox
        assert_plain_text_only(mention, text, subject_text=circle.title)
        assert author.name in mention.body
        tried += 1

        resource_services.resource_update(resource=material, edited_by=staff, title=text[:200])
        Library.objects.filter(pk=scenario.library.pk).update(name=text[:150])
        material.refresh_from_db()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            resource_services.removal_request_create(
                resource=material,
                name=text[:150],
                email="shown@example.org",
                reason=text,
                requested_by=AnonymousUser(),
            )
        assert mail.outbox, "the removal request e-mail was sent"
        for removal in mail.outbox:
            assert_plain_text_only(removal, text, subject_text=text[:200])
            # The library's name, the material's title, the person's name and the reason, each as typed.
            assert removal.body.count(text[:150]) == 4, removal.body
            tried += 1
    report(
        f"XSS in e-mails: {len(PAYLOADS)} payloads x 2 e-mails (mention, removal request) = {tried}, "
        "all text/plain, subjects as typed"
    )


@pytest.mark.django_db(transaction=True)
def test_xss_payloads_in_live_chat_frames_html(in_memory_layer, sdgs, settings):
    # One payload after the other, faster than anyone types.
    settings.CHAT_RATE_LIMITS = ()
    circle = factories.CircleFactory(sdgs=[sdgs[13]])
    writer, reader = (factories.MembershipFactory(circle=circle).user for _person in range(2))

    async def conversation() -> int:
        writing = await joined(writer, circle.room.pk)
        reading = await joined(reader, circle.room.pk)
        checked = 0
        for number, payload in enumerate(PAYLOADS):
            body = f"XSS{number} {payload}"
            acknowledged = await writing.send_message(body)
            live = await reading.receive_type("message")
            for frame in (acknowledged, live):
                fragment = frame["message"]["html"]
                found, text = executable_markup(fragment)
                assert found == [], f"payload {payload!r} runs in a live frame: {found}"
                assert f"XSS{number}" in text
                checked += 1
        await writing.close()
        await reading.close()
        return checked

    checked = async_to_sync(conversation)()
    report(f"XSS in live chat frames: {len(PAYLOADS)} payloads x 2 frames (own acknowledgement, broadcast) = {checked}")
