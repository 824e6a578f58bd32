"""Accounts in storage: an API key's last use is noted without a write on every request."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from service.errors import StorageUnavailableError
from service.storage import accounts
from service.storage.database import Database
from service.storage.models import ApiKey


def _key(database: Database) -> str:
    audit = accounts.AuditEntry("tests", "key.created", "key:k1")
    return accounts.add_key(
        database, key_id="k1", name="报送系统", secret_sha256="0" * 64, roles=["submitter"], audit=audit
    ).id


def test_a_key_s_use_is_noted_once_a_minute_and_checking_it_needs_no_write_lock(tmp_path: Path) -> None:
    """Every request checks its key; on SQLite a write each time would queue them all behind any other writer."""
    path = tmp_path / "registry.sqlite3"
    database = Database(f"sqlite:///{path}", busy_timeout=0.2)
    database.migrate()
    key_id = _key(database)
    accounts.touch_key(database, key_id)
    first = accounts.get_key(database, key_id)
    assert first is not None and first.last_used_at is not None

    other_process = sqlite3.connect(path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        accounts.touch_key(database, key_id)  # noted a moment ago: nothing to write, so no wait for the lock
        again = accounts.get_key(database, key_id)
        other_process.execute("ROLLBACK")
        with database.transaction() as session:
            earlier = first.last_used_at - accounts.LAST_USED_RESOLUTION - timedelta(seconds=1)
            session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=earlier))
        other_process.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageUnavailableError):
            accounts.touch_key(database, key_id)  # due again: this one must write, and waits for the lock
    finally:
        if other_process.in_transaction:
            other_process.execute("ROLLBACK")
        other_process.close()

    assert again is not None and again.last_used_at == first.last_used_at
    accounts.touch_key(database, key_id)
    noted = accounts.get_key(database, key_id)
    assert noted is not None and noted.last_used_at is not None and noted.last_used_at > first.last_used_at
    database.dispose()
