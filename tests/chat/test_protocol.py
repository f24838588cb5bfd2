"""chat.protocol: the validator, fuzzed; the rate limiter; the generated documentation; one home for protocol strings."""

import ast
import dataclasses
import json
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat import protocol
from chat.protocol import CLIENT_FRAMES, ErrorCode, ProtocolError, RateLimit, RateLimiter, parse_client_frame

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------- strategies

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
field_values = st.one_of(
    json_values,
    st.uuids().map(str),
    st.sampled_from(protocol.REACTIONS),
    st.integers(min_value=-3, max_value=2**64),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.text(alphabet=st.characters(), max_size=20),  # lone surrogates and control characters too
    st.just(" \n\t "),
)


def field_names(frame_class) -> list[str]:
    return [field.name for field in dataclasses.fields(frame_class)]


FIELD_NAMES = sorted({name for frame in CLIENT_FRAMES.values() for name in field_names(frame)} | {"x"})


@st.composite
def near_frames(draw) -> dict:
    """Frames that are almost right: a real (or nearly real) type with some of the right and wrong fields."""
    frame_type = draw(st.sampled_from([*CLIENT_FRAMES, "", "SEND", "message", "resumed"]))
    frame_class = CLIENT_FRAMES.get(frame_type)
    own = field_names(frame_class) if frame_class else []
    names = draw(st.lists(st.sampled_from(own + FIELD_NAMES) if own else st.sampled_from(FIELD_NAMES), unique=True))
    frame: dict = {"type": frame_type}
    for name in names:
        frame[name] = draw(field_values)
    return frame


frame_texts = st.one_of(
    st.text(max_size=80),
    json_values.map(json.dumps),
    near_frames().map(json.dumps),
    near_frames().map(lambda frame: json.dumps(frame, ensure_ascii=False)),
    near_frames().map(lambda frame: json.dumps(frame)[:-1]),
    st.sampled_from(["[" * 100_000, '{"type": "send", "after": NaN}', '{"type": "resume", "after": Infinity}']),
)


def expected_valid(text: str) -> bool:
    """An independent oracle: would this text be a valid client frame?"""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(data, dict) or data.get("type") not in CLIENT_FRAMES or len(text) > protocol.MAX_FRAME_CHARS:
        return False
    frame_class = CLIENT_FRAMES[data["type"]]
    fields = {field.name: field for field in dataclasses.fields(frame_class)}
    if set(data) - {"type"} - set(fields):
        return False
    for name, field in fields.items():
        value = data.get(name)
        kind = field.metadata["kind"]
        if value is None:
            if not field.metadata["optional"]:
                return False
            continue
        if kind == "int" and (type(value) is not int or not 0 <= value < 2**63):
            return False
        if kind == "emoji" and value not in protocol.REACTIONS:
            return False
        if kind == "uuid":
            try:
                uuid.UUID(value)
            except (ValueError, TypeError, AttributeError):
                return False
            if len(value) > 36:
                return False
        if kind == "text":
            if not isinstance(value, str):
                return False
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
            if any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in value):
                return False
    return True


# ---------------------------------------------------------------------------- the validator


@settings(max_examples=1000, deadline=None, database=None)
@given(frame_texts)
def test_fuzzed_frames_are_either_valid_frames_or_a_protocol_error(text):
    try:
        frame = parse_client_frame(text)
    except ProtocolError as refused:
        assert refused.code in ErrorCode
        assert not expected_valid(text), text
        frame_json = protocol.error_frame(refused)
        assert json.loads(json.dumps(frame_json)) == frame_json
    else:
        assert expected_valid(text), text
        assert isinstance(frame, tuple(CLIENT_FRAMES.values()))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (
            {"type": "send", "client_id": "3f0c1f5e-8a0b-4c4e-9d55-0c3b7f0e2a11", "body": "Hej"},
            protocol.Send(client_id=uuid.UUID("3f0c1f5e-8a0b-4c4e-9d55-0c3b7f0e2a11"), body="Hej"),
        ),
        ({"type": "resume", "after": 0}, protocol.Resume(after=0)),
        ({"type": "edit", "id": 3, "body": "a\nb"}, protocol.Edit(id=3, body="a\nb")),
        ({"type": "delete", "id": 3}, protocol.Delete(id=3)),
        ({"type": "react", "id": 3, "emoji": "❤️"}, protocol.React(id=3, emoji="❤️")),
        ({"type": "typing"}, protocol.Typing()),
        ({"type": "read", "seq": 9}, protocol.Read(seq=9)),
    ],
)
def test_every_client_frame_parses(frame, expected):
    assert parse_client_frame(json.dumps(frame)) == expected


