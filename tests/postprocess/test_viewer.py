"""Every PDF post-processing writes opens at page 1 at 100 % in one column and prints at actual size.

LibreOffice's own output gets /PrintScaling /None from stabilise_pdf (LibreOffice writes the rest itself, see
tests/conversion/test_view_options.py); files written with pypdf (merged, extracted, split, stamped) get all of
it from set_print_view. Read back with pypdf and with PDFium, whose answer Chrome's print preview starts from.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pypdf import PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject

from service.conversion import ConversionPool
from service.errors import RenderError
from service.postprocess.determinism import stabilise_pdf
from service.postprocess.merge import PdfMetadata, PdfPart, extract_pages, merge_pdfs
from service.postprocess.stamp import split_pages, stamp_first_page
from service.postprocess.viewer import with_print_scaling
from tests.postprocess.pdf_factory import A4, PageSpec, drawn_stamp, pdf_of
from tests.postprocess.pdfa_checks import pdfa_problems
from tests.postprocess.print_checks import PrintView, print_view_problems, viewer_preferences

CREATED = datetime(2026, 11, 25, tzinfo=UTC)
METADATA = PdfMetadata(title="会议纪要意见反馈单", author="青山县人民政府办公室", subject="反馈", created=CREATED)
LANDSCAPE = PageSpec(media=(0, 0, A4[1], A4[0]))


# -- LibreOffice's output, stabilised -------------------------------------------------------------------------


def test_a_stabilised_notice_opens_at_page_1_at_100_percent_and_prints_at_actual_size(plain_notice: bytes) -> None:
    view = PrintView.of(plain_notice)

    assert print_view_problems(plain_notice) == []
    assert (view.opens_at, view.view, view.print_scaling) == (0, ("/XYZ", None, None, 1), "/None")
    assert len(view.page_sizes) > 1  # every page is measured as A4, not only the first


def test_a_stabilised_pdfa_notice_does_too_and_stays_pdfa_2b(pdfa_notice: bytes) -> None:
    assert print_view_problems(pdfa_notice) == []
    assert pdfa_problems(pdfa_notice) == []


def test_pdfium_would_scale_libreoffices_own_pdf_to_fit_but_not_the_stabilised_one(
    conversion_pool: ConversionPool, notice_docx_bytes: bytes
) -> None:
    raw = conversion_pool.convert(notice_docx_bytes)

    assert PrintView.of(raw).pdfium_scales_to_fit
    assert not PrintView.of(stabilise_pdf(raw, CREATED)).pdfium_scales_to_fit


def test_stabilising_a_stabilised_pdf_changes_nothing(plain_notice: bytes, pdfa_notice: bytes) -> None:
    assert stabilise_pdf(plain_notice, CREATED) == plain_notice
    assert stabilise_pdf(pdfa_notice, CREATED) == pdfa_notice


# A titled document's catalog as LibreOffice 7.4 writes it, less its /PageLayout and /OpenAction lines.
LIBREOFFICE_CATALOG = (
    b"33 0 obj\n<</Type/Catalog/Pages 10 0 R\n/ViewerPreferences<</DisplayDocTitle true\n>>\n>>\nendobj"
)


@pytest.mark.parametrize(
    ("catalog_object", "expected"),
    [
        pytest.param(
            LIBREOFFICE_CATALOG,
            b"33 0 obj\n<</Type/Catalog/Pages 10 0 R\n"
            b"/ViewerPreferences<</PrintScaling/None/DisplayDocTitle true\n>>\n>>\nendobj",
            id="libreoffice-preferences",
        ),
        pytest.param(
            b"7 0 obj\n<</Type/Catalog/Pages 2 0 R\n/Lang(zh-CN)\n>>\nendobj",
            b"7 0 obj\n<</ViewerPreferences<</PrintScaling/None>>/Type/Catalog/Pages 2 0 R\n/Lang(zh-CN)\n>>\nendobj",
            id="untitled-without-preferences",
        ),
        pytest.param(
            b"7 0 obj <</Type/Catalog/ViewerPreferences << /PrintScaling /AppDefault >> >> endobj",
            b"7 0 obj <</Type/Catalog/ViewerPreferences << /PrintScaling/None >> >> endobj",
            id="app-default-replaced",
        ),
        pytest.param(
            b"7 0 obj <</Type/Catalog/ViewerPreferences<</PrintScaling/None>> >> endobj",
            b"7 0 obj <</Type/Catalog/ViewerPreferences<</PrintScaling/None>> >> endobj",
            id="already-none",
        ),
    ],
)
def test_print_scaling_goes_into_the_catalog_and_nothing_else_changes(catalog_object: bytes, expected: bytes) -> None:
    assert with_print_scaling(catalog_object) == expected


@pytest.mark.parametrize(
    "catalog_object",
    [
        pytest.param(b"7 0 obj <</Type/Catalog/ViewerPreferences 9 0 R>> endobj", id="preferences-apart"),
        pytest.param(b"7 0 obj [/Catalog] endobj", id="no-dictionary"),
    ],
)
def test_a_catalog_that_cannot_be_edited_in_place_is_a_render_error(catalog_object: bytes) -> None:
    with pytest.raises(RenderError):
        with_print_scaling(catalog_object)


# -- files written with pypdf ---------------------------------------------------------------------------------

WRITERS: dict[str, Callable[[bytes], bytes]] = {
    "merge": lambda pdf: merge_pdfs([PdfPart(pdf, "甲"), PdfPart(pdf, "乙")], METADATA),
    "merge-unnamed": lambda pdf: merge_pdfs([PdfPart(pdf), PdfPart(pdf)], METADATA),
    "extract": lambda pdf: extract_pages(pdf, [1, 0]),
    "extract-described": lambda pdf: extract_pages(pdf, [1], METADATA),
    "split": lambda pdf: split_pages(pdf)[1],
    "stamp": lambda pdf: stamp_first_page(pdf, drawn_stamp()),
}


@pytest.mark.parametrize("write", WRITERS.values(), ids=WRITERS.keys())
def test_every_file_written_with_pypdf_opens_at_its_first_page_at_100_percent(write: Callable[[bytes], bytes]) -> None:
    # Two pages of different shapes, so the first page of the result can be told apart from the others.
    written = write(pdf_of([PageSpec(), LANDSCAPE]))

    assert print_view_problems(written, a4=False) == []


def test_a_merged_file_opens_at_the_first_page_of_its_first_part() -> None:
    merged = merge_pdfs([PdfPart(pdf_of([LANDSCAPE]), "甲"), PdfPart(pdf_of([PageSpec()]), "乙")], METADATA)

    view = PrintView.of(merged)
    assert view.opens_at == 0
    assert view.page_sizes[0] == pytest.approx((A4[1], A4[0]))
    assert view.page_mode == "/UseOutlines"  # the parts' outline stays open beside the page


def test_merged_libreoffice_notices_print_at_actual_size_as_pdfa_2b(pdfa_notice: bytes) -> None:
    merged = merge_pdfs([PdfPart(pdfa_notice, "县住建局"), PdfPart(pdfa_notice, "县财政局")], METADATA)

    assert print_view_problems(merged) == []
    assert pdfa_problems(merged) == []
    assert merged == merge_pdfs([PdfPart(pdfa_notice, "县住建局"), PdfPart(pdfa_notice, "县财政局")], METADATA)


def test_a_stamped_pdfa_notice_prints_at_actual_size_and_stays_pdfa_2b(pdfa_notice: bytes) -> None:
    stamped = stamp_first_page(pdfa_notice, drawn_stamp())

    assert print_view_problems(stamped) == []
    assert pdfa_problems(stamped) == []


def test_a_stamped_sources_other_viewer_preferences_stay() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_of([PageSpec()])))
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/Direction"): NameObject("/L2R"), NameObject("/DisplayDocTitle"): BooleanObject(False)}
    )
    source = io.BytesIO()
    writer.write(source)

    stamped = stamp_first_page(source.getvalue(), drawn_stamp())

    assert print_view_problems(stamped) == []
    assert viewer_preferences(stamped)["/Direction"] == "/L2R"
