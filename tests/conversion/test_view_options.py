"""What LibreOffice 7.4 itself writes for the view the worker asks for (VIEW_FILTER_DATA), against the real office.

It writes the opening view (page 1, /XYZ at 100 %, one column, and for a document with a title the title in the
window) but has no option for /PrintScaling: stabilise_pdf adds that (tests/postprocess/test_viewer.py).
"""

from __future__ import annotations

import io

import pytest
from docx import Document

from service.conversion import ConversionPool
from tests.postprocess.pdfa_checks import catalog, pdfa_problems
from tests.postprocess.print_checks import PrintView, viewer_preferences

PDF_KINDS = pytest.mark.parametrize("pdfa", [False, True], ids=["plain", "pdfa-2b"])


@pytest.fixture(scope="module")
def titled_docx(sample_docx: bytes) -> bytes:
    """The sample notice with a title in its core properties, as every template's DOCX has."""
    document = Document(io.BytesIO(sample_docx))
    document.core_properties.title = "关于召开二〇二六年度工作会议的通知"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@PDF_KINDS
def test_libreoffice_opens_the_first_page_at_100_percent_in_one_column(
    shared_pool: ConversionPool, titled_docx: bytes, pdfa: bool
) -> None:
    view = PrintView.of(shared_pool.convert(titled_docx, pdfa=pdfa))

    assert view.opens_at == 0
    assert view.view == ("/XYZ", None, None, 1)
    assert view.page_layout == "/OneColumn"
    assert view.page_mode is None  # InitialView 0: no outline or thumbnail panel
    assert view.display_doc_title is True


@PDF_KINDS
def test_libreoffice_74_leaves_print_scaling_to_the_viewer(
    shared_pool: ConversionPool, titled_docx: bytes, pdfa: bool
) -> None:
    pdf = shared_pool.convert(titled_docx, pdfa=pdfa)

    assert "/DisplayDocTitle" in viewer_preferences(pdf)
    assert "/PrintScaling" not in viewer_preferences(pdf)
    assert PrintView.of(pdf).pdfium_scales_to_fit


def test_without_a_title_libreoffice_writes_no_viewer_preferences(
    shared_pool: ConversionPool, sample_docx: bytes
) -> None:
    pdf = shared_pool.convert(sample_docx)

    assert "/ViewerPreferences" not in catalog(pdf)
    assert PrintView.of(pdf).opens_at == 0


def test_the_view_options_keep_the_pdfa_export_pdfa_2b(shared_pool: ConversionPool, titled_docx: bytes) -> None:
    assert pdfa_problems(shared_pool.convert(titled_docx, pdfa=True)) == []
