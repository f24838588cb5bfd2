"""Content-Security-Policy with the websocket origin of the requested host in connect-src."""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.http import HttpRequest, HttpResponseBase


def websocket_origin(request: HttpRequest) -> str:
    """wss://host over HTTPS, ws://host over plain HTTP (development and the tests)."""
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}"


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, extended as its docs intend (get_policy_parts): the chat socket.

    'self' covers ws: and wss: of the same host in current browsers (CSP level 3), but not in
    older ones; naming the origin keeps the chat working there too. The host is the one Django
    has already checked against ALLOWED_HOSTS, so no other origin can get in this way.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            origin = websocket_origin(request)
        except Exception:  # DisallowedHost: the response is already an error page; keep the base policy.
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), origin]
        parts.update = update
        return parts
