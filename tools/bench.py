"""Benchmark of the example notice (`make bench`): in-process, over real HTTP, memory, and carbone; prints tables.

One run measures, on this machine:
  in-process       the DOCX pipeline and the Flask test client (the service's own work, no network)
  HTTP             `gongwen serve` started as in production (gunicorn gthread, warm LibreOffice pool), driven
                   over 127.0.0.1 by 1 and by 8 keep-alive clients: DOCX and PDF of the example notice, and
                   PDF of a one-page variant
  RSS              the server's process tree (gunicorn, UNO workers, soffice.bin) after the load
  carbone          carbone 3.8.2 (installed into var/bench/carbone) on the same LibreOffice, rendering an
                   equivalent template of the one-page notice, with 1 and 2 factories
and compares the result with the issue's targets. A benchmark, not a test: it prints MISS but exits 0
unless a measurement crashed. Everything it starts is stopped again, on errors too.
"""

from __future__ import annotations

import argparse
import copy
import functools
import http.client
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape, unescape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from processes import (  # noqa: E402
    CLOCK_TICKS,
    Proc,
    cpu_seconds,
    free_port,
    list_processes,
    machine_busy_seconds,
    percentile,
    process_kind,
    process_tree,
    tail,
)
from pypdf import PdfReader  # noqa: E402

from service import create_app  # noqa: E402
from service.access.accounts import create_key  # noqa: E402
from service.access.roles import Role  # noqa: E402
from service.config import Settings  # noqa: E402
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document  # noqa: E402
from service.storage.database import Database  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "examples"
CACHE = ROOT / "var" / "bench"
CARBONE_VERSION = "3.8.2"
CARBONE_SCRIPT = ROOT / "tools" / "bench_carbone.js"
ENDPOINT = "/api/v1/documents/meeting-notice"

# Targets of the issue.
TARGET_PDF_P50_MS = 130.0
TARGET_PDF_PER_S = 10.0
TARGET_VS_CARBONE = 1.3
TARGET_DOCX_P50_MS = 10.0

SERVER_READY_TIMEOUT = 120.0
SERVER_STOP_TIMEOUT = 40.0
REQUEST_TIMEOUT = 60.0
CARBONE_TIMEOUT = 180.0
NPM_TIMEOUT = 180.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- statistics ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: latencies in ms, throughput per second over the run's wall time."""

    name: str
    clients: str
    n: int
    busy: int  # 503 answers
    errors: int  # any other failure
    min_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    per_s: float
    note: str = ""

    STATISTICS: ClassVar[tuple[str, ...]] = ("min_ms", "p50_ms", "p95_ms", "max_ms", "per_s")

    @classmethod
    def from_timings(cls, name: str, clients: str, timings: list[float], wall_s: float, **extra: Any) -> Row:
        ordered = sorted(timings)
        nan = float("nan")
        return cls(
            name,
            clients,
            len(ordered),
            min_ms=ordered[0] if ordered else nan,
            p50_ms=statistics.median(ordered) if ordered else nan,
            p95_ms=percentile(ordered, 0.95),
            max_ms=ordered[-1] if ordered else nan,
            per_s=len(ordered) / wall_s if wall_s > 0 else nan,
            **{"busy": 0, "errors": 0, **extra},
        )

    def markdown(self) -> str:
        numbers = " | ".join(fmt(getattr(self, name)) for name in self.STATISTICS)
        return f"| {self.name} | {self.clients} | {self.n} | {self.busy}/{self.errors} | {numbers} | {self.note} |"


def fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None or value != value else f"{value:.1f}{unit}"  # nan → –


def measure_in_process(name: str, run: Callable[[], object], repeat: int) -> Row:
    run()  # warm caches: template parse, jieba dictionary
    timings = []
    started = time.perf_counter()
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return Row.from_timings(name, "in-process", timings, time.perf_counter() - started)


# -- processes ----------------------------------------------------------------------------------------


def kill_leftovers(pids: set[int], pgids: set[int]) -> list[Proc]:
    """SIGKILL every live process among `pids` or in the groups `pgids`; returns what it found alive."""
    alive = [p for p in list_processes().values() if p.pid in pids or p.pgid in pgids]
    for proc in alive:
        with suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
    return alive


