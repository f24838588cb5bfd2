"""Without JavaScript: a member edits, deletes, replies to and reacts to messages through plain forms
on the message's own page; each form calls the same service as the socket."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ServiceError

from . import services
from .forms import MessageForm, ReactionForm
from .models import Message, Room
from .moderation_views import _message_for, _room_for


def _to_message(room: Room, message: Message) -> HttpResponse:
    return redirect(reverse("chat:room", kwargs={"room_id": room.pk}) + f"#message-{message.seq}")


def _refused(request: HttpRequest, room: Room, message: Message, reason: object) -> HttpResponse:
    messages.error(request, str(reason))
    return redirect("chat:message", room_id=room.pk, message_id=message.pk)


@login_required
@require_POST
def message_edit(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    form = MessageForm({"body": request.POST.get("body", ""), "client_id": str(uuid.uuid4())})
    if not form.is_valid():
        return _refused(request, room, message, form.errors["body"][0])
    try:
        services.message_edit(message=message, editor=request.user, body=form.cleaned_data["body"])
    except ServiceError as refused:
        return _refused(request, room, message, refused.message)
    messages.success(request, _("Your message is changed."))
    return _to_message(room, message)


@login_required
@require_POST
def message_delete(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    try:
        services.message_delete(message=message, deleted_by=request.user)
    except ServiceError as refused:
        return _refused(request, room, message, refused.message)
    messages.success(request, _("Your message is deleted."))
    return _to_message(room, message)


@login_required
@require_POST
def message_react(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return _refused(request, room, message, _("Choose one of the reactions."))
    try:
        services.reaction_toggle(message=message, user=request.user, emoji=form.cleaned_data["emoji"])
    except ServiceError as refused:
        return _refused(request, room, message, refused.message)
    return _to_message(room, message)


@login_required
@require_POST
def message_reply(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _refused(request, room, message, _("Write something before you send."))
    try:
        reply, _created = services.message_post(
            room=room,
            author=request.user,
            body=form.cleaned_data["body"],
            client_id=form.cleaned_data["client_id"],
            reply_to=message,
        )
    except ServiceError as refused:
        return _refused(request, room, message, refused.message)
    return _to_message(room, reply)
