"""ConversionPool (PDF转换池): warm LibreOffice workers behind a bounded queue; the only process starter.

Each worker is ``uno_worker.py`` under Debian's python3 with its own soffice and profile, started in a
new session so that worker and office form one process group, which is what gets killed on timeout,
crash and stop. See docs/decisions/0003-conversion-pool.md for the reasons behind the numbers here.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

from service.config import PROJECT_ROOT, QUEUE_PER_CONVERTER, usable_cpus
from service.errors import BusyError, ConversionError, ConversionTimeoutError, bilingual

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
DEFAULT_FONTS_CONFIG = PROJECT_ROOT / "fonts" / "fonts.conf"
# python3-uno is built for Debian's interpreter only; the service's venv cannot import uno.
DEFAULT_PYTHON = "/usr/bin/python3"

# The RAM-backed file system the pool's directory prefers (see _default_work_dir), and the free space it
# must have: Docker's default /dev/shm is 64 MB, a worker takes about 1 MB.
SHARED_MEMORY = Path("/dev/shm")
SHARED_MEMORY_MIN_FREE = 32 * 1024 * 1024

# SIGTERM → SIGKILL grace for a worker that failed; it is usually hung, so waiting longer buys nothing.
KILL_GRACE = 1.0
# How long a healthy worker may take to quit (desktop.terminate() takes about 40 ms).
QUIT_GRACE = 2.0
# A health check (status request) must be answered within this.
PING_TIMEOUT = 5.0
MONITOR_TICK = 1.0

WorkerState = Literal["starting", "idle", "busy", "stopping"]
PoolState = Literal["new", "running", "stopping", "stopped"]


class WorkerStatus(TypedDict):
    """One worker in `ConversionPool.status()`; `rss_bytes` is its soffice.bin's, as last reported."""

    slot: int
    generation: int
    state: WorkerState
    pid: int | None
    soffice_pid: int | None
    conversions: int
    rss_bytes: int | None
    retiring: bool


class PoolStatus(TypedDict):
    """`ConversionPool.status()`, for /readyz: `ready` means a conversion can start now or soon."""

    ready: bool
    state: PoolState
    size: int
    workers: list[WorkerStatus]
    queue_length: int
    queue_size: int


