"""The Markdown subset of chat messages: bold, italic, links, lists and line breaks, sanitized with nh3."""

import markdown as markdown_lib
import nh3

CHAT_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
CHAT_ATTRIBUTES = {"a": {"href"}}


def render_chat_markdown(text: str) -> str:
    """Markdown to sanitized HTML. Typed HTML shows as text; links get rel="nofollow noopener"; no images."""
    # Escaping "<" first turns every tag a person types into text instead of markup to strip.
    source = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    html = markdown_lib.markdown(source, extensions=["sane_lists", "nl2br"], output_format="html")
    return nh3.clean(
        html,
        tags=CHAT_TAGS,
        attributes=CHAT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
