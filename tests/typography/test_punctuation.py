"""Lists of organs and the punctuation of Chinese running text."""

from __future__ import annotations

import pytest

from service.typography.doc_numbers import Correction
from service.typography.punctuation import (
    cc_line,
    ensure_full_stop,
    join_names,
    normalise_punctuation,
    recipients_line,
    strip_trailing_colon,
)


def test_join_names_uses_the_full_width_comma_by_default() -> None:
    assert join_names(["各乡镇人民政府", "县直各单位"]) == "各乡镇人民政府，县直各单位"


def test_join_names_takes_another_separator() -> None:
    assert join_names(["县委办公室", "县政府办公室"], separator="、") == "县委办公室、县政府办公室"


def test_join_names_strips_names_and_skips_blank_ones() -> None:
    assert join_names([" 县委办公室 ", "", "  ", "县政府办公室"]) == "县委办公室，县政府办公室"
    assert join_names([]) == ""


def test_join_names_refuses_a_single_string() -> None:
    with pytest.raises(TypeError):
        join_names("县委办公室")


def test_recipients_line_ends_with_a_full_width_colon() -> None:
    assert recipients_line(["各乡镇人民政府", "县直各单位"]) == "各乡镇人民政府，县直各单位："
    assert recipients_line(["县直各单位"]) == "县直各单位："


def test_recipients_line_never_doubles_a_colon_the_clerk_typed() -> None:
    assert recipients_line(["各乡镇人民政府，", "县直各单位："]) == "各乡镇人民政府，县直各单位："


def test_cc_line_ends_with_a_full_stop() -> None:
    assert cc_line(["县委办公室", "县人大常委会办公室", "县政协办公室"]) == (
        "县委办公室，县人大常委会办公室，县政协办公室。"
    )
    assert cc_line(["县委办公室。"]) == "县委办公室。"


@pytest.mark.parametrize("line", [recipients_line, cc_line], ids=["recipients", "cc"])
def test_lines_refuse_an_empty_list(line: object) -> None:
    with pytest.raises(ValueError):
        line([" "])  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("县直各单位：", "县直各单位"),
        ("县直各单位:", "县直各单位"),
        ("县直各单位 ： ", "县直各单位"),
        ("县直各单位：：", "县直各单位"),
    ],
    ids=["full-width", "half-width", "with-spaces", "doubled"],
)
def test_strip_trailing_colon_strips_and_reports(name: str, expected: str) -> None:
    stripped, correction = strip_trailing_colon(name)
    assert stripped == expected
    assert isinstance(correction, Correction)
    assert (correction.original, correction.corrected) == (name, expected)
    chinese, english = correction.message.split(" / ")
    assert "冒号" in chinese and "colon" in english


def test_strip_trailing_colon_leaves_a_clean_name_alone() -> None:
    assert strip_trailing_colon("县直各单位") == ("县直各单位", None)
    assert strip_trailing_colon("县直各单位 ") == ("县直各单位 ", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请准时参加", "请准时参加。"),
        ("请准时参加 ", "请准时参加。"),
        ("请准时参加。", "请准时参加。"),
        ("务必参加！", "务必参加！"),
        ("能否参加？", "能否参加？"),
        ("一是加强领导；", "一是加强领导；"),
        ("等等……", "等等……"),
        ("会议强调“安全第一”", "会议强调“安全第一”"),
        ("（详见附件。）", "（详见附件。）"),
        ("（详见附件）", "（详见附件）。"),
        ("现将有关事项通知如下：", "现将有关事项通知如下："),
        ("联系电话：0578-2123456", "联系电话：0578-2123456。"),
        ("", ""),
    ],
    ids=[
        "plain",
        "trailing-space",
        "full-stop",
        "exclamation",
        "question",
        "semicolon",
        "ellipsis",
        "closing-quote",
        "full-stop-inside-parenthesis",
        "parenthesis-without-stop",
        "colon",
        "ends-with-digits",
        "empty",
    ],
)
def test_ensure_full_stop(text: str, expected: str) -> None:
    assert ensure_full_stop(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("会议要求,请准时参加", "会议要求，请准时参加"),
        ("一是加强领导;二是落实责任", "一是加强领导；二是落实责任"),
        ("联系电话:0578-2123456", "联系电话：0578-2123456"),
        ("是否参加?请回复!", "是否参加？请回复！"),
        ("县政府三楼会议室(301室)", "县政府三楼会议室（301室）"),
        ("(1)加强领导", "（1）加强领导"),
        ("会议 (扩大) 安排", "会议（扩大）安排"),
        ("共120人, 请各单位", "共120人，请各单位"),
        ("会议时间:9:00-11:30", "会议时间：9:00-11:30"),
    ],
    ids=[
        "comma",
        "semicolon",
        "colon-before-phone",
        "question-and-exclamation",
        "parentheses",
        "list-number",
        "spaces-beside-parentheses",
        "space-after-comma",
        "time-stays",
    ],
)
def test_normalise_punctuation_converts_marks_in_chinese_text(text: str, expected: str) -> None:
    result, found = normalise_punctuation(text)
    assert result == expected
    assert len(found) == 1
    assert (found[0].original, found[0].corrected) == (text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "9:00",
        "98.5",
        "1,000",
        "0578-2123456",
        "abc@example.com",
        "http://www.gov.cn/a?b=1&c=2",
        "Tel: 0578",
        "f(x)",
        "see (page 3), then stop!",
        "已经是全角：，；？！（）",
        "",
    ],
    ids=[
        "time",
        "decimal",
        "thousands",
        "phone",
        "email",
        "url",
        "latin-label",
        "function",
        "english",
        "full",
        "empty",
    ],
)
def test_normalise_punctuation_leaves_latin_and_numeric_runs_alone(text: str) -> None:
    assert normalise_punctuation(text) == (text, [])


def test_normalise_punctuation_keeps_numbers_inside_chinese_text_intact() -> None:
    result, _ = normalise_punctuation("增长98.5%,共1,000人,时间9:00,网址http://www.gov.cn,函数f(x)的值")
    assert result == "增长98.5%，共1,000人，时间9:00，网址http://www.gov.cn，函数f(x)的值"


def test_normalise_punctuation_lists_every_change_in_one_correction() -> None:
    _, found = normalise_punctuation("时间:上午,地点:会议室")
    chinese, english = found[0].message.split(" / ")
    assert "“,”→“，”1处" in chinese and "“:”→“：”2处" in chinese
    assert ", → ， ×1" in english and ": → ： ×2" in english
