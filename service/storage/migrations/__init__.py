"""Alembic migrations of the registry, run by Database.migrate() (no alembic.ini)."""
