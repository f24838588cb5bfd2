"""A real daphne process serving Cirkler, and a real Chromium driven by Playwright."""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_string
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
STARTUP_SECONDS = 60
# The database the settings name before pytest-django switches to the test database.
DEVELOPMENT_DATABASE = settings.DATABASES["default"]["NAME"]
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")


@dataclass
class DaphneProcess:
    """One daphne process on a free loopback port; `url` has no trailing slash."""

    process: subprocess.Popen
    log_path: Path
    url: str = ""
    env: dict = field(default_factory=dict)
    mail_dir: Path | None = None

    def mails(self) -> list[EmailMessage]:
        """The e-mails the process has sent, oldest first (it writes them to files in `mail_dir`)."""
        if self.mail_dir is None:
            return []
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda path: path.stat().st_mtime_ns):
            # The file backend separates messages with a line of 79 dashes.
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    messages.append(message_from_string(chunk.strip(), policy=default_policy))
        return messages

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def database_url_for(settings_dict: dict) -> str:
    """DATABASE_URL for the database Django is connected to now (the test database during tests)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if user or password else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def start_daphne(env_overrides: dict[str, str] | None = None, *, wait_healthy: bool = True) -> DaphneProcess:
    """Start `daphne config.asgi:application` on a free port and wait until it listens."""
    if "DATABASE_URL" not in (env_overrides or {}) and connection.settings_dict["NAME"] == DEVELOPMENT_DATABASE:
        raise RuntimeError(
            "the test database is not set up: request transactional_db (or django_db_setup with a db test)"
        )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({"DJANGO_DEBUG": "1", "DATABASE_URL": database_url_for(connection.settings_dict)})
    env.update(env_overrides or {})
    log_file = tempfile.NamedTemporaryFile(prefix="daphne-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-e", "tcp:port=0:interface=127.0.0.1", "config.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = DaphneProcess(process=process, log_path=Path(log_file.name), env=env)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{server.log()}")
        match = LISTENING.search(server.log())
        if match:
            server.url = f"http://127.0.0.1:{match.group(1)}"
            break
        time.sleep(0.1)
    else:
        server.stop()
        raise RuntimeError(f"daphne did not start listening in {STARTUP_SECONDS} s:\n{server.log()}")
    if wait_healthy:
        _wait_until_answers(server)
    return server


def _wait_until_answers(server: DaphneProcess) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"daphne never answered /healthz with 200:\n{server.log()}")


@pytest.fixture(scope="session")
def daphne_server(
    request: pytest.FixtureRequest, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[DaphneProcess]:
    """Cirkler served by a real daphne process (HTTP and websockets) on the test database; its e-mails go to files."""
    mail_dir = tmp_path_factory.mktemp("mail")
    with django_db_blocker.unblock():
        server = start_daphne({"EMAIL_URL": f"filemail:///{mail_dir}"})
    server.mail_dir = mail_dir
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest):
    """Debian's Chromium, headless, driven by Playwright; it never fetches a browser of its own."""
    from tests.conftest import service_missing

    if not Path(CHROMIUM).exists():
        service_missing(request, f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM in the test
    # body is still synchronous code, so tell Django not to refuse it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class BrowserPage:
    """A Playwright page on the live server, and every request it tried outside loopback."""

    page: object
    outside_requests: list[str]


@pytest.fixture
def browser_page(browser, daphne_server, transactional_db) -> Iterator[BrowserPage]:
    """A fresh browser context on the live server. Requests to any other host are blocked and recorded."""
    context = browser.new_context(base_url=daphne_server.url, locale="da-DK")
    outside: list[str] = []

    def only_loopback(route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    yield BrowserPage(page=page, outside_requests=outside)
    context.close()
    assert outside == [], f"the page asked hosts other than 127.0.0.1: {outside}"
