"""A Redis cache that keeps the site up while Redis is down.

Django's RedisCache raises redis' ConnectionError and TimeoutError straight into the view,
so a stopped Redis would turn every login (allauth counts its rate limits in the cache)
into a 500. This backend logs the error and answers as a cache miss instead. `add` answers
True: allauth takes a lock with it, and a lock that can never be taken would refuse every
login, so the rate limits fail open for as long as Redis is away.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _forgiving(operation: str, call: Callable[[], Any], fallback: Any) -> Any:
    try:
        return call()
    except REDIS_UNAVAILABLE as error:
        logger.warning("cache %s skipped, Redis is unavailable: %s", operation, error)
        return fallback


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis cannot be reached."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _forgiving("add", lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return _forgiving("get", lambda: super(ForgivingRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        _forgiving("set", lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return _forgiving("touch", lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return _forgiving("delete", lambda: super(ForgivingRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return _forgiving("get_many", lambda: super(ForgivingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return _forgiving("has_key", lambda: super(ForgivingRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError (the cache API's contract); only an outage is swallowed.
        return _forgiving("incr", lambda: super(ForgivingRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return _forgiving("set_many", lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), [])

    def delete_many(self, keys, version=None):
        _forgiving("delete_many", lambda: super(ForgivingRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return _forgiving("clear", lambda: super(ForgivingRedisCache, self).clear(), False)
