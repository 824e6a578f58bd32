"""The database connection: SQLite tuned for several writers, migrations run in code, outages as 503."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from werkzeug.test import TestResponse

from service import create_app
from service.config import Settings
from service.conversion import ConversionPool
from service.errors import StorageUnavailableError
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.models import Meeting
from service.storage.registry import create_meeting, reserve_number
from tests.conftest import BodyFactory
from tests.servers import PostgresServer, free_port
from tests.storage.consistency import registry_problems, store_problems


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'registry.sqlite3'}", busy_timeout=7)

    with database.session() as session:
        journal = session.execute(text("PRAGMA journal_mode")).scalar_one()
        foreign_keys = session.execute(text("PRAGMA foreign_keys")).scalar_one()
        busy = session.execute(text("PRAGMA busy_timeout")).scalar_one()
    database.dispose()

    assert (journal, foreign_keys, busy) == ("wal", 1, 7000)
    assert (tmp_path / "nested" / "registry.sqlite3").is_file()


def test_migrate_twice_leaves_the_schema_at_head(database: Database) -> None:
    database.migrate()

    with database.session() as session:
        versions = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [database.head_revision()]


def test_two_processes_may_migrate_at_once(url: str) -> None:
    """Every gunicorn worker migrates at start-up; the second waits for the first and finds nothing to do."""
    databases = [Database(url), Database(url)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(databases))

    def migrate(database: Database) -> None:
        start.wait()
        try:
            database.migrate()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with databases[0].session() as session:
        versions = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [databases[0].head_revision()]
    for database in databases:
        database.dispose()


def test_a_write_transaction_is_rolled_back_when_its_block_raises(database: Database) -> None:
    with pytest.raises(ZeroDivisionError), database.transaction() as session:
        session.add(Meeting(title="不会保存的会议"))
        session.flush()
        _ = 1 / 0

    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_sqlite_writers_that_read_first_queue_instead_of_failing(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: two writers that both read, then write, both succeed, one after the other.

    The control shows what the default deferred BEGIN does to the same pair: the second writer's
    snapshot is stale once the first commits, and SQLite refuses its write at once (busy_timeout
    does not apply), which is what write transactions must never see.
    """
    database = Database(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    database.migrate()

    def read_then_write(transaction: bool, barrier: threading.Barrier, errors: list[BaseException]) -> None:
        try:
            context = database.transaction() if transaction else database.session()
            with context as session:
                session.scalar(select(func.count()).select_from(Meeting))
                if not transaction:
                    # Both deferred readers hold a snapshot before either writes.
                    barrier.wait(timeout=5)
                session.add(Meeting(title="并发写入"))
                session.flush()
                session.commit()
        except BaseException as error:
            errors.append(error)

    def run_pair(transaction: bool) -> list[BaseException]:
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=read_then_write, args=(transaction, barrier, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    assert run_pair(transaction=True) == []
    deferred_errors = run_pair(transaction=False)
    database.dispose()

    assert len(deferred_errors) == 1
    assert isinstance(deferred_errors[0], StorageUnavailableError)
    assert "locked" in deferred_errors[0].detail


def test_a_locked_sqlite_database_is_storage_unavailable_with_retry_after(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    database = Database(f"sqlite:///{path}", busy_timeout=0.2)
    database.migrate()
    other_process = sqlite3.connect(path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageUnavailableError) as caught:
            reserve_number(database, "青政办发", 2026)
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
        database.dispose()

    assert caught.value.status == 503
    assert caught.value.retry_after > 0
    assert "database is locked" in caught.value.detail


def test_an_unreachable_postgresql_is_storage_unavailable() -> None:
    database = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gongwen")

    with pytest.raises(StorageUnavailableError) as caught:
        create_meeting(database, title="无法保存的会议")
    database.dispose()

    assert caught.value.status == 503
    assert caught.value.detail.startswith("数据库暂不可用：")


# --- another process holds the SQLite write lock, seen through the HTTP API ------------------------------

# Run by a second Python: takes the write lock as any other writer would (a backup, the sqlite3 shell, another
# service process), says so, holds it for argv[2] seconds (0: until a line comes on stdin), then lets go.
_LOCK_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
if float(sys.argv[2]) > 0:
    time.sleep(float(sys.argv[2]))
else:
    sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
print(f"released {time.time()!r}", flush=True)
"""
PREFIX = "青政办发"
REGISTER_URL = f"/api/v1/doc-numbers?prefix={quote(PREFIX)}&year=2026"
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


class WriteLock:
    """The other process and when it let the lock go."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def release(self) -> float:
        """Let go (if it holds until told) and wait for the process to end; when it released, by time.time()."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.poll() is None:
            with suppress(BrokenPipeError):
                self.process.stdin.write("\n")
                self.process.stdin.flush()
        line = self.process.stdout.readline()
        self.process.wait(10)
        assert line.startswith("released "), line
        return float(line.split()[1])


@contextmanager
def write_lock_held(path: Path, seconds: float = 0) -> Iterator[WriteLock]:
    """Another process holding the database's write lock from the moment this is entered."""
    process = subprocess.Popen(
        [sys.executable, "-c", _LOCK_HOLDER, str(path), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lock = WriteLock(process)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "locked\n"
        yield lock
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _issue(client: FlaskClient, meeting_id: str, body: dict[str, Any], key: str) -> TestResponse:
    url = f"/api/v1/meetings/{meeting_id}/documents/meeting-notice"
    return client.post(url, json=body, headers={"Idempotency-Key": key})


def _meeting(client: FlaskClient) -> str:
    created = client.post("/api/v1/meetings", json={"title": "全县冬春季安全生产工作会议"})
    assert created.status_code == 201, created.get_json()
    meeting_id: str = created.get_json()["id"]
    return meeting_id


def _register(client: FlaskClient) -> list[tuple[int, str]]:
    return [(number["serial"], number["status"]) for number in client.get(REGISTER_URL).get_json()["numbers"]]


def test_a_request_waits_out_another_process_s_short_write_lock_and_succeeds(
    app: Flask, settings: Settings, notice_body: BodyFactory
) -> None:
    client = app.test_client()
    meeting_id = _meeting(client)
    database: Database = app.extensions["gongwen.database"]

    with write_lock_held(settings.data_dir / "gongwen.sqlite3", seconds=2) as lock:
        issued = _issue(client, meeting_id, notice_body(doc_number={"prefix": PREFIX}), "short-lock")
        answered = time.time()
        released = lock.release()

    assert issued.status_code == 201, issued.get_json()
    # It waited for the lock (busy_timeout), then numbered, rendered and stored the notice.
    assert released < answered
    assert issued.get_json()["doc_number"] == "青政办发〔2026〕1号"
    assert client.get(issued.get_json()["files"]["pdf"]["url"]).status_code == 200
    assert _register(client) == [(1, "issued")]
    assert registry_problems(database, app.extensions["gongwen.files"]) == []
    assert store_problems(app.extensions["gongwen.files"]) == []


def test_a_long_write_lock_is_a_prompt_503_with_retry_after_and_leaves_nothing_half_written(
    settings: Settings, conversion_pool: ConversionPool, notice_body: BodyFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers and stateless renders go on; a writer gives up after busy_timeout and is told when to retry.

    The service waits 30 s for a lock (BUSY_TIMEOUT_SECONDS); 1 s here, so the test does not take half a minute.
    """
    monkeypatch.setattr("service.storage.database.BUSY_TIMEOUT_SECONDS", 1)
    app = create_app(settings, converter=conversion_pool)
    client = app.test_client()
    meeting_id = _meeting(client)
    body = notice_body(doc_number={"prefix": PREFIX})
    files: FileStore = app.extensions["gongwen.files"]
    database: Database = app.extensions["gongwen.database"]
    stored_before = sorted(path for path in files.root.rglob("*") if path.is_file())

    with write_lock_held(settings.data_dir / "gongwen.sqlite3") as lock:
        shown = client.get(f"/api/v1/meetings/{meeting_id}")
        rendered = client.post("/api/v1/documents/meeting-notice?format=pdf", json=notice_body())
        started = time.monotonic()
        refused = _issue(client, meeting_id, body, "long-lock")
        waited = time.monotonic() - started
        lock.release()

    assert shown.status_code == 200, shown.get_json()
    assert (rendered.status_code, rendered.mimetype) == (200, "application/pdf")
    assert refused.status_code == 503, refused.get_json()
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["code"] == "storage_unavailable"
    assert BILINGUAL.match(problem["detail"]) and "database is locked" in problem["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    assert 1 <= waited < 10
    # Nothing of the refused request is left: no number taken, no claim on its key, no file, no row.
    assert _register(client) == []
    assert sorted(path for path in files.root.rglob("*") if path.is_file()) == stored_before
    assert registry_problems(database, files) == []

    retried = _issue(client, meeting_id, body, "long-lock")

    assert retried.status_code == 201, retried.get_json()
    assert "Idempotent-Replayed" not in retried.headers
    assert retried.get_json()["doc_number"] == "青政办发〔2026〕1号"
    assert _register(client) == [(1, "issued")]
    assert registry_problems(database, files) == []
    assert store_problems(files) == []
    database.dispose()


# --- PostgreSQL restarted under the service ---------------------------------------------------------------


def _problem_503(response: TestResponse) -> None:
    assert response.status_code == 503, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "storage_unavailable"
    assert BILINGUAL.match(problem["detail"]), problem["detail"]
    assert int(response.headers["Retry-After"]) > 0


def _fill_pool(database: Database) -> None:
    """Five pooled connections, as after a busy moment: a restart leaves every one of them dead."""
    held = [database.engine.connect() for _ in range(5)]
    for connection in held:
        connection.close()


def _carry_on(client: FlaskClient, meeting_id: str) -> list[int]:
    """More requests than pooled connections, which the pool hands out in turn (first in, first out)."""
    statuses = []
    for n in range(4):
        statuses.append(client.get(f"/api/v1/meetings/{meeting_id}").status_code)
        statuses.append(client.post("/api/v1/meetings", json={"title": f"重启后的会议{n}"}).status_code)
    return statuses


def test_a_postgresql_restart_is_a_prompt_503_and_the_service_carries_on_without_being_restarted(
    tmp_path: Path, restartable_postgres: PostgresServer, conversion_pool: ConversionPool, notice_body: BodyFactory
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=restartable_postgres.create_database())
    app = create_app(settings, converter=conversion_pool)
    client = app.test_client()
    database: Database = app.extensions["gongwen.database"]
    meeting_id = _meeting(client)
    first = _issue(client, meeting_id, notice_body(doc_number={"prefix": PREFIX}), "before")
    assert first.status_code == 201, first.get_json()

    # A quick restart between two requests: every pooled connection is dead, and none is used as it is (the
    # pool pings each before handing it out), so not one request fails for it.
    _fill_pool(database)
    restartable_postgres.shut_down()
    restartable_postgres.start_again()
    assert _carry_on(client, meeting_id) == [200, 201] * 4

    # Requests during a longer outage are told so at once, and when to retry.
    _fill_pool(database)
    restartable_postgres.shut_down()
    started = time.monotonic()
    during = [
        client.post("/api/v1/meetings", json={"title": "停机期间的会议"}),
        client.get(f"/api/v1/meetings/{meeting_id}"),
        _issue(client, meeting_id, notice_body(doc_number={"prefix": PREFIX}), "during"),
    ]
    elapsed = time.monotonic() - started
    restartable_postgres.start_again()
    for response in during:
        _problem_503(response)
    assert elapsed < 10  # connection refused is told at once: no request hangs on the outage
    assert _carry_on(client, meeting_id) == [200, 201] * 4

    retried = _issue(client, meeting_id, notice_body(doc_number={"prefix": PREFIX}), "during")
    assert retried.status_code == 201, retried.get_json()
    # The requests refused during the outage took no number and left no claim: the retry is serial 2.
    assert retried.get_json()["doc_number"] == "青政办发〔2026〕2号"
    assert client.get(retried.get_json()["files"]["pdf"]["url"]).status_code == 200
    assert _register(client) == [(1, "issued"), (2, "issued")]
    assert registry_problems(database, app.extensions["gongwen.files"]) == []
    database.dispose()
