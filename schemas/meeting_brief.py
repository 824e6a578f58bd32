"""会议简报 (meeting brief): the request body office systems post for one issue of a brief."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from schemas.fields import (
    BaseSchema,
    CalendarDate,
    FieldCorrection,
    Integer,
    Object,
    ObjectList,
    Pattern,
    Secrecy,
    SecrecyField,
    Text,
    TextList,
    located,
)
from service.errors import bilingual
from service.typography.gbt9704 import COPY_NUMBER_DIGITS, SECRECY_LEVELS

# The mark of a brief that is not classified but not for the public either (typesetting spec §5.1).
INTERNAL = "内部资料"
# Decision (docs/decisions/0008): at most 24 字, so that the name always fits one line at 18 pt
# (24 × 18 pt = 432 pt ≤ the 442.2 pt 版心 line); service.documents.meeting_brief.name_size shrinks it.
NAME_MAX_CHARS = 24
# Decision: 编印单位 and the date share one line; 18 字 + a gap + the longest date (7 字) fit 28.
EDITOR_MAX_CHARS = 18


class ClassificationField(SecrecyField):
    """内部资料, or a 密级 with its period as GB/T 9704-2012 7.2.2 writes it (机密★1年)."""

    def correct(self, text: str) -> Secrecy:
        if text == INTERNAL:
            return Secrecy(INTERNAL, [])
        try:
            return super().correct(text)
        except ValidationError as exc:
            raise ValidationError(
                bilingual(
                    f"密级应为“{INTERNAL}”，或{'、'.join(SECRECY_LEVELS)}之一（可加保密期限，如“机密★1年”）",
                    f"Use {INTERNAL}, or 秘密, 机密 or 绝密 optionally with a period, e.g. 机密★1年.",
                )
            ) from exc


class ArticleSchema(BaseSchema):
    title = Text(required=True, max_length=60, metadata={"description": "文章标题"})
    paragraphs = TextList(
        required=True,
        min_items=1,
        max_items=60,
        max_length=3000,
        metadata={"description": "正文自然段，每项一段"},
    )


class DistributionSchema(BaseSchema):
    """报尾的报送范围: 报 (upward), 送 (to peers), 发 (downward)."""

    report_to = TextList(max_items=30, max_length=60, load_default=list, metadata={"description": "报：上级机关和领导"})
    send_to = TextList(max_items=30, max_length=60, load_default=list, metadata={"description": "送：平级机关"})
    issue_to = TextList(max_items=30, max_length=60, load_default=list, metadata={"description": "发：下级机关"})


def _empty_distribution() -> dict[str, list[str]]:
    return {"report_to": [], "send_to": [], "issue_to": []}


class MeetingBriefSchema(BaseSchema):
    """会议简报: 报头 (name, 期号, 编印单位, date), articles, and the 报尾 at the foot of the last page."""

    name = Text(
        required=True,
        max_length=NAME_MAX_CHARS,
        metadata={"description": f"简报名称，如“全县冬春季安全生产工作会议简报”（最多{NAME_MAX_CHARS}字）"},
    )
    issue_no = Integer(required=True, minimum=1, maximum=9999, metadata={"description": "期号：第N期"})
    total_issue_no = Integer(minimum=1, maximum=99999, metadata={"description": "总期号：总第N期，缺省不印"})
    editor = Text(
        required=True,
        max_length=EDITOR_MAX_CHARS,
        metadata={"description": "编印单位，如“会议秘书组”"},
    )
    date = CalendarDate(required=True, metadata={"description": "印发日期"})
    classification = ClassificationField(
        metadata={"description": f"“{INTERNAL}”或密级和保密期限（如“机密★1年”），印于左上角；缺省不印"}
    )
    copy_no = Pattern(
        rf"^[0-9]{{{COPY_NUMBER_DIGITS}}}$",
        hint_zh=f"编号应为{COPY_NUMBER_DIGITS}位阿拉伯数字，如000123",
        hint_en=f"The copy number has {COPY_NUMBER_DIGITS} digits, e.g. 000123.",
        max_length=COPY_NUMBER_DIGITS,
        metadata={"description": f"编号（份号，{COPY_NUMBER_DIGITS}位），印于右上角；涉密简报必填"},
    )
    editor_note = Text(max_length=1000, metadata={"description": "编者按，印于第一篇文章之前"})
    articles = ObjectList(
        ArticleSchema, required=True, min_items=1, max_items=30, metadata={"description": "文章，按刊登顺序"}
    )
    distribution = Object(
        DistributionSchema, load_default=_empty_distribution, metadata={"description": "报尾的报送范围"}
    )
    copies = Integer(required=True, minimum=1, maximum=100000, metadata={"description": "印数：共印N份"})

    @validates_schema
    def _check_rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        total, issue = data.get("total_issue_no"), data.get("issue_no")
        if total is not None and issue is not None and total < issue:
            errors["total_issue_no"] = [bilingual("总期号小于期号", "The running number is below the issue number.")]
        # GB/T 9704-2012 7.2.1, borrowed: a classified copy carries its number.
        classification = data.get("classification")
        if isinstance(classification, Secrecy) and classification.text != INTERNAL and not data.get("copy_no"):
            errors["copy_no"] = [bilingual("涉密简报应当标注编号", "A classified brief needs a copy number.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _collect_corrections(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        corrections: list[FieldCorrection] = []
        classification = data.get("classification")
        if isinstance(classification, Secrecy):
            corrections += [located("classification", c) for c in classification.corrections]
        data["corrections"] = corrections
        return data