class _WorkerLost(Exception):
    """The worker cannot go on: it crashed, broke the protocol, or ran past its deadline."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class _DocumentRejected(Exception):
    """LibreOffice is fine but could not convert this document; retrying would not help."""


class _Worker:
    """One uno_worker child and its soffice: the pool-side end of the JSON-lines protocol.

    Only the thread that holds the worker (state busy or starting) talks to it; `kill` may come from
    any thread and is idempotent.
    """

    def __init__(self, slot: int, generation: int, directory: Path, limit: int) -> None:
        self.slot = slot
        self.generation = generation
        self.directory = directory
        self.limit = limit
        self.process: subprocess.Popen[bytes] | None = None
        self.state: WorkerState = "starting"
        self.soffice_pid: int | None = None
        self.rss: int | None = None
        self.conversions = 0
        self.last_used = time.monotonic()
        # retiring: a replacement is starting and will take over; doomed: stop it when released.
        self.retiring = False
        self.doomed = False
        self._buffer = b""
        self._next_id = 0
        self._kill_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def launch(self, command: list[str], env: dict[str, str]) -> None:
        self.directory.mkdir(parents=True)
        # A new session makes the worker a process-group leader; its soffice stays in that group.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            env=env,
            cwd=self.directory,
            start_new_session=True,
            close_fds=True,
            bufsize=0,
        )

    def wait_ready(self, deadline: float) -> None:
        message = self._receive(deadline, starting=True)
        if message.get("event") == "ready":
            self.soffice_pid = message.get("soffice_pid")
            self.rss = message.get("rss")
            return
        raise _WorkerLost(str(message.get("error", message)))

    def request(self, message: dict[str, Any], deadline: float) -> dict[str, Any]:
        self.send(message)
        return self.reply(deadline)

    @property
    def next_id(self) -> int:
        return self._next_id + 1

    def send(self, message: dict[str, Any]) -> None:
        """Send a request; its reply is the next one (one request at a time is in flight)."""
        assert self.process is not None and self.process.stdin is not None
        self._next_id += 1
        message["id"] = self._next_id
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.process.stdin.write(data)
        except OSError as exc:  # BrokenPipeError: the worker is gone
            raise _WorkerLost(f"worker {self.pid} does not take requests: {exc}") from exc

    def reply(self, deadline: float) -> dict[str, Any]:
        """The reply to the request sent last."""
        reply = self._receive(deadline)
        if reply.get("id") != self._next_id:
            raise _WorkerLost(f"protocol out of step: expected reply {self._next_id}, got {reply!r}")
        self.last_used = time.monotonic()
        return reply

    def _receive(self, deadline: float, *, starting: bool = False) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        # poll, not select: select fails for descriptors above 1023 in a busy server.
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                what = "become ready" if starting else "answer"
                raise _WorkerLost(f"worker {self.pid} did not {what} in time", timed_out=True)
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise _WorkerLost(f"worker {self.pid} exited ({self._exit_status()})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError as exc:
            raise _WorkerLost(f"worker {self.pid} sent a malformed line: {line[:200]!r}") from exc
        return reply

    def _exit_status(self) -> str:
        assert self.process is not None
        try:
            status = self.process.wait(0.5)
        except subprocess.TimeoutExpired:
            return "closed its output"
        return f"killed by signal {-status}" if status < 0 else f"exit status {status}"

    def quit(self) -> None:
        """Ask the worker to close its office, then make sure the whole group is gone."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.request({"op": "quit"}, time.monotonic() + QUIT_GRACE)
                self.process.wait(QUIT_GRACE)
            except (_WorkerLost, subprocess.TimeoutExpired):
                pass
        self.kill(KILL_GRACE)

    def signal_group(self, *signals: signal.Signals) -> None:
        if self.process is None:
            return
        for signum in signals:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                return

    def kill(self, grace: float) -> None:
        """SIGTERM the group (worker, oosplash, soffice.bin), SIGKILL what is left after `grace`, reap."""
        with self._kill_lock:
            if self.process is not None:
                # SIGCONT: a stopped process only acts on SIGTERM once it runs again.
                self.signal_group(signal.SIGTERM, signal.SIGCONT)
                if not _wait_group(self.process, grace):
                    self.signal_group(signal.SIGKILL)
                    if not _wait_group(self.process, 5.0):
                        log.error("processes of worker %s survived SIGKILL", self.process.pid)
                for stream in (self.process.stdin, self.process.stdout):
                    if stream is not None:
                        stream.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def status(self) -> WorkerStatus:
        return WorkerStatus(
            slot=self.slot,
            generation=self.generation,
            state=self.state,
            pid=self.pid,
            soffice_pid=self.soffice_pid,
            conversions=self.conversions,
            rss_bytes=self.rss,
            retiring=self.retiring,
        )


def _group_alive(pgid: int) -> bool:
    """True while some process of the group exists and is not a zombie."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # killpg also succeeds for zombies (an orphaned soffice.bin waiting for init), so look closer.
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        state, _ppid, pgrp = raw[raw.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            return True
    return False


def _wait_group(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Reap the worker and wait until no process of its group is left; False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        process.poll()
        if process.returncode is not None and not _group_alive(process.pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


@dataclass(eq=False)
class _Job:
    """One conversion: the DOCX, and once sent to a worker, its files in the worker's directory."""

    docx: bytes
    pdfa: bool = False
    src: Path | None = None
    dst: Path | None = None
    sent_at: float | None = None
    error: _WorkerLost | OSError | None = None  # raised by the thread that owns the job

    def send(self, worker: _Worker) -> None:
        """Write the DOCX beside `worker` and send it the convert request; a failure is kept, not raised,
        because the sender may be another request's thread (see ConversionPool._hand_out)."""
        name = f"job-{worker.next_id}"
        self.src, self.dst = worker.directory / f"{name}.docx", worker.directory / f"{name}.pdf"
        self.sent_at = time.monotonic()
        try:
            self.src.write_bytes(self.docx)
            request: dict[str, Any] = {"op": "convert", "src": str(self.src), "dst": str(self.dst)}
            if self.pdfa:
                request["pdfa"] = True
            worker.send(request)
        except (_WorkerLost, OSError) as exc:
            self.error = exc

    def clear(self) -> None:
        """Remove the files of the last attempt and forget it."""
        for path in (self.src, self.dst):
            if path is not None:
                path.unlink(missing_ok=True)
        self.src = self.dst = self.sent_at = self.error = None


