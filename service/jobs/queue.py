"""The job queue (huey): an SQLite file in the data directory by default, Redis when GONGWEN_REDIS_URL is set.

The API and the CLI only put runs on the queue; `gongwen worker` carries them out. Both sides register
the same task, so a message written by one process is understood by the other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from huey import Huey, RedisHuey, SqliteHuey

from service.config import Settings
from service.jobs.archive_run import ArchiveRunner
from service.storage import archive_runs as runs

log = logging.getLogger(__name__)

QUEUE_NAME = "gongwen"


def create_huey(settings: Settings) -> Huey:
    """huey as the settings ask; results are not kept, runs report through the database."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / "jobs.sqlite3"), results=False)


@dataclass
class _WorkerRuntime:
    queue: JobQueue
    runner: ArchiveRunner


# Set by `gongwen worker` in the process that executes tasks; the API process never executes one.
_runtime: _WorkerRuntime | None = None


def archive_run_task(run_id: str) -> None:
    """Carry one archive run on; if another worker holds it, or storage is away, look again a little later."""
    if _runtime is None:
        raise RuntimeError("archive runs are carried out by `gongwen worker`, not by this process")
    claim = _runtime.runner.run(run_id)
    if claim.outcome is runs.ClaimOutcome.LEASED and claim.owner != _runtime.runner.owner:
        holder = claim.owner or "nobody (storage unavailable)"
        log.info("archive run %s is held by %s; looking again in %d s", run_id, holder, claim.retry_after)
        _runtime.queue.enqueue_archive_run(run_id, delay=claim.retry_after)


class JobQueue:
    """Runs waiting for a worker."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._archive_run = huey.task(name="archive_run")(archive_run_task)

    @classmethod
    def from_settings(cls, settings: Settings) -> JobQueue:
        return cls(create_huey(settings))

    def enqueue_archive_run(self, run_id: str, *, delay: float = 0) -> None:
        if delay > 0:
            self._archive_run.schedule((run_id,), delay=delay)
        else:
            self._archive_run(run_id)

    def waiting(self) -> int:
        """Messages not yet taken by a worker (for /readyz and the tests)."""
        return int(self.huey.pending_count()) + int(self.huey.scheduled_count())

    def serve(self, runner: ArchiveRunner, *, threads: int) -> None:
        """Execute tasks until SIGINT (finish the task at hand) or SIGTERM (stop at once; the lease expires)."""
        global _runtime
        _runtime = _WorkerRuntime(self, runner)
        consumer = self.huey.create_consumer(workers=threads, worker_type="thread", periodic=False)
        consumer.run()
