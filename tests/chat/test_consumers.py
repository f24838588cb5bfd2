"""The room socket, frame by frame: access, persist-then-publish, dedupe, resume, errors, limits, moderation."""

import asyncio
import datetime
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.services import account_delete
from chat import protocol
from chat.groups import user_group_name
from chat.models import Message, Reaction, ReadState, Room
from chat.services import message_post
from circles.models import Membership, MembershipRole, MembershipState
from circles.services import membership_leave, membership_remove
from config.asgi import application
from tests import factories

from .conftest import joined, open_socket, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

db = database_sync_to_async


def post(room: Room, author, body: str) -> Message:
    message, _created = message_post(room=room, author=author, body=body, client_id=uuid.uuid4())
    return message


def fill(room: Room, authors: list, count: int) -> None:
    """`count` messages at once, numbered as message_post numbers them (a shortcut for long histories)."""
    start = Room.objects.get(pk=room.pk).last_seq
    Message.objects.bulk_create(
        Message(room=room, seq=start + number, author=authors[number % len(authors)], body=f"besked {number}")
        for number in range(1, count + 1)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=start + count)


@pytest.fixture
def room(circle) -> Room:
    return circle.room


@pytest.fixture
def other_member(circle):
    return factories.MembershipFactory(circle=circle).user


# ---------------------------------------------------------------------------- connecting


async def test_an_anonymous_socket_is_closed_with_4401(room):
    connected, socket = await open_socket(None, room.pk)
    assert connected  # accepted first, so that a browser sees the close code
    assert await socket.closed_with() == protocol.CloseCode.NOT_LOGGED_IN == 4401


async def test_a_socket_to_an_unknown_room_is_closed_with_4404(member, room):
    _connected, socket = await open_socket(member, room.pk + 1000)
    assert await socket.closed_with() == 4404


@pytest.mark.parametrize(
    "state",
    [None, MembershipState.PENDING, MembershipState.WAITLISTED, MembershipState.REMOVED, MembershipState.BANNED],
)
async def test_only_active_members_get_in_others_are_closed_with_4403(circle, room, user, state):
    if state is not None:
        await db(factories.MembershipFactory)(circle=circle, user=user, state=state)
    _connected, socket = await open_socket(user, room.pk)
    assert await socket.closed_with() == 4403


async def test_a_member_gets_in_and_sees_who_is_here(member, room):
    connected, socket = await open_socket(member, room.pk)
    assert connected
    assert await socket.receive() == {"type": "presence", "users": [{"id": member.pk, "name": member.name}]}
    await socket.close()


# ---------------------------------------------------------------------------- send


async def test_send_stores_acknowledges_and_broadcasts_the_message(member, other_member, room):
    sender, reader = await joined(member, room.pk), await joined(other_member, room.pk)
    client_id = str(uuid.uuid4())
    await sender.send({"type": "send", "client_id": client_id, "body": "Hej **alle**"})
    ack = await sender.receive_type("message")
    payload = ack["message"]
    assert payload["seq"] == 1
    assert payload["client_id"] == client_id
    assert payload["author"] == {"id": member.pk, "name": member.name}
    assert payload["body"] == "Hej **alle**"
    assert "<strong>alle</strong>" in payload["html"]
    assert 'data-seq="1"' in payload["html"]
    assert datetime.datetime.fromisoformat(payload["created"]).tzinfo is not None
    assert payload["edited"] is None
    assert payload["deleted"] is False
    assert payload["reply_to"] is None
    assert payload["reactions"] == []
    assert (await reader.receive_type("message"))["message"] == payload
    stored = await db(Message.objects.get)(room=room)
    assert (stored.seq, stored.body, stored.pk) == (1, "Hej **alle**", payload["id"])
    # The sender's own broadcast is not sent twice.
    assert [frame for frame in await sender.drain() if frame["type"] == "message"] == []
    await sender.close()
    await reader.close()


