"""break_title(): 公文 titles on balanced lines, words whole, trapezoid or diamond (GB/T 9704-2012 7.3.1)."""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time

import pytest

from service.typography.text_metrics import width_in_chars
from service.typography.title import break_title, load_dictionary

EXAMPLE = "青山县人民政府办公室关于召开全县冬春季安全生产工作会议的通知"
DIAMOND = "关于进一步加强全县中小学校园及周边安全隐患排查整治切实保障广大师生生命财产安全的通知"
LONG = (
    "青山县人民政府办公室关于印发青山县进一步优化营商环境持续激发市场主体活力若干措施"
    "和青山县促进民营经济高质量发展实施意见以及青山县重点项目建设攻坚行动方案的通知"
)
TITLES = [
    EXAMPLE,
    DIAMOND,
    LONG,
    "国务院办公厅关于印发《国家突发公共事件总体应急预案》的通知",
    "青山县人民政府关于2026年度第一批建设用地审批事项的批复",
    "关于加强和改进新形势下全县安全生产工作的意见",
    "中共青山县委办公室 青山县人民政府办公室关于做好2027年元旦春节期间有关工作的通知",
    "关于举办第3届GB/T 9704-2012公文格式培训班的通知",
    "关于召开全县“十五五”规划编制工作——暨重大课题研究启动会……的通知",
    "关于印发《青山县深化农村集体产权制度改革实施方案》和《青山县农村集体经济组织成员身份确认指导意见》的通知",
    "国务院办公厅转发国家发展改革委关于进一步做好新形势下就业创业工作意见的通知",
    "关于访问https://www.example.gov.cn/notice/2026/very-long-path-name-here的通知",
]
TITLE_IDS = [
    "example",
    "diamond",
    "long",
    "book-title",
    "issuer-and-year",
    "no-issuer",
    "joint-issuers",
    "ascii-run",
    "dashes-and-ellipsis",
    "two-book-titles",
    "forwarding",
    "url",
]
CLOSING = "。，、；：？！”’）》】〕」』〉·…—～/"
OPENING = "“‘（《【〔「『〈"


@pytest.fixture(scope="module", autouse=True)
def _dictionary() -> None:
    load_dictionary()


def widths(lines: list[str]) -> list[float]:
    return [width_in_chars(line) for line in lines]


def test_break_title_puts_the_issuer_on_its_own_line_before_guanyu() -> None:
    assert break_title(EXAMPLE) == ["青山县人民政府办公室", "关于召开全县冬春季安全生产工作会议的通知"]


def test_break_title_prefers_the_issuer_break_even_when_less_balanced() -> None:
    assert break_title("青山县人民政府关于2026年度第一批建设用地审批事项的批复") == [
        "青山县人民政府",
        "关于2026年度第一批建设用地审批事项的批复",
    ]


@pytest.mark.parametrize(
    "title",
    [
        "关于召开全县安全生产工作会议的通知",
        "青山县人民政府办公室关于召开会议的通知",
        "关于召开GB/T 9704-2012培训会议的通知",
    ],
    ids=["17-characters", "exactly-20", "20-with-latin-counted-half"],
)
def test_break_title_keeps_a_title_that_fits_on_one_line(title: str) -> None:
    assert break_title(title) == [title]


def test_break_title_of_a_blank_title_is_no_lines() -> None:
    assert break_title("") == []
    assert break_title("   ") == []


def test_break_title_strips_surrounding_whitespace() -> None:
    assert break_title("  关于召开会议的通知\n") == ["关于召开会议的通知"]


@pytest.mark.parametrize("title", TITLES, ids=TITLE_IDS)
@pytest.mark.parametrize("max_chars", [20, 16, 12], ids=["20", "16", "12"])
def test_break_title_never_exceeds_max_chars_and_loses_nothing(title: str, max_chars: int) -> None:
    lines = break_title(title, max_chars=max_chars)
    assert all(width <= max_chars for width in widths(lines))
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")


