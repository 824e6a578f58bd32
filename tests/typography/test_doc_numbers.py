"""parse_doc_number(): 发文字号 slips repaired and reported, everything else refused with the right form."""

from __future__ import annotations

import pytest

from service.typography import corrections
from service.typography.doc_numbers import Correction, DocNumber, DocNumberError, parse_doc_number


def test_doc_number_str_uses_six_corner_brackets() -> None:
    assert str(DocNumber("青政办发", 2026, 15)) == "青政办发〔2026〕15号"


def test_correction_is_importable_from_doc_numbers() -> None:
    assert Correction is corrections.Correction


def test_parse_doc_number_accepts_a_correct_number_without_corrections() -> None:
    assert parse_doc_number("青政办发〔2026〕15号") == (DocNumber("青政办发", 2026, 15), [])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("青政办发[2026]15号", "[2026]"),
        ("青政办发【2026】15号", "【2026】"),
        ("青政办发(2026)15号", "(2026)"),
        ("青政办发（2026）15号", "（2026）"),
        ("青政办发〈2026〉15号", "〈2026〉"),
        ("青政办发［2026］15号", "［2026］"),
        ("青政办发﹝2026﹞15号", "﹝2026﹞"),
    ],
    ids=[
        "ascii-square",
        "lenticular",
        "ascii-round",
        "full-width-round",
        "angle",
        "full-width-square",
        "small",
    ],
)
def test_parse_doc_number_repairs_the_year_brackets(text: str, shown: str) -> None:
    number, found = parse_doc_number(text)
    assert number == DocNumber("青政办发", 2026, 15)
    assert len(found) == 1
    assert found[0].original == text
    assert found[0].corrected == "青政办发〔2026〕15号"
    assert shown in found[0].message and "〔2026〕" in found[0].message


def test_parse_doc_number_repairs_full_width_digits() -> None:
    number, found = parse_doc_number("青政办发〔２０２６〕１５号")
    assert number == DocNumber("青政办发", 2026, 15)
    assert [(c.original, c.corrected) for c in found] == [
        ("青政办发〔２０２６〕１５号", "青政办发〔2026〕15号"),
    ]


@pytest.mark.parametrize(
    "text",
    [" 青政办发〔2026〕15号\n", "青政办发 〔2026〕 15号", "青政办发〔2026〕15\u3000号"],
    ids=["surrounding", "internal", "ideographic-space"],
)
def test_parse_doc_number_removes_spaces(text: str) -> None:
    number, found = parse_doc_number(text)
    assert number == DocNumber("青政办发", 2026, 15)
    assert [(c.original, c.corrected) for c in found] == [(text, "青政办发〔2026〕15号")]


def test_parse_doc_number_reports_each_kind_of_slip_once_in_order() -> None:
    number, found = parse_doc_number(" 青政办发 [２０２６] １５号")
    assert str(number) == "青政办发〔2026〕15号"
    assert [c.corrected for c in found] == [
        "青政办发[２０２６]１５号",
        "青政办发[2026]15号",
        "青政办发〔2026〕15号",
    ]
    assert [c.original for c in found[1:]] == [c.corrected for c in found[:-1]]
    for correction in found:
        chinese, english = correction.message.split(" / ")
        assert chinese.startswith(("已", "年份")) and english[:1].isupper()


@pytest.mark.parametrize(
    ("text", "problem", "suggestion"),
    [
        ("", "为空", None),
        ("  ", "为空", None),
        ("〔2026〕15号", "缺少机关代字", None),
        ("青政办发2026年15号", "缺少用六角括号", None),
        ("青政办发〔26〕15号", "4位数字", None),
        ("青政办发〔20266〕15号", "4位数字", None),
        ("青政办发〔二〇二六〕15号", "阿拉伯数字", "青政办发〔2026〕15号"),
        ("青政办发〔1948〕15号", "1949", None),
        ("青政办发〔2101〕15号", "2100", None),
        ("青政办发〔2026〕05号", "不得以0开头", "青政办发〔2026〕5号"),
        ("青政办发〔2026〕0号", "不能为0", None),
        ("青政办发〔2026〕第5号", "不得加“第”", "青政办发〔2026〕5号"),
        ("青政办发〔2026〕第05号", "不得加“第”", "青政办发〔2026〕5号"),
        ("青政办发〔2026〕15", "以“号”结尾", "青政办发〔2026〕15号"),
        ("青政办发〔2026〕号", "缺少序号", None),
        ("青政办发〔2026〕十五号", "阿拉伯数字", None),
        ("青政办发〔2026〕15号文", "多余内容", "青政办发〔2026〕15号"),
        ("青政办发〔2026〕15A号", "多余内容", None),
        ("青(政)办发〔2026〕15号", "不得含括号", None),
        ("2026〔2026〕15号", "不能只有数字", None),
    ],
    ids=[
        "empty",
        "blank",
        "missing-prefix",
        "missing-brackets",
        "two-digit-year",
        "five-digit-year",
        "chinese-numeral-year",
        "year-too-early",
        "year-too-late",
        "padded-serial",
        "zero-serial",
        "ordinal-di",
        "ordinal-di-and-padding",
        "missing-hao",
        "missing-serial",
        "chinese-numeral-serial",
        "text-after-hao",
        "text-before-hao",
        "prefix-with-brackets",
        "digits-only-prefix",
    ],
)
def test_parse_doc_number_refuses(text: str, problem: str, suggestion: str | None) -> None:
    with pytest.raises(DocNumberError) as caught:
        parse_doc_number(text)
    message = caught.value.message
    chinese, english = message.split(" / ")
    assert problem in chinese
    assert english[:1].isascii() and english[:1].isupper()
    if suggestion:
        assert f"应写作“{suggestion}”" in chinese
        assert f"write {suggestion}" in english


def test_parse_doc_number_rejects_padded_serial_with_the_corrected_form() -> None:
    with pytest.raises(DocNumberError) as caught:
        parse_doc_number("青政办发〔2026〕05号")
    assert caught.value.message == (
        "发文字号序号不得以0开头，应写作“青政办发〔2026〕5号” / "
        "The serial must not be zero-padded: write 青政办发〔2026〕5号"
    )


def test_doc_number_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="发文字号为空"):
        parse_doc_number("")


@pytest.mark.parametrize(
    ("prefix", "year", "serial"),
    [("", 2026, 1), ("青政办发", 1900, 1), ("青政办发", 2026, 0), ("青政 办发", 2026, 1), ("123", 2026, 1)],
    ids=["empty-prefix", "year-out-of-range", "zero-serial", "space-in-prefix", "digits-only-prefix"],
)
def test_doc_number_refuses_invalid_parts(prefix: str, year: int, serial: int) -> None:
    with pytest.raises(DocNumberError):
        DocNumber(prefix, year, serial)
