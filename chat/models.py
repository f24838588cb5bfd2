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
    locked = models.BooleanField(_("paused by a facilitator"), default=False)
    slow_mode_seconds = models.PositiveIntegerField(_("seconds between messages per person"), default=0)
    # Every stored change (a new message, an edit, a deletion, a reaction) gets the next number
    # under the same row lock as seq, so `resume` can replay changes without gaps.
    last_change_seq = models.PositiveBigIntegerField(_("last change number"), default=0)
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
    changed_seq = models.PositiveBigIntegerField(_("change number in the room"), default=0)
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

    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pinned by"),
    )

    class Meta:
        ordering = ["room", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_unique_seq"),
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="chat_message_unique_client_id"),
        ]
        indexes = [
            models.Index(fields=["room", "changed_seq"], name="chat_message_room_changed"),
            # The pinned list is read on every room page: a few rows, found without reading the room.
            models.Index(
                fields=["room", "-pinned_at"],
                name="chat_message_room_pinned",
                condition=models.Q(pinned_at__isnull=False, deleted_at__isnull=True),
            ),
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


class Mention(models.Model):
    """A person named with @ in a message. `emailed_at` is set when they were told by e-mail."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("message"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_mentions", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("mentioned"), default=timezone.now)
    emailed_at = models.DateTimeField(_("told by e-mail"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="chat_mention_unique_per_person")]

    def __str__(self) -> str:
        return f"{self.user} in {self.message}"


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("It is rude or hurtful")
    FALSE = "false", _("It is untrue or misleading")
    PRIVATE = "private", _("It shares private information")
    SPAM = "spam", _("It is advertising or spam")
    OTHER = "other", _("Something else")


class ReportState(models.TextChoices):
    OPEN = "open", _("open")
    REMOVED = "removed", _("message removed")
    DISMISSED = "dismissed", _("dismissed")
    MUTED = "muted", _("author muted")


class Report(models.Model):
    """A member's report of a message to the circle's facilitators. One open report per person per message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_reports", verbose_name=_("reported by")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    text = models.TextField(_("what the person wrote"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.OPEN)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("handled"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=models.Q(state="open"),
                name="chat_report_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["state", "message"], name="chat_report_state")]

    def __str__(self) -> str:
        return f"report of {self.message}"


class ModerationKind(models.TextChoices):
    MUTE = "mute", _("muted a member")
    UNMUTE = "unmute", _("let a member write again")
    LOCK = "lock", _("paused the conversation")
    UNLOCK = "unlock", _("opened the conversation again")
    SLOW_MODE = "slow_mode", _("changed the time between messages")
    PIN = "pin", _("pinned a message")
    UNPIN = "unpin", _("unpinned a message")
    REMOVE = "remove", _("removed a message")
    DISMISS = "dismiss", _("dismissed a report")


class ModerationAction(models.Model):
    """The audit log of a room: which facilitator did what, to whom, when."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="moderation_actions", verbose_name=_("room"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("done by")
    )
    kind = models.CharField(_("action"), max_length=12, choices=ModerationKind.choices)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("message")
    )
    seconds = models.PositiveIntegerField(_("seconds"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        indexes = [models.Index(fields=["room", "-created_at"], name="chat_moderation_room")]

    def __str__(self) -> str:
        return f"{self.kind} in {self.room}"
