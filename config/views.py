"""Site-wide pages: home, accessibility statement, health check."""

import asyncio

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from circles.selectors import circle_list_upcoming

from . import health


def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "home.html", {"circles": circle_list_upcoming(limit=6)})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "accessibility.html")


@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer = await asyncio.gather(health.database_ok(), health.channel_layer_ok())
    ok = database and channel_layer
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if database else "down",
            "channel_layer": "ok" if channel_layer else "down",
        },
        status=200 if ok else 503,
    )
