"""The member side of the discussion: change replay on resume, the resume cap, @mentions and their
e-mails, live unread counts on /ws/me/, and sockets closed on logout and account deletion."""

import datetime
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.services import account_delete
from chat import protocol
from chat.groups import room_activity_group_name
from chat.models import Mention, Message, Room
from chat.presenters import message_html
from chat.routing import websocket_urlpatterns
from chat.selectors import messages_for_display
from chat.services import mention_emails_send, message_delete, message_edit, message_post, reaction_toggle, read_mark
from circles.models import Membership, MembershipState
from circles.services import membership_remove
from config.asgi import application
from tests import factories

from .conftest import Socket, joined, session_key_for

db = database_sync_to_async


def post(room: Room, author, body: str, **fields) -> Message:
    message, _created = message_post(room=room, author=author, body=body, client_id=uuid.uuid4(), **fields)
    return message


@pytest.fixture
def room(circle) -> Room:
    return circle.room


@pytest.fixture
def anna(circle):
    return factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Anna Holm")).user


@pytest.fixture
def bo(circle):
    return factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Bo")).user


async def me_socket(user) -> tuple[Socket, dict]:
    """A /ws/me/ socket straight to the router, and its first `unread` frame."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/me/")
    communicator.scope["user"] = user if user is not None else AnonymousUser()
    connected, _subprotocol = await communicator.connect()
    assert connected
    socket = Socket(communicator)
    if user is None:
        return socket, {}
    return socket, await socket.receive_type("unread")


def counts(frame: dict, room: Room) -> tuple[int, int]:
    entry = next(entry for entry in frame["rooms"] if entry["room"] == room.pk)
    return entry["unread"], entry["mentions"]


# ---------------------------------------------------------------------------- resume: changes and the cap


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_resume_with_changed_after_replays_edits_deletions_and_reactions_in_change_order(anna, bo, room):
    first = await db(post)(room, anna, "en")
    second = await db(post)(room, bo, "to")
    third = await db(post)(room, anna, "tre")
    socket = await joined(bo, room.pk)
    await socket.send({"type": "resume", "after": 0, "changed_after": 0})
    frames = await socket.receive_until("resumed")
    assert frames[-1] == {"type": "resumed", "last_seq": 3, "last_change_seq": 3}
    await socket.close()

    # Bo is away while Anna edits, deletes and reacts.
    await db(message_edit)(message=first, editor=anna, body="en, rettet")
    await db(reaction_toggle)(message=second, user=anna, emoji=protocol.REACTIONS[0])
    await db(message_delete)(message=third, deleted_by=anna)
    await db(post)(room, anna, "fire")

    socket = await joined(bo, room.pk)
    await socket.send({"type": "resume", "after": 3, "changed_after": 3})
    frames = await socket.receive_until("resumed")
    messages = [frame["message"] for frame in frames if frame["type"] == "message"]
    assert [message["seq"] for message in messages] == [4, 1, 2, 3]
    assert messages[1]["body"] == "en, rettet" and messages[1]["edited"]
    assert messages[2]["reactions"][0]["users"] == [anna.pk]
    assert messages[3]["deleted"]
    assert [message["changed_seq"] for message in messages[1:]] == [4, 5, 6]
    assert frames[-1] == {"type": "resumed", "last_seq": 4, "last_change_seq": 7}

    # Caught up: the same cursor again replays nothing.
    await socket.send({"type": "resume", "after": 4, "changed_after": 7})
    assert await socket.receive_until("resumed") == [{"type": "resumed", "last_seq": 4, "last_change_seq": 7}]
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_resume_without_changed_after_sends_only_newer_messages(anna, bo, room):
    first = await db(post)(room, anna, "en")
    await db(message_edit)(message=first, editor=anna, body="en, rettet")
    socket = await joined(bo, room.pk)
    await socket.send({"type": "resume", "after": 1})
    assert await socket.receive_until("resumed") == [{"type": "resumed", "last_seq": 1, "last_change_seq": 2}]
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.parametrize("value", [-1, "3", 2**63, 1.5])
async def test_a_bad_changed_after_is_an_invalid_field(anna, room, value):
    socket = await joined(anna, room.pk)
    await socket.send({"type": "resume", "after": 0, "changed_after": value})
    error = await socket.receive()
    assert (error["type"], error["code"], error["field"]) == ("error", "invalid_field", "changed_after")
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_resume_from_far_back_sends_skipped_then_only_the_newest_messages(anna, bo, room):
    count = protocol.RESUME_MAX + 23

    def fill() -> None:
        Message.objects.bulk_create(
            Message(room=room, seq=number, author=anna, body=f"besked {number}") for number in range(1, count + 1)
        )
        Room.objects.filter(pk=room.pk).update(last_seq=count)

    await db(fill)()
    socket = await joined(bo, room.pk)
    await socket.send({"type": "resume", "after": 0})
    frames = await socket.receive_until("resumed", timeout=30)
    assert frames[0] == {"type": "skipped", "up_to": 23, "changes": False}
    assert [frame["message"]["seq"] for frame in frames[1:-1]] == list(range(24, count + 1))
    assert frames[-1]["last_seq"] == count

    # Exactly RESUME_MAX back is not capped.
    await socket.send({"type": "resume", "after": count - protocol.RESUME_MAX})
    frames = await socket.receive_until("resumed", timeout=30)
    assert frames[0]["type"] == "message" and len(frames) == protocol.RESUME_MAX + 1
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_resume_with_more_changes_than_the_limit_sends_skipped_changes_instead_of_them(anna, bo, room):
    count = protocol.RESUME_MAX + 1

    def fill() -> None:
        # Every message changed (edited, reacted to …) after the client's cursor `count`.
        Message.objects.bulk_create(
            Message(room=room, seq=number, changed_seq=count + number, author=anna, body=f"besked {number}")
            for number in range(1, count + 1)
        )
        Room.objects.filter(pk=room.pk).update(last_seq=count, last_change_seq=2 * count)

    await db(fill)()
    socket = await joined(bo, room.pk)
    await socket.send({"type": "resume", "after": count, "changed_after": count})
    frames = await socket.receive_until("resumed", timeout=30)
    assert frames == [
        {"type": "skipped", "up_to": count, "changes": True},
        {"type": "resumed", "last_seq": count, "last_change_seq": 2 * count},
    ]

    # Exactly RESUME_MAX changes are replayed, in change order, without `skipped`.
    await socket.send({"type": "resume", "after": count, "changed_after": count + 1})
    frames = await socket.receive_until("resumed", timeout=30)
    assert [frame["message"]["seq"] for frame in frames[:-1]] == list(range(2, count + 1))
    assert frames[-1] == {"type": "resumed", "last_seq": count, "last_change_seq": 2 * count}
    await socket.close()


# ---------------------------------------------------------------------------- mentions


@pytest.mark.django_db
def test_a_mention_of_an_active_member_is_stored_and_shown_as_a_badge(anna, bo, room, circle):
    outsider = factories.UserFactory(display_name="Carl")
    waiting = factories.MembershipFactory(
        circle=circle, user=factories.UserFactory(display_name="Dina"), state=MembershipState.PENDING
    ).user
    message = post(room, anna, "Hej @bo og @Carl og @Dina og @Anna Holm, se **dette**")
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [bo.pk]
    assert outsider.pk and waiting.pk
    shown = messages_for_display(room).get(pk=message.pk)
    html = message_html(shown)
    assert f'<span class="chat-mention" data-user-id="{bo.pk}">@bo</span>' in html
    assert "@Carl" in html and "@Dina" in html and html.count("chat-mention") == 1


@pytest.mark.django_db
def test_the_longest_matching_name_wins_and_a_name_inside_a_word_or_link_is_no_mention(circle, room, anna):
    ann = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Anna")).user
    message = post(room, ann, "@Anna Holm ja, men ikke mail@Anna Holm eller [@Anna Holm](https://example.org)")
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [anna.pk]
    html = message_html(messages_for_display(room).get(pk=message.pk))
    assert html.count("chat-mention") == 1
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">@Anna Holm</a>' in html


@pytest.mark.django_db
def test_a_name_with_markup_is_escaped_in_the_badge(circle, room, anna):
    tricky = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="<b>Eva</b>")).user
    message = post(room, anna, "Hej @<b>Eva</b>!")
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [tricky.pk]
    html = message_html(messages_for_display(room).get(pk=message.pk))
    assert "<b>" not in html
    assert f'data-user-id="{tricky.pk}">@&lt;b&gt;Eva&lt;/b&gt;</span>' in html


@pytest.mark.django_db
def test_an_edit_updates_who_is_mentioned(anna, bo, room):
    message = post(room, anna, "Hej @Bo")
    message_edit(message=message, editor=anna, body="Hej alle")
    assert not Mention.objects.filter(message=message).exists()
    message_edit(message=message, editor=anna, body="Hej @Bo igen")
    assert list(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == [bo.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_message_frames_carry_the_mentions_and_change_number(anna, bo, room):
    socket = await joined(anna, room.pk)
    frame = await socket.send_message("Hej @Bo")
    assert frame["message"]["mentions"] == [bo.pk]
    assert frame["message"]["changed_seq"] == 1
    assert "chat-mention" in frame["message"]["html"]
    await socket.close()


@pytest.mark.django_db(transaction=True)
def test_a_mention_queues_one_email_task_after_commit_and_a_plain_message_none(anna, bo, room):
    post(room, anna, "Hej alle")
    assert not DBTaskResult.objects.filter(task_path="chat.tasks.mention_emails_send").exists()
    message = post(room, anna, "Hej @Bo")
    task = DBTaskResult.objects.get(task_path="chat.tasks.mention_emails_send")
    assert task.args_kwargs["kwargs"] == {"message_id": message.pk}
    assert task.run_after > timezone.now()


@pytest.mark.django_db
def test_the_mention_email_goes_once_an_hour_per_room_and_not_to_those_who_opted_out_or_read_it(
    anna, bo, room, circle, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    quiet = factories.MembershipFactory(
        circle=circle, user=factories.UserFactory(display_name="Stille", email_mentions=False)
    ).user
    first = post(room, anna, "Hej @Bo og @Stille")
    assert mention_emails_send(message_id=first.pk) == 1
    assert [message.to for message in mail.outbox] == [[bo.email]]
    assert "Anna Holm" in mail.outbox[0].body and f"/samtale/{room.pk}/#message-{first.seq}" in mail.outbox[0].body
    assert quiet.pk

    second = post(room, anna, "@Bo igen")
    assert mention_emails_send(message_id=second.pk) == 0
    later = timezone.now() + datetime.timedelta(seconds=protocol.MENTION_EMAIL_INTERVAL_SECONDS + 60)
    assert mention_emails_send(message_id=second.pk, now=later) == 1
    # Already told about that one: a second run sends nothing.
    assert mention_emails_send(message_id=second.pk, now=later + datetime.timedelta(hours=2)) == 0

    third = post(room, anna, "@Bo en gang til")
    read_mark(room=room, user=bo, seq=third.seq)
    assert mention_emails_send(message_id=third.pk, now=later + datetime.timedelta(hours=3)) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_mention_email_preference_off_means_no_email(anna, bo, room, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bo.email_mentions = False
    bo.save()
    message = post(room, anna, "Hej @Bo")
    assert mention_emails_send(message_id=message.pk) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_mention_email_after_the_person_left_the_circle(anna, bo, room, circle, facilitator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = post(room, anna, "Hej @Bo")
    membership_remove(decided_by=facilitator, membership=Membership.objects.get(circle=circle, user=bo))
    assert mention_emails_send(message_id=message.pk) == 0


# ---------------------------------------------------------------------------- /ws/me/: live unread counts


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_the_me_socket_refuses_an_anonymous_person_with_4401():
    socket, _frame = await me_socket(None)
    assert await socket.closed_with() == 4401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_unread_counts_start_from_the_read_state_and_follow_messages_and_reads_live(anna, bo, room):
    await db(post)(room, anna, "en")
    await db(post)(room, bo, "mit eget")
    await db(post)(room, anna, "@Bo to")
    socket, frame = await me_socket(bo)
    assert counts(frame, room) == (2, 1)
    assert (frame["total"], frame["mentions"]) == (2, 1)

    # Live: another's message counts, a mention counts twice over, one's own does not.
    await db(post)(room, anna, "tre")
    assert counts(await socket.receive_type("unread"), room) == (3, 1)
    await db(post)(room, anna, "Hej @Bo")
    assert counts(await socket.receive_type("unread"), room) == (4, 2)
    await db(post)(room, bo, "svar")
    assert await socket.drain() == []

    # A repeated announcement (a lost one redelivered, another process) is not counted twice.
    await get_channel_layer().group_send(
        room_activity_group_name(room.pk),
        protocol.activity_event(room_id=room.pk, seq=5, author_id=anna.pk, mentions=[bo.pk]),
    )
    assert await socket.drain() == []

    # Reading in the room (any socket, any page) recounts through the person's group.
    await db(read_mark)(room=room, user=bo, seq=4)
    assert counts(await socket.receive_type("unread"), room) == (1, 1)
    await db(read_mark)(room=room, user=bo, seq=6)
    assert counts(await socket.receive_type("unread"), room) == (0, 0)
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_the_send_path_makes_one_activity_event_whatever_the_number_of_members(anna, bo, room, circle):
    for _number in range(5):
        await db(factories.MembershipFactory)(circle=circle)
    layer = get_channel_layer()
    listener = await layer.new_channel()
    await layer.group_add(room_activity_group_name(room.pk), listener)
    message = await db(post)(room, anna, "Hej @Bo")
    event = await layer.receive(listener)
    assert event == {
        "type": "chat.activity",
        "room": room.pk,
        "seq": message.seq,
        "author_id": anna.pk,
        "mentions": [bo.pk],
    }
    sockets = [await me_socket(user) for user in (anna, bo)]
    await db(post)(room, anna, "igen")
    assert await layer.receive(listener) == {**event, "seq": message.seq + 1, "mentions": []}
    for socket, _frame in sockets:
        await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_the_me_socket_forgets_a_room_the_person_was_removed_from(anna, bo, room, circle, facilitator):
    socket, frame = await me_socket(bo)
    assert [entry["room"] for entry in frame["rooms"]] == [room.pk]
    membership = await db(Membership.objects.get)(circle=circle, user=bo)
    await db(membership_remove)(decided_by=facilitator, membership=membership)
    assert (await socket.receive_type("unread"))["rooms"] == []
    await db(post)(room, anna, "efter")
    assert await socket.drain() == []
    await socket.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_a_frame_sent_to_the_me_socket_is_answered_with_unknown_type(bo, room):
    socket, _frame = await me_socket(bo)
    await socket.send({"type": "send", "body": "hej"})
    error = await socket.receive()
    assert (error["type"], error["code"]) == ("error", "unknown_type")
    await socket.close()


# ---------------------------------------------------------------------------- logout and account deletion


async def through_asgi(path: str, session_key: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={session_key}".encode())]
    )
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def first_frame(communicator: WebsocketCommunicator) -> dict:
    output = await communicator.receive_output(5)
    assert output["type"] == "websocket.send", output
    return json.loads(output["text"])


async def closed_with(communicator: WebsocketCommunicator) -> int:
    while True:
        output = await communicator.receive_output(5)
        if output["type"] == "websocket.close":
            return output["code"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_logging_out_closes_that_sessions_sockets_at_once_and_leaves_other_sessions_open(bo, room):
    logged_out_session = await session_key_for(bo)
    other_session = await session_key_for(bo)
    room_socket = await through_asgi(f"/ws/rooms/{room.pk}/", logged_out_session)
    assert (await first_frame(room_socket))["type"] == "presence"
    me = await through_asgi("/ws/me/", logged_out_session)
    assert (await first_frame(me))["type"] == "unread"
    elsewhere = await through_asgi("/ws/me/", other_session)
    assert (await first_frame(elsewhere))["type"] == "unread"

    def log_out() -> None:
        client = Client()
        client.cookies["sessionid"] = logged_out_session
        response = client.post(reverse("account_logout"))
        assert response.status_code == 302

    await db(log_out)()
    assert await closed_with(room_socket) == protocol.CloseCode.NOT_LOGGED_IN
    assert await closed_with(me) == 4401
    assert await elsewhere.receive_nothing(0.3)
    await elsewhere.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_deleting_the_account_closes_the_me_socket_and_room_sockets_at_once(bo, room):
    session = await session_key_for(bo)
    room_socket = await through_asgi(f"/ws/rooms/{room.pk}/", session)
    assert (await first_frame(room_socket))["type"] == "presence"
    me = await through_asgi("/ws/me/", session)
    assert (await first_frame(me))["type"] == "unread"
    await db(account_delete)(user=bo, keep_messages=True)
    assert await closed_with(me) == protocol.CloseCode.FORBIDDEN
    assert await closed_with(room_socket) == 4403


# ---------------------------------------------------------------------------- access re-checked while connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_a_quiet_socket_whose_membership_ended_without_an_event_is_closed_by_the_recheck(
    bo, room, circle, settings
):
    settings.CHAT_ACCESS_RECHECK_SECONDS = 0.2
    socket = await joined(bo, room.pk)
    # Removed behind the socket's back: no membership.revoked event, and the socket sends nothing.
    await db(Membership.objects.filter(circle=circle, user=bo).update)(state=MembershipState.REMOVED)
    assert await socket.closed_with(timeout=5) == 4403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_a_member_in_good_standing_stays_connected_through_rechecks(bo, room, settings):
    settings.CHAT_ACCESS_RECHECK_SECONDS = 0.1
    socket = await joined(bo, room.pk)
    assert await socket.communicator.receive_nothing(timeout=0.5)
    await socket.close()


# ---------------------------------------------------------------------------- without JavaScript


def message_page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_without_javascript_a_member_edits_replies_reacts_and_deletes_through_the_same_services(anna, bo, room):
    message = post(room, bo, "Første udkast")
    client = message_page_client(bo)
    page = client.get(reverse("chat:message", kwargs={"room_id": room.pk, "message_id": message.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("message_edit", "message_delete", "message_react", "message_reply"):
        assert reverse(f"chat:{name}", kwargs={"room_id": room.pk, "message_id": message.pk}) in html
    urls = {
        name: reverse(f"chat:message_{name}", kwargs={"room_id": room.pk, "message_id": message.pk})
        for name in ("edit", "delete", "react", "reply")
    }

    assert client.post(urls["edit"], {"body": "Andet udkast"}).status_code == 302
    message.refresh_from_db()
    assert (message.body, message.edited_at is not None, message.changed_seq) == ("Andet udkast", True, 2)

    assert client.post(urls["react"], {"emoji": protocol.REACTIONS[1]}).status_code == 302
    assert list(message.reactions.values_list("emoji", flat=True)) == [protocol.REACTIONS[1]]
    assert client.post(urls["react"], {"emoji": "💩"}).status_code == 302
    assert message.reactions.count() == 1

    response = client.post(urls["reply"], {"body": "Et svar til @Anna Holm", "client_id": str(uuid.uuid4())})
    reply = Message.objects.get(room=room, reply_to=message)
    assert response["Location"].endswith(f"#message-{reply.seq}")
    assert list(reply.mentions.values_list("user_id", flat=True)) == [anna.pk]

    assert client.post(urls["delete"], {}).status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None and message.deleted_by == bo


@pytest.mark.django_db
def test_without_javascript_only_the_author_may_edit_or_delete(anna, bo, room):
    message = post(room, bo, "Mit")
    client = message_page_client(anna)
    html = client.get(reverse("chat:message", kwargs={"room_id": room.pk, "message_id": message.pk})).content.decode()
    assert reverse("chat:message_edit", kwargs={"room_id": room.pk, "message_id": message.pk}) not in html
    for name in ("edit", "delete"):
        url = reverse(f"chat:message_{name}", kwargs={"room_id": room.pk, "message_id": message.pk})
        response = client.post(url, {"body": "Overtaget"})
        assert response.status_code == 302
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("Mit", None)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["edit", "delete", "react", "reply"])
def test_without_javascript_a_non_member_gets_403(bo, room, name):
    message = post(room, bo, "Mit")
    client = message_page_client(factories.UserFactory())
    url = reverse(f"chat:message_{name}", kwargs={"room_id": room.pk, "message_id": message.pk})
    assert client.post(url, {"body": "x", "emoji": protocol.REACTIONS[0]}).status_code == 403


@pytest.mark.django_db
def test_an_account_deleted_with_its_messages_numbers_each_deletion_as_a_change(anna, bo, room):
    first = post(room, bo, "en")
    post(room, anna, "to")
    third = post(room, bo, "tre")
    account_delete(user=bo, keep_messages=False)
    first.refresh_from_db()
    third.refresh_from_db()
    assert (first.body, third.body) == ("", "")
    assert first.deleted_at is not None and third.deleted_at is not None
    assert sorted([first.changed_seq, third.changed_seq]) == [4, 5]
    assert Room.objects.get(pk=room.pk).last_change_seq == 5


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_mention_email_a_minute_later_unless_it_was_read(anna, bo, circle, room, settings):
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    birte = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Birte")).user
    message = post(room, anna, "Hej @Bo og @Birte")
    # Birte had the room open and read it within the minute; Bo did not.
    read_mark(room=room, user=birte, seq=message.seq)
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert mail.outbox == []  # not due yet
    DBTaskResult.objects.update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert [sent.to for sent in mail.outbox] == [[bo.email]]
    assert Mention.objects.get(message=message, user=bo).emailed_at is not None
    assert Mention.objects.get(message=message, user=birte).emailed_at is None
