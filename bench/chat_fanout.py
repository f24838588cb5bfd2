"""Chat fan-out: Cirkler's room socket against the bare-websocket floor and a raw ASGI app, in one run.

    .venv/bin/python bench/chat_fanout.py --members 200            # one daphne process
    .venv/bin/python bench/chat_fanout.py --members 200 --processes 2

N members (logged in by session cookie) hold one room open; `--senders` of them send ~100-byte
messages through the real protocol. Per server it measures: server CPU µs per delivered message
(every server process + Redis, from /proc), saturated deliveries/s (closed loop, `--window`
messages in flight), p50/p99/max send-to-receive latency at 1,000 deliveries/s offered, at 80 % and
at 150 % of the measured capacity, and missing / out-of-order deliveries (from `seq`). The same
client measures ../shared/bench/floor_server.py and rawasgi.py (under daphne); every figure is also
printed as a ratio to the floor. Servers run on CPU 0, the client and Redis on CPU 1.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import (
    FLOORS,
    ORIGIN,
    PYTHON,
    SERVER_CPU,
    Processes,
    cpu_seconds,
    machine,
    make_members,
    pin_client,
    prepare_database,
    report,
    server_env,
    taskset,
    wait_port,
)

PAD = "x" * 70
TIMEOUT = 5.0  # a delivery later than this counts as missing
SEQ = re.compile(r'"seq": (\d+)')
BODY = re.compile(r'"body": "B(\d+)\|(\d+)\|')


class Load:
    """N sockets in one room; `senders` of them send. Cirkler frames are JSON; floor frames are `B<id>|<ns>|pad`."""

    def __init__(self, urls: list[str], cookies: list[str | None], senders: int, cirkler: bool) -> None:
        self.urls, self.cookies, self.cirkler = urls, cookies, cirkler
        self.sender_count = senders
        self.sockets: list = []
        self.pending: dict[int, list] = {}
        self.latencies: list[int] = []
        self.measuring = False
        self.delivered = 0
        self.out_of_order = 0
        self.duplicates = 0
        self.next_id = 0
        self.last_seen: list[dict] = []
        self.frames_seen = 0
        self.late = 0
        self.readers: list[asyncio.Task] = []

    async def connect(self) -> float:
        from websockets.asyncio.client import connect

        started = time.monotonic()
        for number, (url, cookie) in enumerate(zip(self.urls, self.cookies, strict=True)):
            headers = {"Cookie": cookie} if cookie else {}
            socket = await connect(
                url,
                origin=ORIGIN,
                additional_headers=headers,
                compression=None,
                max_queue=None,
                max_size=None,
                open_timeout=60,
                ping_interval=None,
                proxy=None,
            )
            self.sockets.append(socket)
            self.last_seen.append({})
            self.readers.append(asyncio.ensure_future(self._read(number, socket)))
        # Presence frames settle (each join tells every socket): wait until the sockets go quiet.
        await self.quiet(1.0, 300.0)
        return time.monotonic() - started

    async def _read(self, number: int, socket) -> None:
        last_seen = self.last_seen[number]
        cirkler = self.cirkler
        try:
            async for text in socket:
                now = time.monotonic_ns()
                self.frames_seen += 1
                if cirkler:
                    if not text.startswith('{"type": "message"'):
                        continue
                    body = BODY.search(text)
                    if body is None:
                        continue
                    message_id, sent_ns = int(body.group(1)), int(body.group(2))
                    order = int(SEQ.search(text).group(1))
                    key = 0
                else:
                    head, sent_ns, _pad = text.split("|", 2)
                    message_id, sent_ns = int(head[1:]), int(sent_ns)
                    order = message_id
                    key = message_id % self.sender_count
                previous = last_seen.get(key, 0)
                if order < previous:
                    self.out_of_order += 1
                elif order == previous:
                    self.duplicates += 1
                    continue
                last_seen[key] = max(order, previous)
                entry = self.pending.get(message_id)
                if entry is None:
                    # Counted missing already (later than 5 s), or a message of an earlier phase.
                    self.late += 1
                    continue
                if self.measuring:
                    self.latencies.append(now - sent_ns)
                    self.delivered += 1
                entry[0] -= 1
                if entry[0] == 0:
                    entry[1].set()
        except Exception:
            return

    def _frame(self, message_id: int, pad: str = PAD) -> str:
        body = f"B{message_id}|{time.monotonic_ns()}|{pad}"
        if self.cirkler:
            return json.dumps({"type": "send", "client_id": str(uuid.uuid4()), "body": body})
        return body

    async def _one(self, release: asyncio.Semaphore | None, pad: str = PAD) -> int:
        self.next_id += 1
        message_id = self.next_id
        event = asyncio.Event()
        entry = self.pending[message_id] = [len(self.sockets), event]
        sender = self.sockets[message_id % self.sender_count]
        missing = 0
        try:
            await sender.send(self._frame(message_id, pad))
            await asyncio.wait_for(event.wait(), TIMEOUT)
        except TimeoutError:
            missing = entry[0]
        except Exception:
            missing = entry[0]
        finally:
            self.pending.pop(message_id, None)
            if release is not None:
                release.release()
        return missing

    async def phase(self, mode: str, param: float, seconds: float, pids: list[int]) -> dict:
        """Warm up 1 s, then measure `seconds`: closed loop (`window` in flight) or open loop (`rate` messages/s)."""
        result = {}
        for name, duration in (("warm", 1.0), ("run", seconds)):
            tasks = []
            if name == "run":
                self.latencies, self.delivered, self.out_of_order, self.duplicates = [], 0, 0, 0
                late_at_start = self.late
                self.measuring = True
                cpu0 = [cpu_seconds(pid) for pid in pids]
                client0 = os.times()
                started = time.monotonic()
            stop = time.monotonic() + duration
            if mode == "window":
                window = asyncio.Semaphore(int(param))
                while time.monotonic() < stop:
                    await window.acquire()
                    tasks.append(asyncio.ensure_future(self._one(window)))
            else:
                period, due = 1.0 / param, time.monotonic()
                while time.monotonic() < stop:
                    tasks.append(asyncio.ensure_future(self._one(None)))
                    due += period
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
            if name == "run":
                elapsed = time.monotonic() - started
                cpu1 = [cpu_seconds(pid) for pid in pids]
                client1 = os.times()
                delivered = self.delivered
            missing = sum(await asyncio.gather(*tasks))
            await self.quiet()
            if name == "run":
                self.measuring = False
                lat = sorted(self.latencies)

                def quantile(q: float, lat: list[int] = lat) -> float | None:
                    return round(lat[min(len(lat) - 1, int(q * len(lat)))] / 1e6, 2) if lat else None

                server_cpu = sum(cpu1) - sum(cpu0)
                result = {
                    "mode": mode,
                    "param": round(param, 1),
                    "messages": len(tasks),
                    "deliveries_per_s": round(delivered / elapsed),
                    "messages_per_s": round(delivered / elapsed / len(self.sockets), 1),
                    "p50_ms": quantile(0.50),
                    "p99_ms": quantile(0.99),
                    "max_ms": round(lat[-1] / 1e6, 2) if lat else None,
                    "missing": missing,
                    # Of those, how many still arrived after the 5 s (late, not lost).
                    "arrived_late": self.late - late_at_start,
                    "out_of_order": self.out_of_order,
                    "duplicates": self.duplicates,
                    "server_cpu_share": round(server_cpu / elapsed, 2),
                    "client_cpu_share": round(
                        (client1.user + client1.system - client0.user - client0.system) / elapsed, 2
                    ),
                    "us_per_delivery": round(server_cpu / max(delivered, 1) * 1e6, 1),
                }
        return result

    async def quiet(self, seconds: float = 0.5, longest: float = 30.0) -> None:
        """Wait until no frame has arrived for `seconds` (late deliveries of one phase stay out of the next)."""
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline:
            before = self.frames_seen
            await asyncio.sleep(seconds)
            if self.frames_seen == before:
                return

    async def close(self) -> None:
        for socket in self.sockets:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(), 2)


# tcpi_state, the first byte of struct tcp_info (linux/tcp.h).
TCP_ESTABLISHED = 1


async def slow_client(url: str, cookie: str, fast: Load, seconds: float, pids: list[int]) -> dict:
    """One member who never reads (4 KB receive buffer) while the others send long messages as fast as the server takes them."""
    import socket as sockets

    from websockets.asyncio.client import connect

    from bench._common import rss_bytes

    raw = sockets.socket()
    raw.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
    slow = await connect(
        url,
        sock=raw,
        origin=ORIGIN,
        additional_headers={"Cookie": cookie},
        compression=None,
        max_queue=1,
        ping_interval=None,
        proxy=None,
    )
    await fast.quiet()
    server_pids = pids[:-1]
    rss = [rss_bytes(pid) for pid in server_pids]
    peak = list(rss)
    window, tasks = asyncio.Semaphore(8), []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        await window.acquire()
        # Long messages (3,900 characters): what the server holds for the slow socket grows fast.
        tasks.append(asyncio.ensure_future(fast._one(window, pad="y" * 3900)))
        if len(tasks) % 10 == 0:
            peak = [max(a, rss_bytes(pid)) for a, pid in zip(peak, server_pids, strict=True)]
    await asyncio.gather(*tasks)
    await fast.quiet()
    peak = [max(a, rss_bytes(pid)) for a, pid in zip(peak, server_pids, strict=True)]
    # Cut off = the server reset or closed the connection. The client's kernel knows at once (the
    # socket's TCP state leaves ESTABLISHED), even while unread data keeps recv() from reporting it.
    tcp_state = raw.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_INFO, 1)[0]
    cut_off = tcp_state != TCP_ESTABLISHED or slow.protocol.state.name in ("CLOSING", "CLOSED")
    return {
        "messages_sent": len(tasks),
        "rss_start_mb": [round(value / 2**20, 1) for value in rss],
        "rss_peak_mb": [round(value / 2**20, 1) for value in peak],
        "rss_growth_mb": round((sum(peak) - sum(rss)) / 2**20, 1),
        "slow_socket_cut_off": cut_off,
        "slow_socket_tcp_state": tcp_state,
    }


async def measure(label: str, urls, cookies, pids, args) -> dict:
    load = Load(urls, cookies, args.senders, cirkler=label == "cirkler")
    connect_seconds = await load.connect()
    deliveries_wanted = 1000
    saturated = await load.phase("window", args.window, args.seconds, pids)
    capacity_msgs = max(saturated["deliveries_per_s"] / len(urls), 1.0)
    at_1000 = await load.phase("rate", deliveries_wanted / len(urls), args.seconds, pids)
    at_80 = await load.phase("rate", 0.8 * capacity_msgs, args.seconds, pids)
    at_150 = await load.phase("rate", 1.5 * capacity_msgs, args.seconds, pids)
    slow = None
    if label == "cirkler" and args.slow_client:
        slow = await slow_client(urls[0], args.slow_client, load, args.slow_seconds, pids)
    closed = [socket.close_code for socket in load.sockets if socket.close_code is not None]
    await load.close()
    return {
        # Sockets the server closed during the run, and their close codes.
        "sockets_closed": len(closed),
        "close_codes": sorted(set(closed)),
        "slow_client": slow,
        "connect_s": round(connect_seconds, 1),
        "saturated": saturated,
        "at_1000_deliveries_per_s": at_1000,
        "at_80_percent": at_80,
        "at_150_percent": at_150,
    }


async def saturate_only(urls, cookies, pids, args) -> dict:
    load = Load(urls, cookies, min(args.senders, len(urls)), cirkler=True)
    await load.connect()
    result = await load.phase("window", args.window, args.seconds, pids)
    await load.close()
    return result


def ratios(result: dict, floor: dict) -> dict:
    def ratio(a, b):
        return round(a / b, 2) if a is not None and b else None

    return {
        "us_per_delivery_saturated_x": ratio(
            result["saturated"]["us_per_delivery"], floor["saturated"]["us_per_delivery"]
        ),
        "us_per_delivery_at_1000_x": ratio(
            result["at_1000_deliveries_per_s"]["us_per_delivery"], floor["at_1000_deliveries_per_s"]["us_per_delivery"]
        ),
        "capacity_x": ratio(result["saturated"]["deliveries_per_s"], floor["saturated"]["deliveries_per_s"]),
        "p99_at_1000_x": ratio(
            result["at_1000_deliveries_per_s"]["p99_ms"], floor["at_1000_deliveries_per_s"]["p99_ms"]
        ),
        "p50_at_1000_x": ratio(
            result["at_1000_deliveries_per_s"]["p50_ms"], floor["at_1000_deliveries_per_s"]["p50_ms"]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="sockets in the room (5, 30, 200, 500)")
    parser.add_argument(
        "--processes", type=int, default=1, help="daphne processes for Cirkler, members split over them"
    )
    parser.add_argument("--senders", type=int, default=4, help="members that send (round robin)")
    parser.add_argument("--window", type=int, default=8, help="messages in flight when saturating")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured phase")
    parser.add_argument("--skip-floors", action="store_true", help="measure Cirkler only (no ratios)")
    parser.add_argument(
        "--baseline-members", type=int, default=0, help="also saturate a room of this many (e.g. 5): fan-out cost alone"
    )
    parser.add_argument("--slow-seconds", type=float, default=0, help="also run a member that never reads, this long")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the Cirkler servers, e.g. DATABASE_CONN_MAX_AGE=600 (repeatable)",
    )
    parser.add_argument("--label", default="", help="a name for this variant in the output (e.g. stock, hub)")
    args = parser.parse_args()
    args.senders = min(args.senders, args.members)

    pin_client()
    prepare_database()
    processes = Processes()
    results: dict = {}
    try:
        redis, redis_url = processes.redis()
        room_id, members = make_members(args.members + 1, label=f"fanout{args.members}")
        # The last member is the deliberately slow client (--slow-seconds).
        slow_member = members.pop()[1]
        args.slow_client = slow_member if args.slow_seconds else None
        env = server_env(redis_url, **dict(item.split("=", 1) for item in args.server_env))
        if args.slow_seconds:
            env.setdefault("BENCH_CHAT_SLOW_SOCKET_BYTES", str(256 * 1024))
        servers = [processes.daphne(env) for _number in range(args.processes)]
        for process, port in servers:
            wait_port(port, process)
        from bench._common import wait_http

        for _process, port in servers:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        urls = [f"ws://127.0.0.1:{servers[n % len(servers)][1]}/ws/rooms/{room_id}/" for n in range(args.members)]
        pids = [process.pid for process, _port in servers] + [redis.pid]
        results["cirkler"] = asyncio.run(measure("cirkler", urls, [key for _id, key in members], pids, args))
        if args.baseline_members:
            # The same servers, a room of a few: the send path's CPU per message, to take out of the
            # per-delivery figure and leave the fan-out's own cost per extra recipient.
            small_room, small = make_members(args.baseline_members, label="baseline")
            small_urls = [
                f"ws://127.0.0.1:{servers[n % len(servers)][1]}/ws/rooms/{small_room}/"
                for n in range(args.baseline_members)
            ]
            base = asyncio.run(saturate_only(small_urls, [key for _id, key in small], pids, args))
            big = results["cirkler"]["saturated"]
            per_message_small = base["us_per_delivery"] * args.baseline_members
            per_message_big = big["us_per_delivery"] * args.members
            results["fanout_only"] = {
                "baseline_members": args.baseline_members,
                "baseline": base,
                "send_path_us_per_message": round(per_message_small, 1),
                "us_per_extra_delivery": round(
                    (per_message_big - per_message_small) / (args.members - args.baseline_members), 1
                ),
            }
        for process, _port in servers:
            processes.stop(process)
        if not args.skip_floors:
            from bench._common import free_port

            port = free_port()
            floor = processes.start([*taskset(SERVER_CPU), PYTHON, str(FLOORS / "floor_server.py"), str(port)])
            wait_port(port, floor)
            urls = [f"ws://127.0.0.1:{port}/"] * args.members
            results["floor"] = asyncio.run(measure("floor", urls, [None] * args.members, [floor.pid, redis.pid], args))
            processes.stop(floor)
            raw, port = processes.daphne({**os.environ, "PYTHONPATH": str(FLOORS)}, "rawasgi:application", cwd=FLOORS)
            urls = [f"ws://127.0.0.1:{port}/"] * args.members
            results["rawasgi"] = asyncio.run(
                measure("rawasgi", urls, [None] * args.members, [raw.pid, redis.pid], args)
            )
            processes.stop(raw)
            results["ratios_to_floor"] = {
                "cirkler": ratios(results["cirkler"], results["floor"]),
                "rawasgi": ratios(results["rawasgi"], results["floor"]),
            }
    finally:
        processes.stop_all()

    cirkler = results["cirkler"]
    summary = (
        f"fanout{' ' + args.label if args.label else ''} N={args.members} processes={args.processes}: "
        f"{cirkler['saturated']['us_per_delivery']} us/delivery saturated, "
        f"{cirkler['saturated']['deliveries_per_s']} deliveries/s, "
        f"p50/p99 at 1000/s {cirkler['at_1000_deliveries_per_s']['p50_ms']}/{cirkler['at_1000_deliveries_per_s']['p99_ms']} ms, "
        f"missing/out-of-order at 80% {cirkler['at_80_percent']['missing']}/{cirkler['at_80_percent']['out_of_order']}"
    )
    if "fanout_only" in results:
        summary += f", fan-out alone {results['fanout_only']['us_per_extra_delivery']} us per extra delivery"
        if "floor" in results:
            summary += f" ({round(results['fanout_only']['us_per_extra_delivery'] / results['floor']['saturated']['us_per_delivery'], 1)}x floor)"
    if "floor" in results:
        floor = results["floor"]
        r = results["ratios_to_floor"]
        summary += (
            f" | floor {floor['saturated']['us_per_delivery']} us, p99 {floor['at_1000_deliveries_per_s']['p99_ms']} ms"
            f" | x floor: cpu {r['cirkler']['us_per_delivery_saturated_x']} (at 1000/s {r['cirkler']['us_per_delivery_at_1000_x']}),"
            f" p99 {r['cirkler']['p99_at_1000_x']}; rawasgi cpu {r['rawasgi']['us_per_delivery_saturated_x']}"
        )
    report(
        "chat_fanout",
        {
            "label": args.label,
            "server_env": args.server_env,
            "members": args.members,
            "processes": args.processes,
            "senders": args.senders,
            "window": args.window,
            "seconds": args.seconds,
            "machine": machine(),
            **results,
        },
        summary,
    )


if __name__ == "__main__":
    main()