async def test_a_sender_gets_a_neighbours_earlier_message_before_its_own_acknowledgement(
    member, other_member, room, monkeypatch
):
    """Another person's message stored just before the sender's (seq 2) but broadcast a moment later
    still reaches the sender before the acknowledgement of its own (seq 3): every socket gets seq order."""
    from chat import hub

    sender = await joined(member, room.pk)
    await sender.send_message("først")
    publish, delayed = hub.publish, []

    def publish_later(room_id: int, event: dict) -> None:
        if event["message"]["body"] == "naboens":
            delayed.append((room_id, event))
        else:
            publish(room_id, event)

    monkeypatch.setattr(hub, "publish", publish_later)
    await db(post)(room, other_member, "naboens")
    await sender.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "min egen"})
    await asyncio.sleep(0.05)
    [(room_id, event)] = delayed
    await db(publish)(room_id, event)
    frames = await sender.drain()
    assert [(frame["message"]["seq"], frame["message"]["body"]) for frame in frames if frame["type"] == "message"] == [
        (2, "naboens"),
        (3, "min egen"),
    ]
    await sender.close()


async def test_a_broadcast_that_comes_after_a_resume_sent_the_message_is_not_sent_again(
    member, other_member, room, monkeypatch
):
    """Resume reads what is committed; the live copy of a message it sent may still be on its way."""
    from chat import hub

    reader, bystander = await joined(member, room.pk), await joined(other_member, room.pk)
    publish, delayed = hub.publish, []
    monkeypatch.setattr(hub, "publish", lambda room_id, event: delayed.append((room_id, event)))
    await db(post)(room, other_member, "sent på vej")
    await reader.send({"type": "resume", "after": 0})
    frames = await reader.receive_until("resumed")
    assert [frame["message"]["seq"] for frame in frames if frame["type"] == "message"] == [1]
    [(room_id, event)] = delayed
    await db(publish)(room_id, event)
    # The socket that did not resume gets the live copy; the one that did, not a second time.
    assert (await bystander.receive_type("message"))["message"]["seq"] == 1
    assert [frame for frame in await reader.drain() if frame["type"] == "message"] == []
    # A later message still comes live.
    monkeypatch.setattr(hub, "publish", publish)
    await db(post)(room, other_member, "næste")
    assert (await reader.receive_type("message"))["message"]["seq"] == 2
    await reader.close()
    await bystander.close()


async def test_a_repeated_client_id_returns_the_original_and_broadcasts_nothing(member, other_member, room):
    sender, reader = await joined(member, room.pk), await joined(other_member, room.pk)
    client_id = str(uuid.uuid4())
    await sender.send({"type": "send", "client_id": client_id, "body": "Første"})
    original = (await sender.receive_type("message"))["message"]
    await reader.receive_type("message")
    await sender.send({"type": "send", "client_id": client_id, "body": "Første igen"})
    again = (await sender.receive_type("message"))["message"]
    assert again == original
    assert await db(Message.objects.count)() == 1
    assert [frame for frame in await reader.drain() if frame["type"] == "message"] == []
    await sender.close()
    await reader.close()


async def test_a_reply_points_at_the_answered_message(member, other_member, room):
    question = await db(post)(room, other_member, "Hvornår mødes vi?")
    sender = await joined(member, room.pk)
    reply = await sender.send_message("På torsdag", reply_to=question.pk)
    assert reply["message"]["reply_to"] == {"id": question.pk, "seq": question.seq}
    assert "Hvornår mødes vi?" in reply["message"]["html"]
    await sender.close()


async def test_the_html_follows_the_language_of_each_socket(member, other_member, room):
    danish, english = await joined(member, room.pk), await joined(other_member, room.pk, language="en")
    await danish.send_message("hej")
    await danish.send({"type": "delete", "id": (await db(Message.objects.get)(room=room)).pk})
    await danish.receive_type("message")
    frames = [frame for frame in await english.drain() if frame["type"] == "message"]
    assert "This message was deleted." in frames[-1]["message"]["html"]
    await english.send({"type": "bogus"})
    assert (await english.receive_type("error"))["detail"] == "The message could not be understood."
    await danish.close()
    await english.close()


