"""Classic XSS payloads, and a check, independent of nh3 and of the templates, that a page runs none of them."""

import re
from html.parser import HTMLParser

# The tests store each payload behind a marker ("XSS<n>"), so they also prove the text reached the page.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](jav&#x09;ascript:alert(1))",
    '![billede](x" onerror="alert(1))',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E \u003cimg src=x onerror=alert(1)\u003e",
    "＜script＞alert(1)＜/script＞ <IMG SRC=JaVaScRiPt:alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<a href='&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'>x</a>",
]


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "cite"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
# Controls and spaces browsers skip inside a URL scheme ("jav\tascript:").
SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")


class ExecutableMarkup(HTMLParser):
    """Everything in a document that could run script: inline or foreign <script>, on* attributes,
    javascript:/data: URLs, frames and objects, meta refresh. Attribute values arrive unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            source = attributes.get("src", "")
            kind = attributes.get("type", "").lower()
            if kind not in ("application/json", "application/ld+json") and not source.startswith("/static/"):
                self.found.append(f"<script {attrs}>")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag} {attrs}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.found.append(f"<meta refresh {attrs}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES and SCHEME_NOISE.sub("", value).lower().startswith(BAD_SCHEMES):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def executable_markup(document: str) -> tuple[list[str], str]:
    """(what could run, the document's text) for an HTML document or fragment."""
    parser = ExecutableMarkup()
    parser.feed(document)
    parser.close()
    return parser.found, "".join(parser.text)
