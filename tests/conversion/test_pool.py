"""ConversionPool against the real LibreOffice: output, concurrency, crashes, hangs, back-pressure, recycling."""

from __future__ import annotations

import contextvars
import io
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from service.conversion import ConversionPool, conversion_request
from service.conversion.pool import SHARED_MEMORY, _default_work_dir
from service.errors import BusyError, ConversionError, ConversionTimeoutError

from .procfs import pid_alive, processes_under, wait_until

SAMPLE_TEXT = "经研究，决定召开年度工作会议"


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    """Base font names without the subset prefix (ABCDEF+FandolFang-Regular → FandolFang-Regular)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        fonts = resources.get("/Font", DictionaryObject()).get_object()
        for ref in fonts.values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(ref.get_object()["/BaseFont"]).lstrip("/")))
    return names


def soffice_pid_of(pool: ConversionPool, index: int = 0) -> int:
    pid = pool.status()["workers"][index]["soffice_pid"]
    assert pid is not None
    return pid


def test_converts_chinese_docx_to_pdf_set_in_fandolfang(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    pdf = shared_pool.convert(sample_docx)

    assert pdf.startswith(b"%PDF-")
    assert SAMPLE_TEXT in pdf_text(pdf)
    # 仿宋_GB2312 only becomes FandolFang through fonts/fonts.conf: proves FONTCONFIG_FILE reached soffice.
    assert pdf_fonts(pdf) == {"FandolFang-Regular"}


def test_converts_from_eight_threads_at_once(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        pdfs = list(executor.map(lambda _: shared_pool.convert(sample_docx), range(16)))

    assert all(SAMPLE_TEXT in pdf_text(pdf) for pdf in pdfs)


def numbered_docx(number: int) -> bytes:
    document = Document()
    document.add_paragraph(f"Document {number:03d}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_queued_requests_each_get_their_own_document_back(tmp_path: Path) -> None:
    # One worker, so every request but the first waits and is sent by the thread that frees the worker.
    with ConversionPool(size=1, work_dir=tmp_path) as pool, ThreadPoolExecutor(max_workers=6) as executor:
        pdfs = list(executor.map(lambda number: pool.convert(numbered_docx(number)), range(12)))

    assert [re.sub(r"\s+", " ", pdf_text(pdf)).strip() for pdf in pdfs] == [f"Document {n:03d}" for n in range(12)]
    assert list(tmp_path.iterdir()) == []


def test_libreoffice_keeps_its_temporary_files_in_the_pool_directory(
    shared_pool: ConversionPool, sample_docx: bytes
) -> None:
    shared_pool.convert(sample_docx)

    environment = Path(f"/proc/{soffice_pid_of(shared_pool)}/environ").read_bytes().split(b"\0")
    [temp_dir] = [Path(entry[len(b"TMPDIR=") :].decode()) for entry in environment if entry.startswith(b"TMPDIR=")]
    assert shared_pool.work_dir is not None
    assert temp_dir.is_relative_to(shared_pool.work_dir)
    assert temp_dir.is_dir()


def test_the_pool_directory_is_in_shared_memory_unless_a_temp_dir_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    assert _default_work_dir() == SHARED_MEMORY  # Debian and the container have a /dev/shm tmpfs

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert _default_work_dir() is None  # tempfile.mkdtemp then honours TMPDIR


def test_every_conversion_succeeds_when_an_office_is_killed_mid_burst(
    shared_pool: ConversionPool, sample_docx: bytes
) -> None:
    victim = soffice_pid_of(shared_pool)
    done = 0
    lock = threading.Lock()
    halfway = threading.Event()

    def convert(_: int) -> bytes:
        nonlocal done
        pdf = shared_pool.convert(sample_docx)
        with lock:
            done += 1
            if done == 20:
                halfway.set()
        return pdf

    with ThreadPoolExecutor(max_workers=4) as executor:
        futures = [executor.submit(convert, n) for n in range(100)]
        assert halfway.wait(60), "the burst did not get going"
        os.kill(victim, signal.SIGKILL)
        pdfs = [future.result() for future in futures]

    assert len(pdfs) == 100
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs)
    assert not pid_alive(victim)
    wait_until(
        lambda: sum(w["state"] in ("idle", "busy") for w in shared_pool.status()["workers"]) == 2,
        20,
        "the killed worker has been replaced",
    )
    assert victim not in {w["soffice_pid"] for w in shared_pool.status()["workers"]}


def test_a_document_libreoffice_cannot_read_is_refused_without_restarting_workers(
    shared_pool: ConversionPool,
) -> None:
    before = {w["pid"] for w in shared_pool.status()["workers"]}

    with pytest.raises(ConversionError) as raised:
        shared_pool.convert(b"PK\x03\x04 this is not a DOCX")

    assert not isinstance(raised.value, ConversionTimeoutError)
    assert " / " in raised.value.detail
    assert {w["pid"] for w in shared_pool.status()["workers"]} == before


def test_status_reports_every_worker_for_readyz(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    shared_pool.convert(sample_docx)
    status = shared_pool.status()

    assert status["ready"] is True
    assert status["state"] == "running"
    assert status["size"] == len(status["workers"]) == 2
    assert status["queue_length"] == 0
    assert status["queue_size"] == 16
    for worker in status["workers"]:
        assert worker["state"] in ("idle", "busy", "starting")
        assert worker["pid"] is not None and pid_alive(worker["pid"])
        assert worker["soffice_pid"] is not None and pid_alive(worker["soffice_pid"])
        assert worker["rss_bytes"] is not None and worker["rss_bytes"] > 50 * 2**20


def test_an_idle_worker_whose_office_dies_is_replaced_before_any_request(tmp_path: Path) -> None:
    with ConversionPool(size=1, work_dir=tmp_path) as pool:
        victim = soffice_pid_of(pool)

        os.kill(victim, signal.SIGKILL)

        wait_until(lambda: pool.status()["ready"] and soffice_pid_of(pool) != victim, 15, "a new office serves")


def test_a_hung_office_is_killed_at_the_timeout_and_the_retry_succeeds(tmp_path: Path, sample_docx: bytes) -> None:
    with ConversionPool(size=1, work_dir=tmp_path, timeout=3) as pool:
        hung = soffice_pid_of(pool)
        # SIGSTOP is what a LibreOffice stuck at 100 % CPU looks like from outside: no answer, ever.
        os.kill(hung, signal.SIGSTOP)
        started = time.monotonic()

        pdf = pool.convert(sample_docx)

        assert time.monotonic() - started >= 3
        assert SAMPLE_TEXT in pdf_text(pdf)
        wait_until(lambda: not pid_alive(hung), 5, "the hung soffice is gone")
        assert soffice_pid_of(pool) != hung
        assert pool.status()["ready"]


def test_a_conversion_that_hangs_on_every_worker_times_out_and_the_pool_recovers(
    tmp_path: Path, sample_docx: bytes
) -> None:
    with ConversionPool(size=1, work_dir=tmp_path, timeout=2, startup_timeout=4) as pool:
        frozen: set[int] = set()
        stop_freezing = threading.Event()

        def freeze_every_office() -> None:
            while not stop_freezing.is_set():
                for pid, name in processes_under(tmp_path).items():
                    if name == "soffice.bin" and pid not in frozen:
                        os.kill(pid, signal.SIGSTOP)
                        frozen.add(pid)
                time.sleep(0.01)

        freezer = threading.Thread(target=freeze_every_office)
        freezer.start()
        try:
            started = time.monotonic()
            with pytest.raises(ConversionTimeoutError) as raised:
                pool.convert(sample_docx)
            elapsed = time.monotonic() - started
        finally:
            stop_freezing.set()
            freezer.join()

        # One timeout on the hung worker, one on the retry (its replacement hangs while starting).
        assert 4 <= elapsed < 8
        assert " / " in raised.value.detail
        wait_until(lambda: pool.status()["ready"], 30, "the pool has a working office again")
        assert SAMPLE_TEXT in pdf_text(pool.convert(sample_docx))
        wait_until(lambda: not any(pid_alive(pid) for pid in frozen), 10, "every frozen soffice is gone")


def test_a_full_queue_is_refused_at_once_with_retry_after(tmp_path: Path, sample_docx: bytes) -> None:
    with ConversionPool(size=1, max_queue=1, work_dir=tmp_path, timeout=30) as pool:
        office = soffice_pid_of(pool)
        os.kill(office, signal.SIGSTOP)  # holds the only worker busy until SIGCONT
        results: list[bytes] = []

        def convert() -> None:
            results.append(pool.convert(sample_docx))

        first, queued = threading.Thread(target=convert), threading.Thread(target=convert)
        try:
            first.start()
            wait_until(lambda: pool.status()["workers"][0]["state"] == "busy", 5, "the worker is busy")
            queued.start()
            wait_until(lambda: pool.status()["queue_length"] == 1, 5, "one request waits")

            started = time.monotonic()
            with pytest.raises(BusyError) as raised:
                pool.convert(sample_docx)

            assert time.monotonic() - started < 0.5
            assert raised.value.retry_after >= 1
            assert " / " in raised.value.detail
        finally:
            os.kill(office, signal.SIGCONT)
            first.join()
            queued.join()
        assert len(results) == 2


def test_a_request_admitted_once_is_never_refused_later_and_its_conversion_goes_ahead(tmp_path: Path) -> None:
    # A PDF may take several conversions (page rules render again, parts convert side by side): once its first
    # got past the full-queue check, refusing a later one would throw the work done away (ADR 0020).
    first_pass, second_pass, busy, waiting = (numbered_docx(n) for n in range(4))
    with ConversionPool(size=1, max_queue=1, work_dir=tmp_path, timeout=30) as pool:
        with conversion_request():
            pool.convert(first_pass)
            # What a thread converting one part of the document runs in: a copy of the request's context.
            later_in_the_request = contextvars.copy_context()
        office = soffice_pid_of(pool)
        os.kill(office, signal.SIGSTOP)  # holds the only worker busy until SIGCONT
        results: dict[bytes, bytes] = {}

        def convert(docx: bytes) -> None:
            with conversion_request():
                results[docx] = pool.convert(docx)

        def convert_later_in_the_request() -> None:
            results[second_pass] = later_in_the_request.run(pool.convert, second_pass)

        threads = [
            threading.Thread(target=convert, args=(busy,)),
            threading.Thread(target=convert, args=(waiting,)),
            threading.Thread(target=convert_later_in_the_request),
        ]
        try:
            threads[0].start()
            wait_until(lambda: pool.status()["workers"][0]["state"] == "busy", 5, "the worker is busy")
            threads[1].start()
            wait_until(lambda: pool.status()["queue_length"] == 1, 5, "the queue is full")
            with conversion_request():
                refused_request = contextvars.copy_context()
                with pytest.raises(BusyError):
                    pool.convert(numbered_docx(9))  # a new request is refused at the door...

            threads[2].start()

            wait_until(lambda: pool.status()["queue_length"] == 2, 5, "the admitted request's conversion waits")
            assert [waiter.job.docx for waiter in pool._waiters] == [second_pass, waiting]
        finally:
            os.kill(office, signal.SIGCONT)
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
        assert {docx: re.sub(r"\s+", " ", pdf_text(pdf)).strip() for docx, pdf in results.items()} == {
            busy: "Document 002",
            waiting: "Document 003",
            second_pass: "Document 001",
        }
        # ...and stays refused, so that its other parts do not take offices for nothing, even once they are free.
        assert pool.status()["queue_length"] == 0
        with pytest.raises(BusyError):
            refused_request.run(pool.convert, numbered_docx(9))


def test_a_worker_is_recycled_after_max_conversions_without_failing_a_request(
    tmp_path: Path, sample_docx: bytes
) -> None:
    with ConversionPool(size=1, max_conversions=3, work_dir=tmp_path) as pool:
        first = pool.status()["workers"][0]
        deadline = time.monotonic() + 30
        while pool.status()["workers"][0]["pid"] == first["pid"]:
            assert time.monotonic() < deadline, "the worker was never recycled"
            assert pool.convert(sample_docx).startswith(b"%PDF-")

        assert pool.convert(sample_docx).startswith(b"%PDF-")
        wait_until(lambda: not pid_alive(first["soffice_pid"] or 0), 10, "the old soffice is gone")
        workers = pool.status()["workers"]
        assert len(workers) == 1
        assert workers[0]["soffice_pid"] != first["soffice_pid"]
        assert workers[0]["generation"] > first["generation"]
