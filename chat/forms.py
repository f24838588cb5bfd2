from django import forms
from django.utils.translation import gettext_lazy as _

from .protocol import MAX_BODY_CHARS


class MessageForm(forms.Form):
    """The plain form that posts a message without JavaScript; `client_id` makes a double submit store one."""

    body = forms.CharField(label=_("Your message"), max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)