# ---------------------------------------------------------------------------- resume


async def test_resume_sends_everything_after_the_seq_in_order_in_batches_then_resumed(member, other_member, room):
    count = protocol.RESUME_BATCH * 2 + 7
    await db(fill)(room, [member, other_member], count)
    socket = await joined(member, room.pk)
    await socket.send({"type": "resume", "after": 0})
    frames = await socket.receive_until("resumed")
    assert [frame["type"] for frame in frames] == ["message"] * count + ["resumed"]
    assert [frame["message"]["seq"] for frame in frames[:-1]] == list(range(1, count + 1))
    assert frames[-1] == {"type": "resumed", "last_seq": count, "last_change_seq": 0}

    await socket.send({"type": "resume", "after": count - 3})
    frames = await socket.receive_until("resumed")
    assert [frame["message"]["seq"] for frame in frames[:-1]] == [count - 2, count - 1, count]
    assert frames[-1] == {"type": "resumed", "last_seq": count, "last_change_seq": 0}
    await socket.close()


async def test_resume_from_beyond_the_last_message_reports_the_rooms_last_seq(member, room):
    await db(post)(room, member, "en")
    socket = await joined(member, room.pk)
    await socket.send({"type": "resume", "after": 99})
    assert await socket.drain() == [{"type": "resumed", "last_seq": 1, "last_change_seq": 1}]
    await socket.send({"type": "resume", "after": 1})
    assert await socket.drain() == [{"type": "resumed", "last_seq": 1, "last_change_seq": 1}]
    await socket.close()


async def test_a_message_stored_while_away_arrives_on_resume_once(member, other_member, room):
    reader = await joined(other_member, room.pk)
    await reader.close()
    await db(post)(room, member, "mens du var væk")
    reader = await joined(other_member, room.pk)
    await reader.send({"type": "resume", "after": 0})
    frames = await reader.drain()
    assert [frame["type"] for frame in frames] == ["message", "resumed"]
    assert frames[0]["message"]["body"] == "mens du var væk"
    await reader.close()


# ---------------------------------------------------------------------------- edit, delete, react


async def test_edit_own_message_marks_it_edited_for_everyone(member, other_member, room):
    sender, reader = await joined(member, room.pk), await joined(other_member, room.pk)
    sent = (await sender.send_message("Vi ses kl. 10"))["message"]
    await reader.receive_type("message")
    await sender.send({"type": "edit", "id": sent["id"], "body": "Vi ses kl. 11"})
    edited = (await sender.receive_type("message"))["message"]
    assert (edited["seq"], edited["body"]) == (sent["seq"], "Vi ses kl. 11")
    assert edited["edited"] is not None
    assert "(redigeret)" in edited["html"] or "(edited)" in edited["html"]
    assert (await reader.receive_type("message"))["message"]["body"] == "Vi ses kl. 11"
    await sender.close()
    await reader.close()


async def test_nobody_edits_someone_elses_message(member, other_member, room):
    theirs = await db(post)(room, other_member, "min tekst")
    socket = await joined(member, room.pk)
    await socket.send({"type": "edit", "id": theirs.pk, "body": "ændret"})
    error = await socket.receive_type("error")
    assert (error["code"], error["frame"], error["ref"]) == ("not_allowed", "edit", theirs.pk)
    await db(theirs.refresh_from_db)()
    assert theirs.body == "min tekst"
    await socket.close()


async def test_delete_own_message_hides_its_text_and_keeps_its_seq(member, room):
    socket = await joined(member, room.pk)
    sent = (await socket.send_message("ups"))["message"]
    await socket.send({"type": "delete", "id": sent["id"]})
    deleted = (await socket.receive_type("message"))["message"]
    assert (deleted["seq"], deleted["deleted"], deleted["body"], deleted["removed_by_facilitator"]) == (
        1,
        True,
        "",
        False,
    )
    assert "ups" not in deleted["html"]
    stored = await db(Message.objects.get)(pk=sent["id"])
    assert stored.deleted_at is not None and stored.deleted_by_id == member.pk
    await socket.send({"type": "edit", "id": sent["id"], "body": "igen"})
    assert (await socket.receive_type("error"))["code"] == "deleted"
    await socket.close()


