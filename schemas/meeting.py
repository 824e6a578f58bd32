"""会议 (meetings) in the registry: the body that creates one, the queries of the registry's lists and of an upload."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, fields, validate

from schemas.fields import BaseSchema, DateTimeWithOffset, Text
from service.errors import bilingual
from service.typography.doc_numbers import FIRST_YEAR, LAST_YEAR

MAX_PER_PAGE = 100


class NewMeetingSchema(BaseSchema):
    """A meeting whose documents the registry keeps together."""

    title = Text(required=True, max_length=200, metadata={"description": "会议名称"})
    organizer = Text(max_length=200, allow_empty=True, load_default="", metadata={"description": "主办单位"})
    location = Text(max_length=200, allow_empty=True, load_default="", metadata={"description": "会议地点"})
    start = DateTimeWithOffset(load_default=None, metadata={"description": "开始时间（带时区，如+08:00）"})
    notes = Text(max_length=2000, allow_empty=True, load_default="", metadata={"description": "备注"})


class QueryInteger(fields.Integer):
    """A whole number from the query string (where everything arrives as text)."""

    default_error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "required": bilingual("缺少必填参数", "Missing required parameter."),
        "invalid": bilingual("应为整数", "Not a valid integer."),
    }

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        message = bilingual(f"应在{minimum}至{maximum}之间", f"Must be between {minimum} and {maximum}.")
        super().__init__(validate=validate.Range(min=minimum, max=maximum, error=message), **kwargs)


class MeetingListQuerySchema(BaseSchema):
    class Meta:
        # A query string often carries a client's own parameters (cache busters); they are not a mistake.
        unknown = EXCLUDE

    page = QueryInteger(minimum=1, maximum=1_000_000, load_default=1, metadata={"description": "页码，从1开始"})
    per_page = QueryInteger(
        minimum=1, maximum=MAX_PER_PAGE, load_default=20, metadata={"description": f"每页条数（至多{MAX_PER_PAGE}）"}
    )


class NumberRegisterQuerySchema(BaseSchema):
    """Which series of the 发文字号 register (发文登记) to list: 机关代字 and year."""

    class Meta:
        unknown = EXCLUDE

    prefix = Text(required=True, max_length=40, metadata={"description": "机关代字，如“青政办发”"})
    year = QueryInteger(required=True, minimum=FIRST_YEAR, maximum=LAST_YEAR, metadata={"description": "年份"})


class UploadQuerySchema(BaseSchema):
    """What an upload's query may say about the file: its original name (the body is the file itself)."""

    class Meta:
        unknown = EXCLUDE

    # The stored column holds 255 characters; a longer name is refused, not cut.
    name = Text(max_length=255, allow_empty=True, load_default="", metadata={"description": "原文件名，如“签到表.pdf”"})
