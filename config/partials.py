"""Template partials kept rendered in this process, under everything they show.

Lists show the same items on every visit (a room's latest messages, the circle cards). A partial
rendered for one state of an item is kept under a key made of what the partial reads, plus the
language, time zone and address prefix it is rendered in: a changed item is a new key, never a
stale page. The least recently used entries go first once `size` are kept, or once the kept HTML
and the text in the keys pass `max_chars` (a chat message may be 4,000 characters: counting
entries alone would let a few thousand long ones hold a hundred megabytes).
"""

import threading
from collections import OrderedDict
from typing import Any

from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString


class RenderedPartials:
    """One partial template, rendered once per key in this process."""

    def __init__(self, template_name: str, *, size: int, max_chars: int = 4_000_000) -> None:
        self.template_name = template_name
        self.size = size
        self.max_chars = max_chars
        self.chars = 0
        self._rendered: OrderedDict[tuple, SafeString] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, key: tuple, context: dict[str, Any]) -> SafeString:
        """The partial for `context`; `key` must hold everything of `context` that the partial shows."""
        key = (translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix(), *key)
        with self._lock:
            html = self._rendered.get(key)
            if html is not None:
                self._rendered.move_to_end(key)
                return html
        html = get_template(self.template_name).render(context)
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = html
                self.chars += _chars(key, html)
            while self._rendered and (len(self._rendered) > self.size or self.chars > self.max_chars):
                old_key, old_html = self._rendered.popitem(last=False)
                self.chars -= _chars(old_key, old_html)
        return html


def _chars(key: tuple, html: str) -> int:
    """About what an entry holds: its HTML and the text in its key."""
    return len(html) + sum(len(part) for part in _texts(key))


def _texts(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for part in value:
            yield from _texts(part)
