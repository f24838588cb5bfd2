"""Moderation, reports and pins without JavaScript: plain forms that call the same services as the socket."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import may_moderate_room, may_read_room, may_report_message
from config.errors import ServiceError
from config.redirects import redirect_to_next

from . import protocol, selectors, services
from .consumer_moderation import slow_mode_sentence
from .forms import (
    MUTE_CHOICES,
    SLOW_MODE_CHOICES,
    LockForm,
    MemberChoiceForm,
    MuteForm,
    PinForm,
    ReportDecisionForm,
    ReportForm,
    SlowModeForm,
)
from .models import Message, ModerationKind, Report, ReportReason, ReportState, Room


def moderation_context(request: HttpRequest, room: Room, *, moderator: bool | None = None) -> dict:
    """What the chat section shows of the room's rules: pins, the composer's state, and (facilitators) the panel.

    `room` is read in this request; `moderator` is may_moderate_room's answer when the page has it already.
    """
    if moderator is None:
        moderator = may_moderate_room(request.user, room)
    membership = selectors.room_membership(request.user, room)
    muted_until = membership.muted_until if membership is not None else None
    if muted_until is not None and muted_until <= timezone.now():
        muted_until = None
    context = {
        "moderator": moderator,
        "locked": room.locked,
        "slow_mode_seconds": room.slow_mode_seconds,
        "slow_mode_text": slow_mode_sentence(room.slow_mode_seconds) if room.slow_mode_seconds else "",
        "muted_until": muted_until,
        "composer_closed": muted_until is not None or (room.locked and not moderator),
        "pinned_messages": selectors.pinned_messages(room=room),
        "max_pins": protocol.MAX_PINS,
        "report_reasons": ReportReason.choices,
        "max_report_text": protocol.MAX_REPORT_TEXT_CHARS,
    }
    if moderator:
        members = selectors.mutable_members(room=room)
        context.update(
            {
                "members": members,
                "muted_members": [
                    membership
                    for membership in members
                    if membership.muted_until is not None and membership.muted_until > timezone.now()
                ],
                "mute_form": MuteForm(members=members, auto_id="mute-%s"),
                "unmute_form": MemberChoiceForm(members=members, auto_id="unmute-%s"),
                "slow_mode_form": SlowModeForm(initial={"seconds": room.slow_mode_seconds}, auto_id="slow-%s"),
                "open_reports": selectors.open_report_count(room=room),
            }
        )
    return context


def _room_for(request: HttpRequest, room_id: int, *, moderate: bool = False) -> Room:
    room = get_object_or_404(Room.objects.select_related("circle"), pk=room_id)
    allowed = may_moderate_room(request.user, room) if moderate else may_read_room(request.user, room)
    if not allowed:
        raise PermissionDenied
    return room


def _message_for(room: Room, message_id: int) -> Message:
    message = selectors.message_in_room(room=room, message_id=message_id)
    if message is None:
        raise Http404
    return message


def _back(request: HttpRequest, room: Room) -> HttpResponse:
    """To the safe `next` the form carries, else the room page."""
    return redirect_to_next(request, reverse("chat:room", kwargs={"room_id": room.pk}) + "#chat")


def _act(request: HttpRequest, room: Room, action, success: str) -> HttpResponse:
    """Run a service call; tell the person how it went; go back."""
    try:
        result = action()
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, success if not callable(success) else success(result))
    return _back(request, room)


# ---------------------------------------------------------------------------- one message: report, pin, remove


@login_required
@require_GET
def message_page(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    """One message with what the person may do about it: report it (members), pin or remove it (facilitators)."""
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    return _message_response(request, room, message, ReportForm())


def _message_response(request: HttpRequest, room: Room, message: Message, form: ReportForm, status: int = 200):
    already = Report.objects.filter(message=message, reporter=request.user, state=ReportState.OPEN).exists()
    context = {
        "room": room,
        "circle": room.circle,
        "message": message,
        "may_report": may_report_message(request.user, message) and message.deleted_at is None and not already,
        "already_reported": already,
        "moderator": may_moderate_room(request.user, room),
        "form": form,
        "room_url": reverse("chat:room", kwargs={"room_id": room.pk}),
    }
    return TemplateResponse(request, "chat/message.html", context, status=status)


@login_required
@require_POST
def message_report(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id)
    message = _message_for(room, message_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.message_report(
                message=message,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except ServiceError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Thank you. The facilitators will look at the message."))
            return redirect(reverse("chat:room", kwargs={"room_id": room.pk}) + f"#message-{message.seq}")
    return _message_response(request, room, message, form, status=400)


@login_required
@require_POST
def message_pin(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    message = _message_for(room, message_id)
    form = PinForm(request.POST)
    pinned = form.is_valid() and form.cleaned_data["pinned"]
    return _act(
        request,
        room,
        lambda: services.message_pin_set(message=message, moderator=request.user, pinned=pinned),
        _("The message is pinned at the top.") if pinned else _("The message is no longer pinned."),
    )


@login_required
@require_POST
def message_remove(request: HttpRequest, room_id: int, message_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    message = _message_for(room, message_id)
    return _act(
        request,
        room,
        lambda: services.message_delete(message=message, deleted_by=request.user),
        _("The message is removed."),
    )


# ---------------------------------------------------------------------------- the room: lock, slow mode, mute


@login_required
@require_POST
def room_lock(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    form = LockForm(request.POST)
    locked = form.is_valid() and form.cleaned_data["locked"]
    return _act(
        request,
        room,
        lambda: services.room_lock_set(room=room, moderator=request.user, locked=locked),
        _("The conversation is paused.") if locked else _("The conversation is open again."),
    )


@login_required
@require_POST
def room_slow_mode(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a time from the list."))
        return _back(request, room)
    seconds = form.cleaned_data["seconds"]
    return _act(
        request,
        room,
        lambda: services.room_slow_mode_set(room=room, moderator=request.user, seconds=seconds),
        slow_mode_sentence(seconds),
    )


@login_required
@require_POST
def member_mute(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    form = MuteForm(request.POST, members=selectors.mutable_members(room=room))
    if not form.is_valid():
        messages.error(request, _("Choose a member and a time from the lists."))
        return _back(request, room)
    return _act(
        request,
        room,
        lambda: services.member_mute(
            room=room, moderator=request.user, user_id=form.cleaned_data["user"], seconds=form.cleaned_data["seconds"]
        ),
        lambda membership: (
            _("%(name)s cannot write until %(time)s.")
            % {"name": membership.user.name, "time": _local(membership.muted_until)}
        ),
    )


@login_required
@require_POST
def member_unmute(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    form = MemberChoiceForm(request.POST, members=selectors.mutable_members(room=room))
    if not form.is_valid():
        messages.error(request, _("Choose a member from the list."))
        return _back(request, room)
    return _act(
        request,
        room,
        lambda: services.member_unmute(room=room, moderator=request.user, user_id=form.cleaned_data["user"]),
        lambda membership: _("%(name)s can write again.") % {"name": membership.user.name},
    )


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# ---------------------------------------------------------------------------- reports


@login_required
@require_GET
def reports_page(request: HttpRequest, room_id: int) -> HttpResponse:
    """The room's open reports with what to do about each, and the audit log (facilitators only)."""
    room = _room_for(request, room_id, moderate=True)
    log = selectors.moderation_log(room=room)
    durations = {
        ModerationKind.MUTE: dict(MUTE_CHOICES),
        ModerationKind.SLOW_MODE: dict(SLOW_MODE_CHOICES),
    }
    for action in log:
        action.duration = durations.get(action.kind, {}).get(action.seconds)
    context = {
        "room": room,
        "circle": room.circle,
        "reports": selectors.open_reports(room=room),
        "log": log,
        "decision_form": ReportDecisionForm(),
        "room_url": reverse("chat:room", kwargs={"room_id": room.pk}),
    }
    return TemplateResponse(request, "chat/reports.html", context)


@login_required
@require_POST
def report_decide(request: HttpRequest, room_id: int, report_id: int) -> HttpResponse:
    room = _room_for(request, room_id, moderate=True)
    report = get_object_or_404(Report, pk=report_id, message__room=room)
    form = ReportDecisionForm(request.POST)
    if not form.is_valid() or (
        form.cleaned_data["outcome"] == ReportState.MUTED and not form.cleaned_data.get("seconds")
    ):
        messages.error(request, _("Choose what to do from the list."))
    else:
        try:
            services.report_resolve(
                report=report,
                moderator=request.user,
                outcome=form.cleaned_data["outcome"],
                mute_seconds=form.cleaned_data.get("seconds"),
            )
        except ServiceError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The report is handled."))
    return redirect("chat:reports", room_id=room.pk)
