"""Template helpers of the discussion: its Markdown subset and the room on the circle page."""

from django import template
from django.utils.safestring import mark_safe

from chat.markdown import render_chat_markdown
from chat.mentions import highlight_mentions
from chat.partials import message_partial
from chat.selectors import room_of_circle
from chat.views import room_context

register = template.Library()


@register.filter(name="chat_markdown")
def chat_markdown_filter(text: str) -> str:
    return mark_safe(render_chat_markdown(text or ""))  # noqa: S308  (sanitized by nh3)


@register.filter(name="chat_message_html")
def chat_message_html_filter(message) -> str:
    """The message's text as sanitized HTML, the people it names with @ shown as badges."""
    names = {mention.user_id: mention.user.name for mention in message.mentions.all()}
    return mark_safe(highlight_mentions(render_chat_markdown(message.body or ""), names))  # noqa: S308  (sanitized)


@register.inclusion_tag("chat/_section.html", takes_context=True)
def chat_room(context: template.Context, circle, moderator: bool | None = None) -> dict:
    """The circle's discussion with its latest messages (the include checks the person is an active member).

    `moderator`: may_moderate_room's answer when the page has it already (asked otherwise).
    """
    request = context["request"]
    room = room_of_circle(circle_id=circle.pk)
    if room is None:
        return {"chat": None}
    return {
        "chat": room_context(request, room, next_url=f"{request.get_full_path()}#chat", moderator=moderator),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }


@register.inclusion_tag("chat/_member_actions.html", takes_context=True)
def chat_member_actions(context: template.Context, message) -> dict:
    """Reply, edit, delete and react without JavaScript, on the message's own page."""
    import uuid

    from chat.protocol import MAX_BODY_CHARS, REACTIONS

    request = context["request"]
    user_id = request.user.pk
    summary = {reaction["emoji"]: reaction for reaction in message.reaction_summary}
    return {
        "message": message,
        "own": message.author_id is not None and message.author_id == user_id,
        "reactions": [
            {
                "emoji": emoji,
                "count": summary[emoji]["count"] if emoji in summary else 0,
                "pressed": emoji in summary and user_id in summary[emoji]["users"],
            }
            for emoji in REACTIONS
        ],
        "client_id": uuid.uuid4(),
        "max_body_chars": MAX_BODY_CHARS,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def chat_room_members(context: template.Context, room) -> list[dict]:
    """The active members of the room's circle other than the viewer, for the @mention picker."""
    from circles.models import Membership, MembershipState

    request = context["request"]
    memberships = (
        Membership.objects.filter(circle_id=room.circle_id, state=MembershipState.ACTIVE)
        .exclude(user_id=request.user.pk)
        .select_related("user")
    )
    return sorted(
        ({"id": membership.user_id, "name": membership.user.name} for membership in memberships),
        key=lambda member: member["name"].casefold(),
    )


@register.simple_tag
def chat_reaction_list() -> str:
    from chat.protocol import REACTIONS

    return " ".join(REACTIONS)


@register.simple_tag
def chat_message(message) -> str:
    """The message partial (chat/_message.html), rendered once per state of the message in this process."""
    return message_partial(message)
