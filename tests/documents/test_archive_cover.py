"""The 归档 cover set's context and DOCX: four portrait A4 sections, the 目录 rows, the 盒脊 width; and the 归档章."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from schemas.archive_cover import ArchiveCoverSchema
from schemas.archive_stamp import ArchiveStampSchema
from service.config import Settings
from service.documents import archive_cover, archive_stamp
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.rendering.ooxml import qn
from tests.conftest import body_for, load_example


def cover_context(**overrides: Any) -> dict[str, Any]:
    data = ArchiveCoverSchema().load(body_for("archive-cover")(**overrides))
    data.pop("corrections")
    return archive_cover.build_context(data)


def stamp_context(**overrides: Any) -> dict[str, Any]:
    data = ArchiveStampSchema().load(body_for("archive-stamp")(**overrides))
    data.pop("corrections")
    return archive_stamp.build_context(data)


def render_docx(kind: str, body: dict[str, Any]) -> Any:
    catalog = TemplateCatalog(Settings().templates_dir)
    return Document(io.BytesIO(render_document(catalog, kind, body, OutputFormat.DOCX).content))


# -- context -----------------------------------------------------------------------------------------------


def test_catalogue_rows_print_item_numbers_as_four_digits_and_dates_as_eight() -> None:
    items = cover_context()["items"]

    assert [(i["item_no"], i["date"], i["pages"]) for i in items] == [
        ("0041", "20261125", "3"),
        ("0042", "20261203", "2"),
        ("0043", "20261127", "2"),
    ]
    assert [i["doc_number"] for i in items] == ["青政办发〔2026〕15号", "", ""]
    assert items[2]["remarks"] == "附意见反馈单4份"


def test_cover_fields_come_from_the_body() -> None:
    context = cover_context()

    assert {key: context[key] for key in ("fonds_name", "fonds_no", "year", "retention", "organization", "box_no")} == {
        "fonds_name": "青山县人民政府办公室",
        "fonds_no": "J012",
        "year": "2026",
        "retention": "定期30年",
        "organization": "秘书科",
        "box_no": "3",
    }
    assert (context["first_item"], context["last_item"], context["item_range"]) == ("0041", "0043", "0041—0043")


def test_one_item_box_has_a_single_number_for_its_range() -> None:
    item = load_example("archive-cover")["items"][0]

    context = cover_context(items=[item])

    assert context["item_range"] == "0041"
    assert context["notes"][0] == "本盒共有文件1件（第0041号），共3页。"


def test_reference_table_counts_items_and_pages_before_the_clerks_notes() -> None:
    context = cover_context()

    assert context["notes"] == ["本盒共有文件3件（第0041至0043号），共7页。", "本盒文件齐全完整，无破损。"]
    assert (context["compiled_by"], context["compiled_on"]) == ("陈晓东", "2026年12月10日")
    assert (context["checked_by"], context["checked_on"]) == ("周敏", "2026年12月11日")


def test_unsigned_reference_table_leaves_blanks_for_handwriting() -> None:
    context = cover_context(compiled_by="", compiled_on=None, checked_by="", checked_on=None, notes="")

    assert [context[k] for k in ("compiled_by", "compiled_on", "checked_by", "checked_on")] == ["", "", "", ""]
    assert len(context["notes"]) == 1


@pytest.mark.parametrize(
    ("spine", "label_pt", "value_pt"),
    [
        pytest.param(20, 7.5, 12, id="20mm"),
        pytest.param(30, 12, 16, id="30mm"),
        pytest.param(50, 12, 16, id="50mm"),
    ],
)
def test_spine_type_sizes_fit_the_spine_width(spine: int, label_pt: float, value_pt: float) -> None:
    context = cover_context(spine_width=spine)

    assert context["spine_width"] == round(spine * 1440 / 25.4)
    assert (context["spine_label_size"], context["spine_value_size"]) == (label_pt * 2, value_pt * 2)


@pytest.mark.parametrize(
    ("organization", "sizes"),
    [
        pytest.param("秘书科", {"organization": 18, "retention": 18}, id="all-in-9pt"),
        pytest.param("办公室综合信息科", {"organization": 13, "retention": 18}, id="long-organization-wraps"),
    ],
)
def test_stamp_cells_get_a_size_that_fits(organization: str, sizes: dict[str, int]) -> None:
    context = stamp_context(organization=organization)

    assert {key: context["sizes"][key] for key in sizes} == sizes
    assert (context["item_no"], context["year"], context["retention"], context["pages"]) == (
        "0041",
        "2026",
        "定期30年",
        "3",
    )


# -- DOCX --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cover_docx() -> Any:
    return render_docx("archive-cover", load_example("archive-cover"))


def test_docx_has_four_portrait_a4_sections_without_headers_or_footers(cover_docx: Any) -> None:
    sections = cover_docx.sections

    assert len(sections) == 4
    for section in sections:
        assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
        assert section.orientation == WD_ORIENT.PORTRAIT
        sectpr = section._sectPr
        assert sectpr.find(qn("w:headerReference")) is None
        assert sectpr.find(qn("w:footerReference")) is None
        assert sectpr.find(qn("w:docGrid")) is None


def test_form_sections_have_25mm_binding_margin_and_170mm_width(cover_docx: Any) -> None:
    for section in cover_docx.sections[:3]:
        assert round(section.left_margin.mm, 1) == 25.0
        assert round(section.right_margin.mm, 1) == 15.0
        assert round(section.top_margin.mm, 1) == round(section.bottom_margin.mm, 1) == 20.0


def test_spine_section_centres_a_label_as_wide_as_the_spine() -> None:
    document = render_docx("archive-cover", {**load_example("archive-cover"), "spine_width": 30})
    section = document.sections[-1]
    label = document.tables[-1]
    width = int(label._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")))

    assert width == round(30 * 1440 / 25.4)
    assert abs(section.left_margin.twips - (11906 - width) / 2) <= 1
    assert abs(section.right_margin.twips - (11906 - width) / 2) <= 1
    heights = [int(row._tr.trPr.find(qn("w:trHeight")).get(qn("w:val"))) for row in label.rows]
    assert abs(sum(heights) - 270 * 1440 / 25.4) <= 10  # 270 mm, to a few twips of rounding


def test_catalogue_repeats_title_and_header_rows_and_no_row_splits(cover_docx: Any) -> None:
    catalogue = cover_docx.tables[1]
    rows = catalogue.rows

    assert [c.text for c in rows[1].cells] == ["件号", "文号", "责任者", "题名", "日期", "页数", "备注"]
    assert rows[0].cells[0].text == "归档文件目录"
    assert [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in rows] == [True, True, False, False, False]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert [row.cells[0].text for row in rows[2:]] == ["0041", "0042", "0043"]
    assert [row.cells[4].text for row in rows[2:]] == ["20261125", "20261203", "20261127"]


def test_hostile_text_is_printed_literally() -> None:
    hostile = 'A&B <w:t> "引号" {{ title }} {%p if %}'
    body = load_example("archive-cover")
    body["items"][0]["title"] = hostile
    body["title"] = hostile

    document = render_docx("archive-cover", body)

    assert document.tables[1].rows[2].cells[3].text == hostile
    assert hostile in [p.text for p in document.paragraphs]


def test_stamp_docx_is_one_45_by_16mm_page_with_zero_margins() -> None:
    document = render_docx("archive-stamp", load_example("archive-stamp"))
    (section,) = document.sections

    assert (section.page_width.twips, section.page_height.twips) == (2551, 907)
    assert [section.top_margin, section.right_margin, section.bottom_margin, section.left_margin] == [0, 0, 0, 0]
    assert document.tables == []
