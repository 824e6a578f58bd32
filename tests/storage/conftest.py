"""Fixtures of the storage tests: a migrated registry database of each kind, and a file store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.storage.database import Database
from service.storage.files import FileStore
from tests.storage.databases import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: SQLite, then PostgreSQL."""
    return database_url(request.param, tmp_path, request)


@pytest.fixture
def database(url: str) -> Iterator[Database]:
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")
