"""Faults under load: 3 people send a message every 100 ms for 60 s through two daphne processes that share a
private redis-server, while Redis is stopped and started three times, or while one daphne process is killed and
started again. Afterwards every client holds exactly the database's messages, once each, in order.

Reuses the protocol client of tests/chat/live_client.py and the private Redis of test_chat_redis_fault.py
(issue 5's single-restart test); this module adds the 60-second load and the repeated faults.
"""

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from django.db import connection

from chat.models import Message, Room
from tests import factories
from tests.chat.live_client import ChatClient, session_key_for
from tests.live import DaphneProcess, start_daphne

from .test_chat_redis_fault import private_redis  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

CLIENTS = 3
SEND_EVERY_SECONDS = 0.1
SENDING_SECONDS = 60.0
# Redis goes away three times, for a few seconds each, spread over the minute.
REDIS_OUTAGES = ((8.0, 4.0), (26.0, 4.0), (44.0, 4.0))
DAPHNE_KILLED_AT = 20.0
DAPHNE_DOWN_FOR = 3.0
CONNECT_SECONDS = 20.0
SETTLE_SECONDS = 60.0
FIGURES: list[str] = []


def server_env(redis_url: str) -> dict[str, str]:
    # The clients send faster than people type: the chat rate limits are off in these processes.
    return {"REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "tests.chat.unthrottled_settings"}


@pytest.fixture
def servers(private_redis, transactional_db, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        started = [start_daphne(server_env(private_redis.url)) for _server in range(2)]
    yield started
    for server in started:
        server.stop()


def stored_last_seq(room_id: int) -> int:
    try:
        return Room.objects.values_list("last_seq", flat=True).get(pk=room_id)
    finally:
        connection.close()


@dataclass
class LoadResult:
    clients: list[ChatClient]
    stored: list[tuple[int, str]]

    @property
    def sent(self) -> int:
        return sum(len(client.sent) for client in self.clients)

    @property
    def delivered(self) -> int:
        return sum(len(client.held) for client in self.clients)

    def figures(self, fault: str) -> str:
        return (
            f"{fault}: sent {self.sent}, stored {len(self.stored)}, delivered {self.delivered} "
            f"({len(self.clients)} clients x {len(self.stored)}); connections per client "
            f"{[client.connections for client in self.clients]}"
        )


def run_load(
    servers: list[DaphneProcess],
    fault: Callable[[list[ChatClient]], Awaitable[None]],
    sending_seconds: float = SENDING_SECONDS,
) -> LoadResult:
    """Three members of one circle, spread over the servers, each sending every 100 ms for 60 s while `fault` runs."""
    circle = factories.CircleFactory()
    people = [factories.MembershipFactory(circle=circle).user for _person in range(CLIENTS)]
    room_id = circle.room.pk
    clients = [
        ChatClient(servers[number % len(servers)].url, room_id, session_key_for(person), person.pk)
        for number, person in enumerate(people)
    ]

    async def conversation() -> None:
        stop = asyncio.Event()
        runs = [asyncio.create_task(client.run(stop)) for client in clients]
        for client in clients:
            await client.wait_until(lambda client=client: client._resumed.is_set(), CONNECT_SECONDS)

        async def keep_sending(client: ChatClient) -> None:
            number = 0
            deadline = time.monotonic() + sending_seconds
            while time.monotonic() < deadline:
                await client.send_new(f"{client.user_id}: nr {number}")
                number += 1
                await asyncio.sleep(SEND_EVERY_SECONDS)

        await asyncio.gather(fault(clients), *(keep_sending(client) for client in clients))
        # Every send is acknowledged in the end (retried with its client_id after reconnecting) ...
        for client in clients:
            await client.wait_until(lambda client=client: not client.pending, SETTLE_SECONDS)
        last_seq = await asyncio.to_thread(stored_last_seq, room_id)
        # ... and every client catches up by resume.
        for client in clients:
            await client.resume()
            await client.wait_until(lambda client=client: client.contiguous >= last_seq, SETTLE_SECONDS)
        stop.set()
        for client in clients:
            if client._socket is not None:
                await client._socket.close()
        await asyncio.gather(*runs)

    try:
        asyncio.run(conversation())
    except TimeoutError:
        states = [
            f"client {client.user_id}: connections={client.connections} contiguous={client.contiguous} "
            f"held={len(client.held)} pending={len(client.pending)} sent={len(client.sent)} errors={client.errors[:3]}"
            for client in clients
        ]
        logs = "\n".join(server.log()[-3000:] for server in servers)
        stored_count = Message.objects.filter(room_id=room_id).count()
        pytest.fail(f"the clients did not catch up ({stored_count} stored):\n" + "\n".join(states) + "\n" + logs)
    stored = [(message.seq, message.body) for message in Message.objects.filter(room_id=room_id).order_by("seq")]
    return LoadResult(clients=clients, stored=stored)


def assert_everyone_holds_exactly_the_stored_messages(result: LoadResult) -> None:
    stored = result.stored
    assert len(stored) == result.sent, "every message sent is stored exactly once"
    assert len({body for _seq, body in stored}) == len(stored), "no message is stored twice"
    assert [seq for seq, _body in stored] == list(range(1, len(stored) + 1)), "seqs are contiguous"
    for client in result.clients:
        assert client.bodies() == stored, f"client {client.user_id} holds what the database holds, in order"
        assert client.duplicated() == {}, f"client {client.user_id} got no message twice as news"


CONTROL_SECONDS = 20.0


def test_control_the_same_load_without_a_fault_loses_and_doubles_nothing(private_redis, servers, sdgs):  # noqa: F811
    """The load alone, for 20 s: when the fault tests fail, this says whether the fault is the cause."""

    async def no_fault(_clients: list[ChatClient]) -> None:
        return None

    result = run_load(servers, no_fault, sending_seconds=CONTROL_SECONDS)
    print(result.figures("no fault (control, 20 s)"))
    assert_everyone_holds_exactly_the_stored_messages(result)


def test_redis_stopped_and_started_three_times_under_load_loses_and_doubles_nothing(private_redis, servers, sdgs):  # noqa: F811
    async def redis_outages(_clients: list[ChatClient]) -> None:
        began = time.monotonic()
        for down_at, down_for in REDIS_OUTAGES:
            await asyncio.sleep(max(0.0, began + down_at - time.monotonic()))
            await asyncio.to_thread(private_redis.stop)
            await asyncio.sleep(down_for)
            await asyncio.to_thread(private_redis.start)

    result = run_load(servers, redis_outages)
    FIGURES.append(result.figures("Redis stopped and started 3 times"))
    print(FIGURES[-1])
    assert_everyone_holds_exactly_the_stored_messages(result)
    # The faults were real: every socket dropped and came back at least once per outage it noticed.
    assert all(client.connections >= 2 for client in result.clients), [c.connections for c in result.clients]


def test_daphne_process_killed_and_restarted_under_load_loses_and_doubles_nothing(private_redis, servers, sdgs):  # noqa: F811
    victim = servers[0]

    async def kill_and_restart(clients: list[ChatClient]) -> None:
        await asyncio.sleep(DAPHNE_KILLED_AT)
        os.kill(victim.process.pid, signal.SIGKILL)
        await asyncio.to_thread(victim.process.wait)
        await asyncio.sleep(DAPHNE_DOWN_FOR)
        replacement = await asyncio.to_thread(start_daphne, {**server_env(private_redis.url), **_database_env(victim)})
        servers.append(replacement)
        # The load balancer now sends the victim's clients to the new process.
        for client in clients:
            if client.server_url == victim.url:
                client.server_url = replacement.url

    result = run_load(servers, kill_and_restart)
    FIGURES.append(result.figures("daphne killed (SIGKILL) and restarted"))
    print(FIGURES[-1])
    assert_everyone_holds_exactly_the_stored_messages(result)
    moved = [client for client in result.clients if client.connections >= 2]
    assert moved, "the clients of the killed process reconnected"


def _database_env(server: DaphneProcess) -> dict[str, str]:
    """The new process uses the same test database as the one it replaces."""
    return {"DATABASE_URL": server.env["DATABASE_URL"]}
