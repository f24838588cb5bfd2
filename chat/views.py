"""The discussion without JavaScript: read the room page by page and post with a plain form."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.permissions import may_read_room
from config.errors import ServiceError
from config.redirects import redirect_to_next

from . import protocol, selectors, services
from .forms import MessageForm
from .models import Room
from .moderation_views import moderation_context


def room_context(
    request: HttpRequest,
    room: Room,
    *,
    next_url: str,
    before_seq: int | None = None,
    form: MessageForm | None = None,
    moderator: bool | None = None,
) -> dict:
    """What templates/chat/_section.html shows: a page of messages, the composer and the client's settings.

    `moderator`: may_moderate_room's answer when the page has it already (asked otherwise).
    """
    page, has_older = selectors.message_page(room=room, before_seq=before_seq)
    return {
        "room": room,
        "circle": room.circle,
        "messages": page,
        "has_older": has_older,
        "oldest_seq": page[0].seq if page else None,
        "last_seq": page[-1].seq if page else 0,
        "before_seq": before_seq,
        "live": before_seq is None,
        "form": form or MessageForm(initial={"client_id": uuid.uuid4()}),
        "next_url": next_url,
        "user_id": request.user.pk,
        "typing_interval_ms": protocol.TYPING_INTERVAL_SECONDS * 1000,
        "typing_hint_ms": protocol.TYPING_HINT_SECONDS * 1000,
        "final_close_codes": " ".join(str(int(code)) for code in sorted(protocol.FINAL_CLOSE_CODES)),
        "moderation": moderation_context(request, room, moderator=moderator),
    }


def _positive_int(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


@login_required
@require_http_methods(["GET", "POST"])
def room_page(request: HttpRequest, room_id: int) -> HttpResponse:
    """The room's latest messages (older ones by ?before=<seq>) and a form that posts through message_post."""
    room = get_object_or_404(Room.objects.select_related("circle"), pk=room_id)
    if not may_read_room(request.user, room):
        raise PermissionDenied
    own_url = reverse("chat:room", kwargs={"room_id": room.pk})
    form = None
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_post(
                    room=room,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"],
                )
            except ServiceError as refused:
                form.add_error("body", refused.message)
            else:
                return redirect_to_next(request, f"{own_url}#chat")
    before_seq = _positive_int(request.GET.get("before"))
    chat = room_context(request, room, next_url=f"{own_url}#chat", before_seq=before_seq, form=form)
    # Marked only when it moves the read state: a page read again writes nothing.
    if chat["live"] and chat["messages"] and selectors.last_read_seq(room=room, user=request.user) < chat["last_seq"]:
        services.read_mark(room=room, user=request.user, seq=chat["last_seq"])
    return TemplateResponse(request, "chat/room.html", {"chat": chat, "circle": room.circle, "standalone": True})
