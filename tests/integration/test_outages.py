"""Outages with real processes: PostgreSQL and Redis stopped under a running daphne, then started again.

PostgreSQL down: every page that needs the database answers 503 with the static bilingual
page (no 500, no traceback), /healthz names the database, and once PostgreSQL is back the same
daphne process serves everything again, logged-in people still logged in.
Redis down: pages and logging in still work, the open chat says it is reconnecting, /healthz
names the channel layer and the cache, and the chat connects again once Redis is back.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from circles.models import MembershipRole
from tests import factories
from tests.conftest import service_missing
from tests.live import BASE_DIR, LOOPBACK_HOSTS, start_daphne

from .services import COMMAND_SECONDS, PrivatePostgres, PrivateRedis, postgres_bin_dir

pytestmark = pytest.mark.integration

REQUEST_SECONDS = 30
RECOVERY_SECONDS = 30
WAIT_MS = 20_000
OUTAGE_TITLE = "Cirkler er midlertidigt utilgængelig"
OUTAGE_TITLE_EN = "Cirkler is unavailable for a moment"
EMAIL = "outage@example.org"

SEED = """
import django, json
django.setup()
from circles.models import MembershipRole
from tests import factories
circle = factories.CircleFactory(title="Cirklen om vand")
person = factories.MembershipFactory(circle=circle, role=MembershipRole.MEMBER,
                                     user=factories.UserFactory(email="outage@example.org", display_name="Ulla")).user
print(json.dumps({"circle_path": circle.get_absolute_url()}))
"""


class Browser:
    """A plain HTTP client with its own cookies; a 5xx is an answer, not an exception."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310  (http://127.0.0.1 only)
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def log_in(self, email: str, password: str) -> None:
        status, _body, _headers = self.request("/konto/login/")
        assert status == 200
        status, body, _headers = self.request(
            "/konto/login/", {"csrfmiddlewaretoken": self.csrf_token(), "login": email, "password": password}
        )
        assert status == 200, body[-2000:]
        assert 'class="login-state"' in body, body[-2000:]  # base.html shows who is logged in


def healthz(browser: Browser) -> tuple[int, dict]:
    status, body, _headers = browser.request("/healthz")
    return status, json.loads(body)


def wait_for_healthz(browser: Browser, expected: dict) -> dict:
    deadline = time.monotonic() + RECOVERY_SECONDS
    body: dict = {}
    while time.monotonic() < deadline:
        _status, body = healthz(browser)
        if body == expected:
            return body
        time.sleep(0.5)
    raise AssertionError(f"/healthz never said {expected}; last {body}")


# PostgreSQL


