"""The registry's operations, each one transaction: meetings, documents, the 发文字号 register, idempotency, files.

Callers get frozen records, never live ORM objects, so nothing is loaded lazily after its session closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    RequestInProgressError,
    bilingual,
)
from service.storage.database import Database
from service.storage.models import (
    DONE,
    ISSUED,
    PENDING,
    RESERVED,
    VOIDED,
    Base,
    Document,
    IdempotencyRecord,
    Meeting,
    NumberAllocation,
    NumberSeries,
    StoredFile,
    utc_now,
)

T = TypeVar("T")

# A reservation this old with no document was left by a process that died mid-render: the longest render
# (four layout passes of a 30 s conversion, each retried once) is well under it.
INTERRUPTED_AFTER = timedelta(minutes=10)
INTERRUPTED_REASON = bilingual("中断", "interrupted")
# Seconds a client should wait before retrying a request whose first attempt is still rendering.
IN_PROGRESS_RETRY_AFTER = 2
MAX_REASON_LENGTH = 500


# --- records ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRecord:
    id: str
    title: str
    organizer: str
    location: str
    start: datetime | None
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class NewFile:
    """A file already put in the FileStore, to be recorded in stored_files."""

    sha256: str
    media_type: str
    size: int
    original_name: str = ""
    pages: int | None = None


@dataclass(frozen=True)
class StoredFileRecord:
    sha256: str
    media_type: str
    size: int
    pages: int | None
    original_name: str
    created_at: datetime


@dataclass(frozen=True)
class NewDocument:
    """What record_document() writes: the document's metadata and its files, already in the FileStore."""

    meeting_id: str
    kind: str
    title: str
    doc_number: str
    document_date: date
    author: str
    secrecy: str
    request_body: dict[str, Any]
    effective_body: dict[str, Any]
    template_version: int
    template_sha256: str
    docx: NewFile
    pdf: NewFile | None = None


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    meeting_id: str
    kind: str
    title: str
    doc_number: str
    document_date: date
    author: str
    secrecy: str
    request_body: dict[str, Any]
    effective_body: dict[str, Any]
    template_version: int
    template_sha256: str
    docx: StoredFileRecord
    pdf: StoredFileRecord | None
    pages: int | None
    created_at: datetime


@dataclass(frozen=True)
class NumberRecord:
    """One line of the 发文字号 register."""

    prefix: str
    year: int
    serial: int
    status: str
    document_id: str | None
    reason: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ReservedNumber:
    prefix: str
    year: int
    serial: int


@dataclass(frozen=True)
class IdempotencyClaim:
    """An Idempotency-Key this request holds (pending) on one route (`scope`)."""

    key: str
    scope: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


# --- meetings --------------------------------------------------------------------------------------------


def create_meeting(
    database: Database,
    *,
    title: str,
    organizer: str = "",
    location: str = "",
    start: datetime | None = None,
    notes: str = "",
) -> MeetingRecord:
    with database.transaction() as session:
        meeting = Meeting(title=title, organizer=organizer, location=location, start=start, notes=notes)
        session.add(meeting)
        session.flush()
        return _meeting(meeting)


def get_meeting(database: Database, meeting_id: str) -> MeetingRecord:
    with database.session() as session:
        return _meeting(_find_meeting(session, meeting_id))


