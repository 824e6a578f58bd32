"""发文字号 (document numbers): 机关代字 + 〔year〕 + serial + 号, per GB/T 9704-2012 7.2.5.

The year is the full four-digit year in six-corner brackets 〔〕 (U+3014, U+3015); the serial has
no 第 and no padding zeros: 青政办发〔2026〕5号. parse_doc_number() repairs the slips clerks make
every day (other brackets, full-width digits, stray spaces) and reports each repair; anything it
cannot repair with certainty is refused with a message that names the problem and, where it can,
shows the corrected number.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from service.typography.corrections import Correction, bilingual

__all__ = ["Correction", "DocNumber", "DocNumberError", "parse_doc_number"]

YEAR_OPEN = "〔"  # U+3014, GB/T 9704-2012 7.2.5: 六角括号
YEAR_CLOSE = "〕"  # U+3015
FIRST_YEAR = 1949  # decision: nothing older is issued by today's organs
LAST_YEAR = 2100  # decision: a guard against typos such as 〔2206〕
# decision: no series runs to a million numbers in a year; the guard also keeps serials within the
# register's 32-bit integer column and away from int()'s 4300-digit limit.
MAX_SERIAL = 999_999
EXAMPLE = "青政办发〔2026〕15号"

# Brackets clerks put round the year instead of 〔〕: ASCII, 【】, full-width round and square, angle, small.
_OPENERS = "〔[【(（〈［﹝"
_CLOSERS = "〕]】)）〉］﹞"
_ANY_BRACKET = frozenset(_OPENERS + _CLOSERS + "《》「」『』{}<>〖〗")
_YEAR_PAIR = re.compile(f"([{re.escape(_OPENERS)}])([^{re.escape(_OPENERS + _CLOSERS)}]*)([{re.escape(_CLOSERS)}])")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CHINESE_YEAR_DIGITS = "〇○零一二三四五六七八九"
_CHINESE_DIGITS = str.maketrans(_CHINESE_YEAR_DIGITS, "000123456789")
_ASCII_DIGITS = frozenset("0123456789")


class DocNumberError(ValueError):
    """A 发文字号 that cannot be used or repaired; `message` says why (中文 / English) and how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DocNumber:
    """A valid 发文字号; str() gives 青政办发〔2026〕15号."""

    prefix: str
    year: int
    serial: int

    def __post_init__(self) -> None:
        problem = _prefix_problem(self.prefix)
        if problem:
            raise DocNumberError(bilingual(*problem))
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise DocNumberError(_year_range_message(self.year))
        if self.serial < 1:
            raise DocNumberError(bilingual("发文字号序号须从1开始", f"The serial must be 1 or more, got {self.serial}"))
        if self.serial > MAX_SERIAL:
            raise DocNumberError(_serial_too_large_message())

    def __str__(self) -> str:
        return f"{self.prefix}{YEAR_OPEN}{self.year}{YEAR_CLOSE}{self.serial}号"


def _prefix_problem(prefix: str) -> tuple[str, str] | None:
    if not prefix:
        return ("发文字号缺少机关代字", "The issuing organ's code (机关代字) is missing")
    if any(character.isspace() for character in prefix):
        return ("机关代字中不得有空格", "The issuing organ's code must not contain spaces")
    if any(character in _ANY_BRACKET for character in prefix):
        return ("机关代字中不得含括号", "The issuing organ's code must not contain brackets")
    if _is_ascii_number(prefix):
        return ("机关代字不能只有数字", "The issuing organ's code cannot be digits only")
    # parse_doc_number() turns full-width digits into ASCII ones, so a prefix keeping them would not read back.
    if prefix != prefix.translate(_FULL_WIDTH_DIGITS):
        return ("机关代字中的数字应为半角阿拉伯数字", "Digits in the issuing organ's code must be ASCII digits")
    return None


def _year_range_message(year: int) -> str:
    return bilingual(
        f"发文字号年份{year}不在{FIRST_YEAR}至{LAST_YEAR}之间",
        f"The year {year} is outside {FIRST_YEAR}..{LAST_YEAR}",
    )


def _serial_too_large_message() -> str:
    return bilingual(f"发文字号序号不能大于{MAX_SERIAL}", f"The serial cannot be larger than {MAX_SERIAL}")


def _refuse(chinese: str, english: str, suggestion: str | None = None) -> DocNumberError:
    if suggestion:
        return DocNumberError(bilingual(f"{chinese}，应写作“{suggestion}”", f"{english}: write {suggestion}"))
    return DocNumberError(bilingual(f"{chinese}（格式如“{EXAMPLE}”）", f"{english} (e.g. {EXAMPLE})"))


