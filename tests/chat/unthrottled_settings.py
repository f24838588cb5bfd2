"""Cirkler's settings without the chat rate limits, for fault tests whose clients send faster than people do."""

from config.settings import *  # noqa: F403

CHAT_RATE_LIMITS = ()
