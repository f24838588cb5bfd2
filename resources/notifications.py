"""E-mails about shared materials. Sent after the change commits, in Danish (the libraries' language)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from circles.notifications import site_url

from .models import RemovalRequest


def removal_requested(request: RemovalRequest) -> None:
    """Tell the owner library's staff (and its own address) that someone asks for material to be taken down."""
    resource = request.resource
    library = resource.owner_library
    recipients = sorted(
        {role.user.email for role in library.staff.select_related("user") if role.user.is_active and role.user.email}
        | ({library.email} if library.email else set())
    )
    context = {
        "removal": request,
        "resource": resource,
        "library": library,
        "resource_url": site_url() + resource.get_absolute_url(),
    }

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("resources/email/removal_requested_subject.txt", context).strip()
            body = render_to_string("resources/email/removal_requested.txt", context)
        send_mail(subject, body, None, recipients)

    if recipients:
        transaction.on_commit(send)
