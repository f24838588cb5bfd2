"""The message partial rendered once per process for each state of a message.

A room's page shows its latest messages on every visit, and each visit rendered each of them
again. The key holds everything chat/_message.html reads (the message, its author, reply
target, mentions and reactions): a changed message or a renamed author is a new entry.
"""

from django.utils.safestring import SafeString

from accounts.models import User
from config.partials import RenderedPartials

from .models import Message

MESSAGE_TEMPLATE = "chat/_message.html"

# At most 4 million characters of HTML and keys (4–16 MB), however long the messages are.
_messages = RenderedPartials(MESSAGE_TEMPLATE, size=4096, max_chars=4_000_000)


def _person(user: User | None) -> tuple | None:
    return None if user is None else (user.pk, user.name)


def _shown(message: Message) -> tuple:
    """What chat/_message.html shows of the message."""
    reply_to = message.reply_to if message.reply_to_id is not None else None
    return (
        message.pk,
        message.room_id,
        message.seq,
        message.changed_seq,
        message.body,
        message.author_id,
        _person(message.author),
        message.created_at,
        message.edited_at,
        message.deleted_at,
        message.deleted_by_id,
        None
        if reply_to is None
        else (reply_to.pk, reply_to.seq, reply_to.body, reply_to.deleted_at, _person(reply_to.author)),
        tuple((mention.user_id, mention.user.name) for mention in message.mentions.all()),
        tuple(sorted((reaction.emoji, reaction.user_id) for reaction in message.reactions.all())),
    )


def message_partial(message: Message) -> SafeString:
    """chat/_message.html for the message (expects messages from selectors.messages_for_display)."""
    return _messages.render(_shown(message), {"message": message})
