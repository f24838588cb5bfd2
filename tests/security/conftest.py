"""The security tests report their figures (URLs x roles tried, payloads x places, ...) at the end of the run."""

import pytest

from .scenario import Scenario, build_scenario

FIGURES: list[str] = []


def report(line: str) -> None:
    """A figure for the terminal summary (and for the issue note)."""
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("security figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def scenario(db, in_memory_layer) -> Scenario:
    return build_scenario()


@pytest.fixture
def in_memory_layer(settings) -> None:
    """Services publish after commit; here nothing needs Redis to do so."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
