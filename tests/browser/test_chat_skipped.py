"""Too many changes while a person was away: the server sends `skipped` with `changes` instead of replaying them,
and the page drops the messages it held (they may be out of date) and points to the history page."""

import json
import re
import uuid

import pytest
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from chat import protocol, services
from chat.models import Message, Room

from .axe import assert_no_axe_violations
from .test_chat import WAIT_MS, bodies, open_context, wait_for_text  # noqa: F401  (open_context is a fixture)
from .test_chat_resilience import (
    facilitated_circle,  # noqa: F401  (a fixture)
    log_in,
    open_chat,
    send,
    wait_until_connected,
    wait_until_disconnected,
)

pytestmark = pytest.mark.browser

HELD = protocol.RESUME_MAX + 20  # messages in the room when Bo opens the page
CHANGED = protocol.RESUME_MAX + 5  # of those, changed while he is offline: more than the server replays
SKIPPED_WORDS = re.compile(r"history page|historiksiden|historik", re.IGNORECASE)


def fill_room(room: Room, people: list) -> None:
    """HELD messages, stored as message_post stores them (seq and change number from the room's counters)."""
    Message.objects.bulk_create(
        Message(
            room=room,
            seq=number,
            changed_seq=number,
            author=people[number % len(people)],
            client_id=uuid.uuid4(),
            body=f"Besked nummer {number}",
        )
        for number in range(1, HELD + 1)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=HELD, last_change_seq=HELD)


def edit_many(room: Room) -> None:
    """What services.message_edit does to each of the first CHANGED messages, in one go: new text, edited,
    and a new change number each from the room's counter (under the room's lock, as the service takes it)."""
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        first_change = locked.last_change_seq
        changed = Message.objects.filter(room=locked, seq__lte=CHANGED).update(
            body=Concat(F("body"), Value(" (rettet)")),
            edited_at=timezone.now(),
            changed_seq=F("seq") + first_change,
        )
        assert changed == CHANGED
        locked.last_change_seq = first_change + CHANGED
        locked.save(update_fields=["last_change_seq"])


def _parsed(payload) -> dict:
    try:
        return json.loads(payload)
    except (TypeError, ValueError):
        return {}


def test_more_changes_than_the_server_replays_drop_the_held_messages_and_point_to_the_history(
    open_context,  # noqa: F811
    facilitated_circle,  # noqa: F811
):
    circle, fie, bo = facilitated_circle
    room = circle.room
    fill_room(room, [fie, bo])
    bo_context = open_context()
    bo_page = log_in(bo_context, bo.email)
    open_chat(bo_page, circle)
    shown_before = bodies(bo_page)
    assert len(shown_before) > 1 and shown_before[-1] == f"Besked nummer {HELD}"
    skipped_note = bo_page.locator("#chat .chat-skipped")
    assert skipped_note.is_hidden()
    frames: list[dict] = []
    bo_page.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda payload: frames.append(_parsed(payload))),
    )

    # Bo's network goes away; meanwhile more than RESUME_MAX of the messages he holds are edited,
    # and Fie writes two new ones (the real service: seq and change number from the room's counters).
    bo_context.set_offline(True)
    wait_until_disconnected(bo_page)
    edit_many(room)
    for text in ("Ny besked mens Bo var væk", "Og en til"):
        services.message_post(room=room, author=fie, body=text, client_id=uuid.uuid4())

    bo_context.set_offline(False)
    wait_until_connected(bo_page)
    skipped_note.wait_for(timeout=WAIT_MS)
    wait_for_text(bo_page, "Og en til")

    # The server really sent `skipped` with changes, for everything Bo held.
    assert {"type": "skipped", "up_to": HELD, "changes": True} in frames
    # Every message Bo held (up to HELD) is gone, edited or not; the two new ones follow, in order, once each.
    shown_seqs = [
        int(seq)
        for seq in bo_page.locator("#chat-log .chat-message").evaluate_all(
            "messages => messages.map(message => message.dataset.seq)"
        )
    ]
    assert shown_seqs == [HELD + 1, HELD + 2]
    assert bodies(bo_page) == ["Ny besked mens Bo var væk", "Og en til"]
    assert not any("rettet" in body or body.startswith("Besked nummer") for body in bodies(bo_page))

    # The note says plainly that older messages are on the history page, and links to just below the new ones.
    assert SKIPPED_WORDS.search(skipped_note.inner_text()), skipped_note.inner_text()
    history_address = skipped_note.get_by_role("link").get_attribute("href")
    assert history_address.endswith(f"/samtale/{room.pk}/?before={HELD + 1}"), history_address

    # The discussion goes on after it: Bo's own message comes last, once.
    send(bo_page, "Jeg er tilbage")
    wait_for_text(bo_page, "Jeg er tilbage")
    assert bodies(bo_page) == ["Ny besked mens Bo var væk", "Og en til", "Jeg er tilbage"]
    assert Message.objects.filter(room=room, body="Jeg er tilbage", author=bo).count() == 1
    assert_no_axe_violations(bo_page)

    # The history page the note links to shows the edited messages as they are now.
    bo_page.goto(history_address)
    history = bodies(bo_page)
    assert f"Besked nummer {CHANGED} (rettet)" in history and f"Besked nummer {HELD}" in history
    assert_no_axe_violations(bo_page)
