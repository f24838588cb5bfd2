"""Request body limits that answer with a page a person can read (413), not a bare 400."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

REQUEST_TOO_LARGE = 413


def too_large_response(request: HttpRequest) -> HttpResponse:
    return render(request, "413.html", status=REQUEST_TOO_LARGE)


class RequestBodyLimitMiddleware:
    """Refuse a body that says it is too large (Content-Length) before any part of it is read.

    REQUEST_BODY_MAX_BYTES bounds every body, uploads included; a body without files may be no
    larger than DATA_UPLOAD_MAX_MEMORY_SIZE. A body that does not say its length is bounded
    while it is read: Django raises RequestDataTooBig, which config.views.bad_request answers
    with the same page.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.too_large(request):
            return too_large_response(request)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest) -> bool:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return True
        form_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        return form_limit is not None and not is_multipart and length > form_limit
