"""Fuzzed frames through a real room socket: no crash, an error frame for each bad one, no half-stored message."""

import json
import uuid
from typing import get_type_hints

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat import protocol
from chat.models import Message, Room
from chat.protocol import ProtocolError, parse_client_frame

from .conftest import joined
from .test_protocol import frame_texts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def is_valid(text: str) -> bool:
    try:
        parse_client_frame(text)
    except ProtocolError:
        return False
    return True


SERVER_FRAME_TYPES = {get_type_hints(frame)["type"].__args__[0] for frame in protocol.SERVER_FRAMES}

# A frame whose only answer is `resumed`: what arrives before it answers the fuzzed frame.
SENTINEL = {"type": "resume", "after": 2**62}


async def exchange(user, room: Room, texts: list[str]) -> None:
    socket = await joined(user, room.pk)
    for text in texts:
        await socket.send(text)
        await socket.send(SENTINEL)
        frames = await socket.receive_until("resumed")
        errors = [frame for frame in frames if frame["type"] == "error"]
        # A bad frame gets exactly one error; a valid one at most one (a service may still refuse it).
        assert len(errors) == 1 if not is_valid(text) else len(errors) <= 1, (text, frames)
        for frame in frames:
            assert frame["type"] in SERVER_FRAME_TYPES, frame
    # One more round trip instead of a quiet wait: the consumer answers it after everything queued before it.
    await socket.send(SENTINEL)
    for frame in await socket.receive_until("resumed"):
        assert frame["type"] in SERVER_FRAME_TYPES, frame
    await socket.drain(quiet=0)
    assert socket.close_code is None
    await socket.close()


# The number of examples comes from the Hypothesis profile (tests/conftest.py): 1,000 in CI.
@settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts=st.lists(frame_texts.filter(lambda text: len(text) < 5000), min_size=1, max_size=6))
def test_fuzzed_frames_never_crash_the_socket_or_half_store_a_message(member, circle, texts):
    room = circle.room
    async_to_sync(exchange)(member, room, texts)
    room.refresh_from_db()
    seqs = list(Message.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, room.last_seq + 1))
    assert all(message.body.strip() for message in Message.objects.filter(room=room))


def test_valid_sends_among_fuzz_are_stored_once(member, circle):
    """A sanity check that the fuzz above reaches the storing path, not only refusals."""
    text = json.dumps({"type": "send", "client_id": "3f0c1f5e-8a0b-4c4e-9d55-0c3b7f0e2a11", "body": "hej"})
    async_to_sync(exchange)(member, circle.room, [text, text])
    assert Message.objects.filter(room=circle.room).count() == 1
    assert protocol.MAX_BODY_CHARS == 4000


# Moderation frames that are mostly valid in shape, so that the services behind them run (as a facilitator).
moderation_frames = st.one_of(
    st.builds(lambda kind, id: {"type": kind, "id": id}, st.sampled_from(["pin", "unpin"]), st.integers(0, 8)),
    st.builds(
        lambda id, reason, text: {"type": "report", "id": id, "reason": reason, **({"text": text} if text else {})},
        st.integers(0, 8),
        st.sampled_from([*protocol.REPORT_REASONS, "", "nope"]),
        st.one_of(st.none(), st.text(max_size=30)),
    ),
    st.builds(
        lambda user, seconds: {"type": "mute", "user": user, "seconds": seconds},
        st.integers(0, 50),
        st.sampled_from([*protocol.MUTE_SECONDS, 0, 5]),
    ),
    st.builds(lambda user: {"type": "unmute", "user": user}, st.integers(0, 50)),
    st.sampled_from([{"type": "lock"}, {"type": "unlock"}]),
    st.builds(
        lambda seconds: {"type": "slow_mode", "seconds": seconds}, st.sampled_from([*protocol.SLOW_MODE_SECONDS, 7])
    ),
    st.builds(lambda body: {"type": "send", "client_id": str(uuid.uuid4()), "body": body}, st.text(max_size=20)),
).map(json.dumps)


@settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    texts=st.lists(
        st.one_of(moderation_frames, frame_texts.filter(lambda text: len(text) < 5000)), min_size=1, max_size=6
    )
)
def test_fuzzed_moderation_frames_from_a_facilitator_never_crash_or_half_store(facilitator, member, circle, texts):
    room = circle.room
    async_to_sync(exchange)(facilitator, room, texts)
    room.refresh_from_db()
    seqs = list(Message.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, room.last_seq + 1))
    assert Message.objects.filter(room=room, pinned_at__isnull=False).count() <= protocol.MAX_PINS
