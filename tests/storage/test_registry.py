"""The registry's operations on SQLite and PostgreSQL: meetings, documents, the 发文字号 register, idempotency."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from service.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    RequestInProgressError,
)
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.models import IdempotencyRecord, NumberAllocation
from service.storage.registry import (
    INTERRUPTED_REASON,
    IdempotencyClaim,
    NewDocument,
    NewFile,
    ReservedNumber,
    claim_request,
    create_meeting,
    get_document,
    get_file,
    get_meeting,
    issue_number,
    list_documents,
    list_meetings,
    list_numbers,
    record_document,
    record_file,
    release_request,
    release_stale_claims,
    reserve_number,
    void_interrupted_reservations,
    void_number,
)
from tests.storage.allocation_worker import reserve_many

PREFIX = "青政办发"
PARALLEL_ALLOCATIONS = 200
FINGERPRINT = "a" * 64
SCOPE = "meetings/m/documents/meeting-notice"


def _new_document(
    files: FileStore, meeting_id: str, *, doc_number: str = "", title: str = "关于召开会议的通知"
) -> NewDocument:
    docx = files.put(f"DOCX of {title} {doc_number}".encode())
    return NewDocument(
        meeting_id=meeting_id,
        kind="meeting-notice",
        title=title,
        doc_number=doc_number,
        document_date=date(2026, 11, 25),
        author="青山县人民政府办公室",
        secrecy="",
        request_body={"doc_number": {"prefix": PREFIX}, "title": title},
        effective_body={"doc_number": doc_number, "title": title},
        template_version=1,
        template_sha256="b" * 64,
        docx=NewFile(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 20, "通知.docx"),
    )


def _age(database: Database, model: type[NumberAllocation] | type[IdempotencyRecord], minutes: int) -> None:
    """Make every row look `minutes` old, as if written by a process that has since died."""
    with database.transaction() as session:
        session.execute(update(model).values(created_at=datetime.now(UTC) - timedelta(minutes=minutes)))


# --- meetings --------------------------------------------------------------------------------------------


def test_a_created_meeting_reads_back_with_its_start_in_utc(database: Database) -> None:
    start = datetime.fromisoformat("2026-12-03T09:00:00+08:00")

    created = create_meeting(database, title="全县冬春季安全生产工作会议", organizer="县政府办公室", start=start)
    found = get_meeting(database, created.id)

    assert found == created
    assert len(found.id) == 32
    assert found.start == start
    assert found.start is not None and found.start.utcoffset() == timedelta(0)
    assert found.created_at.tzinfo is not None


def test_meetings_are_listed_newest_first_a_page_at_a_time(database: Database) -> None:
    titles = [f"第{n}次会议" for n in range(1, 6)]
    for title in titles:
        create_meeting(database, title=title)

    first = list_meetings(database, page=1, per_page=2)
    last = list_meetings(database, page=3, per_page=2)

    assert [m.title for m in first.items] == ["第5次会议", "第4次会议"]
    assert [m.title for m in last.items] == ["第1次会议"]
    assert (first.total, last.total, last.page, last.per_page) == (5, 5, 3, 2)
    assert list_meetings(database, page=4, per_page=2).items == []


def test_an_unknown_meeting_is_not_found(database: Database) -> None:
    with pytest.raises(NotFoundError) as caught:
        get_meeting(database, "0" * 32)

    assert "会议不存在" in caught.value.detail


# --- documents -------------------------------------------------------------------------------------------


def test_a_recorded_document_carries_its_files_and_issues_its_number(database: Database, files: FileStore) -> None:
    meeting = create_meeting(database, title="会议")
    serial = reserve_number(database, PREFIX, 2026)
    number = ReservedNumber(PREFIX, 2026, serial)

    recorded = record_document(
        database, _new_document(files, meeting.id, doc_number="青政办发〔2026〕1号"), number=number
    )

    assert get_document(database, recorded.id) == recorded
    assert list_documents(database, meeting.id) == [recorded]
    assert recorded.docx.original_name == "通知.docx"
    assert recorded.pdf is None
    register = list_numbers(database, PREFIX, 2026)
    assert [(n.serial, n.status, n.document_id) for n in register] == [(1, "issued", recorded.id)]


def test_a_document_of_an_unknown_meeting_is_not_recorded(database: Database, files: FileStore) -> None:
    with pytest.raises(NotFoundError):
        record_document(database, _new_document(files, "f" * 32))

    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(NumberAllocation)) == 0


def test_recording_fails_whole_when_its_number_was_voided_meanwhile(database: Database, files: FileStore) -> None:
    """All or nothing: a number voided by the start-up sweep cannot be issued, and no document row remains."""
    meeting = create_meeting(database, title="会议")
    serial = reserve_number(database, PREFIX, 2026)
    void_number(database, PREFIX, 2026, serial, INTERRUPTED_REASON)

    with pytest.raises(ConflictError):
        record_document(database, _new_document(files, meeting.id), number=ReservedNumber(PREFIX, 2026, serial))

    assert list_documents(database, meeting.id) == []


def test_a_stored_file_is_recorded_once(database: Database, files: FileStore) -> None:
    sha256 = files.put(b"%PDF-1.7 upload")
    new_file = NewFile(sha256, "application/pdf", 15, "签到表.pdf", pages=2)

    first, created = record_file(database, new_file)
    again, created_again = record_file(database, new_file)

    assert (created, created_again) == (True, False)
    assert first == again == get_file(database, sha256)
    assert (first.pages, first.original_name) == (2, "签到表.pdf")


# --- the 发文字号 register --------------------------------------------------------------------------------


def test_serials_count_from_one_per_prefix_and_year(database: Database) -> None:
    assert [reserve_number(database, PREFIX, 2026) for _ in range(3)] == [1, 2, 3]
    assert reserve_number(database, PREFIX, 2027) == 1
    assert reserve_number(database, "青政发", 2026) == 1


def test_the_register_lists_every_serial_with_what_became_of_it(database: Database, files: FileStore) -> None:
    meeting = create_meeting(database, title="会议")
    issued = reserve_number(database, PREFIX, 2026)
    voided = reserve_number(database, PREFIX, 2026)
    reserved = reserve_number(database, PREFIX, 2026)
    document = record_document(database, _new_document(files, meeting.id))
    issue_number(database, PREFIX, 2026, issued, document.id)
    assert void_number(database, PREFIX, 2026, voided, "PDF转换失败 / PDF conversion failed")

    register = list_numbers(database, PREFIX, 2026)

    assert [(n.serial, n.status, n.document_id, n.reason) for n in register] == [
        (issued, "issued", document.id, ""),
        (voided, "voided", None, "PDF转换失败 / PDF conversion failed"),
        (reserved, "reserved", None, ""),
    ]
    assert register[1].updated_at >= register[1].created_at


def test_only_a_reserved_number_can_be_voided_or_issued(database: Database, files: FileStore) -> None:
    meeting = create_meeting(database, title="会议")
    serial = reserve_number(database, PREFIX, 2026)
    document = record_document(database, _new_document(files, meeting.id))
    issue_number(database, PREFIX, 2026, serial, document.id)

    assert not void_number(database, PREFIX, 2026, serial, "太迟了")
    with pytest.raises(ConflictError):
        issue_number(database, PREFIX, 2026, serial, document.id)
    assert [n.status for n in list_numbers(database, PREFIX, 2026)] == ["issued"]


def test_reservations_left_by_a_dead_process_are_voided_as_interrupted(database: Database, files: FileStore) -> None:
    meeting = create_meeting(database, title="会议")
    issued = reserve_number(database, PREFIX, 2026)
    abandoned = reserve_number(database, PREFIX, 2026)
    document = record_document(database, _new_document(files, meeting.id))
    issue_number(database, PREFIX, 2026, issued, document.id)
    _age(database, NumberAllocation, minutes=11)
    in_flight = reserve_number(database, PREFIX, 2026)

    voided = void_interrupted_reservations(database)

    assert [(n.serial, n.reason) for n in voided] == [(abandoned, "中断 / interrupted")]
    statuses = {n.serial: n.status for n in list_numbers(database, PREFIX, 2026)}
    assert statuses == {issued: "issued", abandoned: "voided", in_flight: "reserved"}
    assert reserve_number(database, PREFIX, 2026) == in_flight + 1


def _assert_consecutive(serials: list[int]) -> None:
    assert sorted(serials) == list(range(1, PARALLEL_ALLOCATIONS + 1))


def test_200_parallel_allocations_from_threads_are_distinct_and_consecutive(database: Database) -> None:
    """200 threads released at once, sharing the process's connection pool as request threads do."""
    barrier = threading.Barrier(PARALLEL_ALLOCATIONS)

    def reserve(_: int) -> int:
        barrier.wait(timeout=30)
        return reserve_number(database, PREFIX, 2026)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL_ALLOCATIONS) as executor:
        serials = list(executor.map(reserve, range(PARALLEL_ALLOCATIONS)))
    elapsed = time.perf_counter() - started

    _assert_consecutive(serials)
    assert [n.serial for n in list_numbers(database, PREFIX, 2026)] == list(range(1, PARALLEL_ALLOCATIONS + 1))
    print(
        f"{PARALLEL_ALLOCATIONS} allocations from {PARALLEL_ALLOCATIONS} threads, {database.dialect}: {elapsed:.2f} s"
    )