def parse_doc_number(text: str) -> tuple[DocNumber, list[Correction]]:
    """Read a 发文字号, repairing and reporting clerk slips; raise DocNumberError for anything else.

    Repaired, one Correction each: spaces anywhere (including full-width ones); full-width digits;
    the year in [] 【】 () （） 〈〉 ［］ ﹝﹞ instead of 〔〕. Refused: an empty number, a missing or
    malformed 机关代字, a year that is not four Arabic digits between 1949 and 2100, a serial with
    第 or leading zeros, equal to 0 or above 999999, a missing 号 or text after it.
    """
    corrections: list[Correction] = []
    current = text

    compact = "".join(current.split())
    if not compact:
        raise DocNumberError(bilingual("发文字号为空", "The document number is empty"))
    if compact != current:
        message = bilingual("已去除发文字号中的空格", "Removed spaces from the document number")
        corrections.append(Correction(current, compact, message))
        current = compact

    ascii_digits = current.translate(_FULL_WIDTH_DIGITS)
    if ascii_digits != current:
        corrections.append(
            Correction(
                current,
                ascii_digits,
                bilingual("已将全角数字改为半角阿拉伯数字", "Replaced full-width digits with ASCII digits"),
            )
        )
        current = ascii_digits

    pairs = list(_YEAR_PAIR.finditer(current))
    if not pairs:
        raise _refuse("发文字号缺少用六角括号“〔〕”标注的年份", "The year in 〔〕 is missing")
    pair = next((match for match in pairs if _is_ascii_number(match.group(2))), pairs[0])
    opener, year_text, closer = pair.group(1), pair.group(2), pair.group(3)
    if (opener, closer) != (YEAR_OPEN, YEAR_CLOSE):
        fixed = current[: pair.start()] + YEAR_OPEN + year_text + YEAR_CLOSE + current[pair.end() :]
        corrections.append(
            Correction(
                current,
                fixed,
                bilingual(
                    f"年份应使用六角括号“〔〕”，已将“{pair.group(0)}”改为“〔{year_text}〕”",
                    f"The year goes in six-corner brackets: replaced {pair.group(0)} with 〔{year_text}〕",
                ),
            )
        )
    prefix, rest = current[: pair.start()], current[pair.end() :]

    return _validated(prefix, year_text, rest), corrections


def _is_ascii_number(text: str) -> bool:
    return text != "" and all(character in _ASCII_DIGITS for character in text)


def _leading_digits(text: str) -> str:
    return "".join(itertools.takewhile(lambda character: character in _ASCII_DIGITS, text))


def _validated(prefix: str, year_text: str, rest: str) -> DocNumber:
    """The DocNumber for the three parts, or DocNumberError for the first thing wrong with them."""
    problem = _prefix_problem(prefix)
    if problem:
        raise _refuse(*problem)

    ordinal = rest.startswith("第")
    serial_text = _leading_digits(rest[1:] if ordinal else rest)
    tail = rest[len(serial_text) + ordinal :]
    significant = serial_text.lstrip("0")
    serial = int(significant or "0") if len(significant) <= len(str(MAX_SERIAL)) else MAX_SERIAL + 1

    def suggestion(year: int) -> str | None:
        """The number with every slip below fixed, if that number is valid and the serial leaves no doubt."""
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= serial <= MAX_SERIAL):
            return None
        if not (tail == "" or tail.startswith("号")):
            return None
        return f"{prefix}{YEAR_OPEN}{year}{YEAR_CLOSE}{serial}号"

    if not year_text:
        raise _refuse("发文字号年份为空", "The year is empty")
    if len(year_text) == 4 and all(character in _CHINESE_YEAR_DIGITS for character in year_text):
        year_value = int(year_text.translate(_CHINESE_DIGITS))
        raise _refuse(
            "发文字号年份应使用阿拉伯数字",
            "The year must be written in Arabic digits",
            suggestion(year_value),
        )
    if not _is_ascii_number(year_text):
        raise _refuse(f"发文字号年份“{year_text}”应为阿拉伯数字", f"The year {year_text} must be Arabic digits")
    if len(year_text) != 4:
        raise _refuse(
            f"发文字号年份“{year_text}”应为4位数字的全称",
            f"The year {year_text} must be written in full with four digits",
        )
    year = int(year_text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DocNumberError(_year_range_message(year))

    if ordinal:
        raise _refuse("发文字号序号前不得加“第”", "The serial takes no 第", suggestion(year))
    if not serial_text:
        if tail == "" or tail.startswith("号"):
            raise _refuse("发文字号缺少序号", "The serial is missing")
        raise _refuse(f"发文字号序号“{tail}”应为阿拉伯数字", f"The serial {tail} must be Arabic digits")
    if serial == 0:
        raise _refuse("发文字号序号不能为0", "The serial cannot be 0")
    if serial > MAX_SERIAL:
        raise DocNumberError(_serial_too_large_message())
    if serial_text.startswith("0"):
        raise _refuse("发文字号序号不得以0开头", "The serial must not be zero-padded", suggestion(year))
    if not tail:
        raise _refuse("发文字号应以“号”结尾", "The number must end with 号", suggestion(year))
    if not tail.startswith("号"):
        raise _refuse(f"发文字号序号后有多余内容“{tail}”", f'Unexpected text "{tail}" after the serial')
    if tail != "号":
        raise _refuse(
            f"发文字号“号”字后有多余内容“{tail[1:]}”",
            f'Unexpected text "{tail[1:]}" after 号',
            suggestion(year),
        )
    return DocNumber(prefix, year, serial)
