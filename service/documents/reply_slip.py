"""参会回执 (reply slip) on its own: the notice's reply form as a separate sheet, blank or partly prefilled.

Title and instructions are worded exactly as on the notice's 附件 (the same function writes them), so a unit
receives the same form whether it came attached to the notice or by itself.
"""

from __future__ import annotations

from typing import Any

from schemas.reply_slip import ReplySlipSchema
from service.documents.kind import DocumentKind
from service.documents.meeting_notice import contact_line, reply_slip
from service.typography.title import break_title

# The table's cells in column order (姓名, 性别, 单位及职务, 联系电话, 备注); the template names the same keys.
CELLS = ("name", "gender", "unit_title", "phone", "remarks")


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context (the contract is in templates/reply-slip/manifest.json)."""
    slip = reply_slip(data)
    assert slip is not None  # the schema requires reply
    rows = [_prefilled(attendee) for attendee in data["attendees"]]
    # `rows` is the table's least number of rows: blank rows make up what the prefilled ones leave.
    rows += [dict.fromkeys(CELLS, "") for _ in range(data["reply"]["rows"] - len(rows))]
    contact = data.get("contact")
    return {
        "title_lines": break_title(slip["title"]),
        "instructions": slip["instructions"],
        "contact": contact_line(contact) if contact else "",
        "rows": rows,
    }


def _prefilled(attendee: dict[str, Any]) -> dict[str, str]:
    return {
        "name": attendee["name"],
        "gender": attendee.get("gender", ""),
        "unit_title": attendee.get("unit", "") + attendee.get("title", ""),
        "phone": attendee.get("phone", ""),
        "remarks": attendee.get("remarks", ""),
    }


def slip_title(data: dict[str, Any]) -> str:
    """The slip's title: the one given, else 会议名称 + 参会回执 (as on the notice's 附件)."""
    slip = reply_slip(data)
    assert slip is not None  # the schema requires reply
    return str(slip["title"])


KIND = DocumentKind(
    name="reply-slip",
    label="参会回执",
    schema=ReplySlipSchema,
    build_context=build_context,
    title=slip_title,
    # The slip carries no date of its own; the reply deadline dates it.
    document_date=lambda data: data["reply"]["deadline"].date(),
    subject=lambda data: str(data["meeting"]["name"]),
    author=lambda data: str(data.get("issuer", "")),
)
