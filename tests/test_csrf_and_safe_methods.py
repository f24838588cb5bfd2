"""CSRF is enforced on every POST, and no GET changes anything.

1. Every pattern of the URL configuration (the site, allauth, the admin, both languages) is
   POSTed without a CSRF token, as a logged-in superuser, by a client that enforces CSRF
   like a browser: each answer must be 403 from Django's CSRF check (its security log names
   the path), never the view's own answer. A POST with the token goes through.
2. Every URL is fetched with GET as each role of tests/security/scenario.py (the addresses
   come from tests/security/matrix.py), and the row count of every model must be the same
   afterwards. Session bookkeeping (Django's sessions, allauth's usersessions) is not domain
   state and is left out; each role's session exists before the counting starts.
"""

import logging
import re
import uuid
from itertools import product

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from tests import factories
from tests.chat.live_client import session_key_for
from tests.security.matrix import HTTP, admin_entry
from tests.security.scenario import ROLES, build_scenario

CANDIDATE_VALUES = ("1", "x", "x-1", str(uuid.UUID(int=1)))
NOT_DOMAIN_STATE = {"sessions.session", "usersessions.usersession"}
# Known GETs that write, each named with the one model it may touch. Opening a room's page (the
# chat's no-JavaScript fallback) stores how far the person has read: a per-person read marker,
# idempotent, never a message. Reported to the chat's owners; any other GET that writes fails.
GET_WRITES_ALLOWED = {"chat:room": {"chat.readstate"}}


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(name for reverse or None, callback, route, pattern) for every URLPattern."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            found += url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            found.append((name, pattern.callback, prefix + str(pattern.pattern), pattern))
    return found


def candidates_for(pattern: URLPattern, group: str) -> list[str]:
    """Values to try for one argument: a few plain ones, and the first choice of a regex alternation."""
    values = list(CANDIDATE_VALUES)
    match = re.search(rf"\(\?P<{group}>([^)]*)\)", str(pattern.pattern))
    if match and "|" in match.group(1):
        values.insert(0, match.group(1).split("|")[0])
    return values


def path_from_route(route: str, language: str) -> str | None:
    """The route written out with "1" for every argument, if that resolves (unnamed admin patterns)."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path).replace("^", "").replace("$", "")
    path = "/" + path.removeprefix("en/")
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def concrete_path(name: str | None, callback, route: str, pattern: URLPattern, language: str) -> str | None:
    """A path that resolves to the pattern, with made-up arguments (CSRF is checked before the view looks)."""
    groups = list(pattern.pattern.regex.groupindex)
    for values in product(*(candidates_for(pattern, group) for group in groups)):
        try:
            return reverse(name or callback, kwargs=dict(zip(groups, values, strict=True)))
        except NoReverseMatch:
            continue
    return path_from_route(route, language)


def every_path() -> tuple[list[str], list[str]]:
    """Concrete paths for every pattern in Danish and in English, and the routes none could be made for."""
    paths, unbuildable = [], []
    for language in ("da", "en"):
        with translation.override(language):
            for name, callback, route, pattern in url_patterns():
                path = concrete_path(name, callback, route, pattern, language)
                if path is None:
                    unbuildable.append(route)
                else:
                    paths.append(path)
    return sorted(set(paths)), sorted(set(unbuildable))


@pytest.fixture
def csrf_log(caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    return caplog


def test_every_post_without_a_csrf_token_is_refused_by_the_csrf_check(db, csrf_log) -> None:
    person = factories.UserFactory(is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(person)
    paths, unbuildable = every_path()
    assert unbuildable == [], f"no path could be built for: {unbuildable}"
    assert len(paths) > 100  # the site, allauth and the admin, in two languages

    not_refused = []
    for path in paths:
        csrf_log.clear()
        response = client.post(path, {"anything": "1"})
        refused_by_csrf = any(record.args and path in record.args for record in csrf_log.records)
        if response.status_code != 403 or not refused_by_csrf:
            not_refused.append((path, response.status_code))

    assert not_refused == [], f"POST without a CSRF token was not refused by the CSRF check: {not_refused}"


def test_a_post_with_the_csrf_token_goes_through(db, csrf_log) -> None:
    """The control: the same enforcing client, with the token a form carries, is let through."""
    person = factories.UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    client.get("/min-side/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post("/konto/logout/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert csrf_log.records == []
    assert "_auth_user_id" not in client.session


def row_counts() -> dict[str, int]:
    """The row count of every model's table, in one query."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_DOMAIN_STATE and model._meta.managed and not model._meta.proxy
    ]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    counts = ", ".join(f"(SELECT count(*) FROM {table})" for table in tables)  # noqa: S608  (the models' own table names, quoted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label_lower: count for model, count in zip(models, row, strict=True)}


def get_paths(scenario) -> list[tuple[str, str]]:
    """(pattern key, path) for every pattern, with the scenario's real objects as arguments."""
    paths = []
    for name, _callback, route, _pattern in url_patterns():
        key = name or f"route:{route}"
        if route.startswith("admin/"):
            entry = admin_entry(key, route)
        else:
            entry = HTTP.get(key)
            if entry is None:
                continue  # tests/security/test_permission_matrix.py fails for a pattern without an entry
            if isinstance(entry, list):  # one pattern, several cases (matrix.py): the first one's address
                entry = entry[0]
        paths.append(
            (key, entry.path(scenario) if entry.path is not None else reverse(name, kwargs=entry.kwargs(scenario)))
        )
    return paths


def test_no_get_changes_any_row_as_any_role(db, settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    scenario = build_scenario()
    paths = get_paths(scenario)
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key_for(scenario.users[role])
        client.get("/")  # the session's own bookkeeping happens here, before counting
        clients[role] = client

    before = row_counts()
    requests = 0
    changed = []
    for role, client in clients.items():
        for key, path in paths:
            client.get(path)
            requests += 1
            after = row_counts()
            diff = {label: (before[label], after[label]) for label in after if after[label] != before[label]}
            if set(diff) - GET_WRITES_ALLOWED.get(key, set()):
                changed.append((role, path, diff))
            before = after

    assert len(paths) >= 50
    assert requests == len(paths) * len(ROLES)
    assert changed == [], f"GET changed rows: {changed}"
