"""A message as HTML and as protocol data: one template partial renders it for pages and live frames alike."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User

from . import protocol
from .models import Message
from .partials import message_partial


def author_of(user: User | None) -> protocol.Author | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.name}


def message_html(message: Message) -> str:
    """The partial, in the active language (expects messages from selectors.messages_for_display).

    Kept rendered per process and state of the message (chat.partials): the broadcast, the sender's
    own acknowledgement and the next visits to the room page share one rendering.
    """
    return message_partial(message)


def message_data(message: Message) -> dict:
    """The message payload without `html` (the same for every language)."""
    deleted = message.deleted_at is not None
    reply_to: protocol.ReplyRef | None = None
    if message.reply_to_id is not None and message.reply_to is not None:
        reply_to = {"id": message.reply_to.pk, "seq": message.reply_to.seq}
    return {
        "id": message.pk,
        "seq": message.seq,
        "client_id": str(message.client_id),
        "author": author_of(message.author),
        "body": "" if deleted else message.body,
        "created": message.created_at.isoformat(),
        "edited": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "removed_by_facilitator": message.removed_by_facilitator,
        "reply_to": reply_to,
        "reactions": [] if deleted else message.reaction_summary,
        "changed_seq": message.changed_seq,
        "mentions": [] if deleted else sorted(mention.user_id for mention in message.mentions.all()),
    }


def message_payload(message: Message, *, language: str) -> protocol.MessagePayload:
    """The `message` of a `message` frame, its HTML in `language`."""
    with translation.override(language):
        html = message_html(message)
    return {**message_data(message), "html": html}  # type: ignore[typeddict-item]


def message_event(message: Message, *, new: bool) -> dict:
    """The room-group event for a new or changed message, rendered once per site language."""
    html_by_language = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            html_by_language[language] = message_html(message)
    return protocol.message_event(message_data(message), html_by_language, new=new)


PINS_TEMPLATE = "chat/_pins.html"


def pinned_data(message: Message) -> protocol.PinnedMessage:
    return {
        "id": message.pk,
        "seq": message.seq,
        "author": author_of(message.author),
        "body": message.body,
        "pinned": message.pinned_at.isoformat(),
    }


def pins_html(pinned: list[Message]) -> str:
    """The pinned list, in the active language (the same partial the page includes)."""
    return render_to_string(PINS_TEMPLATE, {"pinned_messages": pinned})


def pins_event(pinned: list[Message]) -> dict:
    """The room-group event for a changed pinned list, rendered once per site language."""
    html_by_language = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            html_by_language[language] = pins_html(pinned)
    return protocol.pins_event([pinned_data(message) for message in pinned], html_by_language)
