"""The room hub: one subscription per room per process, one frame per socket, nothing left behind."""

import asyncio
import uuid

import pytest
import redis
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings

from chat import hub
from chat.services import message_post
from tests import factories

from .conftest import joined

pytestmark = [pytest.mark.django_db(transaction=True)]


def new_member(circle):
    return factories.MembershipFactory(circle=circle).user


def post(room, author, body: str) -> None:
    message_post(room=room, author=author, body=body, client_id=uuid.uuid4())


async def message_bodies(socket) -> list[str]:
    return [frame["message"]["body"] for frame in await socket.drain(0.5) if frame["type"] == "message"]


@pytest.mark.usefixtures("in_memory_layer")
async def test_every_socket_gets_each_message_once_and_the_hub_forgets_the_room_after_the_last(circle, member):
    others = [await database_sync_to_async(new_member)(circle) for _n in range(2)]
    sockets = [await joined(person, circle.room.pk) for person in [member, *others]]
    room_hub = hub.room_hub()
    assert len(room_hub.rooms[circle.room.pk]) == 3
    await database_sync_to_async(post)(circle.room, member, "til alle")
    for socket in sockets:
        assert await message_bodies(socket) == ["til alle"]
    for socket in sockets:
        await socket.close()
    assert circle.room.pk not in room_hub.rooms


@pytest.fixture
def redis_layer(settings):
    """The production channel layer on the test Redis: the hub then uses Redis pub/sub."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": django_settings.REDIS_URL, "socket_timeout": None}]},
        }
    }


@pytest.mark.redis
@pytest.mark.usefixtures("redis_layer")
async def test_a_process_subscribes_once_per_room_however_many_sockets_and_unsubscribes_after_the_last(circle, member):
    other = await database_sync_to_async(new_member)(circle)
    room_id = circle.room.pk
    layer = get_channel_layer()
    address = hub._redis_address(layer)
    channel = hub._redis_channel(layer, address, room_id)
    client = redis.Redis.from_url(address)

    def subscribers() -> int:
        return dict(client.pubsub_numsub(channel))[channel.encode()]

    sockets = [await joined(person, room_id) for person in (member, member, other)]
    assert subscribers() == 1
    await database_sync_to_async(post)(circle.room, other, "gennem Redis")
    for socket in sockets:
        assert await message_bodies(socket) == ["gennem Redis"]
    for socket in sockets:
        await socket.close()
    # The unsubscribe is written as the last socket leaves; Redis answers NUMSUB after it.
    for _attempt in range(50):
        if subscribers() == 0:
            break
        await asyncio.sleep(0.1)
    assert subscribers() == 0
