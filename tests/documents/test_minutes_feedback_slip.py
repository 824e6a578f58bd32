"""The feedback slip's context: texts, line counts, row heights that fill the page, one part per unit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from service.config import PROJECT_ROOT
from service.documents.minutes_feedback_slip import (
    CELL_LINE,
    KIND,
    LABEL_CHARS,
    MIN_FEEDBACK_LINES,
    ROW_PADDING,
    TABLE_ALLOWANCE,
    VALUE_CHARS,
    build_context,
    count_lines,
    drafter_lines,
    layout,
)
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document, validate_document
from service.typography.gbt9704 import LINE_PITCH, TEXT_HEIGHT
from tests.conftest import body_for

NAME = "minutes-feedback-slip"
CATALOG = TemplateCatalog(PROJECT_ROOT / "templates")


slip_body = body_for(NAME)


def validated(**overrides: Any) -> dict[str, Any]:
    return validate_document(NAME, slip_body(**overrides)).data


def first_part(**overrides: Any) -> dict[str, Any]:
    return KIND.parts(validated(**overrides))[0].data


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join(lines)


def test_context_of_the_example_slip() -> None:
    context = build_context(first_part())

    assert context["title_lines"] == ["会议纪要意见反馈单"]
    assert context["issuer"] == "青山县人民政府办公室"
    assert context["unit"] == "县住建局"
    assert context["sent_at"] == "2026年11月20日（星期五）下午4:30"
    assert context["reply_by"] == "2026年11月24日（星期二）下午5:30前"
    assert context["drafter_lines"] == [
        "周敏　电话：0578-2123460",
        "传真：0578-2123461",
        "邮箱：zfbmsk@qingshan.example.cn",
    ]
    assert context["notes"] == [
        "1.请接此单后立即送单位领导审阅。",
        "2.请在2个工作日内将修改意见反馈至青山县人民政府办公室秘书科。",
        "3.逾期未反馈的，视为无修改意见。",
    ]


def test_rows_fill_the_text_block_below_title_and_issuer() -> None:
    rows = build_context(first_part())["rows"]

    above = LINE_PITCH * 2  # one title row, one issuer row
    assert sum(rows.values()) == (TEXT_HEIGHT - above - TABLE_ALLOWANCE).twips
    # A one-line row is one grid row; each more line adds CELL_LINE.
    assert rows["chair"] == LINE_PITCH.twips
    assert rows["drafter"] == (ROW_PADDING * 2 + CELL_LINE * 3).twips
    assert rows["reviewer"] == (ROW_PADDING * 2 + CELL_LINE * 2).twips  # 主任、副主任 / 审核


def test_a_two_line_title_takes_a_row_from_the_feedback_cell() -> None:
    short = build_context(first_part())["rows"]
    long = build_context(first_part(title="青山县人民政府第三十五次常务会议纪要意见反馈单"))

    assert len(long["title_lines"]) == 2
    assert long["rows"]["feedback"] == short["feedback"] - LINE_PITCH.twips


def test_example_leaves_the_feedback_cell_room_to_write() -> None:
    data = first_part()
    slip = layout(data, data["units"][0])

    assert slip.feedback_lines >= MIN_FEEDBACK_LINES + 2


def test_without_section_the_reply_goes_to_the_issuer() -> None:
    notes = build_context(first_part(reply_to_section=None))["notes"]

    assert notes[1] == "2.请在2个工作日内将修改意见反馈至青山县人民政府办公室。"


@pytest.mark.parametrize(
    ("text", "capacity", "lines"),
    [
        pytest.param("", VALUE_CHARS, 1, id="empty-is-one-line"),
        pytest.param("研" * 21, VALUE_CHARS, 1, id="full-line"),
        pytest.param("研" * 22, VALUE_CHARS, 2, id="one-over"),
        pytest.param("研" * 20 + "。", VALUE_CHARS, 1, id="stop-fits-at-the-end"),
        pytest.param("研" * 21 + "。", VALUE_CHARS, 2, id="stop-takes-its-character-along"),
        pytest.param("研" * 20 + "（" + "研" * 21, VALUE_CHARS, 3, id="opening-bracket-moves-down"),
        pytest.param("研究县城老旧小区改造2027年实施计划有关事项", VALUE_CHARS, 2, id="digits-add-autospace"),
        # Character by character this would fill two lines (41.6 字); the word moves whole and takes a third.
        pytest.param("研" * 20 + " abcdefgh" + "研" * 17, VALUE_CHARS, 3, id="latin-word-moves-whole"),
        pytest.param("a" * 100, VALUE_CHARS, 3, id="long-word-breaks-anywhere"),
        pytest.param("主任、副主任审核", LABEL_CHARS, 2, id="label-wraps-after-six"),
        pytest.param("文稿传出时间", LABEL_CHARS, 1, id="six-character-label"),
    ],
)
def test_count_lines(text: str, capacity: int, lines: int) -> None:
    assert count_lines(text, capacity) == lines


@pytest.mark.parametrize(
    ("drafter", "lines"),
    [
        pytest.param({"name": "周敏", "phone": "0578-2123460"}, ["周敏　电话：0578-2123460"], id="phone-only"),
        pytest.param(
            {"name": "周敏", "phone": "0578-2123460", "email": "ab@qs.cn"},
            ["周敏　电话：0578-2123460　邮箱：ab@qs.cn"],
            id="short-email-joins",
        ),
        pytest.param(
            {"name": "欧阳晓", "phone": "0578-2123457转8001", "fax": "0578-2123461"},
            ["欧阳晓　电话：0578-2123457转8001", "传真：0578-2123461"],
            id="fax-on-its-own-line",
        ),
    ],
)
def test_drafter_items_are_joined_while_a_line_holds_them(drafter: dict[str, str], lines: list[str]) -> None:
    assert drafter_lines(drafter) == lines


def test_one_part_per_unit_in_order_each_naming_its_unit() -> None:
    data = validated()
    parts = KIND.parts(data)

    assert [part.name for part in parts] == data["units"]
    assert [build_context(part.data)["unit"] for part in parts] == data["units"]


def test_titles_name_the_unit_only_when_there_is_one() -> None:
    assert KIND.title(validated()) == "会议纪要意见反馈单"
    assert KIND.title(validated(units=["县财政局"])) == "会议纪要意见反馈单-县财政局"


def test_the_documents_date_is_the_day_sent() -> None:
    assert KIND.document_date(validated()).isoformat() == "2026-11-20"


def test_single_unit_renders_one_docx_with_every_field() -> None:
    document = render_document(CATALOG, NAME, slip_body(units=["县财政局"]), OutputFormat.DOCX)

    assert document.filename == "会议纪要意见反馈单-县财政局.docx"
    text = docx_text(document.content)
    for expected in (
        "会议纪要意见反馈单",
        "青山县人民政府办公室",
        "研究县城老旧小区改造2027年实施计划有关事项",
        "县政府副县长 林国平",
        "县财政局",
        "周敏　电话：0578-2123460",
        "县政府办公室副主任 吴海涛",
        "2026年11月20日（星期五）下午4:30",
        "2026年11月24日（星期二）下午5:30前",
        "单位负责人署名并加盖公章：",
        "3.逾期未反馈的，视为无修改意见。",
    ):
        assert expected in text


def test_markup_and_jinja_in_the_body_print_literally() -> None:
    hostile = '县<住建>局&"规划"{{ unit }}{%p if %}'
    document = render_document(CATALOG, NAME, slip_body(units=[hostile], topic="{{ 7 * 7 }} </w:t>"), OutputFormat.DOCX)

    text = docx_text(document.content)
    assert hostile in text
    assert "{{ 7 * 7 }} </w:t>" in text
    assert "49" not in text


def test_committed_manifest_lists_the_contexts_keys() -> None:
    manifest = (Path(CATALOG.templates_dir) / NAME / "manifest.json").read_text(encoding="utf-8")
    for key in build_context(first_part()):
        assert f'"{key}"' in manifest
