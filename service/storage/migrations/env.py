"""Alembic's environment: runs the migrations on the connection Database.migrate() hands over."""

from __future__ import annotations

from alembic import context

from service.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run the migrations with Database.migrate() or `gongwen db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    # SQLite cannot ALTER most things; batch mode copies the table instead (for future migrations).
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
