"""归档 cover set (DA/T 22-2015): the body for one box's cover, 归档文件目录, 备考表 and 盒脊 label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema
from marshmallow.schema import SchemaMeta

from schemas.fields import (
    BaseSchema,
    CalendarDate,
    FieldCorrection,
    Integer,
    Object,
    Pattern,
    Text,
    located,
)
from service.errors import bilingual
from service.typography.corrections import Correction

# 国家档案局令第8号 (2006): the three retention periods of 文书档案; 长期/短期 were abolished then.
RETENTION_PERIODS = ("永久", "定期30年", "定期10年")
# What clerks type instead: the codes of 档号 practice (Y / D30 / D10) and the bare periods.
_RETENTION_SLIPS = {
    "Y": "永久",
    "y": "永久",
    "D30": "定期30年",
    "d30": "定期30年",
    "D10": "定期10年",
    "d10": "定期10年",
    "30年": "定期30年",
    "10年": "定期10年",
    "30": "定期30年",
    "10": "定期10年",
    "定期三十年": "定期30年",
    "定期十年": "定期10年",
}
_ABOLISHED_RETENTION = ("长期", "短期")

ITEM_NO_DIGITS = 4  # decision (DA/T 22-2015 practice, unconfirmed): 件号 printed as 0001
MAX_ITEM_NO = 10**ITEM_NO_DIGITS - 1
SPINE_WIDTHS_MM = (20, 30, 40, 50)  # DA/T 22-2015 6.2: 档案盒 spine 20, 30, 40 or 50 mm
DEFAULT_SPINE_WIDTH_MM = 40  # decision: the usual 文书 box
MAX_ITEMS = 1000  # decision: far more than a box holds; the 目录 of a whole year still fits


class Retention:
    """保管期限 as printed (永久, 定期30年, 定期10年), with the slip that was corrected on the way in."""

    def __init__(self, text: str, corrections: list[Correction]) -> None:
        self.text = text
        self.corrections = corrections

    def __str__(self) -> str:
        return self.text


class RetentionField(Text):
    """保管期限: one of RETENTION_PERIODS; the codes Y / D30 / D10 and bare "30年" are corrected."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=10, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Retention:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        compact = text.replace(" ", "").replace("\u3000", "")
        if compact in RETENTION_PERIODS:
            corrections = [] if compact == text else [_retention_correction(text, compact)]
            return Retention(compact, corrections)
        if compact in _RETENTION_SLIPS:
            fixed = _RETENTION_SLIPS[compact]
            return Retention(fixed, [_retention_correction(text, fixed)])
        listing = "、".join(RETENTION_PERIODS)
        if compact in _ABOLISHED_RETENTION:
            raise ValidationError(
                bilingual(
                    f"“{compact}”自2006年起已不再使用，保管期限应为{listing}之一",
                    f"{compact} was abolished in 2006; the period is one of {', '.join(RETENTION_PERIODS)}.",
                )
            )
        raise ValidationError(
            bilingual(f"保管期限应为{listing}之一", f"The retention period is one of {', '.join(RETENTION_PERIODS)}.")
        )


def _retention_correction(original: str, corrected: str) -> Correction:
    return Correction(
        original,
        corrected,
        bilingual(f"保管期限应写作“{corrected}”", f"The retention period is written {corrected}."),
    )


class ObjectList(fields.List):
    """A bounded list of JSON objects, each loaded with `schema`; messages Chinese first."""

    default_error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "required": bilingual("缺少必填字段", "Missing data for required field."),
        "null": bilingual("不能为null", "Field may not be null."),
        "validator_failed": bilingual("取值无效", "Invalid value."),
        "invalid": bilingual("应为列表", "Not a valid list."),
    }

    def __init__(self, schema: SchemaMeta | type, *, min_items: int, max_items: int, **kwargs: Any) -> None:
        super().__init__(Object(schema), **kwargs)
        self.validators.insert(
            0,
            validate.Length(
                min=min_items,
                max=max_items,
                error=bilingual(
                    f"应有{min_items}至{max_items}项", f"Must have between {min_items} and {max_items} items."
                ),
            ),
        )


class ChoiceInteger(Integer):
    """An integer from a short fixed list (e.g. the spine widths)."""

    def __init__(self, choices: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(minimum=min(choices), maximum=max(choices), **kwargs)
        listing = "、".join(str(c) for c in choices)
        self.validators.append(
            validate.OneOf(
                choices, error=bilingual(f"应为以下之一：{listing}", f"Must be one of: {', '.join(map(str, choices))}.")
            )
        )


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


class ArchiveCoverSchema(BaseSchema):
    """归档 cover set of one 档案盒: cover, 归档文件目录, 备考表 and 盒脊 (DA/T 22-2015)."""

    fonds_no = Pattern(
        r"^[0-9A-Za-z]*$",
        hint_zh="全宗号应为字母和数字，如J012；尚未编定时留空",
        hint_en="The fonds number is letters and digits, e.g. J012; leave it empty until assigned.",
        max_length=10,
        allow_empty=True,
        load_default="",
        metadata={"description": "全宗号，如J012；档案馆尚未编定时留空"},
    )
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
    items = ObjectList(
        ArchiveItemSchema,
        required=True,
        min_items=1,
        max_items=MAX_ITEMS,
        metadata={"description": "盒内文件，按件号顺序排列"},
    )
    compiled_by = Text(max_length=20, allow_empty=True, load_default="", metadata={"description": "整理人"})
    compiled_on = CalendarDate(load_default=None, metadata={"description": "整理日期"})
    checked_by = Text(max_length=20, allow_empty=True, load_default="", metadata={"description": "检查人"})
    checked_on = CalendarDate(load_default=None, metadata={"description": "检查日期"})
    notes = Text(max_length=500, allow_empty=True, load_default="", metadata={"description": "盒内文件情况说明"})
    spine_width = ChoiceInteger(
        SPINE_WIDTHS_MM,
        load_default=DEFAULT_SPINE_WIDTH_MM,
        metadata={"description": "档案盒盒脊厚度（毫米）：20、30、40或50，盒脊标签按此宽度印制"},
    )

    @validates_schema
    def _check_rules(self, data: Mapping[str, Any], **_: Any) -> None:
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
        compiled_on, checked_on = data.get("compiled_on"), data.get("checked_on")
        if compiled_on and dates and compiled_on < max(dates):
            errors["compiled_on"] = [
                bilingual(
                    f"整理日期早于盒内最晚文件的日期（{max(dates).isoformat()}）",
                    f"Compiled before the latest document in the box ({max(dates).isoformat()}).",
                )
            ]
        if compiled_on and checked_on and checked_on < compiled_on:
            errors["checked_on"] = [bilingual("检查日期早于整理日期", "Checked before the box was compiled.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        retention = data["retention"]
        corrections: list[FieldCorrection] = [located("retention", c) for c in retention.corrections]
        data["corrections"] = corrections
        return data
