"""Moderation and pins on the room socket: pin, unpin, report, mute, unmute, lock, unlock, slow_mode and their frames."""

import datetime
import uuid

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat import protocol
from chat.models import Message, ModerationAction, ModerationKind, Report, ReportState, Room
from chat.services import message_post, message_report, room_lock_set
from circles.models import Membership, MembershipRole
from circles.services import facilitator_appoint, facilitator_remove
from tests import factories

from .conftest import joined, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

db = database_sync_to_async


def post(room: Room, author, body: str) -> Message:
    message, _created = message_post(room=room, author=author, body=body, client_id=uuid.uuid4())
    return message


@pytest.fixture
def room(circle) -> Room:
    return circle.room


@pytest.fixture
def other_member(circle):
    return factories.MembershipFactory(circle=circle).user


def new_send(body: str = "Hej") -> dict:
    return {"type": "send", "client_id": str(uuid.uuid4()), "body": body}


async def frames_of(socket, frame_type: str) -> list[dict]:
    return [frame for frame in await socket.drain() if frame["type"] == frame_type]


# ---------------------------------------------------------------------------- pins


async def test_a_facilitator_pins_and_unpins_and_everyone_gets_the_pinned_list(member, facilitator, room):
    message = await db(post)(room, member, "Vi mødes **torsdag** kl. 10")
    moderator, reader = await joined(facilitator, room.pk), await joined(member, room.pk)
    await moderator.send({"type": "pin", "id": message.pk})
    done = await moderator.receive_type("done")
    assert (done["frame"], done["ref"]) == ("pin", message.pk)
    assert done["detail"]
    pins = await reader.receive_type("pins")
    assert [pin["id"] for pin in pins["pins"]] == [message.pk]
    assert pins["pins"][0]["seq"] == message.seq
    assert pins["pins"][0]["author"] == {"id": member.pk, "name": member.name}
    assert "Vi mødes **torsdag** kl. 10" in pins["html"]
    assert f"#message-{message.seq}" in pins["html"]
    stored = await db(Message.objects.get)(pk=message.pk)
    assert stored.pinned_at is not None and stored.pinned_by_id == facilitator.pk

    await moderator.send({"type": "unpin", "id": message.pk})
    assert (await moderator.receive_type("done"))["frame"] == "unpin"
    assert (await reader.receive_type("pins"))["pins"] == []
    kinds = await db(lambda: list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True)))()
    assert kinds == [ModerationKind.PIN, ModerationKind.UNPIN]
    await moderator.close()
    await reader.close()


async def test_pins_are_capped_per_room(member, facilitator, room):
    messages = [await db(post)(room, member, f"nr {number}") for number in range(protocol.MAX_PINS + 1)]
    moderator = await joined(facilitator, room.pk)
    for message in messages[: protocol.MAX_PINS]:
        await moderator.send({"type": "pin", "id": message.pk})
        await moderator.receive_type("done")
    await moderator.send({"type": "pin", "id": messages[-1].pk})
    error = await moderator.receive_type("error")
    assert (error["code"], error["frame"], error["ref"]) == ("too_many_pins", "pin", messages[-1].pk)
    assert await db(Message.objects.filter(pinned_at__isnull=False).count)() == protocol.MAX_PINS
    await moderator.close()


async def test_a_socket_opening_in_a_room_with_pins_gets_them_after_presence(member, facilitator, room):
    message = await db(post)(room, member, "Husk madpakken")
    moderator = await joined(facilitator, room.pk)
    await moderator.send({"type": "pin", "id": message.pk})
    await moderator.receive_type("done")
    await moderator.close()
    reader = await joined(member, room.pk, language="en")
    pins = await reader.receive()
    assert pins["type"] == "pins"
    assert [pin["id"] for pin in pins["pins"]] == [message.pk]
    assert "Pinned messages" in pins["html"]
    await reader.close()


# ---------------------------------------------------------------------------- who may moderate


MODERATION_FRAMES = [
    lambda message, target: {"type": "pin", "id": message.pk},
    lambda message, target: {"type": "unpin", "id": message.pk},
    lambda message, target: {"type": "mute", "user": target.pk, "seconds": protocol.MUTE_SECONDS[0]},
    lambda message, target: {"type": "unmute", "user": target.pk},
    lambda message, target: {"type": "lock"},
    lambda message, target: {"type": "unlock"},
    lambda message, target: {"type": "slow_mode", "seconds": 30},
]


