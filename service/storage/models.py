"""The registry's tables as typed SQLAlchemy models, portable between SQLite and PostgreSQL.

Changing a model means adding a migration in migrations/versions; tests/storage/test_migrations.py
fails while the two disagree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic can only alter or drop what has a name, and SQLite's batch mode needs them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 发文字号 states: reserved while the document renders, then issued to it, or voided with a reason.
RESERVED, ISSUED, VOIDED = "reserved", "issued", "voided"
# Idempotency-Key states: pending while the first request runs, done once its document is recorded.
PENDING, DONE = "pending", "done"


def new_id() -> str:
    """A new primary key: a uuid4 as 32 hex digits."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, always returned in UTC.

    PostgreSQL keeps it as timestamptz; SQLite has no time zones, so it stores naive UTC text that still
    sorts and compares correctly. Naive datetimes are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the registry stores aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - read by SQLAlchemy
        datetime: UTCDateTime,
        date: Date,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Meeting(Base):
    """A meeting (会议) whose paperwork the registry keeps together."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    organizer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    location: Mapped[str] = mapped_column(String(200), default="", server_default="")
    start: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)


class StoredFile(Base):
    """A file in the content-addressed store: an upload, or a DOCX or PDF the service rendered."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int | None]
    original_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Document(Base):
    """One document issued for a meeting: the body as posted and as rendered, and the files it gave."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    # The whole 发文字号 as printed ("" for a document without one).
    doc_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    document_date: Mapped[date]
    # 责任者: the organ or person the document is from (DocumentKind.author).
    author: Mapped[str] = mapped_column(String(200))
    # 密级, e.g. 机密★1年 ("" when unclassified).
    secrecy: Mapped[str] = mapped_column(String(20), default="", server_default="")
    request_body: Mapped[dict[str, Any]]
    # As rendered: an allocated number written in as its full text, so rendering it again gives the same document.
    effective_body: Mapped[dict[str, Any]]
    template_version: Mapped[int]
    template_sha256: Mapped[str] = mapped_column(String(64))
    docx_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    pages: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class NumberSeries(Base):
    """The last serial handed out for one 机关代字 and year."""

    __tablename__ = "number_series"

    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0, server_default="0")


class NumberAllocation(Base):
    """One serial of a series and what became of it: the 发文字号 register (发文登记)."""

    __tablename__ = "number_allocations"
    __table_args__ = (
        ForeignKeyConstraint(["prefix", "year"], ["number_series.prefix", "number_series.year"]),
        CheckConstraint(f"status IN ('{RESERVED}', '{ISSUED}', '{VOIDED}')", name="status"),
    )

    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class IdempotencyRecord(Base):
    """An Idempotency-Key seen on a route: which request it was first used for and what it produced."""

    __tablename__ = "idempotency_records"
    __table_args__ = (CheckConstraint(f"status IN ('{PENDING}', '{DONE}')", name="status"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ArchiveRun(Base):
    """One 归档 run over many documents, carried out by a job worker holding a lease on it."""

    __tablename__ = "archive_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # queued | running | finished | failed
    status: Mapped[str] = mapped_column(String(20), index=True)
    request: Mapped[dict[str, Any]]
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    current: Mapped[str] = mapped_column(String(200), default="", server_default="")
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class ArchiveRunItem(Base):
    """One 件 of an archive run: a registry document or an uploaded PDF, and how far it has got."""

    __tablename__ = "archive_run_items"

    run_id: Mapped[str] = mapped_column(ForeignKey("archive_runs.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    upload_sha256: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    responsible: Mapped[str] = mapped_column(String(100))
    doc_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    doc_date: Mapped[date]
    remarks: Mapped[str] = mapped_column(String(100), default="", server_default="")
    item_no: Mapped[int | None]
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None]
    stamped_sha256: Mapped[str | None] = mapped_column(String(64))
    # pending | prepared | stamped | failed
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")


class User(Base):
    """A person who signs in to the pages (a clerk, an archivist, a template maintainer, an administrator)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]]
    # Raised when the password changes or the user is disabled: every session signed with an older one ends.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(String(100))
    disabled_at: Mapped[datetime | None]


class ApiKey(Base):
    """An office system's API key: its public id, the SHA-256 of its secret (never the secret), its roles."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """A failed sign-in, kept for the rate limit (by login and by client address) until it leaves the window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)


class AuditEvent(Base):
    """One change or security event (审计日志): who did what to what, from where, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    # "user:<login>", "key:<id>", "cli" or "anonymous".
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(200), default="", server_default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="", server_default="")
    detail: Mapped[dict[str, Any]]


class TemplateVersion(Base):
    """An uploaded version of a kind's templates (version 1 is the built-in set in templates/, never stored).

    `files` maps every variant of the kind to the SHA-256 of its DOCX in the file store: a version is a
    complete set, variants not uploaded being carried over from the version active at upload (`based_on`).
    """

    __tablename__ = "template_versions"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    files: Mapped[dict[str, Any]]
    # The upload's checks (template safety, Jinja, GB/T 9704 lint) as service.findings.Report.as_dict() gives it.
    report: Mapped[dict[str, Any]]
    # False while the lint found errors: such a version can be previewed, never activated.
    activatable: Mapped[bool]
    based_on: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(default=utc_now)


class TemplateActivation(Base):
    """One switch of a kind's active template version; the newest row per kind is the active one.

    Appending instead of updating keeps exactly one active version per kind by construction, and the
    history says who switched what, when and why, and what a roll-back returns to.
    """

    __tablename__ = "template_activations"
    # Two switches of one kind at once both read the same newest row; the second to insert its sequence
    # number fails here and tries again, so every row's previous_version is the version it really replaced.
    __table_args__ = (UniqueConstraint("kind", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    sequence: Mapped[int]
    version: Mapped[int]
    previous_version: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    activated_by: Mapped[str] = mapped_column(String(100))
    activated_at: Mapped[datetime] = mapped_column(default=utc_now)
