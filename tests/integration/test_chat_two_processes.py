"""Two daphne processes on loopback share one Redis: a message sent through one reaches a client of the other."""

import asyncio
import json

import pytest
import redis.asyncio as aioredis
from channels.layers import get_channel_layer
from django.conf import settings

from chat import hub
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


def test_presence_crosses_processes_with_one_answer_per_process_not_per_socket(two_servers, sdgs):
    """Ann and Cy on one process, Bo on the other: each sees all three, and then who is left when Bo
    goes. A join is one event on the room's stream, answered once by each other process that has
    sockets in the room (never once per socket: 200 people joining would be 40,000 events)."""
    circle = factories.CircleFactory()
    ann, bo, cy = (factories.MembershipFactory(circle=circle).user for _person in range(3))
    room_id = circle.room.pk
    placed = [(two_servers[0], ann), (two_servers[1], bo), (two_servers[0], cy)]
    clients = [ChatClient(server.url, room_id, session_key_for(person), person.pk) for server, person in placed]
    everyone = {ann.pk, bo.pk, cy.pk}
    layer = get_channel_layer()
    address = hub._redis_address(layer)
    assert address is not None, "the test process must use the Redis channel layer (REDIS_URL)"
    stream = hub._redis_channel(layer, address, room_id)

    async def scene() -> list[dict]:
        listener = aioredis.from_url(address).pubsub()
        await listener.subscribe(stream)
        stop, stop_bo = asyncio.Event(), asyncio.Event()
        runs = []
        for client in clients:
            runs.append(asyncio.create_task(client.run(stop_bo if client.user_id == bo.pk else stop)))
            await client.wait_until(lambda client=client: client._resumed.is_set(), 15)
        for client in clients:
            await client.wait_until(lambda client=client: client.present == everyone, 10)
        stop_bo.set()
        await clients[1]._socket.close()
        for client in (clients[0], clients[2]):
            await client.wait_until(lambda client=client: client.present == {ann.pk, cy.pk}, 10)
        stop.set()
        for client in clients:
            if client._socket is not None:
                await client._socket.close()
        await asyncio.gather(*runs)
        events = []
        # Everything published is in the listener's socket by now; read until it has been quiet a while.
        while (pushed := await listener.get_message(timeout=0.5)) is not None:
            if pushed["type"] == "message":
                events.append(json.loads(pushed["data"]))
        await listener.aclose()
        return events

    events = [event for event in asyncio.run(scene()) if event["type"] == "chat.presence"]
    actions = [event["action"] for event in events]
    assert actions.count("join") == 3
    # Bo's join is answered by the first process (with Ann), Cy's by the second (with Bo); the
    # process of the one who joins never answers, and no socket answers on its own.
    answers = [
        (event["origin"], sorted(event["sockets"].values(), key=lambda user: user["id"]))
        for event in events
        if event["action"] == "here"
    ]
    assert [people for _origin, people in answers] == [
        [{"id": ann.pk, "name": ann.name}],
        [{"id": bo.pk, "name": bo.name}],
    ]
    assert answers[0][0] != answers[1][0]
