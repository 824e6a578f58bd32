"""The database connection: one Engine and its sessions, SQLite tuned for several writers, or PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from service.config import Settings
from service.errors import StorageUnavailableError, bilingual

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# A writer waits this long for another process's write transaction before the request answers 503.
BUSY_TIMEOUT_SECONDS = 30
# Any fixed number: the PostgreSQL advisory lock that keeps two machines from migrating at once.
MIGRATION_LOCK_ID = 0x676F6E67  # "gong"
# Execution option read by the "begin" hook: how an SQLite transaction starts.
_SQLITE_BEGIN = "gongwen_sqlite_begin"


class Database:
    """An Engine and a sessionmaker for one database URL (sqlite:///… or postgresql+psycopg://…)."""

    def __init__(
        self, url: str, *, pool_size: int = 5, max_overflow: int = 10, busy_timeout: float | None = None
    ) -> None:
        """`busy_timeout` (SQLite): seconds a writer waits for another's write lock; BUSY_TIMEOUT_SECONDS if None."""
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        options: dict[str, Any] = {
            # Chinese stays readable in the JSON columns (request bodies), in SQLite's text and in psql.
            "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
        }
        if self.dialect == "sqlite":
            database = self.url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            options.update(pool_size=pool_size, max_overflow=max_overflow)
        elif self.dialect == "postgresql":
            # pre_ping: a PostgreSQL restart (or failover) costs one reconnect, not one failed request per pooled
            # connection.
            options.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
        self.engine: Engine = create_engine(self.url, **options)
        if self.dialect == "sqlite":
            _tune_sqlite(self.engine, BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Writers on SQLite start with BEGIN IMMEDIATE (see _tune_sqlite); readers keep a deferred BEGIN.
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_SQLITE_BEGIN: "BEGIN IMMEDIATE"}), expire_on_commit=False
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.effective_database_url)

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; whatever it leaves uncommitted is rolled back when it closes."""
        with _storage_errors(), self._sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: committed at the end, rolled back if the block raises."""
        with _storage_errors(), self._write_sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic `upgrade head`); safe from several processes at once."""
        config = _alembic_config()
        with _storage_errors(), self.engine.connect() as connection:
            # One transaction for the whole upgrade (SQLite and PostgreSQL both have transactional DDL), taken
            # as a write lock first, so a second process waits and then finds the schema already at head.
            connection = connection.execution_options(**{_SQLITE_BEGIN: "BEGIN IMMEDIATE"})
            with connection.begin():
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        with _storage_errors(), self.engine.connect() as connection:
            revision: str | None = MigrationContext.configure(connection).get_current_revision()
            return revision

    def head_revision(self) -> str | None:
        """The newest migration this code knows: what revision() should say once migrated."""
        head: str | None = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        return head

    def dispose(self) -> None:
        """Close the pooled connections (the tests' databases are dropped afterwards)."""
        self.engine.dispose()


def _alembic_config() -> Config:
    """Alembic's configuration in code: the migrations ship inside the package, no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def _tune_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, a busy timeout, foreign keys, and SQLAlchemy (not sqlite3) emitting BEGIN.

    WAL lets readers go on while one process writes. A deferred transaction that reads and then writes
    can fail at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy handler) when another
    process wrote in between; write transactions therefore take the write lock at BEGIN IMMEDIATE, where
    busy_timeout applies, so writers queue instead of failing. That needs sqlite3's own transaction
    handling switched off (SQLAlchemy's documented pysqlite recipe).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            _use_wal(cursor, busy_timeout)
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_SQLITE_BEGIN, "BEGIN"))


def _use_wal(cursor: Any, busy_timeout: float) -> None:
    """Switch the file to WAL (once: the mode is kept in the file).

    NOTE: changing the journal mode needs the file to itself, and SQLite answers "database is locked" at
    once instead of calling the busy handler, so processes that open a new file together retry here.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            # When it cannot switch just now, SQLite may also answer with the old mode instead of an error.
            if cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked: cannot switch it to WAL")
        time.sleep(0.02)


# Errors that say the database cannot be reached or is too busy just now; anything else is a bug.
_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except _UNAVAILABLE as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StorageUnavailableError(
            bilingual(f"数据库暂不可用：{reason}", f"the database is unavailable just now: {reason}")
        ) from error
