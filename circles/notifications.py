"""E-mails about a person's place in a circle. Sent after the change commits, in the circle's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Membership

# What happened to the membership -> the template pair under templates/circles/email/.
MEMBERSHIP_EVENTS = {"joined", "pending", "waitlisted", "approved", "declined", "promoted", "removed", "banned"}


def site_url() -> str:
    """The site's address for links in e-mails sent outside a request (workers, after commit).

    Production serves the first of DJANGO_ALLOWED_HOSTS over HTTPS; on this machine the
    site is the one `make run` starts."""
    host = next((host for host in settings.ALLOWED_HOSTS if host not in ("*", "localhost", "127.0.0.1")), "")
    if not host:
        return "http://127.0.0.1:8000"
    return f"https://{host.lstrip('.')}"


def membership_changed(membership: Membership, event: str, *, message: str = "", position: int | None = None) -> None:
    """Tell the person by e-mail what happened to their place in the circle, once the change is committed."""
    if event not in MEMBERSHIP_EVENTS:
        raise ValueError(event)
    circle = membership.circle
    recipient = membership.user.email
    context = {
        "name": membership.user.name,
        "circle": circle,
        "circle_url": site_url() + circle.get_absolute_url(),
        "message": message.strip(),
        "position": position,
    }

    def send() -> None:
        with translation.override(circle.language or settings.LANGUAGE_CODE):
            subject = render_to_string(f"circles/email/membership_{event}_subject.txt", context).strip()
            body = render_to_string(f"circles/email/membership_{event}.txt", context)
        send_mail(subject, body, None, [recipient])

    transaction.on_commit(send)
