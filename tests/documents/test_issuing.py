"""Issuing documents into the registry: the allocated 发文字号 is printed and issued, a failure leaves no trace but
a voided number, an Idempotency-Key gives one document however often it is sent, the PDF can come later."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.issuing import ensure_pdf, issue_document, request_fingerprint
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.errors import ConflictError, ConversionError, NotFoundError, PayloadInvalidError
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.models import Document, IdempotencyRecord, StoredFile
from service.storage.registry import create_meeting, list_documents, list_numbers, reserve_number
from tests.api.test_documents import document_text
from tests.conftest import BodyFactory
from tests.storage.databases import BACKENDS, database_url

PREFIX = "青政办发"
ALLOCATE = {"prefix": PREFIX}


class FailingConverter:
    """A converter whose LibreOffice fails every conversion: the numbering is under test here, not the PDF."""

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes:
        raise ConversionError("转换PDF失败（测试） / PDF conversion failed (test)")

    def status(self) -> Mapping[str, Any] | None:
        return None


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    database = Database(database_url(request.param, tmp_path, request))
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def catalog() -> TemplateCatalog:
    return TemplateCatalog(Settings().templates_dir)


@pytest.fixture
def meeting_id(database: Database) -> str:
    return create_meeting(database, title="全县冬春季安全生产工作会议").id


def _count(database: Database, model: type[Document] | type[IdempotencyRecord] | type[StoredFile]) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_allocated_number_is_printed_recorded_and_issued(
    database: Database,
    files: FileStore,
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    meeting_id: str,
    notice_body: BodyFactory,
) -> None:
    body = notice_body(doc_number=ALLOCATE)

    issued = issue_document(database, files, catalog, conversion_pool, meeting_id, "meeting-notice", body)

    document = issued.document
    assert not issued.replayed
    assert document.doc_number == "青政办发〔2026〕1号"
    assert "青政办发〔2026〕1号" in document_text(files.read(document.docx.sha256))
    assert document.pdf is not None
    pdf = files.read(document.pdf.sha256)
    assert "青政办发〔2026〕1号" in _pdf_text(pdf)
    assert document.pages == document.pdf.pages == len(PdfReader(io.BytesIO(pdf)).pages)
    assert document.request_body["doc_number"] == ALLOCATE
    assert document.effective_body["doc_number"] == "青政办发〔2026〕1号"
    assert (document.author, document.document_date.isoformat(), document.secrecy) == (
        "青山县人民政府办公室",
        "2026-11-25",
        "",
    )
    template = catalog.resolve("meeting-notice").path("document")
    assert document.template_version == 1
    assert document.template_sha256 == hashlib.sha256(template.read_bytes()).hexdigest()
    register = list_numbers(database, PREFIX, 2026)
    assert [(n.serial, n.status, n.document_id) for n in register] == [(1, "issued", document.id)]


def test_rendering_the_effective_body_again_gives_the_same_docx(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    issued = issue_document(
        database, files, catalog, None, meeting_id, "meeting-notice", notice_body(doc_number=ALLOCATE), with_pdf=False
    )

    again = render_document(catalog, "meeting-notice", issued.document.effective_body, OutputFormat.DOCX)

    assert again.sha256 == issued.document.docx.sha256


def test_each_document_gets_the_next_serial_of_its_year(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    numbers = [
        issue_document(
            database,
            files,
            catalog,
            None,
            meeting_id,
            "meeting-notice",
            notice_body(doc_number=ALLOCATE, date=day, printed_on=None),
            with_pdf=False,
        ).document.doc_number
        for day in ("2026-11-25", "2026-11-26", "2027-01-04")
    ]

    assert numbers == ["青政办发〔2026〕1号", "青政办发〔2026〕2号", "青政办发〔2027〕1号"]


def test_a_bad_body_is_refused_before_a_number_is_taken(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    body = notice_body(doc_number=ALLOCATE, title=None)

    with pytest.raises(PayloadInvalidError) as caught:
        issue_document(database, files, catalog, None, meeting_id, "meeting-notice", body, idempotency_key="k1")

    assert "title" in caught.value.errors
    assert list_numbers(database, PREFIX, 2026) == []
    assert _count(database, IdempotencyRecord) == 0
    assert reserve_number(database, PREFIX, 2026) == 1


def test_a_prefix_no_number_can_carry_is_refused_before_a_number_is_taken(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    body = notice_body(doc_number={"prefix": "青政 办发"})

    with pytest.raises(PayloadInvalidError) as caught:
        issue_document(database, files, catalog, None, meeting_id, "meeting-notice", body)

    assert "doc_number.prefix" in caught.value.errors
    assert list_numbers(database, "青政 办发", 2026) == []


def test_a_failed_conversion_voids_the_number_and_leaves_nothing_half_made(
    database: Database,
    files: FileStore,
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    meeting_id: str,
    notice_body: BodyFactory,
) -> None:
    body = notice_body(doc_number=ALLOCATE)

    with pytest.raises(ConversionError):
        issue_document(
            database, files, catalog, FailingConverter(), meeting_id, "meeting-notice", body, idempotency_key="k1"
        )

    register = list_numbers(database, PREFIX, 2026)
    assert [(n.serial, n.status, n.reason, n.document_id) for n in register] == [
        (1, "voided", "转换PDF失败（测试） / PDF conversion failed (test)", None)
    ]
    assert list_documents(database, meeting_id) == []
    assert (_count(database, Document), _count(database, IdempotencyRecord), _count(database, StoredFile)) == (0, 0, 0)
    assert not files.root.exists() or not any(path.is_file() for path in files.root.rglob("*"))

    # The retry with the same key proceeds, and numbering goes on after the voided serial without a gap.
    retried = issue_document(
        database, files, catalog, conversion_pool, meeting_id, "meeting-notice", body, idempotency_key="k1"
    )

    assert retried.document.doc_number == "青政办发〔2026〕2号"
    assert [(n.serial, n.status) for n in list_numbers(database, PREFIX, 2026)] == [(1, "voided"), (2, "issued")]


def test_the_same_idempotency_key_gives_one_document_and_one_number(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    body = notice_body(doc_number=ALLOCATE)

    outcomes = [
        issue_document(
            database, files, catalog, None, meeting_id, "meeting-notice", body, idempotency_key="k1", with_pdf=False
        )
        for _ in range(3)
    ]

    assert [o.replayed for o in outcomes] == [False, True, True]
    assert outcomes[1].document == outcomes[2].document == outcomes[0].document
    assert len(list_documents(database, meeting_id)) == 1
    assert [n.serial for n in list_numbers(database, PREFIX, 2026)] == [1]


def test_the_fingerprint_ignores_key_order() -> None:
    assert request_fingerprint({"a": 1, "b": "二"}) == request_fingerprint({"b": "二", "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})


def test_a_number_given_whole_is_recorded_corrected_and_allocates_nothing(
    database: Database, files: FileStore, catalog: TemplateCatalog, meeting_id: str, notice_body: BodyFactory
) -> None:
    body = notice_body(doc_number="青政办发【2026】15号", secrecy="机密★1年", copy_no="000123")

    issued = issue_document(database, files, catalog, None, meeting_id, "meeting-notice", body, with_pdf=False)

    assert issued.document.doc_number == "青政办发〔2026〕15号"
    assert issued.document.secrecy == "机密★1年"
    assert [c.field for c in issued.corrections] == ["doc_number"]
    assert list_numbers(database, PREFIX, 2026) == []


def test_a_document_for_an_unknown_meeting_takes_no_number(
    database: Database, files: FileStore, catalog: TemplateCatalog, notice_body: BodyFactory
) -> None:
    with pytest.raises(NotFoundError):
        issue_document(database, files, catalog, None, "0" * 32, "meeting-notice", notice_body(doc_number=ALLOCATE))

    assert list_numbers(database, PREFIX, 2026) == []


def test_a_pdf_skipped_at_issue_is_rendered_once_when_first_asked_for(
    database: Database,
    files: FileStore,
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    meeting_id: str,
    notice_body: BodyFactory,
) -> None:
    issued = issue_document(
        database, files, catalog, None, meeting_id, "meeting-notice", notice_body(doc_number=ALLOCATE), with_pdf=False
    )
    assert issued.document.pdf is None

    first = ensure_pdf(database, files, catalog, conversion_pool, issued.document.id)
    second = ensure_pdf(database, files, catalog, FailingConverter(), issued.document.id)

    assert first.pdf is not None
    assert second == first
    assert first.pages is not None and first.pages >= 1
    assert "青政办发〔2026〕1号" in _pdf_text(files.read(first.pdf.sha256))


def test_a_late_pdf_is_refused_once_the_template_changed(
    database: Database, files: FileStore, tmp_path: Path, meeting_id: str, notice_body: BodyFactory
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(Settings().templates_dir, templates)
    catalog = TemplateCatalog(templates)
    issued = issue_document(database, files, catalog, None, meeting_id, "meeting-notice", notice_body(), with_pdf=False)
    template = catalog.resolve("meeting-notice").path("document")
    template.write_bytes(template.read_bytes() + b"\n")

    with pytest.raises(ConflictError) as caught:
        ensure_pdf(database, files, catalog, FailingConverter(), issued.document.id)

    assert "模板已更改" in caught.value.detail
