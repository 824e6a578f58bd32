"""归档 run (DA/T 22-2015): the filing part of a run request, what the box, its forms and every stamp share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from schemas.archive_cover import DEFAULT_SPINE_WIDTH_MM, MAX_ITEM_NO, SPINE_WIDTHS_MM
from schemas.fields import (
    BaseSchema,
    CalendarDate,
    ChoiceInteger,
    FieldCorrection,
    FondsNumber,
    Integer,
    RetentionField,
    Text,
    located,
)
from service.errors import bilingual

# The 归档章's 机构（问题） cell holds two lines of 小六 (schemas/archive_stamp.py); every 件 carries it.
MAX_ORGANIZATION = 12


class ArchiveFilingSchema(BaseSchema):
    """How a run files its documents: one box of one 全宗, 年度 and 保管期限, numbered from `start_item_no`."""

    fonds_no = FondsNumber(metadata={"description": "全宗号，如J012；档案馆尚未编定时留空"})
    fonds_name = Text(required=True, max_length=50, metadata={"description": "全宗名称（立档单位全称或通用简称）"})
    year = Integer(required=True, minimum=1900, maximum=2100, metadata={"description": "年度（4位）"})
    retention = RetentionField(required=True, metadata={"description": "保管期限：永久、定期30年或定期10年"})
    organization = Text(
        max_length=MAX_ORGANIZATION,
        allow_empty=True,
        load_default="",
        metadata={"description": "机构（问题）；不设时留空。印在每件的归档章上，至多12字"},
    )
    start_item_no = Integer(
        minimum=1,
        maximum=MAX_ITEM_NO,
        load_default=1,
        metadata={"description": "本盒第一件的件号（1至9999），其后各件依次编号"},
    )
    box_no = Integer(required=True, minimum=1, maximum=9999, metadata={"description": "盒号"})
    title = Text(
        max_length=60, allow_empty=True, load_default="", metadata={"description": "盒内文件的概括名称，印在封面"}
    )
    compiled_by = Text(max_length=20, allow_empty=True, load_default="", metadata={"description": "整理人"})
    compiled_on = CalendarDate(load_default=None, metadata={"description": "整理日期，不早于盒内最晚文件的日期"})
    checked_by = Text(max_length=20, allow_empty=True, load_default="", metadata={"description": "检查人"})
    checked_on = CalendarDate(load_default=None, metadata={"description": "检查日期"})
    notes = Text(max_length=500, allow_empty=True, load_default="", metadata={"description": "盒内文件情况说明"})
    spine_width = ChoiceInteger(
        SPINE_WIDTHS_MM,
        load_default=DEFAULT_SPINE_WIDTH_MM,
        metadata={"description": "档案盒盒脊厚度（毫米）：20、30、40或50"},
    )

    @validates_schema
    def _check_dates(self, data: Mapping[str, Any], **_: Any) -> None:
        # 整理日期 against the documents is checked when the 目录 is made (schemas/archive_cover.py).
        compiled_on, checked_on = data.get("compiled_on"), data.get("checked_on")
        if compiled_on and checked_on and checked_on < compiled_on:
            raise ValidationError(
                {"checked_on": [bilingual("检查日期早于整理日期", "Checked before the box was compiled.")]}
            )

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        corrections: list[FieldCorrection] = [located("retention", c) for c in data["retention"].corrections]
        data["corrections"] = corrections
        return data