@pytest.fixture
def private_postgres(request):
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        service_missing(request, "needs PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    server = PrivatePostgres.create(bin_dir)
    try:
        server.start()
        server.create_database("cirkler")
        server.migrate("cirkler")
        yield server
    finally:
        server.destroy()


def seed(database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({"DJANGO_DEBUG": "1", "DATABASE_URL": database_url})
    result = subprocess.run(
        [sys.executable, "-c", SEED], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=COMMAND_SECONDS
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# Without a pool each request connects anew; with Django's psycopg pool (DATABASE_POOL_MAX_SIZE) the
# connections lent before the outage are dead afterwards and must not be lent again, and while PostgreSQL
# is down no query may wait the pool's timeout (config.db): a page asks several times, minutes in all.
@pytest.mark.parametrize("pool", [{}, {"DATABASE_POOL_MAX_SIZE": "4"}], ids=["no pool", "psycopg pool"])
def test_postgresql_outage_answers_503_everywhere_and_the_same_process_recovers(private_postgres, pool) -> None:
    data = seed(private_postgres.url("cirkler"))
    server = start_daphne({"DATABASE_URL": private_postgres.url("cirkler"), **pool})
    try:
        anonymous, member = Browser(server.url), Browser(server.url)
        member.log_in(EMAIL, factories.PASSWORD)
        pages = ["/", "/cirkler/", data["circle_path"], "/en/cirkler/"]
        for path in pages:
            assert anonymous.request(path)[0] == 200, path
        for path in [*pages, "/min-side/"]:
            assert member.request(path)[0] == 200, path

        private_postgres.stop()

        answers = {}
        for who, browser, paths in [("anonymous", anonymous, pages), ("member", member, [*pages, "/min-side/"])]:
            for path in paths:
                status, body, headers = browser.request(path)
                answers[f"{who} {path}"] = status
                assert status == 503, f"{who} {path}: {status}\n{body[-3000:]}"
                assert OUTAGE_TITLE in body and OUTAGE_TITLE_EN in body
                assert "Traceback" not in body
                assert headers.get("Retry-After") == "30"
                assert "no-store" in headers.get("Cache-Control", "")
        assert len(answers) == 9
        assert healthz(anonymous) == (
            503,
            {"status": "unavailable", "database": "down", "channel_layer": "ok", "cache": "ok"},
        )
        assert "500 Internal" not in server.log()

        private_postgres.start()

        wait_for_healthz(anonymous, {"status": "ok", "database": "ok", "channel_layer": "ok", "cache": "ok"})
        for path in pages:
            assert anonymous.request(path)[0] == 200, path
        status, body, _headers = member.request("/min-side/")
        assert status == 200
        assert "Ulla" in body  # still logged in: the session outlived the outage
        assert server.process.poll() is None  # the same process, never restarted
    finally:
        server.stop()


# Redis


@pytest.fixture
def private_redis():
    server = PrivateRedis.create()
    server.start()
    yield server
    server.destroy()


@pytest.mark.browser
def test_redis_outage_keeps_pages_working_and_the_chat_says_it_is_reconnecting(
    private_redis, browser, django_db_blocker, transactional_db, sdgs
) -> None:
    circle = factories.CircleFactory(sdgs=[sdgs[13]], title="Cirklen om luft")
    person = factories.MembershipFactory(circle=circle, role=MembershipRole.MEMBER).user
    with django_db_blocker.unblock():
        server = start_daphne({"REDIS_URL": private_redis.url})
    context = browser.new_context(base_url=server.url, locale="da-DK")
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if urllib.parse.urlsplit(route.request.url).hostname in LOOPBACK_HOSTS else route.abort()
        ),
    )
    try:
        page = context.new_page()
        page.goto("/konto/login/")
        page.locator("input[name=login]").fill(person.email)
        page.locator("input[name=password]").fill(factories.PASSWORD)
        page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/konto/login/" not in url, timeout=WAIT_MS)
        page.goto(circle.get_absolute_url())
        page.locator('#chat[data-connection="connected"]').wait_for(timeout=WAIT_MS)

        private_redis.stop()

        page.locator('#chat[data-connection="reconnecting"]').wait_for(timeout=WAIT_MS)
        assert page.locator(".chat-status").inner_text() == page.locator(".chat-status").get_attribute(
            "data-reconnecting"
        )

        # Pages, and logging in (allauth counts its rate limits in the Redis cache), still work.
        anonymous = Browser(server.url)
        statuses = {path: anonymous.request(path)[0] for path in ["/", "/cirkler/", "/konto/login/", "/en/"]}
        assert set(statuses.values()) == {200}, statuses
        another = Browser(server.url)
        another.log_in(person.email, factories.PASSWORD)
        assert another.request(circle.get_absolute_url())[0] == 200
        assert healthz(anonymous) == (
            503,
            {"status": "unavailable", "database": "ok", "channel_layer": "down", "cache": "down"},
        )
        assert not re.search(r'" 500 ', server.log()), server.log()[-5000:]

        private_redis.start()

        page.locator('#chat[data-connection="connected"]').wait_for(timeout=60_000)
        wait_for_healthz(anonymous, {"status": "ok", "database": "ok", "channel_layer": "ok", "cache": "ok"})
    finally:
        context.close()
        server.stop()