@pytest.mark.parametrize("title", TITLES, ids=TITLE_IDS)
def test_break_title_respects_line_start_and_end_rules(title: str) -> None:
    lines = break_title(title)
    for upper, lower in itertools.pairwise(lines):
        assert lower[0] not in CLOSING, lines
        assert upper[-1] not in OPENING, lines


@pytest.mark.parametrize(
    "title",
    [
        EXAMPLE,
        "关于加强和改进新形势下全县安全生产工作的意见",
        "关于召开全县冬春季农田水利基本建设暨高标准农田建设现场推进会议的通知",
    ],
    ids=["example", "balanced", "nearly-balanced"],
)
def test_two_line_titles_are_trapezoids(title: str) -> None:
    upper, lower = widths(break_title(title))
    assert upper <= lower


def test_three_line_title_is_a_diamond() -> None:
    lines = break_title(DIAMOND)
    first, middle, last = widths(lines)
    assert middle > first and middle > last, lines


def test_break_title_keeps_de_and_the_document_kind_together() -> None:
    for title in TITLES:
        last = break_title(title)[-1]
        assert last.endswith("的通知") or not title.endswith("的通知")


def test_break_title_never_breaks_inside_an_ascii_run_or_a_number() -> None:
    lines = break_title("关于举办第3届GB/T 9704-2012公文格式培训班的通知", max_chars=12)
    assert any("GB/T 9704-2012" in line for line in lines), lines
    assert any("第3届" in line for line in lines), lines
    lines = break_title("青山县人民政府关于2026年度第一批建设用地审批事项的批复", max_chars=12)
    assert any("2026年" in line for line in lines), lines


def test_break_title_keeps_a_book_title_whole_when_it_can() -> None:
    lines = break_title("国务院办公厅关于印发《国家突发公共事件总体应急预案》的通知")
    assert any("《国家突发公共事件总体应急预案》" in line for line in lines), lines


def test_break_title_never_splits_jieba_words() -> None:
    lines = break_title("关于进一步加强全县冬春季森林防火和安全生产工作的若干意见")
    assert not any(line.endswith("森林") for line in lines), lines
    assert all(not line.startswith("县") for line in break_title(EXAMPLE, max_chars=8))


def test_break_title_drops_the_space_where_it_breaks() -> None:
    lines = break_title(TITLES[6], max_chars=12)
    assert lines[0] == "中共青山县委办公室"
    assert all(line == line.strip() for line in lines)


def test_break_title_splits_an_atom_wider_than_a_line() -> None:
    lines = break_title("A" * 50)
    assert "".join(lines) == "A" * 50
    assert widths(lines) == [12.5, 12.5]


def test_break_title_is_deterministic() -> None:
    assert len({tuple(break_title(title)) for title in TITLES for _ in range(3)}) == len(TITLES)


def test_break_title_refuses_max_chars_below_one() -> None:
    with pytest.raises(ValueError):
        break_title(EXAMPLE, max_chars=0)


def test_break_title_is_fast_once_the_dictionary_is_loaded() -> None:
    assert width_in_chars(LONG) >= 79
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        break_title(LONG)
        timings.append(time.perf_counter() - start)
    # The brief's budget is 5 ms; this guard only catches a search that has gone combinatorial.
    assert statistics.median(timings) < 0.05


def test_loading_jieba_is_quiet_and_raises_no_warnings() -> None:
    code = f"from service.typography.title import break_title; print(break_title({EXAMPLE!r}))"
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "青山县人民政府办公室" in result.stdout


@pytest.mark.parametrize(
    "title",
    ["A" * 160, " ".join(["word"] * 40), "的" * 100, EXAMPLE * 7],
    ids=["long-ascii-word", "long-ascii-phrase", "one-character-words", "seven-titles"],
)
def test_break_title_stays_fast_on_pathological_input(title: str) -> None:
    start = time.perf_counter()
    lines = break_title(title)
    assert time.perf_counter() - start < 0.5
    assert all(width <= 20 and line == line.strip() for line, width in zip(lines, widths(lines), strict=True))
