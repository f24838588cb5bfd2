from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def site(request: HttpRequest) -> dict:
    """The language switch: the same page in the other language."""
    current = get_language() or settings.LANGUAGE_CODE
    other = next(code for code, _name in settings.LANGUAGES if code != current[:2])
    return {
        "other_language_code": other,
        "other_language_url": translate_url(request.get_full_path(), other),
    }
