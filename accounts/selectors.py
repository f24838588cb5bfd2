"""Read queries about people."""

from django.http import HttpRequest

from .models import TextSize

SESSION_DISPLAY_KEY = "display_preferences"
DEFAULT_DISPLAY = {"text_size": TextSize.NORMAL.value, "high_contrast": False, "reduced_motion": False}


def display_preferences(request: HttpRequest) -> dict:
    """Text size, contrast and motion for this request: the person's own, or the visitor's session choice."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"text_size": user.text_size, "high_contrast": user.high_contrast, "reduced_motion": user.reduced_motion}
    session = getattr(request, "session", None)
    stored = session.get(SESSION_DISPLAY_KEY, {}) if session is not None else {}
    return {**DEFAULT_DISPLAY, **{key: value for key, value in stored.items() if key in DEFAULT_DISPLAY}}
