"""The minutes' context: decisions with who does what by when, attendance lines, and the DOCX they fill."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from schemas.meeting_minutes import MeetingMinutesSchema
from service.config import Settings
from service.documents.meeting_minutes import build_context
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from tests.conftest import body_for

KIND = "meeting-minutes"
# Markup and template syntax a clerk might type, short enough for every field (the mark holds 30).
HOSTILE = '&<w:t>"{{ mark }}{%p if x %}'
HOSTILE_MARK = '&<w:t>"{{ mark }}纪要'


minutes_body = body_for(KIND)


def context_for(body: dict[str, Any]) -> dict[str, Any]:
    data = MeetingMinutesSchema().load(body)
    data.pop("corrections", None)
    return build_context(data)


def block_texts(context: dict[str, Any]) -> list[str]:
    return [block["hei"] + block["text"] for block in context["blocks"]]


def test_example_minutes_read_like_a_clerk_wrote_them() -> None:
    context = context_for(minutes_body())

    assert block_texts(context) == [
        "2026年11月19日下午，县政府副县长林国平在县行政中心四楼第二会议室主持召开专题会议，"
        "研究县城老旧小区改造2027年实施计划有关事项。现将会议议定事项纪要如下：",
        "一、原则同意县住建局提出的2027年县城老旧小区改造实施计划，共涉及小区18个、住户3126户。"
        "（牵头单位：县住建局；配合单位：城关镇人民政府；完成时限：2026年12月31日前）",
        "二、改造资金按照“上级补助一点、县级财政安排一点、居民自筹一点”的原则筹措，"
        "县财政局要抓紧测算县级配套资金并提出安排意见。（牵头单位：县财政局；完成时限：2026年12月15日前）",
    ]
    assert [block["hei"] for block in context["blocks"]] == ["", "一、", "二、"]


def test_head_and_imprint_lines() -> None:
    context = context_for(minutes_body())

    assert context["mark"] == "青山县人民政府专题会议纪要"
    assert context["mark_size"] == 68  # 13 characters of 34 pt fill the 156 mm line; 36 pt would not fit
    assert context["issue"] == "第27期"
    assert context["issuer"] == "青山县人民政府办公室"
    assert context["date"] == "2026年11月27日"
    assert context["title_lines"] == []
    assert context["cc"] == "县考绩办。"
    assert context["printed_by"] == "青山县人民政府办公室"
    assert context["printed_on"] == "2026年11月27日印发"
    assert context["imprint_page"] == "same"  # the page rules change it once the PDF shows the pages


def test_attendance_lines_carry_label_and_names_in_order() -> None:
    context = context_for(minutes_body())

    assert context["attendance"] == [
        {
            "label": "出席：",
            "names": "县住建局 郑立新，县财政局 孙丽华，县自然资源和规划局 何建明，城关镇人民政府 冯志刚",
        },
        {"label": "请假：", "names": "县发展改革局 钱伟（公务出差）"},
        {"label": "列席：", "names": "县政府办公室 吴海涛"},
    ]


def test_empty_attendance_lists_print_no_line() -> None:
    context = context_for(minutes_body(attendance__absent=None, attendance__observers=[]))

    assert [line["label"] for line in context["attendance"]] == ["出席："]


def test_punctuation_a_clerk_typed_after_a_name_is_dropped() -> None:
    context = context_for(minutes_body(attendance__present=["县住建局 郑立新，", "县财政局 孙丽华、"]))

    assert context["attendance"][0]["names"] == "县住建局 郑立新，县财政局 孙丽华"


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        pytest.param(
            {"text": "同意", "lead_unit": "县住建局", "support_units": ["县财政局", "城关镇人民政府"]},
            "一、同意。（牵头单位：县住建局；配合单位：县财政局、城关镇人民政府）",
            id="several-support-units-no-deadline",
        ),
        pytest.param(
            {"text": "按期完成验收！", "deadline": "2027-01-31"},
            "一、按期完成验收！（完成时限：2027年1月31日前）",
            id="deadline-only",
        ),
        pytest.param(
            {"text": "会议强调，要压实责任。"},
            "一、会议强调，要压实责任。",
            id="no-responsibility-note",
        ),
    ],
)
def test_decision_names_only_the_responsibilities_given(decision: dict[str, Any], expected: str) -> None:
    assert block_texts(context_for(minutes_body(decisions=[decision])))[1] == expected


def test_missing_intro_is_written_from_the_meeting() -> None:
    texts = block_texts(context_for(minutes_body(intro=None)))

    assert texts[0] == (
        "2026年11月19日下午，县政府副县长林国平在县行政中心四楼第二会议室主持召开会议，"
        "研究县城老旧小区改造2027年实施计划有关事项。现将会议议定事项纪要如下："
    )


def test_generated_intro_introduces_a_topic_without_a_verb() -> None:
    body = minutes_body(intro=None, meeting__topic="县城老旧小区改造", meeting__chair=None, meeting__venue=None)

    assert block_texts(context_for(body))[0] == (
        "2026年11月19日下午，召开会议，研究县城老旧小区改造。现将会议议定事项纪要如下："
    )


def test_title_is_broken_into_lines_when_given() -> None:
    context = context_for(minutes_body(title="关于县城老旧小区改造2027年实施计划有关事项的会议纪要"))

    assert "".join(context["title_lines"]) == "关于县城老旧小区改造2027年实施计划有关事项的会议纪要"
    assert len(context["title_lines"]) == 2


def test_without_issue_number_and_cc_their_places_stay_empty() -> None:
    context = context_for(minutes_body(issue_no=None, cc=None, printed_by=None, printed_on=None))

    assert context["issue"] == ""
    assert context["cc"] == ""
    assert context["printed_by"] == "青山县人民政府办公室"
    assert context["printed_on"] == "2026年11月27日印发"


# -- the DOCX -------------------------------------------------------------------------------------------


def render(body: dict[str, Any]) -> Any:
    catalog = TemplateCatalog(Settings().templates_dir)
    content = render_document(catalog, KIND, body, OutputFormat.DOCX).content
    return Document(io.BytesIO(content))


def document_text(document: Any) -> str:
    lines = [paragraph.text for paragraph in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def test_example_renders_every_element_into_the_docx() -> None:
    text = document_text(render(minutes_body()))

    for expected in (
        "青山县人民政府专题会议纪要",
        "第27期",
        "青山县人民政府办公室\t2026年11月27日",
        "（牵头单位：县住建局；配合单位：城关镇人民政府；完成时限：2026年12月31日前）",
        "出席：\t县住建局 郑立新，",
        "请假：\t县发展改革局 钱伟（公务出差）",
        "列席：\t县政府办公室 吴海涛",
        "抄送：县考绩办。",
        "2026年11月27日印发",
    ):
        assert expected in text
    assert "{{" not in text and "{%" not in text


def test_attendance_label_is_heiti_and_names_fangsong_with_a_hanging_indent() -> None:
    document = render(minutes_body())
    line = next(p for p in document.paragraphs if p.text.startswith("出席："))

    label, tab, names = [run for run in line.runs if run.text]
    assert label.text == "出席：" and label.font.name == "黑体"
    assert tab.text == "\t"  # to the stop where wrapped lines start, so justification cannot shift the names
    assert [stop.position.twips for stop in line.paragraph_format.tab_stops] == [632 + 945]
    assert names.font.name == "仿宋_GB2312"
    indent = line.paragraph_format
    # 左空二字 (632 twips) for the label, wrapped lines after its three 15.75 pt characters (945 twips).
    assert indent.first_line_indent.twips == -945  # python-docx reports the hanging indent as negative
    assert indent.left_indent.twips == 632 + 945


def test_decision_number_is_heiti_and_text_fangsong() -> None:
    document = render(minutes_body())
    decision = next(p for p in document.paragraphs if p.text.startswith("一、"))

    number, text = [run for run in decision.runs if run.text]
    assert (number.text, number.font.name) == ("一、", "黑体")
    assert text.font.name == "仿宋_GB2312"


def test_no_signature_or_seal_is_printed() -> None:
    """GB/T 9704-2012 10.3: 纪要 carry no 发文机关署名 and no seal; the issuer appears in the head and 版记."""
    document = render(minutes_body())
    lines = [p.text for p in document.paragraphs if p.text.strip()]

    # The text ends with the attendance lines; the 版记 that follows is a table.
    assert lines[-1] == "列席：\t县政府办公室 吴海涛"
    assert "青山县人民政府办公室" not in lines


TEXT_FIELDS = [
    "mark",
    "issuer",
    "title",
    "intro",
    "meeting__topic",
    "decisions__0__text",
    "decisions__0__lead_unit",
    "decisions__0__support_units__0",
    "attendance__present__0",
    "attendance__absent__0",
    "attendance__observers__0",
    "cc__0",
    "printed_by",
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_text_in_every_field_is_printed_exactly(field: str) -> None:
    value = HOSTILE_MARK if field == "mark" else HOSTILE
    body = minutes_body(**{field: value})
    if field == "meeting__topic":
        del body["intro"]  # the topic is printed only in the generated intro

    text = document_text(render(body)).replace("\n", "")

    assert value in text
