"""Every URL pattern and websocket route, tried as each of the eight roles, against tests/security/matrix.py."""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from chat.routing import websocket_urlpatterns
from tests.chat.live_client import session_key_for

from .conftest import report
from .matrix import (
    ACCEPT,
    FORBIDDEN,
    HTTP,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    WEBSOCKET,
    Entry,
    admin_entry,
)
from .scenario import ROLES, Scenario, build_scenario

REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED}


def url_patterns(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(key, route) for every pattern of config.urls; i18n_patterns count once (the default language has no prefix)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            found += url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            key = f"route:{route}"
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append((key, route))
    return found


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def entries() -> list[tuple[str, Entry]]:
    """(pattern key, entry) for every entry of every pattern (a pattern may be tried in several cases)."""
    table = []
    for key, route in url_patterns():
        if is_admin(route):
            table.append((key, admin_entry(key, route)))
        elif key in HTTP:
            cases = HTTP[key] if isinstance(HTTP[key], list) else [HTTP[key]]
            table += [(key, entry) for entry in cases]
    return table


def test_every_url_pattern_and_websocket_route_has_an_entry():
    patterns = url_patterns()
    missing = [key for key, route in patterns if not is_admin(route) and key not in HTTP]
    stale = sorted(set(HTTP) - {key for key, _route in patterns})
    assert missing == [], f"add these URL patterns to tests/security/matrix.py HTTP: {missing}"
    assert stale == [], f"tests/security/matrix.py names patterns that no longer exist: {stale}"
    routes = [str(route.pattern) for route in websocket_urlpatterns]
    assert sorted(routes) == sorted(WEBSOCKET), "every websocket route needs an entry in matrix.WEBSOCKET"


def outcome(response) -> str:
    """The outcome class of a response (see matrix.py)."""
    status = response.status_code
    if 300 <= status < 400:
        location = urlsplit(response.headers.get("Location", "")).path
        try:
            match = resolve(location)
        except Resolver404:
            return OK
        if match.view_name in ("account_login", "admin:login"):
            return LOGIN
        return OK
    if 200 <= status < 300 or status == 400:
        return OK
    return {403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(status, str(status))


def address(key: str, entry: Entry, scenario: Scenario) -> str:
    if entry.path is not None:
        return entry.path(scenario)
    try:
        return reverse(key, kwargs=entry.kwargs(scenario))
    except NoReverseMatch as error:
        pytest.fail(f"matrix entry {key!r} cannot build its address: {error}")


def sessions(scenario: Scenario) -> dict[str, str | None]:
    return {role: None if role == "anonymous" else session_key_for(scenario.users[role]) for role in ROLES}


def request_as(session_key: str | None, method: str, path: str, data: dict | None = None):
    """One request in a savepoint that is rolled back: a POST that deletes or cancels leaves the scenario as it was."""
    client = Client(raise_request_exception=False)
    if session_key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with transaction.atomic():
        response = getattr(client, method.lower())(path, data or {})
        transaction.set_rollback(True)
    return response


def test_permission_matrix_every_url_as_every_role(scenario):
    keys = sessions(scenario)
    tried = Counter()
    mismatches = []
    for key, entry in entries():
        path = address(key, entry, scenario)
        for method, expected in (("GET", entry.get), ("POST", entry.post)):
            if expected is None:
                continue
            data = entry.data(scenario) if entry.data is not None and method == "POST" else None
            for role in ROLES:
                got = outcome(request_as(keys[role], method, path, data))
                tried[method] += 1
                if got != expected[role]:
                    label = f"{key} ({entry.case})" if entry.case else key
                    mismatches.append((label, method, path, role, expected[role], got))
    unexpected_successes = [row for row in mismatches if row[5] == OK]
    unexpected_refusals = [row for row in mismatches if row[4] == OK and row[5] in REFUSALS]
    patterns = len({key for key, _entry in entries()})
    report(
        f"permission matrix: {patterns} URL patterns ({len(entries())} cases) x {len(ROLES)} roles; requests tried: "
        f"{tried['GET']} GET + {tried['POST']} POST = {sum(tried.values())}; "
        f"unexpected successes: {len(unexpected_successes)}, unexpected refusals: {len(unexpected_refusals)}, "
        f"other mismatches: {len(mismatches) - len(unexpected_successes) - len(unexpected_refusals)}"
    )
    table = "\n".join(
        f"  {key} {method} {path} as {role}: expected {expected}, got {got}"
        for key, method, path, role, expected, got in mismatches
    )
    assert mismatches == [], f"{len(mismatches)} outcomes differ from tests/security/matrix.py:\n{table}"


# ---------------------------------------------------------------------- websocket routes


def socket_path(route: str, kwargs: dict) -> str:
    path = route
    for name, value in kwargs.items():
        for converter in ("int", "str", "slug", "uuid", "path"):
            path = path.replace(f"<{converter}:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    return "/" + path


async def socket_outcome(session_key: str | None, path: str) -> str:
    """Connect through the whole ASGI application (origin check, session auth, router)."""
    from config.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if session_key is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, close_code = await communicator.connect(timeout=5)
    if not connected:
        return f"rejected {close_code}"
    # A refusal is an accept followed at once by a close with the code.
    output = await communicator.receive_output(timeout=5)
    await communicator.disconnect()
    if output["type"] == "websocket.close":
        return str(output.get("code"))
    assert output["type"] == "websocket.send", output
    return ACCEPT


@pytest.fixture
def socket_scenario(transactional_db, in_memory_layer) -> tuple[Scenario, dict[str, str | None]]:
    scenario = build_scenario()
    return scenario, sessions(scenario)


async def test_every_websocket_route_as_every_role(socket_scenario):
    scenario, keys = socket_scenario
    mismatches, tried = [], 0
    for route, entry in WEBSOCKET.items():
        path = socket_path(route, entry.kwargs(scenario))
        for role in ROLES:
            got = await socket_outcome(keys[role], path)
            tried += 1
            if got != entry.expected[role]:
                mismatches.append((route, role, entry.expected[role], got))
        if entry.missing_kwargs is not None:
            missing_path = socket_path(route, entry.missing_kwargs(scenario))
            for role in ROLES[1:]:
                got = await socket_outcome(keys[role], missing_path)
                tried += 1
                if got != entry.missing:
                    mismatches.append((route + " (missing)", role, entry.missing, got))
    report(
        f"websocket matrix: {len(WEBSOCKET)} routes x {len(ROLES)} roles (+ a missing object): {tried} connections; "
        f"unexpected accepts: {sum(1 for row in mismatches if row[3] == ACCEPT)}, "
        f"unexpected refusals: {sum(1 for row in mismatches if row[2] == ACCEPT)}"
    )
    assert mismatches == []
