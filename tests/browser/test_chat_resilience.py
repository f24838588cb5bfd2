"""The discussion in two Chromium pages when things go wrong: a sender offline or losing the answer to a send,
a person removed, muted, slowed down or banned by a facilitator, and two demo people talking."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chat.models import Message
from circles.demo import DEMO_PASSWORD
from circles.models import Circle, Membership, MembershipRole, MembershipState
from tests import factories

from .axe import assert_no_axe_violations
from .test_chat import WAIT_MS, bodies, open_context, wait_for_text  # noqa: F401  (open_context is a fixture)

pytestmark = pytest.mark.browser

ROOM_SOCKET = re.compile(r"/ws/rooms/\d+/")
# The sentences in English or Danish (the pages are Danish; the English msgid is the fallback).
MUTED_WORDS = re.compile(r"paused your writing|sat din skrivning")
SLOW_MODE_WORDS = re.compile(r"Slow mode is on|roligt tempo", re.IGNORECASE)
REFUSED_STATUS = (
    "You can no longer take part in this discussion. Reload the page.",
    "Du kan ikke længere være med i denne samtale. Genindlæs siden.",
)


@pytest.fixture
def facilitated_circle(transactional_db, sdgs):
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Cykelcirklen")
    fie = factories.MembershipFactory(
        circle=circle, role=MembershipRole.FACILITATOR, user=factories.UserFactory(display_name="Fie")
    ).user
    bo = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Bo")).user
    return circle, fie, bo


def log_in(context, email: str, password: str = factories.PASSWORD):
    page = context.new_page()
    page.goto("/konto/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/konto/login/" not in url)
    return page


def open_chat(page, circle) -> None:
    page.goto(circle.get_absolute_url())
    page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)


def room_sockets_of(page) -> list[str]:
    """Every websocket to a room the page opens from now on (its URL), in order."""
    opened: list[str] = []
    page.on("websocket", lambda socket: opened.append(socket.url) if ROOM_SOCKET.search(socket.url) else None)
    return opened


def send(page, text: str) -> None:
    page.locator("#chat-body").fill(text)
    page.locator("#chat-body").press("Enter")


def wait_until_connected(page) -> None:
    page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)


def wait_until_disconnected(page) -> None:
    page.locator('#chat:not([data-connection="connected"])').wait_for(timeout=WAIT_MS)


def assert_stays_refused(context, page, sockets: list[str]) -> None:
    """Going offline and online again, and more than the first backoff, open no new socket."""
    tried = len(sockets)
    context.set_offline(True)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # A short pause, not a limit: a client that reconnected would have tried within the first backoff (≤ 0.5 s).
    page.wait_for_timeout(2000)
    assert len(sockets) == tried, sockets
    assert page.locator("#chat").get_attribute("data-connection") == "refused"


def remove_on_members_page(page, circle, person, action: str) -> None:
    """A facilitator takes a person out ("remove") or out and keeps them out ("ban") on the members page."""
    page.goto(reverse("circles:members", kwargs={"slug": circle.slug}))
    assert_no_axe_violations(page)
    row = page.locator(".person-row", has=page.locator("strong", has_text=person.display_name))
    row.locator(f'button[name=action][value="{action}"]').click()
    page.wait_for_load_state()


# ---------------------------------------------------------------------------------------------- sender-side retry


def test_a_message_sent_offline_is_stored_once_and_the_other_person_sees_it_once(open_context, facilitated_circle):  # noqa: F811
    circle, fie, bo = facilitated_circle
    fie_context, bo_context = open_context(), open_context()
    fie_page = log_in(fie_context, fie.email)
    open_chat(fie_page, circle)
    bo_page = log_in(bo_context, bo.email)
    open_chat(bo_page, circle)

    bo_context.set_offline(True)
    wait_until_disconnected(bo_page)
    send(bo_page, "Skrevet mens nettet var væk")
    # Bo is told plainly that it is not sent yet; the composer is empty for the next message.
    pending = bo_page.locator(".chat-pending")
    pending.wait_for(timeout=WAIT_MS)
    assert "Skrevet mens nettet var væk" in pending.inner_text()
    assert bo_page.locator("#chat-body").input_value() == ""
    assert_no_axe_violations(bo_page)
    assert not Message.objects.filter(body="Skrevet mens nettet var væk").exists()

    bo_context.set_offline(False)
    wait_until_connected(bo_page)
    wait_for_text(fie_page, "Skrevet mens nettet var væk")
    wait_for_text(bo_page, "Skrevet mens nettet var væk")
    pending.wait_for(state="hidden", timeout=WAIT_MS)

    stored = Message.objects.filter(body="Skrevet mens nettet var væk")
    assert stored.count() == 1
    assert stored.get().author_id == bo.pk
    assert bodies(fie_page).count("Skrevet mens nettet var væk") == 1
    assert bodies(bo_page).count("Skrevet mens nettet var væk") == 1
    assert bodies(fie_page) == bodies(bo_page)


def test_a_send_whose_answer_is_lost_is_stored_once_under_one_client_id(open_context, facilitated_circle):  # noqa: F811
    """The send reaches the server, the answer and the broadcast never reach Bo, and the socket drops."""
    circle, fie, bo = facilitated_circle
    fie_page = log_in(open_context(), fie.email)
    open_chat(fie_page, circle)
    bo_page = log_in(open_context(), bo.email)
    text = "Svaret på denne forsvinder"
    sent_client_ids: list[str] = []
    connections: list[int] = []

    def between_page_and_server(page_side) -> None:
        server_side = page_side.connect_to_server()
        connections.append(1)
        first_connection = len(connections) == 1

        def from_page(frame: str) -> None:
            parsed = json.loads(frame)
            if parsed.get("type") == "send" and parsed.get("body") == text:
                sent_client_ids.append(parsed["client_id"])
            server_side.send(frame)

        def from_server(frame: str) -> None:
            parsed = json.loads(frame)
            lost = first_connection and parsed.get("type") == "message" and parsed["message"]["body"] == text
            if not lost:
                page_side.send(frame)
                return
            # The network goes away just after the server stored the message: Bo's page never hears of it.
            page_side.close(code=1001)
            server_side.close()

        page_side.on_message(from_page)
        server_side.on_message(from_server)

    bo_page.route_web_socket(ROOM_SOCKET, between_page_and_server)
    open_chat(bo_page, circle)

    send(bo_page, text)
    wait_for_text(fie_page, text)
    # Bo's page reconnects by itself, resumes and shows the message once; nothing waits any more.
    wait_for_text(bo_page, text)
    wait_until_connected(bo_page)
    bo_page.locator(".chat-pending").wait_for(state="hidden", timeout=WAIT_MS)
    assert len(connections) >= 2

    stored = Message.objects.filter(body=text)
    assert stored.count() == 1
    assert len(set(sent_client_ids)) == 1 and str(stored.get().client_id) == sent_client_ids[0]
    assert bodies(bo_page).count(text) == 1
    assert bodies(fie_page).count(text) == 1
    assert_no_axe_violations(bo_page)


def test_a_removed_person_is_told_plainly_and_the_page_stops_reconnecting(open_context, facilitated_circle):  # noqa: F811
    circle, fie, bo = facilitated_circle
    bo_context = open_context()
    bo_page = log_in(bo_context, bo.email)
    bo_sockets = room_sockets_of(bo_page)
    open_chat(bo_page, circle)
    assert len(bo_sockets) == 1

    fie_page = log_in(open_context(), fie.email)
    remove_on_members_page(fie_page, circle, bo, "remove")

    bo_page.locator('#chat[data-connection="refused"]').wait_for(timeout=WAIT_MS)
    assert Membership.objects.get(circle=circle, user=bo).state == MembershipState.REMOVED
    assert bo_page.locator(".chat-status").inner_text().strip() in REFUSED_STATUS
    assert bo_page.locator("#chat-body").is_disabled()
    assert bo_page.locator(".chat-composer button[type=submit]").is_disabled()
    assert_no_axe_violations(bo_page)
    assert_stays_refused(bo_context, bo_page, bo_sockets)
    assert len(bo_sockets) == 1


# ---------------------------------------------------------------------------------------------- mute


def test_a_muted_member_is_told_refused_and_can_write_again_when_the_mute_ends(open_context, facilitated_circle):  # noqa: F811
    circle, fie, bo = facilitated_circle
    fie_page = log_in(open_context(), fie.email)
    open_chat(fie_page, circle)
    bo_context = open_context()
    bo_page = log_in(bo_context, bo.email)
    # Bo's page runs on a clock the test can move forward: the shortest mute the tools offer is an hour.
    bo_page.clock.install()
    open_chat(bo_page, circle)

    # Bo writes while offline; meanwhile Fie mutes him for the shortest time the tools offer.
    bo_context.set_offline(True)
    wait_until_disconnected(bo_page)
    send(bo_page, "Jeg vil gerne sige noget")
    fie_page.locator("#chat-moderation summary").click()
    mute_form = fie_page.locator('#chat-moderation form[data-frame="mute"]')
    mute_form.locator("select[name=user]").select_option(str(bo.pk))
    shortest = min(
        int(value)
        for value in mute_form.locator("select[name=seconds] option").evaluate_all(
            "options => options.map(option => option.value)"
        )
    )
    mute_form.locator("select[name=seconds]").select_option(str(shortest))
    assert_no_axe_violations(fie_page)
    mute_form.locator("button[type=submit]").click()
    fie_page.locator(".chat-moderation-status:not(:empty)").wait_for(timeout=WAIT_MS)
    assert "Bo" in fie_page.locator(".chat-moderation-status").inner_text()
    muted_until = Membership.objects.get(circle=circle, user=bo).muted_until
    assert muted_until is not None and muted_until > timezone.now()

    # Bo comes back: the retried message is refused with a clear sentence, his text is kept, the composer closed.
    bo_context.set_offline(False)
    wait_until_connected(bo_page)
    error = bo_page.locator(".chat-error")
    error.wait_for(timeout=WAIT_MS)
    assert error.get_attribute("role") == "alert"
    assert MUTED_WORDS.search(error.inner_text()), error.inner_text()
    bo_page.locator('#chat[data-composer-closed="true"]').wait_for(timeout=WAIT_MS)
    assert bo_page.locator("#chat-body").is_disabled()
    assert bo_page.locator(".chat-composer button[type=submit]").is_disabled()
    assert bo_page.locator("#chat-body").input_value() == "Jeg vil gerne sige noget"
    notice = bo_page.locator("#chat-room-notice")
    assert notice.is_visible()
    assert MUTED_WORDS.search(notice.inner_text()), notice.inner_text()
    assert not Message.objects.filter(body="Jeg vil gerne sige noget").exists()
    assert_no_axe_violations(bo_page)

    # The hour passes (on the server's clock and on Bo's page): the composer opens by itself, no reload.
    Membership.objects.filter(pk=Membership.objects.get(circle=circle, user=bo).pk).update(
        muted_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    bo_page.clock.fast_forward(shortest * 1000 + 2000)
    bo_page.locator('#chat[data-composer-closed="false"]').wait_for(timeout=WAIT_MS)
    assert not bo_page.locator("#chat-body").is_disabled()
    assert notice.is_hidden()
    assert error.is_hidden(), "the refusal of the mute no longer holds and is taken away"
    bo_page.locator("#chat-body").press("Enter")
    wait_for_text(fie_page, "Jeg vil gerne sige noget")
    assert Message.objects.filter(body="Jeg vil gerne sige noget", author=bo).count() == 1


# ---------------------------------------------------------------------------------------------- slow mode and ban


def test_slow_mode_refuses_a_quick_second_message_and_a_ban_closes_the_socket_at_once(open_context, facilitated_circle):  # noqa: F811
    circle, fie, bo = facilitated_circle
    fie_page = log_in(open_context(), fie.email)
    open_chat(fie_page, circle)
    bo_context = open_context()
    bo_page = log_in(bo_context, bo.email)
    bo_sockets = room_sockets_of(bo_page)
    open_chat(bo_page, circle)

    fie_page.locator("#chat-moderation summary").click()
    slow_form = fie_page.locator('#chat-moderation form[data-frame="slow_mode"]')
    slowest_choice = slow_form.locator("select[name=seconds] option").evaluate_all(
        "options => options.map(option => Number(option.value)).filter(value => value > 0)"
    )
    seconds = min(slowest_choice)
    slow_form.locator("select[name=seconds]").select_option(str(seconds))
    slow_form.locator("button[type=submit]").click()

    notice = bo_page.locator("#chat-room-notice")
    notice.wait_for(timeout=WAIT_MS)
    assert SLOW_MODE_WORDS.search(notice.inner_text()) and str(seconds) in notice.inner_text(), notice.inner_text()
    assert not bo_page.locator("#chat-body").is_disabled()
    assert_no_axe_violations(bo_page)

    send(bo_page, "Første besked")
    wait_for_text(fie_page, "Første besked")
    send(bo_page, "Anden besked lige efter")
    error = bo_page.locator(".chat-error")
    error.wait_for(timeout=WAIT_MS)
    assert SLOW_MODE_WORDS.search(error.inner_text()), error.inner_text()
    # The refused text is given back to Bo, to send a little later.
    assert bo_page.locator("#chat-body").input_value() == "Anden besked lige efter"
    assert not Message.objects.filter(body="Anden besked lige efter").exists()
    assert_no_axe_violations(bo_page)

    remove_on_members_page(fie_page, circle, bo, "ban")
    bo_page.locator('#chat[data-connection="refused"]').wait_for(timeout=WAIT_MS)
    assert Membership.objects.get(circle=circle, user=bo).state == MembershipState.BANNED
    assert bo_page.locator(".chat-status").inner_text().strip() in REFUSED_STATUS
    assert bo_page.locator("#chat-body").is_disabled()
    assert bo_page.locator(".chat-composer button[type=submit]").is_disabled()
    assert_stays_refused(bo_context, bo_page, bo_sockets)
    assert len(bo_sockets) == 1


# ---------------------------------------------------------------------------------------------- the demo


@pytest.fixture
def demo(transactional_db, sdgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo's material files
    call_command("seed_demo", "--force", verbosity=0)


def test_two_demo_people_talk_live_from_two_browsers(open_context, demo):  # noqa: F811
    circle = Circle.objects.get(slug="klimasamtaler-for-60")
    ole_email, inger_email = "medlem@cirkler.example", "inger@cirkler.example"
    for email in (ole_email, inger_email):
        assert Membership.objects.get(circle=circle, user__email=email).state == MembershipState.ACTIVE
    ole_page = log_in(open_context(), ole_email, DEMO_PASSWORD)
    open_chat(ole_page, circle)
    inger_page = log_in(open_context(), inger_email, DEMO_PASSWORD)
    open_chat(inger_page, circle)
    # The demo conversation is there already.
    assert "Jeg tager en kage med på tirsdag 🙂" in bodies(ole_page)
    assert_no_axe_violations(ole_page)

    send(ole_page, "Hej Inger, hvad slags kage?")
    wait_for_text(inger_page, "Hej Inger, hvad slags kage?")
    send(inger_page, "Æblekage, Ole!")
    wait_for_text(ole_page, "Æblekage, Ole!")
    assert bodies(ole_page) == bodies(inger_page)
    assert bodies(ole_page)[-2:] == ["Hej Inger, hvad slags kage?", "Æblekage, Ole!"]
    assert_no_axe_violations(inger_page)
