"""`make load`: the service as in production under N concurrent clients and one archive run, for a fixed time.

What it does, in order:
  1. a fresh data directory in a temporary directory (GONGWEN_DATA_DIR; SQLite registry, huey's SQLite queue),
     `gongwen db upgrade`, an office system's key (role submitter) and an archivist's key;
  2. `gongwen serve` as `make run` starts it (gunicorn gthread, warm LibreOffice pool) and `gongwen worker`
     (huey) beside it, each in a session of its own; waits for GET /readyz;
  3. a meeting with a number of registered documents (issued without PDF, so the archive run converts them);
  4. the load, from another process (tools/load_clients.py): N clients posting a mix of DOCX, PDF and PNG
     previews of every kind for the duration, each 200 checked, each 503 waited out as Retry-After says;
  5. meanwhile, ONE archive run over the meeting, started with the load and followed to its end (its polls
     double as a measure of light requests under load), its box PDF downloaded and checked;
  6. RSS of the service's whole process tree (gunicorn, UNO workers, soffice) and of the worker's, sampled
     every few seconds from /proc;
  7. the report, as text and as JSON in bench-results/; everything stopped with SIGTERM, and nothing of it
     (no soffice) may be left running.

Exits 1 when a rule is broken: a 5xx other than 503 busy, a broken file, a request that got no answer
(timeout, dropped connection), a 503 without Retry-After, any other error status, RSS growing in the last
half beyond --rss-growth-limit-mb, the archive run failing or its box not checking out, or processes left over.

RSS: the offices' RSS climbs for a few hundred conversions and drops when the pool recycles them, so the
service's whole tree saws up and down; the rule is that its Python processes (gunicorn), which nothing
recycles, grow no more than the limit over the last half (least-squares slope × its length), and that no
office of either tree gets past GONGWEN_CONVERTER_MAX_RSS_MB by more than a quarter.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import io
import json
import math
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(ROOT))

from load_clients import LoadPlan, drive, vary  # noqa: E402
from processes import (  # noqa: E402
    Proc,
    free_port,
    list_processes,
    machine_busy_seconds,
    percentile,
    process_kind,
    process_tree,
    tail,
)

from tests.jobs.conftest import FILED_KINDS, filing  # noqa: E402

SHARED_EXAMPLES = Path(os.environ.get("GONGWEN_EXAMPLES_DIR", ROOT.parent / "shared" / "examples"))
OWN_EXAMPLES = ROOT / "schemas" / "examples"
RESULTS_DIR = ROOT / "bench-results"
GONGWEN = Path(sys.executable).with_name("gongwen")
HOST = "127.0.0.1"

READY_TIMEOUT = 120.0
# gunicorn's graceful_timeout (30 s, service/cli.py) and some.
STOP_TIMEOUT = 45.0
SETUP_REQUEST_TIMEOUT = 60.0
# The archive run may go on after the load; past this it counts as failed.
ARCHIVE_AFTER_LOAD_LIMIT = 600.0
ARCHIVE_POLL = 1.0
# The example office's filing, numbered from the first 件 of box 1.
FILING = filing(start_item_no=1, box_no=1)
# Outline entries of a box besides one per 件: 封面, 归档文件目录, 备考表 (docs/decisions/0013).
BOX_OUTLINE_EXTRAS = ("封面", "归档文件目录", "备考表")
OFFICE_OVERSHOOT = 1.25
# Settings that would point the run at a real database or queue instead of the fresh temporary one.
NOT_PASSED_ON = ("GONGWEN_DATA_DIR", "GONGWEN_DATABASE_URL", "GONGWEN_REDIS_URL")


def log(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


# -- the service ------------------------------------------------------------------------------------


class Services:
    """`gongwen serve` and `gongwen worker` on a fresh data directory; `stop()` leaves nothing running."""

    def __init__(self, work: Path, server_threads: int | None) -> None:
        self.work = work
        self.port = free_port()
        self.environment = {key: value for key, value in os.environ.items() if key not in NOT_PASSED_ON}
        self.environment["GONGWEN_DATA_DIR"] = str(work / "data")
        self.server_threads = server_threads
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.server_log = work / "serve.log"
        self.worker_log = work / "worker.log"
        # Every process ever seen in either tree, and their groups: what must be gone after the stop.
        self.seen: set[int] = set()
        self.seen_groups: set[int] = set()
        self.seen_kinds: dict[int, str] = {}
        self.leftovers: list[dict[str, Any]] = []

    def gongwen(self, *args: str) -> str:
        done = subprocess.run(
            [str(GONGWEN), *args], env=self.environment, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"gongwen {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done.stdout

    def prepare(self) -> tuple[str, str]:
        """Migrate the fresh database; the office system's key and the archivist's key."""
        self.gongwen("db", "upgrade")
        submitter = self.gongwen("keys", "create", "--name", "load: office system", "--role", "submitter").strip()
        archivist = self.gongwen("keys", "create", "--name", "load: archivist", "--role", "archivist").strip()
        return submitter, archivist

    def start(self) -> None:
        serve = [str(GONGWEN), "serve", "--host", HOST, "--port", str(self.port)]
        if self.server_threads is not None:
            serve += ["--threads", str(self.server_threads)]
        self.server = self._launch(serve, self.server_log)
        self.worker = self._launch([str(GONGWEN), "worker"], self.worker_log)
        self.wait_ready()

    def _launch(self, command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
        with log_path.open("wb") as output:
            # A session of its own: Ctrl-C on the terminal reaches this script, which stops them in order.
            return subprocess.Popen(
                command,
                env=self.environment,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> dict[str, Any]:
        assert self.server is not None and self.worker is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            for name, process, log_path in (
                ("serve", self.server, self.server_log),
                ("worker", self.worker, self.worker_log),
            ):
                if process.poll() is not None:
                    raise RuntimeError(f"gongwen {name} exited with {process.returncode}:\n{tail(log_path)}")
            try:
                status, _, content = request("GET", self.port, "/readyz", timeout=5)
            except OSError:
                status, content = 0, b""
            if status == 200 and b"waiting for archive runs" in self.worker_log.read_bytes():
                ready: dict[str, Any] = json.loads(content)
                self.observe()
                return ready
            time.sleep(0.3)
        raise RuntimeError(f"the service was not ready within {READY_TIMEOUT:.0f} s:\n{tail(self.server_log)}")

    def observe(self) -> tuple[list[Proc], list[Proc]]:
        """The two process trees now; remembers every process in them."""
        processes = list_processes()
        server = process_tree(self.server.pid, processes) if self.server else []
        worker = process_tree(self.worker.pid, processes) if self.worker else []
        for proc in (*server, *worker):
            self.seen.add(proc.pid)
            self.seen_groups.add(proc.pgid)
            self.seen_kinds[proc.pid] = process_kind(proc)
        return server, worker

    def stop(self) -> None:
        """SIGTERM both (gunicorn lets requests finish, then its worker stops the pool), then look for leftovers."""
        with contextlib.suppress(OSError):
            self.observe()
        running = [p for p in (self.server, self.worker) if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"process {process.pid} did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM; killing it")
                process.kill()
                process.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._alive():
            time.sleep(0.1)
        for proc in self._alive():
            self.leftovers.append({"pid": proc.pid, "kind": process_kind(proc), "cmdline": proc.cmdline[:200]})
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)

    def _alive(self) -> list[Proc]:
        # The kind must match too, so that a pid used again by some other program is not taken for ours.
        return [
            proc
            for proc in list_processes().values()
            if (proc.pid in self.seen and self.seen_kinds.get(proc.pid) == process_kind(proc))
            or proc.pgid in self.seen_groups
        ]


# -- HTTP ---------------------------------------------------------------------------------------------


def request(
    method: str,
    port: int,
    path: str,
    *,
    token: str = "",
    body: Any = None,
    timeout: float = SETUP_REQUEST_TIMEOUT,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a connection of its own: status, headers, content."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def expect(status: int, wanted: int, content: bytes, what: str) -> Any:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}, wanted {wanted}: {content[:500]!r}")
    return json.loads(content) if content[:1] in (b"{", b"[") else content


# -- bodies -------------------------------------------------------------------------------------------


def example_bodies() -> dict[str, dict[str, Any]]:
    """Every kind's example body: the office systems' own (shared/examples) where they sent one."""
    from service.documents.kinds import KINDS, example_body

    bodies = {}
    for kind in KINDS:
        shared = SHARED_EXAMPLES / f"{kind}.json"
        bodies[kind] = json.loads(shared.read_text(encoding="utf-8")) if shared.is_file() else example_body(kind)
    return bodies


# -- the archive run ----------------------------------------------------------------------------------


def issue_meeting(port: int, token: str, bodies: dict[str, dict[str, Any]], count: int) -> tuple[str, float]:
    """A meeting with `count` documents issued without PDF (4 at a time); its id and the seconds it took."""
    started = time.monotonic()
    status, _, content = request("POST", port, "/api/v1/meetings", token=token, body={"title": "压力测试会议"})
    meeting_id: str = expect(status, 201, content, "creating the meeting")["id"]
    failures: list[str] = []
    lock = threading.Lock()
    serials = iter(range(count))

    def issue() -> None:
        while True:
            with lock:
                serial = next(serials, None)
            if serial is None or failures:
                return
            kind = FILED_KINDS[serial % len(FILED_KINDS)]
            path = f"/api/v1/meetings/{meeting_id}/documents/{kind}?pdf=false"
            status, _, content = request("POST", port, path, token=token, body=vary(kind, bodies[kind], serial))
            if status != 201:
                with lock:
                    failures.append(f"{kind}: HTTP {status}: {content[:300]!r}")

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"issuing the archive run's documents failed: {failures[0]}")
    return meeting_id, time.monotonic() - started


@dataclass
class ArchiveRun:
    """One archive run started with the load and followed until it ends."""

    port: int
    token: str
    meeting_id: str
    documents: int
    report: dict[str, Any] = field(default_factory=dict)
    # How long each GET of the run's progress took: a request that needs no converter, under load.
    polls: list[float] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self, give_up_at: float) -> None:
        self.thread = threading.Thread(target=self._follow, args=(give_up_at,), name="archive-run", daemon=True)
        self.thread.start()

    def _follow(self, give_up_at: float) -> None:
        try:
            self._run(give_up_at)
        except Exception as exc:  # reported, and the run counts as failed
            self.report.setdefault("problems", []).append(f"{type(exc).__name__}: {exc}")
            self.report.setdefault("status", "error")
            traceback.print_exc()

    def _run(self, give_up_at: float) -> None:
        body = {"selection": {"meetings": [self.meeting_id]}, "filing": FILING}
        started = time.monotonic()
        status, headers, content = request("POST", self.port, "/api/v1/archive-runs", token=self.token, body=body)
        run = expect(status, 202, content, "starting the archive run")
        location = headers["Location"]
        self.report.update(id=run["id"], documents=self.documents, status=run["status"])
        while run["status"] not in ("finished", "failed"):
            if time.monotonic() > give_up_at:
                self.report.update(status="not finished", progress=run["progress"])
                self.report.setdefault("problems", []).append("the run did not finish in time")
                return
            time.sleep(ARCHIVE_POLL)
            polled = time.monotonic()
            status, _, content = request("GET", self.port, location, token=self.token)
            self.polls.append(time.monotonic() - polled)
            run = expect(status, 200, content, "following the archive run")
        wall = time.monotonic() - started
        self.report.update(
            status=run["status"],
            seconds=round(wall, 1),
            documents_per_second=round(self.documents / wall, 2),
            failures=run["failures"],
            error=run["error"],
        )
        if run["status"] != "finished":
            self.report.setdefault("problems", []).append(f"the run {run['status']}: {run['error']}")
            return
        self.report.update(items=run["result"]["items"], pages=run["result"]["pages"])
        self.report["problems"] = self._check_box(run)

    def _check_box(self, run: dict[str, Any]) -> list[str]:
        from pypdf import PdfReader

        downloads = run["result"]["downloads"]
        status, headers, box = request("GET", self.port, downloads["box.pdf"], token=self.token, timeout=120)
        expect(status, 200, box, "downloading box.pdf")
        status, _, raw_manifest = request("GET", self.port, downloads["manifest.json"], token=self.token)
        manifest = expect(status, 200, raw_manifest, "downloading manifest.json")
        problems = []
        if headers.get("ETag") != f'"{hashlib.sha256(box).hexdigest()}"':
            problems.append("box.pdf does not match its ETag")
        reader = PdfReader(io.BytesIO(box), strict=True)
        pages = len(reader.pages)
        outline = [entry for entry in reader.outline if not isinstance(entry, list)]
        titles = [entry.title for entry in outline]
        starts = [reader.get_destination_page_number(entry) or 0 for entry in outline]
        items = run["result"]["items"]
        self.report.update(box_bytes=len(box), box_pages=pages, outline_entries=len(titles))
        if items != self.documents or len(run["failures"]) != 0:
            problems.append(f"{items} 件 filed of {self.documents}, failures {run['failures'][:3]}")
        if pages != run["result"]["pages"]:
            problems.append(f"box.pdf has {pages} pages, the run says {run['result']['pages']}")
        if len(titles) != items + len(BOX_OUTLINE_EXTRAS) or (titles[:2], titles[-1:]) != (
            list(BOX_OUTLINE_EXTRAS[:2]),
            list(BOX_OUTLINE_EXTRAS[2:]),
        ):
            problems.append(f"the outline has {len(titles)} entries ({titles[:3]} … {titles[-2:]}), not {items} + 3")
        if starts != sorted(starts) or any(start >= pages for start in starts):
            problems.append(f"the outline's pages are out of order or past the end: {starts[:5]} …")
        if len(manifest.get("items", [])) != items:
            problems.append(f"the manifest lists {len(manifest.get('items', []))} items, not {items}")
        return problems


# -- RSS ----------------------------------------------------------------------------------------------


@dataclass
class RssSampler:
    """The RSS of both process trees every `interval` seconds, timed from the load's start."""

    services: Services
    interval: float
    samples: list[dict[str, Any]] = field(default_factory=list)
    epoch: float = field(default_factory=time.monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        server, worker = self.services.observe()
        sample: dict[str, Any] = {"t": round(time.monotonic() - self.epoch, 1)}
        for tree, processes in (("service", server), ("worker", worker)):
            kinds: Counter[str] = Counter()
            for proc in processes:
                kinds[process_kind(proc)] += proc.rss_kb
            offices = [proc.rss_kb for proc in processes if proc.comm == "soffice.bin"]
            sample[tree] = {
                "mb": round(sum(kinds.values()) / 1024, 1),
                "python_mb": round(kinds["gongwen"] / 1024, 1),
                "offices": len(offices),
                "largest_office_mb": round(max(offices, default=0) / 1024, 1),
                "by_kind_mb": {kind: round(kb / 1024, 1) for kind, kb in sorted(kinds.items())},
            }
        self.samples.append(sample)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.sample()


# -- analysis -----------------------------------------------------------------------------------------


def latency_ms(seconds: Iterable[float]) -> dict[str, float | int | None]:
    ordered = sorted(s * 1000 for s in seconds)

    def rounded(value: float | None) -> float | None:
        # JSON has no NaN: a format with no answer has no percentiles.
        return None if value is None or math.isnan(value) else round(value, 1)

    return {
        "n": len(ordered),
        "p50": rounded(percentile(ordered, 0.50)),
        "p95": rounded(percentile(ordered, 0.95)),
        "p99": rounded(percentile(ordered, 0.99)),
        "max": rounded(ordered[-1] if ordered else None),
    }


def slope_per_second(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, value) points (0 with fewer than two)."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return 0.0 if spread == 0 else sum((t - mean_t) * (v - mean_v) for t, v in points) / spread


def analyse(
    outcomes: list[dict[str, Any]],
    wall: float,
    duration: float,
    samples: list[dict[str, Any]],
    rss_growth_limit_mb: float,
    office_limit_mb: float,
) -> dict[str, Any]:
    good = [o for o in outcomes if o["status"] == 200 and not o["broken"]]
    shed = [o for o in outcomes if o["status"] == 503]
    formats = sorted({o["format"] for o in outcomes})
    errors: Counter[str] = Counter(
        f"{o['status']} {o['code']}".strip() for o in outcomes if o["status"] not in (0, 200)
    )
    no_answer: Counter[str] = Counter(o["code"].split(":")[0] for o in outcomes if o["status"] == 0)
    broken = [f"{o['format']} {o['kind']}: {o['broken']}" for o in outcomes if o["status"] == 200 and o["broken"]]
    report: dict[str, Any] = {
        "requests": len(outcomes),
        "ok": len(good),
        "per_second": round(len(good) / wall, 2) if wall else None,
        "answered_per_second": round(sum(o["status"] != 0 for o in outcomes) / wall, 2) if wall else None,
        "by_format": {},
        "latency_ms": latency_ms(o["seconds"] for o in good),
        "shed_latency_ms": latency_ms(o["seconds"] for o in shed),
        "errors_by_status": dict(sorted(errors.items())),
        "busy_503": sum(o["code"] == "busy" for o in shed),
        "503_with_retry_after": sum(o["retry_after"] is not None for o in shed),
        "503_without_retry_after": sum(o["retry_after"] is None for o in shed),
        "retry_after_values": dict(sorted(Counter(o["retry_after"] for o in shed if o["retry_after"]).items())),
        "broken_files": len(broken),
        "broken_examples": broken[:10],
        "no_answer": sum(no_answer.values()),
        "no_answer_by_reason": dict(no_answer),
        "no_answer_examples": [o["code"] for o in outcomes if o["status"] == 0][:5],
    }
    for name in formats:
        mine = [o for o in outcomes if o["format"] == name]
        mine_good = [o for o in mine if o["status"] == 200 and not o["broken"]]
        report["by_format"][name] = {
            "requests": len(mine),
            "ok": len(mine_good),
            "per_second": round(len(mine_good) / wall, 2) if wall else None,
            "shed_503": sum(o["status"] == 503 for o in mine),
            "latency_ms": latency_ms(o["seconds"] for o in mine_good),
        }
    report["by_kind"] = {
        f"{kind} {name}": {
            "ok": len(kind_good := [o for o in mine if o["status"] == 200 and not o["broken"]]),
            "shed_503": len(kind_shed := [o for o in mine if o["status"] == 503]),
            "latency_ms": latency_ms(o["seconds"] for o in kind_good),
            "shed_latency_ms": latency_ms(o["seconds"] for o in kind_shed),
        }
        for kind in sorted({o["kind"] for o in outcomes})
        for name in formats
        if (mine := [o for o in outcomes if o["kind"] == kind and o["format"] == name])
    }
    report["timeline"] = timeline(outcomes, samples, duration)
    report["rss"] = rss_summary(samples, duration, rss_growth_limit_mb, office_limit_mb)
    return report


def timeline(outcomes: list[dict[str, Any]], samples: list[dict[str, Any]], duration: float) -> list[dict[str, Any]]:
    """Per window (30 s, or 10 s for runs under two minutes): answers, latency, 503s, errors, RSS."""
    window = 30.0 if duration >= 120 else 10.0
    rows = []
    for index in range(math.ceil(duration / window)):
        low, high = index * window, min((index + 1) * window, duration)
        mine = [o for o in outcomes if low <= o["started"] < high]
        good = [o for o in mine if o["status"] == 200 and not o["broken"]]
        in_window = [s for s in samples if low <= s["t"] < high]
        if not in_window and samples:
            in_window = [min(samples, key=lambda s: abs(s["t"] - high))]
        rows.append(
            {
                "from_s": low,
                "to_s": high,
                "ok_per_second": round(len(good) / (high - low), 1),
                "p50_ms": latency_ms(o["seconds"] for o in good)["p50"],
                "p99_ms": latency_ms(o["seconds"] for o in good)["p99"],
                "shed_503": sum(o["status"] == 503 for o in mine),
                "errors": sum(o["status"] not in (200, 503) or bool(o["broken"]) for o in mine),
                "service_rss_mb": max((s["service"]["mb"] for s in in_window), default=None),
                "service_python_mb": max((s["service"]["python_mb"] for s in in_window), default=None),
                "service_largest_office_mb": max((s["service"]["largest_office_mb"] for s in in_window), default=None),
                "worker_rss_mb": max((s["worker"]["mb"] for s in in_window), default=None),
            }
        )
    return rows


def rss_summary(
    samples: list[dict[str, Any]], duration: float, limit_mb: float, office_limit_mb: float
) -> dict[str, Any]:
    """Per tree: first and last window, the maximum, and the growth over the last half (least-squares slope × its
    length) of the whole tree and of its Python processes; the largest office seen (see the module's docstring)."""
    during = [s for s in samples if 0 <= s["t"] <= duration]
    if not during:
        return {"samples": len(samples)}
    span = min(60.0, duration / 2)
    first = [s for s in during if s["t"] < span] or during[:1]
    last = [s for s in during if s["t"] >= duration - span] or during[-1:]
    second_half = [s for s in during if s["t"] >= duration / 2]
    before = next((s for s in samples if s["t"] < 0), None)
    summary: dict[str, Any] = {
        "samples": len(samples),
        "window_s": span,
        "python_growth_limit_mb": limit_mb,
        "office_limit_mb": office_limit_mb,
    }
    for tree in ("service", "worker"):

        def mean(rows: list[dict[str, Any]], key: str, tree: str = tree) -> float:
            return round(sum(row[tree][key] for row in rows) / len(rows), 1)

        def growth(key: str, tree: str = tree) -> float:
            slope = slope_per_second([(row["t"], row[tree][key]) for row in second_half])
            return round(slope * (duration / 2), 1)

        summary[tree] = {
            "before_load_mb": before[tree]["mb"] if before else None,
            "first_window_mean_mb": mean(first, "mb"),
            "last_window_mean_mb": mean(last, "mb"),
            "max_mb": max(row[tree]["mb"] for row in during),
            "last_half_growth_mb": growth("mb"),
            "python_before_load_mb": before[tree]["python_mb"] if before else None,
            "python_first_window_mean_mb": mean(first, "python_mb"),
            "python_last_window_mean_mb": mean(last, "python_mb"),
            "python_last_half_growth_mb": growth("python_mb"),
            "largest_office_mb": max(row[tree]["largest_office_mb"] for row in during),
            "most_offices": max(row[tree]["offices"] for row in during),
            "by_kind_last_mb": last[-1][tree]["by_kind_mb"],
        }
    return summary


def rss_violations(rss: dict[str, Any]) -> list[str]:
    if "service" not in rss:
        return ["no RSS sample was taken during the load"]
    found = []
    # The worker's Python side is not held to it: its one run assembles the box (all pages in memory) and
    # ends when it ends, often within the last half; only the service runs under the same load throughout.
    growth = rss["service"]["python_last_half_growth_mb"]
    if growth > rss["python_growth_limit_mb"]:
        found.append(
            f"the service's Python processes grew {growth:.0f} MB over the last half "
            f"(limit {rss['python_growth_limit_mb']:.0f})"
        )
    for tree in ("service", "worker"):
        largest = rss[tree]["largest_office_mb"]
        if largest > rss["office_limit_mb"]:
            found.append(
                f"an office of the {tree} reached {largest:.0f} MB (recycled past {rss['office_limit_mb']:.0f})"
            )
    return found


def violations(report: dict[str, Any]) -> list[str]:
    """Every hard rule the run broke."""
    load = report["load"]
    found = []
    server_errors = {k: v for k, v in load["errors_by_status"].items() if k.startswith("5") and k != "503 busy"}
    if server_errors:
        found.append(f"5xx other than 503 busy: {server_errors}")
    other = {k: v for k, v in load["errors_by_status"].items() if not k.startswith("5")}
    if other:
        found.append(f"error answers to valid requests: {other}")
    if load["broken_files"]:
        found.append(f"{load['broken_files']} broken files, e.g. {load['broken_examples'][:3]}")
    if load["no_answer"]:
        found.append(f"{load['no_answer']} requests got no answer: {load['no_answer_by_reason']}")
    if load["503_without_retry_after"]:
        found.append(f"{load['503_without_retry_after']} answers 503 without Retry-After")
    found.extend(rss_violations(load["rss"]))
    archive = report["archive_run"]
    if archive.get("status") != "finished" or archive.get("problems"):
        found.append(f"archive run {archive.get('status')}: {archive.get('problems')}")
    if report["leftovers"]:
        found.append(f"processes left after the stop: {report['leftovers']}")
    return found


# -- the report ---------------------------------------------------------------------------------------


def fmt(value: Any, width: int = 8) -> str:
    text = "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    return text.rjust(width)


def print_report(report: dict[str, Any]) -> None:
    load, archive, rss = report["load"], report["archive_run"], report["load"]["rss"]
    setup = report["setup"]
    print()
    print(
        f"gongwen load: {setup['clients']} clients for {setup['duration_s']:.0f} s "
        f"(load process wall {setup['load_wall_s']:.1f} s), mix {setup['mix']}, server threads "
        f"{setup['server_threads'] or 'default'}, {os.cpu_count()} cores, GONGWEN_* passed on: {setup['settings']}"
    )
    print(
        f"requests {load['requests']}, good files {load['ok']} ({load['per_second']}/s), answered "
        f"{load['answered_per_second']}/s; load generator CPU {setup['load_cpu_s']:.0f} s, machine busy "
        f"{setup['machine_busy_percent']:.0f} %"
    )
    print()
    print(f"{'':<10}{'requests':>9}{'ok':>7}{'ok/s':>8}{'503':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [*load["by_format"].items(), ("all", {**load, "shed_503": load["busy_503"]})]
    for name, row in rows:
        latency = row["latency_ms"]
        print(
            f"{name:<10}{row['requests']:>9}{row['ok']:>7}{fmt(row['per_second'])}{row['shed_503']:>6}"
            f"{fmt(latency['p50'], 9)}{fmt(latency['p95'], 9)}{fmt(latency['p99'], 9)}{fmt(latency['max'], 9)}"
        )
    shed = load["shed_latency_ms"]
    print(f"time to a 503: p50 {shed['p50']} ms, p99 {shed['p99']} ms, max {shed['max']} ms (n {shed['n']})")
    print(
        f"errors by status: {load['errors_by_status'] or 'none'}; 503 with Retry-After {load['503_with_retry_after']}, "
        f"without {load['503_without_retry_after']}; Retry-After values {load['retry_after_values']}"
    )
    print(
        f"broken files {load['broken_files']}; no answer (timeout, reset) {load['no_answer']} "
        f"{load['no_answer_by_reason'] or ''}"
    )
    print()
    header = f"{'window s':<12}{'ok/s':>7}{'p50 ms':>9}{'p99 ms':>9}{'503':>6}{'err':>5}"
    print(f"{header}{'service MB':>12}{'python':>8}{'1 office':>10}{'worker MB':>11}")
    for row in load["timeline"]:
        print(
            f"{row['from_s']:>4.0f}–{row['to_s']:<7.0f}{fmt(row['ok_per_second'], 7)}{fmt(row['p50_ms'], 9)}"
            f"{fmt(row['p99_ms'], 9)}{row['shed_503']:>6}{row['errors']:>5}{fmt(row['service_rss_mb'], 12)}"
            f"{fmt(row['service_python_mb'], 8)}{fmt(row['service_largest_office_mb'], 10)}"
            f"{fmt(row['worker_rss_mb'], 11)}"
        )
    for tree in ("service", "worker"):
        if tree in rss:
            n = rss[tree]
            print(
                f"{tree} RSS: before the load {n['before_load_mb']} MB, first {rss['window_s']:.0f} s "
                f"{n['first_window_mean_mb']} MB, last {rss['window_s']:.0f} s {n['last_window_mean_mb']} MB, "
                f"max {n['max_mb']} MB, last-half growth {n['last_half_growth_mb']} MB"
            )
            held = f"limit {rss['python_growth_limit_mb']:.0f}" if tree == "service" else "no limit: its run ends"
            print(
                f"  Python processes {n['python_before_load_mb']} → {n['python_first_window_mean_mb']} → "
                f"{n['python_last_window_mean_mb']} MB, last-half growth {n['python_last_half_growth_mb']} MB "
                f"({held}); largest office {n['largest_office_mb']} MB "
                f"(limit {rss['office_limit_mb']:.0f}), at most {n['most_offices']} offices"
            )
            print(f"  by process at the end: {n['by_kind_last_mb']}")
    print()
    polls = report["archive_polls_ms"]
    print(
        f"archive run: {archive.get('status')}, {archive.get('documents')} documents in {archive.get('seconds')} s "
        f"({archive.get('documents_per_second')}/s) under load; box {archive.get('box_pages')} pages, "
        f"{archive.get('outline_entries')} outline entries; problems {archive.get('problems') or 'none'}"
    )
    print(
        f"GET of the run's progress (no converter needed) under load: p50 {polls['p50']} ms, p99 {polls['p99']} ms, "
        f"max {polls['max']} ms (n {polls['n']})"
    )
    print(f"left running after the stop: {report['leftovers'] or 'nothing'}")
    print()
    if report["violations"]:
        print("RULES BROKEN:")
        for violation in report["violations"]:
            print(f"  - {violation}")
    else:
        print("all rules held: no 5xx but 503 busy, no broken file, no silent timeout, Retry-After on every 503,")
        print("the service's Python RSS flat in the last half and every office under its recycling limit,")
        print("the archive run finished and its box checked, nothing left running")


# -- main ---------------------------------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, int]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name not in ("docx", "pdf", "png") or not weight.isdigit():
            raise argparse.ArgumentTypeError(f"--mix: {part!r} is not docx=N, pdf=N or png=N")
        mix[name] = int(weight)
    return mix


def office_limit_mb(environment: dict[str, str]) -> float:
    """The RSS past which the pool recycles an office, and the margin it may overshoot by: the pool looks
    after each conversion, and the worn-out office serves on until its replacement is warm."""
    from service.config import Settings

    return Settings.from_environment(environment).converter_max_rss_mb * OFFICE_OVERSHOOT


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default 300)")
    parser.add_argument("--mix", type=parse_mix, default="docx=4,pdf=4,png=2", help="weights (docx=4,pdf=4,png=2)")
    parser.add_argument(
        "--archive-documents", type=int, help="documents in the archive run (default: one per second of load)"
    )
    parser.add_argument("--server-threads", type=int, help="gongwen serve --threads (default: the service's)")
    parser.add_argument("--request-timeout", type=float, default=120.0, help="a client's patience, seconds")
    parser.add_argument("--rss-interval", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument(
        "--rss-growth-limit-mb",
        type=float,
        default=64.0,
        help="growth the Python processes may show over the last half (default 64)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    args = parser.parse_args()
    if isinstance(args.mix, str):
        args.mix = parse_mix(args.mix)
    documents = args.archive_documents or max(10, min(1000, round(args.duration)))

    # Ctrl-C and SIGTERM (a CI job cancelled) both end up in the finally below, which stops everything.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="gongwen-load-"))
    services = Services(work, args.server_threads)
    load_process: multiprocessing.process.BaseProcess | None = None
    try:
        log(f"working in {work}")
        submitter, archivist = services.prepare()
        log(f"starting gongwen serve on port {services.port} and gongwen worker")
        services.start()
        bodies = example_bodies()
        meeting_id, issuing = issue_meeting(services.port, submitter, bodies, documents)
        log(f"issued {documents} documents for the archive run in {issuing:.1f} s")

        sampler = RssSampler(services, args.rss_interval)
        sampler.sample()  # before the load: the warm service at rest
        plan = LoadPlan(
            HOST, services.port, submitter, args.clients, args.duration, args.request_timeout, args.mix, bodies
        )
        context = multiprocessing.get_context("spawn")
        receiving, sending = context.Pipe(duplex=False)
        load_process = context.Process(target=drive, args=(json.dumps(plan.__dict__), sending), name="load")
        load_process.start()
        sending.close()
        receiving.recv()  # the clients are starting
        sampler.epoch = time.monotonic()
        for sample in sampler.samples:
            sample["t"] = -1.0
        busy_before = machine_busy_seconds()
        sampler_thread = threading.Thread(target=sampler.run, name="rss", daemon=True)
        sampler_thread.start()
        archive = ArchiveRun(services.port, archivist, meeting_id, documents)
        archive.start(give_up_at=time.monotonic() + args.duration + ARCHIVE_AFTER_LOAD_LIMIT)
        log(f"{args.clients} clients for {args.duration:.0f} s, and an archive run of {documents} documents")

        finished = receiving.recv()
        busy = machine_busy_seconds() - busy_before
        load_wall = finished["wall"]
        load_process.join(30)
        log(f"load done: {len(finished['outcomes'])} requests; waiting for the archive run")
        assert archive.thread is not None
        archive.thread.join()
        sampler.stopping.set()
        sampler_thread.join()

        report: dict[str, Any] = {
            "setup": {
                "clients": args.clients,
                "duration_s": args.duration,
                "load_wall_s": round(load_wall, 1),
                "mix": args.mix,
                "server_threads": args.server_threads,
                "settings": {k: v for k, v in services.environment.items() if k.startswith("GONGWEN_")},
                "request_timeout_s": args.request_timeout,
                "cores": os.cpu_count(),
                "load_cpu_s": round(finished["cpu_seconds"], 1),
                "machine_busy_percent": round(100 * busy / (load_wall * (os.cpu_count() or 1)), 1),
                "archive_issue_s": round(issuing, 1),
            },
            "load": analyse(
                finished["outcomes"],
                load_wall,
                args.duration,
                sampler.samples,
                args.rss_growth_limit_mb,
                office_limit_mb(services.environment),
            ),
            "archive_run": archive.report,
            "archive_polls_ms": latency_ms(archive.polls),
            "rss_samples": sampler.samples,
        }
    except KeyboardInterrupt:
        log("interrupted; stopping everything")
        return 130
    except Exception:
        traceback.print_exc()
        log(f"serve log:\n{tail(services.server_log)}\nworker log:\n{tail(services.worker_log)}")
        return 2
    finally:
        if load_process is not None and load_process.is_alive():
            load_process.terminate()
            load_process.join(10)
        log("stopping the service and the worker")
        services.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    report["leftovers"] = services.leftovers
    report["violations"] = violations(report)
    print_report(report)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
