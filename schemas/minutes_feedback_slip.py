"""会议纪要意见反馈单 (feedback slip on draft minutes): the request body for one slip per attending unit.

The office sends the draft minutes (纪要送审稿) to every unit that attended, each with a slip; the unit's
head signs and seals it and returns it within N working days. The deadline (意见反馈时间) is computed on
the official calendar (service.typography.workdays), never typed by the clerk.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from schemas.fields import (
    BaseSchema,
    DateTimeWithOffset,
    Email,
    Integer,
    Object,
    Pattern,
    PhoneNumber,
    Text,
    TextList,
)
from service.errors import PayloadInvalidError, bilingual
from service.typography.file_names import file_name_stem
from service.typography.workdays import add_workdays

DEFAULT_TITLE = "会议纪要意见反馈单"
# Decision (docs/decisions/0006): the deadline is the office's closing time on the N-th working day.
DEFAULT_CLOSING_TIME = "17:30"
MAX_UNITS = 50
MAX_WORKDAYS = 30


class DrafterSchema(BaseSchema):
    """起草人员: who drafted the minutes and how units reach them."""

    name = Text(required=True, max_length=10, metadata={"description": "起草人姓名"})
    phone = PhoneNumber(required=True, metadata={"description": "电话"})
    fax = PhoneNumber(metadata={"description": "传真"})
    email = Email(metadata={"description": "电子邮箱"})


class MinutesFeedbackSlipSchema(BaseSchema):
    """会议纪要意见反馈单: one slip per unit in `units`.

    Several units give several slips: format=docx answers with a ZIP holding one DOCX per unit, format=pdf
    with one PDF, one page per unit in the order of `units`, each with an outline entry named after it.
    One unit gives a plain DOCX or PDF.
    """

    title = Text(
        max_length=40,
        load_default=DEFAULT_TITLE,
        metadata={"description": f"标题，如“县政府常务会议纪要意见反馈单”；默认“{DEFAULT_TITLE}”"},
    )
    issuer = Text(required=True, max_length=28, metadata={"description": "发出反馈单的机关，如县政府办公室"})
    topic = Text(required=True, max_length=100, metadata={"description": "专题内容：会议研究的事项"})
    chair = Text(required=True, max_length=40, metadata={"description": "主持人"})
    units = TextList(
        required=True,
        min_items=1,
        max_items=MAX_UNITS,
        max_length=30,
        metadata={
            "description": "参会单位；每个单位一份反馈单（多个单位时：docx为ZIP，每单位一个DOCX；"
            "pdf为一个文件，每单位一页，书签为单位名称）"
        },
    )
    drafter = Object(DrafterSchema, required=True, metadata={"description": "起草人员"})
    reviewer = Text(
        max_length=40, load_default="", metadata={"description": "主任、副主任审核；缺省时留空，由审核人签署"}
    )
    sent_at = DateTimeWithOffset(
        required=True, metadata={"description": "文稿传出时间；意见反馈时间据此按法定工作日推算"}
    )
    reply_within_workdays = Integer(
        required=True,
        minimum=1,
        maximum=MAX_WORKDAYS,
        metadata={
            "description": "反馈期限（工作日）：传出当日不计，第N个工作日的下班时间为意见反馈时间；"
            "节假日和调休按国务院公布的安排，尚未公布的年份不予推算"
        },
    )
    reply_to_section = Text(max_length=20, load_default="", metadata={"description": "接收反馈的科室，如“秘书科”"})
    closing_time = Pattern(
        r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        hint_zh="下班时间应为HH:MM格式，如17:30",
        hint_en="The closing time is HH:MM, e.g. 17:30.",
        max_length=5,
        load_default=DEFAULT_CLOSING_TIME,
        metadata={"description": f"机关下班时间（HH:MM），意见反馈截止于此；默认{DEFAULT_CLOSING_TIME}"},
    )

    @validates_schema
    def _check_rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        seen: dict[str, str] = {}
        for index, unit in enumerate(data.get("units", [])):
            # Each unit names a file in the ZIP: two names that read the same as file names would be one.
            key = file_name_stem(unit)
            if key in seen:
                message = (
                    bilingual(f"参会单位“{unit}”重复", f"The unit {unit!r} is listed twice.")
                    if seen[key] == unit
                    else bilingual(
                        f"参会单位“{unit}”与“{seen[key]}”作文件名时相同，请区分",
                        f"The units {unit!r} and {seen[key]!r} give the same file name.",
                    )
                )
                errors[f"units[{index}]"] = [message]
            seen.setdefault(key, unit)
        if "sent_at" in data and "reply_within_workdays" in data:
            try:
                reply_deadline(data)
            except PayloadInvalidError as exc:
                errors["sent_at"] = [exc.detail]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _compute_deadline(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["reply_by"] = reply_deadline(data)
        return data


def reply_deadline(data: dict[str, Any]) -> datetime:
    """意见反馈时间: closing time on the N-th working day after the day the draft was sent.

    The day is counted on the calendar of sent_at's own offset (the office's clock), as the notice
    prints times; the deadline carries the same offset.
    """
    sent: datetime = data["sent_at"]
    hours, minutes = (int(part) for part in data.get("closing_time", DEFAULT_CLOSING_TIME).split(":"))
    day = add_workdays(sent.date(), data["reply_within_workdays"])
    return datetime.combine(day, time(hours, minutes), tzinfo=sent.tzinfo)
