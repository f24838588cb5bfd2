from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Person
from circles.forms import _choices_or_any
from circles.models import SDG, Circle, Language
from libraries.forms import SDGChoiceField
from libraries.models import Library

from . import errors
from .models import Licence, Resource, ResourceFormat, Visibility
from .selectors import SORT_MOST_USED, SORT_NEWEST, circles_run_by, staff_libraries
from .uploads import ACCEPT_ATTRIBUTE, KINDS, extension_of, normalise_filename


class ResourceFilterForm(forms.Form):
    """The catalogue's filters, sent as a plain GET form. Every field may be left empty; empty means all."""

    q = forms.CharField(
        label=_("Words to search for"),
        help_text=_("For example: climate, workshop, food waste."),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    format = forms.ChoiceField(
        label=_("Kind of material"), choices=_choices_or_any(_("All kinds"), ResourceFormat.choices), required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=_choices_or_any(_("Any language"), Language.choices), required=False
    )
    library = forms.ModelChoiceField(
        queryset=None, to_field_name="slug", label=_("Library"), empty_label=_("All libraries"), required=False
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=_choices_or_any(_("Any licence"), Licence.choices), required=False
    )
    sort = forms.ChoiceField(
        label=_("Show first"),
        choices=[(SORT_NEWEST, _("The newest")), (SORT_MOST_USED, _("The most used"))],
        required=False,
    )
    sdg = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        help_text=_("Materials about at least one of the goals you tick."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["sdg"].choices = [(sdg.number, str(sdg)) for sdg in SDG.objects.order_by("number")]
        self.fields["library"].queryset = (
            Library.objects.filter(Q(resources__isnull=False) | Q(adoptions__isnull=False)).distinct().order_by("name")
        )

    def filters(self) -> dict:
        """The filters that were valid; an invalid one is left out (and shown as an error) rather than failing."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [], False)}


class DropZoneFileInput(forms.FileInput):
    """A plain file button; static/js/resources.js adds dragging a file onto it (the button keeps working)."""

    template_name = "resources/widgets/drop_zone.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = settings.RESOURCE_MAX_UPLOAD_BYTES
        context["widget"]["max_bytes"] = limit
        context["widget"]["limit"] = filesizeformat(limit)
        return context


def upload_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument, pictures (JPEG, PNG, WebP, GIF) or plain text. Pictures are saved without location data."
        ),
        widget=DropZoneFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


def clean_upload(upload):
    """The quick checks, before the service reads the bytes: size and kind of file."""
    if upload is None:
        return upload
    limit = settings.RESOURCE_MAX_UPLOAD_BYTES
    if upload.size == 0:
        raise forms.ValidationError(errors.FILE_EMPTY, code="file_empty")
    if upload.size > limit:
        raise forms.ValidationError(
            errors.FILE_TOO_LARGE, code="file_too_large", params={"limit": filesizeformat(limit)}
        )
    if extension_of(normalise_filename(upload.name)) not in KINDS:
        raise forms.ValidationError(errors.FILE_TYPE_NOT_ALLOWED, code="file_type_not_allowed")
    return upload


class ResourceForm(forms.ModelForm):
    """Sharing material, or changing what is said about it. `new` forms take a file or a link."""

    sdgs = SDGChoiceField(
        queryset=SDG.objects.order_by("number"), label=_("Sustainable Development Goals"), required=False
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it?"),
        choices=[(value, capfirst(label)) for value, label in Visibility.choices],
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    owner_library = forms.ModelChoiceField(
        queryset=Library.objects.none(),
        label=_("Library"),
        help_text=_("The library that shares the material."),
        required=False,
        empty_label=_("The circle's library"),
    )
    circle = forms.ModelChoiceField(
        queryset=Circle.objects.none(), label=_("Circle"), required=False, empty_label=_("No circle")
    )
    upload = upload_field(_("File"))
    url = forms.URLField(
        label=_("Or a link"),
        help_text=_("A web address, if the material is on another website."),
        required=False,
        assume_scheme="https",
    )
    shows_people = forms.BooleanField(
        label=_("The material shows people who can be recognised (photos, names)"), required=False
    )
    people_consent = forms.BooleanField(label=_("The people shown have agreed that it is shared"), required=False)

    field_order = [
        "title",
        "upload",
        "url",
        "description",
        "format",
        "language",
        "licence",
        "sdgs",
        "visibility",
        "circle",
        "owner_library",
        "shows_people",
        "people_consent",
    ]

    class Meta:
        model = Resource
        fields = ["title", "description", "format", "language", "licence"]
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "format": _("Kind of material"),
            "language": _("Language"),
            "licence": _("Licence"),
        }
        help_texts = {"licence": _("How others may use it. CC BY lets other libraries share it if they name you.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user: Person, new: bool, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.new = new
        self.fields["format"].choices = [("", _("Choose the kind")), *ResourceFormat.choices]
        self.fields["owner_library"].queryset = staff_libraries(user)
        self.fields["circle"].queryset = circles_run_by(user)
        first_library = self.fields["owner_library"].queryset.first()
        if first_library is None:
            self.fields["owner_library"].empty_label = None
            self.fields["owner_library"].widget = forms.HiddenInput()
        elif new and not self.initial.get("circle"):
            self.fields["owner_library"].initial = first_library.pk
        if self.instance.pk:
            self.fields.pop("owner_library")
            self.fields.pop("upload")
            self.fields["sdgs"].initial = list(self.instance.sdgs.all())
            for field in ("visibility", "circle", "shows_people", "people_consent"):
                self.fields[field].initial = getattr(self.instance, field)
            if self.instance.file:
                self.fields.pop("url")
            else:
                self.fields["url"].label = _("Link")
                self.fields["url"].required = True
                self.fields["url"].initial = self.instance.url

    def clean_upload(self):
        return clean_upload(self.cleaned_data.get("upload"))

    def clean(self):
        cleaned = super().clean()
        both_or_neither = bool(cleaned.get("upload")) == bool(cleaned.get("url"))
        if self.new and both_or_neither and not self.has_error("upload") and not self.has_error("url"):
            self.add_error("upload", forms.ValidationError(errors.FILE_OR_LINK, code="file_or_link"))
        if cleaned.get("visibility") == Visibility.CIRCLE and not cleaned.get("circle"):
            self.add_error("circle", forms.ValidationError(errors.CIRCLE_NEEDED, code="circle_needed"))
        if cleaned.get("shows_people") and not cleaned.get("people_consent"):
            self.add_error("people_consent", forms.ValidationError(errors.CONSENT_NEEDED, code="consent_needed"))
        if self.new and not cleaned.get("owner_library"):
            circle = cleaned.get("circle")
            if circle is None:
                self.add_error("circle", forms.ValidationError(errors.CIRCLE_NEEDED, code="circle_needed"))
            else:
                cleaned["owner_library"] = circle.host_library
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            field: data[field]
            for field in ("title", "description", "format", "language", "licence", "circle", "visibility", "sdgs")
        }
        if self.new:
            arguments["owner_library"] = data["owner_library"]
            if data.get("upload"):
                arguments["upload"] = data["upload"]
                arguments["shows_people"] = data["shows_people"]
                arguments["people_consent"] = data["people_consent"]
            else:
                arguments["url"] = data["url"]
        else:
            arguments["shows_people"] = data["shows_people"]
            arguments["people_consent"] = data["people_consent"]
            if "url" in self.fields:
                arguments["url"] = data["url"]
        return arguments


class VersionForm(forms.Form):
    upload = upload_field(_("The new file"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = True

    def clean_upload(self):
        return clean_upload(self.cleaned_data.get("upload"))


class AdoptForm(forms.Form):
    library = forms.ModelChoiceField(queryset=Library.objects.none(), label=_("Into the list of"), empty_label=None)

    def __init__(self, *args, libraries: list[Library], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Library.objects.filter(pk__in=[library.pk for library in libraries])
        if len(libraries) == 1:
            self.fields["library"].widget = forms.HiddenInput()
            self.fields["library"].initial = libraries[0].pk


class RemovalRequestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("So the library can answer you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    reason = forms.CharField(
        label=_("What should be removed, and why"),
        help_text=_("For example: “I am in the photo on page 2 and did not agree to it.”"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ShareForm(forms.Form):
    circle = forms.ModelChoiceField(queryset=Circle.objects.none(), label=_("In the discussion of"), empty_label=None)

    def __init__(self, *args, circles: list[Circle], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = Circle.objects.filter(pk__in=[circle.pk for circle in circles]).order_by(
            "title"
        )


class RemovalDeclineForm(forms.Form):
    """Keep the material: a short reason, sent to the person who asked."""

    reason = forms.CharField(
        label=_("Why the material stays"),
        help_text=_("The person who asked gets this by e-mail. Write it plainly and kindly."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
