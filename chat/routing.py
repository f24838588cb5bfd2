"""Websocket routes. The room consumer and its protocol live in chat.consumers and chat.protocol."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
