"""allauth's session list, kept up to date without a database write on every request."""

from collections.abc import Callable

from allauth.account.adapter import get_adapter
from allauth.usersessions.internal import usersessionkit
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

# How stale "last seen" on the sessions page may be. A new address or browser is written at once.
SESSION_SEEN_EVERY_SECONDS = 60
MAX_USER_AGENT = UserSession._meta.get_field("user_agent").max_length


def _seen_key(session_key: str) -> str:
    return f"usersessions:seen:{session_key}"


class UserSessionsMiddleware:
    """allauth.usersessions.middleware.UserSessionsMiddleware, writing at most once a minute per session.

    allauth writes the session's row (a transaction, two reads and an update) on every request, the
    bare page included. Here the cache remembers which person, address and browser were last written
    for the session, and the row is written again only when one of them changed or a minute passed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and session.session_key:
            key = _seen_key(session.session_key)
            seen = (
                user.pk,
                get_adapter().get_client_ip(request),
                request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT],
            )
            if cache.get(key) != seen:
                usersessionkit.track_activity(request, user=user, session=session)
                cache.set(key, seen, SESSION_SEEN_EVERY_SECONDS)
        return self.get_response(request)
