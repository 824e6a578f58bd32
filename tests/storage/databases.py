"""The two databases the registry runs on, for tests parametrized over both: an SQLite file and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import PostgresServer

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]


def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of `backend`: a new SQLite file, or a new database on the private PostgreSQL."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()
