"""会议通知 (meeting notice): how a validated notice body becomes the template's context.

The numbered sections are written from the structured meeting data so that they read the way a
clerk would write them: 一、会议时间和地点 … with dates as 2026年12月3日（星期四）上午9:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schemas.fields import DOUBLE_SIDED, ParsedDocNumber, Secrecy
from schemas.meeting_notice import MeetingNoticeSchema
from service.documents.kind import DocumentKind
from service.documents.page_rules import SAME_PAGE, PageRules, Signature
from service.typography.chinese_dates import format_date, format_datetime, format_datetime_range
from service.typography.gbt9704 import issuer_mark_size
from service.typography.numbering import section_label
from service.typography.punctuation import cc_line, ensure_full_stop, recipients_line
from service.typography.signature import layout_signature
from service.typography.title import break_title

Block = dict[str, str]


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context for one notice (the contract is in templates/meeting-notice/manifest.json)."""
    is_letter = data["format"] == "letter"
    issuer = data["issuer"]
    mark = issuer.get("mark") or (issuer["name"] if is_letter else issuer["name"] + "文件")
    signatory = _signatory(data)
    date_text = format_date(data["date"])
    signature = layout_signature(signatory, date_text, sealed=data["seal"])
    slip = reply_slip(data)
    number = data.get("doc_number")
    secrecy = data.get("secrecy")
    return {
        "format": data["format"],
        "copy_no": data.get("copy_no", ""),
        "secrecy": secrecy.text if isinstance(secrecy, Secrecy) else "",
        "urgency": data.get("urgency", ""),
        "issuer_mark": mark,
        "issuer_mark_size": issuer_mark_size(mark).half_points,
        "doc_number": str(number.number) if isinstance(number, ParsedDocNumber) else "",
        "title_lines": break_title(data["title"]),
        "recipients": recipients_line(data["recipients"]) if data["recipients"] else "",
        "blocks": _body_blocks(data, slip),
        "attachments": [slip["title"]] if slip else [],
        "signatory": signatory,
        "signatory_indent": signature.signatory_right_indent.twips,
        "date": date_text,
        "date_indent": signature.date_right_indent.twips,
        "sealed": data["seal"],
        "note": _note(data.get("note", "")),
        "reply_slip": slip,
        "cc": cc_line(data["cc"]) if data["cc"] else "",
        "printed_by": data.get("printed_by") or issuer["name"],
        "printed_on": format_date(data.get("printed_on") or data["date"]) + "印发",
        # Layout switches, changed by the page rules once the PDF shows where the pages break.
        "keep_last_block": False,
        "imprint_page": SAME_PAGE,
    }


def _has_imprint(data: dict[str, Any]) -> bool:
    # A letter's 版记 is its 抄送 line alone (GB/T 9704-2012 10.1); the 文件格式 always prints 印发.
    return data["format"] != "letter" or bool(data["cc"])


def _signatory(data: dict[str, Any]) -> str:
    return str(data.get("signatory") or data["issuer"]["name"])


def _signature(data: dict[str, Any]) -> Signature:
    return Signature(signatory=_signatory(data), date=format_date(data["date"]))


def _body_blocks(data: dict[str, Any], slip: dict[str, Any] | None) -> list[Block]:
    meeting = data["meeting"]
    intro = data.get("intro") or f"经研究，决定召开{meeting['name']}。现将有关事项通知如下："
    blocks: list[Block] = [_paragraph(intro)]
    sections: list[tuple[str, list[Block]]] = [
        ("会议时间和地点", _time_and_place(meeting)),
        ("参会人员", _items(meeting["attendees"])),
    ]
    if meeting["agenda"]:
        sections.append(("会议议程", _items(meeting["agenda"])))
    requirements = list(data["requirements"])
    reply = data.get("reply")
    if reply and slip and not any("回执" in item for item in requirements):
        requirements.append(_reply_request(reply, slip["title"]))
    if requirements:
        sections.append(("会议要求", _items(requirements)))
    for number, (heading, paragraphs) in enumerate(sections, start=1):
        blocks.append({"hei": section_label(1, number) + heading, "kai": "", "text": ""})
        blocks.extend(paragraphs)
    if data.get("contact"):
        blocks.append(_paragraph(contact_line(data["contact"])))
    return blocks


def _time_and_place(meeting: dict[str, Any]) -> list[Block]:
    paragraphs = [_paragraph(f"会议时间：{format_datetime_range(meeting['start'], meeting.get('end'))}。")]
    check_in = meeting.get("check_in")
    if check_in:
        when = format_datetime(check_in["time"])
        place = check_in.get("place")
        paragraphs.append(_paragraph(f"报到时间：{when}，报到地点：{place}。" if place else f"报到时间：{when}。"))
    paragraphs.append(_paragraph(f"会议地点：{meeting['venue']}。"))
    return paragraphs


def _items(items: Sequence[str]) -> list[Block]:
    """A list under a section: one paragraph alone, or numbered 1. 2. (GB/T 9704-2012 7.3.3, level 3)."""
    if len(items) == 1:
        return [_paragraph(ensure_full_stop(items[0]))]
    return [_paragraph(section_label(3, n) + ensure_full_stop(item)) for n, item in enumerate(items, start=1)]


def _reply_request(reply: dict[str, Any], slip_title: str) -> str:
    return f"请于{format_datetime(reply['deadline'])}前将{slip_title}（见附件）{_reply_channels(reply)}。"


def reply_slip(data: dict[str, Any]) -> dict[str, Any] | None:
    """参会回执 as the notice's 附件 prints it: title, instructions and one item per blank row; None without `reply`.

    The standalone slip (service/documents/reply_slip.py) words its title and instructions with this too.
    """
    reply = data.get("reply")
    if not reply:
        return None
    title = reply.get("title") or data["meeting"]["name"] + "参会回执"
    return {
        "title": title,
        "instructions": f"请于{format_datetime(reply['deadline'])}前将此回执{_reply_channels(reply)}。",
        "rows": list(range(reply["rows"])),
    }


def contact_line(contact: dict[str, Any]) -> str:
    """联系人：name，联系电话：phone。 as the notice and the reply slip print it."""
    return f"联系人：{contact['name']}，联系电话：{contact['phone']}。"


def _reply_channels(reply: dict[str, Any]) -> str:
    channels = []
    if reply.get("fax"):
        channels.append(f"传真至{reply['fax']}")
    if reply.get("email"):
        channels.append(f"发送电子邮件至{reply['email']}")
    return "或".join(channels) if channels else "报送会议主办单位"


def _note(note: str) -> str:
    """附注 in parentheses (GB/T 9704-2012 7.3.6), whether or not the client wrote them."""
    inner = note.strip()
    if inner[:1] in "(（" and inner[-1:] in ")）":
        inner = inner[1:-1].strip()
    return f"（{inner}）" if inner else ""


def _paragraph(text: str) -> Block:
    return {"hei": "", "kai": "", "text": text}


KIND = DocumentKind(
    name="meeting-notice",
    label="会议通知",
    schema=MeetingNoticeSchema,
    build_context=build_context,
    title=lambda data: str(data["title"]),
    document_date=lambda data: data["date"],
    subject=lambda data: str(data["meeting"]["name"]),
    author=lambda data: str(data["issuer"]["name"]),
    template_variant=lambda data: str(data["format"]),
    page_rules=PageRules(
        has_imprint=_has_imprint,
        double_sided=lambda data: data["printing"] == DOUBLE_SIDED,
        signature=_signature,
    ),
)
