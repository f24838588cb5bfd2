from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportReason, ReportState
from .protocol import MAX_BODY_CHARS, MAX_REPORT_TEXT_CHARS, REACTIONS


class MessageForm(forms.Form):
    """The plain form that posts a message without JavaScript; `client_id` makes a double submit store one."""

    body = forms.CharField(label=_("Your message"), max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------- moderation and reports (no-JS fallback)

MUTE_CHOICES = [(3600, _("1 hour")), (86_400, _("1 day")), (604_800, _("1 week"))]
SLOW_MODE_CHOICES = [
    (0, _("Off")),
    (10, _("10 seconds")),
    (30, _("30 seconds")),
    (60, _("1 minute")),
    (300, _("5 minutes")),
]


class ReportForm(forms.Form):
    """A member reports a message to the facilitators."""

    reason = forms.ChoiceField(
        label=_("Why do you report this message?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Anything you want to add (you may leave it empty)"),
        required=False,
        max_length=MAX_REPORT_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MemberChoiceForm(forms.Form):
    """Pick a member of the room (the choices come from the view)."""

    user = forms.TypedChoiceField(label=_("Member"), coerce=int)

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(membership.user_id, membership.user.name) for membership in members]


class MuteForm(MemberChoiceForm):
    seconds = forms.TypedChoiceField(label=_("For how long"), choices=MUTE_CHOICES, coerce=int)


class SlowModeForm(forms.Form):
    seconds = forms.TypedChoiceField(
        label=_("Least time between two messages from one person"), choices=SLOW_MODE_CHOICES, coerce=int
    )


class LockForm(forms.Form):
    locked = forms.BooleanField(required=False)


class PinForm(forms.Form):
    pinned = forms.BooleanField(required=False)


class ReportDecisionForm(forms.Form):
    """What a facilitator does about an open report."""

    outcome = forms.ChoiceField(
        choices=[
            (ReportState.REMOVED, _("Remove the message")),
            (ReportState.DISMISSED, _("Dismiss the report")),
            (ReportState.MUTED, _("Mute the author")),
        ]
    )
    seconds = forms.TypedChoiceField(
        label=_("For how long"), choices=MUTE_CHOICES, coerce=int, required=False, empty_value=None
    )


class ReactionForm(forms.Form):
    """A reaction toggled without JavaScript."""

    emoji = forms.ChoiceField(choices=[(emoji, emoji) for emoji in REACTIONS])
