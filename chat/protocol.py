"""The discussion protocol: every websocket frame in both directions, its limits, error and close codes.

The consumer, the services that publish events and the browser client follow this module
and no other; `docs/protocol.md` is generated from it by `protocol_markdown()`.
"""

import dataclasses
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Annotated, Any, ClassVar, Literal, TypedDict, get_type_hints

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------- limits

MAX_BODY_CHARS = 4000
# A frame is measured in characters of JSON text. The largest valid `send` (4,000 characters
# written as \uXXXX\uXXXX surrogate-pair escapes, 12 characters each) must still fit.
MAX_FRAME_CHARS = 65_536
# `resume` answers in batches of this many `message` frames until it has caught up.
RESUME_BATCH = 200
# A `resume` from further back than this many messages sends only the newest ones, after a
# `skipped` frame; the older history is on the room's HTTP page.
RESUME_MAX = 500
# An open room socket re-checks the person's access this often, besides on every frame.
ACCESS_RECHECK_SECONDS = 60
# Mentions: at most one e-mail per person per room in this many seconds.
MENTION_EMAIL_INTERVAL_SECONDS = 3600
# Ids, seqs and `after` are PostgreSQL bigints.
MAX_INT = 2**63 - 1
# The reactions a person can add to a message.
REACTIONS: tuple[str, ...] = ("👍", "❤️", "😊", "😂", "🎉", "🙏")
# How often a client should send `typing` while a person types, and how long a hint lasts.
TYPING_INTERVAL_SECONDS = 3
TYPING_HINT_SECONDS = 6
# Text fields may hold line breaks and tabs but no other control characters (PostgreSQL
# refuses NUL) and no lone surrogates (they cannot be stored as UTF-8).
ALLOWED_CONTROL_CHARACTERS = frozenset("\n\r\t")
# Moderation: how many messages a room may have pinned, the mute lengths and slow-mode steps a
# facilitator chooses from, and the reasons (chat.models.ReportReason) a member reports a message for.
MAX_PINS = 5
MUTE_SECONDS: tuple[int, ...] = (3600, 86_400, 604_800)
SLOW_MODE_SECONDS: tuple[int, ...] = (0, 10, 30, 60, 300)
REPORT_REASONS: tuple[str, ...] = ("offensive", "false", "private", "spam", "other")
MAX_REPORT_TEXT_CHARS = 1000


@dataclass(frozen=True)
class RateLimit:
    """At most `frames` client frames of the given types (all types when empty) in any `seconds` window, per connection."""

    frames: int
    seconds: float
    types: frozenset[str] = frozenset()

    def counts(self, frame_type: str | None) -> bool:
        """Unread frames (None) count against the limits for all frames; a frame type against those naming it."""
        return frame_type in self.types if frame_type is not None else not self.types


WRITE_TYPES = frozenset({"send", "edit", "delete", "react"})
RATE_LIMITS: tuple[RateLimit, ...] = (
    RateLimit(frames=30, seconds=10.0),
    RateLimit(frames=10, seconds=10.0, types=WRITE_TYPES),
)
MODERATION_TYPES = frozenset({"pin", "unpin", "report", "mute", "unmute", "lock", "unlock", "slow_mode"})
RATE_LIMITS += (RateLimit(frames=10, seconds=10.0, types=MODERATION_TYPES),)

# ---------------------------------------------------------------------------- codes


class CloseCode(IntEnum):
    """Why the server closed the socket. A client does not reconnect after 4401, 4403 or 4404."""

    NOT_LOGGED_IN = 4401
    FORBIDDEN = 4403
    NO_SUCH_ROOM = 4404


CLOSE_CODE_DOCS: dict[CloseCode, str] = {
    CloseCode.NOT_LOGGED_IN: "The socket has no logged-in session, or its session logged out while connected.",
    CloseCode.FORBIDDEN: "The person is not (or no longer) an active member of the circle: never joined, "
    "pending, waitlisted, removed or banned, or their account was deleted. Sent at connect and at once "
    "when access is lost while connected.",
    CloseCode.NO_SUCH_ROOM: "There is no room with this id.",
}
FINAL_CLOSE_CODES = frozenset(CloseCode)


class ErrorCode(StrEnum):
    """The stable `code` of an `error` frame (services raise the same codes)."""

    BAD_JSON = "bad_json"
    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_FIELD = "invalid_field"
    RATE_LIMITED = "rate_limited"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_MEMBER = "not_a_member"
    MUTED = "muted"
    NO_SUCH_MESSAGE = "no_such_message"
    NOT_ALLOWED = "not_allowed"
    DELETED = "deleted"
    NOT_MODERATOR = "not_moderator"
    ROOM_LOCKED = "room_locked"
    SLOW_MODE = "slow_mode"
    NO_SUCH_MEMBER = "no_such_member"
    TOO_MANY_PINS = "too_many_pins"
    ALREADY_REPORTED = "already_reported"
    OWN_MESSAGE = "own_message"
    SERVER_ERROR = "server_error"


