import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class TextSize(models.TextChoices):
    NORMAL = "normal", _("Normal")
    LARGE = "large", _("Large")
    LARGER = "larger", _("Larger")


class SpokenLanguage(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
    SWEDISH = "sv", _("Swedish")
    NORWEGIAN = "no", _("Norwegian")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    POLISH = "pl", _("Polish")
    UKRAINIAN = "uk", _("Ukrainian")
    FARSI = "fa", _("Farsi")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using Cirkler; logs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True, help_text=_("The name other people see.")
    )
    municipality = models.ForeignKey(
        "libraries.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("municipality"),
    )
    home_library = models.ForeignKey(
        "libraries.Library",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regulars",
        verbose_name=_("home library"),
    )
    bio = models.TextField(_("a few words about you"), max_length=500, blank=True)
    languages = models.JSONField(_("languages you speak"), default=list, blank=True)
    text_size = models.CharField(_("text size"), max_length=10, choices=TextSize.choices, default=TextSize.NORMAL)
    high_contrast = models.BooleanField(_("high contrast"), default=False)
    reduced_motion = models.BooleanField(_("less movement on the screen"), default=False)
    email_meeting_reminders = models.BooleanField(_("reminders before meetings"), default=True)
    email_mentions = models.BooleanField(_("when someone mentions me in a discussion"), default=True)
    email_weekly_digest = models.BooleanField(_("a weekly summary"), default=False)
    calendar_token = models.CharField(
        _("secret address of your calendar"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other people see: the display name, or the part of the address before the @."""
        return self.display_name or self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name
