"""/healthz served by a real daphne process whose database or channel layer is unreachable."""

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests.live import DaphneProcess, start_daphne

pytestmark = pytest.mark.integration

# Read at collection, before pytest-django swaps in the test database.
DEVELOPMENT_DATABASE_NAME = str(settings.DATABASES["default"]["NAME"])

CLOSED_DATABASE_URL = "postgres://postgres@127.0.0.1:1/nowhere"
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"
# Each check gives up after config.health.TIMEOUT_SECONDS; this bounds the whole request.
REQUEST_TIMEOUT_SECONDS = 30


def get_healthz(server: DaphneProcess) -> tuple[int, dict, str]:
    """Status, JSON body and Cache-Control of GET /healthz (a 503 is an answer, not an error)."""
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read()), response.headers.get("Cache-Control", "")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read()), error.headers.get("Cache-Control", "")


def test_healthz_process_reports_database_and_channel_layer_down_when_both_are_unreachable() -> None:
    server = start_daphne({"DATABASE_URL": CLOSED_DATABASE_URL, "REDIS_URL": CLOSED_REDIS_URL}, wait_healthy=False)
    try:
        status, body, cache_control = get_healthz(server)
    finally:
        server.stop()
    assert status == 503, server.log()
    assert body == {"status": "unavailable", "database": "down", "channel_layer": "down", "cache": "down"}
    assert "no-store" in cache_control


def test_healthz_process_reports_only_channel_layer_down_when_redis_is_unreachable(
    django_db_setup, django_db_blocker, transactional_db
) -> None:
    # pytest-django creates the test database only for tests that ask for one (transactional_db
    # here); without it start_daphne would hand daphne the development database.
    assert str(connection.settings_dict["NAME"]) != DEVELOPMENT_DATABASE_NAME
    with django_db_blocker.unblock():
        server = start_daphne({"REDIS_URL": CLOSED_REDIS_URL}, wait_healthy=False)
    try:
        status, body, cache_control = get_healthz(server)
    finally:
        server.stop()
    assert status == 503, server.log()
    assert body == {"status": "unavailable", "database": "ok", "channel_layer": "down", "cache": "down"}
    assert "no-store" in cache_control
