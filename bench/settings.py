"""Cirkler's production settings for the benchmarks: the chat rate limits are off, because the load
clients send far faster than people type. Everything else is config.settings as deployed."""

from config.settings import *  # noqa: F403

CHAT_RATE_LIMITS = ()
# The site plus /bench/bare, a bare Django view through the same middleware (the floor of bench/pages.py).
ROOT_URLCONF = "bench.urls"
# BENCH_CHAT_DB_THREAD_SENSITIVE=1 measures the room sockets' database work on Channels' single thread.
CHAT_DB_THREAD_SENSITIVE = env.bool("BENCH_CHAT_DB_THREAD_SENSITIVE", default=False)  # noqa: F405
# bench/chat_fanout.py --slow-seconds lowers the unsent bytes a socket may hold (1 MiB in production),
# so that a client that never reads is cut off within seconds of the run.
CHAT_SLOW_SOCKET_BYTES = env.int("BENCH_CHAT_SLOW_SOCKET_BYTES", default=1 << 20)  # noqa: F405
