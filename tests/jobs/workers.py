"""`gongwen worker` for tests: the real worker process with its own TMPDIR, swept up afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from service.config import PROJECT_ROOT
from tests.serving import Process, live_processes


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], temp_dir: Path, log_path: Path) -> None:
        self.process = process
        self.temp_dir = temp_dir
        self.log_path = log_path

    def processes(self) -> list[Process]:
        """The worker and everything of its conversion pool (which names the private TMPDIR)."""
        return [
            process
            for process in live_processes()
            if process.pid != os.getpid()
            and (process.session == self.process.pid or str(self.temp_dir) in process.cmdline)
        ]

    def offices(self) -> list[int]:
        return [process.pid for process in self.processes() if process.name == "soffice.bin"]

    def kill(self) -> None:
        """SIGKILL to the worker alone, as the OOM killer or a pulled plug would: no clean-up of its own."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def sweep(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(15)
        for process in self.processes():
            with suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@contextmanager
def gongwen_worker(tmp_path: Path, name: str, **settings: object) -> Iterator[Worker]:
    """`gongwen worker` as `make run` starts it; `settings` become GONGWEN_* variables."""
    temp_dir = tmp_path / f"tmp-{name}"
    temp_dir.mkdir()
    environment = {**os.environ, "TMPDIR": str(temp_dir), "GONGWEN_CONVERTERS": "2"}
    environment.update({f"GONGWEN_{key.upper()}": str(value) for key, value in settings.items()})
    log_path = tmp_path / f"worker-{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gongwen")), "worker"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, temp_dir, log_path)
    try:
        yield worker
    finally:
        worker.sweep()
