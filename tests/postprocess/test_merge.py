"""merge_pdfs: parts in order, an outline entry per named part, the document's metadata, equal bytes for equal input."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader, PdfWriter

from service.errors import RenderError
from service.postprocess.merge import FILE_ID_BYTES, PdfMetadata, PdfPart, merge_pdfs, page_count

CREATED = datetime(2026, 11, 20, tzinfo=UTC)
METADATA = PdfMetadata(
    title="会议纪要意见反馈单",
    author="青山县人民政府办公室",
    subject="研究县城老旧小区改造2027年实施计划有关事项",
    created=CREATED,
)
UNITS = ["县住建局", "县财政局", "县自然资源和规划局"]


def blank_pdf(*widths: int) -> bytes:
    """A PDF with one blank page per width (points; 842 tall), so pages can be told apart after merging."""
    writer = PdfWriter()
    for width in widths:
        writer.add_blank_page(width=width, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def parts(bookmarks: list[str] = UNITS) -> list[PdfPart]:
    # The second part has two pages, so an outline entry must point at the part's first page.
    pages = [(500,), (510, 511), (520,)]
    return [PdfPart(blank_pdf(*widths), bookmark) for widths, bookmark in zip(pages, bookmarks, strict=True)]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def test_pages_follow_the_parts_in_order() -> None:
    reader = read(merge_pdfs(parts(), METADATA))

    assert [round(float(page.mediabox.width)) for page in reader.pages] == [500, 510, 511, 520]


def test_each_named_part_gets_an_outline_entry_at_its_first_page() -> None:
    reader = read(merge_pdfs(parts(), METADATA))

    outline = reader.outline
    assert [entry.title for entry in outline] == UNITS
    assert [reader.get_destination_page_number(entry) for entry in outline] == [0, 1, 3]
    assert reader.page_mode == "/UseOutlines"


def test_unnamed_parts_make_no_outline() -> None:
    reader = read(merge_pdfs(parts(["", "", ""]), METADATA))

    assert reader.outline == []
    assert reader.page_mode != "/UseOutlines"
    assert len(reader.pages) == 4


def test_metadata_is_the_documents_and_dated_from_its_own_date() -> None:
    info = read(merge_pdfs(parts(), METADATA)).metadata

    assert info is not None
    assert info.title == "会议纪要意见反馈单"
    assert info.author == "青山县人民政府办公室"
    assert info.subject == "研究县城老旧小区改造2027年实施计划有关事项"
    assert info.creator == "Gongwen"
    assert info["/CreationDate"] == "D:20261120000000Z"
    assert info["/ModDate"] == info["/CreationDate"]


def test_creation_date_is_written_in_utc() -> None:
    china = timezone(timedelta(hours=8))
    metadata = PdfMetadata("标题", "机关", "主题", datetime(2026, 11, 20, 8, 0, tzinfo=china))

    assert read(merge_pdfs(parts(), metadata)).metadata["/CreationDate"] == "D:20261120000000Z"  # type: ignore[index]


def test_equal_input_gives_equal_bytes() -> None:
    assert merge_pdfs(parts(), METADATA) == merge_pdfs(parts(), METADATA)


def test_file_id_is_derived_from_the_content() -> None:
    first = read(merge_pdfs(parts(), METADATA)).trailer["/ID"]
    other = read(merge_pdfs(parts(["甲", "乙", "丙"]), METADATA)).trailer["/ID"]

    # pypdf reads an ID that happens to decode as text as a TextStringObject; its bytes are kept.
    assert len(getattr(first[0], "original_bytes", first[0])) == FILE_ID_BYTES
    assert first[0] == first[1]
    assert first != other


def test_page_count_counts_the_merged_pages() -> None:
    assert page_count(merge_pdfs(parts(), METADATA)) == 4


@pytest.mark.parametrize("broken", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF"], ids=["empty", "text", "truncated"])
def test_unreadable_part_is_a_render_error(broken: bytes) -> None:
    with pytest.raises(RenderError, match="cannot be merged"):
        merge_pdfs([PdfPart(blank_pdf(500), "甲"), PdfPart(broken, "乙")], METADATA)


def test_unreadable_pdf_cannot_be_counted() -> None:
    with pytest.raises(RenderError, match="cannot be read"):
        page_count(b"not a pdf")
