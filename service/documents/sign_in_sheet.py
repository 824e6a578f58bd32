"""签到表 (sign-in sheet): title, 时间 and 地点, then one numbered row per expected attendee to sign."""

from __future__ import annotations

from typing import Any

from schemas.sign_in_sheet import SignInSheetSchema
from service.documents.kind import DocumentKind
from service.typography.chinese_dates import format_datetime_range
from service.typography.title import break_title


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context (the contract is in templates/sign-in-sheet/manifest.json)."""
    meeting = data["meeting"]
    rows = [
        {
            "no": str(number),
            "unit": attendee.get("unit", ""),
            "name": attendee.get("name", ""),
            "title": attendee.get("title", ""),
        }
        for number, attendee in enumerate(data["attendees"], start=1)
    ]
    # Walk-ins write their unit and name by hand; their rows continue the numbering.
    rows += [
        {"no": str(number), "unit": "", "name": "", "title": ""}
        for number in range(len(rows) + 1, len(rows) + data["blank_rows"] + 1)
    ]
    return {
        "title_lines": break_title(sheet_title(data)),
        "time": format_datetime_range(meeting["start"], meeting.get("end")),
        "venue": meeting["venue"],
        "rows": rows,
    }


def sheet_title(data: dict[str, Any]) -> str:
    """The title given, else 会议名称 + 签到表."""
    return str(data.get("title") or data["meeting"]["name"] + "签到表")


KIND = DocumentKind(
    name="sign-in-sheet",
    label="签到表",
    schema=SignInSheetSchema,
    build_context=build_context,
    title=sheet_title,
    document_date=lambda data: data["meeting"]["start"].date(),
    subject=lambda data: str(data["meeting"]["name"]),
    author=lambda data: str(data.get("issuer", "")),
)
