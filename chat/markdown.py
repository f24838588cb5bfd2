"""The Markdown subset of chat messages: bold, italic, links, lists and line breaks, sanitized with nh3."""

import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3

CHAT_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
CHAT_ATTRIBUTES = {"a": {"href"}}
# Every page of a room shows its latest 50 messages again: each body is converted once per process.
# At most 4,000 characters each (chat.protocol.MAX_BODY_CHARS): about 8 MB in the worst case.
RENDERED_BODIES_KEPT = 1024

_converters = threading.local()


def _converter() -> markdown_lib.Markdown:
    """This thread's Markdown converter: building one costs more than converting a message."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(
            extensions=["sane_lists", "nl2br"], output_format="html"
        )
    return converter


@lru_cache(maxsize=RENDERED_BODIES_KEPT)
def render_chat_markdown(text: str) -> str:
    """Markdown to sanitized HTML. Typed HTML shows as text; links get rel="nofollow noopener"; no images."""
    # Escaping "<" first turns every tag a person types into text instead of markup to strip.
    source = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    html = _converter().reset().convert(source)
    return nh3.clean(
        html,
        tags=CHAT_TAGS,
        attributes=CHAT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
