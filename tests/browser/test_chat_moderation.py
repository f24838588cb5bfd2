"""A facilitator moderates live: pins a message and pauses the conversation; a member sees both and reports a message."""

import uuid

import pytest

from chat.models import Report
from chat.services import message_post
from circles.models import MembershipRole
from tests import factories

from .axe import assert_no_axe_violations
from .test_chat import WAIT_MS, log_in_and_open, open_context  # noqa: F401  (open_context is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def moderated_circle(transactional_db, sdgs):
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Affaldscirklen")
    fie = factories.MembershipFactory(
        circle=circle, role=MembershipRole.FACILITATOR, user=factories.UserFactory(display_name="Fie")
    ).user
    bo = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Bo")).user
    ann = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Ann")).user
    message, _created = message_post(
        room=circle.room, author=ann, body="Husk at tage en kaffekop med til mødet", client_id=uuid.uuid4()
    )
    return circle, fie, bo, message


def actions_of(page, message):
    return page.locator(f"#message-{message.seq}")


def test_facilitator_pins_and_pauses_member_sees_it_live_and_reports(open_context, moderated_circle):  # noqa: F811
    circle, fie, bo, message = moderated_circle
    fie_page = log_in_and_open(open_context(), fie, circle)
    bo_page = log_in_and_open(open_context(), bo, circle)

    # Fie pins Ann's message through its actions menu, by keyboard.
    menu_button = actions_of(fie_page, message).locator('[data-moderation-action="menu"]')
    menu_button.focus()
    fie_page.keyboard.press("Enter")
    assert menu_button.get_attribute("aria-expanded") == "true"
    pin_button = actions_of(fie_page, message).locator('[data-moderation-action="pin"]')
    pin_button.focus()
    fie_page.keyboard.press("Enter")
    bo_page.locator("#chat-pins li", has_text="Husk at tage en kaffekop med").wait_for(timeout=WAIT_MS)
    fie_page.locator("#chat-pins li", has_text="Husk at tage en kaffekop med").wait_for(timeout=WAIT_MS)

    # Fie opens the facilitator tools: no axe violations with the panel open.
    fie_page.locator("#chat-moderation summary").click()
    fie_page.locator('#chat-moderation form[data-frame="lock"] button').wait_for(timeout=WAIT_MS)
    assert_no_axe_violations(fie_page)

    # She pauses the conversation; Bo's composer closes at once with a plain sentence.
    fie_page.locator('#chat-moderation form[data-frame="lock"] button').click()
    bo_page.locator('#chat[data-composer-closed="true"]').wait_for(timeout=WAIT_MS)
    assert bo_page.locator("#chat-body").is_disabled()
    assert bo_page.locator(".chat-composer button[type=submit]").is_disabled()
    notice = bo_page.locator("#chat-room-notice")
    assert notice.is_visible()
    assert notice.inner_text().strip() in (
        "The facilitator has paused the conversation.",
        "Facilitatoren har sat samtalen på pause.",
    )
    fie_page.locator('#chat-moderation form[data-frame="unlock"] button').wait_for(timeout=WAIT_MS)
    # Facilitators still write in a paused room.
    assert not fie_page.locator("#chat-body").is_disabled()
    assert_no_axe_violations(bo_page)

    # Bo reports Ann's message.
    actions_of(bo_page, message).locator('[data-moderation-action="menu"]').click()
    actions_of(bo_page, message).locator('[data-moderation-action="report"]').click()
    report_form = actions_of(bo_page, message).locator(".chat-report-form")
    report_form.locator('input[value="offensive"]').check()
    report_form.locator("textarea").fill("Det er ikke rart skrevet.")
    assert_no_axe_violations(bo_page)
    report_form.locator("button[type=submit]").click()
    bo_page.locator(".chat-action-status:not(:empty)").wait_for(timeout=WAIT_MS)
    fie_page.locator(".chat-reports-count", has_text="1").first.wait_for(timeout=WAIT_MS)
    report = Report.objects.get()
    assert (report.reporter_id, report.reason, report.text) == (bo.pk, "offensive", "Det er ikke rart skrevet.")

    # Fie sees it on the reports page.
    fie_page.locator("#chat-moderation a[href$='/anmeldelser/']").click()
    fie_page.locator(".chat-report").wait_for(timeout=WAIT_MS)
    report_text = fie_page.locator(".chat-report").inner_text()
    assert "Bo" in report_text and "Det er ikke rart skrevet." in report_text
    assert "Husk at tage en kaffekop med" in report_text
    assert_no_axe_violations(fie_page)

    # Unpausing opens Bo's composer again.
    fie_page.go_back()
    fie_page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    fie_page.locator("#chat-moderation summary").click()
    fie_page.locator('#chat-moderation form[data-frame="unlock"] button').click()
    bo_page.locator('#chat[data-composer-closed="false"]').wait_for(timeout=WAIT_MS)
    assert not bo_page.locator("#chat-body").is_disabled()

    # The message's own page (the no-JavaScript way to report, pin and remove) passes axe too.
    href = actions_of(bo_page, message).locator('[data-moderation-action="menu"]').get_attribute("data-href")
    bo_page.goto(href)
    bo_page.locator("main, body").first.wait_for(timeout=WAIT_MS)
    assert "Husk at tage en kaffekop med" in bo_page.content()
    assert_no_axe_violations(bo_page)