ERROR_DETAILS: dict[ErrorCode, Promise] = {
    ErrorCode.BAD_JSON: _("The message could not be read."),
    ErrorCode.BAD_FRAME: _("The message could not be understood."),
    ErrorCode.FRAME_TOO_LARGE: _("The message is too large."),
    ErrorCode.UNKNOWN_TYPE: _("The message could not be understood."),
    ErrorCode.INVALID_FIELD: _("The message has a missing or wrong part."),
    ErrorCode.RATE_LIMITED: _("You are sending very fast. Wait a moment and try again."),
    ErrorCode.EMPTY: _("Write something before you send."),
    ErrorCode.TOO_LONG: _("The message is too long."),
    ErrorCode.NOT_A_MEMBER: _("Only members of the circle can write here."),
    ErrorCode.MUTED: _("A facilitator has paused your writing in this circle for a while."),
    ErrorCode.NO_SUCH_MESSAGE: _("That message is not in this discussion."),
    ErrorCode.NOT_ALLOWED: _("You can only change your own messages."),
    ErrorCode.DELETED: _("That message has been deleted."),
    ErrorCode.NOT_MODERATOR: _("Only the facilitators of the circle can do that."),
    ErrorCode.ROOM_LOCKED: _("The facilitator has paused the conversation. You can read, but not write, for now."),
    ErrorCode.SLOW_MODE: _("Slow mode is on. Wait a little before you send your next message."),
    ErrorCode.NO_SUCH_MEMBER: _("That person is not a member who can be muted here."),
    ErrorCode.TOO_MANY_PINS: _("Too many messages are pinned. Unpin one first."),
    ErrorCode.ALREADY_REPORTED: _("You have already reported this message. The facilitators will look at it."),
    ErrorCode.OWN_MESSAGE: _("You cannot report your own message."),
    ErrorCode.SERVER_ERROR: _("Something went wrong. Try again in a moment."),
}
ERROR_CODE_DOCS: dict[ErrorCode, str] = {
    ErrorCode.BAD_JSON: "The frame is not valid JSON text (or nests too deeply).",
    ErrorCode.BAD_FRAME: "The frame is binary, or its JSON is not an object with a string `type`.",
    ErrorCode.FRAME_TOO_LARGE: f"The frame is longer than {MAX_FRAME_CHARS:,} characters.",
    ErrorCode.UNKNOWN_TYPE: "`type` names no client frame.",
    ErrorCode.INVALID_FIELD: "A field is missing, of the wrong kind, out of range, or not part of the frame; "
    "`field` names it.",
    ErrorCode.RATE_LIMITED: "The connection went over a rate limit; the frame was not acted on.",
    ErrorCode.EMPTY: "The text is empty after trimming white space.",
    ErrorCode.TOO_LONG: f"The text is longer than {MAX_BODY_CHARS:,} characters after trimming.",
    ErrorCode.NOT_A_MEMBER: "The person may not write here (not an active member).",
    ErrorCode.MUTED: "A facilitator has muted the person for a while; `until` says when they may write again.",
    ErrorCode.NO_SUCH_MESSAGE: "The `id` (or `reply_to`) names no message of this room.",
    ErrorCode.NOT_ALLOWED: "Only the author may edit a message; only the author or a facilitator may delete it.",
    ErrorCode.DELETED: "The message is deleted and cannot be edited, reacted to, pinned or reported.",
    ErrorCode.NOT_MODERATOR: "The frame (`pin`, `unpin`, `mute`, `unmute`, `lock`, `unlock`, `slow_mode`) is for "
    "those who run the circle.",
    ErrorCode.ROOM_LOCKED: "A facilitator has locked the room read-only: `send`, `edit` and `react` are refused "
    "for everyone but the facilitators.",
    ErrorCode.SLOW_MODE: "Slow mode is on and the person's last message is too recent; `retry_after` says in how "
    "many seconds they may send. Facilitators are not slowed.",
    ErrorCode.NO_SUCH_MEMBER: "`user` names no active member of the circle with the member role (facilitators "
    "cannot be muted).",
    ErrorCode.TOO_MANY_PINS: f"The room already has {MAX_PINS} pinned messages.",
    ErrorCode.ALREADY_REPORTED: "The person has an open report of this message already.",
    ErrorCode.OWN_MESSAGE: "A person cannot report their own message.",
    ErrorCode.SERVER_ERROR: "The server failed to act on a valid frame; nothing was half-stored. Try again.",
}


class ProtocolError(Exception):
    """A refused client frame, answered with an `error` frame (the socket stays open)."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        field: str | None = None,
        frame: str | None = None,
        ref: str | int | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(code)
        self.extra = extra or {}
        self.code = ErrorCode(code)
        self.field = field
        self.frame = frame
        self.ref = ref


# ---------------------------------------------------------------------------- client frames


class Kind(StrEnum):
    """What a client field holds."""

    UUID = "uuid"
    TEXT = "text"
    INT = "int"
    EMOJI = "emoji"


KIND_DOCS: dict[Kind, str] = {
    Kind.UUID: "a UUID string",
    Kind.TEXT: "a string",
    Kind.INT: f"an integer from 0 to {MAX_INT}",
    Kind.EMOJI: "one of " + " ".join(REACTIONS),
}


def client_field(kind: Kind, doc: str, *, optional: bool = False) -> Any:
    """A client frame field: its kind and documentation travel in the dataclass metadata."""
    metadata = {"kind": kind, "doc": doc, "optional": optional}
    if optional:
        return field(default=None, metadata=metadata)
    return field(metadata=metadata)


@dataclass(frozen=True)
class Send:
    """Store a message in the room. The server answers the sender with the stored `message` (the acknowledgement) and broadcasts it to the room. A repeated `client_id` stores nothing new and answers with the original message."""

    type: ClassVar[str] = "send"
    client_id: uuid.UUID = client_field(  # noqa: RUF009  (metadata, not a shared default)
        Kind.UUID, "Made by the client for this message; reuse it when retrying."
    )
    body: str = client_field(
        Kind.TEXT, f"The text (Markdown subset), at most {MAX_BODY_CHARS:,} characters after trimming."
    )
    reply_to: int | None = client_field(Kind.INT, "The `id` of the message this one answers.", optional=True)


@dataclass(frozen=True)
class Resume:
    """Send every message of the room with `seq > after`, in order (in batches), then `resumed`. Send it on every (re)connect and whenever a gap in `seq` is seen. With `changed_after`, the messages up to `after` that changed since (edited, deleted, reacted to) follow, in change order, before `resumed`."""

    type: ClassVar[str] = "resume"
    after: int = client_field(Kind.INT, "The highest `seq` the client holds with no gap below it (0 for none).")
    changed_after: int | None = client_field(
        Kind.INT, "The `last_change_seq` of the client's previous `resumed` (or of the page it loaded).", optional=True
    )


@dataclass(frozen=True)
class Edit:
    """Change the text of one's own message; it is marked edited and broadcast again as a `message` frame."""

    type: ClassVar[str] = "edit"
    id: int = client_field(Kind.INT, "The message's `id`.")
    body: str = client_field(Kind.TEXT, f"The new text, at most {MAX_BODY_CHARS:,} characters after trimming.")


