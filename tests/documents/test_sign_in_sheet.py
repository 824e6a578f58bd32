"""The sign-in sheet: its context (numbering, walk-in rows, time and place) and the DOCX table it fills."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from lxml import etree

from service.config import Settings
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document, validate_document
from tests.conftest import BodyFactory
from tests.rendering.docx_xml import Paragraph, Rendered, w, xpath

HEADERS = ["序号", "单位", "姓名", "职务", "签到"]
TWIPS_PER_MM = 1440 / 25.4
HOSTILE = '<w:t>&amp;</w:t> "引号" {{ rows }} {%tr for %}'


def context_for(body: dict[str, Any]) -> dict[str, Any]:
    validated = validate_document("sign-in-sheet", body)
    return validated.kind.build_context(validated.data)


def render_docx(body: dict[str, Any]) -> Rendered:
    catalog = TemplateCatalog(Settings().templates_dir)
    return Rendered(render_document(catalog, "sign-in-sheet", body, OutputFormat.DOCX).content)


def sheet_table(rendered: Rendered) -> etree._Element:
    (table,) = rendered.tables
    return table


def row_texts(table: etree._Element) -> list[list[str]]:
    return [[Paragraph(p).text for p in xpath(tr, "w:tc/w:p")] for tr in xpath(table, "w:tr")]


# -- context ------------------------------------------------------------------------------------------------


def test_example_context_reads_like_the_registration_desk_s_sheet(sheet_body: BodyFactory) -> None:
    context = context_for(sheet_body())

    assert context["title_lines"] == ["全县冬春季安全生产工作会议签到表"]
    assert context["time"] == "2026年12月3日（星期四）上午9:00—11:30"
    assert context["venue"] == "县行政中心三楼第一会议室"
    assert context["rows"][0] == {"no": "1", "unit": "县人民政府办公室", "name": "吴海涛", "title": "副主任"}
    assert len(context["rows"]) == 25


def test_blank_rows_continue_the_numbering(sheet_body: BodyFactory) -> None:
    rows = context_for(sheet_body())["rows"]

    assert [row["no"] for row in rows] == [str(n) for n in range(1, 26)]
    assert rows[20:] == [{"no": str(n), "unit": "", "name": "", "title": ""} for n in range(21, 26)]


def test_only_blank_rows_make_a_blank_sheet(sheet_body: BodyFactory) -> None:
    rows = context_for(sheet_body(attendees=None, blank_rows=3))["rows"]

    assert rows == [{"no": str(n), "unit": "", "name": "", "title": ""} for n in (1, 2, 3)]


def test_missing_parts_of_an_attendee_are_left_blank(sheet_body: BodyFactory) -> None:
    rows = context_for(sheet_body(attendees=[{"unit": "县公安局"}, {"name": "秦磊"}], blank_rows=0))["rows"]

    assert rows == [
        {"no": "1", "unit": "县公安局", "name": "", "title": ""},
        {"no": "2", "unit": "", "name": "秦磊", "title": ""},
    ]


def test_meeting_without_end_shows_its_start(sheet_body: BodyFactory) -> None:
    assert context_for(sheet_body(meeting__end=None))["time"] == "2026年12月3日（星期四）上午9:00"


def test_given_title_replaces_the_default(sheet_body: BodyFactory) -> None:
    title = "冬春季安全生产工作会议签到表（乡镇组）"

    assert context_for(sheet_body(title=title))["title_lines"] == [title]


# -- DOCX ---------------------------------------------------------------------------------------------------


def test_table_spans_the_block_with_a_wide_signature_column(sheet_body: BodyFactory) -> None:
    table = sheet_table(render_docx(sheet_body()))
    widths = [int(col.get(w("w"))) / TWIPS_PER_MM for col in xpath(table, "w:tblGrid/w:gridCol")]

    assert xpath(table, "w:tblPr/w:tblW")[0].get(w("w")) == "8844"  # 156 mm
    assert sum(widths) == pytest.approx(156, abs=0.1)
    assert [round(width) for width in widths] == [13, 51, 24, 30, 38]
    assert widths[-1] >= 36  # a handwritten name of three characters and some room


def test_rules_are_black_half_point_lines(sheet_body: BodyFactory) -> None:
    table = sheet_table(render_docx(sheet_body()))

    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        (border,) = xpath(table, f"w:tblPr/w:tblBorders/w:{side}")
        assert (border.get(w("val")), border.get(w("sz")), border.get(w("color"))) == ("single", "4", "000000")


def test_header_repeats_rows_never_split_and_are_tall_enough_to_sign(sheet_body: BodyFactory) -> None:
    header, *rows = xpath(sheet_table(render_docx(sheet_body())), "w:tr")

    assert xpath(header, "w:trPr/w:tblHeader")
    assert not [tr for tr in rows if xpath(tr, "w:trPr/w:tblHeader")]
    for tr in [header, *rows]:
        assert xpath(tr, "w:trPr/w:cantSplit")
        (height,) = xpath(tr, "w:trPr/w:trHeight")
        assert height.get(w("hRule")) == "atLeast"
        assert int(height.get(w("val"))) / TWIPS_PER_MM >= 10


def test_rows_print_number_unit_name_title_and_a_blank_signature(sheet_body: BodyFactory) -> None:
    texts = row_texts(sheet_table(render_docx(sheet_body())))

    assert texts[0] == HEADERS
    assert texts[1] == ["1", "县人民政府办公室", "吴海涛", "副主任", ""]
    assert texts[-1] == ["25", "", "", "", ""]
    assert len(texts) == 1 + 25
    assert all(row[-1] == "" for row in texts[1:])


def test_header_is_heiti_and_cells_fangsong_3hao(sheet_body: BodyFactory) -> None:
    table = sheet_table(render_docx(sheet_body()))
    header, first = xpath(table, "w:tr")[:2]

    header_runs = [run for p in xpath(header, "w:tc/w:p") for run in Paragraph(p).text_runs]
    cell_runs = [run for p in xpath(first, "w:tc/w:p") for run in Paragraph(p).text_runs]
    assert {(run.font(), run.size) for run in header_runs} == {("黑体", 32)}
    assert {(run.font(), run.size) for run in cell_runs} == {("仿宋_GB2312", 32)}


def test_title_time_and_place_come_before_the_table(sheet_body: BodyFactory) -> None:
    rendered = render_docx(sheet_body())
    title, blank, time, place, table = rendered.top_level[:5]

    assert Paragraph(title).text == "全县冬春季安全生产工作会议签到表"
    assert Paragraph(title).align == "center"
    (run,) = Paragraph(title).text_runs
    assert (run.font(), run.size) == ("方正小标宋简体", 44)
    assert Paragraph(blank).text == ""
    assert Paragraph(time).text == "时间：2026年12月3日（星期四）上午9:00—11:30"
    assert Paragraph(place).text == "地点：县行政中心三楼第一会议室"
    assert table is sheet_table(rendered)


def test_hostile_text_prints_literally(sheet_body: BodyFactory) -> None:
    body = sheet_body(
        meeting__name=HOSTILE,
        meeting__venue=HOSTILE,
        attendees=[{"unit": HOSTILE, "name": "{{ no }}", "title": '&<>"'}],
    )
    rendered = render_docx(body)
    texts = [p.text for p in rendered.all_paragraphs]

    assert HOSTILE + "签到表" in "".join(texts[:3])
    assert "地点：" + HOSTILE in texts
    assert row_texts(sheet_table(rendered))[1] == ["1", HOSTILE, "{{ no }}", '&<>"', ""]


def test_api_renders_the_example_as_docx_named_after_the_title(client: FlaskClient, sheet_body: BodyFactory) -> None:
    response = client.post("/api/v1/documents/sign-in-sheet", json=sheet_body())

    assert response.status_code == 200
    encoded = response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "全县冬春季安全生产工作会议签到表.docx"
    assert len(xpath(sheet_table(Rendered(response.data)), "w:tr")) == 26
