import datetime

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from libraries.forms import SDGChoiceField
from libraries.models import Library, Venue

from . import errors
from .models import (
    SDG,
    ActionStatus,
    Audience,
    Circle,
    CircleKind,
    Language,
    Meeting,
    MeetingFormat,
    Membership,
    MembershipState,
    ProjectAction,
)
from .selectors import (
    RATING_CHOICES,
    libraries_with_visible_circles,
    municipalities_with_visible_circles,
    person_with_email,
    venues_for_meetings,
)
from .times import COPENHAGEN, NonexistentTime, local_datetime, plannable_day, plannable_days


class MemberDecisionForm(forms.Form):
    """A facilitator's answer about one person: approve, decline, remove or ban, with an optional message."""

    membership = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Say yes")),
            ("decline", _("Say no")),
            ("remove", _("Take out of the circle")),
            ("ban", _("Take out and keep out")),
        ]
    )
    message = forms.CharField(
        label=_("Message to the person (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _choices_or_any(any_label, choices) -> list[tuple]:
    """An empty first choice ("any") and the rest capitalised, for a select where nothing chosen means all."""
    return [("", any_label), *((value, capfirst(label)) for value, label in choices)]


class CircleFilterForm(forms.Form):
    """The catalogue's filters, sent as a plain GET form. Every field may be left empty; empty means all."""

    q = forms.CharField(
        label=_("Words to search for"),
        help_text=_("For example: climate, food waste, bicycle."),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
    )
    sdg = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        help_text=_("Circles about at least one of the goals you tick."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    municipality = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        label=_("Municipality"),
        empty_label=_("All municipalities"),
        required=False,
    )
    library = forms.ModelChoiceField(
        queryset=None, to_field_name="slug", label=_("Library"), empty_label=_("All libraries"), required=False
    )
    format = forms.ChoiceField(
        label=_("How it meets"),
        choices=_choices_or_any(_("In the library or online"), MeetingFormat.choices),
        required=False,
    )
    audience = forms.ChoiceField(
        label=_("For whom"), choices=_choices_or_any(_("No preference"), Audience.choices), required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=_choices_or_any(_("Any language"), Language.choices), required=False
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        help_text=_("Circles with a coming meeting on that day."),
        # ISO weekdays: 1 is Monday. Django's own names for the days, already translated.
        choices=_choices_or_any(_("Any day"), ((number + 1, name) for number, name in WEEKDAYS.items())),
        coerce=int,
        empty_value=None,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_choices_or_any(_("All kinds"), CircleKind.choices), required=False
    )
    free_seats = forms.BooleanField(label=_("Only circles with free seats"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["sdg"].choices = [(sdg.number, str(sdg)) for sdg in SDG.objects.order_by("number")]
        self.fields["municipality"].queryset = municipalities_with_visible_circles()
        self.fields["library"].queryset = libraries_with_visible_circles()

    def rendering_key(self) -> tuple:
        """Everything the filter fields show: what was sent, and every choice (read from the database here, once)."""
        for name in ("municipality", "library"):
            # Not list(): it would ask the iterator's length first, a COUNT query of its own.
            self.fields[name].choices = [choice for choice in self.fields[name].choices]  # noqa: C416
        return (
            tuple(sorted((key, tuple(values)) for key, values in self.data.lists())),
            *(tuple(self.fields[name].choices) for name in ("sdg", "municipality", "library")),
        )

    def filters(self) -> dict:
        """The filters that were valid; an invalid one is left out (and shown as an error) rather than failing."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [], False)}


class ProjectActionForm(forms.ModelForm):
    """An action of a project group: what, which goal, who does it, by when, and how far it is."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(value, capfirst(label)) for value, label in ActionStatus.choices],
        initial=ActionStatus.TODO,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ProjectAction
        fields = ["title", "description", "sdg", "owner", "due_on", "status"]
        labels = {
            "title": _("What will you do?"),
            "description": _("Details"),
            "sdg": _("Sustainable Development Goal"),
            "owner": _("Who does it?"),
            "due_on": _("By when?"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, circle, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The group's active members; whoever has the action now stays a choice even after leaving.
        people = User.objects.filter(memberships__circle=circle, memberships__state=MembershipState.ACTIVE)
        if self.instance.owner_id is not None:
            people = people | User.objects.filter(pk=self.instance.owner_id)
        owner = self.fields["owner"]
        owner.queryset = people.distinct().order_by("display_name", "email")
        owner.label_from_instance = lambda person: person.name
        owner.empty_label = _("Nobody yet")
        self.fields["sdg"].queryset = SDG.objects.order_by("number")
        self.fields["sdg"].empty_label = _("No particular goal")


class ProjectActionStatusForm(forms.Form):
    """The small form beside each action on the circle page: its new status."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


# Creating and running a circle: what staff and facilitators type. The services check the rules again.

MARKDOWN_HELP = _("Markdown: *italic*, **bold**, lists, links.")


def _capitalise_choices(field: forms.ChoiceField) -> None:
    field.choices = [(value, capfirst(label)) for value, label in field.choices]


def posted_as_initial(form: forms.BaseForm) -> dict:
    """What was posted, as the initial values of a fresh form: shown again without error messages (the preview)."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


class PartnerLibraryField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, library: Library) -> str:
        return f"{library.name} ({library.municipality.name})"


class CircleForm(forms.ModelForm):
    """A circle's details. The venue comes from the host library's meeting places."""

    sdgs = SDGChoiceField(
        queryset=SDG.objects.order_by("number"),
        label=_("Sustainable Development Goals"),
        error_messages={"required": errors.NO_SDGS},
    )
    online_url = forms.URLField(
        label=capfirst(Circle._meta.get_field("online_url").verbose_name),
        required=False,
        assume_scheme="https",
        help_text=_("For circles that meet online: the address people open to take part."),
    )
    partner_libraries = PartnerLibraryField(
        queryset=Library.objects.none(),
        required=False,
        label=_("Partner libraries"),
        help_text=_("Only for project groups: the libraries in other municipalities that take part."),
    )

    class Meta:
        model = Circle
        fields = [
            "title",
            "description",
            "kind",
            "audience",
            "format",
            "language",
            "sdgs",
            "venue",
            "online_url",
            "capacity",
            "join_policy",
            "status",
            "partner_libraries",
            "starts_on",
            "rhythm",
            "reminder_hours",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "kind": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "format": forms.RadioSelect,
            "language": forms.RadioSelect,
            "join_policy": forms.RadioSelect,
            "status": forms.RadioSelect,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "capacity": forms.NumberInput(attrs={"min": 1}),
            "reminder_hours": forms.NumberInput(attrs={"min": 1, "max": 168}),
        }

    def __init__(self, *args, library: Library, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "audience", "format", "language", "join_policy", "status"):
            _capitalise_choices(self.fields[name])
        libraries = [library.pk]
        if self.instance.pk:
            libraries += list(self.instance.partner_libraries.values_list("pk", flat=True))
        venue = self.fields["venue"]
        venue.queryset = Venue.objects.filter(library__in=libraries).order_by("name")
        venue.empty_label = _("No meeting place: the circle meets online")
        self.fields["partner_libraries"].queryset = (
            Library.objects.exclude(pk=library.pk).select_related("municipality").order_by("municipality__name", "name")
        )

    def clean(self) -> dict:
        data = super().clean()
        meets = data.get("format")
        # A field that already has an error (a malformed link) keeps that one.
        needs_link = meets in (MeetingFormat.ONLINE, MeetingFormat.HYBRID)
        if needs_link and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("online_url", errors.ONLINE_NEEDS_LINK)
        needs_venue = meets in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID)
        if needs_venue and not data.get("venue") and "venue" not in self.errors:
            self.add_error("venue", errors.IN_PERSON_NEEDS_VENUE)
        if data.get("partner_libraries") and data.get("kind") != CircleKind.PROJECT_GROUP:
            self.add_error("partner_libraries", errors.PARTNERS_ONLY_FOR_PROJECTS)
        return data


class FacilitatorForm(forms.Form):
    email = forms.EmailField(
        label=_("The person's e-mail address"),
        help_text=_("They must already have an account on Cirkler."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self) -> User:
        """The person with that address (the cleaned value is the person)."""
        person = person_with_email(email=self.cleaned_data["email"])
        if person is None:
            raise forms.ValidationError(
                _("Nobody with that e-mail address has an account on Cirkler. Ask them to sign up first.")
            )
        return person


def _plannable(day: datetime.date) -> None:
    if not plannable_day(day):
        raise forms.ValidationError(errors.MEETING_DAY_OUT_OF_RANGE, code="day_out_of_range")


def _offer_plannable_days(field: forms.Field) -> None:
    """The date picker offers only the days `_plannable` accepts."""
    first, last = plannable_days()
    field.widget.attrs.update(min=first.isoformat(), max=last.isoformat())


def _meeting_place_fields(form: forms.Form, circle: Circle, *, empty_label) -> None:
    venue = form.fields["venue"]
    venue.queryset = venues_for_meetings(circle=circle)
    venue.empty_label = empty_label


class ScheduleForm(forms.Form):
    """A series of meetings: the first date, the time, how long, how often, how many, and where."""

    first_date = forms.DateField(
        label=_("Date of the first meeting"),
        help_text=_("The meetings fall on the same weekday as this date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_plannable],
    )
    start_time = forms.TimeField(
        label=_("Starts at"),
        help_text=_("Danish time, for example 10:00."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=15,
        max_value=12 * 60,
        initial=120,
        help_text=_("For example 90 for an hour and a half."),
    )
    every_weeks = forms.TypedChoiceField(
        label=_("How often"),
        coerce=int,
        choices=[(1, _("Every week")), (2, _("Every other week"))],
        initial=1,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(label=_("Number of meetings"), min_value=1, max_value=52, initial=6)
    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), label=_("Meeting place"), required=False)
    online_url = forms.URLField(
        label=capfirst(Meeting._meta.get_field("online_url").verbose_name), required=False, assume_scheme="https"
    )

    def __init__(self, *args, circle: Circle, **kwargs) -> None:
        kwargs.setdefault("initial", {"venue": circle.venue_id, "online_url": circle.online_url})
        super().__init__(*args, **kwargs)
        _meeting_place_fields(self, circle, empty_label=_("No meeting place: online only"))
        _offer_plannable_days(self.fields["first_date"])


class MeetingMoveForm(forms.Form):
    """A meeting's new day, time and place; the times are Copenhagen time."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), validators=[_plannable]
    )
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), label=_("Meeting place"), required=False)
    online_url = forms.URLField(
        label=capfirst(Meeting._meta.get_field("online_url").verbose_name), required=False, assume_scheme="https"
    )

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        starts, ends = (timezone.localtime(moment, COPENHAGEN) for moment in (meeting.starts_at, meeting.ends_at))
        kwargs.setdefault(
            "initial",
            {
                "date": starts.date(),
                "start_time": starts.time(),
                "end_time": ends.time(),
                "venue": meeting.venue_id,
                "online_url": meeting.online_url,
            },
        )
        super().__init__(*args, **kwargs)
        _meeting_place_fields(self, meeting.circle, empty_label=_("No meeting place: online only"))
        _offer_plannable_days(self.fields["date"])

    def clean(self) -> dict:
        data = super().clean()
        if not all(data.get(name) for name in ("date", "start_time", "end_time")):
            return data
        try:
            data["starts_at"] = local_datetime(data["date"], data["start_time"])
        except NonexistentTime:
            self.add_error("start_time", _("That time does not exist on this date: the clocks go forward that night."))
            return data
        try:
            data["ends_at"] = local_datetime(data["date"], data["end_time"])
        except NonexistentTime:
            self.add_error("end_time", _("That time does not exist on this date: the clocks go forward that night."))
            return data
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("end_time", errors.MEETING_ENDS_BEFORE_START)
        return data


class MeetingNotesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["agenda", "notes"]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 8}), "notes": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "agenda": MARKDOWN_HELP,
            "notes": _("What you talked about and agreed. Only the circle's members can read the notes."),
        }


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Who came? Tick everyone who was there."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members: list[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(membership.user_id, membership.user.name) for membership in members]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the meeting?"),
        coerce=int,
        choices=[(rating, format_lazy("{} – {}", rating, words)) for rating, words in reversed(RATING_CHOICES)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the meeting was, from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The facilitators see your answer without your name."),
    )
