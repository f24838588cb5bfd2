"""Shared fixtures: services the tests need, test data, a real daphne process, a real browser."""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from circles.models import SDG
from circles.sdg_data import sdgs_load

from . import factories

pytest_plugins = ["tests.live"]

# Fuzz tests that name no max_examples take it from the profile: HYPOTHESIS_PROFILE=ci (set by .ci/run)
# runs 1,000 examples each, "dev" (the default) Hypothesis' usual 100, "quick" 10 for a smoke run.
# No example database in any.
_FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
}
hypothesis_settings.register_profile("ci", max_examples=1000, print_blob=True, **_FUZZ_SETTINGS)
hypothesis_settings.register_profile("dev", max_examples=100, **_FUZZ_SETTINGS)
hypothesis_settings.register_profile("quick", max_examples=10, **_FUZZ_SETTINGS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-services",
        action="store_true",
        default=False,
        help="Fail, instead of skip, tests whose service (PostgreSQL, Redis, Chromium, gettext, docker-compose) is missing.",
    )


def service_missing(request: pytest.FixtureRequest, reason: str) -> None:
    """Skip, or fail when the run requires every service (CI)."""
    if request.config.getoption("--require-services"):
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    """Tests marked postgres / redis / browser need that service: skip or fail without it. Tests marked
    sqlite are about the embedded default's own code path and run only on SQLite."""
    if request.node.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "config.db",
    ):
        service_missing(request, "needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("sqlite") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.sqlite3"
    ):
        # Not a missing service: the embedded default's own code path. CI runs these in a pass on SQLite.
        pytest.skip("runs on SQLite, the embedded default (CI runs it in its SQLite pass)")
    if request.node.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            service_missing(request, "needs Redis: set REDIS_URL=redis://...")
        if not _redis_answers(settings.REDIS_URL):
            service_missing(request, f"Redis does not answer at {settings.REDIS_URL}")
    if request.node.get_closest_marker("browser") and not shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
        service_missing(request, "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /en/ or translation.activate() leaves English active in this thread: never for the next test."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    """Hash test passwords cheaply, except where a separate daphne process must check them."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("integration"):
        return
    settings_fixture = request.getfixturevalue("settings")
    settings_fixture.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sdgs(db) -> dict[int, SDG]:
    """The 17 goals. The data migration loads them, but transactional tests empty the tables."""
    sdgs_load(SDG)
    return {goal.number: goal for goal in SDG.objects.all()}


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def library(db):
    return factories.LibraryFactory()


@pytest.fixture
def library_staff(library):
    return factories.LibraryStaffFactory(library=library).user


@pytest.fixture
def circle(library, sdgs):
    return factories.CircleFactory(host_library=library, sdgs=[sdgs[13]])


@pytest.fixture
def member(circle):
    return factories.MembershipFactory(circle=circle).user


@pytest.fixture
def facilitator(circle):
    from circles.models import MembershipRole

    return factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop in the main thread for the
    rest of the session, which async tests (WebsocketCommunicator) cannot run beside."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
