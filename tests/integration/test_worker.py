"""The real background worker (`manage.py db_worker`) sends each meeting reminder exactly once."""

import datetime
import os
import subprocess
import sys
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from circles.models import MeetingFormat, MembershipRole
from circles.reminders import REMINDER_TASK_PATH, reminder_time_key
from circles.services import meeting_reminders_enqueue
from circles.tasks import meeting_reminders_send
from resources import services as resource_services
from resources.models import RemovalRequest
from tests import factories
from tests.live import database_url_for

pytestmark = pytest.mark.integration

WORKER_SECONDS = 90
FORGET_TASK_PATH = "resources.tasks.removal_requests_forget"


def run_workers(mail_dir: Path, count: int = 1) -> None:
    """Start `count` workers at once with `db_worker --batch` on the test database; wait until each has exited."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        {
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url_for(connection.settings_dict),
            "EMAIL_URL": f"filemail:///{mail_dir}",
        }
    )
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "2"]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"test-worker-{number}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for number in range(count)
    ]
    for worker in workers:
        try:
            output, _ = worker.communicate(timeout=WORKER_SECONDS)
        except subprocess.TimeoutExpired:
            for other in workers:
                other.kill()
            pytest.fail(f"db_worker --batch did not finish within {WORKER_SECONDS} s")
        assert worker.returncode == 0, output.decode(errors="replace")


def sent_mails(mail_dir: Path) -> list[EmailMessage]:
    """Every e-mail in the file backend's files (one file per connection, messages separated by 79 dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip(), policy=default_policy))
    return messages


def recipients(mail_dir: Path) -> list[str]:
    return sorted(address for message in sent_mails(mail_dir) for address in message["To"].split(", "))


@pytest.fixture
def due_meeting(transactional_db, sdgs):
    """A meeting in two hours (its reminder is due) of a circle with three members, a facilitator and an opt-out."""
    circle = factories.CircleFactory(
        sdgs=[sdgs[13]], format=MeetingFormat.ONLINE, online_url="https://meet.cirkler.example/klima"
    )
    people = [factories.MembershipFactory(circle=circle).user for _number in range(3)]
    people.append(factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user)
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(email_meeting_reminders=False))
    starts_at = (timezone.now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    meeting = factories.MeetingFactory(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        online_url=circle.online_url,
        agenda="Klimaet i hverdagen",
    )
    meeting.people = people
    return meeting


def test_the_worker_sends_each_reminder_once_even_when_queued_twice_and_run_again(due_meeting, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    expected = sorted(person.email for person in due_meeting.people)

    # Queued twice (the meeting service and the safety net), run by two workers at once.
    meeting_reminders_enqueue(due_meeting)
    meeting_reminders_send.enqueue(meeting_id=due_meeting.pk, starts_at_iso=reminder_time_key(due_meeting.starts_at))
    run_workers(mail_dir, count=2)

    assert recipients(mail_dir) == expected
    results = DBTaskResult.objects.filter(task_path=REMINDER_TASK_PATH)
    assert sorted(results.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sum(results.values_list("return_value", flat=True)) == len(expected)
    mail = sent_mails(mail_dir)[0]
    assert due_meeting.circle.title in mail["Subject"]
    assert "Klimaet i hverdagen" in mail.get_body(preferencelist=("plain",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"

    # The worker runs again with the task queued once more: still exactly one reminder each.
    meeting_reminders_send.enqueue(meeting_id=due_meeting.pk, starts_at_iso=reminder_time_key(due_meeting.starts_at))
    run_workers(mail_dir)

    assert recipients(mail_dir) == expected
    assert results.filter(status="SUCCESSFUL").count() == 3
    assert results.order_by("-enqueued_at").first().return_value == 0


def test_the_worker_forgets_an_answered_removal_request_when_its_year_is_up(transactional_db, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    resource = factories.ResourceFactory()
    staff = factories.LibraryStaffFactory(library=resource.owner_library).user
    ask = {"name": "Grethe Hansen", "email": "grethe@example.org", "requested_by": factories.UserFactory()}
    answered = resource_services.removal_request_create(resource=resource, reason="Mit ansigt.", **ask)
    waiting = resource_services.removal_request_create(resource=resource, reason="Også mig.", **ask)
    resource_services.removal_request_decline(removal=answered, handled_by=staff, reason="Det er en tegning.")
    [task] = DBTaskResult.objects.filter(task_path=FORGET_TASK_PATH)
    answered.refresh_from_db()
    assert task.run_after > answered.handled_at + resource_services.ANSWERED_REMOVAL_KEPT

    # Not yet: the worker leaves the task for its time.
    run_workers(mail_dir)
    assert DBTaskResult.objects.get(pk=task.pk).status == "READY"

    # A year and a minute later (moved back in time rather than waited for): the worker deletes it.
    year_ago = timezone.now() - resource_services.ANSWERED_REMOVAL_KEPT - datetime.timedelta(minutes=2)
    RemovalRequest.objects.filter(pk=answered.pk).update(handled_at=year_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    run_workers(mail_dir)
    task.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", 1)
    assert list(RemovalRequest.objects.values_list("pk", flat=True)) == [waiting.pk]
