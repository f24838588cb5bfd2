from django.http import HttpRequest

from .selectors import display_preferences as display_preferences_for


def display_preferences(request: HttpRequest) -> dict:
    """Classes on <html> that apply the person's text size, contrast and motion choices on every page."""
    preferences = display_preferences_for(request)
    classes = [f"text-{preferences['text_size']}"]
    if preferences["high_contrast"]:
        classes.append("high-contrast")
    if preferences["reduced_motion"]:
        classes.append("reduced-motion")
    return {"display": preferences, "display_classes": " ".join(classes)}
