"""归档章 (archive stamp, DA/T 22-2015 7.2): the six values stamped on a document's first page."""

from __future__ import annotations

from typing import Any

from marshmallow import post_load

from schemas.archive_cover import MAX_ITEM_NO
from schemas.fields import BaseSchema, FieldCorrection, FondsNumber, Integer, RetentionField, Text, located


class ArchiveStampSchema(BaseSchema):
    """归档章: 全宗号, 年度, 件号 / 机构（问题）, 保管期限, 页数, in a 45 × 16 mm grid of six cells."""

    fonds_no = FondsNumber(metadata={"description": "全宗号，如J012；尚未编定时留空"})
    year = Integer(required=True, minimum=1900, maximum=2100, metadata={"description": "年度（4位）"})
    item_no = Integer(
        required=True, minimum=1, maximum=MAX_ITEM_NO, metadata={"description": "件号（1至9999，印作4位，如0041）"}
    )
    organization = Text(
        max_length=12, allow_empty=True, load_default="", metadata={"description": "机构（问题）；不设时留空"}
    )
    retention = RetentionField(required=True, metadata={"description": "保管期限：永久、定期30年或定期10年"})
    pages = Integer(required=True, minimum=1, maximum=9999, metadata={"description": "页数"})

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        corrections: list[FieldCorrection] = [located("retention", c) for c in data["retention"].corrections]
        data["corrections"] = corrections
        return data