def test_an_oversized_frame_is_refused_before_it_is_parsed():
    with pytest.raises(ProtocolError) as refused:
        parse_client_frame(" " * (protocol.MAX_FRAME_CHARS + 1))
    assert refused.value.code == ErrorCode.FRAME_TOO_LARGE


def test_the_longest_valid_send_fits_in_a_frame_however_it_is_escaped():
    body = "😀" * protocol.MAX_BODY_CHARS
    text = json.dumps({"type": "send", "client_id": str(uuid.uuid4()), "body": body})  # \ud83d\ude00 each
    assert isinstance(parse_client_frame(text), protocol.Send)


def test_every_error_and_close_code_is_documented_and_has_a_sentence():
    assert set(protocol.ERROR_DETAILS) == set(ErrorCode) == set(protocol.ERROR_CODE_DOCS)
    assert set(protocol.CLOSE_CODE_DOCS) == set(protocol.CloseCode)
    assert set(protocol.EVENT_DOCS) == set(protocol.Event)
    assert [int(code) for code in protocol.CloseCode] == [4401, 4403, 4404]


# ---------------------------------------------------------------------------- the rate limiter


def test_the_rate_limiter_counts_a_sliding_window_per_kind_of_frame():
    now = [0.0]
    limiter = RateLimiter(
        (RateLimit(frames=3, seconds=10), RateLimit(frames=2, seconds=10, types=frozenset({"send"}))), lambda: now[0]
    )
    assert [limiter.allow(None) and limiter.allow("send") for _ in range(3)] == [True, True, False]
    assert limiter.allow(None) is False  # three frames already in the window
    now[0] = 10.5
    assert limiter.allow(None) and limiter.allow("send")
    assert limiter.allow("typing")  # no limit names typing


# ---------------------------------------------------------------------------- documentation and string literals


def test_docs_protocol_md_is_the_one_generated_from_chat_protocol():
    committed = (ROOT / "docs" / "protocol.md").read_text()
    assert committed == protocol.protocol_markdown(), (
        "docs/protocol.md is out of date: DJANGO_DEBUG=1 .venv/bin/python manage.py shell -c "
        "\"from chat.protocol import protocol_markdown; open('docs/protocol.md', 'w').write(protocol_markdown())\""
    )


def test_no_protocol_string_literal_outside_chat_protocol():
    protocol_strings = (
        set(CLIENT_FRAMES)
        | {"message", "error", "resumed", "presence"}
        | {str(code) for code in ErrorCode}
        | {str(event) for event in protocol.Event}
        | {str(action) for action in protocol.PresenceAction}
    )
    modules = ("consumers.py", "services.py", "views.py", "presenters.py", "selectors.py", "routing.py")
    for module in (*modules, "consumer_moderation.py", "moderation_views.py"):
        tree = ast.parse((ROOT / "chat" / module).read_text())
        # Field names (subscripts and dict keys, typed by the TypedDicts) are not what this is about.
        keys = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
        keys |= {id(key) for node in ast.walk(tree) if isinstance(node, ast.Dict) for key in node.keys}
        literals = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in keys
        }
        assert literals & protocol_strings == set(), module