async def test_a_facilitator_removes_someone_elses_message_a_member_cannot(member, other_member, facilitator, room):
    theirs = await db(post)(room, other_member, "noget grimt")
    socket = await joined(member, room.pk)
    await socket.send({"type": "delete", "id": theirs.pk})
    assert (await socket.receive_type("error"))["code"] == "not_allowed"
    moderator = await joined(facilitator, room.pk)
    await moderator.send({"type": "delete", "id": theirs.pk})
    removed = (await moderator.receive_type("message"))["message"]
    assert removed["removed_by_facilitator"] is True
    assert removed["body"] == ""
    seen = [frame for frame in await socket.drain() if frame["type"] == "message"]
    assert seen[-1]["message"]["removed_by_facilitator"] is True
    await socket.close()
    await moderator.close()


async def test_react_toggles_one_reaction_per_person_and_emoji(member, other_member, room):
    theirs = await db(post)(room, other_member, "godt forslag")
    socket = await joined(member, room.pk)
    await socket.send({"type": "react", "id": theirs.pk, "emoji": "👍"})
    reacted = (await socket.receive_type("message"))["message"]
    assert reacted["reactions"] == [{"emoji": "👍", "count": 1, "users": [member.pk]}]
    await socket.send({"type": "react", "id": theirs.pk, "emoji": "👍"})
    assert (await socket.receive_type("message"))["message"]["reactions"] == []
    assert await db(Reaction.objects.count)() == 0
    await socket.send({"type": "react", "id": theirs.pk, "emoji": "🍕"})
    error = await socket.receive_type("error")
    assert (error["code"], error["field"]) == ("invalid_field", "emoji")
    await socket.close()


async def test_a_message_of_another_room_cannot_be_touched(member, room):
    elsewhere = await db(factories.MembershipFactory)()
    foreign = await db(post)(elsewhere.circle.room, elsewhere.user, "andet sted")
    socket = await joined(member, room.pk)
    for frame in (
        {"type": "edit", "id": foreign.pk, "body": "x"},
        {"type": "delete", "id": foreign.pk},
        {"type": "react", "id": foreign.pk, "emoji": "👍"},
        {"type": "send", "client_id": str(uuid.uuid4()), "body": "svar", "reply_to": foreign.pk},
    ):
        await socket.send(frame)
        error = await socket.receive_type("error")
        assert error["code"] == "no_such_message", frame
    assert await db(Message.objects.filter(room=room).count)() == 0
    await socket.close()


# ---------------------------------------------------------------------------- typing, read, presence


async def test_typing_reaches_the_others_not_the_typist(member, other_member, room):
    typist, reader = await joined(member, room.pk), await joined(other_member, room.pk)
    await reader.drain()
    await typist.send({"type": "typing"})
    assert await reader.receive_type("typing") == {"type": "typing", "user": {"id": member.pk, "name": member.name}}
    assert [frame for frame in await typist.drain() if frame["type"] == "typing"] == []
    await typist.close()
    await reader.close()


async def test_read_moves_forward_only_and_never_past_the_last_message(member, room):
    for number in range(5):
        await db(post)(room, member, f"nr {number}")
    socket = await joined(member, room.pk)

    async def read(seq: int) -> int:
        await socket.send({"type": "read", "seq": seq})
        assert await socket.drain() == []
        return (await db(ReadState.objects.get)(room=room, user=member)).last_read_seq

    assert await read(3) == 3
    assert await read(2) == 3
    assert await read(99) == 5
    await socket.close()