async def test_a_member_cannot_pin_mute_lock_or_set_slow_mode(member, other_member, room):
    message = await db(post)(room, other_member, "hej")
    socket = await joined(member, room.pk)
    for make in MODERATION_FRAMES:
        frame = make(message, other_member)
        await socket.send(frame)
        error = await socket.receive_type("error")
        assert (error["code"], error["frame"]) == ("not_moderator", frame["type"]), frame
    await db(room.refresh_from_db)()
    assert (room.locked, room.slow_mode_seconds) == (False, 0)
    assert await db(Membership.objects.filter(muted_until__isnull=False).exists)() is False
    assert await db(Message.objects.filter(pinned_at__isnull=False).exists)() is False
    assert await db(ModerationAction.objects.exists)() is False
    await socket.close()


async def test_a_facilitator_of_another_circle_cannot_even_open_the_room(room):
    elsewhere = await db(factories.MembershipFactory)(role=MembershipRole.FACILITATOR)
    _connected, socket = await open_socket(elsewhere.user, room.pk)
    assert await socket.closed_with() == 4403


# ---------------------------------------------------------------------------- mute


async def test_a_muted_member_learns_it_at_once_and_every_send_is_refused_with_until(member, facilitator, room):
    moderator, muted = await joined(facilitator, room.pk), await joined(member, room.pk)
    await moderator.send({"type": "mute", "user": member.pk, "seconds": 3600})
    done = await moderator.receive_type("done")
    assert (done["frame"], done["ref"]) == ("mute", member.pk)
    assert member.name in done["detail"]
    state = await muted.receive_type("room_state")
    until = datetime.datetime.fromisoformat(state["muted_until"])
    assert datetime.timedelta(minutes=59) < until - timezone.now() <= datetime.timedelta(hours=1)
    assert (state["locked"], state["slow_mode_seconds"], state["moderator"]) == (False, 0, False)

    await muted.send(new_send("må jeg?"))
    error = await muted.receive_type("error")
    assert error["code"] == "muted"
    assert datetime.datetime.fromisoformat(error["until"]) == until
    assert await db(Message.objects.count)() == 0
    # They still read.
    await muted.send({"type": "resume", "after": 0})
    assert (await muted.receive_type("resumed"))["last_seq"] == 0

    await moderator.send({"type": "unmute", "user": member.pk})
    assert (await moderator.receive_type("done"))["frame"] == "unmute"
    assert (await muted.receive_type("room_state"))["muted_until"] is None
    assert (await muted.send_message("tak"))["message"]["body"] == "tak"
    kinds = await db(lambda: list(ModerationAction.objects.order_by("pk").values_list("kind", "target_id")))()
    assert kinds == [(ModerationKind.MUTE, member.pk), (ModerationKind.UNMUTE, member.pk)]
    await moderator.close()
    await muted.close()


async def test_a_muted_member_connecting_gets_room_state_after_presence(circle, room, user):
    until = timezone.now() + datetime.timedelta(days=1)
    await db(factories.MembershipFactory)(circle=circle, user=user, muted_until=until)
    socket = await joined(user, room.pk)
    state = await socket.receive()
    assert state["type"] == "room_state"
    assert datetime.datetime.fromisoformat(state["muted_until"]) == until
    await socket.close()


@pytest.mark.parametrize(
    ("who", "seconds", "code"),
    [
        ("member", 61, "invalid_field"),
        ("facilitator", 3600, "no_such_member"),
        ("stranger", 3600, "no_such_member"),
        ("self", 3600, "no_such_member"),
    ],
)
async def test_mute_refuses_wrong_lengths_and_people_who_cannot_be_muted(
    circle, member, facilitator, room, who, seconds, code
):
    target = {
        "member": member,
        "facilitator": await db(
            lambda: factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
        )(),
        "stranger": await db(factories.UserFactory)(),
        "self": facilitator,
    }[who]
    moderator = await joined(facilitator, room.pk)
    await moderator.send({"type": "mute", "user": target.pk, "seconds": seconds})
    error = await moderator.receive_type("error")
    assert (error["code"], error["frame"]) == (code, "mute")
    assert await db(Membership.objects.filter(muted_until__isnull=False).exists)() is False
    await moderator.close()


# ---------------------------------------------------------------------------- lock


async def test_locking_tells_every_socket_and_only_facilitators_may_write(member, other_member, facilitator, room):
    theirs = await db(post)(room, other_member, "før pausen")
    moderator, writer = await joined(facilitator, room.pk), await joined(member, room.pk)
    await moderator.send({"type": "lock"})
    assert (await moderator.receive_type("done"))["frame"] == "lock"
    assert (await moderator.receive_type("room_state"))["moderator"] is True
    state = await writer.receive_type("room_state")
    assert (state["locked"], state["moderator"]) == (True, False)

    for frame in (new_send("hallo"), {"type": "react", "id": theirs.pk, "emoji": "👍"}):
        await writer.send(frame)
        error = await writer.receive_type("error")
        assert (error["code"], error["frame"]) == ("room_locked", frame["type"])
    assert (await moderator.send_message("Vi holder en pause"))["message"]["seq"] == 2

    await moderator.send({"type": "unlock"})
    assert (await writer.receive_type("room_state"))["locked"] is False
    assert (await writer.send_message("videre"))["message"]["seq"] == 3
    await moderator.close()
    await writer.close()


