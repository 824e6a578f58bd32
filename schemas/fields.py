"""Field types shared by every document kind, with messages in Chinese first and English after."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from service.errors import bilingual
from service.typography.doc_numbers import Correction, DocNumber, DocNumberError, parse_doc_number
from service.typography.gbt9704 import SECRECY_LEVELS


class BaseSchema(Schema):
    """Rejects unknown fields (a typo must not vanish silently) with a bilingual message."""

    error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "unknown": bilingual("未知字段", "Unknown field."),
        "type": bilingual("应为JSON对象", "Expected a JSON object."),
    }


_COMMON_MESSAGES = {
    "required": bilingual("缺少必填字段", "Missing data for required field."),
    "null": bilingual("不能为null", "Field may not be null."),
    "validator_failed": bilingual("取值无效", "Invalid value."),
}

# XML 1.0 forbids these code points outright; tab, LF and CR are legal XML but would break the
# one-paragraph-per-value layout, so every text field refuses them too.
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _describe_forbidden(value: str) -> str | None:
    match = _FORBIDDEN_CHARACTERS.search(value)
    if match is None:
        return None
    code = f"U+{ord(match.group()):04X}"
    position = match.start() + 1
    return bilingual(
        f"第{position}个字符是不可打印的控制字符（{code}），请删除",
        f"character {position} is a control character ({code}) that cannot appear in a document",
    )


class Text(fields.String):
    """One line of document text: trimmed, length-limited, free of control characters.

    Everything else is allowed and is printed exactly as sent: markup, Jinja syntax, emoji, rare
    characters. `max_length` counts characters as the clerk sees them.
    """

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("应为字符串", "Not a valid string."),
        "invalid_utf8": bilingual("不是有效的UTF-8文本", "Not a valid utf-8 string."),
        "empty": bilingual("不能为空", "Must not be empty."),
        "too_long": bilingual("不能超过{max}个字符（现为{length}个）", "At most {max} characters ({length} given)."),
    }

    def __init__(self, *, max_length: int, allow_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.allow_empty = allow_empty

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and not self.allow_empty:
            raise self.make_error("empty")
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length, length=len(text))
        problem = _describe_forbidden(text)
        if problem is not None:
            raise ValidationError(problem)
        return unicodedata.normalize("NFC", text)


class TextList(fields.List):
    """An ordered list of text lines with a bound on its length."""

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("应为列表", "Not a valid list."),
    }

    def __init__(self, *, max_items: int, max_length: int, min_items: int = 0, **kwargs: Any) -> None:
        super().__init__(Text(max_length=max_length), **kwargs)
        self.validators.insert(0, _item_count(min_items, max_items))


def _item_count(min_items: int, max_items: int) -> validate.Length:
    return validate.Length(
        min=min_items,
        max=max_items,
        error=bilingual(f"应有{min_items}至{max_items}项", f"Must have between {min_items} and {max_items} items."),
    )


class Object(fields.Nested):
    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "type": bilingual("应为JSON对象", "Expected a JSON object."),
    }


class ObjectList(fields.List):
    """An ordered list of JSON objects, each loaded with `schema`, with a bound on its length."""

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("应为列表", "Not a valid list."),
    }

    def __init__(self, schema: type[Schema], *, max_items: int, min_items: int = 0, **kwargs: Any) -> None:
        super().__init__(Object(schema), **kwargs)
        self.validators.insert(0, _item_count(min_items, max_items))


class Boolean(fields.Boolean):
    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("应为true或false", "Not a valid boolean."),
    }

    def __init__(self, **kwargs: Any) -> None:
        # Only JSON booleans: "false" as a string is a mistake we should not guess about.
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class Integer(fields.Integer):
    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("应为整数", "Not a valid integer."),
    }

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)
        self.validators.insert(
            0,
            validate.Range(
                min=minimum,
                max=maximum,
                error=bilingual(f"应在{minimum}至{maximum}之间", f"Must be between {minimum} and {maximum}."),
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


class CalendarDate(fields.Date):
    """An ISO 8601 date (2026-11-25)."""

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual("日期无效，应为YYYY-MM-DD格式，如2026-11-25", "Not a valid date (YYYY-MM-DD)."),
        "format": bilingual("日期无效", '"{input}" cannot be formatted as a date.'),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class DateTimeWithOffset(fields.AwareDateTime):
    """An ISO 8601 date and time carrying its UTC offset (2026-12-03T09:00:00+08:00).

    The offset is required because the document prints the time as the office reads its clock.
    """

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        "invalid": bilingual(
            "时间无效，应为带时区的ISO 8601格式，如2026-12-03T09:00:00+08:00",
            "Not a valid datetime; use ISO 8601 with an offset, e.g. 2026-12-03T09:00:00+08:00.",
        ),
        "invalid_awareness": bilingual(
            "时间缺少时区偏移，如+08:00", "The datetime must carry its UTC offset, e.g. +08:00."
        ),
        "format": bilingual("时间无效", '"{input}" cannot be formatted as a datetime.'),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)


class Choice(Text):
    """A text field restricted to a fixed vocabulary."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(max_length=max(len(c) for c in choices), **kwargs)
        listing = "、".join(choices)
        self.validators.insert(
            0,
            validate.OneOf(
                choices,
                error=bilingual(f"应为以下之一：{listing}", f"Must be one of: {', '.join(choices)}."),
            ),
        )

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        # Length is checked by OneOf; a long wrong value deserves the vocabulary, not a length message.
        self.max_length = max(self.max_length, len(value) if isinstance(value, str) else 0)
        return super()._deserialize(value, attr, data, **kwargs)