@dataclass(eq=False)
class _Waiter:
    """A request waiting in the queue; the pool hands it a worker, sends its job, and sets the event.

    `ahead`: a retry, or a later conversion of an admitted request; these wait before every other."""

    job: _Job
    ahead: bool = False
    event: threading.Event = field(default_factory=threading.Event)
    worker: _Worker | None = None


class ConversionRequest:
    """The conversions of one HTTP request (一次请求), which the queue bound admits or refuses as a whole."""

    def __init__(self) -> None:
        self.admitted = False
        # The refusal its first conversion met; its other conversions meet it too, at once.
        self.refusal: BusyError | None = None


_CURRENT_REQUEST: ContextVar[ConversionRequest | None] = ContextVar("gongwen_conversion_request", default=None)


@contextmanager
def conversion_request() -> Iterator[ConversionRequest]:
    """Make the conversions in this block (and in copies of its context, as threads converting a document's
    parts get) one request: a full queue may refuse its first conversion with BusyError, never a later one.

    A PDF can take several conversions (page rules render again; a kind with parts converts each part).
    Refusing the second after the first was done would throw that work away exactly when the offices are
    scarcest, answer the client later than a refusal at the door, and starve such documents under load.
    A later conversion also waits ahead of conversions of requests not yet under way. Once refused, every
    conversion of the request is refused at once: parts converting side by side would be wasted (ADR 0020).
    """
    request = ConversionRequest()
    token = _CURRENT_REQUEST.set(request)
    try:
        yield request
    finally:
        _CURRENT_REQUEST.reset(token)


