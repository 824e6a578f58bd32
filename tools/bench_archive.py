"""`make bench-archive`: archive N generated documents end to end through the real `gongwen worker`.

Issues N documents into a fresh registry (DOCX only, as office systems post them), queues one archive
run over them, and times it until finished with the worker as `make run` starts it. Prints wall time,
documents per second, and the peak resident memory of the worker with its LibreOffice processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from service.config import Settings  # noqa: E402
from service.conversion import ConversionPool  # noqa: E402
from service.documents.issuing import issue_document  # noqa: E402
from service.documents.pipeline import TemplateCatalog  # noqa: E402
from service.jobs.queue import JobQueue  # noqa: E402
from service.storage import archive_runs as runs  # noqa: E402
from service.storage import registry  # noqa: E402
from service.storage.database import Database  # noqa: E402
from service.storage.files import FileStore  # noqa: E402
from tests.conftest import load_example  # noqa: E402
from tests.jobs.conftest import FILED_KINDS, filing  # noqa: E402

# The example office's filing, numbered from the first 件 of box 1.
FILING = filing(start_item_no=1, box_no=1)


def generated_body(kind: str, index: int) -> dict[str, object]:
    """The kind's example made distinct: its own title (and 发文字号), as a year of meetings would be."""
    body = load_example(kind)
    if kind == "meeting-notice":
        body["doc_number"] = f"青政办发〔2026〕{index + 1}号"
        body["title"] = f"关于召开第{index + 1}次全县工作会议的通知"
    elif kind == "meeting-brief":
        body["issue_no"] = index + 1
    return body


def tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry), int(fields["PPid"].strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gongwen-bench-archive-"))
    try:
        return run(args.documents, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(count: int, work: Path) -> int:
    settings = Settings(data_dir=work / "data")
    database = Database.from_settings(settings)
    database.migrate()
    files, catalog = FileStore(settings.files_dir), TemplateCatalog(settings.templates_dir)
    meeting = registry.create_meeting(database, title="基准测试")
    started = time.perf_counter()
    pool = ConversionPool(size=1, work_dir=work)  # issuing DOCX needs no conversion; the pool is never started
    ids = [
        issue_document(
            database,
            files,
            catalog,
            pool,
            meeting.id,
            FILED_KINDS[i % len(FILED_KINDS)],
            generated_body(FILED_KINDS[i % len(FILED_KINDS)], i),
            with_pdf=False,
        ).document.id
        for i in range(count)
    ]
    issued = time.perf_counter() - started
    print(f"issued {count} documents (DOCX) in {issued:.1f} s ({count / issued:.0f}/s)", flush=True)

    request = {"selection": {"documents": [{"document_id": doc} for doc in ids]}, "filing": FILING}
    run_id = runs.create_run(database, request, runs.select_items(database, request["selection"]))
    environment = {**os.environ, "GONGWEN_DATA_DIR": str(settings.data_dir), "TMPDIR": str(work)}
    log = (work / "worker.log").open("wb")
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("gongwen")), "worker"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = time.perf_counter()
        JobQueue.from_settings(settings).enqueue_archive_run(run_id)
        peak, last_report = 0, 0.0
        while True:
            view = runs.get_run(database, run_id)
            peak = max(peak, tree_rss_kib(worker.pid))
            now = time.perf_counter() - started
            if now - last_report >= 10:
                print(
                    f"  {now:5.0f} s  {view.stage:<10} {view.done}/{view.total}  rss {peak / 1024:.0f} MiB", flush=True
                )
                last_report = now
            if view.status in ("finished", "failed") or worker.poll() is not None:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    if view.status != "finished" or view.result is None:
        print(f"run {view.status}: {view.error} {view.failures[:3]}", file=sys.stderr)
        print((work / "worker.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        return 1
    box_mib = files.size(view.result["box"]) / 2**20
    zip_mib = files.size(view.result["zip"]) / 2**20
    print(f"archive run: {count} documents, {view.result['pages']} box pages, {len(view.failures)} failures")
    print(f"wall time {wall:.1f} s, {count / wall:.1f} documents/s end to end (target >= 8)")
    print(f"peak RSS of the worker with its LibreOffice processes: {peak / 1024:.0f} MiB")
    print(f"box PDF {box_mib:.0f} MiB, result ZIP {zip_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
