"""Messages of the circle services' refusals (tests reuse them)."""

from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError

__all__ = ["ALREADY_MEMBER", "BANNED", "CIRCLE_NOT_OPEN", "NOT_ALLOWED", "ServiceError"]

NOT_ALLOWED = _("You are not allowed to do that.")
CIRCLE_NOT_OPEN = _("This circle is not open for sign-up.")
ALREADY_MEMBER = _("You are already in this circle.")
BANNED = _("You cannot join this circle.")