async def test_a_socket_opening_in_a_locked_room_gets_room_state(member, facilitator, room):
    await db(room_lock_set)(room=room, moderator=facilitator, locked=True)
    socket = await joined(member, room.pk)
    state = await socket.receive()
    assert state == {
        "type": "room_state",
        "locked": True,
        "slow_mode_seconds": 0,
        "muted_until": None,
        "moderator": False,
    }
    await socket.close()


# ---------------------------------------------------------------------------- slow mode


async def test_slow_mode_refuses_a_second_message_too_soon_with_retry_after(member, facilitator, room):
    moderator, writer = await joined(facilitator, room.pk), await joined(member, room.pk)
    await moderator.send({"type": "slow_mode", "seconds": 30})
    assert (await moderator.receive_type("done"))["frame"] == "slow_mode"
    assert (await writer.receive_type("room_state"))["slow_mode_seconds"] == 30

    await writer.send_message("første")
    client_id = str(uuid.uuid4())
    await writer.send({"type": "send", "client_id": client_id, "body": "anden"})
    error = await writer.receive_type("error")
    assert (error["code"], error["frame"], error["ref"]) == ("slow_mode", "send", client_id)
    assert 1 <= error["retry_after"] <= 30
    assert await db(Message.objects.filter(author=member).count)() == 1
    # Facilitators are not slowed.
    await moderator.send_message("en")
    await moderator.send_message("to")

    await moderator.send({"type": "slow_mode", "seconds": 0})
    assert (await writer.receive_type("room_state"))["slow_mode_seconds"] == 0
    await writer.send_message("nu igen")
    await moderator.close()
    await writer.close()


async def test_slow_mode_accepts_only_the_listed_steps(facilitator, room):
    moderator = await joined(facilitator, room.pk)
    await moderator.send({"type": "slow_mode", "seconds": 7})
    error = await moderator.receive_type("error")
    assert (error["code"], error["frame"]) == ("invalid_field", "slow_mode")
    await db(room.refresh_from_db)()
    assert room.slow_mode_seconds == 0
    await moderator.close()


# ---------------------------------------------------------------------------- report


async def test_a_member_reports_a_message_and_only_facilitators_hear_of_it(member, other_member, facilitator, room):
    theirs = await db(post)(room, other_member, "noget grimt")
    moderator, reporter, author = (
        await joined(facilitator, room.pk),
        await joined(member, room.pk),
        await joined(other_member, room.pk),
    )
    await reporter.send({"type": "report", "id": theirs.pk, "reason": "offensive", "text": "Det er ikke i orden."})
    done = await reporter.receive_type("done")
    assert (done["frame"], done["ref"]) == ("report", theirs.pk)
    assert (await moderator.receive_type("reports"))["open"] == 1
    report = await db(Report.objects.get)()
    assert (report.reporter_id, report.reason, report.text, report.state) == (
        member.pk,
        "offensive",
        "Det er ikke i orden.",
        ReportState.OPEN,
    )
    # The author and other members learn nothing about it.
    assert [frame for frame in await author.drain() if frame["type"] in ("reports", "done")] == []
    assert [frame for frame in await reporter.drain() if frame["type"] == "reports"] == []

    await reporter.send({"type": "report", "id": theirs.pk, "reason": "spam"})
    assert (await reporter.receive_type("error"))["code"] == "already_reported"
    await author.send({"type": "report", "id": theirs.pk, "reason": "spam"})
    assert (await author.receive_type("error"))["code"] == "own_message"
    await reporter.send({"type": "report", "id": theirs.pk + 999, "reason": "spam"})
    assert (await reporter.receive_type("error"))["code"] == "no_such_message"
    await reporter.send({"type": "report", "id": theirs.pk, "reason": "because"})
    assert (await reporter.receive_type("error"))["code"] == "invalid_field"
    assert await db(Report.objects.count)() == 1
    for socket in (moderator, reporter, author):
        await socket.close()


async def test_a_facilitator_demoted_while_connected_no_longer_hears_of_reports(
    circle, member, other_member, facilitator, room
):
    staff = await db(factories.LibraryStaffFactory)(library=circle.host_library)
    moderator = await joined(facilitator, room.pk)
    await db(facilitator_remove)(removed_by=staff.user, circle=circle, user=facilitator)
    theirs = await db(post)(room, other_member, "noget grimt")
    await db(message_report)(message=theirs, reporter=member, reason="offensive")
    assert await frames_of(moderator, "reports") == []
    # Appointed again, the same socket hears at once of the report waiting, and then of the next one.
    await db(facilitator_appoint)(appointed_by=staff.user, circle=circle, user=facilitator)
    assert (await moderator.receive_type("reports"))["open"] == 1
    third = await db(factories.MembershipFactory)(circle=circle)
    await db(message_report)(message=theirs, reporter=third.user, reason="spam")
    assert (await moderator.receive_type("reports"))["open"] == 2
    await moderator.close()


