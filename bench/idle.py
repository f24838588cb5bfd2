"""Idle sockets: RSS per idle room websocket at 1,000 connections, and CPU per 1,000 idle connections with pings on.

    .venv/bin/python bench/idle.py

1,000 members in 100 rooms of 10 (circles are small; one room of 1,000 would measure the presence
storm of 1,000 joins instead) connect to one daphne with production settings (CPU 0). RSS is read
from /proc before the first and after the last connection; then the sockets stay idle for
`--idle-seconds` while daphne pings each every `--ping-interval` seconds, and the CPU of daphne
and Redis over that time is reported per 1,000 connections.
"""

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import (
    DAPHNE,
    ORIGIN,
    SERVER_CPU,
    Processes,
    cpu_seconds,
    free_port,
    machine,
    make_members,
    pin_client,
    prepare_database,
    report,
    rss_bytes,
    server_env,
    taskset,
    wait_http,
    wait_port,
)


async def hold(port: int, rooms: list[tuple[int, list]], pid: int, idle_seconds: float) -> dict:
    from websockets.asyncio.client import connect

    async def drain(socket) -> None:
        async for _frame in socket:
            pass

    first = rooms[0]
    warm = await connect(
        f"ws://127.0.0.1:{port}/ws/rooms/{first[0]}/",
        origin=ORIGIN,
        additional_headers={"Cookie": first[1][0][1]},
        proxy=None,
    )
    await asyncio.sleep(1)
    await warm.close()
    await asyncio.sleep(1)
    rss_before = rss_bytes(pid)
    sockets, readers = [], []
    for room_id, members in rooms:
        for _user_id, cookie in members:
            socket = await connect(
                f"ws://127.0.0.1:{port}/ws/rooms/{room_id}/",
                origin=ORIGIN,
                additional_headers={"Cookie": cookie},
                proxy=None,
                open_timeout=60,
            )
            sockets.append(socket)
            readers.append(asyncio.ensure_future(drain(socket)))
    await asyncio.sleep(5)
    rss_after = rss_bytes(pid)
    cpu0, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(idle_seconds)
    cpu, elapsed = cpu_seconds(pid) - cpu0, time.monotonic() - started
    still_open = sum(1 for socket in sockets if socket.close_code is None)
    for socket in sockets:
        await socket.close()
    count = len(sockets)
    return {
        "connections": count,
        "still_open_after_idle": still_open,
        "rss_before_mb": round(rss_before / 2**20, 1),
        "rss_after_mb": round(rss_after / 2**20, 1),
        "rss_kb_per_socket": round((rss_after - rss_before) / count / 1024, 1),
        "idle_cpu_share_per_1000": round(cpu / elapsed * 1000 / count, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--room-size", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--ping-interval", type=int, default=5)
    args = parser.parse_args()
    pin_client()
    prepare_database()
    rooms = [
        make_members(args.room_size, label=f"idle{number}")
        for number in range(max(1, args.connections // args.room_size))
    ]
    processes = Processes()
    try:
        _redis, redis_url = processes.redis()
        port = free_port()
        server = processes.start(
            [
                *taskset(SERVER_CPU),
                *(DAPHNE, "-b", "127.0.0.1", "-p", str(port)),
                *("--ping-interval", str(round(args.ping_interval)), "--ping-timeout", "30"),
                "config.asgi:application",
            ],
            env=server_env(redis_url),
        )
        wait_port(port, server)
        wait_http(f"http://127.0.0.1:{port}/healthz")
        result = asyncio.run(hold(port, rooms, server.pid, args.idle_seconds))
    finally:
        processes.stop_all()
    summary = (
        f"idle: {result['rss_kb_per_socket']} KB RSS per socket at {result['connections']} sockets, "
        f"{result['idle_cpu_share_per_1000']} CPU per 1,000 idle sockets (pings every {args.ping_interval:g} s)"
    )
    report(
        "idle",
        {"ping_interval_s": args.ping_interval, "room_size": args.room_size, "machine": machine(), **result},
        summary,
    )


if __name__ == "__main__":
    main()
