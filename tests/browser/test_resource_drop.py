"""The upload page's drop area in a real browser: a file dropped on it is chosen, named and stored; the plain
file button keeps working by keyboard. axe on the form page."""

import base64
import re

import pytest
from playwright.sync_api import expect

from resources.models import Resource
from tests.resources import files

from .axe import assert_no_axe_violations
from .test_facilitator import log_in
from .test_resources import materials  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

# The label of the file field, in Danish or in English (the msgid is the fallback).
FILE_LABEL = re.compile("^(Fil|File)$")

DROPPED_FILE = """base64 => {
    const bytes = Uint8Array.from(atob(base64), character => character.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "handout.pdf", { type: "application/pdf" }));
    return transfer;
}"""


def open_upload_form(page) -> None:
    log_in(page, "facilitator@cirkler.example")
    page.goto("/cirkler/klimasamtaler/")
    page.get_by_role("link", name="Share material with the circle").or_(
        page.get_by_role("link", name="Del materiale med cirklen")
    ).click()
    page.wait_for_load_state()
    page.locator("[data-drop-zone] [data-drop-hint]").wait_for()  # resources.js has set the area up


def fill_and_submit(page, title: str) -> Resource:
    page.get_by_label(re.compile("^(Titel|Title)")).fill(title)
    page.locator("select[name=format]").select_option("handout")
    page.locator("form.resource-form button[type=submit]").click()
    page.wait_for_load_state()
    resource = Resource.objects.get(title=title)
    assert page.url.endswith(resource.get_absolute_url())
    return resource


def stored_bytes(resource: Resource) -> bytes:
    with resource.file.open("rb") as stored:
        return stored.read()


def test_a_file_dropped_on_the_upload_area_is_named_and_stored(browser_page, materials):  # noqa: F811
    page = browser_page.page
    open_upload_form(page)
    assert_no_axe_violations(page)
    zone = page.locator("[data-drop-zone]")
    status = zone.locator("[data-drop-status]")
    assert status.inner_text() == ""

    pdf = files.pdf("darkred")
    transfer = page.evaluate_handle(DROPPED_FILE, base64.b64encode(pdf).decode())
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(zone).to_have_class(re.compile(r"\bis-dragging\b"))
    zone.dispatch_event("drop", {"dataTransfer": transfer})

    # The page says which file was chosen (in the polite status region), and the file input holds it.
    expect(status).to_contain_text("handout.pdf")
    expect(zone).not_to_have_class(re.compile(r"\bis-dragging\b"))
    upload = zone.locator("input[name=upload]")
    assert upload.evaluate("input => [input.files.length, input.files[0].name, input.files[0].size]") == [
        1,
        "handout.pdf",
        len(pdf),
    ]
    expect(upload).to_be_focused()
    assert upload.get_attribute("aria-invalid") is None
    assert_no_axe_violations(page)

    resource = fill_and_submit(page, "Handout sluppet i feltet")
    assert (resource.circle, resource.filename) == (materials, "handout.pdf")
    assert stored_bytes(resource) == pdf
    assert_no_axe_violations(page)


def test_the_plain_file_button_works_by_keyboard(browser_page, materials):  # noqa: F811
    page = browser_page.page
    open_upload_form(page)
    upload = page.locator("[data-drop-zone] input[name=upload]")
    expect(upload).to_have_accessible_name(FILE_LABEL)

    # From the field before it, Tab reaches the file button (no mouse), and Space opens the file chooser.
    before = page.locator("form.resource-form :is(input, select, textarea, button):visible").evaluate_all(
        """(fields, upload) => {
            const index = fields.indexOf(upload);
            fields[index - 1].focus();
            return fields[index - 1].name;
        }""",
        upload.element_handle(),
    )
    assert before
    page.keyboard.press("Tab")
    expect(upload).to_be_focused()
    pdf = files.pdf("darkblue")
    with page.expect_file_chooser() as chooser_info:
        page.keyboard.press("Space")
    chooser_info.value.set_files({"name": "Plan fra tastaturet.pdf", "mimeType": "application/pdf", "buffer": pdf})
    expect(page.locator("[data-drop-zone] [data-drop-status]")).to_contain_text("Plan fra tastaturet.pdf")
    assert_no_axe_violations(page)

    resource = fill_and_submit(page, "Plan valgt med tastaturet")
    assert resource.filename == "Plan fra tastaturet.pdf"
    assert stored_bytes(resource) == pdf