@dataclass(frozen=True)
class Delete:
    """Delete one's own message, or (a facilitator) anyone's. Soft: the row and its `seq` stay; frames carry an empty `body`."""

    type: ClassVar[str] = "delete"
    id: int = client_field(Kind.INT, "The message's `id`.")


@dataclass(frozen=True)
class React:
    """Add the person's reaction to a message, or take it away if it is there (a toggle)."""

    type: ClassVar[str] = "react"
    id: int = client_field(Kind.INT, "The message's `id`.")
    emoji: str = client_field(Kind.EMOJI, "The reaction.")


@dataclass(frozen=True)
class Typing:
    """The person is typing (best effort, never stored). Others get a `typing` frame."""

    type: ClassVar[str] = "typing"


@dataclass(frozen=True)
class Read:
    """The person has read the room up to `seq`. Read state only moves forward and never past the room's last message."""

    type: ClassVar[str] = "read"
    seq: int = client_field(Kind.INT, "The highest `seq` the person has seen.")


ClientFrame = Send | Resume | Edit | Delete | React | Typing | Read
CLIENT_FRAMES: dict[str, type[ClientFrame]] = {
    frame.type: frame for frame in (Send, Resume, Edit, Delete, React, Typing, Read)
}


@dataclass(frozen=True)
class Pin:
    """(Facilitators) Pin a message to the top of the room; everyone gets `pins`. At most MAX_PINS per room."""

    type: ClassVar[str] = "pin"
    id: int = client_field(Kind.INT, "The message's `id`.")


@dataclass(frozen=True)
class Unpin:
    """(Facilitators) Take a message off the pinned list; everyone gets `pins`."""

    type: ClassVar[str] = "unpin"
    id: int = client_field(Kind.INT, "The message's `id`.")


@dataclass(frozen=True)
class Report:
    """Report someone else's message to the circle's facilitators. Answered with `done`; the author is never told who reported it. One open report per person per message."""

    type: ClassVar[str] = "report"
    id: int = client_field(Kind.INT, "The message's `id`.")
    reason: str = client_field(Kind.TEXT, "One of " + ", ".join(f"`{reason}`" for reason in REPORT_REASONS) + ".")
    text: str | None = client_field(
        Kind.TEXT, f"What the person wants to add, at most {MAX_REPORT_TEXT_CHARS:,} characters.", optional=True
    )


@dataclass(frozen=True)
class Mute:
    """(Facilitators) Stop a member from writing for a while; they still read. Their sockets get `room_state` at once."""

    type: ClassVar[str] = "mute"
    user: int = client_field(Kind.INT, "The member's id.")
    seconds: int = client_field(Kind.INT, "How long: one of " + ", ".join(str(value) for value in MUTE_SECONDS) + ".")


@dataclass(frozen=True)
class Unmute:
    """(Facilitators) Let a muted member write again; their sockets get `room_state`."""

    type: ClassVar[str] = "unmute"
    user: int = client_field(Kind.INT, "The member's id.")


@dataclass(frozen=True)
class Lock:
    """(Facilitators) Pause the conversation: the room becomes read-only for everyone but its facilitators. Everyone gets `room_state`."""

    type: ClassVar[str] = "lock"


@dataclass(frozen=True)
class Unlock:
    """(Facilitators) Open a paused conversation again. Everyone gets `room_state`."""

    type: ClassVar[str] = "unlock"


@dataclass(frozen=True)
class SlowMode:
    """(Facilitators) Set the least number of seconds between two messages of one person (0 turns it off). Everyone gets `room_state`."""

    type: ClassVar[str] = "slow_mode"
    seconds: int = client_field(
        Kind.INT, "One of " + ", ".join(str(value) for value in SLOW_MODE_SECONDS) + " (0: off)."
    )


MODERATION_FRAMES: tuple[type, ...] = (Pin, Unpin, Report, Mute, Unmute, Lock, Unlock, SlowMode)
CLIENT_FRAMES.update({frame.type: frame for frame in MODERATION_FRAMES})


