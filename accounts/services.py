"""Every change to a person's profile and preferences."""

from allauth.usersessions.models import UserSession
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest

from chat.groups import user_group_name
from chat.services import author_messages_erase
from libraries.models import Library, Municipality
from resources.models import RemovalRequest, Resource, Visibility
from resources.services import resource_purge

from .models import TextSize, User, new_calendar_token
from .selectors import SESSION_DISPLAY_KEY


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    municipality: Municipality | None,
    home_library: Library | None,
    bio: str,
    languages: list[str],
) -> User:
    """Change what others see about the person and where they belong."""
    user.display_name = display_name.strip()
    user.municipality = municipality
    user.home_library = home_library
    user.bio = bio.strip()
    user.languages = sorted(set(languages))
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "municipality", "home_library", "bio", "languages"])
    return user


def display_preferences_set(
    *, request: HttpRequest, text_size: TextSize | str, high_contrast: bool, reduced_motion: bool
) -> None:
    """Store text size, contrast and motion: on the person when logged in, in the session for visitors."""
    choice = {"text_size": TextSize(text_size).value, "high_contrast": high_contrast, "reduced_motion": reduced_motion}
    if not request.user.is_authenticated:
        request.session[SESSION_DISPLAY_KEY] = choice
        return
    with transaction.atomic():
        user = request.user
        for field, value in choice.items():
            setattr(user, field, value)
        user.save(update_fields=list(choice))


@transaction.atomic
def email_preferences_update(*, user: User, meeting_reminders: bool, mentions: bool, weekly_digest: bool) -> User:
    """Which e-mails the person wants."""
    user.email_meeting_reminders = meeting_reminders
    user.email_mentions = mentions
    user.email_weekly_digest = weekly_digest
    user.save(update_fields=["email_meeting_reminders", "email_mentions", "email_weekly_digest"])
    return user


@transaction.atomic
def account_delete(*, user: User, keep_messages: bool) -> None:
    """Delete the person and their personal data, end every session and close their open sockets.

    Past chat messages either stay, shown as written by a deleted user, or lose their text.
    Material they shared only with a circle is deleted with its file; material shared with
    libraries or the public belongs to the library and stays, without their name on it.
    """
    user_id = user.pk
    if not keep_messages:
        author_messages_erase(author=user)
    for resource in Resource.objects.filter(created_by=user, visibility=Visibility.CIRCLE):
        resource_purge(resource)
    # A request for removal carries the name and address the person typed.
    RemovalRequest.objects.filter(requested_by=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    # The admin's history names the person in the text of entries about them.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)).delete()
    user.delete()

    def close_sockets() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group_name(user_id), {"type": "account.closed"})

    transaction.on_commit(close_sockets)


@transaction.atomic
def calendar_token_renew(*, user: User) -> str:
    """A new secret calendar address; the old one stops working at once."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
