"""allauth's adapter with Cirkler's plain words for the errors people meet most."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The e-mail address or the password is not right. You can also log in with a code sent to your e-mail."
        ),
        "too_many_login_attempts": _(
            "That was too many tries. Wait a few minutes, or log in with a code sent to your e-mail."
        ),
        "incorrect_code": _("The code is not right. Check the e-mail we sent you and type the code again."),
        "email_taken": _("Someone has already signed up with this e-mail address. Try logging in instead."),
        "rate_limited": _("Please wait a moment before you try again."),
    }
