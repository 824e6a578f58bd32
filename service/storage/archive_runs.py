"""Archive runs in the database: the frozen selection, each 件's progress, and the lease of the worker on it.

Every write made on behalf of a worker names that worker and is refused (LeaseLostError) once the run's
lease belongs to another: a stalled worker that was taken over cannot overwrite its successor's work.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.errors import NotFoundError, PayloadInvalidError, bilingual
from service.storage.database import Database
from service.storage.models import ArchiveRun, ArchiveRunItem, Document, StoredFile, utc_now

QUEUED, RUNNING, FINISHED, FAILED = "queued", "running", "finished", "failed"
PENDING, PREPARED, STAMPED, ITEM_FAILED = "pending", "prepared", "stamped", "failed"
# Forms, not 件: a box's own cover set and stamps are made by the run, never filed in it.
NOT_FILED_KINDS = ("archive-cover", "archive-stamp")
MAX_CURRENT_LENGTH = 200


class LeaseLostError(Exception):
    """Another worker holds the run now; this one must stop without writing anything more."""


class ClaimOutcome(Enum):
    CLAIMED = "claimed"
    FINISHED = "finished"
    LEASED = "leased"


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    owner: str = ""
    retry_after: int = 0


@dataclass(frozen=True)
class NewRunItem:
    """One 件 as selected: a registry document or an uploaded PDF, with its 目录 entry."""

    title: str
    responsible: str
    doc_date: date
    document_id: str | None = None
    upload_sha256: str | None = None
    doc_number: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class RunItem:
    position: int
    title: str
    responsible: str
    doc_number: str
    doc_date: date
    remarks: str
    document_id: str | None
    upload_sha256: str | None
    status: str
    item_no: int | None
    pdf_sha256: str | None
    pages: int | None
    stamped_sha256: str | None
    attempts: int
    error: str | None


@dataclass(frozen=True)
class Failure:
    position: int
    title: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class RunView:
    """A run as its progress report shows it."""

    id: str
    status: str
    stage: str
    request: dict[str, Any]
    total: int
    done: int
    current: str
    failures: list[Failure]
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class DocumentSource:
    """What it takes to render a registry document again: its kind and the body as it was rendered."""

    kind: str
    effective_body: dict[str, Any]
    template_version: int


# --- selection -------------------------------------------------------------------------------------------


def select_items(database: Database, selection: Mapping[str, Any]) -> list[NewRunItem]:
    """The 件 a validated selection names, in filing order; unknown meetings, documents or files are a 422."""
    with database.session() as session:
        if selection.get("meetings") is not None:
            return _meeting_items(session, list(selection["meetings"]))
        if selection.get("year") is not None:
            year = int(selection["year"])
            rows = session.scalars(
                select(Document)
                .where(Document.document_date.between(date(year, 1, 1), date(year, 12, 31)))
                .where(Document.kind.not_in(NOT_FILED_KINDS))
                .order_by(Document.document_date, Document.created_at, Document.id)
            ).all()
            if not rows:
                raise _selection_invalid("selection.year", f"{year}年没有可归档的文书", f"no documents dated {year}")
            return [_document_item(row) for row in rows]
        return _listed_items(session, list(selection["documents"]))


def _meeting_items(session: Session, meeting_ids: list[str]) -> list[NewRunItem]:
    items: list[NewRunItem] = []
    for index, meeting_id in enumerate(meeting_ids):
        rows = session.scalars(
            select(Document)
            .where(Document.meeting_id == meeting_id, Document.kind.not_in(NOT_FILED_KINDS))
            .order_by(Document.document_date, Document.created_at, Document.id)
        ).all()
        if not rows:
            raise _selection_invalid(
                f"selection.meetings[{index}]",
                f"会议{meeting_id}不存在或没有可归档的文书",
                f"meeting {meeting_id} does not exist or has no documents to file",
            )
        items.extend(_document_item(row) for row in rows)
    return items


def _listed_items(session: Session, listed: list[Mapping[str, Any]]) -> list[NewRunItem]:
    items: list[NewRunItem] = []
    for index, entry in enumerate(listed):
        if entry.get("document_id"):
            row = session.get(Document, entry["document_id"])
            if row is None:
                raise _selection_invalid(
                    f"selection.documents[{index}].document_id", "文书不存在", f"no document {entry['document_id']}"
                )
            items.append(_document_item(row, remarks=entry.get("remarks", "")))
            continue
        if session.get(StoredFile, entry["file"]) is None:
            raise _selection_invalid(
                f"selection.documents[{index}].file",
                "未找到该上传文件，请先POST /api/v1/files",
                "no such uploaded file; POST it to /api/v1/files first",
            )
        items.append(
            NewRunItem(
                title=entry["title"],
                responsible=entry["responsible"],
                doc_date=entry["date"],
                upload_sha256=entry["file"],
                doc_number=entry.get("doc_number", ""),
                remarks=entry.get("remarks", ""),
            )
        )
    return items


def _document_item(row: Document, *, remarks: str = "") -> NewRunItem:
    return NewRunItem(
        title=row.title,
        responsible=row.author,
        doc_date=row.document_date,
        document_id=row.id,
        doc_number=row.doc_number,
        remarks=remarks,
    )


def _selection_invalid(field: str, chinese: str, english: str) -> PayloadInvalidError:
    return PayloadInvalidError(bilingual(chinese, english), errors={field: [bilingual(chinese, english)]})


# --- runs ------------------------------------------------------------------------------------------------


def create_run(database: Database, request: Mapping[str, Any], items: Sequence[NewRunItem]) -> str:
    """A queued run with its 件 frozen in order, so a resumed run files exactly what was asked."""
    with database.transaction() as session:
        run = ArchiveRun(status=QUEUED, request=dict(request), total=len(items))
        session.add(run)
        session.flush()
        session.add_all(
            ArchiveRunItem(
                run_id=run.id,
                position=position,
                document_id=item.document_id,
                upload_sha256=item.upload_sha256,
                title=item.title[:200],
                responsible=item.responsible[:100],
                doc_number=item.doc_number,
                doc_date=item.doc_date,
                remarks=item.remarks,
            )
            for position, item in enumerate(items)
        )
        return run.id


def get_run(database: Database, run_id: str) -> RunView:
    with database.session() as session:
        return _view(session, _find_run(session, run_id))


def list_runs(database: Database, *, limit: int = 20, offset: int = 0) -> list[RunView]:
    with database.session() as session:
        rows = session.scalars(
            select(ArchiveRun).order_by(ArchiveRun.created_at.desc(), ArchiveRun.id).limit(limit).offset(offset)
        ).all()
        return [_view(session, row) for row in rows]


def unfinished_run_ids(database: Database) -> list[str]:
    with database.session() as session:
        return list(
            session.scalars(
                select(ArchiveRun.id).where(ArchiveRun.status.in_((QUEUED, RUNNING))).order_by(ArchiveRun.created_at)
            )
        )


def claim_run(database: Database, run_id: str, owner: str, lease_seconds: int) -> Claim:
    """Take the run for `owner` unless it is finished or another worker's lease has not run out.

    The owner's own lease is no obstacle: it outlived an attempt that could not let go of it (the database was
    away), and the worker keeps one attempt at a time per run itself.
    """
    now = utc_now()
    with database.transaction() as session:
        run = _find_run(session, run_id, lock=True)
        if run.status in (FINISHED, FAILED):
            return Claim(ClaimOutcome.FINISHED, run.lease_owner or "")
        expires = run.lease_expires_at
        if run.lease_owner not in (None, owner) and expires is not None and expires > now:
            wait = math.ceil((expires - now).total_seconds()) + 1
            return Claim(ClaimOutcome.LEASED, run.lease_owner or "", wait)
        run.status = RUNNING
        run.lease_owner = owner
        run.lease_expires_at = now + timedelta(seconds=lease_seconds)
        run.started_at = run.started_at or now
        # Why it last paused, if it did, is over now.
        run.error = None
        run.current = ""
        return Claim(ClaimOutcome.CLAIMED, owner)


def renew_lease(database: Database, run_id: str, owner: str, lease_seconds: int) -> bool:
    with database.transaction() as session:
        run = _find_run(session, run_id, lock=True)
        if run.lease_owner != owner or run.status != RUNNING:
            return False
        run.lease_expires_at = utc_now() + timedelta(seconds=lease_seconds)
        return True


def release_lease(database: Database, run_id: str, owner: str) -> None:
    with database.transaction() as session:
        run = _find_run(session, run_id, lock=True)
        if run.lease_owner == owner and run.status == RUNNING:
            run.lease_owner = None
            run.lease_expires_at = None


def pause_run(database: Database, run_id: str, owner: str, reason: str) -> None:
    """Let go of the run until storage is back, saying why in its error (it stays running, and is resumed)."""
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        run.error = reason
        run.current = bilingual("暂停：存储暂不可用", "paused: storage unavailable")
        run.lease_owner = None
        run.lease_expires_at = None


def finish_run(database: Database, run_id: str, owner: str, result: Mapping[str, Any]) -> None:
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        run.status = FINISHED
        run.result = dict(result)
        run.current = ""
        run.finished_at = utc_now()
        run.lease_owner = None
        run.lease_expires_at = None


def fail_run(database: Database, run_id: str, owner: str, error: str) -> None:
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        run.status = FAILED
        run.error = error
        run.finished_at = utc_now()
        run.lease_owner = None
        run.lease_expires_at = None


# --- items -----------------------------------------------------------------------------------------------


def pending_items(database: Database, run_id: str) -> list[RunItem]:
    return _items(database, run_id, PENDING, ArchiveRunItem.position)


def items_to_stamp(database: Database, run_id: str) -> list[RunItem]:
    return _items(database, run_id, PREPARED, ArchiveRunItem.position)


def stamped_items(database: Database, run_id: str) -> list[RunItem]:
    return _items(database, run_id, STAMPED, ArchiveRunItem.item_no)


def start_item(database: Database, run_id: str, position: int, owner: str) -> None:
    """Count the attempt and show the 件 as the one being worked on."""
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        item = _find_item(session, run_id, position)
        item.attempts += 1
        run.current = item.title[:MAX_CURRENT_LENGTH]


def record_prepared(database: Database, run_id: str, position: int, owner: str, pdf_sha256: str, pages: int) -> None:
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        item = _find_item(session, run_id, position)
        if item.status != PENDING:
            return  # recorded by this worker already (a retried write); counting it again would overshoot
        item.status, item.pdf_sha256, item.pages, item.error = PREPARED, pdf_sha256, pages, None
        run.done += 1


def record_failure(database: Database, run_id: str, position: int, owner: str, reason: str) -> None:
    with database.transaction() as session:
        run = _held_run(session, run_id, owner)
        item = _find_item(session, run_id, position)
        if item.status != PENDING:
            return
        item.status, item.error = ITEM_FAILED, reason
        run.done += 1


def assign_item_numbers(database: Database, run_id: str, owner: str, start: int) -> int:
    """件号 from `start`, in selection order, for the 件 whose PDF was made; returns how many there are.

    Numbers are given only once every 件 is prepared or failed, so a failed 件 leaves no gap in the box.
    Assigning again gives the same numbers.
    """
    with database.transaction() as session:
        _held_run(session, run_id, owner)
        rows = session.scalars(
            select(ArchiveRunItem)
            .where(ArchiveRunItem.run_id == run_id, ArchiveRunItem.status.in_((PREPARED, STAMPED)))
            .order_by(ArchiveRunItem.position)
        ).all()
        for offset, row in enumerate(rows):
            row.item_no = start + offset
        return len(rows)


def record_stamped(database: Database, run_id: str, owner: str, stamped: Sequence[tuple[int, str]]) -> None:
    with database.transaction() as session:
        _held_run(session, run_id, owner)
        for position, sha256 in stamped:
            item = _find_item(session, run_id, position)
            item.status, item.stamped_sha256 = STAMPED, sha256


def document_source(database: Database, document_id: str) -> DocumentSource:
    with database.session() as session:
        row = session.get(Document, document_id)
        if row is None:
            raise NotFoundError(bilingual(f"文书{document_id}不存在", f"no document {document_id}"))
        return DocumentSource(row.kind, dict(row.effective_body), row.template_version)


# --- helpers ---------------------------------------------------------------------------------------------


def _find_run(session: Session, run_id: str, *, lock: bool = False) -> ArchiveRun:
    query = select(ArchiveRun).where(ArchiveRun.id == run_id)
    run = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if run is None:
        raise NotFoundError(bilingual(f"归档任务{run_id}不存在", f"no archive run {run_id}"))
    return run


def _held_run(session: Session, run_id: str, owner: str) -> ArchiveRun:
    run = _find_run(session, run_id, lock=True)
    if run.lease_owner != owner or run.status != RUNNING:
        raise LeaseLostError(run_id)
    return run


def _find_item(session: Session, run_id: str, position: int) -> ArchiveRunItem:
    item = session.get(ArchiveRunItem, (run_id, position))
    if item is None:
        raise NotFoundError(bilingual(f"归档任务没有第{position}项", f"archive run {run_id} has no item {position}"))
    return item


def _items(database: Database, run_id: str, status: str, order: Any) -> list[RunItem]:
    with database.session() as session:
        rows = session.scalars(
            select(ArchiveRunItem)
            .where(ArchiveRunItem.run_id == run_id, ArchiveRunItem.status == status)
            .order_by(order)
        ).all()
        return [_item(row) for row in rows]


def _item(row: ArchiveRunItem) -> RunItem:
    return RunItem(
        position=row.position,
        title=row.title,
        responsible=row.responsible,
        doc_number=row.doc_number,
        doc_date=row.doc_date,
        remarks=row.remarks,
        document_id=row.document_id,
        upload_sha256=row.upload_sha256,
        status=row.status,
        item_no=row.item_no,
        pdf_sha256=row.pdf_sha256,
        pages=row.pages,
        stamped_sha256=row.stamped_sha256,
        attempts=row.attempts,
        error=row.error,
    )


def _view(session: Session, run: ArchiveRun) -> RunView:
    counts = dict(
        session.execute(
            select(ArchiveRunItem.status, func.count())
            .where(ArchiveRunItem.run_id == run.id)
            .group_by(ArchiveRunItem.status)
        ).all()
    )
    failures = [
        Failure(row.position, row.title, row.error or "")
        for row in session.scalars(
            select(ArchiveRunItem)
            .where(ArchiveRunItem.run_id == run.id, ArchiveRunItem.status == ITEM_FAILED)
            .order_by(ArchiveRunItem.position)
        )
    ]
    return RunView(
        id=run.id,
        status=run.status,
        stage=_stage(run.status, counts),
        request=dict(run.request),
        total=run.total,
        done=run.done,
        current=run.current,
        failures=failures,
        result=dict(run.result) if run.result is not None else None,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def _stage(status: str, counts: Mapping[str, int]) -> str:
    if status != RUNNING:
        return status
    if counts.get(PENDING):
        return "preparing"
    if counts.get(PREPARED):
        return "stamping"
    return "assembling"