async def test_presence_lists_who_is_connected_and_forgets_who_left(member, other_member, room):
    first = await joined(member, room.pk)
    second = await joined(other_member, room.pk)
    everyone = sorted(
        [{"id": member.pk, "name": member.name}, {"id": other_member.pk, "name": other_member.name}],
        key=lambda person: (person["name"].casefold(), person["id"]),
    )
    assert (await first.receive_type("presence"))["users"] == everyone
    assert (await second.receive_type("presence"))["users"] == everyone
    await second.close()
    assert (await first.receive_type("presence"))["users"] == [{"id": member.pk, "name": member.name}]
    await first.close()


# ---------------------------------------------------------------------------- errors and limits


BAD_FRAMES = [
    ("{not json", "bad_json", None),
    ("[1, 2]", "bad_frame", None),
    ('"send"', "bad_frame", None),
    ('{"body": "no type"}', "bad_frame", None),
    ('{"type": "shout"}', "unknown_type", None),
    ('{"type": "send", "body": "hej"}', "invalid_field", "client_id"),
    ('{"type": "send", "client_id": "not-a-uuid", "body": "hej"}', "invalid_field", "client_id"),
    ('{"type": "send", "client_id": "9d1b1c52-1111-4c4e-9d55-0c3b7f0e2a11", "body": 7}', "invalid_field", "body"),
    (
        '{"type": "send", "client_id": "9d1b1c52-1111-4c4e-9d55-0c3b7f0e2a11", "body": "a\\u0000b"}',
        "invalid_field",
        "body",
    ),
    ('{"type": "send", "client_id": "9d1b1c52-1111-4c4e-9d55-0c3b7f0e2a11", "body": "   "}', "empty", None),
    ('{"type": "resume", "after": -1}', "invalid_field", "after"),
    ('{"type": "resume", "after": true}', "invalid_field", "after"),
    ('{"type": "resume", "after": 1.5}', "invalid_field", "after"),
    ('{"type": "resume", "after": 99999999999999999999999}', "invalid_field", "after"),
    ('{"type": "resume", "after": NaN}', "bad_json", None),
    ('{"type": "resume", "after": 0, "extra": 1}', "invalid_field", "extra"),
    ('{"type": "read"}', "invalid_field", "seq"),
    ('{"type": "edit", "id": 123456, "body": "x"}', "no_such_message", None),
    ('{"type": "delete", "id": "1"}', "invalid_field", "id"),
]


async def test_each_bad_frame_gets_an_error_frame_and_the_socket_stays_open(member, room):
    socket = await joined(member, room.pk)
    for raw, code, field in BAD_FRAMES:
        await socket.send(raw)
        error = await socket.receive_type("error")
        assert (error["code"], error["field"] if field else None) == (code, field), raw
        assert error["detail"], raw
    await socket.send({"type": "resume", "after": 0})
    assert (await socket.receive_type("resumed"))["last_seq"] == 0
    assert await db(Message.objects.count)() == 0
    await socket.close()


async def test_a_send_that_fails_in_the_database_gets_server_error_stores_nothing_and_the_socket_stays_open(
    member, other_member, room
):
    await db(post)(room, other_member, "den første")
    # The room's counter behind its messages (a restored backup, a hand edit): the next seq collides
    # with the unique (room, seq) constraint, an error no service refusal covers.
    await db(Room.objects.filter(pk=room.pk).update)(last_seq=0)
    sender, reader = await joined(member, room.pk), await joined(other_member, room.pk)
    client_id = str(uuid.uuid4())
    await sender.send({"type": "send", "client_id": client_id, "body": "går galt"})
    error = await sender.receive_type("error")  # the reader's presence may come first
    assert (error["type"], error["code"], error["frame"], error["ref"]) == ("error", "server_error", "send", client_id)
    assert error["detail"] == str(protocol.ERROR_DETAILS[protocol.ErrorCode.SERVER_ERROR])
    # Nothing half-stored: no message, no mention, the counters as they were; nobody heard of it.
    assert await db(lambda: list(Message.objects.values_list("seq", "body")))() == [(1, "den første")]
    assert await db(lambda: Room.objects.values_list("last_seq", "last_change_seq").get(pk=room.pk))() == (0, 1)
    assert [frame for frame in await reader.drain() if frame["type"] == "message"] == []
    # The socket stays open: once the counter is right, the same send goes through.
    await db(Room.objects.filter(pk=room.pk).update)(last_seq=1)
    await sender.send({"type": "send", "client_id": client_id, "body": "går galt"})
    ack = await sender.receive_type("message")
    assert (ack["message"]["seq"], ack["message"]["client_id"]) == (2, client_id)
    assert sender.close_code is None
    await sender.close()
    await reader.close()


