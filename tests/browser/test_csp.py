"""The main pages under the real Content-Security-Policy in Chromium: not one violation.

Every page of the walk is loaded in one browser context whose init script records each
`securitypolicyviolation` event; console errors that name the policy are recorded too. The
policy itself is read from the response, so the test fails when the header is missing.
"""

import pytest

from circles.models import MembershipRole
from tests import factories

pytestmark = pytest.mark.browser

WAIT_MS = 15_000

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""

EXPECTED_DIRECTIVES = {
    "default-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


class ViolationLog:
    """Violations seen by the page's event listener and by the console, page by page."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def events(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")


def visit(page, log: ViolationLog, path: str, server_url: str) -> dict[str, set[str]]:
    """Load a page, let its scripts run, and return its policy; fail on any violation."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    header = response.headers.get("content-security-policy")
    assert header, f"{path} has no Content-Security-Policy"
    page.wait_for_load_state("networkidle")
    policy = parse_policy(header)
    for directive, sources in EXPECTED_DIRECTIVES.items():
        assert policy.get(directive) == sources, f"{path}: {directive} is {policy.get(directive)}"
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    host = server_url.removeprefix("http://")
    assert policy["connect-src"] == {"'self'", f"ws://{host}"}
    assert log.events() == [], f"{path}: {log.events()}"
    assert log.console == [], f"{path}: {log.console}"
    return policy


@pytest.fixture
def csp_page(browser, daphne_server, transactional_db):
    context = browser.new_context(base_url=daphne_server.url, locale="da-DK")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page, ViolationLog(page)
    context.close()


def test_the_violation_recorder_sees_an_inline_style_the_policy_blocks(csp_page, daphne_server):
    page, log = csp_page
    visit(page, log, "/tilgaengelighed/", daphne_server.url)

    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0", timeout=WAIT_MS)

    assert any(violation.startswith("style-src") for violation in log.events())


def test_main_pages_load_without_a_single_policy_violation(csp_page, daphne_server, sdgs):
    page, log = csp_page
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Klimacirklen")
    person = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user

    visited = []
    visit(page, log, "/cirkler/", daphne_server.url)
    visited.append("/cirkler/")
    # The catalogue filters through htmx: the swap must not need inline style or eval either.
    with page.expect_response(lambda response: "free_seats" in response.url, timeout=WAIT_MS) as swap:
        page.locator("input[name=free_seats]").check()
    assert swap.value.request.headers.get("hx-request") == "true"
    page.wait_for_load_state("networkidle")
    assert log.events() == [] and log.console == []

    for path in ["/", "/tilgaengelighed/", "/en/tilgaengelighed/", "/konto/login/", "/konto/signup/"]:
        visit(page, log, path, daphne_server.url)
        visited.append(path)

    page.goto("/konto/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/konto/login/" not in url, timeout=WAIT_MS)
    assert log.events() == [] and log.console == []

    for path in ["/min-side/", circle.get_absolute_url()]:
        visit(page, log, path, daphne_server.url)
        visited.append(path)
    # The chat socket is allowed by connect-src: it connects.
    page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)
    assert log.events() == [] and log.console == []

    # Setting up two-step login shows a QR code drawn as a data: image (img-src allows data:).
    visit(page, log, "/konto/2fa/totp/activate/", daphne_server.url)
    if "/reauthenticate/" in page.url:  # allauth asks for the password again first
        page.locator("input[name=password]").fill(factories.PASSWORD)
        page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/2fa/totp/activate/" in url, timeout=WAIT_MS)
        page.wait_for_load_state("networkidle")
    visited.append("/konto/2fa/totp/activate/")
    qr_code = page.locator("img[src^='data:']").first
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    assert log.events() == [] and log.console == []
    assert len(visited) == 9
