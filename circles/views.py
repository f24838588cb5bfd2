from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .models import Circle
from .selectors import circle_get_public


def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        circle = circle_get_public(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    return TemplateResponse(request, "circles/detail.html", {"circle": circle})
