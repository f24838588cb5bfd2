"""The production settings (debug off) on real responses: HTTPS, HSTS, CSP, cookies, framing.

The settings are read once per process, so the requests run in a fresh interpreter with the
production environment (a secret key, debug unset, the proxy header named), on the test
database. Only the static files storage is swapped: the manifest is made by collectstatic at
deploy time. The session cookie's new name is then used on the chat socket, through the same
ASGI application daphne serves, to show the websocket login still works.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from chat.protocol import CloseCode
from circles.models import MembershipRole
from tests import factories
from tests.live import database_url_for

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 120
HOST = "cirkler.example"

# A separate process checks the password: it must be hashed with the real hashers.
pytestmark = pytest.mark.integration

PRODUCTION_REQUESTS = """
import asyncio, json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
from django.test.utils import setup_test_environment

email, password, room_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
setup_test_environment()
result = {"DEBUG": settings.DEBUG}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    client = Client(HTTP_HOST="cirkler.example")
    plain = client.get("/tilgaengelighed/")
    result["plain"] = {"status": plain.status_code, "location": plain.get("Location")}
    # Behind the TLS proxy: it says https in the header the settings name.
    page = client.get("/tilgaengelighed/", HTTP_X_FORWARDED_PROTO="https")
    result["page"] = {"status": page.status_code, "headers": dict(page.headers)}
    login_page = client.get("/konto/login/", HTTP_X_FORWARDED_PROTO="https")
    login = client.post("/konto/login/", {"login": email, "password": password}, HTTP_X_FORWARDED_PROTO="https")
    result["login"] = {"status": login.status_code, "location": login.get("Location")}
    cookies = {}
    for response in (login_page, login):
        for name, morsel in response.cookies.items():
            cookies[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                             "path": morsel["path"], "domain": morsel["domain"], "samesite": morsel["samesite"]}
    result["cookies"] = cookies
    session_cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    session_key = session_cookie.value if session_cookie else ""
    if login.status_code != 302:
        result["login"]["errors"] = login.context["form"].errors.get_json_data() if login.context else None

async def socket_with(cookie_name):
    from channels.testing import WebsocketCommunicator
    from config.asgi import application
    headers = [(b"origin", b"https://cirkler.example"), (b"host", b"cirkler.example"),
               (b"cookie", f"{cookie_name}={session_key}".encode())]
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{room_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    # The consumer accepts, then closes a socket without a logged-in person (close code 4401).
    first = await communicator.receive_output(timeout=10) if connected else {"type": "websocket.close"}
    await communicator.disconnect()
    return {"type": first["type"], "code": first.get("code")}

result["socket_with_session_cookie"] = asyncio.run(socket_with(settings.SESSION_COOKIE_NAME))
result["socket_with_old_cookie_name"] = asyncio.run(socket_with("sessionid"))
print(json.dumps(result))
"""


def run_in_production(email: str, password: str, room_id: int) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "production-headers-test-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "EMAIL_URL": "consolemail://",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUESTS, email, password, str(room_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(transactional_db, sdgs) -> dict:
    circle = factories.CircleFactory(sdgs=[sdgs[13]])
    person = factories.MembershipFactory(circle=circle, role=MembershipRole.MEMBER).user
    return run_in_production(person.email, factories.PASSWORD, circle.room.pk)


def test_production_redirects_plain_http_to_https(production) -> None:
    assert production["DEBUG"] is False
    assert production["plain"] == {"status": 301, "location": f"https://{HOST}/tilgaengelighed/"}


def test_production_page_carries_every_security_header(production) -> None:
    page = production["page"]
    assert page["status"] == 200
    headers = {name.lower(): value for name, value in page["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    policy = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # Over HTTPS only the secure websocket origin of the site itself.
    assert policy["connect-src"] == ["'self'", f"wss://{HOST}"]


def test_production_cookies_are_host_only_secure_and_named_host(production) -> None:
    assert production["login"]["status"] == 302, production
    cookies = production["cookies"]
    assert set(cookies) >= {"__Host-csrftoken", "__Host-sessionid"}
    assert "sessionid" not in cookies and "csrftoken" not in cookies
    for name in ("__Host-csrftoken", "__Host-sessionid"):
        # A __Host- cookie is kept by browsers only when Secure, Path=/ and without Domain.
        assert cookies[name]["secure"] is True
        assert cookies[name]["path"] == "/"
        assert cookies[name]["domain"] == ""
        assert cookies[name]["samesite"] == "Lax"
    assert cookies["__Host-sessionid"]["httponly"] is True


def test_production_chat_socket_logs_in_with_the_host_session_cookie(production) -> None:
    assert production["socket_with_session_cookie"] == {"type": "websocket.send", "code": None}
    assert production["socket_with_old_cookie_name"] == {"type": "websocket.close", "code": CloseCode.NOT_LOGGED_IN}
