"""Private PostgreSQL and Redis servers for the tests: started in a temporary directory, removed afterwards.

Never skipped: when a server program is missing the tests fail and say how to install it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import redis

SETUP_HINT = "install it with: sudo bash scripts/setup-system.sh (Debian's postgresql and redis-server)"
START_TIMEOUT = 30.0


class ServerError(RuntimeError):
    """A test server could not be started; the message says why and how to fix it."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _postgres_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    configured = shutil.which("pg_config")
    if configured:
        bindir = subprocess.run([configured, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        candidates.append(bindir)
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "postgres").is_file():
            return Path(candidate)
    raise ServerError(f"PostgreSQL's initdb and postgres are not installed; {SETUP_HINT}")


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free localhost port and a private unix socket directory.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user that
    Debian's package creates; otherwise to the current user. Authentication is `trust`: it listens
    on 127.0.0.1 and its own socket directory only, and lives as long as the test session.
    """

    def __init__(self) -> None:
        self.bin_dir = _postgres_bin_dir()
        self.run_as = self._run_as()
        # Directly under /tmp, not pytest's tmp_path: the postgres user must be able to reach it.
        self.root = Path(tempfile.mkdtemp(prefix="gongwen-postgres-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log_path = self.root / "postgres.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _run_as() -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam("postgres")
        except KeyError:
            raise ServerError(
                f"running as root, but there is no postgres user to run PostgreSQL; {SETUP_HINT}"
            ) from None

    def _as_owner(self) -> dict[str, Any]:
        if self.run_as is None:
            return {}
        return {"user": self.run_as.pw_uid, "group": self.run_as.pw_gid, "extra_groups": []}

    def start(self) -> None:
        """Initialise the cluster and start it; on failure nothing is left running or on disk."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _environment(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(self.root)}

    def _start(self) -> None:
        self.socket_dir.mkdir()
        if self.run_as is not None:
            for path in (self.root, self.socket_dir):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)
        initdb = subprocess.run(
            [
                str(self.bin_dir / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            env=self._environment(),
            cwd=self.root,
            check=False,
            **self._as_owner(),
        )
        if initdb.returncode != 0:
            raise ServerError(f"initdb failed ({initdb.returncode}):\n{initdb.stdout}\n{initdb.stderr}")
        for _attempt in range(3):
            self.port = free_port()
            if self._launch():
                return
        raise ServerError(f"PostgreSQL did not start; its log:\n{self._log()}")

    def _launch(self) -> bool:
        """Start the postmaster on self.port; False when it exited at once (the port was taken in between)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(self.bin_dir / "postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-k",
                str(self.socket_dir),
                "-c",
                "listen_addresses=127.0.0.1",
                # A test cluster: durability is not wanted, speed is; enough connections for 200 at once.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self._environment(),
            cwd=self.root,
            **self._as_owner(),
        )
        log.close()
        return self._wait_until_ready()

    def _wait_until_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # e.g. the port was taken in between; start() tries another
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise ServerError(f"PostgreSQL did not answer within {START_TIMEOUT} s; its log:\n{self._log()}")

    def _log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)

    def shut_down(self) -> None:
        """Stop the server as an administrator restarting it would (fast shutdown), keeping its databases."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown: connections are cut
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def start_again(self) -> None:
        """Start the shut-down server on the same port, with the same databases (the second half of a restart)."""
        if not self._launch():
            raise ServerError(f"PostgreSQL did not start again on port {self.port}; its log:\n{self._log()}")

    def stop(self) -> None:
        self.shut_down()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A throwaway redis-server on a free localhost port, without persistence."""

    def __init__(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise ServerError(f"redis-server is not installed; {SETUP_HINT}")
        self.executable = executable
        self.root = Path(tempfile.mkdtemp(prefix="gongwen-redis-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server; on failure nothing is left running or on disk."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        for _attempt in range(3):
            self.port = free_port()
            log = (self.root / "redis.log").open("ab")
            self.process = subprocess.Popen(
                [
                    self.executable,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(self.root),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
            log.close()
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
            self.stop(remove=False)
        log_text = (self.root / "redis.log").read_text(errors="replace")[-4000:]
        raise ServerError(f"redis-server did not start; its log:\n{log_text}")

    def stop(self, *, remove: bool = True) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)
