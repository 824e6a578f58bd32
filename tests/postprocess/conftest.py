"""Fixtures of the post-processing tests: a real meeting notice from LibreOffice, plain and PDF/A-2b."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.postprocess.determinism import stabilise_pdf
from tests.conftest import load_example

NOTICE_DATE = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture(scope="session")
def notice_docx_bytes() -> bytes:
    catalog = TemplateCatalog(Settings().templates_dir)
    return render_document(catalog, "meeting-notice", load_example("meeting-notice"), OutputFormat.DOCX).content


@pytest.fixture(scope="session")
def pdfa_notice(conversion_pool: ConversionPool, notice_docx_bytes: bytes) -> bytes:
    """The example notice as an archive copy: PDF/A-2b, stabilised (four A4 pages)."""
    return stabilise_pdf(conversion_pool.convert(notice_docx_bytes, pdfa=True), NOTICE_DATE)


@pytest.fixture(scope="session")
def plain_notice(conversion_pool: ConversionPool, notice_docx_bytes: bytes) -> bytes:
    """The example notice as the service prints it: plain PDF, stabilised."""
    return stabilise_pdf(conversion_pool.convert(notice_docx_bytes), NOTICE_DATE)
