from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Capital Region of Denmark")
    SJAELLAND = "sjaelland", _("Region Zealand")
    SYDDANMARK = "syddanmark", _("Region of Southern Denmark")
    MIDTJYLLAND = "midtjylland", _("Central Denmark Region")
    NORDJYLLAND = "nordjylland", _("North Denmark Region")


class Municipality(models.Model):
    """A Danish municipality (kommune), identified by its official three-digit code."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("municipality code"), max_length=3, unique=True, validators=[RegexValidator(r"^\d{3}$")])
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Library(models.Model):
    """A public library: it hosts circles, has venues and staff, and shares materials."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=150, unique=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("municipality")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True, validators=[RegexValidator(r"^\d{4}$")])
    city = models.CharField(_("town"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("libraries:detail", kwargs={"slug": self.slug})


class Venue(models.Model):
    """A place where circles meet: a library building, a branch, an old post office."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="venues", verbose_name=_("library"))
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True, validators=[RegexValidator(r"^\d{4}$")])
    city = models.CharField(_("town"), max_length=100, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)

    class Meta:
        ordering = ["library__name", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "name"],
                name="libraries_venue_unique_name",
                violation_error_message=_("This library already has a meeting place with that name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.library.name}"


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("library administrator")
    STAFF = "staff", _("library staff")


class LibraryStaff(models.Model):
    """A person's role at one library."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="staff", verbose_name=_("library"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_roles", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices, default=StaffRole.STAFF)

    class Meta:
        verbose_name = _("library staff member")
        verbose_name_plural = _("library staff")
        constraints = [models.UniqueConstraint(fields=["library", "user"], name="libraries_staff_unique_person")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.library})"


class ActionPlanArea(models.TextChoices):
    """The three parts of an action plan in the libraries' national SDG certification model."""

    OUTREACH = "outreach", _("outreach")
    CITIZEN_INVOLVEMENT = "involvement", _("citizen involvement")
    OWN_SUSTAINABILITY = "own", _("the library's own sustainability")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    UNDER_WAY = "under_way", _("under way")
    DONE = "done", _("done")


class Initiative(models.Model):
    """One initiative of a library's SDG action plan (handleplan)."""

    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("library")
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: *italic*, **bold**, lists, links.")
    )
    sdgs = models.ManyToManyField(
        "circles.SDG", related_name="initiatives", verbose_name=_("Sustainable Development Goals")
    )
    area = models.CharField(_("part of the action plan"), max_length=12, choices=ActionPlanArea.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action plan initiative")
        verbose_name_plural = _("action plan initiatives")

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """A small public promise of a library, shown on its page ("we sort our waste")."""

    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("library")
    )
    text = models.CharField(_("commitment"), max_length=200)
    position = models.PositiveSmallIntegerField(_("place in the list"), default=1, help_text=_("1 is shown first."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.text
