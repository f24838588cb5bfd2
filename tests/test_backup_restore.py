"""The backup procedure of docs/deployment.md, run for real: `pg_dump -Fc`, then `pg_restore`
into a fresh database, and every chat message (and the rest of the data) is there."""

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from accounts.models import User
from chat.models import Message
from chat.services import message_post
from circles.models import Circle, Membership, MembershipRole
from tests import factories

pytestmark = pytest.mark.postgres

COMMAND_SECONDS = 300
MESSAGES_PER_PERSON = 40


def client_env(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for the database Django is connected to (the test database)."""
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
            "PGPORT": str(settings_dict.get("PORT") or 5432),
            "PGUSER": settings_dict.get("USER") or "postgres",
            "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        }
    )
    return env


def conninfo(settings_dict: dict, database: str) -> str:
    env = client_env(settings_dict)
    return psycopg.conninfo.make_conninfo(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], password=env["PGPASSWORD"], dbname=database
    )


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo(settings_dict, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(conninfo(settings_dict, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(cursor, query: str) -> list[tuple]:
    cursor.execute(query)
    return cursor.fetchall()


def test_pg_dump_custom_format_restores_every_message_into_a_fresh_database(
    transactional_db, sdgs, fresh_database, tmp_path
) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Cirklen om vand")
    people = [
        factories.MembershipFactory(circle=circle, role=role).user
        for role in (MembershipRole.FACILITATOR, MembershipRole.MEMBER, MembershipRole.MEMBER)
    ]
    for number in range(MESSAGES_PER_PERSON):
        for person in people:
            message_post(
                room=circle.room,
                author=person,
                body=f"Besked {number} fra {person.display_name}: æøå **fed** <script>x</script>",
                client_id=uuid.uuid4(),
            )
    stored = list(Message.objects.order_by("id").values_list("id", "room_id", "seq", "author_id", "body"))
    assert len(stored) == MESSAGES_PER_PERSON * len(people)

    dump = tmp_path / "cirkler.dump"
    env = client_env(connection.settings_dict)
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), connection.settings_dict["NAME"]],
        env=env,
        check=True,
        capture_output=True,
        timeout=COMMAND_SECONDS,
    )
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], check=True, capture_output=True, text=True, timeout=COMMAND_SECONDS
    )
    assert "TABLE DATA public chat_message" in listing.stdout
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", fresh_database, str(dump)],
        env=env,
        check=True,
        capture_output=True,
        timeout=COMMAND_SECONDS,
    )

    with psycopg.connect(conninfo(connection.settings_dict, fresh_database)) as restored, restored.cursor() as cursor:
        restored_messages = rows(cursor, "SELECT id, room_id, seq, author_id, body FROM chat_message ORDER BY id")
        counts = {
            table: rows(cursor, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608  (fixed table names)
            for table in ("accounts_user", "circles_circle", "circles_membership")
        }
        migrations = rows(cursor, "SELECT count(*) FROM django_migrations")[0][0]
        # The sequence carries on after the restored rows: the next message gets a new id.
        next_id = rows(cursor, "SELECT nextval(pg_get_serial_sequence('chat_message', 'id'))")[0][0]

    assert restored_messages == stored
    assert counts == {
        "accounts_user": User.objects.count(),
        "circles_circle": Circle.objects.count(),
        "circles_membership": Membership.objects.count(),
    }
    assert migrations > 0
    assert next_id > stored[-1][0]
