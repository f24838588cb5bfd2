"""Reminder e-mails before meetings: who gets them, exactly once, what they say, and how they are queued."""

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from circles import errors
from circles.models import Language, MeetingFormat, MeetingReminder, MembershipRole, MembershipState
from circles.reminders import meetings_with_reminders_due, reminder_time_key
from circles.services import meeting_create, meeting_reminders_enqueue, meeting_reminders_enqueue_due
from circles.services import meeting_reminders_send as send_reminders
from circles.tasks import meeting_reminders_send as reminders_task
from config.errors import ServiceError
from tests import factories

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class SlowLocmemBackend(LocmemBackend):
    """The test outbox, as slow as a real mail server, so that two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.fixture
def group(circle):
    """A hybrid circle with a venue and a link, and people in every state; `eligible` should get reminders."""
    circle.format = MeetingFormat.HYBRID
    circle.online_url = "https://meet.cirkler.example/klima"
    circle.venue = factories.VenueFactory(
        library=circle.host_library, name="Posthuset", address="Banegårdspladsen 1", postcode="2750", city="Ballerup"
    )
    circle.save()
    member = factories.MembershipFactory(circle=circle).user
    facilitator = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(email_meeting_reminders=False))
    for state in (
        MembershipState.PENDING,
        MembershipState.WAITLISTED,
        MembershipState.REMOVED,
        MembershipState.BANNED,
    ):
        factories.MembershipFactory(circle=circle, state=state)
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(is_active=False))
    circle.eligible = [member, facilitator]
    return circle


def due_meeting(circle, *, hours_ahead: float = 2, **fields):
    """A meeting whose reminder is due: it starts within the circle's 24 reminder hours."""
    starts_at = (timezone.now() + datetime.timedelta(hours=hours_ahead)).replace(microsecond=0)
    return factories.MeetingFactory(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        venue=circle.venue,
        online_url=circle.online_url,
        **fields,
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def emails(people) -> list[str]:
    return sorted(person.email for person in people)


def run_task(meeting) -> int:
    """The task body, as the worker calls it."""
    return reminders_task.call(meeting_id=meeting.pk, starts_at_iso=reminder_time_key(meeting.starts_at))


def test_each_active_member_and_facilitator_who_wants_reminders_gets_one(group):
    meeting = due_meeting(group)
    assert send_reminders(meeting=meeting, now=timezone.now()) == 2
    assert recipients() == emails(group.eligible)
    reminders = MeetingReminder.objects.filter(meeting=meeting)
    assert sorted(reminders.values_list("user__email", flat=True)) == emails(group.eligible)
    assert all(reminder.sent_at is not None and reminder.starts_at == meeting.starts_at for reminder in reminders)


def test_running_twice_sends_nothing_new(group):
    meeting = due_meeting(group)
    assert run_task(meeting) == 2
    assert run_task(meeting) == 0
    assert send_reminders(meeting=meeting, now=timezone.now()) == 0
    assert recipients() == emails(group.eligible)
    assert MeetingReminder.objects.count() == 2


def test_a_cancelled_meeting_gets_no_reminders(group):
    meeting = due_meeting(group, cancelled=True)
    assert run_task(meeting) == 0
    assert send_reminders(meeting=meeting, now=timezone.now()) == 0
    assert mail.outbox == []


def test_a_meeting_that_has_begun_gets_no_reminders(group):
    meeting = due_meeting(group, hours_ahead=-0.5)
    assert run_task(meeting) == 0
    assert mail.outbox == []


def test_the_task_does_nothing_for_a_deleted_meeting(group):
    meeting = due_meeting(group)
    starts_at_iso = reminder_time_key(meeting.starts_at)
    meeting_id = meeting.pk
    meeting.delete()
    assert reminders_task.call(meeting_id=meeting_id, starts_at_iso=starts_at_iso) == 0
    assert mail.outbox == []


def test_a_moved_meeting_gets_a_new_reminder_and_the_old_task_does_nothing(group):
    meeting = due_meeting(group)
    old_time = reminder_time_key(meeting.starts_at)
    assert run_task(meeting) == 2
    meeting.starts_at += datetime.timedelta(hours=3)
    meeting.ends_at += datetime.timedelta(hours=3)
    meeting.save()

    assert reminders_task.call(meeting_id=meeting.pk, starts_at_iso=old_time) == 0
    assert run_task(meeting) == 2
    assert run_task(meeting) == 0
    assert len(mail.outbox) == 4
    assert MeetingReminder.objects.filter(meeting=meeting, starts_at=meeting.starts_at).count() == 2


def test_a_crash_mid_batch_keeps_what_was_sent_and_a_rerun_sends_only_the_rest(group, monkeypatch):
    """The worker dies while sending the second reminder: the first stays sent, the second is rolled back."""
    meeting = due_meeting(group)
    real_send = LocmemBackend.send_messages

    def dies_on_the_second(backend, messages):
        if len(mail.outbox) == 1:
            raise SystemExit("the worker was killed")
        return real_send(backend, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", dies_on_the_second)
    with pytest.raises(SystemExit):
        run_task(meeting)
    assert len(mail.outbox) == 1
    assert MeetingReminder.objects.filter(meeting=meeting).count() == 1

    monkeypatch.setattr(LocmemBackend, "send_messages", real_send)
    assert run_task(meeting) == 1
    assert recipients() == emails(group.eligible)


def test_a_refused_address_does_not_stop_the_others_and_is_tried_again(group, monkeypatch):
    meeting = due_meeting(group)
    refused = group.eligible[0].email
    real_send = LocmemBackend.send_messages

    def refuses_one(backend, messages):
        if messages[0].to == [refused]:
            raise ConnectionRefusedError("recipient refused")
        return real_send(backend, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", refuses_one)
    with pytest.raises(ServiceError) as failed:
        send_reminders(meeting=meeting, now=timezone.now())
    assert failed.value.message == errors.REMINDERS_FAILED
    assert recipients() == [group.eligible[1].email]

    monkeypatch.setattr(LocmemBackend, "send_messages", real_send)
    assert send_reminders(meeting=meeting, now=timezone.now()) == 1
    assert recipients() == emails(group.eligible)


def test_the_reminder_is_in_danish_with_copenhagen_time_place_link_agenda_and_circle_page(group):
    meeting = due_meeting(group, agenda="Vi taler om **madspild** og drikker kaffe.")
    send_reminders(meeting=meeting, now=timezone.now())
    message = mail.outbox[0]
    local = timezone.localtime(meeting.starts_at, COPENHAGEN)
    with translation.override("da"):
        reminder_word = gettext("Reminder: “%(title)s” %(weekday)s %(date)s at %(start)s").split(":")[0]
        agenda_label = gettext("Agenda:")
        weekday = formats.date_format(local, "l")
    assert message.subject.startswith(reminder_word)
    assert group.title in message.subject
    assert f"{local:%H:%M}" in message.subject
    assert weekday.lower() in message.subject.lower()
    for expected in (
        f"{local:%H:%M}–{timezone.localtime(meeting.ends_at, COPENHAGEN):%H:%M}",
        "Posthuset, Banegårdspladsen 1, 2750 Ballerup",
        "https://meet.cirkler.example/klima",
        agenda_label,
        "Vi taler om **madspild** og drikker kaffe.",
        f"{group.get_absolute_url()}\n",
        "/konto/e-mails/",
    ):
        assert expected in message.body, expected
    assert "&amp;" not in message.body


def test_a_circle_in_english_sends_its_reminders_in_english(group):
    group.language = Language.ENGLISH
    group.save()
    send_reminders(meeting=due_meeting(group), now=timezone.now())
    message = mail.outbox[0]
    assert message.subject.startswith("Reminder: ")
    assert "Where: Posthuset" in message.body
    assert f"/en{group.get_absolute_url()}" in message.body


def test_the_ics_attachment_holds_the_meeting_with_its_time_and_link(group):
    meeting = due_meeting(group)
    send_reminders(meeting=meeting, now=timezone.now())
    [(filename, content, mimetype)] = mail.outbox[0].attachments
    assert (filename, mimetype) == (f"{group.slug}.ics", "text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["UID"]) == f"meeting-{meeting.pk}@cirkler"
    assert str(event["SUMMARY"]) == group.title
    assert "https://meet.cirkler.example/klima" in str(event["LOCATION"])


def test_people_who_turned_reminders_off_get_none(group):
    for person in group.eligible:
        person.email_meeting_reminders = False
        person.save()
    assert send_reminders(meeting=due_meeting(group), now=timezone.now()) == 0
    assert mail.outbox == []


# Queueing


def queued_tasks():
    return list(DBTaskResult.objects.filter(task_path="circles.tasks.meeting_reminders_send"))


def test_creating_a_meeting_queues_its_reminders_for_reminder_hours_before_it_after_commit(
    group, django_capture_on_commit_callbacks
):
    group.reminder_hours = 48
    group.save()
    facilitator = group.eligible[1]
    starts_at = (timezone.now() + datetime.timedelta(days=5)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting = meeting_create(
            created_by=facilitator, circle=group, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2)
        )
    assert queued_tasks() == []
    for callback in callbacks:
        callback()
    [task] = queued_tasks()
    assert task.run_after == starts_at - datetime.timedelta(hours=48)
    assert task.args_kwargs == {
        "args": [],
        "kwargs": {"meeting_id": meeting.pk, "starts_at_iso": reminder_time_key(starts_at)},
    }
    assert task.status == TaskResultStatus.READY


def test_no_reminders_are_queued_for_a_cancelled_meeting(group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reminders_enqueue(due_meeting(group, cancelled=True))
    assert queued_tasks() == []


def test_a_task_that_comes_too_early_queues_itself_for_the_right_time(group):
    """The circle's reminder time was shortened after the task was queued."""
    meeting = due_meeting(group, hours_ahead=30)
    assert run_task(meeting) == 0
    assert mail.outbox == []
    [task] = queued_tasks()
    assert task.run_after == meeting.starts_at - datetime.timedelta(hours=24)


def test_the_safety_net_finds_due_meetings_with_someone_still_waiting_for_a_reminder(group):
    now = timezone.now()
    due = due_meeting(group)
    due_meeting(group, hours_ahead=30)  # not due yet
    due_meeting(group, hours_ahead=5, cancelled=True)
    due_meeting(group, hours_ahead=-1)  # begun
    assert meetings_with_reminders_due(now=now) == [due]

    # One person got theirs before the worker died: the other still waits.
    MeetingReminder.objects.create(meeting=due, user=group.eligible[0], starts_at=due.starts_at, sent_at=now)
    assert meetings_with_reminders_due(now=now) == [due]
    send_reminders(meeting=due, now=now)
    assert meetings_with_reminders_due(now=now) == []

    due.starts_at += datetime.timedelta(hours=1)
    due.ends_at += datetime.timedelta(hours=1)
    due.save()
    assert meetings_with_reminders_due(now=now) == [due]


def test_the_safety_net_queues_a_task_once_and_again_when_the_worker_died_with_it(
    group, django_capture_on_commit_callbacks
):
    meeting = due_meeting(group)
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_reminders_enqueue_due(now=timezone.now()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_reminders_enqueue_due(now=timezone.now()) == 0
    [task] = queued_tasks()
    assert task.args_kwargs["kwargs"] == {
        "meeting_id": meeting.pk,
        "starts_at_iso": reminder_time_key(meeting.starts_at),
    }

    # A worker claimed the task and died: it stays RUNNING forever, so the safety net queues another.
    task.claim("a-worker-that-died")
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_reminders_enqueue_due(now=timezone.now()) == 1
    assert len(queued_tasks()) == 2


def test_the_safety_net_command_queues_due_reminders(group, capsys, django_capture_on_commit_callbacks):
    due_meeting(group)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("circles_schedule_reminders")
    assert "Queued reminders for 1 meeting(s)." in capsys.readouterr().out
    assert len(queued_tasks()) == 1


# Two workers at once, on PostgreSQL's row locks


def _in_thread(target, results: list) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target())
        except BaseException as error:
            results.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(group, settings):
    settings.EMAIL_BACKEND = "tests.circles.test_reminders.SlowLocmemBackend"
    for _number in range(4):
        group.eligible.append(factories.MembershipFactory(circle=group).user)
    meeting = due_meeting(group)
    barrier = threading.Barrier(2)

    def worker() -> int:
        barrier.wait()
        return send_reminders(meeting=meeting, now=timezone.now())

    results: list = []
    threads = [_in_thread(worker, results) for _number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == len(group.eligible) == 6
    assert recipients() == emails(group.eligible)
    assert MeetingReminder.objects.filter(meeting=meeting, sent_at__isnull=False).count() == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reminder_another_worker_is_sending_is_skipped_not_waited_for(group):
    meeting = due_meeting(group)
    held = MeetingReminder.objects.create(meeting=meeting, user=group.eligible[0], starts_at=meeting.starts_at)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            MeetingReminder.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(timeout=30)

    results: list = []
    holder = _in_thread(other_worker, results)
    holder.start()
    assert locked.wait(timeout=10)
    try:
        started = time.monotonic()
        assert send_reminders(meeting=meeting, now=timezone.now()) == 1
        assert time.monotonic() - started < 5
        assert recipients() == [group.eligible[1].email]
    finally:
        release.set()
        holder.join(timeout=30)
