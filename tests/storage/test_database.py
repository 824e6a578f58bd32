"""The database connection: SQLite tuned for several writers, migrations run in code, outages as 503."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from service.errors import StorageUnavailableError
from service.storage.database import Database
from service.storage.models import Meeting
from service.storage.registry import create_meeting, reserve_number
from tests.servers import free_port


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
