"""axe-core (shipped inside axe-playwright-python, injected from disk) against a live page."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def axe_violations(page) -> list[dict]:
    """Every axe violation on the page for WCAG 2.0–2.2 A and AA."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return results.response["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:5])
        for violation in violations
    )
    assert violations == [], f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"
