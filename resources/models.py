from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.models import Language

from .storage import private_storage


class Licence(models.TextChoices):
    CC_BY = "cc-by", _("CC BY (share with attribution)")
    CC_BY_SA = "cc-by-sa", _("CC BY-SA (share alike with attribution)")
    CC0 = "cc0", _("CC0 (free for everyone)")
    ALL_RIGHTS_RESERVED = "arr", _("All rights reserved")


class ResourceFormat(models.TextChoices):
    WORKSHOP_PLAN = "workshop", _("workshop plan")
    SLIDES = "slides", _("slides")
    HANDOUT = "handout", _("handout")
    GUIDE = "guide", _("guide")
    VIDEO = "video", _("video")


class Visibility(models.TextChoices):
    CIRCLE = "circle", _("members of the circle")
    STAFF = "staff", _("staff and facilitators of all libraries")
    PUBLIC = "public", _("everyone")


class Resource(models.Model):
    """Shared workshop material: an uploaded file or a link."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The current file; earlier ones are ResourceVersion rows. Stored under a random name in
    # private storage: `filename` is the checked, normalised name people see when they download.
    file = models.FileField(
        _("file"), upload_to="resources/%Y/%m/", storage=private_storage, blank=True, max_length=200
    )
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # True only for images that were re-encoded and PDFs that passed the checks: shown in the browser.
    inline_ok = models.BooleanField(_("may be shown in the browser"), default=False)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to="thumbnails/%Y/%m/", storage=private_storage, blank=True, max_length=200
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    file_uploaded_at = models.DateTimeField(_("file uploaded"), null=True, blank=True)
    file_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file uploaded by"),
    )
    shows_people = models.BooleanField(_("shows people who can be recognised"), default=False)
    people_consent = models.BooleanField(_("the people shown have agreed"), default=False)
    url = models.URLField(_("link"), blank=True)
    sdgs = models.ManyToManyField(
        "circles.SDG", blank=True, related_name="resources", verbose_name=_("Sustainable Development Goals")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DANISH)
    licence = models.CharField(_("licence"), max_length=10, choices=Licence.choices, default=Licence.CC_BY)
    format = models.CharField(_("format"), max_length=10, choices=ResourceFormat.choices)
    owner_library = models.ForeignKey(
        "libraries.Library", on_delete=models.PROTECT, related_name="resources", verbose_name=_("library")
    )
    circle = models.ForeignKey(
        "circles.Circle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("circle"),
    )
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            # Exactly one of a file or a link.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")), name="resources_file_xor_link"
            ),
            models.CheckConstraint(
                condition=~Q(visibility="circle") | Q(circle__isnull=False),
                name="resources_circle_visibility_needs_circle",
            ),
            models.CheckConstraint(
                condition=Q(shows_people=False) | Q(people_consent=True), name="resources_people_shown_consented"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", kwargs={"pk": self.pk})

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ResourceVersion(models.Model):
    """An earlier file of a resource, kept when a new version was uploaded; listed for its editors."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="resources/%Y/%m/", storage=private_storage, max_length=200)
    filename = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource_versions",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="resources_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.resource} ({self.number})"


class ResourceAdoption(models.Model):
    """A library has taken another library's material into its own list; the original is credited."""

    library = models.ForeignKey(
        "libraries.Library", on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("library")
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="adoptions")
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource_adoptions",
        verbose_name=_("adopted by"),
    )
    adopted_at = models.DateTimeField(_("adopted"), default=timezone.now)

    class Meta:
        ordering = ["-adopted_at"]
        verbose_name = _("adopted material")
        verbose_name_plural = _("adopted materials")
        constraints = [
            models.UniqueConstraint(fields=["library", "resource"], name="resources_adoption_unique_library")
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.library}"


class ResourceDownload(models.Model):
    """One download, counted for the library of the person who downloaded (none for visitors). Not who."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="downloads")
    library = models.ForeignKey(
        "libraries.Library", on_delete=models.SET_NULL, null=True, blank=True, related_name="resource_downloads"
    )
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["resource", "library"], name="resources_download_per_lib")]

    def __str__(self) -> str:
        return f"{self.resource_id} ← {self.library_id}"


class RemovalStatus(models.TextChoices):
    OPEN = "open", _("waiting for an answer")
    REMOVED = "removed", _("handled: the material is removed")
    DECLINED = "declined", _("handled: the material stays")


class RemovalRequest(models.Model):
    """Someone shown in a material asks the owner library to take it down; the library answers and the trail stays."""

    # Kept when the material is deleted (the answer was "removed"): the library and title say what it was.
    resource = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="removal_requests"
    )
    library = models.ForeignKey(
        "libraries.Library", on_delete=models.CASCADE, related_name="removal_requests", verbose_name=_("library")
    )
    resource_title = models.CharField(_("material"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    reason = models.TextField(_("what should be removed, and why"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource_removal_requests",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=RemovalStatus.choices, default=RemovalStatus.OPEN)
    decline_reason = models.TextField(_("why the material stays"), max_length=1000, blank=True)
    handled_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request for removal")
        verbose_name_plural = _("requests for removal")
        indexes = [models.Index(fields=["library", "status"], name="resources_removal_lib_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="resources_removal_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(handled_at__isnull=False), name="resources_removal_handled_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_title}: {self.name}"
