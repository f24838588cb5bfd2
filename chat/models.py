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

    @property
    def removed_by_facilitator(self) -> bool:
        """Deleted by someone other than its author (a facilitator's moderation)."""
        return self.deleted_at is not None and self.deleted_by_id is not None and self.deleted_by_id != self.author_id

    @property
    def reaction_summary(self) -> list[dict]:
        """Reactions in the fixed order with their count and who added them (uses prefetched reactions)."""
        from .protocol import REACTIONS

        users_by_emoji: dict[str, list[int]] = {}
        for reaction in self.reactions.all():
            users_by_emoji.setdefault(reaction.emoji, []).append(reaction.user_id)
        return [
            {"emoji": emoji, "count": len(users_by_emoji[emoji]), "users": sorted(users_by_emoji[emoji])}
            for emoji in REACTIONS
            if emoji in users_by_emoji
        ]


class Reaction(models.Model):
    """One person's reaction to a message (one of protocol.REACTIONS), at most once per emoji."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("message"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_reactions", verbose_name=_("person")
    )
    emoji = models.CharField(_("reaction"), max_length=16)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="chat_reaction_unique_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message}"


class ReadState(models.Model):
    """How far one person has read a room: every message up to `last_read_seq`. It only moves forward."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_states", verbose_name=_("room"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_read_states", verbose_name=_("person")
    )
    last_read_seq = models.PositiveBigIntegerField(_("read up to message number"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_read_state_unique_per_person")]

    def __str__(self) -> str:
        return f"{self.user} read {self.room} to #{self.last_read_seq}"
