"""Every template of the project keeps to the Content-Security-Policy: no inline script, no
inline style, no event-handler attributes, no third-party source. The browser test
(tests/browser/test_csp.py) proves it for the main pages as rendered; this catches the rest."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("accounts", "circles", "chat", "libraries", "resources", "config")

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
THIRD_PARTY_SOURCE = re.compile(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", re.IGNORECASE)
RULES = {
    "inline <script>": INLINE_SCRIPT,
    "<style> element": STYLE_ELEMENT,
    "style attribute": STYLE_ATTRIBUTE,
    "on* handler attribute": HANDLER_ATTRIBUTE,
    "javascript: URL": JAVASCRIPT_URL,
    "script or stylesheet from another host": THIRD_PARTY_SOURCE,
}


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def without_comments(text: str) -> str:
    """The template without its comments (kept as blank lines, so line numbers still point right)."""
    return TEMPLATE_COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def html_templates() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.html"))


def test_the_rules_catch_what_the_policy_blocks() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/chat.js" defer></script>')
    assert STYLE_ATTRIBUTE.search('<p style="color: red">')
    assert HANDLER_ATTRIBUTE.search('<button onclick="go()">')
    assert THIRD_PARTY_SOURCE.search('<script src="https://cdn.example/htmx.js"></script>')
    assert not HANDLER_ATTRIBUTE.search('<a href="/" aria-label="Home">')


def test_no_template_needs_unsafe_inline_or_a_third_party_source() -> None:
    templates = html_templates()
    assert len(templates) > 50
    findings = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {rule}"
        for path in templates
        for text in [without_comments(path.read_text(encoding="utf-8"))]
        for rule, pattern in RULES.items()
        for match in pattern.finditer(text)
    ]
    assert findings == [], "\n".join(findings)
