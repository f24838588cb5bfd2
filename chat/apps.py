from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    """Logging out ends the session: the sockets opened with it close at once (4401)."""
    from .services import session_sockets_close

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        session_sockets_close(user_id=user.pk, session_key=session_key)


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_close_sockets_on_logout, dispatch_uid="chat.close_sockets_on_logout")