def _reject_json_constant(name: str) -> Any:
    raise ValueError(name)


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(
        (ord(character) < 32 or ord(character) == 127) and character not in ALLOWED_CONTROL_CHARACTERS
        for character in value
    )


def _field_value(kind: Kind, raw: Any) -> Any:
    """The field's value, or raise ValueError."""
    if kind == Kind.UUID:
        if not isinstance(raw, str) or len(raw) > 36:
            raise ValueError
        return uuid.UUID(raw)
    if kind == Kind.INT:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_INT:
            raise ValueError
        return raw
    if kind == Kind.EMOJI:
        if raw not in REACTIONS:
            raise ValueError
        return raw
    # The length of a text is the service's question (`too_long` is measured after trimming).
    if not isinstance(raw, str) or not _valid_text(raw):
        raise ValueError
    return raw


def _ref(data: dict) -> str | int | None:
    """What an error frame points back to: the send's client_id or the message id, when readable."""
    for key in ("client_id", "id"):
        value = data.get(key)
        if isinstance(value, str) and len(value) <= 36:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT:
            return value
    return None


def parse_client_frame(text: str) -> ClientFrame:
    """Validate one text frame from a client against the frame definitions above, or raise ProtocolError."""
    if len(text) > MAX_FRAME_CHARS:
        raise ProtocolError(ErrorCode.FRAME_TOO_LARGE)
    try:
        data = json.loads(text, parse_constant=_reject_json_constant)
    except (ValueError, RecursionError):
        raise ProtocolError(ErrorCode.BAD_JSON) from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError(ErrorCode.BAD_FRAME)
    frame_type = data["type"]
    frame_class = CLIENT_FRAMES.get(frame_type)
    ref = _ref(data)
    if frame_class is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, ref=ref)
    fields = {frame_field.name: frame_field for frame_field in dataclasses.fields(frame_class)}
    for key in data:
        if key != "type" and key not in fields:
            raise ProtocolError(ErrorCode.INVALID_FIELD, field=str(key)[:64], frame=frame_type, ref=ref)
    values = {}
    for name, frame_field in fields.items():
        meta = frame_field.metadata
        raw = data.get(name)
        if raw is None:
            if meta["optional"]:
                continue
            raise ProtocolError(ErrorCode.INVALID_FIELD, field=name, frame=frame_type, ref=ref)
        try:
            values[name] = _field_value(meta["kind"], raw)
        except (ValueError, TypeError, AttributeError):
            raise ProtocolError(ErrorCode.INVALID_FIELD, field=name, frame=frame_type, ref=ref) from None
    return frame_class(**values)


def frame_ref(frame: ClientFrame) -> str | int | None:
    """What an error about this (valid) frame points back to."""
    if isinstance(frame, Send):
        return str(frame.client_id)
    return getattr(frame, "id", None)