async def test_binary_and_oversized_frames_are_refused(member, room):
    socket = await joined(member, room.pk)
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_type("error"))["code"] == "bad_frame"
    huge = json.dumps({"type": "send", "client_id": str(uuid.uuid4()), "body": "x" * protocol.MAX_FRAME_CHARS})
    await socket.send(huge)
    assert (await socket.receive_type("error"))["code"] == "frame_too_large"
    await socket.close()


async def test_an_overlong_body_is_refused_with_too_long_and_its_client_id(member, room):
    socket = await joined(member, room.pk)
    client_id = str(uuid.uuid4())
    await socket.send({"type": "send", "client_id": client_id, "body": "æ" * (protocol.MAX_BODY_CHARS + 1)})
    error = await socket.receive_type("error")
    assert (error["code"], error["frame"], error["ref"]) == ("too_long", "send", client_id)
    await socket.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "😀" * protocol.MAX_BODY_CHARS})
    assert (await socket.receive_type("message"))["message"]["seq"] == 1
    await socket.close()


async def test_sends_over_the_rate_limit_are_refused_with_rate_limited(member, room):
    socket = await joined(member, room.pk)
    write_limit = next(limit for limit in protocol.RATE_LIMITS if "send" in limit.types)
    for number in range(write_limit.frames):
        await socket.send_message(f"nr {number}")
    await socket.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "en for meget"})
    error = await socket.receive_type("error")
    assert (error["code"], error["frame"]) == ("rate_limited", "send")
    assert await db(Message.objects.count)() == write_limit.frames
    # Reading is not a write: a resume still works.
    await socket.send({"type": "resume", "after": write_limit.frames})
    assert (await socket.receive_type("resumed"))["last_seq"] == write_limit.frames
    await socket.close()


async def test_any_frames_over_the_overall_limit_are_refused(member, room):
    socket = await joined(member, room.pk)
    overall = next(limit for limit in protocol.RATE_LIMITS if not limit.types)
    for _number in range(overall.frames):
        await socket.send({"type": "read", "seq": 0})
    await socket.send({"type": "read", "seq": 0})
    error = await socket.receive_type("error")
    assert (error["code"], error["frame"]) == ("rate_limited", None)
    assert await socket.drain() == []
    await socket.close()


async def test_a_muted_member_reads_but_cannot_write(circle, room, user):
    until = timezone.now() + datetime.timedelta(hours=1)
    await db(factories.MembershipFactory)(circle=circle, user=user, muted_until=until)
    socket = await joined(user, room.pk)
    await socket.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "hallo?"})
    error = await socket.receive_type("error")
    assert error["code"] == "muted"
    await socket.send({"type": "resume", "after": 0})
    assert (await socket.receive_type("resumed"))["last_seq"] == 0
    await socket.close()


# ---------------------------------------------------------------------------- losing access


async def test_a_member_removed_while_connected_is_closed_with_4403(circle, member, facilitator, room):
    socket = await joined(member, room.pk)
    membership = await db(Membership.objects.get)(circle=circle, user=member)
    await db(membership_remove)(decided_by=facilitator, membership=membership)
    assert await socket.closed_with() == 4403