def list_meetings(database: Database, *, page: int = 1, per_page: int = 20) -> Page[MeetingRecord]:
    """Meetings, newest first, one page at a time (pages count from 1)."""
    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(Meeting)) or 0
        rows = session.scalars(
            select(Meeting)
            .order_by(Meeting.created_at.desc(), Meeting.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page([_meeting(row) for row in rows], total, page, per_page)


def _find_meeting(session: Session, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError(bilingual(f"会议不存在：{meeting_id}", f"no meeting {meeting_id}"))
    return meeting


def _meeting(row: Meeting) -> MeetingRecord:
    # In UTC as stored, also for the object just created (which still holds the offset it was given).
    start = row.start.astimezone(UTC) if row.start is not None else None
    return MeetingRecord(row.id, row.title, row.organizer, row.location, start, row.notes, row.created_at)


# --- documents -------------------------------------------------------------------------------------------


def record_document(
    database: Database,
    document: NewDocument,
    *,
    number: ReservedNumber | None = None,
    claim: IdempotencyClaim | None = None,
) -> DocumentRecord:
    """Record the document and its files, issue its reserved number and complete its claim: all or nothing."""
    with database.transaction() as session:
        _find_meeting(session, document.meeting_id)
        for new_file in (document.docx, document.pdf):
            if new_file is not None:
                _insert_file(session, new_file)
        row = Document(
            meeting_id=document.meeting_id,
            kind=document.kind,
            title=document.title,
            doc_number=document.doc_number,
            document_date=document.document_date,
            author=document.author,
            secrecy=document.secrecy,
            request_body=document.request_body,
            effective_body=document.effective_body,
            template_version=document.template_version,
            template_sha256=document.template_sha256,
            docx_sha256=document.docx.sha256,
            pdf_sha256=document.pdf.sha256 if document.pdf else None,
            pages=document.pdf.pages if document.pdf else None,
        )
        session.add(row)
        session.flush()
        if number is not None:
            _issue_number(session, number.prefix, number.year, number.serial, row.id)
        if claim is not None:
            _complete_request(session, claim.key, claim.scope, row.id)
        return _documents(session, [row])[0]


def attach_pdf(database: Database, document_id: str, pdf: NewFile) -> DocumentRecord:
    """Give a document the PDF it was issued without; a PDF it already has is kept."""
    with database.transaction() as session:
        _insert_file(session, pdf)
        # Rendering is deterministic, so two first downloads at once made the same bytes; the first one wins.
        session.execute(
            update(Document)
            .where(Document.id == document_id, Document.pdf_sha256.is_(None))
            .values(pdf_sha256=pdf.sha256, pages=pdf.pages)
        )
        return _documents(session, [_find_document(session, document_id)])[0]


def get_document(database: Database, document_id: str) -> DocumentRecord:
    with database.session() as session:
        return _documents(session, [_find_document(session, document_id)])[0]


def list_documents(database: Database, meeting_id: str) -> list[DocumentRecord]:
    """The meeting's documents in the order they were issued."""
    with database.session() as session:
        rows = session.scalars(
            select(Document).where(Document.meeting_id == meeting_id).order_by(Document.created_at, Document.id)
        )
        return _documents(session, list(rows))


def _find_document(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id, populate_existing=True)
    if document is None:
        raise NotFoundError(bilingual(f"文书不存在：{document_id}", f"no document {document_id}"))
    return document


def _documents(session: Session, rows: list[Document]) -> list[DocumentRecord]:
    wanted = {row.docx_sha256 for row in rows} | {row.pdf_sha256 for row in rows if row.pdf_sha256}
    files = {record.sha256: record for record in _files(session, wanted)}
    return [
        DocumentRecord(
            id=row.id,
            meeting_id=row.meeting_id,
            kind=row.kind,
            title=row.title,
            doc_number=row.doc_number,
            document_date=row.document_date,
            author=row.author,
            secrecy=row.secrecy,
            request_body=row.request_body,
            effective_body=row.effective_body,
            template_version=row.template_version,
            template_sha256=row.template_sha256,
            docx=files[row.docx_sha256],
            pdf=files[row.pdf_sha256] if row.pdf_sha256 else None,
            pages=row.pages,
            created_at=row.created_at,
        )
        for row in rows
    ]


# --- stored files ----------------------------------------------------------------------------------------


def record_file(database: Database, new_file: NewFile) -> tuple[StoredFileRecord, bool]:
    """Record a file put in the FileStore; True when it is new, False when the same bytes were there already."""
    with database.transaction() as session:
        created = _insert_file(session, new_file)
        return _file(_find_file(session, new_file.sha256)), created


def get_file(database: Database, sha256: str) -> StoredFileRecord:
    with database.session() as session:
        return _file(_find_file(session, sha256))


def _insert_file(session: Session, new_file: NewFile) -> bool:
    return _insert_new(
        session,
        StoredFile,
        sha256=new_file.sha256,
        media_type=new_file.media_type,
        size=new_file.size,
        pages=new_file.pages,
        original_name=new_file.original_name[:255],
        created_at=utc_now(),
    )


def _find_file(session: Session, sha256: str) -> StoredFile:
    row = session.get(StoredFile, sha256)
    if row is None:
        raise NotFoundError(bilingual(f"文件不存在：{sha256}", f"no stored file {sha256}"))
    return row


def _files(session: Session, sha256s: Iterable[str]) -> list[StoredFileRecord]:
    wanted = sorted(set(sha256s))
    if not wanted:
        return []
    return [_file(row) for row in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(wanted)))]


def _file(row: StoredFile) -> StoredFileRecord:
    return StoredFileRecord(row.sha256, row.media_type, row.size, row.pages, row.original_name, row.created_at)


# --- the 发文字号 register --------------------------------------------------------------------------------


def reserve_number(database: Database, prefix: str, year: int) -> int:
    """The next serial of the prefix's series for the year, recorded as reserved.

    One short transaction: the counter is bumped with an atomic UPDATE … RETURNING, so two requests,
    threads or machines never get the same serial, and the lock is released before anything renders.
    """
    with database.transaction() as session:
        _insert_new(session, NumberSeries, prefix=prefix, year=year, last_serial=0)
        serial: int = session.execute(
            update(NumberSeries)
            .where(NumberSeries.prefix == prefix, NumberSeries.year == year)
            .values(last_serial=NumberSeries.last_serial + 1)
            .returning(NumberSeries.last_serial)
        ).scalar_one()
        now = utc_now()
        session.add(
            NumberAllocation(prefix=prefix, year=year, serial=serial, status=RESERVED, created_at=now, updated_at=now)
        )
        return serial


def issue_number(database: Database, prefix: str, year: int, serial: int, document_id: str) -> None:
    """Mark a reserved serial as issued to the document (record_document does this in its own transaction)."""
    with database.transaction() as session:
        _issue_number(session, prefix, year, serial, document_id)


def void_number(database: Database, prefix: str, year: int, serial: int, reason: str) -> bool:
    """Void a reserved serial, keeping it in the register with the reason; False if it was not reserved."""
    with database.transaction() as session:
        result = session.execute(
            update(NumberAllocation)
            .where(*_allocation(prefix, year, serial), NumberAllocation.status == RESERVED)
            .values(status=VOIDED, reason=reason[:MAX_REASON_LENGTH], updated_at=utc_now())
        )
        return _rowcount(result) == 1


def list_numbers(database: Database, prefix: str, year: int) -> list[NumberRecord]:
    """The register of one series: every serial handed out, in order, with what became of it."""
    with database.session() as session:
        rows = session.scalars(
            select(NumberAllocation)
            .where(NumberAllocation.prefix == prefix, NumberAllocation.year == year)
            .order_by(NumberAllocation.serial)
        )
        return [_number(row) for row in rows]


def void_interrupted_reservations(
    database: Database, *, older_than: timedelta = INTERRUPTED_AFTER
) -> list[NumberRecord]:
    """Void reservations a dead process left behind (run at start-up): a visible 作废, not a silent gap."""
    cutoff = utc_now() - older_than
    with database.transaction() as session:
        rows = session.scalars(
            update(NumberAllocation)
            .where(
                NumberAllocation.status == RESERVED,
                NumberAllocation.document_id.is_(None),
                NumberAllocation.created_at < cutoff,
            )
            .values(status=VOIDED, reason=INTERRUPTED_REASON, updated_at=utc_now())
            .returning(NumberAllocation)
        )
        return sorted((_number(row) for row in rows), key=lambda n: (n.prefix, n.year, n.serial))


def _allocation(prefix: str, year: int, serial: int) -> tuple[Any, ...]:
    return (NumberAllocation.prefix == prefix, NumberAllocation.year == year, NumberAllocation.serial == serial)


def _issue_number(session: Session, prefix: str, year: int, serial: int, document_id: str) -> None:
    result = session.execute(
        update(NumberAllocation)
        .where(*_allocation(prefix, year, serial), NumberAllocation.status == RESERVED)
        .values(status=ISSUED, document_id=document_id, updated_at=utc_now())
    )
    if _rowcount(result) != 1:
        raise ConflictError(
            bilingual(
                f"{prefix}{year}年第{serial}号已不是预留状态（可能已作废），不能再发出",
                f"serial {serial} of {prefix} {year} is no longer reserved (voided?) and cannot be issued",
            )
        )


def _number(row: NumberAllocation) -> NumberRecord:
    return NumberRecord(
        row.prefix, row.year, row.serial, row.status, row.document_id, row.reason, row.created_at, row.updated_at
    )


# --- Idempotency-Key -------------------------------------------------------------------------------------


def claim_request(
    database: Database, key: str, scope: str, fingerprint: str, *, stale_after: timedelta = INTERRUPTED_AFTER
) -> str | None:
    """Claim an Idempotency-Key for a request: None when this request now holds it (pending).

    When the key was used before on this route: the same request already done gives its document's id
    (replay it); the same request still running raises RequestInProgressError; a different request
    (another fingerprint) raises IdempotencyKeyReusedError. A pending claim older than `stale_after`
    belonged to a process that died, and is taken over.
    """
    # A claim released between our insert and our read is simply claimed again.
    for _attempt in range(3):
        with database.transaction() as session:
            now = utc_now()
            claimed = _insert_new(
                session,
                IdempotencyRecord,
                key=key,
                scope=scope,
                request_fingerprint=fingerprint,
                status=PENDING,
                created_at=now,
            )
            if claimed:
                return None
            existing = session.get(IdempotencyRecord, (key, scope), populate_existing=True)
            if existing is None:
                continue
            if existing.request_fingerprint != fingerprint:
                raise IdempotencyKeyReusedError(
                    bilingual(
                        "该Idempotency-Key已用于另一个不同的请求，请为新请求使用新的键",
                        "this Idempotency-Key was used for a different request; use a new key for a new request",
                    ),
                    errors={"Idempotency-Key": [bilingual("键已用于其他请求", "key already used for another request")]},
                )
            if existing.status == DONE:
                return existing.document_id
            if existing.created_at < now - stale_after:
                existing.created_at = now
                return None
            raise RequestInProgressError(
                bilingual(
                    "相同Idempotency-Key的请求正在处理，请稍后重试",
                    "a request with this Idempotency-Key is still being carried out; retry shortly",
                ),
                retry_after=IN_PROGRESS_RETRY_AFTER,
            )
    raise RequestInProgressError(
        bilingual(
            "幂等键Idempotency-Key正被反复占用，请稍后重试", "the Idempotency-Key keeps changing hands; retry shortly"
        ),
        retry_after=IN_PROGRESS_RETRY_AFTER,
    )


def complete_request(database: Database, key: str, scope: str, document_id: str) -> None:
    """Mark a claim done with its document (record_document does this in its own transaction)."""
    with database.transaction() as session:
        _complete_request(session, key, scope, document_id)


def release_request(database: Database, key: str, scope: str) -> None:
    """Drop a pending claim after a failure, so that a retry with the same key can proceed."""
    with database.transaction() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.key == key, IdempotencyRecord.scope == scope, IdempotencyRecord.status == PENDING
            )
        )