class RateLimiter:
    """Sliding-window counters for one connection (kept in memory, never shared).

    Ask once per frame before reading it (`allow(None)`: the limits for all frames) and once
    more with its type after reading it (the limits that name the type).
    """

    def __init__(self, limits: tuple[RateLimit, ...], clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.windows: list[list[float]] = [[] for _limit in limits]

    def allow(self, frame_type: str | None) -> bool:
        """Count the frame and say whether it is within every limit that applies to it."""
        now = self.clock()
        applicable = []
        for limit, window in zip(self.limits, self.windows, strict=True):
            if not limit.counts(frame_type):
                continue
            while window and window[0] <= now - limit.seconds:
                window.pop(0)
            applicable.append((limit, window))
        if any(len(window) >= limit.frames for limit, window in applicable):
            return False
        for _limit, window in applicable:
            window.append(now)
        return True


# ---------------------------------------------------------------------------- server frames
# Annotated[..., "doc"] carries each field's documentation into docs/protocol.md.


class Author(TypedDict):
    id: Annotated[int, "The person's id."]
    name: Annotated[str, "The name they show."]


class ReactionCount(TypedDict):
    emoji: Annotated[str, "One of the reactions."]
    count: Annotated[int, "How many people added it."]
    users: Annotated[list[int], "Their ids."]


class ReplyRef(TypedDict):
    id: Annotated[int, "The answered message's id."]
    seq: Annotated[int, "Its seq."]


class MessagePayload(TypedDict):
    id: Annotated[int, "The message's id (for `edit`, `delete`, `react`, `reply_to`)."]
    seq: Annotated[int, "Its number in the room: 1, 2, 3 … strictly increasing, no gaps."]
    client_id: Annotated[str, "The sender's `client_id`."]
    author: Annotated[Author | None, "The sender, or null when their account is deleted."]
    body: Annotated[str, "The Markdown text; empty when deleted."]
    html: Annotated[str, "The message rendered by the server (sanitized) in the socket's language; insert as is."]
    created: Annotated[str, "When it was stored (ISO 8601 with offset)."]
    edited: Annotated[str | None, "When it was last edited, or null."]
    deleted: Annotated[bool, "Deleted (soft)."]
    removed_by_facilitator: Annotated[bool, "Deleted by a facilitator, not by its author."]
    reply_to: Annotated[ReplyRef | None, "The message it answers, or null."]
    reactions: Annotated[list[ReactionCount], "Reactions in the fixed order, only those with a count."]
    changed_seq: Annotated[
        int, "The room's change number of its latest change: a client ignores a frame older than what it holds."
    ]
    mentions: Annotated[list[int], "The ids of the people named with @ in it."]


class MessageFrame(TypedDict):
    """A stored message: new, a retried `send` answered again, part of a `resume`, or changed (edited, deleted, reacted to). A client keeps one per `seq`: it replaces the one it holds and inserts a new one in `seq` order."""

    type: Literal["message"]
    message: Annotated[MessagePayload, "The message."]


class ErrorFrame(TypedDict):
    """A refused client frame. The socket stays open; the frame had no effect."""

    type: Literal["error"]
    code: Annotated[str, "A stable error code (below)."]
    detail: Annotated[str, "A sentence for people, in the socket's language."]
    frame: Annotated[str | None, "The refused frame's `type`, when it could be read."]
    field: Annotated[str | None, "The field at fault, for `invalid_field`."]
    ref: Annotated[str | int | None, "The refused `send`'s `client_id`, or the `id` the frame named."]
    until: Annotated[str, "Only with `muted`: when the person may write again (ISO 8601 with offset)."]
    retry_after: Annotated[int, "Only with `slow_mode`: in how many seconds the person may send again."]


class ResumedFrame(TypedDict):
    """The end of a `resume`: every message up to `last_seq` has been sent; live `message` frames follow."""

    type: Literal["resumed"]
    last_seq: Annotated[int, "The room's highest seq when the resume finished."]
    last_change_seq: Annotated[
        int,
        "The room's change number the replayed changes reach: send it as `changed_after` next time. Without "
        "`changed_after` in the `resume`, the room's change number when it began (a cursor only for `after` 0).",
    ]


class SkippedFrame(TypedDict):
    """The first answer to a `resume` from further back than the resume limit (see Limits): only the newest messages follow; those up to `up_to` are on the room's HTTP history page. With `changes`, sent before `resumed` instead of more changes than the limit: the changes to the messages up to `up_to` were not sent."""

    type: Literal["skipped"]
    up_to: Annotated[int, "The highest seq not sent: hold it as if seen and offer a link to the history page."]
    changes: Annotated[
        bool,
        "True: the messages up to `up_to` changed more than a resume replays; drop the ones held (they may be "
        "out of date) and offer the history page, where they are as they are now.",
    ]


class PresenceFrame(TypedDict):
    """Who has the room open now (best effort, never stored). Sent after connecting and whenever it changes."""

    type: Literal["presence"]
    users: Annotated[list[Author], "Everyone connected, the receiver included, each once."]


class TypingFrame(TypedDict):
    """Someone else is typing (best effort, never stored). Show a hint for a few seconds."""

    type: Literal["typing"]
    user: Annotated[Author, "Who is typing."]


class RoomUnread(TypedDict):
    room: Annotated[int, "The room's id."]
    circle: Annotated[int, "Its circle's id."]
    unread: Annotated[int, "Messages by others past the person's read state."]
    mentions: Annotated[int, "Of those, the ones that name the person with @."]


class UnreadFrame(TypedDict):
    """On the person's own socket (`/ws/me/`): the unread counts of every room they are an active member of. Sent after connecting and whenever a count changes."""

    type: Literal["unread"]
    rooms: Annotated[list[RoomUnread], "One entry per room."]
    total: Annotated[int, "The sum of `unread`."]
    mentions: Annotated[int, "The sum of `mentions`."]


SERVER_FRAMES: tuple[type, ...] = (
    MessageFrame,
    ErrorFrame,
    ResumedFrame,
    SkippedFrame,
    PresenceFrame,
    TypingFrame,
    UnreadFrame,
)


def message_frame(payload: MessagePayload) -> MessageFrame:
    return {"type": "message", "message": payload}


def error_frame(error: ProtocolError, detail: str | None = None) -> ErrorFrame:
    """The answer to a refused frame; `detail` overrides the code's standard sentence."""
    return {
        "type": "error",
        "code": str(error.code),
        "detail": str(detail if detail is not None else ERROR_DETAILS[error.code]),
        "frame": error.frame,
        "field": error.field,
        "ref": error.ref,
        **error.extra,
    }


def resumed_frame(last_seq: int, last_change_seq: int = 0) -> ResumedFrame:
    return {"type": "resumed", "last_seq": last_seq, "last_change_seq": last_change_seq}


def skipped_frame(up_to: int, *, changes: bool = False) -> SkippedFrame:
    return {"type": "skipped", "up_to": up_to, "changes": changes}


def unread_frame(rooms: list[RoomUnread]) -> UnreadFrame:
    return {
        "type": "unread",
        "rooms": rooms,
        "total": sum(room["unread"] for room in rooms),
        "mentions": sum(room["mentions"] for room in rooms),
    }


def presence_frame(users: list[Author]) -> PresenceFrame:
    return {"type": "presence", "users": users}


def typing_frame(user: Author) -> TypingFrame:
    return {"type": "typing", "user": user}


class RoomStateFrame(TypedDict):
    """The room's rules as they apply to the receiver: sent to everyone when a facilitator locks, unlocks or changes slow mode, to a person's sockets when they are muted or unmuted, and after `presence` on connect unless all is ordinary (not locked, no slow mode, not muted). A client resets to the ordinary state when its socket opens."""

    type: Literal["room_state"]
    locked: Annotated[bool, "Paused by a facilitator: only facilitators may write."]
    slow_mode_seconds: Annotated[int, "The least number of seconds between two messages of one person (0: off)."]
    muted_until: Annotated[str | None, "When the receiver may write again (ISO 8601), or null when not muted."]
    moderator: Annotated[bool, "The receiver runs the circle: locks and slow mode do not hold them back."]


class PinnedMessage(TypedDict):
    id: Annotated[int, "The message's id."]
    seq: Annotated[int, "Its seq."]
    author: Annotated[Author | None, "Its sender, or null when their account is deleted."]
    body: Annotated[str, "Its Markdown text."]
    pinned: Annotated[str, "When it was pinned (ISO 8601 with offset)."]


class PinsFrame(TypedDict):
    """The room's pinned messages, newest pin first: sent to everyone when a facilitator pins or unpins, and after `presence` on connect when there are any. Replace the list shown (an empty list: none)."""

    type: Literal["pins"]
    pins: Annotated[list[PinnedMessage], "The pinned messages (deleted ones are left out)."]
    html: Annotated[str, "The pinned list rendered by the server in the socket's language; insert as is."]


class DoneFrame(TypedDict):
    """A `report` or moderation frame was acted on. Only the sender gets it; the effects arrive as their own frames."""

    type: Literal["done"]
    frame: Annotated[str, "The acted-on frame's `type`."]
    ref: Annotated[int | None, "The `id` or `user` the frame named."]
    detail: Annotated[str, "A sentence for people, in the socket's language."]


class ReportsFrame(TypedDict):
    """To facilitators only: how many reports of messages in this room are open. Sent after `presence` on connect when there are any, and whenever the number changes."""

    type: Literal["reports"]
    open: Annotated[int, "Open reports."]


SERVER_FRAMES += (RoomStateFrame, PinsFrame, DoneFrame, ReportsFrame)
MODERATION_NESTED: tuple[type, ...] = (PinnedMessage,)


def room_state_frame(
    *, locked: bool, slow_mode_seconds: int, muted_until: str | None, moderator: bool
) -> RoomStateFrame:
    return {
        "type": "room_state",
        "locked": locked,
        "slow_mode_seconds": slow_mode_seconds,
        "muted_until": muted_until,
        "moderator": moderator,
    }


def pins_frame(pins: list[PinnedMessage], html: str) -> PinsFrame:
    return {"type": "pins", "pins": pins, "html": html}


def done_frame(frame_type: str, ref: int | None, detail: str) -> DoneFrame:
    return {"type": "done", "frame": frame_type, "ref": ref, "detail": detail}


def reports_frame(open_reports: int) -> ReportsFrame:
    return {"type": "reports", "open": open_reports}


# ---------------------------------------------------------------------------- channel-layer events
# Between processes, never seen by clients. Handlers are named after the type with "." as "_".


class Event(StrEnum):
    """The `type` of a channel-layer event a room socket handles."""

    MESSAGE = "chat.message"
    PRESENCE = "chat.presence"
    TYPING = "chat.typing"
    # Sent by accounts.services.account_delete and circles.services (membership removal) to the person's group.
    ACCOUNT_CLOSED = "account.closed"
    MEMBERSHIP_REVOKED = "membership.revoked"
    ROOM_STATE = "chat.room_state"
    MUTED = "chat.muted"
    PINS = "chat.pins"
    REPORTS = "chat.reports"
    ACTIVITY = "chat.activity"
    READ = "chat.read"
    SESSION_ENDED = "session.ended"


class PresenceAction(StrEnum):
    JOIN = "join"
    HERE = "here"
    LEAVE = "leave"


EVENT_DOCS: dict[Event, str] = {
    Event.MESSAGE: "On the room's stream (chat.hub: Redis pub/sub, or the room group of the in-memory layer), "
    "after commit: a new or changed message, with its HTML in every site language (`html` by language code) and "
    "`new` (true for a new message). Each process's hub writes it to its sockets as a `message` frame in each "
    "socket's language.",
    Event.PRESENCE: "On the room's stream, with `origin` (the sending process): `join` (a socket opened) and "
    "`leave` (it closed), with `channel` and `user`; `here`, with `sockets` ({channel: user}), is each other "
    "process's one answer to a `join`, so the newcomer's process learns who is there. Each hub keeps who is "
    "present and sends its sockets one `presence` frame per change.",
    Event.TYPING: "On the room's stream: `user` is typing (from `channel`); each hub tells its other people's sockets.",
    Event.ACCOUNT_CLOSED: "To the person's group: their account is gone. Every socket of theirs closes with 4403.",
    Event.MEMBERSHIP_REVOKED: "To the person's group, with `circle_id`: removed or banned. Their sockets in that "
    "circle's room close with 4403.",
    Event.ROOM_STATE: "To the room group, after commit: `locked` and `slow_mode_seconds` changed. Each socket sends "
    "`room_state` with its own person's mute and role.",
    Event.MUTED: "To the person's group, after commit, with `circle_id` and `until` (ISO 8601 or null): muted or "
    "unmuted. Their sockets in that circle's room send `room_state`.",
    Event.PINS: "To the room group, after commit: the pinned list changed; `pins` and its HTML in every site "
    "language (`html` by language code).",
    Event.REPORTS: "To the room group, after commit: `open`, the number of open reports. Only facilitators' sockets "
    "send it on, as `reports`.",
    Event.ACTIVITY: "To the room's activity group, after commit, once per new message: `room`, `seq`, `author_id` "
    "and `mentions` (ids). Only `/ws/me/` sockets listen; they update unread counts without a query.",
    Event.READ: "To the person's group, after commit: they read `room` up to `seq`. `/ws/me/` sockets recount that room.",
    Event.SESSION_ENDED: "To the person's group, with `session_key`: that session logged out. Every socket opened "
    "with it closes with 4401.",
}


def message_event(payload: dict, html_by_language: dict[str, str], *, new: bool) -> dict:
    """A message for the room group; `payload` is a MessagePayload without `html`."""
    return {"type": Event.MESSAGE.value, "message": payload, "html": html_by_language, "new": new}


def presence_event(action: PresenceAction, *, channel: str, user: Author) -> dict:
    return {"type": Event.PRESENCE.value, "action": action.value, "channel": channel, "user": user}


def typing_event(*, channel: str, user: Author) -> dict:
    return {"type": Event.TYPING.value, "channel": channel, "user": user}


def activity_event(*, room_id: int, seq: int, author_id: int | None, mentions: list[int]) -> dict:
    return {"type": Event.ACTIVITY.value, "room": room_id, "seq": seq, "author_id": author_id, "mentions": mentions}


def read_event(*, room_id: int, seq: int) -> dict:
    return {"type": Event.READ.value, "room": room_id, "seq": seq}


def session_ended_event(*, session_key: str) -> dict:
    return {"type": Event.SESSION_ENDED.value, "session_key": session_key}


def room_state_event(*, locked: bool, slow_mode_seconds: int) -> dict:
    return {"type": Event.ROOM_STATE.value, "locked": locked, "slow_mode_seconds": slow_mode_seconds}


def muted_event(*, circle_id: int, until: str | None) -> dict:
    return {"type": Event.MUTED.value, "circle_id": circle_id, "until": until}


def pins_event(pins: list[PinnedMessage], html_by_language: dict[str, str]) -> dict:
    return {"type": Event.PINS.value, "pins": pins, "html": html_by_language}


def reports_event(*, open_reports: int) -> dict:
    return {"type": Event.REPORTS.value, "open": open_reports}


# ---------------------------------------------------------------------------- documentation


def _type_name(annotation: Any) -> str:
    hints = getattr(annotation, "__metadata__", None)
    if hints is not None:
        annotation = annotation.__origin__
    if annotation is None or annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, dict) and hasattr(annotation, "__annotations__"):
        return annotation.__name__
    origin = getattr(annotation, "__origin__", None)
    arguments = getattr(annotation, "__args__", ())
    if origin is list:
        return f"list of {_type_name(arguments[0])}"
    if origin is Literal:
        return " | ".join(json.dumps(argument) for argument in arguments)
    if arguments:
        return " or ".join(_type_name(argument) for argument in arguments)
    return {int: "integer", str: "string", bool: "boolean"}.get(annotation, getattr(annotation, "__name__", "?"))


