"""The archive-run engine in this process, on the real LibreOffice: what a finished run holds, and its lease."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest

from schemas.archive_selection import ArchiveRunRequestSchema
from service.conversion import ConversionPool
from service.documents.pipeline import TemplateCatalog
from service.documents.validation import load_payload
from service.jobs.archive_run import ArchiveRunner, Progress
from service.storage import archive_runs as runs
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.models import ArchiveRun
from tests.jobs.archive_checks import assert_finished_whole, box_problems, manifest_problems, open_result
from tests.jobs.conftest import filing, issue_meeting, manifest_entry_for_scan, upload_scan
from tests.storage.consistency import store_problems
from tests.storage.disks import small_disk


def start_run(database: Database, request: dict[str, Any]) -> str:
    loaded = load_payload(ArchiveRunRequestSchema(), request)
    return runs.create_run(database, request, runs.select_items(database, loaded["selection"]))


def runner(
    database: Database, files: FileStore, catalog: TemplateCatalog, pool: ConversionPool, **options: Any
) -> ArchiveRunner:
    return ArchiveRunner(
        database,
        files,
        catalog,
        pool,
        workers=options.pop("workers", 2),
        lease_seconds=options.pop("lease", 30),
        **options,
    )


def test_a_run_files_every_document_and_upload_once_stamped_listed_and_merged(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    _meeting, documents = issue_meeting(database, files, catalog, conversion_pool)
    scan = upload_scan(database, files, catalog, conversion_pool)
    selection = {"documents": [{"document_id": document} for document in documents] + [manifest_entry_for_scan(scan)]}
    run_id = start_run(database, {"selection": selection, "filing": filing()})

    seen: list[str] = []
    claim = runner(database, files, catalog, conversion_pool).run(run_id, progress=lambda p: seen.append(p.stage))

    assert claim.outcome is runs.ClaimOutcome.CLAIMED
    run = runs.get_run(database, run_id)
    assert (run.status, run.done, run.total, run.failures) == ("finished", 7, 7, [])
    assert {"preparing", "stamping", "assembling", "finished"} <= set(seen)
    assert run.result is not None
    result = open_result(files.read(run.result["zip"]))
    assert manifest_problems(result) == []
    assert box_problems(result, fonds_no="J012", year=2026, retention="定期30年", first_item_no=41) == []
    assert len(result.item_files) == 7
    assert run.result["box"] == hashlib.sha256(result.box).hexdigest()
    # The upload keeps its own title in the 目录 and its place at the end of the selection.
    assert list(result.item_files)[-1].startswith("件/0047-全县冬春季安全生产工作会议签到表（签字扫描件）")


def test_running_a_finished_run_again_changes_nothing(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    meeting, _documents = issue_meeting(
        database, files, catalog, conversion_pool, kinds=("meeting-notice", "reply-slip")
    )
    run_id = start_run(database, {"selection": {"meetings": [meeting]}, "filing": filing()})
    runner(database, files, catalog, conversion_pool).run(run_id)
    before = runs.get_run(database, run_id)

    again = runner(database, files, catalog, conversion_pool).run(run_id)

    assert again.outcome is runs.ClaimOutcome.FINISHED
    assert runs.get_run(database, run_id) == before


def test_the_same_selection_and_filing_give_the_same_bytes(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    meeting, _documents = issue_meeting(
        database, files, catalog, conversion_pool, kinds=("meeting-notice", "meeting-brief")
    )
    request = {"selection": {"meetings": [meeting]}, "filing": filing()}
    first, second = start_run(database, request), start_run(database, request)
    for run_id in (first, second):
        runner(database, files, catalog, conversion_pool).run(run_id)

    results = [runs.get_run(database, run_id).result for run_id in (first, second)]
    assert results[0] is not None and results[1] is not None
    # A rerun of a box (after a lost download, say) is the same file, which an archive can verify by hash.
    assert results[0]["box"] == results[1]["box"]
    assert results[0]["files"] == results[1]["files"]


def test_a_document_whose_file_is_lost_is_reported_and_the_others_are_numbered_without_a_gap(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    _meeting, documents = issue_meeting(
        database, files, catalog, conversion_pool, kinds=("meeting-notice", "reply-slip")
    )
    scan = upload_scan(database, files, catalog, conversion_pool)
    selection = {
        "documents": [
            {"document_id": documents[0]},
            manifest_entry_for_scan(scan),
            {"document_id": documents[1]},
        ]
    }
    run_id = start_run(database, {"selection": selection, "filing": filing(start_item_no=1)})
    files.path(scan).unlink()  # the scan vanished from the store between selection and run

    runner(database, files, catalog, conversion_pool).run(run_id)

    run = runs.get_run(database, run_id)
    assert run.status == "finished"
    assert [(failure.position, failure.title) for failure in run.failures] == [
        (1, "全县冬春季安全生产工作会议签到表（签字扫描件）")
    ]
    assert run.failures[0].reason  # says why, for the archivist
    assert run.result is not None
    result = open_result(files.read(run.result["zip"]))
    assert box_problems(result, fonds_no="J012", year=2026, retention="定期30年", first_item_no=1) == []
    assert [failure["title"] for failure in result.manifest["run"]["failures"]] == [run.failures[0].title]


def test_a_run_held_by_a_live_worker_is_not_taken_and_its_writes_stop_once_taken_over(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    meeting, _documents = issue_meeting(database, files, catalog, conversion_pool, kinds=("reply-slip",))
    run_id = start_run(database, {"selection": {"meetings": [meeting]}, "filing": filing()})
    first = runs.claim_run(database, run_id, "worker-a", lease_seconds=30)

    second = runs.claim_run(database, run_id, "worker-b", lease_seconds=30)

    assert first.outcome is runs.ClaimOutcome.CLAIMED
    assert second.outcome is runs.ClaimOutcome.LEASED
    assert second.owner == "worker-a" and 0 < second.retry_after <= 31
    # worker-a stalls; its lease runs out and worker-b takes the run over.
    runs.release_lease(database, run_id, "worker-a")
    assert runs.claim_run(database, run_id, "worker-b", lease_seconds=30).outcome is runs.ClaimOutcome.CLAIMED
    with pytest.raises(runs.LeaseLostError):
        runs.start_item(database, run_id, 0, "worker-a")
    assert runs.renew_lease(database, run_id, "worker-a", 30) is False


def test_progress_reports_the_stage_and_counts_while_the_run_goes(
    database: Database, files: FileStore, catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    meeting, _documents = issue_meeting(
        database, files, catalog, conversion_pool, kinds=("reply-slip", "meeting-brief")
    )
    run_id = start_run(database, {"selection": {"meetings": [meeting]}, "filing": filing()})
    queued = runs.get_run(database, run_id)
    views: list[runs.RunView] = []

    runner(database, files, catalog, conversion_pool, workers=1).run(
        run_id, progress=lambda _p: views.append(runs.get_run(database, run_id))
    )

    assert (queued.status, queued.stage, queued.done, queued.total) == ("queued", "queued", 0, 2)
    preparing = [view for view in views if view.stage == "preparing"]
    assert preparing and preparing[0].current in {
        "全县冬春季安全生产工作会议参会回执",
        "全县冬春季安全生产工作会议简报第1期",
    }
    assert sorted({view.done for view in views}) == [0, 1, 2]


def test_a_worker_claims_again_a_run_whose_lease_it_could_not_let_go(database: Database) -> None:
    """The database was away when it paused the run: its own lease, still running, does not lock it out."""
    run_id = runs.create_run(database, {"selection": {}, "filing": filing()}, [])
    assert runs.claim_run(database, run_id, "worker-a", lease_seconds=30).outcome is runs.ClaimOutcome.CLAIMED

    again = runs.claim_run(database, run_id, "worker-a", lease_seconds=30)
    other = runs.claim_run(database, run_id, "worker-b", lease_seconds=30)

    assert again.outcome is runs.ClaimOutcome.CLAIMED
    assert (other.outcome, other.owner) == (runs.ClaimOutcome.LEASED, "worker-a")


# The small disk the run's file store is on: room for the issued documents, filled up when the test says so.
DISK_SIZE = 64 << 20


@pytest.mark.parametrize(
    ("stage", "after"),
    [
        pytest.param("preparing", 2, id="preparing-the-items"),
        pytest.param("stamping", 0, id="stamping"),
        pytest.param("assembling", 0, id="writing-the-box-and-zip"),
    ],
)
def test_a_full_disk_pauses_the_run_saying_so_and_once_space_is_freed_it_finishes_with_every_item_once(
    tmp_path: Path,
    database: Database,
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    stage: str,
    after: int,
) -> None:
    with small_disk(tmp_path / "disk", DISK_SIZE) as disk:
        files = FileStore(disk.mount_point / "files")
        _meeting, documents = issue_meeting(database, files, catalog, conversion_pool)
        scan = upload_scan(database, files, catalog, conversion_pool)
        selection = {"documents": [{"document_id": d} for d in documents] + [manifest_entry_for_scan(scan)]}
        run_id = start_run(database, {"selection": selection, "filing": filing()})
        total = runs.get_run(database, run_id).total
        filled = threading.Event()
        fill_lock = threading.Lock()

        def fill_the_disk(progress: Progress) -> None:
            with fill_lock:
                if not filled.is_set() and progress.stage == stage and progress.done >= after:
                    disk.fill()
                    filled.set()

        paused = runner(database, files, catalog, conversion_pool).run(run_id, progress=fill_the_disk)

        assert filled.is_set()
        assert (paused.outcome, paused.owner, paused.retry_after) == (runs.ClaimOutcome.LEASED, "", 60)
        run = runs.get_run(database, run_id)
        assert (run.status, run.result, run.failures) == ("running", None, [])
        assert run.error is not None and run.error.startswith(f"磁盘已满：文件存储{files.root}"), run.error
        assert f"for the file store at {files.root}" in run.error
        assert run.current == "暂停：存储暂不可用 / paused: storage unavailable"
        with database.session() as session:
            held = session.get(ArchiveRun, run_id)
            assert held is not None and held.lease_owner is None  # let go, so any worker may resume it
        # Nothing half-written: every file in the store is whole under its own name, and no temporary is left.
        assert store_problems(files) == []
        done_before = {
            item.position for item in runs.items_to_stamp(database, run_id) + runs.stamped_items(database, run_id)
        }

        disk.free()
        resumed = runner(database, files, catalog, conversion_pool).run(run_id)

        assert resumed.outcome is runs.ClaimOutcome.CLAIMED
        # What was prepared before the disk filled up was not prepared again.
        assert_finished_whole(database, files, run_id, total, done_before=done_before)
        assert store_problems(files) == []
