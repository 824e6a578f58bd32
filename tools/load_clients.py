"""The clients of `make load` (tools/load.py): N office systems posting documents, run in a process of their own.

Each client is a thread with its own keep-alive connection that loops until the deadline over a weighted mix
of DOCX, PDF and PNG-preview requests of several kinds, every body a little different from the last. Every
200 is checked (a DOCX opens as a ZIP with word/document.xml, a PDF parses with its announced page count, a
PNG decodes); a 503 is followed by a pause of Retry-After seconds, as a well-behaved office system does.
The clients never retry a request that got no answer: a timeout or a dropped connection is counted as such.
"""

from __future__ import annotations

import copy
import http.client
import io
import json
import random
import threading
import time
import zipfile
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPECTED_MEDIA_TYPES = {
    "docx": (DOCX_MEDIA_TYPE, "application/zip"),
    "pdf": ("application/pdf",),
    "png": ("image/png",),
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A well-behaved client waits what Retry-After says, but no office system waits minutes for a form.
RETRY_AFTER_CAP = 5.0
# Without Retry-After (a rule broken, and counted) the client still backs off before trying again.
BACKOFF_WITHOUT_RETRY_AFTER = 1.0
# gunicorn closes a keep-alive connection idle for 2 s; one idle longer than this is not used again, so that a
# request written into a connection the server is closing is not taken for a dropped answer.
KEEPALIVE_REUSE = 1.0


@dataclass(frozen=True)
class LoadPlan:
    """What the clients do; sent to the load process as JSON."""

    host: str
    port: int
    token: str
    clients: int
    duration: float
    request_timeout: float
    mix: dict[str, int]  # format → weight
    bodies: dict[str, dict[str, Any]]  # kind → example body
    seed: int = 9704


@dataclass(frozen=True)
class Outcome:
    """One request as the client saw it; `started` counts from the start of the load."""

    client: int
    format: str
    kind: str
    started: float
    seconds: float
    status: int  # HTTP status; 0 when no answer came
    code: str = ""  # the problem's `code`, or why there was no answer / why a 200 was broken
    retry_after: str | None = None  # the header on a 503, as sent
    broken: str = ""  # what is wrong with a 200's file; empty when it is good


def vary(kind: str, body: dict[str, Any], serial: int) -> dict[str, Any]:
    """The kind's example made distinct (number, 期号, 盒号), as a day of real requests would be."""
    varied = copy.deepcopy(body)
    number = serial % 900 + 1
    if kind == "meeting-notice":
        varied["doc_number"] = f"青政办发〔2026〕{number}号"
    elif kind in ("meeting-minutes", "meeting-brief"):
        varied["issue_no"] = number
    elif kind == "archive-cover":
        varied["box_no"] = number
    elif kind == "archive-stamp":
        varied["item_no"] = number
    return varied


def check_file(output_format: str, content_type: str, content: bytes, page_count: str | None) -> str:
    """What is wrong with a 200's file, or "" when it is what was asked for."""
    media_type = content_type.split(";")[0].strip()
    if media_type not in EXPECTED_MEDIA_TYPES[output_format]:
        return f"Content-Type {content_type!r} for format={output_format}"
    try:
        if output_format == "docx":
            return _docx_problem(content, bundle=media_type == "application/zip")
        if output_format == "pdf":
            return _pdf_problem(content, page_count)
        return _png_problem(content)
    except Exception as exc:  # any failure to read the file is what this check exists to find
        return f"unreadable {output_format}: {type(exc).__name__}: {exc}"


def _docx_problem(content: bytes, *, bundle: bool) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        damaged = archive.testzip()
        if damaged is not None:
            return f"CRC error in {damaged}"
        if bundle:
            # A kind made of parts (one 反馈单 per unit) answers with one DOCX per part.
            parts = [name for name in archive.namelist() if name.endswith(".docx")]
            if not parts:
                return "a ZIP without any DOCX"
            for name in parts:
                problem = _docx_problem(archive.read(name), bundle=False)
                if problem:
                    return f"{name}: {problem}"
            return ""
        if "word/document.xml" not in archive.namelist():
            return "no word/document.xml"
        return ""


def _pdf_problem(content: bytes, page_count: str | None) -> str:
    from pypdf import PdfReader

    if not content.startswith(b"%PDF-"):
        return "does not start with %PDF-"
    if b"%%EOF" not in content[-1024:]:
        return "no %%EOF at the end (truncated)"
    pages = len(PdfReader(io.BytesIO(content), strict=True).pages)
    if pages < 1:
        return "no pages"
    if page_count is not None and page_count != str(pages):
        return f"Gongwen-Page-Count says {page_count}, the PDF has {pages} pages"
    return ""


def _png_problem(content: bytes) -> str:
    from PIL import Image

    if not content.startswith(PNG_SIGNATURE):
        return "no PNG signature"
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        if image.width < 1 or image.height < 1:
            return f"a {image.width}×{image.height} image"
    return ""


class _Client:
    """One office system: a keep-alive connection and a loop over the mix until the deadline."""

    def __init__(self, index: int, plan: LoadPlan, epoch: float, deadline: float, counter: _Counter) -> None:
        self.index = index
        self.plan = plan
        self.epoch = epoch
        self.deadline = deadline
        self.counter = counter
        self.random = random.Random(plan.seed * 1000 + index)
        self.connection: http.client.HTTPConnection | None = None
        self.last_answer = 0.0
        self.outcomes: list[Outcome] = []
        # Pages seen per kind, so a preview asks for a page that exists.
        self.pages: dict[str, int] = {}
        self.formats = list(plan.mix)
        self.weights = [plan.mix[name] for name in self.formats]
        self.kinds = sorted(plan.bodies)

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.one_request()
        finally:
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def one_request(self) -> None:
        output_format = self.random.choices(self.formats, self.weights)[0]
        kind = self.random.choice(self.kinds)
        query = f"format={output_format}"
        if output_format == "png":
            query += f"&page={self.random.randint(1, self.pages.get(kind, 1))}"
        body = json.dumps(vary(kind, self.plan.bodies[kind], self.counter.next()), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.plan.token}"}
        started = time.monotonic()
        if started - self.last_answer > KEEPALIVE_REUSE:
            self.close()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.plan.host, self.plan.port, timeout=self.plan.request_timeout
                )
            self.connection.request("POST", f"/api/v1/documents/{kind}?{query}", body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except TimeoutError as exc:
            self._no_answer(output_format, kind, started, f"timeout: {exc}")
            return
        except (OSError, http.client.HTTPException) as exc:
            self._no_answer(output_format, kind, started, f"{type(exc).__name__}: {exc}")
            return
        self.last_answer = time.monotonic()
        seconds = self.last_answer - started
        if response.will_close:
            self.close()
        outcome = Outcome(self.index, output_format, kind, started - self.epoch, seconds, response.status)
        if response.status == 200:
            page_count = response.getheader("Gongwen-Page-Count")
            if output_format == "pdf" and page_count and page_count.isdigit():
                self.pages[kind] = int(page_count)
            broken = check_file(output_format, response.getheader("Content-Type", ""), content, page_count)
            outcome = Outcome(**{**asdict(outcome), "broken": broken})
        else:
            outcome = Outcome(
                **{**asdict(outcome), "code": _problem_code(content), "retry_after": response.getheader("Retry-After")}
            )
        self.outcomes.append(outcome)
        if response.status == 503:
            self._wait_as_told(outcome.retry_after)

    def _no_answer(self, output_format: str, kind: str, started: float, why: str) -> None:
        self.close()
        self.outcomes.append(
            Outcome(self.index, output_format, kind, started - self.epoch, time.monotonic() - started, 0, why)
        )

    def _wait_as_told(self, retry_after: str | None) -> None:
        pause = BACKOFF_WITHOUT_RETRY_AFTER
        if retry_after is not None and retry_after.strip().isdigit():
            pause = min(float(retry_after), RETRY_AFTER_CAP)
        time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))


def _problem_code(content: bytes) -> str:
    try:
        problem = json.loads(content)
    except ValueError:
        return "(not JSON)"
    return str(problem.get("code", "")) if isinstance(problem, dict) else "(not a problem)"


class _Counter:
    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._value += 1
            return self._value


def drive(plan_json: str, results: Connection) -> None:
    """The load process: run every client until the deadline, then send back every outcome as JSON.

    Sends {"started": epoch} once the clients are about to start, then {"outcomes": [...], "cpu_seconds": ...}.
    """
    import os
    import signal

    # Ctrl-C reaches the whole foreground group; tools/load.py stops this process itself, after the report.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    plan = LoadPlan(**json.loads(plan_json))
    epoch = time.monotonic()
    deadline = epoch + plan.duration
    counter = _Counter()
    clients = [_Client(index, plan, epoch, deadline, counter) for index in range(plan.clients)]
    threads = [threading.Thread(target=client.run, name=f"client-{client.index}") for client in clients]
    results.send({"started": time.time()})
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = os.times()
    outcomes = [asdict(outcome) for client in clients for outcome in client.outcomes]
    results.send({"outcomes": outcomes, "cpu_seconds": times.user + times.system, "wall": time.monotonic() - epoch})
    results.close()