class Pattern(Text):
    """Text that must match a regular expression, with a hint in the message."""

    def __init__(self, pattern: str, *, hint_zh: str, hint_en: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Regexp(pattern, error=bilingual(hint_zh, hint_en)))


class Email(Pattern):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            hint_zh="电子邮箱格式不正确",
            hint_en="Not a valid e-mail address.",
            max_length=100,
            **kwargs,
        )


class PhoneNumber(Pattern):
    """Telephone or fax as offices write it: 0578-2123457, 13800000000, +86 578 2123457, 2123457转8001."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            r"^\+?[0-9][0-9 \-()（）]{2,24}([转,，][0-9]{1,6})?$",
            hint_zh="电话号码格式不正确，如0578-2123457",
            hint_en="Not a valid phone number, e.g. 0578-2123457.",
            max_length=32,
            **kwargs,
        )


# --- 密级, 印刷方式 (GB/T 9704-2012) ---------------------------------------------------------------------

# 机密★1年 (GB/T 9704-2012 7.2.2: level, ★, period in Arabic digits); the period is optional.
_SECRECY = re.compile(r"^(秘密|机密|绝密)(?:★([1-9][0-9]{0,2}(?:年|个月|天)|长期))?$")
_STAR_SLIPS = re.compile(r"\s*[*＊☆✩✭✮✯]\s*|\s*★\s*")


class CorrectedText:
    """A value as the document prints it, with the clerk slips corrected on the way in."""

    def __init__(self, text: str, corrections: list[Correction]) -> None:
        self.text = text
        self.corrections = corrections

    def __str__(self) -> str:
        return self.text


class CorrectingText(Text):
    """Text with a fixed form that clerks often slip on: `correct` gives it as printed, or refuses it."""

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> CorrectedText:
        return self.correct(super()._deserialize(value, attr, data, **kwargs))

    def correct(self, text: str) -> CorrectedText:
        """`text` (trimmed, checked as Text) as printed, with the slips corrected; ValidationError if wrong."""
        raise NotImplementedError


class Secrecy(CorrectedText):
    """密级和保密期限, e.g. 机密★1年."""


class SecrecyField(CorrectingText):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=12, **kwargs)

    def correct(self, text: str) -> Secrecy:
        fixed = _STAR_SLIPS.sub("★", text).replace(" ", "")
        if not _SECRECY.match(fixed):
            raise ValidationError(
                bilingual(
                    f"密级应为{'、'.join(SECRECY_LEVELS)}之一，可加保密期限，期限用阿拉伯数字，如“机密★1年”",
                    "Secrecy is 秘密, 机密 or 绝密, optionally with a period in Arabic digits, e.g. 机密★1年.",
                )
            )
        corrections = []
        if fixed != text:
            corrections.append(
                Correction(
                    text,
                    fixed,
                    bilingual("密级与保密期限之间应使用“★”", "The level and period are joined by ★."),
                )
            )
        return Secrecy(fixed, corrections)


# GB/T 9704-2012 prints on both sides; offices that print single-sided keep the 版记 on the text's last page.
DOUBLE_SIDED = "double-sided"
PRINTING_MODES = (DOUBLE_SIDED, "single-sided")


class PrintingChoice(Choice):
    """印刷方式: where the page rules put the 版记 (double-sided by default)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", DOUBLE_SIDED)
        kwargs.setdefault(
            "metadata",
            {
                "description": "印刷方式：double-sided=双面印刷（GB/T 9704-2012，版记置于偶数页），"
                "single-sided=单面印刷（版记置于正文末页）"
            },
        )
        super().__init__(PRINTING_MODES, **kwargs)


