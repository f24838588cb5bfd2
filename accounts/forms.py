from django import forms
from django.utils.translation import gettext_lazy as _

from libraries.models import Library, Municipality

from .models import SpokenLanguage, TextSize, User


class SignupForm(forms.Form):
    """What allauth's sign-up form asks besides the e-mail address (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("The name other people in your circles see. Your first name is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=SpokenLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = ["display_name", "municipality", "home_library", "bio", "languages"]
        labels = {"display_name": _("Your name")}
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "bio": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        self.fields["home_library"].queryset = Library.objects.select_related("municipality").order_by("name")
        self.fields["municipality"].empty_label = _("Choose your municipality")
        self.fields["home_library"].empty_label = _("Choose your library")


class DisplayPreferencesForm(forms.Form):
    text_size = forms.ChoiceField(label=_("Text size"), choices=TextSize.choices, widget=forms.RadioSelect)
    high_contrast = forms.BooleanField(label=_("High contrast (black and white)"), required=False)
    reduced_motion = forms.BooleanField(label=_("Less movement on the screen"), required=False)


class EmailPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_meeting_reminders", "email_mentions", "email_weekly_digest"]


class AccountDeleteForm(forms.Form):
    KEEP = "keep"
    EMPTY = "empty"

    messages = forms.ChoiceField(
        label=_("Your messages in discussions"),
        choices=[
            (KEEP, _("Keep them, shown as written by “deleted user”, so the conversations still make sense")),
            (EMPTY, _("Remove their text")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data are deleted for good"),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )
