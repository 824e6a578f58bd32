"""签到表 (sign-in sheet): the meeting's name, time and place, and the people expected, one row each."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.fields import BaseSchema, DateTimeWithOffset, Integer, Object, ObjectList, Text
from service.errors import bilingual

# Sized for a county-wide meeting with every unit's staff (a few hundred) and then some; 1,000 rows convert
# in well under the converter's 30 s timeout (docs/decisions/0010).
MAX_ATTENDEES = 1000
MAX_BLANK_ROWS = 200


class SheetMeetingSchema(BaseSchema):
    name = Text(required=True, max_length=100, metadata={"description": "会议名称；标题默认为会议名称加“签到表”"})
    start = DateTimeWithOffset(required=True, metadata={"description": "开始时间"})
    end = DateTimeWithOffset(metadata={"description": "结束时间"})
    venue = Text(required=True, max_length=100, metadata={"description": "会议地点"})

    @validates_schema
    def _check_times(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(bilingual("结束时间早于开始时间", "The end is before the start."), field_name="end")


class SheetAttendeeSchema(BaseSchema):
    """One expected attendee: a row with 单位, 姓名, 职务 printed and the 签到 cell left blank."""

    unit = Text(max_length=60, metadata={"description": "单位"})
    name = Text(max_length=40, metadata={"description": "姓名；单位已定而人员未定时可缺省，留空由本人填写"})
    title = Text(max_length=40, metadata={"description": "职务"})

    @validates_schema
    def _check_someone(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("unit") and not data.get("name"):
            raise ValidationError(
                bilingual("单位和姓名至少填写一项", "Give the unit, the name or both."), field_name="name"
            )


class SignInSheetSchema(BaseSchema):
    """签到表: printed for the registration desk; attendees sign by hand in the last column."""

    issuer = Text(max_length=50, metadata={"description": "主办机关（文件属性中的作者），不印在签到表上"})
    title = Text(max_length=60, metadata={"description": "标题；默认为会议名称加“签到表”"})
    meeting = Object(SheetMeetingSchema, required=True, metadata={"description": "会议"})
    attendees = ObjectList(
        SheetAttendeeSchema,
        max_items=MAX_ATTENDEES,
        load_default=list,
        metadata={"description": "应到人员，按顺序编排序号"},
    )
    blank_rows = Integer(
        minimum=0,
        maximum=MAX_BLANK_ROWS,
        load_default=0,
        metadata={"description": "名单之后的空白行数，供临时参会人员填写；序号接续"},
    )

    @validates_schema
    def _check_rows(self, data: dict[str, Any], **_: Any) -> None:
        if "attendees" in data and "blank_rows" in data and not data["attendees"] and not data["blank_rows"]:
            raise ValidationError(
                bilingual("签到表至少应有一行：请给出应到人员或空白行数", "Give attendees or some blank rows."),
                field_name="attendees",
            )