@contextmanager
def serving(log_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes], dict[str, Any]]]:
    """`gongwen serve` on a free port, ready (GET /readyz == 200); stopped with SIGTERM, leftovers killed.

    Yields (port, process, report); `report` holds the /readyz answer and, after the stop, `leftovers`
    (the processes that were still alive and had to be killed).
    """
    port = free_port()
    gongwen = Path(sys.executable).with_name("gongwen")
    report: dict[str, Any] = {}
    with log_path.open("wb") as server_log:
        process = subprocess.Popen(
            [str(gongwen), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    seen: set[int] = {process.pid}
    try:
        report["readyz"] = wait_ready(port, process, log_path)
        yield port, process, report
    finally:
        seen |= {p.pid for p in process_tree(process.pid)}
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # as in production: gunicorn stops its worker, which stops the pool
            try:
                process.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log("the server did not stop within its grace; killing it")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(p.pid in seen or p.pgid in seen for p in list_processes().values()):
            time.sleep(0.1)
        report["leftovers"] = kill_leftovers(seen, seen)
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_ready(port: int, process: subprocess.Popen[bytes], log_path: Path) -> dict[str, Any]:
    """Poll GET /readyz until it answers 200; returns its JSON."""
    deadline = time.monotonic() + SERVER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gongwen serve exited with {process.returncode}:\n{tail(log_path)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            response = connection.getresponse()
            content = response.read()
            connection.close()
            if response.status == 200:
                ready: dict[str, Any] = json.loads(content)
                return ready
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gongwen serve was not ready within {SERVER_READY_TIMEOUT:.0f} s:\n{tail(log_path)}")


# -- HTTP load ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    body: bytes
    magic: bytes  # what a good answer starts with


@functools.cache
def authorization() -> dict[str, str]:
    """An office system's key (role submitter) in the database the benchmarked service uses: GONGWEN_* as set."""
    database = Database.from_settings(Settings.from_environment())
    try:
        database.migrate()
        token = create_key(database, name="bench", roles=[Role.SUBMITTER], actor="bench").token
    finally:
        database.dispose()
    return {"Authorization": f"Bearer {token}"}


def post(connection: http.client.HTTPConnection, scenario: Scenario) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", **authorization()}
    connection.request("POST", ENDPOINT + scenario.query, body=scenario.body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def load(port: int, scenario: Scenario, clients: int, total: int, warmup: int, meter: CpuMeter | None = None) -> Row:
    """`clients` threads, each on its own keep-alive connection, share `total` requests after `warmup` each.

    Each client takes the next request when its last one is answered, as bench_carbone.js's callers do, so
    that all of them stay busy to the end. `meter`, when given, measures the CPU time of the requests after
    the warm-up.
    """
    timings: list[float] = []
    failures = {"busy": 0, "errors": 0}
    first_problem: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1, timeout=REQUEST_TIMEOUT * (warmup + 1))
    unclaimed = [total]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            for _ in range(warmup):
                post(connection, scenario)
        except (OSError, http.client.HTTPException):
            connection.close()
        try:
            start_gate.wait()
        except threading.BrokenBarrierError:
            return
        while True:
            with lock:
                if unclaimed[0] == 0:
                    break
                unclaimed[0] -= 1
            start = time.perf_counter()
            try:
                status, content = post(connection, scenario)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()  # http.client reconnects on the next request
                status, content = -1, repr(exc).encode()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200 and content.startswith(scenario.magic):
                    timings.append(elapsed)
                elif status == 503:
                    failures["busy"] += 1
                else:
                    failures["errors"] += 1
                    if not first_problem:
                        first_problem.append(f"first failure {status}: {content[:120]!r}")
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    if meter is not None:
        meter.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall_s = time.perf_counter() - started
    if meter is not None:
        meter.stop()
    note = first_problem[0] if first_problem else ""
    if note:
        log(f"{scenario.name} ({clients} clients): {note}")
    return Row.from_timings(scenario.name, str(clients), timings, wall_s, note=note, **failures)


def fetch(port: int, scenario: Scenario) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        status, content = post(connection, scenario)
    finally:
        connection.close()
    if status != 200 or not content.startswith(scenario.magic):
        raise RuntimeError(f"{scenario.name}: HTTP {status}: {content[:300]!r}")
    return content


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_text(content: bytes) -> str:
    """The PDF's text without any whitespace, for comparing two renderings of the same document."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def one_page_variant(body: dict[str, Any]) -> dict[str, Any]:
    """The example notice cut down until its PDF is one page.

    NOTE: without the reply slip and with fewer agenda/requirement items the 文件格式 notice is still two
    pages (its 版头 and 版记 take most of a page), so the variant is a 信函格式 letter without check-in,
    agenda, requirements, reply or 抄送, and with one attendee line. The bench checks the page count.
    """
    variant = copy.deepcopy(body)
    variant["format"] = "letter"
    for key in ("reply", "cc"):
        variant.pop(key, None)
    variant["requirements"] = []
    meeting = variant["meeting"]
    meeting.pop("check_in", None)
    meeting["agenda"] = []
    meeting["attendees"] = meeting["attendees"][:1]
    return variant


def summarise_rss(tree: list[Proc]) -> tuple[int, str]:
    """Total VmRSS in kB and a breakdown by kind of process."""
    kinds: dict[str, list[int]] = {}
    for proc in tree:
        kinds.setdefault(process_kind(proc), []).append(proc.rss_kb)
    parts = [f"{kind} ×{len(sizes)} {sum(sizes) / 1024:.0f} MB" for kind, sizes in sorted(kinds.items())]
    return sum(proc.rss_kb for proc in tree), ", ".join(parts)


class CpuMeter:
    """CPU time of a process tree, by kind of process, and of the whole machine between start() and stop().

    The throughput of a CPU-bound service on 2 cores is 2 s / (CPU per PDF), so this says where it goes.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.before: dict[int, tuple[str, float]] = {}
        self.spent: dict[str, float] = {}
        self.machine = self.wall = 0.0

    def _read(self) -> dict[int, tuple[str, float]]:
        return {proc.pid: (process_kind(proc), cpu_seconds(proc.pid)) for proc in process_tree(self.root)}

    def start(self) -> None:
        self.before = self._read()
        self.machine, self.wall = machine_busy_seconds(), time.perf_counter()

    def stop(self) -> None:
        self.machine, self.wall = machine_busy_seconds() - self.machine, time.perf_counter() - self.wall
        self.spent = {}
        for pid, (kind, seconds) in self._read().items():
            self.spent[kind] = self.spent.get(kind, 0.0) + seconds - self.before.get(pid, (kind, 0.0))[1]

    def per_request(self, requests: int) -> str:
        parts = [f"{kind} {1000 * seconds / requests:.1f}" for kind, seconds in sorted(self.spent.items()) if seconds]
        ours = 1000 * sum(self.spent.values()) / requests
        busy = 100 * self.machine / (self.wall * (os.cpu_count() or 1))
        return (
            f"{', '.join(parts)} = {ours:.1f} ms; the machine was {busy:.0f} % busy "
            f"({1000 * self.machine / requests:.1f} ms per PDF, other processes included)"
        )


# -- carbone ------------------------------------------------------------------------------------------


def ensure_carbone(directory: Path) -> None:
    """carbone@3.8.2 under `directory`/node_modules, installed with npm when missing."""
    package = directory / "node_modules" / "carbone" / "package.json"
    if package.is_file() and json.loads(package.read_text(encoding="utf-8")).get("version") == CARBONE_VERSION:
        return
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / "package.json"
    if not manifest.exists():
        manifest.write_text('{"name": "gongwen-bench-carbone", "private": true}\n', encoding="utf-8")
    log(f"installing carbone@{CARBONE_VERSION} into {directory}")
    subprocess.run(
        ["npm", "install", f"carbone@{CARBONE_VERSION}", "--no-audit", "--no-fund"],
        cwd=directory,
        check=True,
        timeout=NPM_TIMEOUT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


_TEXT_RUN = re.compile(r"(<w:t(?:\s[^>]*)?>)([^<]+)(</w:t>)")


def carbone_template(docx: bytes, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """Our rendered DOCX with each text run's content replaced by a carbone tag, and the data to refill it.

    Each tag replaces the whole text of one <w:t>, so it never spans runs; the data holds the original
    text, so carbone produces the same document.
    """
    known = {
        body.get("intro"): "intro",
        body.get("doc_number"): "doc_number",
        body.get("urgency"): "urgency",
        body.get("issuer", {}).get("mark"): "issuer_mark",
        body.get("meeting", {}).get("venue"): "venue",
    }
    data: dict[str, str] = {}

    def tag(match: re.Match[str]) -> str:
        text = unescape(match.group(2))
        name = known.get(text) or f"text{len(data) + 1}"
        if name in data:
            name = f"{name}{len(data) + 1}"
        data[name] = text
        return f"{match.group(1)}{escape('{d.' + name + '}')}{match.group(3)}"

    source = zipfile.ZipFile(io.BytesIO(docx))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                xml = content.decode("utf-8")
                if "{" in xml:
                    raise RuntimeError("the DOCX already contains braces; carbone would read them as tags")
                content = _TEXT_RUN.sub(tag, xml).encode("utf-8")
            target.writestr(item, content)
    if not data:
        raise RuntimeError("no text runs found for carbone tags")
    return output.getvalue(), data


def carbone(
    args: argparse.Namespace,
    catalog: TemplateCatalog,
    body: dict[str, Any],
    ours: bytes,
    add: Callable[[Row, str], None],
    facts: list[str],
) -> None:
    """carbone with 1 and with 2 factories on the one-page notice, sequential and concurrent."""
    directory = CACHE / "carbone"
    ensure_carbone(directory)
    docx = render_document(catalog, "meeting-notice", body, OutputFormat.DOCX).content
    template_bytes, data = carbone_template(docx, body)
    template = directory / "notice-template.docx"
    template.write_bytes(template_bytes)
    data_path = directory / "notice-data.json"
    data_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for factories in (1, 2):
        label = f"{factories} factor{'y' if factories == 1 else 'ies'}"
        log(f"carbone with {label}, {args.carbone_requests} renders per run")
        result = run_carbone(directory, template, data_path, factories, args)
        for run in result["runs"]:
            stats = {k: float("nan") if run[k] is None else float(run[k]) for k in Row.STATISTICS}
            name = f"carbone PDF one-page, {label}"
            row = Row(name, str(run["clients"]), run["n"], 0, run["errors"], **stats, note=run.get("first_error", ""))
            add(row, f"carbone{factories}")
            cpu = run.get("cpu_ms_per_render", {})
            if run["clients"] == args.clients and cpu:
                parts = ", ".join(f"{command} {ms:.1f}" for command, ms in sorted(cpu.items()) if ms >= 0.05)
                facts.append(
                    f"carbone CPU per render, {label}, {run['clients']} clients: {parts} = {sum(cpu.values()):.1f} ms"
                )
        sample = result["sample_pdf"]
        same = bool(ours) and bool(sample) and pdf_text(sample) == pdf_text(ours)
        facts.append(
            f"carbone {result['carbone']}, {label}: start {result['startup_ms']:.0f} ms, "
            f"first PDF {result['first_ms']:.0f} ms, {pdf_pages(sample) if sample else '?'} page(s), text "
            f"{'identical to' if same else 'DIFFERENT from'} ours ({len(data)} tags); RSS of node + LibreOffice at the "
            f"end {result['rss_kb'] / 1024:.0f} MB; {result['leftovers']} leftover processes killed"
        )


def run_carbone(
    directory: Path, template: Path, data: Path, factories: int, args: argparse.Namespace
) -> dict[str, Any]:
    """One node process with `factories` LibreOffice factories; kills carbone's leftover soffice afterwards."""
    temp = Path(tempfile.mkdtemp(prefix=f"run-f{factories}-", dir=directory))
    sample = temp / "sample.pdf"
    env = dict(os.environ)
    env["PATH"] = "/usr/bin:/usr/lib/libreoffice/program:" + env.get("PATH", "")
    env["FONTCONFIG_FILE"] = str(Settings().fonts_config)
    command = [
        "node",
        str(CARBONE_SCRIPT),
        "--carbone", str(directory),
        "--template", str(template),
        "--data", str(data),
        "--temp", str(temp),
        "--factories", str(factories),
        "--sequential", str(args.carbone_requests),
        "--concurrent", str(args.carbone_requests),
        "--clients", str(args.clients),
        "--sample", str(sample),
        "--clock-ticks", str(CLOCK_TICKS),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=temp,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen = {process.pid}
    rss_kb = [0]

    def watch() -> None:
        while process.poll() is None:
            tree = process_tree(process.pid)
            seen.update(p.pid for p in tree)
            rss_kb[0] = sum(p.rss_kb for p in tree) or rss_kb[0]
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = process.communicate(timeout=CARBONE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"carbone with {factories} factories took longer than {CARBONE_TIMEOUT:.0f} s") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        watcher.join(2)
        # NOTE: carbone's soffice.bin outlives node; find it by process group, by tree and by its profile path.
        orphans = [p for p in list_processes().values() if p.pid in seen or p.pgid in seen or str(temp) in p.cmdline]
        kill_leftovers({p.pid for p in orphans}, {process.pid})
        if orphans:
            log(f"killed carbone leftovers: {', '.join(f'{p.comm}[{p.pid}]' for p in orphans)}")
        sample_pdf = sample.read_bytes() if sample.is_file() else b""
        shutil.rmtree(temp, ignore_errors=True)
    if process.returncode != 0:
        raise RuntimeError(f"bench_carbone.js exited with {process.returncode}: {stderr.decode()[-2000:]}")
    report: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    report["sample_pdf"] = sample_pdf
    report["leftovers"] = len(orphans)
    report["rss_kb"] = rss_kb[0]
    return report


def print_targets(rows: dict[tuple[str, str], Row], clients: int) -> None:
    """The issue's targets, PASS or MISS (n/a when the measurement is missing)."""
    nan = float("nan")

    def get(key: str, clients: int | str, what: str) -> float:
        row = rows.get((key, str(clients)))
        return nan if row is None else float(getattr(row, what))

    carbone_best = max(
        (row.per_s for (key, _), row in rows.items() if key.startswith("carbone") and row.per_s == row.per_s),
        default=nan,
    )
    ours = get("pdf1", clients, "per_s")
    targets = [
        ("PDF p50, 1 client, one-page notice over HTTP", get("pdf1", 1, "p50_ms"), " ms",
         f"≤ {TARGET_PDF_P50_MS:.0f} ms", lambda v: v <= TARGET_PDF_P50_MS),
        (f"one-page PDFs/s, {clients} clients, {os.cpu_count()} cores", ours, "/s",
         f"≥ {TARGET_PDF_PER_S:.0f}/s", lambda v: v >= TARGET_PDF_PER_S),
        (f"one-page PDFs/s vs carbone's best ({fmt(carbone_best, '/s')})", ours / carbone_best, "×",
         f"≥ {TARGET_VS_CARBONE}×", lambda v: v >= TARGET_VS_CARBONE),
        ("DOCX p50 server-side (Flask test client, in-process)", get("flask", "in-process", "p50_ms"), " ms",
         f"≤ {TARGET_DOCX_P50_MS:.0f} ms", lambda v: v <= TARGET_DOCX_P50_MS),
        ("DOCX p50, 1 client over HTTP (for reference)", get("docx", 1, "p50_ms"), " ms",
         f"≤ {TARGET_DOCX_P50_MS:.0f} ms", lambda v: v <= TARGET_DOCX_P50_MS),
    ]  # fmt: skip
    print("\n| target | measured | goal | result |\n|---|---|---|---|")
    for label, value, unit, goal, check in targets:
        verdict = "n/a" if value != value else ("PASS" if check(value) else "MISS")
        print(f"| {label} | {fmt(value, unit)} | {goal} | {verdict} |")


# -- main ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200, help="in-process calls per measurement")
    parser.add_argument("--docx-requests", type=int, default=200, help="HTTP DOCX requests per scenario")
    parser.add_argument("--pdf-requests", type=int, default=100, help="HTTP PDF requests per scenario")
    parser.add_argument("--carbone-requests", type=int, default=100, help="carbone renders per scenario")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--no-carbone", action="store_true", help="skip the carbone comparison")
    args = parser.parse_args()

    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so every finally block stops what it started.
    signal.signal(signal.SIGTERM, _interrupt)
    began = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    body = json.loads((args.examples / "meeting-notice.json").read_text(encoding="utf-8"))
    short = one_page_variant(body)
    rows: dict[tuple[str, str], Row] = {}
    facts: list[str] = []
    failures: list[str] = []

    def add(row: Row, key: str) -> None:
        rows[(key, row.clients)] = row

    # 1. in-process, as before
    settings = Settings()
    catalog = TemplateCatalog(settings.templates_dir)
    client = create_app(settings).test_client()

    def pipeline() -> object:
        return render_document(catalog, "meeting-notice", body, OutputFormat.DOCX)

    def flask() -> object:
        response = client.post(ENDPOINT, json=body, headers=authorization())
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    log("in-process DOCX")
    add(measure_in_process("DOCX validate+render (pipeline)", pipeline, args.repeat), "pipeline")
    add(measure_in_process("DOCX POST (Flask test client)", flask, args.repeat), "flask")

    # 2. and 3. real HTTP against `gongwen serve`
    full_body = json.dumps(body, ensure_ascii=False).encode()
    scenarios = {
        "docx": (Scenario("HTTP DOCX example notice", "", full_body, b"PK"), args.docx_requests, 10),
        "pdf": (Scenario("HTTP PDF example notice", "?format=pdf", full_body, b"%PDF-"), args.pdf_requests, 2),
        "pdf1": (
            Scenario(
                "HTTP PDF one-page notice", "?format=pdf", json.dumps(short, ensure_ascii=False).encode(), b"%PDF-"
            ),
            args.pdf_requests,
            2,
        ),
    }
    our_short_pdf = b""
    pool = "?"
    try:
        log("starting gongwen serve")
        started = time.monotonic()
        with serving(CACHE / "serve.log") as (port, server, report):
            pool = str(report["readyz"].get("checks", {}).get("converter", {}).get("state", {}).get("size", "?"))
            facts.append(
                f"gongwen serve start → /readyz 200: {time.monotonic() - started:.1f} s (log: var/bench/serve.log)"
            )
            our_short_pdf = fetch(port, scenarios["pdf1"][0])
            for key in ("pdf", "pdf1"):
                scenario = scenarios[key][0]
                pages = pdf_pages(our_short_pdf if key == "pdf1" else fetch(port, scenario))
                scenarios[key] = (replace(scenario, name=f"{scenario.name} ({pages} p)"), *scenarios[key][1:])
            for key, (scenario, total, warmup) in scenarios.items():
                for clients in (1, args.clients):
                    log(f"{scenario.name}, {clients} client(s), {total} requests")
                    meter = CpuMeter(server.pid) if key == "pdf1" and clients == args.clients else None
                    row = load(port, scenario, clients, total, warmup if clients == 1 else 1, meter)
                    add(row, key)
                    if meter is not None and row.n:
                        facts.append(f"CPU per one-page PDF, {clients} clients: {meter.per_request(row.n)}")
            tree = process_tree(server.pid)
            rss_kb, breakdown = summarise_rss(tree)
            facts.append(f"server RSS after the run: {rss_kb / 1024:.0f} MB over {len(tree)} processes ({breakdown})")
        leftovers = ", ".join(f"{p.comm}[{p.pid}]" for p in report.get("leftovers", []))
        facts.append(
            f"after SIGTERM: {'killed leftovers ' + leftovers if leftovers else 'no process of the server left'}"
        )
        short_pages = pdf_pages(our_short_pdf)
        if short_pages != 1:
            failures.append(f"the one-page variant renders {short_pages} pages")
    except Exception as exc:  # reported; carbone still runs and the exit status says it crashed
        failures.append(f"HTTP benchmark: {exc!r}")
        traceback.print_exc()

    # 4. carbone
    if not args.no_carbone:
        try:
            carbone(args, catalog, short, our_short_pdf, add, facts)
        except Exception as exc:
            failures.append(f"carbone benchmark: {exc!r}")
            traceback.print_exc()

    print(f"\nmeeting-notice benchmark, {os.cpu_count()} cores, LibreOffice pool of {pool} in gongwen serve\n")
    print("| measurement | clients | n ok | 503/errors | min ms | p50 ms | p95 ms | max ms | req/s | note |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows.values():
        print(row.markdown())
    print()
    for fact in facts:
        print(f"- {fact}")
    print_targets(rows, args.clients)
    print(f"\nbench took {time.monotonic() - began:.0f} s")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    raise SystemExit(main())
