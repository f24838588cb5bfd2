"""Websocket routes. The room consumer and its protocol live in chat.consumers and chat.protocol."""

from django.urls import URLPattern, path

from .consumers import MeConsumer, RoomConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
    path("ws/me/", MeConsumer.as_asgi()),
]
