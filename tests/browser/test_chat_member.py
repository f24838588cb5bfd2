"""Two people in a circle's discussion: Bo edits, deletes, replies and reacts by keyboard alone and Ann sees
each change live; Ann names Bo with @ and Bo's header badge, My page and the highlight follow live."""

import re

import pytest

from tests import factories

from .axe import assert_no_axe_violations
from .test_chat import WAIT_MS, log_in_and_open, open_context, people_in_a_circle, wait_for_text  # noqa: F401

pytestmark = pytest.mark.browser


def message_with(page, text: str):
    return page.locator("#chat-log .chat-message", has=page.locator(".chat-body", has_text=text)).last


def tab_until(page, predicate_js: str, presses: int = 120) -> None:
    for _press in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    pytest.fail(f"Tab never reached {predicate_js}")


def active(page, expression: str):
    return page.evaluate(f"document.activeElement && {expression}")


def test_bo_edits_deletes_replies_and_reacts_by_keyboard_and_ann_sees_it_live(open_context, people_in_a_circle):  # noqa: F811
    circle, ann, bo = people_in_a_circle
    ann_page = log_in_and_open(open_context(), ann, circle)
    bo_page = log_in_and_open(open_context(), bo, circle)

    ann_page.locator("#chat-body").focus()
    ann_page.keyboard.type("Hej Bo, hvad siger du til planen?")
    ann_page.keyboard.press("Enter")
    wait_for_text(bo_page, "hvad siger du til planen")

    # Reply: Tab reaches the Reply button of Ann's message; the quote shows above the composer.
    bo_page.locator("#chat-log").focus()
    tab_until(bo_page, "document.activeElement.dataset.action === 'reply'")
    bo_page.keyboard.press("Enter")
    replying = bo_page.locator(".chat-replying")
    replying.wait_for(timeout=WAIT_MS)
    assert "Ann" in replying.inner_text() and "planen" in replying.inner_text()
    assert active(bo_page, "document.activeElement.id") == "chat-body"
    assert_no_axe_violations(bo_page)
    bo_page.keyboard.type("Jeg synes godt om den")
    bo_page.keyboard.press("Enter")
    reply = message_with(ann_page, "Jeg synes godt om den")
    reply.wait_for(timeout=WAIT_MS)
    assert "Ann" in reply.locator(".chat-reply").inner_text()
    assert replying.is_hidden()

    # Edit: Enter on Edit opens the editor with focus in it; Escape cancels, focus back on Edit.
    own = message_with(bo_page, "Jeg synes godt om den")
    own.locator('[data-action="edit"]').focus()
    bo_page.keyboard.press("Enter")
    assert active(bo_page, "document.activeElement.closest('.chat-editor') !== null")
    assert_no_axe_violations(bo_page)
    bo_page.keyboard.press("Escape")
    assert own.locator(".chat-editor").count() == 0
    assert active(bo_page, "document.activeElement.dataset.action") == "edit"
    bo_page.keyboard.press("Enter")
    bo_page.keyboard.press("Control+A")
    bo_page.keyboard.type("Jeg synes rigtig godt om den")
    bo_page.keyboard.press("Tab")
    assert active(bo_page, "document.activeElement.dataset.action") == "edit-save"
    bo_page.keyboard.press("Enter")
    edited = message_with(ann_page, "Jeg synes rigtig godt om den")
    edited.wait_for(timeout=WAIT_MS)
    edited.locator(".chat-edited").wait_for(timeout=WAIT_MS)
    # Focus did not jump away: it is on the redrawn message's Edit button.
    message_with(bo_page, "rigtig godt").wait_for(timeout=WAIT_MS)
    assert active(bo_page, "document.activeElement.dataset.action") == "edit"

    # React: the React button opens the choices; the chosen one becomes a pressed toggle with its count.
    anns = message_with(bo_page, "planen")
    anns.locator('[data-action="react-menu"]').focus()
    bo_page.keyboard.press("Enter")
    assert anns.locator('[data-action="react-menu"]').get_attribute("aria-expanded") == "true"
    bo_page.keyboard.press("Tab")
    assert active(bo_page, "document.activeElement.dataset.action") == "react-choice:👍"
    bo_page.keyboard.press("Enter")
    ann_side = message_with(ann_page, "planen").locator('[data-action="react:👍"]')
    ann_side.wait_for(timeout=WAIT_MS)
    assert re.sub(r"\s+", " ", ann_side.inner_text()) == "👍 1"
    assert ann_side.get_attribute("aria-pressed") == "false"
    bo_toggle = message_with(bo_page, "planen").locator('[data-action="react:👍"]')
    bo_toggle.wait_for(timeout=WAIT_MS)
    assert bo_toggle.get_attribute("aria-pressed") == "true"
    assert bo_page.locator(".chat-announce").inner_text() != ""
    # Every control is a big target (44 px at the default text size).
    sizes = bo_page.locator(".chat-tools button:visible").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
    )
    assert sizes and all(width >= 44 and height >= 44 for width, height in sizes), sizes
    bo_page.screenshot(path="/tmp/client-chat-tools.png", full_page=True)

    # Delete: a confirmation with focus on "keep it"; Shift+Tab, Enter deletes; Ann sees it deleted.
    own = message_with(bo_page, "rigtig godt")
    seq = own.get_attribute("data-seq")
    own.locator('[data-action="delete"]').focus()
    bo_page.keyboard.press("Enter")
    assert active(bo_page, "document.activeElement.dataset.action") == "delete-no"
    bo_page.keyboard.press("Shift+Tab")
    assert active(bo_page, "document.activeElement.dataset.action") == "delete-yes"
    bo_page.keyboard.press("Enter")
    ann_page.locator(f"#message-{seq}.chat-message-deleted").wait_for(timeout=WAIT_MS)
    assert "rigtig godt" not in ann_page.locator("#chat-log").inner_text()
    assert_no_axe_violations(ann_page)

    # Bo is offline while Ann edits her message; back online, his client resumes with its change
    # cursor and shows the edit (no new message, so only `changed_after` can bring it).
    bo_context = bo_page.context
    bo_context.set_offline(True)
    bo_page.locator('#chat:not([data-connection="connected"])').wait_for(timeout=WAIT_MS)
    message_with(ann_page, "planen").locator('[data-action="edit"]').focus()
    ann_page.keyboard.press("Enter")
    ann_page.keyboard.press("Control+A")
    ann_page.keyboard.type("Hej Bo, hvad siger du til den nye plan?")
    ann_page.keyboard.press("Tab")
    ann_page.keyboard.press("Enter")
    message_with(ann_page, "den nye plan").locator(".chat-edited").wait_for(timeout=WAIT_MS)
    assert "den nye plan" not in bo_page.locator("#chat-log").inner_text()
    bo_context.set_offline(False)
    bo_page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    message_with(bo_page, "den nye plan").locator(".chat-edited").wait_for(timeout=WAIT_MS)
    # The reaction Bo gave survives the redraw, still pressed.
    assert (
        message_with(bo_page, "den nye plan").locator('[data-action="react:👍"]').get_attribute("aria-pressed")
        == "true"
    )


