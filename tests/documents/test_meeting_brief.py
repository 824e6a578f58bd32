"""The brief's context (报头 lines, articles, 报尾 rows) and the DOCX it fills, data printed as sent."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from schemas.meeting_brief import NAME_MAX_CHARS, MeetingBriefSchema
from service.config import Settings
from service.documents.meeting_brief import build_context, issue_line, name_size
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.typography.gbt9704 import MARK_MAX_SIZE, TEXT_WIDTH
from service.typography.text_metrics import width
from service.typography.units import pt
from tests.conftest import BodyFactory, load_example

LONGEST_NAME = "政协青山县第十一届委员会第五次会议秘书处工作简报"


def context_for(body: dict[str, Any]) -> dict[str, Any]:
    data = MeetingBriefSchema().load(body)
    data.pop("corrections")
    return build_context(data)


def render_docx(body: dict[str, Any]) -> bytes:
    catalog = TemplateCatalog(Settings().templates_dir)
    return render_document(catalog, "meeting-brief", body, OutputFormat.DOCX).content


def docx_text(content: bytes) -> list[str]:
    """Every paragraph of the body and its tables, in order, one string each."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    lines += [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return lines


# -- context ------------------------------------------------------------------------------------------------


def test_example_head_and_tail_read_as_a_clerk_writes_them(brief_body: BodyFactory) -> None:
    context = context_for(brief_body())

    assert context["classification"] == "内部资料"
    assert context["copy_no"] == ""
    assert context["name"] == "全县冬春季安全生产工作会议简报"
    assert context["issue"] == "第1期"
    assert context["editor"] == "会议秘书组"
    assert context["date"] == "2026年12月3日"
    assert context["editor_note"] == ""
    assert context["report_to"] == "县委、县政府领导。"
    assert context["send_to"] == "县人大常委会办公室，县政协办公室。"
    assert context["issue_to"] == "各乡镇人民政府，县政府各部门。"
    assert context["copies"] == "共印60份"


def test_articles_keep_their_order_with_titles_broken_into_lines(brief_body: BodyFactory) -> None:
    long_title = "全县冬春季安全生产大检查暨隐患排查整治专项行动动员部署会议召开"
    articles = context_for(brief_body(articles__1__title=long_title))["articles"]

    assert articles[0] == {
        "title_lines": ["全县冬春季安全生产工作会议召开"],
        "paragraphs": load_example("meeting-brief")["articles"][0]["paragraphs"],
    }
    assert len(articles[1]["title_lines"]) == 2
    assert "".join(articles[1]["title_lines"]) == long_title
    assert all(len(line) <= 20 for line in articles[1]["title_lines"])


def test_name_is_as_large_as_one_line_allows(brief_body: BodyFactory) -> None:
    """小初 when the name fits; the example's 15 字 set at 29 pt (15 × 29.5 pt would overflow 442.2 pt)."""
    assert name_size("工作简报") == MARK_MAX_SIZE
    assert context_for(brief_body())["name_size"] == 58


def test_longest_allowed_name_still_fits_one_line() -> None:
    assert len(LONGEST_NAME) == NAME_MAX_CHARS
    size = name_size(LONGEST_NAME)

    assert size >= pt(18)
    assert width(LONGEST_NAME, size) <= TEXT_WIDTH


@pytest.mark.parametrize(
    ("issue_no", "total", "line"),
    [
        pytest.param(1, None, "第1期", id="issue-only"),
        pytest.param(3, 45, "第3期（总第45期）", id="with-running-number"),
    ],
)
def test_issue_line(issue_no: int, total: int | None, line: str) -> None:
    assert issue_line(issue_no, total) == line


def test_missing_distribution_groups_leave_their_rows_out(brief_body: BodyFactory) -> None:
    context = context_for(brief_body(distribution__report_to=None, distribution__send_to=["，"]))

    assert context["report_to"] == ""
    assert context["send_to"] == ""
    assert context["issue_to"] == "各乡镇人民政府，县政府各部门。"


def test_classified_brief_prints_level_and_copy_number(brief_body: BodyFactory) -> None:
    context = context_for(brief_body(classification="秘密★6个月", copy_no="000012"))

    assert (context["classification"], context["copy_no"]) == ("秘密★6个月", "000012")


# -- DOCX ---------------------------------------------------------------------------------------------------


def test_example_renders_as_docx_with_head_articles_and_tail(brief_body: BodyFactory) -> None:
    lines = docx_text(render_docx(brief_body()))

    assert "内部资料\t" in lines
    assert "全县冬春季安全生产工作会议简报" in lines
    assert "第1期" in lines
    assert "会议秘书组\t2026年12月3日" in lines
    assert "全县冬春季安全生产工作会议召开" in lines
    assert lines.index("全县冬春季安全生产工作会议召开") < lines.index("分组讨论情况")
    assert "报：县委、县政府领导。" in lines
    assert "送：县人大常委会办公室，县政协办公室。" in lines
    assert "发：各乡镇人民政府，县政府各部门。" in lines
    assert "共印60份" in lines
    assert not [line for line in lines if "{{" in line or "{%" in line]


def test_editor_note_opens_the_articles(brief_body: BodyFactory) -> None:
    lines = docx_text(render_docx(brief_body(editor_note="现将会议情况摘要刊发，供参阅。")))

    assert lines.index("编者按：现将会议情况摘要刊发，供参阅。") < lines.index("全县冬春季安全生产工作会议召开")


def test_tail_without_distribution_keeps_the_copies_row(brief_body: BodyFactory) -> None:
    lines = docx_text(render_docx(brief_body(distribution=None)))

    assert "共印60份" in lines
    assert not [line for line in lines if line.startswith(("报：", "送：", "发："))]


# Data is only ever text: markup, Jinja, quotes, emoji and rare characters come out as sent.
HOSTILE = "&<>\"' {{ 7*7 }} {% if x %}🎉𠀀堃喆"
# The same for the short fields (name 24 字, editor 18) and titles, which must stay on one line.
SHORT_HOSTILE = '&<>"{{7*7}}{%if%}'
TEXT_FIELDS = {
    "name": SHORT_HOSTILE,
    "editor": SHORT_HOSTILE,
    "editor_note": HOSTILE,
    "articles__0__title": SHORT_HOSTILE,
    "articles__1__paragraphs__0": HOSTILE,
    "distribution__report_to__0": HOSTILE,
    "distribution__issue_to__1": HOSTILE,
}


@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_hostile_text_in_every_field_is_printed_exactly(brief_body: BodyFactory, field: str) -> None:
    hostile = TEXT_FIELDS[field]
    text = "".join(docx_text(render_docx(brief_body(**{field: hostile}))))

    assert hostile in text
