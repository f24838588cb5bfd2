"""Checks for /healthz: does the database answer, does the channel layer carry a message?"""

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

TIMEOUT_SECONDS = 3.0


def _database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


async def database_ok() -> bool:
    try:
        await asyncio.wait_for(sync_to_async(_database_answers, thread_sensitive=False)(), TIMEOUT_SECONDS)
    except Exception:
        return False
    return True


async def channel_layer_ok() -> bool:
    """Send a message to a fresh channel and read it back."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        channel = await asyncio.wait_for(layer.new_channel("healthz."), TIMEOUT_SECONDS)
        token = uuid.uuid4().hex
        await asyncio.wait_for(layer.send(channel, {"type": "healthz.ping", "token": token}), TIMEOUT_SECONDS)
        received = await asyncio.wait_for(layer.receive(channel), TIMEOUT_SECONDS)
    except Exception:
        return False
    return received.get("token") == token
