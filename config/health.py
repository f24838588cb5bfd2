"""Checks for /healthz: does the database answer, does the channel layer carry a message, does the cache answer?"""

import asyncio
import contextlib
import uuid

from asgiref.sync import sync_to_async
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from django.core.cache import cache
from django.db import connection

TIMEOUT_SECONDS = 3.0


def database_answers() -> None:
    """Raise when the database does not answer a query; leave no connection behind."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


async def database_ok() -> bool:
    try:
        await asyncio.wait_for(sync_to_async(database_answers, thread_sensitive=False)(), TIMEOUT_SECONDS)
    except Exception:
        return False
    return True


async def channel_layer_ok() -> bool:
    """Send a message to a fresh channel and read it back, on a layer instance of its own.

    Not the process's shared layer: a check cut short by its timeout while Redis is away leaves
    that layer's receive loop half-done, and /healthz then said "down" long after Redis was back.
    """
    try:
        layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    except Exception:
        return False
    try:
        channel = await asyncio.wait_for(layer.new_channel("healthz."), TIMEOUT_SECONDS)
        token = uuid.uuid4().hex
        await asyncio.wait_for(layer.send(channel, {"type": "healthz.ping", "token": token}), TIMEOUT_SECONDS)
        received = await asyncio.wait_for(layer.receive(channel), TIMEOUT_SECONDS)
    except Exception:
        return False
    finally:
        close_pools = getattr(layer, "close_pools", None)
        if close_pools is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(close_pools(), TIMEOUT_SECONDS)
    return received.get("token") == token


def _cache_answers() -> None:
    # config.cache.ForgivingRedisCache hides an outage from the pages; ask its client directly.
    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):
        client.get_client(write=True).ping()
        return
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, 1, 10)
    cache.delete(key)


async def cache_ok() -> bool:
    try:
        await asyncio.wait_for(sync_to_async(_cache_answers, thread_sensitive=False)(), TIMEOUT_SECONDS)
    except Exception:
        return False
    return True
