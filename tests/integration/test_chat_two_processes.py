"""Two daphne processes on loopback share one Redis: a message sent through one reaches a client of the other."""

import asyncio

import pytest
from django.conf import settings

from chat.models import Message
from tests import factories
from tests.chat.live_client import ChatClient, session_key_for
from tests.live import start_daphne

pytestmark = [pytest.mark.integration, pytest.mark.redis]

ROUNDS = 5
BURST = 20


@pytest.fixture
def two_servers(transactional_db, django_db_blocker):
    with django_db_blocker.unblock():
        # The burst below is faster than people type: the chat rate limits are off in these processes.
        env = {"REDIS_URL": settings.REDIS_URL, "DJANGO_SETTINGS_MODULE": "tests.chat.unthrottled_settings"}
        servers = [start_daphne(env) for _server in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_messages_cross_between_two_daphne_processes_both_ways_in_order(two_servers, sdgs):
    circle = factories.CircleFactory()
    ann, bo = (factories.MembershipFactory(circle=circle).user for _person in range(2))
    room_id = circle.room.pk
    clients = [
        ChatClient(server.url, room_id, session_key_for(person), person.pk)
        for server, person in zip(two_servers, (ann, bo), strict=True)
    ]

    async def conversation() -> None:
        stop = asyncio.Event()
        runs = [asyncio.create_task(client.run(stop)) for client in clients]
        for client in clients:
            await client.wait_until(lambda client=client: client.connections and client._resumed.is_set(), 15)
        expected = 0
        # Turn by turn: each message is seen by both before the next is sent.
        for turn in range(ROUNDS):
            for speaker in clients:
                await speaker.send_new(f"tur {turn} fra {speaker.user_id}")
                expected += 1
                for client in clients:
                    await client.wait_until(lambda client=client, expected=expected: client.contiguous >= expected, 10)
        # A burst from both at once.
        for number in range(BURST):
            for speaker in clients:
                await speaker.send_new(f"salve {number} fra {speaker.user_id}")
        expected += BURST * len(clients)
        for client in clients:
            await client.wait_until(lambda client=client: client.contiguous >= expected, 20)
        stop.set()
        for client in clients:
            if client._socket is not None:
                await client._socket.close()
        await asyncio.gather(*runs)

    asyncio.run(conversation())
    stored = [(message.seq, message.body) for message in Message.objects.filter(room_id=room_id).order_by("seq")]
    assert len(stored) == ROUNDS * 2 + BURST * 2
    for client in clients:
        assert client.bodies() == stored
        assert client.connections == 1
        # Live frames came in seq order on each socket (each process publishes after its commit).
        assert client.live_order[: ROUNDS * 2] == list(range(1, ROUNDS * 2 + 1))
    # Each side saw the other's messages: they crossed through Redis from the other process.
    assert {client.held[1]["author"]["id"] for client in clients} == {ann.pk}
    assert {client.held[2]["author"]["id"] for client in clients} == {bo.pk}
