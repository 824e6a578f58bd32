"""参会回执 (reply slip) on its own: the request body for the notice's reply form sent as a separate sheet.

`reply` and `contact` are the notice's own objects (schemas.meeting_notice), so an office system that has
the notice body posts the same values and gets the same table, title and instructions as the notice's 附件.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.fields import BaseSchema, Choice, DateTimeWithOffset, Object, ObjectList, PhoneNumber, Text
from schemas.meeting_notice import ContactSchema, ReplySchema
from service.errors import bilingual

# The notice's ReplySchema allows up to 60 rows; a prefilled slip is bounded the same way.
MAX_ATTENDEES = 60
GENDERS = ("男", "女")


class SlipMeetingSchema(BaseSchema):
    name = Text(required=True, max_length=100, metadata={"description": "会议名称；回执标题默认为会议名称加“参会回执”"})
    start = DateTimeWithOffset(metadata={"description": "会议开始时间；给出时检查回执截止时间不晚于开会"})


class SlipAttendeeSchema(BaseSchema):
    """One person already known to attend: a prefilled row of the table."""

    name = Text(required=True, max_length=40, metadata={"description": "姓名"})
    gender = Choice(GENDERS, metadata={"description": "性别"})
    unit = Text(max_length=60, metadata={"description": "单位"})
    title = Text(max_length=40, metadata={"description": "职务；与单位合成“单位及职务”一栏"})
    phone = PhoneNumber(metadata={"description": "联系电话"})
    remarks = Text(max_length=60, metadata={"description": "备注"})


class ReplySlipSchema(BaseSchema):
    """参会回执: the form a unit fills in and returns (typesetting spec §5.4), printed on its own."""

    issuer = Text(max_length=50, metadata={"description": "主办机关（文件属性中的作者），不印在回执上"})
    meeting = Object(SlipMeetingSchema, required=True, metadata={"description": "会议"})
    reply = Object(
        ReplySchema,
        required=True,
        metadata={
            "description": "回执：截止时间、传真、电子邮箱、表格行数、标题，与会议通知的reply相同；"
            "表格至少rows行，预填人员不足时以空白行补足"
        },
    )
    contact = Object(ContactSchema, metadata={"description": "主办方联系人；给出时印在报送说明之后"})
    attendees = ObjectList(
        SlipAttendeeSchema,
        max_items=MAX_ATTENDEES,
        load_default=list,
        metadata={"description": "预填的参会人员，按顺序印在表格前几行；通常不填，发空白回执"},
    )

    @validates_schema
    def _check_deadline(self, data: dict[str, Any], **_: Any) -> None:
        reply, meeting = data.get("reply"), data.get("meeting")
        if reply and meeting and meeting.get("start") and reply["deadline"] > meeting["start"]:
            raise ValidationError(
                {
                    "reply.deadline": [
                        bilingual("回执截止时间晚于会议开始时间", "The reply deadline is after the meeting starts.")
                    ]
                }
            )
