import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    """The discussion room of one circle. `last_seq` is the highest message number handed out."""

    circle = models.OneToOneField(
        "circles.Circle", on_delete=models.CASCADE, related_name="room", verbose_name=_("circle")
    )
    last_seq = models.PositiveBigIntegerField(_("last message number"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("discussion room")
        verbose_name_plural = _("discussion rooms")

    def __str__(self) -> str:
        return str(self.circle)


class Message(models.Model):
    """A message in a room, numbered without gaps in the order it was stored (`seq`)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages", verbose_name=_("room"))
    seq = models.PositiveBigIntegerField(_("number in the room"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
        verbose_name=_("author"),
    )
    client_id = models.UUIDField(_("sender's message id"), default=uuid.uuid4)
    body = models.TextField(_("text"))
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        ordering = ["room", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_unique_seq"),
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="chat_message_unique_client_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.room}"
