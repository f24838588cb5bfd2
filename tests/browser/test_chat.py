"""Two people talk in a circle's discussion in two Chromium contexts: live, through a drop, by keyboard only."""

from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.live import LOOPBACK_HOSTS

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

WAIT_MS = 15_000


@pytest.fixture
def people_in_a_circle(transactional_db, sdgs):
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Klimacirklen")
    ann = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Ann")).user
    bo = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Bo")).user
    return circle, ann, bo


@pytest.fixture
def open_context(browser, daphne_server):
    """A function opening a fresh browser context (one person) that may only reach loopback."""
    contexts = []

    def open_one():
        context = browser.new_context(base_url=daphne_server.url, locale="da-DK")
        outside: list[str] = []

        def only_loopback(route) -> None:
            if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        contexts.append((context, outside))
        return context

    yield open_one
    for context, outside in contexts:
        context.close()
        assert outside == [], outside


def log_in_and_open(context, person, circle):
    page = context.new_page()
    page.goto("/konto/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/konto/login/" not in url)
    page.goto(circle.get_absolute_url())
    page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    return page


def bodies(page) -> list[str]:
    return page.locator("#chat-log .chat-message .chat-body").all_inner_texts()


def send_by_keyboard(page, text: str) -> None:
    """Type in the composer and press Enter (the composer already has focus)."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def wait_for_text(page, text: str) -> None:
    page.locator("#chat-log .chat-body", has_text=text).first.wait_for(timeout=WAIT_MS)


def test_two_people_talk_live_and_nothing_is_lost_while_one_is_offline(open_context, people_in_a_circle):
    circle, ann, bo = people_in_a_circle
    ann_context, bo_context = open_context(), open_context()
    ann_page = log_in_and_open(ann_context, ann, circle)
    bo_page = log_in_and_open(bo_context, bo, circle)
    assert_no_axe_violations(ann_page)

    # Ann writes; Bo sees it live, and Enter sent it.
    ann_page.locator("#chat-body").focus()
    send_by_keyboard(ann_page, "Hej Bo, er du der?")
    wait_for_text(bo_page, "Hej Bo, er du der?")
    assert ann_page.locator("#chat-body").input_value() == ""

    # Shift+Enter makes a new line instead of sending.
    ann_page.keyboard.type("Linje et")
    ann_page.keyboard.press("Shift+Enter")
    ann_page.keyboard.type("linje to")
    assert ann_page.locator("#chat-body").input_value() == "Linje et\nlinje to"
    ann_page.keyboard.press("Enter")
    wait_for_text(bo_page, "linje to")

    # Bo goes offline; Ann sends three; Bo comes back and gets all three, once, in order.
    bo_context.set_offline(True)
    bo_page.locator('#chat:not([data-connection="connected"])').wait_for(timeout=WAIT_MS)
    for text in ("Første mens du var væk", "Anden mens du var væk", "Tredje mens du var væk"):
        send_by_keyboard(ann_page, text)
        wait_for_text(ann_page, text)
    assert "Første mens du var væk" not in " ".join(bodies(bo_page))
    bo_context.set_offline(False)
    bo_page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    wait_for_text(bo_page, "Tredje mens du var væk")
    seen = bodies(bo_page)
    assert seen == bodies(ann_page)
    assert seen[-3:] == ["Første mens du var væk", "Anden mens du var væk", "Tredje mens du var væk"]
    seqs = [
        int(seq)
        for seq in bo_page.locator("#chat-log .chat-message").evaluate_all("els => els.map(e => e.dataset.seq)")
    ]
    assert seqs == sorted(set(seqs)) == list(range(1, len(seqs) + 1))
    assert_no_axe_violations(bo_page)


def test_sending_works_with_the_keyboard_alone(open_context, people_in_a_circle):
    circle, ann, _bo = people_in_a_circle
    page = log_in_and_open(open_context(), ann, circle)
    page.locator("body").focus()
    for _press in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "chat-body":
            break
    else:
        pytest.fail("Tab never reached the message field")
    send_by_keyboard(page, "Skrevet kun med tastaturet")
    wait_for_text(page, "Skrevet kun med tastaturet")
    # The focus stays in the composer, ready for the next message.
    assert page.evaluate("document.activeElement.id") == "chat-body"
