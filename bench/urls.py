"""The site's URLs plus one bare Django view, the floor for bench/pages.py (same daphne, same middleware)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