def release_stale_claims(database: Database, *, older_than: timedelta = INTERRUPTED_AFTER) -> int:
    """Drop pending claims a dead process left behind (run at start-up); how many there were."""
    cutoff = utc_now() - older_than
    with database.transaction() as session:
        result = session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.status == PENDING, IdempotencyRecord.created_at < cutoff)
        )
        return _rowcount(result)


def _complete_request(session: Session, key: str, scope: str, document_id: str) -> None:
    result = session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.key == key, IdempotencyRecord.scope == scope, IdempotencyRecord.status == PENDING)
        .values(status=DONE, document_id=document_id)
    )
    if _rowcount(result) != 1:
        raise ConflictError(
            bilingual(
                "幂等键Idempotency-Key的占用已失效，请求未完成",
                "the claim on this Idempotency-Key was lost; the request was not completed",
            )
        )


# --- portable SQL ----------------------------------------------------------------------------------------


def _insert_new(session: Session, model: type[Base], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL); True when the row was inserted.

    Race-safe without a savepoint: on PostgreSQL a concurrent insert of the same key waits for the
    other transaction and then does nothing, instead of failing and aborting ours.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, model.__table__)
    first_key = table.primary_key.columns[0]
    # RETURNING rather than rowcount: psycopg reports no row count for this statement through SQLAlchemy.
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(first_key)
    return session.execute(statement).first() is not None


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount
