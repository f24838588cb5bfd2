"""Request body limits that answer with a page a person can read (413), not a bare 400."""

import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

REQUEST_TOO_LARGE = 413


def too_large_response(request: HttpRequest) -> HttpResponse:
    return render(request, "413.html", status=REQUEST_TOO_LARGE)


class RequestBodyLimitMiddleware:
    """Refuse a body that says it is too large (Content-Length) before any part of it is read.

    REQUEST_BODY_MAX_BYTES bounds every body, uploads included; a body without files may be no
    larger than DATA_UPLOAD_MAX_MEMORY_SIZE. A chunked body (no Content-Length) reaches Django
    only after daphne has received all of it, in a seekable file, so its real size is checked
    here too (otherwise a chunked body of any size got past this check, and was answered 403 by
    CSRF, not 413). Under WSGI a body without a length is bounded while it is read: Django raises
    RequestDataTooBig, which config.views.bad_request answers with the same page.
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
        length = max(length, RequestBodyLimitMiddleware.buffered_size(request))
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return True
        form_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        return form_limit is not None and not is_multipart and length > form_limit

    @staticmethod
    def buffered_size(request: HttpRequest) -> int:
        """The size of a body the server has already received (ASGI: a SpooledTemporaryFile), else 0."""
        # Django's own HttpRequest.body measures the same private stream this way.
        stream = getattr(request, "_stream", None)
        if (
            stream is None
            or not getattr(stream, "seekable", lambda: False)()
            or getattr(request, "_read_started", False)
        ):
            return 0
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        return size