def test_ann_names_bo_and_his_header_my_page_and_highlight_update_live(open_context, people_in_a_circle):  # noqa: F811
    circle, ann, bo = people_in_a_circle
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Birte"))
    ann_page = log_in_and_open(open_context(), ann, circle)
    bo_page = log_in_and_open(open_context(), bo, circle)
    bo_page.goto("/min-side/")
    bo_page.locator(".unread-item").wait_for(state="attached", timeout=WAIT_MS)
    badge = bo_page.locator(".unread-item")
    assert badge.is_hidden()

    # Ann types "@B", picks Bo from the offered names with the arrow keys, and sends.
    ann_page.locator("#chat-body").focus()
    ann_page.keyboard.type("Se her @B")
    picker = ann_page.locator(".chat-mention-picker")
    picker.wait_for(timeout=WAIT_MS)
    assert picker.locator("button").all_inner_texts() == ["Birte", "Bo"]
    assert_no_axe_violations(ann_page)
    ann_page.keyboard.press("ArrowDown")
    ann_page.keyboard.press("ArrowDown")
    assert active(ann_page, "document.activeElement.textContent") == "Bo"
    ann_page.keyboard.press("Enter")
    assert ann_page.locator("#chat-body").input_value() == "Se her @Bo "
    assert active(ann_page, "document.activeElement.id") == "chat-body"
    ann_page.keyboard.type("hvad tænker du?")
    ann_page.keyboard.press("Enter")
    wait_for_text(ann_page, "hvad tænker du?")

    # Bo's header badge and My page count it live, with the mention.
    badge.wait_for(state="visible", timeout=WAIT_MS)
    link = bo_page.locator(".unread-link")
    assert link.inner_text().startswith("1 ")
    assert bo_page.locator(f'[data-mentions-circle="{circle.pk}"]').is_visible()
    assert bo_page.locator(f'[data-unread-circle="{circle.pk}"]').inner_text().startswith("1 ")
    assert_no_axe_violations(bo_page)

    # In the room, the mention of Bo is highlighted for Bo; having read it, the badge goes away live.
    bo_page.goto(circle.get_absolute_url())
    bo_page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    mine = bo_page.locator(".chat-message-mentions-me .chat-mention-me")
    mine.wait_for(timeout=WAIT_MS)
    assert mine.inner_text() == "@Bo"
    assert ann_page.locator(".chat-mention-me").count() == 0
    bo_page.locator(".unread-item").wait_for(state="hidden", timeout=WAIT_MS)
