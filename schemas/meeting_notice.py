"""会议通知 (meeting notice): the request body office systems post for a notice."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from schemas.fields import (
    BaseSchema,
    Boolean,
    CalendarDate,
    Choice,
    DateTimeWithOffset,
    DocNumberField,
    Email,
    FieldCorrection,
    Integer,
    Object,
    ParsedDocNumber,
    Pattern,
    PhoneNumber,
    PrintingChoice,
    Secrecy,
    SecrecyField,
    Text,
    TextList,
    located,
)
from service.errors import bilingual
from service.typography.gbt9704 import COPY_NUMBER_DIGITS, URGENCY_LEVELS
from service.typography.punctuation import strip_trailing_colon


class IssuerSchema(BaseSchema):
    name = Text(required=True, max_length=50, metadata={"description": "发文机关全称"})
    mark = Text(
        max_length=30,
        metadata={"description": "发文机关标志；文件格式默认为机关名称加“文件”，信函格式默认为机关名称"},
    )


class CheckInSchema(BaseSchema):
    time = DateTimeWithOffset(required=True, metadata={"description": "报到时间"})
    place = Text(max_length=100, metadata={"description": "报到地点"})


class MeetingSchema(BaseSchema):
    name = Text(required=True, max_length=100, metadata={"description": "会议名称"})
    start = DateTimeWithOffset(required=True, metadata={"description": "开始时间"})
    end = DateTimeWithOffset(metadata={"description": "结束时间"})
    check_in = Object(CheckInSchema, metadata={"description": "报到"})
    venue = Text(required=True, max_length=100, metadata={"description": "会议地点"})
    attendees = TextList(required=True, min_items=1, max_items=30, max_length=200, metadata={"description": "参会人员"})
    agenda = TextList(max_items=30, max_length=200, load_default=list, metadata={"description": "会议议程"})

    @validates_schema
    def _check_times(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(bilingual("结束时间早于开始时间", "The end is before the start."), field_name="end")
        check_in = data.get("check_in")
        if start and check_in and check_in["time"] > start:
            raise ValidationError(
                {"time": [bilingual("报到时间晚于会议开始时间", "Check-in is after the meeting starts.")]},
                field_name="check_in",
            )


class ReplySchema(BaseSchema):
    deadline = DateTimeWithOffset(required=True, metadata={"description": "回执报送截止时间"})
    fax = PhoneNumber(metadata={"description": "回执传真号码"})
    email = Email(metadata={"description": "回执电子邮箱"})
    rows = Integer(minimum=1, maximum=60, load_default=8, metadata={"description": "回执表格空白行数"})
    title = Text(max_length=60, metadata={"description": "回执标题；默认为会议名称加“参会回执”"})


class ContactSchema(BaseSchema):
    name = Text(required=True, max_length=40, metadata={"description": "联系人"})
    phone = PhoneNumber(required=True, metadata={"description": "联系电话"})


class MeetingNoticeSchema(BaseSchema):
    """会议通知: the notice of a meeting, in 文件格式 or 信函格式 (GB/T 9704-2012)."""

    format = Choice(
        ("document", "letter"),
        load_default="document",
        metadata={"title": "版式", "description": "document=文件格式，letter=信函格式"},
    )
    printing = PrintingChoice()
    issuer = Object(IssuerSchema, required=True, metadata={"description": "发文机关"})
    doc_number = DocNumberField(
        metadata={"description": '发文字号，如“青政办发〔2026〕15号”，或{"prefix": "青政办发"}申请自动编号'}
    )
    copy_no = Pattern(
        rf"^[0-9]{{{COPY_NUMBER_DIGITS}}}$",
        hint_zh=f"份号应为{COPY_NUMBER_DIGITS}位阿拉伯数字，如000123",
        hint_en=f"The copy number has {COPY_NUMBER_DIGITS} digits, e.g. 000123.",
        max_length=COPY_NUMBER_DIGITS,
        metadata={"description": f"份号（{COPY_NUMBER_DIGITS}位）"},
    )
    secrecy = SecrecyField(metadata={"description": "密级和保密期限，如“机密★1年”"})
    urgency = Choice(URGENCY_LEVELS, metadata={"description": "紧急程度"})
    title = Text(required=True, max_length=100, metadata={"description": "标题"})
    recipients = TextList(max_items=50, max_length=60, load_default=list, metadata={"description": "主送机关"})
    intro = Text(max_length=2000, metadata={"description": "开头语；缺省时按会议名称生成"})
    meeting = Object(MeetingSchema, required=True, metadata={"description": "会议"})
    requirements = TextList(max_items=30, max_length=500, load_default=list, metadata={"description": "会议要求"})
    reply = Object(ReplySchema, metadata={"description": "参会回执；给出时附回执"})
    contact = Object(ContactSchema, metadata={"description": "联系人"})
    signatory = Text(max_length=50, metadata={"description": "发文机关署名；默认为发文机关名称"})
    date = CalendarDate(required=True, metadata={"description": "成文日期"})
    seal = Boolean(load_default=True, metadata={"description": "是否加盖印章"})
    note = Text(max_length=200, metadata={"description": "附注，如“此件公开发布”"})
    cc = TextList(max_items=50, max_length=60, load_default=list, metadata={"description": "抄送机关"})
    printed_by = Text(max_length=50, metadata={"description": "印发机关；默认为发文机关名称"})
    printed_on = CalendarDate(metadata={"description": "印发日期；默认为成文日期"})

    @validates_schema
    def _check_rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        # GB/T 9704-2012 7.2.1: a classified document must carry its 份号.
        if data.get("secrecy") and not data.get("copy_no"):
            errors["copy_no"] = [bilingual("涉密公文应当标注份号", "A classified document needs a copy number.")]
        printed_on, dated = data.get("printed_on"), data.get("date")
        if printed_on and dated and printed_on < dated:
            errors["printed_on"] = [bilingual("印发日期早于成文日期", "Printed before the document was dated.")]
        reply, meeting = data.get("reply"), data.get("meeting")
        if reply and meeting and reply["deadline"] > meeting["start"]:
            errors["reply.deadline"] = [
                bilingual("回执截止时间晚于会议开始时间", "The reply deadline is after the meeting starts.")
            ]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        corrections: list[FieldCorrection] = []
        number = data.get("doc_number")
        if isinstance(number, ParsedDocNumber):
            corrections += [located("doc_number", c) for c in number.corrections]
        secrecy = data.get("secrecy")
        if isinstance(secrecy, Secrecy):
            corrections += [located("secrecy", c) for c in secrecy.corrections]
        for list_field in ("recipients", "cc"):
            cleaned = []
            for index, name in enumerate(data[list_field]):
                stripped, correction = strip_trailing_colon(name)
                if correction is not None:
                    corrections.append(located(f"{list_field}[{index}]", correction))
                cleaned.append(stripped)
            data[list_field] = cleaned
        data["corrections"] = corrections
        return data
