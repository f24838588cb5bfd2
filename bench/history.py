"""History: the newest 50 messages and one page back, in a room of 10,000 and one of 1,000,000 (PostgreSQL).

    .venv/bin/python bench/history.py

Runs chat.selectors.message_page (what the chat page and its "older messages" link use) in this
process against the bench database; the rooms are made once and reused. The ratio of the large
room's time to the small room's should be about 1 (keyset pagination on the (room, seq) index).
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import machine, make_members, pin_client, prepare_database, report

SIZES = (10_000, 1_000_000)


def room_with(count: int) -> int:
    """A room holding `count` messages (made with one INSERT … SELECT, then kept in the bench database)."""
    from django.db import connection

    from chat.models import Message, Room

    existing = Room.objects.filter(circle__slug__startswith=f"bench-history{count}-", last_seq=count).first()
    if existing is not None:
        return existing.pk
    room_id, members = make_members(2, label=f"history{count}")
    template = Message.objects.create(room_id=room_id, seq=1, author_id=members[0][0], body="Hej, her er et referat.")
    columns = [
        field.column for field in Message._meta.concrete_fields if field.column not in ("id", "seq", "client_id")
    ]
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({column_list}, seq, client_id) "  # noqa: S608  (our own columns)
            f"SELECT {column_list}, g, gen_random_uuid() FROM {Message._meta.db_table}, generate_series(2, %s) g "
            "WHERE id = %s",
            [count, template.pk],
        )
        cursor.execute(f"ANALYZE {Message._meta.db_table}")
    Room.objects.filter(pk=room_id).update(last_seq=count)
    return room_id


def timings(room_id: int, repeats: int) -> dict:
    from chat.models import Room
    from chat.selectors import message_page

    room = Room.objects.get(pk=room_id)
    newest, back = [], []
    for _n in range(repeats):
        started = time.perf_counter()
        page, has_older = message_page(room=room)
        newest.append(time.perf_counter() - started)
        started = time.perf_counter()
        older, _more = message_page(room=room, before_seq=page[0].seq)
        back.append(time.perf_counter() - started)
        assert len(page) == 50 and has_older and len(older) == 50

    def summary(values: list[float]) -> dict:
        values = sorted(values)
        return {
            "median_ms": round(statistics.median(values) * 1000, 3),
            "p99_ms": round(values[min(len(values) - 1, int(0.99 * len(values)))] * 1000, 3),
        }

    return {"newest_50": summary(newest), "one_page_back": summary(back)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    pin_client()
    prepare_database()
    results = {str(size): timings(room_with(size), args.repeats) for size in SIZES}
    small, large = results[str(SIZES[0])], results[str(SIZES[1])]
    ratios = {
        key: round(large[key]["median_ms"] / small[key]["median_ms"], 2) for key in ("newest_50", "one_page_back")
    }
    summary = (
        f"history: newest 50 {small['newest_50']['median_ms']} ms at 10k, {large['newest_50']['median_ms']} ms at 1M "
        f"(ratio {ratios['newest_50']}); one page back ratio {ratios['one_page_back']}"
    )
    report(
        "history", {"repeats": args.repeats, "machine": machine(), "rooms": results, "ratio_1m_to_10k": ratios}, summary
    )


if __name__ == "__main__":
    main()