async def test_a_facilitator_connecting_with_open_reports_gets_their_number(member, other_member, facilitator, room):
    theirs = await db(post)(room, other_member, "reklame")
    await db(message_report)(message=theirs, reporter=member, reason="spam")
    moderator = await joined(facilitator, room.pk)
    assert await moderator.receive() == {"type": "reports", "open": 1}
    reader = await joined(member, room.pk)
    assert await frames_of(reader, "reports") == []
    await moderator.close()
    await reader.close()


# ---------------------------------------------------------------------------- the frames themselves


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ({"type": "pin", "id": 3}, protocol.Pin(id=3)),
        ({"type": "unpin", "id": 3}, protocol.Unpin(id=3)),
        ({"type": "report", "id": 3, "reason": "spam"}, protocol.Report(id=3, reason="spam")),
        (
            {"type": "report", "id": 3, "reason": "other", "text": "hmm"},
            protocol.Report(id=3, reason="other", text="hmm"),
        ),
        ({"type": "mute", "user": 7, "seconds": 3600}, protocol.Mute(user=7, seconds=3600)),
        ({"type": "unmute", "user": 7}, protocol.Unmute(user=7)),
        ({"type": "lock"}, protocol.Lock()),
        ({"type": "unlock"}, protocol.Unlock()),
        ({"type": "slow_mode", "seconds": 30}, protocol.SlowMode(seconds=30)),
    ],
)
def test_every_moderation_frame_parses(frame, expected):
    import json

    assert protocol.parse_client_frame(json.dumps(frame)) == expected


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"type": "mute", "user": 7}', "seconds"),
        ('{"type": "mute", "user": "7", "seconds": 3600}', "user"),
        ('{"type": "report", "id": 3}', "reason"),
        ('{"type": "lock", "seconds": 1}', "seconds"),
        ('{"type": "slow_mode", "seconds": -10}', "seconds"),
    ],
)
async def test_malformed_moderation_frames_get_invalid_field(facilitator, room, raw, field):
    socket = await joined(facilitator, room.pk)
    await socket.send(raw)
    error = await socket.receive_type("error")
    assert (error["code"], error["field"]) == ("invalid_field", field)
    await socket.close()


def test_moderation_frames_have_their_own_rate_limit():
    limit = next(limit for limit in protocol.RATE_LIMITS if "lock" in limit.types)
    assert set(limit.types) == {frame.type for frame in protocol.MODERATION_FRAMES}


async def test_removing_a_pinned_message_takes_it_off_the_list_and_is_logged(member, facilitator, room):
    message = await db(post)(room, member, "fastgjort og fjernet")
    moderator, reader = await joined(facilitator, room.pk), await joined(member, room.pk)
    await moderator.send({"type": "pin", "id": message.pk})
    assert len((await reader.receive_type("pins"))["pins"]) == 1
    await moderator.send({"type": "delete", "id": message.pk})
    assert (await reader.receive_type("pins"))["pins"] == []
    action = await db(ModerationAction.objects.filter(kind=ModerationKind.REMOVE).get)()
    assert (action.actor_id, action.target_id, action.message_id) == (facilitator.pk, member.pk, message.pk)
    await moderator.close()
    await reader.close()


async def test_only_the_muted_persons_sockets_hear_of_the_mute(member, other_member, facilitator, room):
    moderator, muted, bystander = (
        await joined(facilitator, room.pk),
        await joined(member, room.pk),
        await joined(other_member, room.pk),
    )
    await moderator.send({"type": "mute", "user": member.pk, "seconds": 604_800})
    await moderator.receive_type("done")
    assert (await muted.receive_type("room_state"))["muted_until"] is not None
    assert await frames_of(bystander, "room_state") == []
    assert await frames_of(moderator, "room_state") == []
    for socket in (moderator, muted, bystander):
        await socket.close()


async def test_a_facilitator_demoted_in_a_locked_room_is_told_they_may_no_longer_write(circle, facilitator, room):
    staff = await db(factories.LibraryStaffFactory)(library=circle.host_library)
    moderator = await joined(facilitator, room.pk)
    await moderator.send({"type": "lock"})
    assert (await moderator.receive_type("room_state"))["moderator"] is True
    await db(facilitator_remove)(removed_by=staff.user, circle=circle, user=facilitator)
    state = await moderator.receive_type("room_state")
    assert (state["locked"], state["moderator"]) == (True, False)
    await moderator.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "stadig her"})
    assert (await moderator.receive_type("error"))["code"] == "room_locked"
    await moderator.close()
