"""Pages: requests/s, p50/p99 and SQL query count, against a bare Django view in the same daphne and run.

    .venv/bin/python bench/pages.py

Pages, as a logged-in member: the home page, the circle list with 1,000 circles, a circle page, the
chat page of a room with 100,000 messages. The floor is /bench/bare (bench/urls.py): a view that
returns "ok" through the same middleware. daphne runs with production settings on CPU 0, the
client on CPU 1; `--connections` keep-alive connections in a closed loop, `--seconds` per page.
Query counts come from Django's test client in this process, on the same database.
"""

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import (
    PYTHON,
    ROOT,
    Processes,
    cpu_seconds,
    machine,
    make_members,
    pin_client,
    prepare_database,
    report,
    server_env,
    wait_http,
)

CIRCLES = 1000
MESSAGES = 100_000


def build_data() -> dict:
    """1,000 circles and a room with 100,000 messages (made once per bench database, then reused)."""
    from django.db import connection

    from chat.models import Message, Room
    from circles.models import Circle
    from libraries.models import Library
    from tests import factories

    library = Library.objects.filter(slug="bench-pages").first()
    if library is None:
        library = factories.LibraryFactory(name="Bench sider", slug="bench-pages")
        circles = [
            factories.CircleFactory.build(host_library=library, title=f"Bench cirkel {n}", slug=f"bench-pages-{n}")
            for n in range(CIRCLES)
        ]
        Room.objects.bulk_create(Room(circle=circle) for circle in Circle.objects.bulk_create(circles))
    room_id, members = make_members(5, label="pages")
    room = Room.objects.get(pk=room_id)
    author_id = members[0][0]
    template = Message.objects.create(room=room, seq=1, author_id=author_id, body="Hej alle, vi ses på torsdag.")
    columns = [
        field.column
        for field in Message._meta.concrete_fields
        if field.column not in ("id", "seq", "client_id") and not field.primary_key
    ]
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({column_list}, seq, client_id) "  # noqa: S608  (our own columns)
            f"SELECT {column_list}, g, gen_random_uuid() FROM {Message._meta.db_table}, generate_series(2, %s) g "
            "WHERE id = %s",
            [MESSAGES, template.pk],
        )
    Room.objects.filter(pk=room_id).update(last_seq=MESSAGES)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    circle = room.circle
    # A second circle, ten times the members and a thousandth of the messages: same query counts?
    other_room_id, other_members = make_members(50, label="pages-other")
    other_room = Room.objects.get(pk=other_room_id)
    Message.objects.bulk_create(
        Message(room=other_room, seq=n, author_id=other_members[n % 50][0], body=f"besked {n}") for n in range(1, 101)
    )
    Room.objects.filter(pk=other_room_id).update(last_seq=100)
    return {
        "room_id": room_id,
        "circle_slug": circle.slug,
        "cookie": members[0][1],
        "user_id": author_id,
        "other_room_id": other_room_id,
        "other_circle_slug": other_room.circle.slug,
        "other_user_id": other_members[0][0],
    }


def query_counts(paths: dict[str, str], user_id: int) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(pk=user_id))
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm caches (sessions, translations) as a running server has them
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        counts[name] = len(queries)
    return counts


async def _get(reader, writer, request: bytes) -> int:
    writer.write(request)
    status = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return int(status.split()[1])


async def load(port: int, path: str, cookie: str, connections: int, seconds: float, pid: int) -> dict:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nX-Forwarded-Proto: https\r\n"
        "Accept-Language: da\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    stop = 0.0
    measuring = False

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < stop:
            started = time.monotonic()
            status = await _get(reader, writer, request)
            if measuring:
                latencies.append(time.monotonic() - started)
                errors += status != 200
        writer.close()

    stop = time.monotonic() + 1.0
    await asyncio.gather(*(worker() for _n in range(connections)))
    measuring = True
    cpu0, started = cpu_seconds(pid), time.monotonic()
    stop = started + seconds
    await asyncio.gather(*(worker() for _n in range(connections)))
    elapsed, cpu = time.monotonic() - started, cpu_seconds(pid) - cpu0
    latencies.sort()
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000, 1),
        "server_ms_cpu_per_request": round(cpu / max(len(latencies), 1) * 1000, 2),
        "non_200": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    pin_client()
    prepare_database()
    import subprocess

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        env = server_env("")
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    data = build_data()
    paths = {
        "bare": "/bench/bare",
        "home": "/",
        "circle_list": "/cirkler/",
        "circle": f"/cirkler/{data['circle_slug']}/",
        "chat_history": f"/samtale/{data['room_id']}/",
    }
    counts = query_counts(paths, data["user_id"])
    other = query_counts(
        {"circle": f"/cirkler/{data['other_circle_slug']}/", "chat_history": f"/samtale/{data['other_room_id']}/"},
        data["other_user_id"],
    )
    processes = Processes()
    results: dict = {}
    try:
        _redis, redis_url = processes.redis()
        server, port = processes.daphne(server_env(redis_url))
        wait_http(f"http://127.0.0.1:{port}/healthz")
        for name, path in paths.items():
            results[name] = asyncio.run(load(port, path, data["cookie"], args.connections, args.seconds, server.pid))
            results[name]["queries"] = counts[name]
            if name in other:
                # The same page of a circle with 50 members (not 5) and 100 messages (not 100,000).
                results[name]["queries_other_circle"] = other[name]
    finally:
        processes.stop_all()
    bare = results["bare"]["requests_per_s"]
    for name in paths:
        results[name]["x_bare_requests_per_s"] = round(results[name]["requests_per_s"] / bare, 2)
    summary = "pages: " + ", ".join(
        f"{name} {r['requests_per_s']} req/s ({r['x_bare_requests_per_s']}x bare) p99 {r['p99_ms']} ms {r['queries']} queries"
        for name, r in results.items()
    )
    report(
        "pages", {"connections": args.connections, "seconds": args.seconds, "machine": machine(), **results}, summary
    )


if __name__ == "__main__":
    main()
