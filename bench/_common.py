"""What the benchmarks share: a private Redis, the bench database, daphne with production settings, CPU from /proc.

Pinning: servers on CPU 0, the client (this process) and Redis on CPU 1.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DAPHNE = str(ROOT / ".venv" / "bin" / "daphne")
FLOORS = Path(os.environ.get("BENCH_FLOORS", "/work/shared/bench"))
SERVER_CPU, CLIENT_CPU = 0, 1
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/cirkler_bench")
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105  (a throwaway process)
ORIGIN = "http://127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def pin_client() -> None:
    """This process (the load client) runs on CPU 1; children it starts are pinned explicitly."""
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {CLIENT_CPU})


def taskset(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and all its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def wait_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Processes:
    """Every process a benchmark starts, stopped at the end by its own pid."""

    def __init__(self) -> None:
        # A terminated benchmark still stops its servers (the `finally` around stop_all runs).
        signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
        self.started: list[subprocess.Popen] = []
        self.directory = tempfile.mkdtemp(prefix="cirkler-bench-")

    def start(self, command: list[str], **options) -> subprocess.Popen:
        log = open(Path(self.directory) / f"{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **options)
        process.log_path = log.name  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)
        if not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(self.directory, ignore_errors=True)

    def redis(self) -> tuple[subprocess.Popen, str]:
        """A private redis-server on CPU 1, keeping nothing on disk."""
        port = free_port()
        process = self.start(
            [
                *taskset(CLIENT_CPU),
                *("redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", self.directory),
            ]
        )
        wait_port(port, process)
        return process, f"redis://127.0.0.1:{port}/0"

    def daphne(self, env: dict, application: str = "config.asgi:application", cwd: Path = ROOT) -> tuple:
        port = free_port()
        process = self.start(
            [*taskset(SERVER_CPU), DAPHNE, "-b", "127.0.0.1", "-p", str(port), application], env=env, cwd=cwd
        )
        wait_port(port, process)
        return process, port


def server_env(redis_url: str, **extra: str) -> dict:
    """Production settings (debug off, a secret key, PostgreSQL, the Redis channel layer), chat rate limits off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # As behind the TLS-terminating load balancer: HTTP requests say they came over HTTPS.
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "DATABASE_URL": DATABASE_URL,
            # As docker-compose deploys it: Django's psycopg pool, 10 connections per process
            # (--server-env DATABASE_POOL_MAX_SIZE=0 measures a new connection per action).
            "DATABASE_POOL_MAX_SIZE": "10",
            "REDIS_URL": redis_url,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def prepare_database() -> None:
    """Create the bench database if needed, migrate it, and set Django up in this process on it."""
    # BENCH_DATABASE_URL may carry options for the servers (?conn_max_age=600); the bench connects without them.
    bare_url = DATABASE_URL.split("?", 1)[0]
    admin_url = bare_url.rsplit("/", 1)[0] + "/postgres"
    name = bare_url.rsplit("/", 1)[1]
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    env = server_env("", DATABASE_URL=bare_url)
    env.pop("REDIS_URL")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update({key: value for key, value in env.items() if key.startswith(("DJANGO_", "DATABASE_URL"))})
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_members(count: int, *, label: str) -> tuple[int, list[tuple[int, str]]]:
    """A circle with `count` active members, each with a logged-in session: (room id, [(user id, cookie)])."""
    import uuid

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from circles.models import Membership, MembershipRole, MembershipState
    from tests import factories

    run = uuid.uuid4().hex[:10]
    library = factories.LibraryFactory(name=f"Bench {run}", slug=f"bench-{run}")
    circle = factories.CircleFactory(title=f"Bench {label} {run}", slug=f"bench-{label}-{run}", host_library=library)
    users = User.objects.bulk_create(
        User(email=f"bench-{run}-{number}@cirkler.example", display_name=f"Deltager {number}", password="!")
        for number in range(count)
    )
    Membership.objects.bulk_create(
        Membership(circle=circle, user=user, role=MembershipRole.MEMBER, state=MembershipState.ACTIVE) for user in users
    )
    sessions = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append((user.pk, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"))
    return circle.room.pk, sessions


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310  (loopback)
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310  (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def report(name: str, result: dict, summary: str) -> None:
    """The JSON result on one line, then a one-line summary."""
    print(json.dumps({"bench": name, **result}, ensure_ascii=False))
    print(summary)


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
