"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, inspect

from service.storage.database import Database
from service.storage.models import Base

EXPECTED_TABLES = {
    "alembic_version",
    "archive_run_items",
    "archive_runs",
    "api_keys",
    "audit_events",
    "documents",
    "idempotency_records",
    "login_failures",
    "meetings",
    "number_allocations",
    "number_series",
    "stored_files",
    "template_activations",
    "template_versions",
    "users",
}


def _unquoted(default: str) -> str:
    # SQLite reflects '' as "('')" and PostgreSQL as "''::character varying": the same empty string.
    return default.split("::", 1)[0].strip("()'\"")


def _same_server_default(
    _context: Any,
    _inspected_column: Column[Any],
    _metadata_column: Column[Any],
    inspected_default: str | None,
    _metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """False (no difference) when both defaults are the same literal; None leaves it to Alembic."""
    if inspected_default is None or rendered_metadata_default is None:
        return None
    return False if _unquoted(inspected_default) == _unquoted(rendered_metadata_default) else None


def test_migrated_schema_equals_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": _same_server_default}
        )
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())

    assert differences == []
    assert tables == EXPECTED_TABLES


def test_the_comparison_notices_a_column_the_migrations_lack(database: Database) -> None:
    """The check above is not vacuous: a model column missing from the database is reported."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE meetings DROP COLUMN notes")
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "meetings", "notes")]
