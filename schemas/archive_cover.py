"""归档 cover set (DA/T 22-2015): the body for one box's cover, 归档文件目录, 备考表 and 盒脊 label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from schemas.fields import (
    BaseSchema,
    CalendarDate,
    ChoiceInteger,
    FieldCorrection,
    FondsNumber,
    Integer,
    ObjectList,
    RetentionField,
    Text,
    located,
)
from service.errors import bilingual

ITEM_NO_DIGITS = 4  # decision (DA/T 22-2015 practice, unconfirmed): 件号 printed as 0001
MAX_ITEM_NO = 10**ITEM_NO_DIGITS - 1
SPINE_WIDTHS_MM = (20, 30, 40, 50)  # DA/T 22-2015 6.2: 档案盒 spine 20, 30, 40 or 50 mm
DEFAULT_SPINE_WIDTH_MM = 40  # decision: the usual 文书 box
MAX_ITEMS = 1000  # decision: far more than a box holds; the 目录 of a whole year still fits


class ArchiveItemSchema(BaseSchema):
    """One 件 of the 归档文件目录 (DA/T 22-2015 8.1)."""

    item_no = Integer(
        required=True, minimum=1, maximum=MAX_ITEM_NO, metadata={"description": "件号（1至9999，印作4位，如0041）"}
    )
    doc_number = Text(
        max_length=50, allow_empty=True, load_default="", metadata={"description": "文号，照文件所载填写；无文号为空"}
    )
    responsible = Text(required=True, max_length=60, metadata={"description": "责任者（形成文件的机关或个人）"})
    title = Text(required=True, max_length=200, metadata={"description": "题名；文件没有标题的，自拟标题外加方括号"})
    date = CalendarDate(required=True, metadata={"description": "文件形成日期；目录中印作8位数字，如20261125"})
    pages = Integer(required=True, minimum=1, maximum=9999, metadata={"description": "页数（有图文的页面数）"})
    remarks = Text(max_length=50, allow_empty=True, load_default="", metadata={"description": "备注"})


class BoxDescriptionSchema(BaseSchema):
    """What describes one 档案盒 wherever it is given: 全宗, 年度, 保管期限, 盒号 and who compiled it."""

    fonds_no = FondsNumber(metadata={"description": "全宗号，如J012；档案馆尚未编定时留空"})
    fonds_name = Text(required=True, max_length=50, metadata={"description": "全宗名称（立档单位全称或通用简称）"})
    year = Integer(required=True, minimum=1900, maximum=2100, metadata={"description": "年度（4位）"})
    retention = RetentionField(required=True, metadata={"description": "保管期限：永久、定期30年或定期10年"})
    organization = Text(
        max_length=20, allow_empty=True, load_default="", metadata={"description": "机构（问题）；不设时留空"}
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
        metadata={"description": "档案盒盒脊厚度（毫米）：20、30、40或50，盒脊标签按此宽度印制"},
    )

    @validates_schema
    def _check_dates(self, data: Mapping[str, Any], **_: Any) -> None:
        compiled_on, checked_on = data.get("compiled_on"), data.get("checked_on")
        if compiled_on and checked_on and checked_on < compiled_on:
            raise ValidationError(
                {"checked_on": [bilingual("检查日期早于整理日期", "Checked before the box was compiled.")]}
            )

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        retention = data["retention"]
        corrections: list[FieldCorrection] = [located("retention", c) for c in retention.corrections]
        data["corrections"] = corrections
        return data


class ArchiveCoverSchema(BoxDescriptionSchema):
    """归档 cover set of one 档案盒: cover, 归档文件目录, 备考表 and 盒脊 (DA/T 22-2015)."""

    items = ObjectList(
        ArchiveItemSchema,
        required=True,
        min_items=1,
        max_items=MAX_ITEMS,
        metadata={"description": "盒内文件，按件号顺序排列"},
    )

    @validates_schema
    def _check_items(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        items = data.get("items") or []
        item_errors: dict[int, dict[str, list[str]]] = {}
        for index in range(1, len(items)):
            previous, current = items[index - 1].get("item_no"), items[index].get("item_no")
            if previous is not None and current is not None and current <= previous:
                item_errors[index] = {
                    "item_no": [
                        bilingual(
                            f"件号应从小到大排列且不重复（前一件为{previous}）",
                            f"Item numbers must increase (the previous item is {previous}).",
                        )
                    ]
                }
        if item_errors:
            errors["items"] = item_errors
        dates = [item["date"] for item in items if item.get("date") is not None]
        compiled_on = data.get("compiled_on")
        if compiled_on and dates and compiled_on < max(dates):
            errors["compiled_on"] = [
                bilingual(
                    f"整理日期早于盒内最晚文件的日期（{max(dates).isoformat()}）",
                    f"Compiled before the latest document in the box ({max(dates).isoformat()}).",
                )
            ]
        if errors:
            raise ValidationError(errors)
