from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.models import Language


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
    file = models.FileField(_("file"), upload_to="resources/%Y/%m/", blank=True)
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
        ]

    def __str__(self) -> str:
        return self.title
