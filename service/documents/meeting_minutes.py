"""会议纪要 (meeting minutes): how a validated minutes body becomes the template's context.

Each decision (议定事项) is one paragraph numbered 一、 二、 …, ending with who does it by when:
"一、原则同意……。（牵头单位：县住建局；配合单位：城关镇人民政府；完成时限：2026年12月31日前）".
Under the decisions come the 出席 / 请假 / 列席 lines of GB/T 9704-2012 10.3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from schemas.fields import DOUBLE_SIDED
from schemas.meeting_minutes import MeetingMinutesSchema
from service.documents.kind import DocumentKind
from service.documents.page_rules import SAME_PAGE, PageRules
from service.typography.chinese_dates import day_period, format_date
from service.typography.gbt9704 import issuer_mark_size
from service.typography.numbering import section_label
from service.typography.punctuation import cc_line, ensure_full_stop, join_names
from service.typography.title import break_title

Block = dict[str, str]

# GB/T 9704-2012 10.3: the three attendance lines, in this order, each only when it has names.
ATTENDANCE_LABELS = (("present", "出席"), ("absent", "请假"), ("observers", "列席"))
# What a clerk may leave at the end of a name that the line itself supplies (separator or full stop).
_TRAILING_PUNCTUATION = "，,、；;：:。"
# Verbs a 议题 usually opens with; a topic without one is introduced with 研究.
_TOPIC_VERBS = ("研究", "听取", "审议", "讨论", "协调", "部署", "调度", "推进", "专题")
_SPACES = re.compile(r"[ \u3000]+")


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context for one set of minutes (the contract is in templates/meeting-minutes/manifest.json)."""
    mark = data["mark"]
    issue_no = data.get("issue_no")
    title = data.get("title")
    return {
        "mark": mark,
        "mark_size": issuer_mark_size(mark).half_points,
        "issue": f"第{issue_no}期" if issue_no else "",
        "issuer": data["issuer"],
        "date": format_date(data["date"]),
        "title_lines": break_title(title) if title else [],
        "blocks": [_paragraph(data.get("intro") or _intro(data["meeting"])), *_decisions(data["decisions"])],
        "attendance": _attendance(data["attendance"]),
        "cc": cc_line(data["cc"]) if data["cc"] else "",
        "printed_by": data.get("printed_by") or data["issuer"],
        "printed_on": format_date(data.get("printed_on") or data["date"]) + "印发",
        # Layout switch, changed by the page rules once the PDF shows where the pages break.
        "imprint_page": SAME_PAGE,
    }


def _intro(meeting: dict[str, Any]) -> str:
    """2026年11月19日下午，县政府副县长林国平在……主持召开会议，研究……。现将会议议定事项纪要如下："""
    start = meeting["start"]
    when = format_date(start.date()) + day_period(start.time())
    chair = _SPACES.sub("", meeting.get("chair", ""))
    venue = meeting.get("venue")
    where = f"在{venue}" if venue else ""
    held = f"{chair}{where}主持召开会议" if chair else f"{where}召开会议"
    topic = meeting["topic"].rstrip("。")
    if not topic.startswith(_TOPIC_VERBS):
        topic = "研究" + topic
    return f"{when}，{held}，{topic}。现将会议议定事项纪要如下："


def _decisions(decisions: Sequence[dict[str, Any]]) -> list[Block]:
    """一、 in 黑体 (GB/T 9704-2012 7.3.3, first level), then the decision and its responsibility note."""
    return [
        {"hei": section_label(1, number), "text": ensure_full_stop(decision["text"]) + _responsibility(decision)}
        for number, decision in enumerate(decisions, start=1)
    ]


def _responsibility(decision: dict[str, Any]) -> str:
    """（牵头单位：…；配合单位：…、…；完成时限：2026年12月31日前）, each part only when given."""
    parts = []
    if decision.get("lead_unit"):
        parts.append(f"牵头单位：{decision['lead_unit']}")
    supporting = _names(decision["support_units"], separator="、")
    if supporting:
        parts.append(f"配合单位：{supporting}")
    if decision.get("deadline"):
        parts.append(f"完成时限：{format_date(decision['deadline'])}前")
    return f"（{'；'.join(parts)}）" if parts else ""


def _attendance(attendance: dict[str, Any]) -> list[dict[str, str]]:
    """出席/请假/列席 lines: the label (printed in 黑体 with its colon) and the names joined by "，"."""
    return [
        {"label": label + "：", "names": _names(attendance[key])}
        for key, label in ATTENDANCE_LABELS
        if _names(attendance[key])
    ]


def _names(names: Sequence[str], *, separator: str = "，") -> str:
    return join_names([name.strip().rstrip(_TRAILING_PUNCTUATION) for name in names], separator=separator)


def _paragraph(text: str) -> Block:
    return {"hei": "", "text": text}


def _file_title(data: dict[str, Any]) -> str:
    issue_no = data.get("issue_no")
    return str(data["mark"]) + (f"（第{issue_no}期）" if issue_no else "")


KIND = DocumentKind(
    name="meeting-minutes",
    label="会议纪要",
    schema=MeetingMinutesSchema,
    build_context=build_context,
    title=_file_title,
    document_date=lambda data: data["date"],
    subject=lambda data: str(data["meeting"]["topic"]),
    author=lambda data: str(data["issuer"]),
    # GB/T 9704-2012 7.4, 7.5: the 版记 on an even page when printed double-sided; 10.3: no seal block.
    page_rules=PageRules(
        has_imprint=lambda data: True,
        double_sided=lambda data: data["printing"] == DOUBLE_SIDED,
        signature=lambda data: None,
    ),
)
