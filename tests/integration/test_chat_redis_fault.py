"""Redis stops and starts again mid-conversation: after resuming, every client holds every stored message once, in order."""

import asyncio
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from django.db import connection

from chat.models import Message, Room
from tests import factories
from tests.chat.live_client import ChatClient, session_key_for
from tests.conftest import service_missing
from tests.live import start_daphne

pytestmark = [pytest.mark.integration, pytest.mark.redis]

CLIENTS = 2
SEND_EVERY_SECONDS = 0.1
SENDING_SECONDS = 8.0
REDIS_DOWN_AT = 2.0
REDIS_DOWN_FOR = 3.0
SETTLE_SECONDS = 25.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="chat-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(request):
    if shutil.which("redis-server") is None:
        service_missing(request, "needs the redis-server program (apt-get install redis-server)")
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()
    shutil.rmtree(redis.directory, ignore_errors=True)


@pytest.fixture
def two_servers(private_redis, transactional_db, django_db_blocker):
    env = {"REDIS_URL": private_redis.url, "DJANGO_SETTINGS_MODULE": "tests.chat.unthrottled_settings"}
    with django_db_blocker.unblock():
        servers = [start_daphne(env) for _server in range(2)]
    yield servers
    for server in servers:
        server.stop()


def stored_last_seq(room_id: int) -> int:
    try:
        return Room.objects.values_list("last_seq", flat=True).get(pk=room_id)
    finally:
        connection.close()


def test_every_client_holds_every_message_once_in_order_after_redis_restarts(private_redis, two_servers, sdgs):
    circle = factories.CircleFactory()
    people = [factories.MembershipFactory(circle=circle).user for _person in range(CLIENTS)]
    room_id = circle.room.pk
    # Alternately on the two processes.
    clients = [
        ChatClient(two_servers[number % 2].url, room_id, session_key_for(person), person.pk)
        for number, person in enumerate(people)
    ]

    async def conversation() -> None:
        stop = asyncio.Event()
        runs = [asyncio.create_task(client.run(stop)) for client in clients]
        for client in clients:
            await client.wait_until(lambda client=client: client._resumed.is_set(), 15)

        async def keep_sending(client: ChatClient) -> None:
            number = 0
            deadline = time.monotonic() + SENDING_SECONDS
            while time.monotonic() < deadline:
                await client.send_new(f"{client.user_id}: nr {number}")
                number += 1
                await asyncio.sleep(SEND_EVERY_SECONDS)

        async def fault() -> None:
            await asyncio.sleep(REDIS_DOWN_AT)
            await asyncio.to_thread(private_redis.stop)
            await asyncio.sleep(REDIS_DOWN_FOR)
            await asyncio.to_thread(private_redis.start)

        await asyncio.gather(fault(), *(keep_sending(client) for client in clients))
        # Every send is acknowledged in the end (retried with its client_id after reconnecting) ...
        for client in clients:
            await client.wait_until(lambda client=client: not client.pending, SETTLE_SECONDS)
        last_seq = await asyncio.to_thread(stored_last_seq, room_id)
        # ... and each client catches up by resume, after a gap or at the next connection.
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
        logs = "\n".join(server.log()[-3000:] for server in two_servers)
        stored_count = Message.objects.filter(room_id=room_id).count()
        pytest.fail(f"the clients did not catch up ({stored_count} stored):\n" + "\n".join(states) + "\n" + logs)

    stored = [(message.seq, message.body) for message in Message.objects.filter(room_id=room_id).order_by("seq")]
    sent = sum(len(client.sent) for client in clients)
    assert len(stored) == sent, "every message sent is stored exactly once"
    assert [seq for seq, _body in stored] == list(range(1, sent + 1))
    for client in clients:
        assert client.bodies() == stored
        assert client.duplicated() == {}, "no message arrives twice as news"
        assert set(client.deliveries) == set(range(1, sent + 1))
    # The fault was real: sockets dropped and came back.
    assert all(client.connections >= 2 for client in clients), [client.connections for client in clients]
