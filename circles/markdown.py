"""Markdown written by people, rendered to HTML that is safe to show."""

import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# A circle's page shows its description on every visit: each text is converted once per process.
RENDERED_TEXTS_KEPT = 512

_converters = threading.local()


def _converter() -> markdown_lib.Markdown:
    """This thread's Markdown converter: building one costs more than converting a description."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
    return converter


@lru_cache(maxsize=RENDERED_TEXTS_KEPT)
def render_markdown(text: str) -> str:
    """Markdown to sanitized HTML: raw HTML in the source is escaped, links get rel=noopener."""
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
