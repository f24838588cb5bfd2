"""What library staff type when they edit their library. The services enforce the rules behind it."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from circles.models import SDG

from .models import ActionPlanArea, Commitment, Initiative, InitiativeStatus, Library, Venue

POSTCODE_INVALID = _("A postcode is four digits, for example 2750.")


class SDGChoiceField(forms.ModelMultipleChoiceField):
    """The goals as a list of checkboxes, each with its number and name in the active language."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, sdg: SDG) -> str:
        return str(sdg)


class LibraryForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Library
        fields = ["address", "postcode", "city", "email", "phone", "website", "description"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {"postcode": {"invalid": POSTCODE_INVALID, "max_length": POSTCODE_INVALID}}


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "address", "postcode", "city", "step_free", "hearing_loop", "accessibility_notes"]
        widgets = {
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "accessibility_notes": _("For example: where the entrance without steps is, lifts, toilets, parking."),
        }
        error_messages = {"postcode": {"invalid": POSTCODE_INVALID, "max_length": POSTCODE_INVALID}}


def _capitalised(choices) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in choices]


class InitiativeForm(forms.ModelForm):
    area = forms.ChoiceField(
        label=_("Part of the action plan"),
        choices=_capitalised(ActionPlanArea.choices),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which part of the action plan this belongs to.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_capitalised(InitiativeStatus.choices),
        initial=InitiativeStatus.PLANNED,
        widget=forms.RadioSelect,
    )
    sdgs = SDGChoiceField(
        queryset=SDG.objects.order_by("number"),
        label=_("Sustainable Development Goals"),
        error_messages={"required": _("Choose at least one Sustainable Development Goal.")},
    )

    class Meta:
        model = Initiative
        fields = ["title", "area", "status", "sdgs", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["text"]
        help_texts = {"text": _("One short sentence, for example: We sort our waste.")}


class CommitmentEditForm(CommitmentForm):
    class Meta(CommitmentForm.Meta):
        fields = ["text", "position"]
