"""The real `gongwen worker`, killed mid-run and started again: the run finishes with every 件 exactly once.

Both deployments are shown: the embedded one (SQLite registry, huey on SQLite) and the scale-out one
(PostgreSQL registry, huey on Redis), each with real servers started by the test setup.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import TemplateCatalog
from service.jobs.archive_run import ArchiveRunner
from service.jobs.queue import JobQueue
from service.storage import archive_runs as runs
from service.storage.database import Database
from service.storage.files import FileStore
from tests.jobs.archive_checks import assert_finished_whole
from tests.jobs.conftest import filing, issue_meeting, manifest_entry_for_scan, upload_scan
from tests.jobs.test_archive_run import start_run
from tests.jobs.workers import gongwen_worker
from tests.servers import PostgresServer
from tests.serving import pid_alive, wait_until

# Short, so the second worker takes over soon after the first is killed; renewed every second.
LEASE_SECONDS = 3
RUN_TIMEOUT = 240.0


@pytest.fixture(params=["sqlite", "postgresql-redis"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    """The GONGWEN_* settings the test and its workers share."""
    settings: dict[str, object] = {"data_dir": tmp_path / "data", "job_lease_seconds": LEASE_SECONDS}
    if request.param == "postgresql-redis":
        settings["database_url"] = request.getfixturevalue("postgres_server").create_database()
        settings["redis_url"] = request.getfixturevalue("redis_url")
    return settings


def test_a_run_survives_a_killed_worker_and_finishes_with_every_item_exactly_once(
    tmp_path: Path, deployment: dict[str, object], conversion_pool: ConversionPool
) -> None:
    settings = Settings(**deployment)  # type: ignore[arg-type]
    database = Database.from_settings(settings)
    database.migrate()
    files, catalog = FileStore(settings.files_dir), TemplateCatalog(settings.templates_dir)
    _meeting, documents = issue_meeting(database, files, catalog, conversion_pool, copies=4)
    scan = upload_scan(database, files, catalog, conversion_pool)
    selection = {"documents": [{"document_id": document} for document in documents] + [manifest_entry_for_scan(scan)]}
    run_id = start_run(database, {"selection": selection, "filing": filing()})
    JobQueue.from_settings(settings).enqueue_archive_run(run_id)
    total = runs.get_run(database, run_id).total

    with gongwen_worker(tmp_path, "first", **deployment) as first:
        wait_until(lambda: runs.get_run(database, run_id).done >= 5, RUN_TIMEOUT, "the first worker prepared 5 件")
        offices = first.offices()
        first.kill()
        at_kill = runs.get_run(database, run_id)
        finished_before = {
            item.position for item in runs.items_to_stamp(database, run_id) + runs.stamped_items(database, run_id)
        }
    # Its offices follow it (their UNO workers watch the parent), and the run waits, unfinished.
    wait_until(lambda: not any(pid_alive(pid) for pid in offices), 15, "the killed worker's offices are gone")
    assert at_kill.status == "running" and 5 <= at_kill.done < total, at_kill

    with gongwen_worker(tmp_path, "second", **deployment) as second:
        wait_until(
            lambda: runs.get_run(database, run_id).status in {"finished", "failed"},
            RUN_TIMEOUT,
            f"the second worker finished the run:\n{second.log_tail()}",
        )

    # What was done before the kill was not done again.
    assert_finished_whole(database, files, run_id, total, done_before=finished_before)
    run = runs.get_run(database, run_id)

    # Running the finished run again changes nothing.
    again = ArchiveRunner(database, files, catalog, conversion_pool, workers=1, lease_seconds=LEASE_SECONDS)
    assert again.run(run_id).outcome is runs.ClaimOutcome.FINISHED
    assert runs.get_run(database, run_id) == run
    database.dispose()


# Long enough for the run's threads, its lease's heartbeat and a retry of its task all to meet the outage.
OUTAGE_SECONDS = 4


def test_a_run_survives_a_postgresql_restart_and_the_same_worker_finishes_it(
    tmp_path: Path, restartable_postgres: PostgresServer, redis_url: str, conversion_pool: ConversionPool
) -> None:
    deployment: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "job_lease_seconds": LEASE_SECONDS,
        "database_url": restartable_postgres.create_database(),
        "redis_url": redis_url,
    }
    settings = Settings(**deployment)  # type: ignore[arg-type]
    database = Database.from_settings(settings)
    database.migrate()
    files, catalog = FileStore(settings.files_dir), TemplateCatalog(settings.templates_dir)
    meeting, documents = issue_meeting(database, files, catalog, conversion_pool, copies=2)
    run_id = start_run(database, {"selection": {"meetings": [meeting]}, "filing": filing()})
    JobQueue.from_settings(settings).enqueue_archive_run(run_id)
    total = runs.get_run(database, run_id).total

    with gongwen_worker(tmp_path, "only", **deployment) as worker:
        wait_until(lambda: runs.get_run(database, run_id).done >= 3, RUN_TIMEOUT, "the worker prepared 3 件")
        at_outage = runs.get_run(database, run_id)
        restartable_postgres.shut_down()
        time.sleep(OUTAGE_SECONDS)  # the fault itself: PostgreSQL is away this long
        restartable_postgres.start_again()
        wait_until(
            lambda: runs.get_run(database, run_id).status in {"finished", "failed"},
            RUN_TIMEOUT,
            f"the worker finished the run after the restart:\n{worker.log_tail()}",
        )
        assert worker.process.poll() is None, "the worker died of the outage"

    assert at_outage.status == "running" and at_outage.done < total, at_outage
    assert "storage unavailable" in worker.log_path.read_text(encoding="utf-8"), "the outage never met the run"
    result = assert_finished_whole(database, files, run_id, total)
    assert len(result.item_files) == len(documents)
    database.dispose()
