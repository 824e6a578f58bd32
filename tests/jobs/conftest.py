"""Fixtures of the archive-run tests: a migrated registry, a file store, issued documents and a filing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.issuing import issue_document
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.storage import registry
from service.storage.database import Database
from service.storage.files import FileStore
from tests.conftest import load_example

# One of every kind a meeting files; the feedback slip makes one page per unit, so 件 differ in length.
FILED_KINDS = (
    "meeting-notice",
    "reply-slip",
    "sign-in-sheet",
    "meeting-minutes",
    "minutes-feedback-slip",
    "meeting-brief",
)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    found = Database.from_settings(settings)
    found.migrate()
    yield found
    found.dispose()


@pytest.fixture
def files(settings: Settings) -> FileStore:
    return FileStore(settings.files_dir)


@pytest.fixture
def catalog(settings: Settings) -> TemplateCatalog:
    return TemplateCatalog(settings.templates_dir)


def filing(**overrides: Any) -> dict[str, Any]:
    """The filing part of a run request, as an archivist of the example office fills it in."""
    return {
        "fonds_no": "J012",
        "fonds_name": "青山县人民政府办公室",
        "year": 2026,
        "retention": "定期30年",
        "organization": "秘书科",
        "start_item_no": 41,
        "box_no": 3,
        "compiled_by": "李明",
        "compiled_on": "2026-12-20",
        **overrides,
    }


def issue_meeting(
    database: Database,
    files: FileStore,
    catalog: TemplateCatalog,
    pool: ConversionPool,
    *,
    copies: int = 1,
    kinds: tuple[str, ...] = FILED_KINDS,
) -> tuple[str, list[str]]:
    """A meeting with `copies` of each kind's example issued for it (DOCX only, as an office would)."""
    meeting = registry.create_meeting(database, title="全县冬春季安全生产工作会议")
    ids = []
    for copy in range(copies):
        for kind in kinds:
            body = load_example(kind)
            if kind == "meeting-notice" and copy:
                body["doc_number"] = f"青政办发〔2026〕{100 + copy}号"
            issued = issue_document(database, files, catalog, pool, meeting.id, kind, body, with_pdf=False)
            ids.append(issued.document.id)
    return meeting.id, ids


def upload_scan(database: Database, files: FileStore, catalog: TemplateCatalog, pool: ConversionPool) -> str:
    """A signed sign-in sheet as an office scans it back: a plain PDF (not PDF/A) from outside the registry."""
    pdf = render_document(catalog, "sign-in-sheet", load_example("sign-in-sheet"), OutputFormat.PDF, pool).content
    sha256 = files.put(pdf)
    registry.record_file(database, registry.NewFile(sha256, "application/pdf", len(pdf), "签到表扫描件.pdf", 2))
    return sha256


def manifest_entry_for_scan(sha256: str) -> dict[str, Any]:
    return {
        "file": sha256,
        "title": "全县冬春季安全生产工作会议签到表（签字扫描件）",
        "responsible": "青山县人民政府办公室",
        "date": "2026-12-03",
        "remarks": "扫描件",
    }


def pool_dir(tmp_path: Path) -> Path:
    found = tmp_path / "pool"
    found.mkdir()
    return found