def test_200_parallel_allocations_from_processes_are_distinct_and_consecutive(url: str, database: Database) -> None:
    """Eight processes (spawned, like separate gunicorn workers or machines) of five threads each."""
    processes, threads = 8, 5
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(
            target=reserve_many,
            args=(url, PREFIX, 2026, PARALLEL_ALLOCATIONS // processes, threads, start, results),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    _assert_consecutive([serial for serials, _ in outcomes for serial in serials])
    assert [worker.exitcode for worker in workers] == [0] * processes
    elapsed = max(seconds for _, seconds in outcomes)
    print(
        f"{PARALLEL_ALLOCATIONS} allocations, {processes} processes × {threads} threads, {database.dialect}: "
        f"{elapsed:.2f} s"
    )


# --- Idempotency-Key -------------------------------------------------------------------------------------


def test_a_new_key_is_claimed_and_a_pending_one_is_in_progress(database: Database) -> None:
    assert claim_request(database, "key-1", SCOPE, FINGERPRINT) is None

    with pytest.raises(RequestInProgressError) as caught:
        claim_request(database, "key-1", SCOPE, FINGERPRINT)

    assert caught.value.status == 409
    assert caught.value.retry_after > 0


def test_a_done_key_gives_its_document_back(database: Database, files: FileStore) -> None:
    meeting = create_meeting(database, title="会议")
    claim_request(database, "key-1", SCOPE, FINGERPRINT)
    document = record_document(database, _new_document(files, meeting.id), claim=IdempotencyClaim("key-1", SCOPE))

    assert claim_request(database, "key-1", SCOPE, FINGERPRINT) == document.id


def test_a_key_used_for_another_request_is_refused(database: Database) -> None:
    claim_request(database, "key-1", SCOPE, FINGERPRINT)

    with pytest.raises(IdempotencyKeyReusedError) as caught:
        claim_request(database, "key-1", SCOPE, "c" * 64)

    assert caught.value.status == 422
    assert "Idempotency-Key" in caught.value.errors


def test_the_same_key_on_another_route_is_another_claim(database: Database) -> None:
    assert claim_request(database, "key-1", SCOPE, FINGERPRINT) is None
    assert claim_request(database, "key-1", "meetings/m/documents/meeting-minutes", "c" * 64) is None


def test_a_released_key_can_be_claimed_again(database: Database) -> None:
    claim_request(database, "key-1", SCOPE, FINGERPRINT)
    release_request(database, "key-1", SCOPE)

    assert claim_request(database, "key-1", SCOPE, FINGERPRINT) is None


def test_a_claim_left_by_a_dead_process_is_taken_over_or_swept(database: Database) -> None:
    claim_request(database, "key-1", SCOPE, FINGERPRINT)
    claim_request(database, "key-2", SCOPE, FINGERPRINT)
    _age(database, IdempotencyRecord, minutes=11)

    assert claim_request(database, "key-1", SCOPE, FINGERPRINT) is None
    assert release_stale_claims(database) == 1
    assert claim_request(database, "key-2", SCOPE, FINGERPRINT) is None
    with pytest.raises(RequestInProgressError):
        claim_request(database, "key-1", SCOPE, FINGERPRINT)


def test_concurrent_claims_of_one_key_give_it_to_exactly_one(database: Database) -> None:
    barrier = threading.Barrier(10)

    def claim(_: int) -> str:
        barrier.wait(timeout=10)
        try:
            return "claimed" if claim_request(database, "key-1", SCOPE, FINGERPRINT) is None else "replay"
        except RequestInProgressError:
            return "in progress"

    with ThreadPoolExecutor(max_workers=10) as executor:
        outcomes = sorted(executor.map(claim, range(10)))

    assert outcomes == ["claimed"] + ["in progress"] * 9