def _first_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _typed_dict_rows(typed_dict: type) -> list[str]:
    rows = []
    for name, annotation in get_type_hints(typed_dict, include_extras=True).items():
        doc = annotation.__metadata__[0] if hasattr(annotation, "__metadata__") else ""
        if name == "type":
            continue
        rows.append(f"| `{name}` | {_type_name(annotation)} | {doc} |")
    return rows


def protocol_markdown() -> str:
    """docs/protocol.md, written from the definitions in this module (details in English)."""
    with translation.override("en"):
        return _protocol_markdown()


def _protocol_markdown() -> str:
    lines = [
        "# Discussion protocol",
        "",
        "<!-- Generated from chat/protocol.py by chat.protocol.protocol_markdown(); do not edit by hand. -->",
        "",
        "One websocket per open room: `/ws/rooms/<room_id>/`, authenticated by the Django session cookie and "
        "origin-checked (a foreign, empty or missing `Origin` is refused during the handshake). Every frame is a "
        "JSON object with a `type`. Add `?lang=da` or `?lang=en` to the path to choose the language of `html` "
        "and `detail` (Danish by default).",
        "",
        "## Delivery rules",
        "",
        "- Persist, then publish: a message is committed to the database before it is broadcast. A broadcast "
        "can be lost (a full channel, Redis restarting, a dropped socket); the database is the truth and "
        "`resume` recovers everything.",
        "- `seq` numbers the messages of a room 1, 2, 3 … in the order they were stored, with no gaps "
        "(deleted messages keep their number). A client keeps the highest `seq` it holds with no gap below "
        "it and sends `resume` with it on every (re)connect, and again when it sees a gap that does not fill "
        "within a moment.",
        "- A client keeps one message per `seq`: a `message` frame for a `seq` it holds replaces it (an edit, "
        "a deletion, a reaction); any other is inserted in `seq` order. Duplicates are expected and harmless.",
        "- Every `send` carries a `client_id` (UUID) made by the client. The server stores at most one message "
        "per (room, person, `client_id`): a client retries an unacknowledged send with the same `client_id` "
        "after reconnecting and gets the original message back, with no new broadcast.",
        "- The acknowledgement of a `send` is the `message` frame with the same `client_id` sent back to the sender.",
        "- Membership is checked at connect and on every frame; a person who loses access (removed, banned, "
        "account deleted) is disconnected at once with 4403. An open socket also re-checks every "
        f"{ACCESS_RECHECK_SECONDS} s, in case the event that should have closed it was lost.",
        "- Presence and typing hints are best effort and never stored.",
        "- Every change (a new message, an edit, a deletion, a reaction) gets the room's next change number "
        "(`changed_seq`), handed out under the same lock as `seq`, so changes also commit in order. A client keeps "
        "the `last_change_seq` of its last `resumed` and sends it as `changed_after`, to get the changes it missed.",
        "",
        "## The person's own socket",
        "",
        "`/ws/me/` (same session and origin checks; 4401 without a logged-in session) carries the unread counts "
        "for the site header and My page: an `unread` frame after connecting and whenever a count changes. It "
        "joins one low-rate activity group per room of the person (one event per new message, never one per "
        "reader) and counts from the read state it loaded at connect; reads arrive through the person's group. "
        "It takes no client frames: any frame is answered with `unknown_type`.",
        "",
        "## Limits",
        "",
        f"- A frame is at most {MAX_FRAME_CHARS:,} characters of JSON text; binary frames are refused.",
        f"- A message text is at most {MAX_BODY_CHARS:,} characters after trimming, and not empty. Text fields "
        "hold no control characters other than line break and tab.",
        f"- `resume` answers in batches of {RESUME_BATCH} messages, and sends at most the newest {RESUME_MAX}: "
        "from further back it first sends `skipped`; the older messages are on the room's history page "
        f"(`/samtale/<room_id>/?before=<seq>`). With `changed_after`, more than {RESUME_MAX} changed messages "
        "up to `after` are not replayed: `skipped` with `changes` true says so instead.",
        f"- Reactions: {' '.join(REACTIONS)}.",
        f"- Clients send `typing` at most every {TYPING_INTERVAL_SECONDS} s; a hint lasts {TYPING_HINT_SECONDS} s.",
        f"- Pinned messages: at most {MAX_PINS} per room.",
        "- Moderation: a facilitator mutes a member for "
        + ", ".join(f"{value:,}" for value in MUTE_SECONDS)
        + " seconds (an hour, a day, a week) and sets slow mode to "
        + ", ".join(str(value) for value in SLOW_MODE_SECONDS)
        + " seconds (0: off). Facilitators are never slowed and may still write in a locked room. Every "
        "moderation action is recorded in the room's audit log, shown on its reports page.",
        f"- A report names one of {', '.join(f'`{reason}`' for reason in REPORT_REASONS)}, with at most "
        f"{MAX_REPORT_TEXT_CHARS:,} characters of text.",
        "- Rate limits per connection (a frame over a limit is answered with `rate_limited` and not acted on):",
    ]
    for limit in RATE_LIMITS:
        which = ", ".join(f"`{name}`" for name in sorted(limit.types)) if limit.types else "all frames"
        lines.append(f"  - {which}: at most {limit.frames} in any {limit.seconds:g} s.")
    lines += ["", "## Client frames", ""]
    for frame_type, frame_class in CLIENT_FRAMES.items():
        lines += [f"### `{frame_type}`", "", _first_line(frame_class.__doc__), ""]
        frame_fields = dataclasses.fields(frame_class)
        if frame_fields:
            lines += ["| field | kind | required | meaning |", "| --- | --- | --- | --- |"]
            for frame_field in frame_fields:
                meta = frame_field.metadata
                required = "no" if meta["optional"] else "yes"
                lines.append(f"| `{frame_field.name}` | {KIND_DOCS[meta['kind']]} | {required} | {meta['doc']} |")
            lines.append("")
        example: dict[str, Any] = {"type": frame_type}
        for frame_field in frame_fields:
            example[frame_field.name] = _EXAMPLES[frame_field.metadata["kind"]]
        lines += ["```json", json.dumps(example, ensure_ascii=False), "```", ""]
    lines += ["## Server frames", ""]
    for typed_dict in SERVER_FRAMES:
        frame_type = get_type_hints(typed_dict)["type"].__args__[0]
        lines += [f"### `{frame_type}`", "", _first_line(typed_dict.__doc__), ""]
        lines += ["| field | type | meaning |", "| --- | --- | --- |", *_typed_dict_rows(typed_dict), ""]
    for nested in (MessagePayload, Author, ReplyRef, ReactionCount, RoomUnread, *MODERATION_NESTED):
        lines += [f"### {nested.__name__}", "", "| field | type | meaning |", "| --- | --- | --- |"]
        lines += [*_typed_dict_rows(nested), ""]
    lines += ["## Error codes", "", "| code | when | detail (English) |", "| --- | --- | --- |"]
    for code in ErrorCode:
        lines.append(f"| `{code}` | {ERROR_CODE_DOCS[code]} | {ERROR_DETAILS[code]} |")
    lines += ["", "## Close codes", "", "| code | meaning |", "| --- | --- |"]
    for close_code in CloseCode:
        lines.append(f"| {int(close_code)} | {CLOSE_CODE_DOCS[close_code]} |")
    lines += [
        "",
        "Refusals at connect are sent after the handshake is accepted, so that browsers see the code. Any "
        "other close (1001, 1006, 1011 …) is a drop: reconnect with exponential backoff and jitter, then "
        "`resume`.",
        "",
        "## Channel-layer events (between server processes)",
        "",
        "| type | meaning |",
        "| --- | --- |",
    ]
    for event in Event:
        lines.append(f"| `{event}` | {EVENT_DOCS[event]} |")
    lines.append("")
    return "\n".join(lines)


_EXAMPLES: dict[Kind, Any] = {
    Kind.UUID: "3f0c1f5e-8a0b-4c4e-9d55-0c3b7f0e2a11",
    Kind.TEXT: "Hej alle sammen!",
    Kind.INT: 42,
    Kind.EMOJI: REACTIONS[0],
}
