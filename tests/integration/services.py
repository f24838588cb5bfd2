"""Private PostgreSQL and Redis servers for fault tests: own port, own directory, stopped at will.

Every wait is bounded: pg_ctl waits at most PG_CTL_SECONDS, Redis is polled for
REDIS_START_SECONDS. The servers listen on 127.0.0.1 only.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PG_CTL_SECONDS = 60
REDIS_START_SECONDS = 30
COMMAND_SECONDS = 300
BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres OS user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory on a free loopback port (trust auth)."""

    bin_dir: Path
    directory: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def create(cls, bin_dir: Path) -> "PrivatePostgres":
        directory = Path(tempfile.mkdtemp(prefix="cirkler-pg-"))
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        server = cls(bin_dir=bin_dir, directory=directory, port=free_port())
        server._run(
            [str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        return server

    def _run(self, command: list[str]) -> None:
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True, timeout=COMMAND_SECONDS)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.directory / "server.log"),
                "-w",
                "-t",
                str(PG_CTL_SECONDS),
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                mode,
                "-w",
                "-t",
                str(PG_CTL_SECONDS),
                "stop",
            ]
        )

    def create_database(self, name: str) -> None:
        self._run([str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])

    def migrate(self, database: str) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.update({"DJANGO_DEBUG": "1", "DATABASE_URL": self.url(database)})
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=COMMAND_SECONDS,
        )

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop(mode="immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A redis-server on a free loopback port that keeps nothing on disk."""

    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def create(cls) -> "PrivateRedis":
        return cls(directory=Path(tempfile.mkdtemp(prefix="cirkler-redis-")), port=free_port())

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + REDIS_START_SECONDS
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {REDIS_START_SECONDS} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
