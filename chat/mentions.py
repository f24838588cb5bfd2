"""@mentions: which members a message names, and their highlight in the rendered message."""

import html
import re
from collections.abc import Iterable

from django.utils.html import escape

from accounts.models import User

_TAG = re.compile(r"(<[^>]*>)")


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def mentioned_users(body: str, members: Iterable[User]) -> list[User]:
    """The members named as "@<their name>" in `body` (longest name wins, each once, in order of first mention)."""
    candidates = sorted(members, key=lambda member: len(member.name), reverse=True)
    folded = body.casefold()
    found: dict[int, User] = {}
    for position, character in enumerate(body):
        if character != "@" or (position > 0 and _is_word(body[position - 1])):
            continue
        start = position + 1
        for member in candidates:
            name = member.name.casefold()
            end = start + len(name)
            if name and folded[start:end] == name and (end >= len(body) or not _is_word(body[end])):
                found.setdefault(member.pk, member)
                break
    return list(found.values())


def highlight_mentions(sanitized_html: str, names_by_user_id: dict[int, str]) -> str:
    """Wrap "@<name>" in text (never inside a tag or a link) in a badge that carries the person's id.

    The input is already sanitized; only text the sanitizer produced is wrapped, and the names
    are escaped the way the Markdown pipeline escapes text, so no markup of the author's gets through.
    """
    if not names_by_user_id:
        return sanitized_html
    patterns = []
    for user_id, name in sorted(names_by_user_id.items(), key=lambda item: len(item[1]), reverse=True):
        if name:
            patterns.append((user_id, re.compile("@" + re.escape(html.escape(name, quote=False)) + r"(?!\w)", re.I)))
    parts = _TAG.split(sanitized_html)
    inside_link = False
    for index, part in enumerate(parts):
        if index % 2 == 1:
            tag = part.lower()
            if tag.startswith("<a"):
                inside_link = True
            elif tag.startswith("</a"):
                inside_link = False
            continue
        if inside_link or "@" not in part:
            continue
        parts[index] = _wrap(part, patterns)
    return "".join(parts)


def _wrap(text: str, patterns: list[tuple[int, re.Pattern]]) -> str:
    spans: list[tuple[int, int, int]] = []
    for user_id, pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start > 0 and _is_word(text[start - 1]):
                continue
            if any(start < taken_end and taken_start < end for taken_start, taken_end, _id in spans):
                continue
            spans.append((start, end, user_id))
    if not spans:
        return text
    pieces = []
    cursor = 0
    for start, end, user_id in sorted(spans):
        pieces.append(text[cursor:start])
        # The matched text is already escaped HTML from the sanitizer: kept as it is.
        pieces.append(f'<span class="chat-mention" data-user-id="{escape(user_id)}">{text[start:end]}</span>')
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