async def test_a_member_who_leaves_the_circle_is_closed_with_4403_at_once(circle, member, other_member, room):
    leaver, stayer = await joined(member, room.pk), await joined(other_member, room.pk)
    await db(membership_leave)(circle=circle, user=member)
    assert await leaver.closed_with() == 4403
    await db(post)(room, other_member, "efter du gik")
    assert (await stayer.receive_type("message"))["message"]["body"] == "efter du gik"
    await stayer.close()


async def test_removal_from_another_circle_leaves_the_socket_open(member, room):
    socket = await joined(member, room.pk)
    await get_channel_layer().group_send(
        user_group_name(member.pk), {"type": protocol.Event.MEMBERSHIP_REVOKED.value, "circle_id": -1}
    )
    await socket.send({"type": "resume", "after": 0})
    assert (await socket.receive_type("resumed"))["last_seq"] == 0
    await socket.close()


async def test_a_deleted_account_is_closed_with_4403(member, room):
    socket = await joined(member, room.pk)
    await db(account_delete)(user=member, keep_messages=True)
    assert await socket.closed_with() == 4403


async def test_a_membership_lost_without_an_event_closes_on_the_next_frame(circle, member, room):
    socket = await joined(member, room.pk)
    await db(Membership.objects.filter(circle=circle, user=member).update)(state=MembershipState.REMOVED)
    await socket.send({"type": "send", "client_id": str(uuid.uuid4()), "body": "er jeg her?"})
    assert await socket.closed_with() == 4403
    assert await db(Message.objects.count)() == 0


async def test_an_unknown_channel_layer_event_is_ignored(member, room):
    socket = await joined(member, room.pk)
    await get_channel_layer().group_send(user_group_name(member.pk), {"type": "something.new"})
    await socket.send({"type": "resume", "after": 0})
    assert (await socket.receive_type("resumed"))["last_seq"] == 0
    await socket.close()


def test_every_channel_layer_event_has_a_handler():
    from chat.consumers import RoomConsumer

    for event in protocol.Event:
        assert callable(getattr(RoomConsumer, event.value.replace(".", "_"), None)), event


# ---------------------------------------------------------------------------- the real stack: session and origin


async def connect_through_asgi(room_id: int, headers: list[tuple[bytes, bytes]]) -> tuple[bool, WebsocketCommunicator]:
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{room_id}/", headers=headers)
    connected, _code = await communicator.connect()
    return connected, communicator


async def test_a_session_cookie_and_a_site_origin_get_in_through_the_asgi_application(member, room):
    session_key = await session_key_for(member)
    connected, communicator = await connect_through_asgi(
        room.pk, [(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={session_key}".encode())]
    )
    assert connected
    assert json.loads((await communicator.receive_output())["text"])["type"] == "presence"
    await communicator.disconnect()


async def test_no_session_through_the_asgi_application_is_closed_with_4401(room):
    connected, communicator = await connect_through_asgi(room.pk, [(b"origin", b"http://localhost")])
    assert connected
    assert (await communicator.receive_output())["code"] == 4401


async def test_a_foreign_empty_or_missing_origin_is_refused_at_the_handshake(member, room):
    session_key = await session_key_for(member)
    cookie = (b"cookie", f"sessionid={session_key}".encode())
    for origin in [b"http://evil.example", b"https://127.0.0.1.evil.example", b"", b"null", None]:
        headers = [cookie] if origin is None else [cookie, (b"origin", origin)]
        connected, _communicator = await connect_through_asgi(room.pk, headers)
        assert not connected, origin


async def test_a_session_of_a_user_whose_password_changed_is_not_logged_in(member, room):
    session_key = await session_key_for(member)

    def change_password() -> None:
        member.set_password("a-brand-new-password-99")
        member.save()

    await db(change_password)()
    _connected, communicator = await connect_through_asgi(
        room.pk, [(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={session_key}".encode())]
    )
    assert (await communicator.receive_output())["code"] == 4401


def test_membership_role_is_not_needed_to_read(circle, room):
    """Facilitators are members too: they read like everyone else (a guard for the permission used above)."""
    from accounts.permissions import may_read_room

    facilitator = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    assert may_read_room(facilitator, room)
