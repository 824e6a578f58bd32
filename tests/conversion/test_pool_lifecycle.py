"""No LibreOffice of the pool outlives it: stop(), garbage collection, a SIGKILLed service, failed starts."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT
from service.conversion import ConversionPool
from service.errors import ConversionError

from .procfs import pid_alive, processes_under, wait_until

# Run in a separate interpreter: starts a one-worker pool, optionally leaves a conversion hanging in a
# SIGSTOPped office, reports the pool's status and waits to be killed.
SERVICE_SCRIPT = """
import json, os, signal, sys, threading, time
from pathlib import Path
from service.conversion import ConversionPool

work_dir, mode, docx_path = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
pool = ConversionPool(size=1, work_dir=work_dir, timeout=120)
pool.start()
if mode == "hung":
    os.kill(pool.status()["workers"][0]["soffice_pid"], signal.SIGSTOP)
    threading.Thread(target=pool.convert, args=(docx_path.read_bytes(),), daemon=True).start()
    while pool.status()["workers"][0]["state"] != "busy":
        time.sleep(0.01)
print(json.dumps(pool.status()), flush=True)
time.sleep(600)
"""


def test_stop_leaves_no_office_and_no_files_behind(tmp_path: Path, sample_docx: bytes) -> None:
    pool = ConversionPool(size=2, work_dir=tmp_path)
    pool.start()
    pool.convert(sample_docx)
    names = sorted(processes_under(tmp_path).values())
    assert names.count("soffice.bin") == 2, names

    pool.stop()

    assert processes_under(tmp_path) == {}
    assert list(tmp_path.iterdir()) == []
    assert pool.status()["ready"] is False
    with pytest.raises(ConversionError):
        pool.convert(sample_docx)


def test_stop_kills_an_office_that_no_longer_answers(tmp_path: Path) -> None:
    pool = ConversionPool(size=1, work_dir=tmp_path)
    pool.start()
    hung = pool.status()["workers"][0]["soffice_pid"]
    assert hung is not None
    os.kill(hung, signal.SIGSTOP)

    pool.stop()

    assert not pid_alive(hung)
    assert processes_under(tmp_path) == {}


def test_a_garbage_collected_pool_leaves_no_office_behind(tmp_path: Path) -> None:
    pool = ConversionPool(size=1, work_dir=tmp_path)
    pool.start()
    assert processes_under(tmp_path)

    del pool
    gc.collect()

    assert processes_under(tmp_path) == {}


@pytest.mark.parametrize("mode", ["idle", "hung"], ids=["idle-worker", "worker-stuck-in-conversion"])
def test_no_office_survives_a_service_killed_with_sigkill(tmp_path: Path, sample_docx: bytes, mode: str) -> None:
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    docx_path = tmp_path / "sample.docx"
    docx_path.write_bytes(sample_docx)
    command = [sys.executable, "-c", SERVICE_SCRIPT, str(work_dir), mode, str(docx_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT) as service:
        assert service.stdout is not None
        status = json.loads(service.stdout.readline() or "null")
        assert status is not None, "the service process did not start its pool"
        office = status["workers"][0]["soffice_pid"]
        assert pid_alive(office)

        service.kill()
        service.wait()

    wait_until(lambda: not processes_under(work_dir), 10, "no process of the killed service's pool is left")
    assert not pid_alive(office)
    # The orphaned worker also removes its profile and job files.
    wait_until(lambda: not any(work_dir.iterdir()), 5, "the pool's files are removed")


def test_start_fails_loudly_when_soffice_is_missing(tmp_path: Path) -> None:
    pool = ConversionPool(size=1, work_dir=tmp_path, soffice="/nonexistent/soffice")

    with pytest.raises(ConversionError, match="soffice"):
        pool.start()


def test_start_fails_loudly_when_the_python_cannot_import_uno(tmp_path: Path) -> None:
    # The project's venv python is exactly such an interpreter.
    pool = ConversionPool(size=1, work_dir=tmp_path, python=sys.executable)
    started = time.monotonic()

    with pytest.raises(ConversionError, match="uno"):
        pool.start()

    assert time.monotonic() - started < 10
    assert processes_under(tmp_path) == {}
