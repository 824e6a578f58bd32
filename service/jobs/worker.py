"""`gongwen worker`: the process that carries archive runs out, with its own warm LibreOffice pool."""

from __future__ import annotations

import logging

from service.config import Settings
from service.conversion import pool_from_settings
from service.documents.templates import TemplateCatalog, TemplateVersions
from service.jobs.archive_run import ArchiveRunner
from service.jobs.queue import JobQueue
from service.storage import archive_runs as runs
from service.storage.database import Database
from service.storage.files import FileStore

log = logging.getLogger(__name__)

# Runs carried out side by side by one worker; each converts its 件 on settings.job_workers threads.
CONCURRENT_RUNS = 2


def run_worker(settings: Settings) -> None:
    """Serve the queue until stopped; runs left unfinished by a killed worker are picked up first."""
    database = Database.from_settings(settings)
    if settings.auto_migrate == "on":
        database.migrate()
    pool = pool_from_settings(settings)
    files = FileStore(settings.files_dir)
    runner = ArchiveRunner(
        database,
        files,
        TemplateCatalog(settings.templates_dir, TemplateVersions(database, files)),
        pool,
        workers=settings.job_workers,
        lease_seconds=settings.job_lease_seconds,
    )
    queue = JobQueue.from_settings(settings)
    unfinished = runs.unfinished_run_ids(database)
    for run_id in unfinished:
        queue.enqueue_archive_run(run_id)
    log.info("worker %s: %d unfinished runs queued again", runner.owner, len(unfinished))
    print(f"gongwen: worker {runner.owner} waiting for archive runs", flush=True)
    try:
        queue.serve(runner, threads=CONCURRENT_RUNS)
    finally:
        # The next worker need not wait for the leases to run out.
        runner.release_leases()
        pool.stop()
