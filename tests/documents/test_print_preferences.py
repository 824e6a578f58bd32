"""Print (打印): what the service hands out opens in a browser's viewer at page 1 at 100 % and prints at actual
A4 size, through the real pipeline and LibreOffice.

Measured on the files themselves (tests/postprocess/print_checks.py): the catalog's OpenAction (page 1,
/XYZ null null 1), /PageLayout /OneColumn, /ViewerPreferences with /PrintScaling /None and /DisplayDocTitle
true, every page 595.28 × 841.89 pt (±0.5), and PDFium's print-scaling answer. See
docs/decisions/0016-pdf-print-preferences.md.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents import archiving
from service.documents.archiving import ArchiveEntry, StampedItem
from service.documents.pipeline import Converter, OutputFormat, TemplateCatalog, render_document
from tests.conftest import load_example
from tests.documents.test_archiving import FILING
from tests.postprocess.pdfa_checks import pdfa_problems
from tests.postprocess.print_checks import PrintView, print_view_problems


@pytest.fixture(scope="module")
def catalog() -> TemplateCatalog:
    return TemplateCatalog(Settings().templates_dir)


def render_pdf(catalog: TemplateCatalog, kind: str, converter: Converter) -> bytes:
    return render_document(catalog, kind, load_example(kind), OutputFormat.PDF, converter).content


@pytest.fixture(scope="module")
def notice(catalog: TemplateCatalog, conversion_pool: ConversionPool) -> bytes:
    return render_pdf(catalog, "meeting-notice", conversion_pool)


@pytest.fixture(scope="module")
def slips(catalog: TemplateCatalog, conversion_pool: ConversionPool) -> bytes:
    """The feedback slips: one part per unit, rendered apart and merged (merge.py) into one PDF."""
    return render_pdf(catalog, "minutes-feedback-slip", conversion_pool)


@pytest.fixture(scope="module")
def archive_converter(conversion_pool: ConversionPool) -> archiving.PdfaConverter:
    return archiving.PdfaConverter(conversion_pool)


@pytest.fixture(scope="module")
def archive_copies(catalog: TemplateCatalog, archive_converter: archiving.PdfaConverter) -> list[bytes]:
    """The notice and the feedback slips as PDF/A-2b archive copies."""
    return [render_pdf(catalog, kind, archive_converter) for kind in ("meeting-notice", "minutes-feedback-slip")]


def test_a_meeting_notice_opens_at_page_1_at_100_percent_and_prints_at_actual_a4(notice: bytes) -> None:
    view = PrintView.of(notice)

    assert print_view_problems(notice) == []
    assert view.opens_at == 0
    assert view.view == ("/XYZ", None, None, 1)
    assert view.print_scaling == "/None"
    assert not view.pdfium_scales_to_fit
    assert len(view.page_sizes) == 4
    for width, height in view.page_sizes:
        assert width == pytest.approx(595.28, abs=0.5)
        assert height == pytest.approx(841.89, abs=0.5)


def test_merged_feedback_slips_open_at_the_first_units_first_page(slips: bytes) -> None:
    view = PrintView.of(slips)

    assert print_view_problems(slips) == []
    assert view.page_mode == "/UseOutlines"  # merged: one outline entry per unit
    assert len(view.page_sizes) == len(load_example("minutes-feedback-slip")["units"])


def test_archive_copies_print_at_actual_size_and_stay_pdfa_2b(archive_copies: list[bytes]) -> None:
    assert [print_view_problems(pdf) for pdf in archive_copies] == [[], []]
    assert [pdfa_problems(pdf) for pdf in archive_copies] == [[], []]


@pytest.mark.parametrize("kind", ["meeting-notice", "minutes-feedback-slip"])
def test_rendering_twice_gives_the_same_sha256(
    catalog: TemplateCatalog, conversion_pool: ConversionPool, notice: bytes, slips: bytes, kind: str
) -> None:
    first = {"meeting-notice": notice, "minutes-feedback-slip": slips}[kind]
    again = render_pdf(catalog, kind, conversion_pool)

    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first).hexdigest()


def test_an_archive_box_and_its_forms_print_at_actual_size(
    catalog: TemplateCatalog, conversion_pool: ConversionPool, archive_copies: list[bytes]
) -> None:
    filing = archiving.load_filing(FILING)
    described = [(41, "关于召开会议的通知", date(2026, 11, 25)), (42, "会议纪要意见反馈单", date(2026, 11, 28))]
    entries = [
        (number, ArchiveEntry(title, "青山县人民政府办公室", "", day, "", archiving.page_count(pdf)))
        for (number, title, day), pdf in zip(described, archive_copies, strict=True)
    ]
    stamps = archiving.render_stamps(catalog, conversion_pool, filing, [(n, e.pages) for n, e in entries])
    items = [
        StampedItem(number, entry, archiving.stamp_item(pdf, stamp))
        for (number, entry), pdf, stamp in zip(entries, archive_copies, stamps, strict=True)
    ]
    forms = archiving.render_box_forms(catalog, conversion_pool, filing, entries)

    box = archiving.assemble_box(forms, items, filing)

    assert print_view_problems(box) == []
    assert pdfa_problems(box) == []
    assert [print_view_problems(item.pdf) for item in items] == [[], []]
    for form in (forms.cover, forms.catalogue, forms.notes, forms.spine):
        assert print_view_problems(form) == []
    assert archiving.assemble_box(forms, items, filing) == box
