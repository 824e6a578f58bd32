"""会议纪要 (meeting minutes): the request body office systems post for the minutes of a meeting."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.fields import (
    BaseSchema,
    CalendarDate,
    DateTimeWithOffset,
    Integer,
    Object,
    ObjectList,
    Pattern,
    PrintingChoice,
    Text,
    TextList,
)
from service.errors import bilingual

# GB/T 9704-2012 10.3: the 纪要标志 is "XXXXX纪要".
MARK_SUFFIX = "纪要"


class MinutesMeetingSchema(BaseSchema):
    topic = Text(
        required=True,
        max_length=100,
        metadata={"description": "会议议题，如“研究县城老旧小区改造2027年实施计划有关事项”"},
    )
    start = DateTimeWithOffset(required=True, metadata={"description": "会议开始时间"})
    venue = Text(max_length=100, metadata={"description": "会议地点"})
    chair = Text(max_length=60, metadata={"description": "主持人（职务 姓名），如“县政府副县长 林国平”"})


class DecisionSchema(BaseSchema):
    text = Text(required=True, max_length=1000, metadata={"description": "议定事项"})
    lead_unit = Text(max_length=60, metadata={"description": "牵头单位"})
    support_units = TextList(max_items=20, max_length=60, load_default=list, metadata={"description": "配合单位"})
    deadline = CalendarDate(metadata={"description": "完成时限（此日期前完成）"})

    @validates_schema
    def _check_units(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("support_units") and not data.get("lead_unit"):
            raise ValidationError(
                bilingual("有配合单位时应写明牵头单位", "Name the lead unit when there are supporting units."),
                field_name="lead_unit",
            )


class AttendanceSchema(BaseSchema):
    present = TextList(
        required=True,
        min_items=1,
        max_items=100,
        max_length=60,
        metadata={"description": "出席人员（单位 姓名）"},
    )
    absent = TextList(max_items=100, max_length=60, load_default=list, metadata={"description": "请假人员"})
    observers = TextList(max_items=100, max_length=60, load_default=list, metadata={"description": "列席人员"})


MAX_DECISIONS = 50  # 议定事项, numbered 一、 … 五十、 in the document


class MeetingMinutesSchema(BaseSchema):
    """会议纪要 in 纪要格式 (GB/T 9704-2012 10.3): red 纪要标志, 期号, decisions, 出席/请假/列席."""

    mark = Pattern(
        f".*{MARK_SUFFIX}$",
        hint_zh=f"纪要标志应以“{MARK_SUFFIX}”结尾，如“青山县人民政府专题会议纪要”",
        hint_en=f"The mark ends in {MARK_SUFFIX}, e.g. 青山县人民政府专题会议纪要.",
        required=True,
        max_length=30,
        metadata={"description": "纪要标志，以“纪要”结尾，如“青山县人民政府专题会议纪要”"},
    )
    issue_no = Integer(minimum=1, maximum=9999, metadata={"description": "期号，印作“第27期”"})
    issuer = Text(required=True, max_length=50, metadata={"description": "编印单位，印在版头红线上方左侧"})
    date = CalendarDate(required=True, metadata={"description": "成文日期，印在版头红线上方右侧"})
    title = Text(max_length=100, metadata={"description": "标题（可选），印在红线下方"})
    meeting = Object(MinutesMeetingSchema, required=True, metadata={"description": "会议"})
    intro = Text(max_length=2000, metadata={"description": "开头段；缺省时按会议时间、地点、主持人和议题生成"})
    decisions = ObjectList(
        DecisionSchema,
        required=True,
        min_items=1,
        max_items=MAX_DECISIONS,
        metadata={"description": "议定事项，依次编号“一、二、……”，每项可写牵头单位、配合单位和完成时限"},
    )
    attendance = Object(AttendanceSchema, required=True, metadata={"description": "出席、请假、列席人员"})
    cc = TextList(max_items=50, max_length=60, load_default=list, metadata={"description": "抄送机关"})
    printed_by = Text(max_length=50, metadata={"description": "印发机关；默认为编印单位"})
    printed_on = CalendarDate(metadata={"description": "印发日期；默认为成文日期"})
    printing = PrintingChoice()

    @validates_schema
    def _check_rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        decisions = data.get("decisions", [])
        meeting, dated = data.get("meeting"), data.get("date")
        held_on = meeting["start"].date() if meeting else None
        if held_on and dated and dated < held_on:
            errors["date"] = [bilingual("成文日期早于会议日期", "The minutes are dated before the meeting.")]
        printed_on = data.get("printed_on")
        if printed_on and dated and printed_on < dated:
            errors["printed_on"] = [bilingual("印发日期早于成文日期", "Printed before the minutes were dated.")]
        for index, decision in enumerate(decisions):
            deadline = decision.get("deadline")
            if held_on and deadline and deadline < held_on:
                errors[f"decisions[{index}].deadline"] = [
                    bilingual("完成时限早于会议日期", "The deadline is before the meeting.")
                ]
        if errors:
            raise ValidationError(errors)
