"""Valid frames of every client frame type (moderation frames included), fuzzed through a real room socket.

tests/chat/test_consumer_fuzz.py fuzzes the text of frames, mostly refusals of the validator: its
strategy did not produce a valid `edit` frame in 20,000 tries. Here every frame is valid by
construction from chat.protocol.CLIENT_FRAMES, and names real message and person ids, so every handler
runs: no server error, the socket stays open, no half-stored message. Examples per the Hypothesis profile.
"""

import dataclasses
import json
import uuid
from collections import Counter

import pytest
from asgiref.sync import async_to_sync
from hypothesis import given
from hypothesis import strategies as st

from chat import protocol
from chat.models import Message
from chat.protocol import CLIENT_FRAMES, Kind

from ..chat.conftest import joined
from .conftest import report

pytestmark = [pytest.mark.django_db(transaction=True)]

SENTINEL = {"type": "resume", "after": 2**62}
TYPES_SEEN: Counter = Counter()


def valid_frames(ids: list[int]) -> st.SearchStrategy[dict]:
    """Any client frame type, each field valid for its kind; ints are mostly ids that exist."""
    numbers = st.one_of(st.sampled_from(ids), st.integers(min_value=0, max_value=protocol.MAX_INT))
    kinds = {
        Kind.UUID: st.uuids().map(str),
        Kind.INT: numbers,
        Kind.EMOJI: st.sampled_from(protocol.REACTIONS),
        Kind.TEXT: st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=0, max_size=300
        ),
    }

    @st.composite
    def frame(draw) -> dict:
        frame_type = draw(st.sampled_from(sorted(CLIENT_FRAMES)))
        data = {"type": frame_type}
        for frame_field in dataclasses.fields(CLIENT_FRAMES[frame_type]):
            if frame_field.metadata["optional"] and draw(st.booleans()):
                continue
            data[frame_field.name] = draw(kinds[frame_field.metadata["kind"]])
        return data

    return frame()


def one_of_each_type(ids: list[int]) -> list[dict]:
    """A valid frame of every client frame type, with every field (optional ones too)."""
    values = {Kind.UUID: lambda: str(uuid.uuid4()), Kind.INT: lambda: ids[0], Kind.EMOJI: lambda: protocol.REACTIONS[0]}
    frames = []
    for frame_type, frame_class in sorted(CLIENT_FRAMES.items()):
        data = {"type": frame_type}
        for frame_field in dataclasses.fields(frame_class):
            data[frame_field.name] = values.get(frame_field.metadata["kind"], lambda: "Hej med dig")()
        frames.append(data)
    return frames


@pytest.fixture
def room_with_messages(in_memory_layer, settings, sdgs):
    from circles.models import MembershipRole
    from tests import factories

    # Frames follow each other faster than anyone types.
    settings.CHAT_RATE_LIMITS = ()
    circle = factories.CircleFactory(sdgs=[sdgs[13]])
    member = factories.MembershipFactory(circle=circle).user
    facilitator = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    from chat.services import message_post

    for number in range(3):
        message_post(room=circle.room, author=member, body=f"Besked {number}", client_id=uuid.uuid4())
    ids = [*Message.objects.filter(room=circle.room).values_list("pk", flat=True), member.pk, facilitator.pk, 1, 2, 3]
    return circle.room, member, facilitator, ids


async def exchange(user, room_id: int, frames: list[dict]) -> None:
    socket = await joined(user, room_id)
    for frame in frames:
        await socket.send(frame)
        await socket.send(SENTINEL)
        answers = await socket.receive_until("resumed")
        errors = [answer for answer in answers if answer["type"] == "error"]
        assert all(error["code"] != "server_error" for error in errors), (frame, errors)
        TYPES_SEEN[frame["type"]] += 1
    # One more round trip instead of a quiet wait: the consumer answers it after everything queued before it.
    await socket.send(SENTINEL)
    answers = await socket.receive_until("resumed")
    assert all(answer.get("code") != "server_error" for answer in answers if answer["type"] == "error"), answers
    await socket.drain(quiet=0)
    assert socket.close_code is None, "a valid frame never closes the socket"
    await socket.close()


def test_valid_frames_of_every_type_never_crash_the_socket_or_half_store(room_with_messages):
    room, member, facilitator, ids = room_with_messages
    TYPES_SEEN.clear()
    examples = Counter()

    @given(
        who=st.sampled_from(["member", "facilitator"]),
        frames=st.lists(valid_frames(ids), min_size=1, max_size=4),
    )
    def run(who: str, frames: list[dict]) -> None:
        async_to_sync(exchange)(member if who == "member" else facilitator, room.pk, frames)
        room.refresh_from_db()
        seqs = list(Message.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, room.last_seq + 1)), "no gap, no half-stored message"
        examples["tried"] += 1

    # Every type once on purpose (the members' messages and ids), then the fuzz's breadth.
    async_to_sync(exchange)(facilitator, room.pk, one_of_each_type(ids))
    run()
    missing = sorted(set(CLIENT_FRAMES) - set(TYPES_SEEN))
    report(
        f"socket fuzz (valid frames): {examples['tried']} examples, {sum(TYPES_SEEN.values())} frames over "
        f"{len(TYPES_SEEN)} of {len(CLIENT_FRAMES)} types: {dict(sorted(TYPES_SEEN.items()))}"
    )
    assert missing == [], f"frame types never tried: {missing}"


def test_frame_strategy_builds_only_valid_frames():
    @given(valid_frames([1, 2, 3]))
    def check(frame: dict) -> None:
        protocol.parse_client_frame(json.dumps(frame))

    check()
