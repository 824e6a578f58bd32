"""merge_pdfs and extract_pages: parts in order, an outline entry per named part, the document's metadata in Info
and XMP, PDF/A-2b kept when every part is, equal bytes for equal input."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader, PdfWriter

from service.errors import RenderError
from service.postprocess.merge import FILE_ID_BYTES, PdfMetadata, PdfPart, extract_pages, merge_pdfs, page_count
from tests.postprocess.pdf_factory import PageSpec, pdf_of
from tests.postprocess.pdfa_checks import catalog, pdfa_claim, pdfa_problems, xmp, xmp_value

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


# -- XMP and PDF/A-2b ------------------------------------------------------------------------------------


def test_metadata_is_repeated_in_xmp() -> None:
    merged = merge_pdfs(parts(), replace(METADATA, keywords="会议纪要; 反馈"))
    root = xmp(merged)

    assert root is not None
    assert xmp_value(root, "dc:title") == "会议纪要意见反馈单"
    assert xmp_value(root, "dc:creator") == "青山县人民政府办公室"
    assert xmp_value(root, "dc:description") == "研究县城老旧小区改造2027年实施计划有关事项"
    assert xmp_value(root, "pdf:Keywords") == "会议纪要; 反馈"
    assert xmp_value(root, "xmp:CreatorTool") == "Gongwen"
    assert xmp_value(root, "xmp:CreateDate") == xmp_value(root, "xmp:ModifyDate") == "2026-11-20T00:00:00Z"
    assert read(merged).metadata["/Keywords"] == "会议纪要; 反馈"  # type: ignore[index]


def test_empty_keywords_are_left_out_of_info_and_xmp() -> None:
    merged = merge_pdfs(parts(), METADATA)
    root = xmp(merged)

    assert "/Keywords" not in read(merged).metadata  # type: ignore[operator]
    assert root is not None and xmp_value(root, "pdf:Keywords") is None


def test_plain_parts_make_a_file_that_claims_nothing() -> None:
    merged = merge_pdfs(parts(), METADATA)

    assert pdfa_claim(merged) == (None, None)
    assert "/OutputIntents" not in catalog(merged)


def rgb_pdfa(width: float = 500) -> bytes:
    return pdf_of([PageSpec(media=(0, 0, width, 842))], claim="2B", intent_space=b"RGB ")


@pytest.mark.parametrize(
    "odd_one",
    [
        pdf_of([PageSpec()]),
        pdf_of([PageSpec()], claim="1B", intent_space=b"RGB "),
        pdf_of([PageSpec()], claim="2A", intent_space=b"RGB "),
        pdf_of([PageSpec()], claim="2B"),
        pdf_of([PageSpec()], claim="2B", intent_space=b"CMYK"),
    ],
    ids=["plain", "pdfa-1b", "pdfa-2a", "no-intent", "cmyk-intent"],
)
def test_one_part_that_is_not_pdfa_2b_alike_takes_the_claim_away(odd_one: bytes) -> None:
    merged = merge_pdfs([PdfPart(rgb_pdfa(), "甲"), PdfPart(odd_one, "乙")], METADATA)

    assert pdfa_claim(merged) == (None, None)
    assert "/OutputIntents" not in catalog(merged)


def test_parts_that_all_claim_pdfa_2b_make_a_pdfa_2b_file() -> None:
    merged = merge_pdfs([PdfPart(rgb_pdfa(500), "甲"), PdfPart(rgb_pdfa(510), "乙")], METADATA)

    assert pdfa_claim(merged) == ("2", "B")
    assert len(catalog(merged)["/OutputIntents"]) == 1


def test_libreoffice_pdfa_parts_merge_into_pdfa_2b(pdfa_notice: bytes) -> None:
    merged = merge_pdfs([PdfPart(pdfa_notice, "通知"), PdfPart(pdfa_notice, "通知（二）")], METADATA)

    assert pdfa_problems(merged) == []
    assert len(read(merged).pages) == 2 * len(read(pdfa_notice).pages)
    # pypdf copies pages without the structure tree, so nothing may point into one.
    assert all("/StructParents" not in page for page in read(merged).pages)
    assert merged == merge_pdfs([PdfPart(pdfa_notice, "通知"), PdfPart(pdfa_notice, "通知（二）")], METADATA)


def test_a_plain_libreoffice_part_makes_the_merge_plain(pdfa_notice: bytes, plain_notice: bytes) -> None:
    merged = merge_pdfs([PdfPart(pdfa_notice, "通知"), PdfPart(plain_notice, "通知（打印件）")], METADATA)

    assert pdfa_claim(merged) == (None, None)
    assert "/OutputIntents" not in catalog(merged)


# -- extract_pages -----------------------------------------------------------------------------------------


def test_extract_pages_takes_the_pages_asked_for_in_order() -> None:
    source = blank_pdf(500, 510, 520, 530)

    taken = read(extract_pages(source, [2, 0]))

    assert [round(float(page.mediabox.width)) for page in taken.pages] == [520, 500]


def test_extract_pages_keeps_a_pdfa_sources_claim_info_and_xmp(pdfa_notice: bytes) -> None:
    taken = extract_pages(pdfa_notice, [1, 2])

    assert pdfa_problems(taken) == []
    assert read(taken).metadata == read(pdfa_notice).metadata
    assert (
        catalog(taken)["/Metadata"].get_object().get_data() == catalog(pdfa_notice)["/Metadata"].get_object().get_data()
    )
    assert extract_pages(pdfa_notice, [1, 2]) == taken


def test_extract_pages_with_metadata_describes_the_new_file(pdfa_notice: bytes) -> None:
    taken = extract_pages(pdfa_notice, [0], METADATA)
    root = xmp(taken)

    assert pdfa_problems(taken) == []
    assert read(taken).metadata["/Title"] == METADATA.title  # type: ignore[index]
    assert root is not None and xmp_value(root, "dc:title") == METADATA.title


def test_a_page_the_pdf_does_not_have_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="cannot be taken"):
        extract_pages(blank_pdf(500), [1])
