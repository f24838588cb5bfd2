from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .models import Library
from .selectors import library_get_public


def library_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        library = library_get_public(slug=slug)
    except Library.DoesNotExist:
        raise Http404 from None
    return TemplateResponse(request, "libraries/detail.html", {"library": library})