def _default_work_dir() -> Path | None:
    """Where the pool's directory goes when the caller names none: the temp dir that TMPDIR (or TEMP, TMP)
    names, else /dev/shm when it has room, else the system's temp dir (None).

    NOTE: in RAM, LibreOffice's fsync of every PDF and of its copies of the DOCX costs nothing, and the
    disk's journal no CPU: one-page PDFs over HTTP at 8 clients went from 28.8 to 32.0/s (means of 3
    alternating runs). About 1 MB per worker.
    """
    if any(os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")):
        return None
    try:
        room = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    if os.access(SHARED_MEMORY, os.W_OK | os.X_OK) and room.f_bavail * room.f_frsize >= SHARED_MEMORY_MIN_FREE:
        return SHARED_MEMORY
    return None


def _shutdown_now(workers: list[_Worker], lock: threading.Lock, closing: threading.Event, root: Path) -> None:
    """Kill every worker group and remove the work dir: run by stop(), at exit, or when the pool is
    garbage-collected. Holds no reference to the pool, so it can run as the pool's finalizer."""
    closing.set()
    with lock:
        victims = list(workers)
        workers.clear()
    for worker in victims:
        worker.signal_group(signal.SIGTERM, signal.SIGCONT)
    for worker in victims:
        worker.kill(KILL_GRACE)
    shutil.rmtree(root, ignore_errors=True)


def _monitor(pool_ref: weakref.ref[ConversionPool], closing: threading.Event) -> None:
    # A weak reference, so that a forgotten pool can still be garbage-collected (and its finalizer
    # kill the workers) while this thread runs.
    while not closing.wait(MONITOR_TICK):
        pool = pool_ref()
        if pool is None:
            return
        pool._check_idle_workers()
        del pool


class ConversionPool:
    """N warm LibreOffice workers, one soffice each, behind a bounded FIFO queue. Thread-safe.

    Create one per process, after any fork (one per gunicorn worker process), then `start()` it.
    """

    def __init__(
        self,
        *,
        size: int | None = None,
        work_dir: Path | None = None,
        fonts_config: Path = DEFAULT_FONTS_CONFIG,
        python: str = DEFAULT_PYTHON,
        soffice: str = "soffice",
        timeout: float = 30.0,
        max_queue: int | None = None,
        max_conversions: int = 500,
        max_rss_bytes: int = 1 << 30,
        startup_timeout: float = 60.0,
        health_interval: float = 30.0,
    ) -> None:
        """`size` defaults to one worker per core and `max_queue` (waiting requests) to 8 per worker.

        `work_dir` is where a private directory for profiles, job files and LibreOffice's temporary files
        is made (default: TMPDIR when set, else /dev/shm, see _default_work_dir). `timeout` bounds each
        attempt of a conversion, time spent waiting for a worker included. A worker is recycled after
        `max_conversions` or once its soffice RSS exceeds `max_rss_bytes`; an idle worker is
        health-checked every `health_interval` seconds.
        """
        self._size = size if size is not None else usable_cpus()
        self._max_queue = max_queue if max_queue is not None else QUEUE_PER_CONVERTER * self._size
        numbers = {
            "size": self._size,
            "timeout": timeout,
            "max_conversions": max_conversions,
            "max_rss_bytes": max_rss_bytes,
            "startup_timeout": startup_timeout,
            "health_interval": health_interval,
        }
        for name, value in numbers.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
        if self._max_queue < 0:
            raise ValueError(f"max_queue must not be negative, not {self._max_queue!r}")
        self._work_dir = work_dir
        self._fonts_config = fonts_config
        self._python = python
        self._soffice = soffice
        self._timeout = timeout
        self._max_conversions = max_conversions
        self._max_rss = max_rss_bytes
        self._startup_timeout = startup_timeout
        self._health_interval = health_interval

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._state: PoolState = "new"
        self._workers: list[_Worker] = []  # every live worker, starting ones included
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._threads: set[threading.Thread] = set()
        self._generation = 0
        self._start_errors: list[str] = []
        # Seconds per conversion (moving average), for Retry-After; seeded with a one-page figure.
        self._average = 0.15
        self._root: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._command: list[str] = []
        self._env: dict[str, str] = {}

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start every worker and return once all are warm; raises ConversionError if any cannot start."""
        with self._lock:
            if self._state != "new":
                raise RuntimeError("a ConversionPool can be started only once")
            self._state = "running"
        soffice = self._check_environment()
        self._root = Path(tempfile.mkdtemp(prefix="gongwen-lo-", dir=self._work_dir or _default_work_dir()))
        self._finalizer = weakref.finalize(self, _shutdown_now, self._workers, self._lock, self._closing, self._root)
        self._command = [self._python, "-I", str(WORKER_SCRIPT), "--soffice", soffice]
        self._command += ["--startup-timeout", str(self._startup_timeout)]
        # Every soffice must see the project's font aliases (仿宋_GB2312 → FandolFang, ...).
        # TZ=UTC: the PDF's creation date is then always written as D:…Z', which postprocess replaces in place.
        self._env = {**os.environ, "FONTCONFIG_FILE": str(self._fonts_config.resolve()), "TZ": "UTC"}
        with self._lock:
            for slot in range(self._size):
                self._spawn(slot, replaces=None, initial=True)
            warm = self._changed.wait_for(
                lambda: bool(self._start_errors) or sum(w.state != "starting" for w in self._workers) == self._size,
                self._startup_timeout + 2 * KILL_GRACE + 5.0,
            )
            errors = list(self._start_errors) or ([] if warm else ["start-up timed out"])
        if errors:
            self.stop(0)
            raise ConversionError(
                bilingual("LibreOffice转换进程无法启动", "the LibreOffice workers did not start")
                + ": "
                + "; ".join(errors)
            )
        monitor = threading.Thread(
            target=_monitor, args=(weakref.ref(self), self._closing), name="gongwen-lo-monitor", daemon=True
        )
        monitor.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Let conversions in flight finish for up to `timeout` s, then stop every worker and its office.

        Waiting requests fail with ConversionError. Idempotent; also runs at exit and when the pool
        is garbage-collected.
        """
        with self._lock:
            if self._state in ("new", "stopped"):
                self._state = "stopped"
                return
            self._state = "stopping"
            self._closing.set()
            for waiter in self._waiters:
                waiter.event.set()
            self._waiters.clear()
            self._changed.wait_for(lambda: all(w.state != "busy" for w in self._workers), timeout)
            # A worker still busy has a request thread reading its pipe: kill it, never talk to it.
            stoppers = [
                threading.Thread(target=worker.quit)
                if worker.state == "idle"
                else threading.Thread(target=worker.kill, args=(KILL_GRACE,))
                for worker in self._workers
            ]
            for worker in self._workers:
                worker.state = "stopping"
            self._workers.clear()
            self._idle.clear()
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join()
        while True:
            with self._lock:
                pending = list(self._threads)
            if not pending:
                break
            for thread in pending:
                thread.join()
        if self._finalizer is not None:
            self._finalizer()
        with self._lock:
            self._state = "stopped"

    def __enter__(self) -> ConversionPool:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def work_dir(self) -> Path | None:
        """The pool's private directory (worker profiles and job files), once started."""
        return self._root

    # -- converting -------------------------------------------------------------------------------

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes:
        """DOCX bytes → PDF bytes on a warm LibreOffice; with `pdfa`, PDF/A-2b (for archive copies).

        Raises BusyError at once when the queue is full, unless the conversion belongs to a request already
        admitted (see conversion_request). A worker that crashes or exceeds the
        timeout (waiting included) is killed and replaced, and the conversion is retried once, with a
        fresh timeout, on another worker; then ConversionTimeoutError or ConversionError.
        """
        budget = self._timeout if timeout is None else timeout
        if budget <= 0:
            raise ValueError(f"timeout must be positive, not {budget!r}")
        failure: _WorkerLost | None = None
        job = _Job(docx, pdfa)
        request = _CURRENT_REQUEST.get()
        for attempt in range(2):
            deadline = time.monotonic() + budget
            worker = self._acquire(deadline, job, retry=attempt > 0, request=request)
            try:
                pdf = self._convert_on(worker, job, deadline)
            except _WorkerLost as exc:
                log.warning("conversion attempt %d failed on worker %s: %s", attempt + 1, worker.pid, exc)
                self._discard(worker)
                failure = exc
                continue
            except _DocumentRejected as exc:
                self._release(worker)
                raise ConversionError(
                    bilingual("LibreOffice无法转换该文档", "LibreOffice could not convert the document") + f": {exc}"
                ) from exc
            except OSError as exc:
                # Our side of the job files (disk full, permissions); the worker is still in step.
                self._release(worker)
                raise ConversionError(
                    bilingual("PDF转换临时文件读写失败", "cannot write or read the conversion's job files") + f": {exc}"
                ) from exc
            except BaseException:
                # Unknown state (an interrupt mid-protocol, say): never hand this worker out again.
                self._discard(worker)
                raise
            finally:
                job.clear()
            self._release(worker)
            return pdf
        assert failure is not None
        if failure.timed_out:
            raise ConversionTimeoutError(
                bilingual(
                    f"PDF转换在{budget:g}秒内未完成，换用新进程重试后仍超时",
                    f"the conversion did not finish within {budget:g} s, also when retried on a fresh worker",
                )
            ) from failure
        raise ConversionError(
            bilingual("LibreOffice进程异常退出，重试后仍失败", "LibreOffice failed twice") + f": {failure}"
        ) from failure

    def _convert_on(self, worker: _Worker, job: _Job, deadline: float) -> bytes:
        if job.sent_at is None:
            job.send(worker)
        if job.error is not None:
            raise job.error
        assert job.dst is not None and job.sent_at is not None
        reply = worker.reply(deadline)
        if not reply.get("ok"):
            if reply.get("fatal"):
                raise _WorkerLost(f"LibreOffice died: {reply.get('error')}")
            raise _DocumentRejected(reply.get("error", "unknown error"))
        pdf = job.dst.read_bytes()
        worker.conversions = int(reply.get("conversions", worker.conversions + 1))
        worker.rss = reply.get("rss")
        worker.soffice_pid = reply.get("soffice_pid", worker.soffice_pid)
        self._average = 0.9 * self._average + 0.1 * (time.monotonic() - job.sent_at)
        if not pdf.startswith(b"%PDF-"):
            raise _DocumentRejected("LibreOffice wrote something that is not a PDF")
        return pdf

    # -- handing workers out ----------------------------------------------------------------------

    def _acquire(self, deadline: float, job: _Job, *, retry: bool, request: ConversionRequest | None) -> _Worker:
        """A worker for this thread: an idle one, else a place in the queue. A retry goes first and is never
        refused (it already held a place); so is a later conversion of an admitted `request`, which waits
        behind retries and other such conversions only. A worker handed over from the queue has been sent
        `job` already."""
        with self._lock:
            if self._state != "running":
                raise ConversionError(bilingual("PDF转换服务未运行", "the conversion pool is not running"))
            admitted = request is not None and request.admitted
            if request is not None and request.refusal is not None:
                raise request.refusal
            if self._idle:
                worker = self._idle.popleft()
                worker.state = "busy"
                if request is not None:
                    request.admitted = True
                return worker
            if not retry and not admitted and len(self._waiters) >= self._max_queue:
                refusal = BusyError(
                    bilingual(
                        f"PDF转换队列已满（{len(self._waiters)}个请求等待），请稍后重试",
                        f"the conversion queue is full ({len(self._waiters)} waiting); retry later",
                    ),
                    retry_after=self._retry_after(),
                )
                if request is not None:
                    request.refusal = refusal
                raise refusal
            waiter = _Waiter(job, ahead=retry or admitted)
            if retry:
                self._waiters.appendleft(waiter)
            elif admitted:
                self._waiters.insert(sum(w.ahead for w in self._waiters), waiter)
            else:
                self._waiters.append(waiter)
            if request is not None:
                request.admitted = True
        waiter.event.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            if waiter.worker is not None:
                return waiter.worker
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            if self._state != "running":
                raise ConversionError(bilingual("PDF转换服务正在停止", "the conversion pool is stopping"))
        raise ConversionTimeoutError(
            bilingual("等待空闲转换进程超时", "no LibreOffice worker became free within the timeout")
        )

    def _retry_after(self) -> int:
        """Seconds until the queue has likely drained by one place (at least 1)."""
        serving = max(1, sum(w.state in ("idle", "busy") for w in self._workers))
        return max(1, math.ceil((len(self._waiters) + 1) * self._average / serving))

    def _hand_out(self, worker: _Worker) -> None:
        """Give a ready worker to the first waiter, or park it as idle. Caller holds the lock.

        The waiter's job is sent here, by the thread that freed the worker, rather than by the waiter
        once it wakes: under load the waiter also has to win the GIL, and the office sat idle meanwhile.
        Measured in the worker at 8 clients: 6–8 ms between jobs before, 1–2 ms after."""
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter.worker = worker
            worker.state = "busy"
            waiter.job.send(worker)
            waiter.event.set()
        else:
            worker.state = "idle"
            self._idle.append(worker)

    def _release(self, worker: _Worker) -> None:
        """Take back a healthy worker after a request; start its replacement once it is worn out."""
        with self._lock:
            worn = worker.conversions >= worker.limit or (worker.rss or 0) > self._max_rss
            if worn and not worker.retiring and self._state == "running":
                # It keeps serving until the replacement is warm, so no request waits for a cold start.
                worker.retiring = True
                log.info(
                    "recycling worker %s after %d conversions (soffice RSS %s bytes)",
                    worker.pid,
                    worker.conversions,
                    worker.rss,
                )
                self._spawn(worker.slot, replaces=worker)
            if worker not in self._workers:
                pass  # stop() took it away meanwhile and has killed it
            elif worker.doomed:
                self._workers.remove(worker)
                worker.state = "stopping"
                self._in_background(worker.quit)
            else:
                self._hand_out(worker)
            self._changed.notify_all()

    def _discard(self, worker: _Worker) -> None:
        """Drop a failed worker: kill its group in the background and start a replacement."""
        with self._lock:
            self._discard_locked(worker)

    def _discard_locked(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        worker.state = "stopping"
        if self._state == "running" and not worker.retiring:
            self._spawn(worker.slot, replaces=None)
        self._in_background(worker.kill, KILL_GRACE)
        self._changed.notify_all()

    # -- starting workers -------------------------------------------------------------------------

    def _in_background(self, target: Callable[..., object], *args: object) -> None:
        """Run `target` on a tracked thread that stop() joins. Caller holds the lock."""

        def run() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="gongwen-lo-" + getattr(target, "__name__", "task"), daemon=True)
        self._threads.add(thread)
        thread.start()

    def _spawn(self, slot: int, *, replaces: _Worker | None, initial: bool = False) -> None:
        """Start a worker for `slot` in the background. Caller holds the lock."""
        self._in_background(self._start_worker, slot, replaces, initial)

    def _start_worker(self, slot: int, replaces: _Worker | None, initial: bool) -> None:
        assert self._root is not None
        delay = 0.5
        while not self._closing.is_set():
            with self._lock:
                if self._closing.is_set():
                    return
                self._generation += 1
                limit = self._max_conversions - random.randrange(self._max_conversions // 10 + 1)
                worker = _Worker(slot, self._generation, self._root / f"w{slot}-{self._generation}", limit)
                # Launched under the lock, so stop() either sees this worker or prevents its launch.
                try:
                    worker.launch([*self._command, "--dir", str(worker.directory)], self._env)
                except OSError as exc:
                    error = f"cannot run {self._python}: {exc}"
                else:
                    self._workers.append(worker)
                    error = ""
            started = time.monotonic()
            if not error:
                try:
                    worker.wait_ready(started + self._startup_timeout)
                except _WorkerLost as exc:
                    error = str(exc)
            with self._lock:
                if not error and self._state == "running":
                    log.info(
                        "worker %s ready in %.2f s (soffice %s, slot %d)",
                        worker.pid,
                        time.monotonic() - started,
                        worker.soffice_pid,
                        slot,
                    )
                    self._admit(worker, replaces)
                    return
                if worker in self._workers:
                    self._workers.remove(worker)
                worker.state = "stopping"
            worker.kill(KILL_GRACE)
            if not error or self._closing.is_set():
                return  # the pool is stopping
            if initial:
                with self._lock:
                    self._start_errors.append(error)
                    self._changed.notify_all()
                return
            log.error("worker for slot %d failed to start (retrying in %.1f s): %s", slot, delay, error)
            self._closing.wait(delay)
            delay = min(delay * 2, 30.0)

    def _admit(self, worker: _Worker, replaces: _Worker | None) -> None:
        """A new worker is warm: retire the one it replaces and put it to work. Caller holds the lock."""
        if replaces is not None and replaces in self._workers:
            if replaces.state == "idle":
                self._idle.remove(replaces)
                self._workers.remove(replaces)
                replaces.state = "stopping"
                self._in_background(replaces.quit)
            else:
                replaces.doomed = True
        self._hand_out(worker)
        self._changed.notify_all()

    # -- health -----------------------------------------------------------------------------------

    def _check_idle_workers(self) -> None:
        """Replace idle workers that died, and ping (refreshing RSS) those idle for health_interval."""
        now = time.monotonic()
        with self._lock:
            if self._state != "running":
                return
            for worker in [w for w in self._idle if w.process is not None and w.process.poll() is not None]:
                log.warning("idle worker %s exited; replacing it", worker.pid)
                self._discard_locked(worker)
            due = [w for w in self._idle if now - w.last_used >= self._health_interval]
            for worker in due:
                self._idle.remove(worker)
                worker.state = "busy"
        for worker in due:
            try:
                reply = worker.request({"op": "status"}, time.monotonic() + PING_TIMEOUT)
                if not reply.get("ok"):
                    raise _WorkerLost(f"health check failed: {reply.get('error')}")
            except _WorkerLost as exc:
                log.warning("worker %s failed its health check: %s", worker.pid, exc)
                self._discard(worker)
                continue
            worker.rss = reply.get("rss")
            self._release(worker)

    def status(self) -> PoolStatus:
        """Workers with state, pid, conversions and RSS, the queue, and whether conversions can run now."""
        with self._lock:
            workers = sorted((w.status() for w in self._workers), key=lambda s: (s["slot"], s["generation"]))
            return PoolStatus(
                ready=self._state == "running" and any(w.state in ("idle", "busy") for w in self._workers),
                state=self._state,
                size=self._size,
                workers=workers,
                queue_length=len(self._waiters),
                queue_size=self._max_queue,
            )

    def _check_environment(self) -> str:
        """Fail loudly before starting anything when LibreOffice, the UNO python or the fonts are missing."""
        problems = []
        soffice = shutil.which(self._soffice)
        if soffice is None:
            problems.append(
                bilingual(
                    f"找不到LibreOffice可执行文件：{self._soffice}",
                    f"LibreOffice executable {self._soffice!r} not found (install libreoffice-writer-nogui)",
                )
            )
        if not os.access(self._python, os.X_OK):
            problems.append(
                bilingual(
                    f"找不到带UNO的Python：{self._python}",
                    f"{self._python} is not an executable (install python3 and python3-uno)",
                )
            )
        if not self._fonts_config.is_file():
            problems.append(
                bilingual(
                    f"字体配置文件不存在：{self._fonts_config}",
                    f"fontconfig file {self._fonts_config} does not exist",
                )
            )
        if problems:
            with self._lock:
                self._state = "stopped"
            raise ConversionError("; ".join(problems))
        assert soffice is not None
        return soffice
