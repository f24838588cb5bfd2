"""/healthz in-process: 200 when the database and the channel layer answer, 503 naming the part that is down."""

import pytest
from channels.layers import get_channel_layer

CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"


def redis_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None}]},
        }
    }


def assert_not_cacheable(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in directives
    assert "no-cache" in directives
    assert "max-age=0" in directives


def test_healthz_answers_ok_when_database_and_channel_layer_answer(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok", "cache": "ok"}
    assert_not_cacheable(response)


def test_healthz_answers_503_naming_the_channel_layer_when_redis_is_unreachable(client, db, settings) -> None:
    settings.CHANNEL_LAYERS = redis_layer(CLOSED_REDIS_URL)
    # channels drops its cached layers on setting_changed, so the view gets the broken one.
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    assert layer.hosts[0]["address"] == CLOSED_REDIS_URL

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "channel_layer": "down", "cache": "ok"}
    assert_not_cacheable(response)


@pytest.mark.redis
def test_healthz_answers_ok_with_the_real_redis_channel_layer(client, db, settings) -> None:
    settings.CHANNEL_LAYERS = redis_layer(settings.REDIS_URL)
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok", "cache": "ok"}


def test_healthz_answers_503_naming_the_cache_when_its_redis_is_unreachable(client, db, settings) -> None:
    # The pages keep working on a cache miss (config.cache), so only /healthz tells.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": CLOSED_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "channel_layer": "ok", "cache": "down"}
