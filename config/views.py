"""Site-wide pages: home, accessibility statement, health check."""

import asyncio

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from circles.selectors import circle_list_upcoming

from . import health
from .limits import too_large_response


def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "home.html", {"circles": circle_list_upcoming(limit=6)})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "accessibility.html")


@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer, cache = await asyncio.gather(
        health.database_ok(), health.channel_layer_ok(), health.cache_ok()
    )
    ok = database and channel_layer and cache
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if database else "down",
            "channel_layer": "ok" if channel_layer else "down",
            "cache": "ok" if cache else "down",
        },
        status=200 if ok else 503,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a body too large to read gets the 413 page; other bad requests a plain page."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    return render(request, "400.html", status=400)
