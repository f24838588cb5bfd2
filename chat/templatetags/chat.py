"""Template helpers of the discussion: its Markdown subset and the room on the circle page."""

from django import template
from django.utils.safestring import mark_safe

from chat.markdown import render_chat_markdown
from chat.selectors import room_of_circle
from chat.views import room_context

register = template.Library()


@register.filter(name="chat_markdown")
def chat_markdown_filter(text: str) -> str:
    return mark_safe(render_chat_markdown(text or ""))  # noqa: S308  (sanitized by nh3)


@register.inclusion_tag("chat/_section.html", takes_context=True)
def chat_room(context: template.Context, circle) -> dict:
    """The circle's discussion with its latest messages (the include checks the person is an active member)."""
    request = context["request"]
    room = room_of_circle(circle_id=circle.pk)
    if room is None:
        return {"chat": None}
    return {
        "chat": room_context(request, room, next_url=f"{request.get_full_path()}#chat"),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
