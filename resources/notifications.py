"""E-mails about shared materials. Sent after the change commits, in Danish (the libraries' language)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from circles.notifications import site_url
from libraries.models import Library

from .models import RemovalRequest


def _send_after_commit(template: str, context: dict, recipients: list[str]) -> None:
    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"resources/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"resources/email/{template}.txt", context)
        send_mail(subject, body, None, recipients)

    if recipients:
        transaction.on_commit(send)


def library_recipients(library: Library) -> list[str]:
    """The library's own address and its active staff's."""
    return sorted(
        {role.user.email for role in library.staff.select_related("user") if role.user.is_active and role.user.email}
        | ({library.email} if library.email else set())
    )


def site_contacts() -> list[str]:
    """Whoever runs the site: settings.MANAGERS, else ADMINS, else the active superusers."""
    for configured in (settings.MANAGERS, settings.ADMINS):
        addresses = sorted({address for _name, address in configured if address})
        if addresses:
            return addresses
    return sorted(
        set(User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True))
    )


def removal_requested(request: RemovalRequest) -> None:
    """Tell the owner library's staff (and its own address) that someone asks for material to be taken down.

    A library with no address and no staff would never hear of it: the site's contacts get it instead.
    """
    library = request.library
    recipients = library_recipients(library)
    forwarded = not recipients
    if forwarded:
        recipients = site_contacts()
    context = {
        "removal": request,
        "resource": request.resource,
        "library": library,
        "forwarded": forwarded,
        "resource_url": site_url() + request.resource.get_absolute_url(),
        "requests_url": site_url() + reverse("resources:removal_requests", kwargs={"slug": library.slug}),
    }
    _send_after_commit("removal_requested", context, recipients)


def removal_answered(request: RemovalRequest) -> None:
    """Tell the person who asked what the library decided: the material is removed, or it stays and why."""
    context = {"removal": request, "library": request.library}
    _send_after_commit("removal_answered", context, [request.email])
