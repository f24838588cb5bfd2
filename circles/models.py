from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class SDG(models.Model):
    """One of the UN's 17 Sustainable Development Goals (verdensmål)."""

    number = models.PositiveSmallIntegerField(
        _("number"), primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )
    name_da = models.CharField(_("Danish name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    colour = models.CharField(_("official colour"), max_length=7, validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$")])

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "da").startswith("en") else self.name_da


class CircleKind(models.TextChoices):
    LEARNING_CIRCLE = "circle", _("learning circle")
    PROJECT_GROUP = "project", _("project group")
    EVENT = "event", _("one-off event")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("for everyone")
    SENIORS = "seniors", _("for people 60+")
    YOUTH = "youth", _("for young people")
    INTERGENERATIONAL = "intergenerational", _("across generations")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("in person and online")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("anyone can join")
    APPROVAL = "approval", _("a facilitator approves")


class CircleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for sign-up")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")


class Language(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


class Circle(models.Model):
    """A learning circle, a cross-municipality project group or a one-off event."""

    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=160, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: *italic*, **bold**, lists, links.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CircleKind.choices, default=CircleKind.LEARNING_CIRCLE)
    audience = models.CharField(_("for whom"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    format = models.CharField(
        _("how it meets"), max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DANISH)
    host_library = models.ForeignKey(
        "libraries.Library", on_delete=models.PROTECT, related_name="hosted_circles", verbose_name=_("host library")
    )
    partner_libraries = models.ManyToManyField(
        "libraries.Library", blank=True, related_name="partner_circles", verbose_name=_("partner libraries")
    )
    venue = models.ForeignKey(
        "libraries.Venue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="circles",
        verbose_name=_("meeting place"),
    )
    online_url = models.URLField(_("online meeting link"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Leave empty for no limit.")
    )
    join_policy = models.CharField(_("joining"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder, hours before each meeting"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Members get an e-mail this many hours before each meeting."),
    )
    status = models.CharField(_("status"), max_length=10, choices=CircleStatus.choices, default=CircleStatus.DRAFT)
    sdgs = models.ManyToManyField(SDG, related_name="circles", verbose_name=_("Sustainable Development Goals"))
    starts_on = models.DateField(_("first meeting"), null=True, blank=True)
    rhythm = models.CharField(
        _("how often"), max_length=120, blank=True, help_text=_("For example: every Tuesday at 10.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(format="online") | ~Q(online_url=""), name="circles_online_circle_has_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("circles:detail", kwargs={"slug": self.slug})

    @property
    def seats_left(self) -> int | None:
        """Free member seats, or None when there is no limit (uses the `active_members` annotation when present)."""
        if self.capacity is None:
            return None
        taken = getattr(self, "active_members", None)
        if taken is None:
            taken = self.memberships.filter(state=MembershipState.ACTIVE, role=MembershipRole.MEMBER).count()
        return max(self.capacity - taken, 0)


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("member")
    FACILITATOR = "facilitator", _("facilitator")


class MembershipState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    ACTIVE = "active", _("member")
    WAITLISTED = "waitlisted", _("on the waiting list")
    REMOVED = "removed", _("removed")
    BANNED = "banned", _("banned")


class Membership(models.Model):
    """A person's place in a circle: their role and where they stand."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=12, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=MembershipState.choices, default=MembershipState.ACTIVE)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["circle", "user"], name="circles_membership_unique_person")]
        indexes = [models.Index(fields=["circle", "state", "state_changed_at"], name="circles_membership_queue")]

    def __str__(self) -> str:
        return f"{self.user} in {self.circle} ({self.state})"


class Meeting(models.Model):
    """One meeting of a circle."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("circle"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        "libraries.Venue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("meeting place"),
    )
    online_url = models.URLField(_("online meeting link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # Counts changes of time, place or cancellation, as calendars (iCalendar SEQUENCE) expect.
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="circles_meeting_ends_after_start"
            ),
            models.UniqueConstraint(fields=["circle", "starts_at"], name="circles_meeting_unique_time"),
        ]

    def __str__(self) -> str:
        return f"{self.circle}: {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """Whether a person came to a meeting, as the facilitator recorded it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("person")
    )
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="circles_attendance_once")]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class Feedback(models.Model):
    """A member's rating of a meeting (1–5) and a comment; one per person per meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("meeting"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="feedback",
        verbose_name=_("person"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="circles_feedback_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="circles_feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.meeting}"


class ActionStatus(models.TextChoices):
    TODO = "todo", _("not started")
    DOING = "doing", _("under way")
    DONE = "done", _("done")


class ProjectAction(models.Model):
    """Something a project group has decided to do: who does it, by when, and how far it is."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="actions", verbose_name=_("project group")
    )
    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    sdg = models.ForeignKey(
        SDG, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_actions",
        verbose_name=_("who does it"),
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class MeetingReminder(models.Model):
    """The reminder e-mail for one person about one meeting at one time: the row makes it exactly once.

    `starts_at` is the meeting's time when the reminder was due, so a moved meeting gets a new one.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("meeting"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_reminders", verbose_name=_("person")
    )
    starts_at = models.DateTimeField(_("meeting time it was about"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting reminder")
        verbose_name_plural = _("meeting reminders")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user", "starts_at"], name="circles_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.user} about {self.meeting}"
