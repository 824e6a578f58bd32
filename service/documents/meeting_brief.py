"""会议简报 (meeting brief): how a validated brief becomes the template's context.

A brief has no national standard; its 报头 and 报尾 follow practice (typesetting spec §5.1) with sizes
borrowed from GB/T 9704-2012. The numbers chosen are in docs/decisions/0008-meeting-brief.md.
"""

from __future__ import annotations

from typing import Any

from schemas.fields import Secrecy
from schemas.meeting_brief import MeetingBriefSchema
from service.documents.kind import DocumentKind
from service.typography.chinese_dates import format_date
from service.typography.gbt9704 import issuer_mark_size
from service.typography.punctuation import cc_line
from service.typography.title import break_title
from service.typography.units import Length


def name_size(text: str) -> Length:
    """The size for the 简报名称 `text`: as the notice's mark, 小初 shrunk in half points until it fits a line.

    Decision (typesetting spec §5.1 suggests red 小标宋 一号–初号): 小初 keeps the 报头 at six grid rows;
    the schema's 24-字 limit keeps a name at 18 pt or more, always on one line.
    """
    return issuer_mark_size(text)


def issue_line(issue_no: int, total_issue_no: int | None) -> str:
    """期号: 第3期, or 第3期（总第45期） when the running number is given."""
    line = f"第{issue_no}期"
    return f"{line}（总第{total_issue_no}期）" if total_issue_no is not None else line


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context for one brief (the contract is in templates/meeting-brief/manifest.json)."""
    classification = data.get("classification")
    distribution = data["distribution"]
    return {
        "classification": classification.text if isinstance(classification, Secrecy) else "",
        "copy_no": data.get("copy_no", ""),
        "name": data["name"],
        "name_size": name_size(data["name"]).half_points,
        "issue": issue_line(data["issue_no"], data.get("total_issue_no")),
        "editor": data["editor"],
        "date": format_date(data["date"]),
        "editor_note": data.get("editor_note", ""),
        "articles": [
            {"title_lines": break_title(article["title"]), "paragraphs": list(article["paragraphs"])}
            for article in data["articles"]
        ],
        "report_to": _names(distribution["report_to"]),
        "send_to": _names(distribution["send_to"]),
        "issue_to": _names(distribution["issue_to"]),
        "copies": f"共印{data['copies']}份",
    }


def _names(names: list[str]) -> str:
    """A 报尾 row's names as the 版记's 抄送 writes them (GB/T 9704-2012 7.4.2): joined by "，", ending "。"."""
    try:
        return cc_line(names)
    except ValueError:  # no names, or only punctuation where names should be
        return ""


KIND = DocumentKind(
    name="meeting-brief",
    label="会议简报",
    schema=MeetingBriefSchema,
    build_context=build_context,
    title=lambda data: f"{data['name']}第{data['issue_no']}期",
    document_date=lambda data: data["date"],
    subject=lambda data: str(data["articles"][0]["title"]),
    author=lambda data: str(data["editor"]),
)
