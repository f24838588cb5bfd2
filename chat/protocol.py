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

# ---------------------------------------------------------------------------- codes


class CloseCode(IntEnum):
    """Why the server closed the socket. A client does not reconnect after 4401, 4403 or 4404."""

    NOT_LOGGED_IN = 4401
    FORBIDDEN = 4403
    NO_SUCH_ROOM = 4404


CLOSE_CODE_DOCS: dict[CloseCode, str] = {
    CloseCode.NOT_LOGGED_IN: "The socket has no logged-in session.",
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
    ErrorCode.MUTED: "A facilitator has muted the person for a while.",
    ErrorCode.NO_SUCH_MESSAGE: "The `id` (or `reply_to`) names no message of this room.",
    ErrorCode.NOT_ALLOWED: "Only the author may edit a message; only the author or a facilitator may delete it.",
    ErrorCode.DELETED: "The message is deleted and cannot be edited or reacted to.",
    ErrorCode.SERVER_ERROR: "The server failed to act on a valid frame; nothing was half-stored. Try again.",
}


class ProtocolError(Exception):
    """A refused client frame, answered with an `error` frame (the socket stays open)."""

    def __init__(
        self, code: ErrorCode, *, field: str | None = None, frame: str | None = None, ref: str | int | None = None
    ) -> None:
        super().__init__(code)
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
    """Send every message of the room with `seq > after`, in order (in batches), then `resumed`. Send it on every (re)connect and whenever a gap in `seq` is seen."""

    type: ClassVar[str] = "resume"
    after: int = client_field(Kind.INT, "The highest `seq` the client holds with no gap below it (0 for none).")


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


class ResumedFrame(TypedDict):
    """The end of a `resume`: every message up to `last_seq` has been sent; live `message` frames follow."""

    type: Literal["resumed"]
    last_seq: Annotated[int, "The room's highest seq when the resume finished."]


class PresenceFrame(TypedDict):
    """Who has the room open now (best effort, never stored). Sent after connecting and whenever it changes."""

    type: Literal["presence"]
    users: Annotated[list[Author], "Everyone connected, the receiver included, each once."]


class TypingFrame(TypedDict):
    """Someone else is typing (best effort, never stored). Show a hint for a few seconds."""

    type: Literal["typing"]
    user: Annotated[Author, "Who is typing."]


SERVER_FRAMES: tuple[type, ...] = (MessageFrame, ErrorFrame, ResumedFrame, PresenceFrame, TypingFrame)


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
    }


def resumed_frame(last_seq: int) -> ResumedFrame:
    return {"type": "resumed", "last_seq": last_seq}


def presence_frame(users: list[Author]) -> PresenceFrame:
    return {"type": "presence", "users": users}


def typing_frame(user: Author) -> TypingFrame:
    return {"type": "typing", "user": user}


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


class PresenceAction(StrEnum):
    JOIN = "join"
    HERE = "here"
    LEAVE = "leave"


EVENT_DOCS: dict[Event, str] = {
    Event.MESSAGE: "To the room group, after commit: a new or changed message, with its HTML in every site "
    "language (`html` by language code) and `new` (true for a new message). Each socket sends it as a "
    "`message` frame in its own language.",
    Event.PRESENCE: "To the room group: `join` (a socket opened) and `leave` (it closed); to one socket: `here` "
    "(the answer to a `join`, so the newcomer learns who is there). Carries `channel` and `user`.",
    Event.TYPING: "To the room group: `user` is typing (from `channel`).",
    Event.ACCOUNT_CLOSED: "To the person's group: their account is gone. Every socket of theirs closes with 4403.",
    Event.MEMBERSHIP_REVOKED: "To the person's group, with `circle_id`: removed or banned. Their sockets in that "
    "circle's room close with 4403.",
}


def message_event(payload: dict, html_by_language: dict[str, str], *, new: bool) -> dict:
    """A message for the room group; `payload` is a MessagePayload without `html`."""
    return {"type": Event.MESSAGE.value, "message": payload, "html": html_by_language, "new": new}


def presence_event(action: PresenceAction, *, channel: str, user: Author) -> dict:
    return {"type": Event.PRESENCE.value, "action": action.value, "channel": channel, "user": user}


def typing_event(*, channel: str, user: Author) -> dict:
    return {"type": Event.TYPING.value, "channel": channel, "user": user}


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
        "account deleted) is disconnected at once with 4403.",
        "- Presence and typing hints are best effort and never stored.",
        "",
        "## Limits",
        "",
        f"- A frame is at most {MAX_FRAME_CHARS:,} characters of JSON text; binary frames are refused.",
        f"- A message text is at most {MAX_BODY_CHARS:,} characters after trimming, and not empty. Text fields "
        "hold no control characters other than line break and tab.",
        f"- `resume` answers in batches of {RESUME_BATCH} messages.",
        f"- Reactions: {' '.join(REACTIONS)}.",
        f"- Clients send `typing` at most every {TYPING_INTERVAL_SECONDS} s; a hint lasts {TYPING_HINT_SECONDS} s.",
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
    for nested in (MessagePayload, Author, ReplyRef, ReactionCount):
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
