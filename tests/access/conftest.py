"""The access tests use the storage tests' databases: a fresh migrated SQLite, then PostgreSQL."""

from tests.storage.conftest import database, url  # noqa: F401 - fixtures, found by name
