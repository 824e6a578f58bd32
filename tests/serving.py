"""`gongwen serve` for tests: the real server on a port of its own, with its own TMPDIR, swept up afterwards.

The server gets a private TMPDIR, so every process and file of its conversion pool can be told from those
of other LibreOffice users on the machine: the pool's work dir (``gongwen-lo-*``) is made there, and every
UNO worker, oosplash and soffice.bin names it on its command line. Gunicorn itself runs in a session of
its own (the workers of the pool start their own sessions, so the session alone does not find them).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from service.access.accounts import create_key
from service.access.roles import Role
from service.config import PROJECT_ROOT, Settings
from service.storage.database import Database

NOTICE_PDF_URL = "/api/v1/documents/meeting-notice?format=pdf"
# Generous on a loaded 2-core machine: gunicorn, the app, two fresh offices warmed and the title dictionary.
READY_TIMEOUT = 45.0
REQUEST_TIMEOUT = 60.0
# The teardown's patience with a graceful stop before it kills what is left.
SWEEP_GRACE = 15.0


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    session: int
    state: str
    name: str
    cmdline: str


def live_processes() -> list[Process]:
    """Every process on the machine that is neither a zombie nor dead, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8", errors="replace")
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        # The name may hold spaces and parentheses; it ends at the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] in ("Z", "X"):
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        text = cmdline.replace(b"\0", b" ").decode("utf-8", "replace")
        # After the name: state, ppid, pgrp, session.
        found.append(Process(int(entry), int(fields[1]), int(fields[3]), fields[0], name, text))
    return found


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    return any(process.pid == pid for process in live_processes())


class Server:
    """A running `gongwen serve`: its HTTP API, and its processes and files as seen from outside."""

    def __init__(self, process: subprocess.Popen[bytes], temp_dir: Path, log_path: Path, api_key: str) -> None:
        self.process = process
        self.api_key = api_key
        self.temp_dir = temp_dir
        self.log_path = log_path
        self.port = 0
        # soffice.bin names its profile as a file URL, which would percent-encode unusual characters.
        self._needles = {str(temp_dir), quote(str(temp_dir))}

    @property
    def master_pid(self) -> int:
        return self.process.pid

    # -- processes and files ------------------------------------------------------------------------

    def processes(self) -> list[Process]:
        """Every live process of this service: gunicorn's session, and whatever names the private TMPDIR."""
        return [
            process
            for process in live_processes()
            if process.pid != os.getpid()
            and (process.session == self.master_pid or any(needle in process.cmdline for needle in self._needles))
        ]

    def processes_under(self, directory: Path) -> list[Process]:
        """Live processes whose command line names `directory` (one pool's work dir, say)."""
        return [process for process in live_processes() if str(directory) in process.cmdline]

    def offices(self) -> list[int]:
        """The pids of the service's soffice.bin processes."""
        return sorted(process.pid for process in self.processes() if process.name == "soffice.bin")

    def gunicorn_worker(self) -> int:
        """The pid of the (single) gunicorn worker process."""
        workers = [process.pid for process in live_processes() if process.ppid == self.master_pid]
        assert len(workers) == 1, f"expected one gunicorn worker, found {workers}"
        return workers[0]

    def pool_dirs(self) -> list[Path]:
        """The work dirs of the conversion pools started by this service that still exist."""
        return sorted(self.temp_dir.glob("gongwen-lo-*"))

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- HTTP ---------------------------------------------------------------------------------------

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Reply:
        """One request, on `connection` (kept open) or on a connection of its own (closed afterwards)."""
        own = connection is None
        conn = self.connect() if connection is None else connection
        headers = {"Authorization": f"Bearer {self.api_key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Reply(response.status, response.getheader("Content-Type", ""), response.read())
        finally:
            if own:
                conn.close()

    def post_pdf(self, body: dict[str, Any], connection: http.client.HTTPConnection | None = None) -> Reply:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self.request("POST", NOTICE_PDF_URL, data, connection)

    def converter(self) -> dict[str, Any]:
        """The conversion pool's status as /readyz reports it."""
        reply = self.request("GET", "/readyz")
        state: dict[str, Any] = reply.json()["checks"]["converter"]["state"]
        return state

    def pool_at_full_size(self) -> bool:
        """/readyz reports the converter ready with as many serving (idle or busy) workers as its size.

        Only the converter's check counts: the templates' check belongs to whoever edits templates/.
        """
        converter = self.request("GET", "/readyz").json()["checks"]["converter"]
        state = converter["state"]
        serving = sum(worker["state"] in ("idle", "busy") for worker in state["workers"])
        return bool(converter["ok"]) and serving == state["size"]

    # -- life cycle ---------------------------------------------------------------------------------

    def wait_ready(self, timeout: float) -> None:
        """Wait for gunicorn's port, then until /readyz reports the pool warm at full size."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gongwen serve exited with {self.process.returncode}:\n{self.log_tail()}")
            if not self.port:
                # --port 0: the kernel picks a free port, so parallel test runs never race for one.
                listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log_tail(1000))
                self.port = int(listening.group(1)) if listening else 0
            if self.port:
                with suppress(OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
                    if self.pool_at_full_size():
                        return
            time.sleep(0.2)
        raise AssertionError(f"gongwen serve was not ready within {timeout:g} s:\n{self.log_tail()}")

    def stop(self, timeout: float) -> int:
        """SIGTERM to gunicorn, as a process manager stops it; returns its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def sweep(self) -> None:
        """Whatever happened in the test: stop the service, then kill and reap anything of it left."""
        survivors = self.processes()
        # A test may have stopped an office; a stopped process acts on no signal but SIGKILL until continued.
        for process in survivors:
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)
        if self.process.poll() is None:
            with suppress(subprocess.TimeoutExpired):
                self.stop(SWEEP_GRACE)
        for process in self.processes():
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@contextmanager
def gongwen_serve(tmp_path: Path, **settings: object) -> Iterator[Server]:
    """`gongwen serve` as in production (gunicorn gthread, warm pool of two offices), ready to answer.

    `settings` become GONGWEN_* variables (``conversion_timeout=3`` → ``GONGWEN_CONVERSION_TIMEOUT=3``).
    """
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    environment = {**os.environ, "TMPDIR": str(temp_dir), "GONGWEN_CONVERTERS": "2"}
    environment.update({f"GONGWEN_{name.upper()}": str(value) for name, value in settings.items()})
    environment.setdefault("GONGWEN_DATA_DIR", str(tmp_path / "data"))
    api_key = _submitter_key(environment)
    gongwen = Path(sys.executable).with_name("gongwen")
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(gongwen), "serve", "--host", "127.0.0.1", "--port", "0"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, temp_dir, log_path, api_key)
    try:
        server.wait_ready(READY_TIMEOUT)
        yield server
    finally:
        server.sweep()


def _submitter_key(environment: dict[str, str]) -> str:
    """An office system's key in the database the service will use (migrated first, as `make run` does)."""
    database = Database.from_settings(Settings.from_environment(environment))
    try:
        database.migrate()
        return create_key(database, name="tests", roles=[Role.SUBMITTER], actor="tests").token
    finally:
        database.dispose()