# --- 全宗号, 保管期限 (DA/T 22-2015) -----------------------------------------------------------------------


class FondsNumber(Pattern):
    """全宗号: letters and digits, e.g. J012; empty until the archive assigns one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            r"^[0-9A-Za-z]*$",
            hint_zh="全宗号应为字母和数字，如J012；尚未编定时留空",
            hint_en="The fonds number is letters and digits, e.g. J012; leave it empty until assigned.",
            max_length=10,
            allow_empty=True,
            load_default="",
            **kwargs,
        )


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


class Retention(CorrectedText):
    """保管期限 as printed: 永久, 定期30年 or 定期10年."""


class RetentionField(CorrectingText):
    """保管期限: one of RETENTION_PERIODS; the codes Y / D30 / D10 and bare "30年" are corrected."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=10, **kwargs)

    def correct(self, text: str) -> Retention:
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


# --- 发文字号 ---------------------------------------------------------------------------------------------


class AllocationRequest:
    """`{"prefix": "青政办发"}`: the client asks the service to allocate the next 发文字号."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AllocationRequest) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


class ParsedDocNumber:
    """A 发文字号 given whole, with the clerk slips that were corrected on the way in."""

    def __init__(self, number: DocNumber, corrections: list[Correction]) -> None:
        self.number = number
        self.corrections = corrections


class DocNumberField(fields.Field):
    """发文字号: either the whole number as text or `{"prefix": ...}` asking for allocation."""

    default_error_messages = {  # noqa: RUF012
        **_COMMON_MESSAGES,
        # Marshmallow formats these with str.format: the braces of the JSON example are doubled.
        "invalid": bilingual(
            '应为发文字号字符串（如“青政办发〔2026〕15号”）或{{"prefix": "青政办发"}}',
            'Must be a document number string or {{"prefix": ...}}.',
        ),
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> ParsedDocNumber | AllocationRequest:
        if isinstance(value, Mapping):
            if set(value) != {"prefix"} or not isinstance(value["prefix"], str):
                raise self.make_error("invalid")
            prefix = value["prefix"].strip()
            if not prefix or len(prefix) > 20 or _describe_forbidden(prefix) or re.search(r"[\d〔〕\[\]【】]", prefix):
                raise ValidationError(
                    bilingual(
                        "机关代字应为1至20个字符，不含年份、序号和括号，如“青政办发”",
                        "The prefix is the issuer code alone, 1-20 characters, e.g. 青政办发.",
                    )
                )
            return AllocationRequest(prefix)
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if len(value) > 40:
            raise ValidationError(bilingual("发文字号过长（最多40个字符）", "Document number too long (max 40)."))
        problem = _describe_forbidden(value)
        if problem is not None:
            raise ValidationError(problem)
        try:
            number, corrections = parse_doc_number(value)
        except DocNumberError as exc:
            raise ValidationError(exc.message) from exc
        return ParsedDocNumber(number, corrections)


@dataclass(frozen=True)
class FieldCorrection:
    """A clerk slip the service corrected, reported back to the client with the field it was in."""

    field: str
    original: str
    corrected: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "original": self.original,
            "corrected": self.corrected,
            "message": self.message,
        }


def located(field: str, correction: Correction) -> FieldCorrection:
    return FieldCorrection(field, correction.original, correction.corrected, correction.message)
