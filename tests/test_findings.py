"""Findings and their locations, as reports show them to maintainers and in JSON."""

from __future__ import annotations

from service.findings import Finding, Location, Report, Severity, quote


def test_a_cell_is_described_in_chinese_then_english() -> None:
    location = Location(part="word/document.xml", paragraph=44, text="姓名{{ meeting_room }}", table=1, row=1, cell=1)

    assert location.describe() == (
        "word/document.xml 第44段 “姓名{{ meeting_room }}” （表格1第1行第1格）"
        " / word/document.xml paragraph 44 “姓名{{ meeting_room }}” (table 1, row 1, cell 1)"
    )


def test_a_place_that_reads_the_same_in_both_languages_is_said_once() -> None:
    assert Location(part="word/styles.xml", text="docDefaults").describe() == "word/styles.xml “docDefaults”"


def test_quoted_text_is_one_line_and_shortened() -> None:
    long = "各乡镇人民政府，县政府各部门：\n为认真贯彻落实全省安全生产电视电话会议精神，研究部署我县冬春季安全生产工作"

    quoted = quote(long)

    assert "\n" not in quoted
    assert len(quoted) == 30 and quoted.endswith("…")


def test_a_report_counts_by_severity_and_is_ok_without_errors() -> None:
    warning = Finding("language", Severity.WARNING, "语言 / language")
    notice = Finding("grid_normalised", Severity.NOTICE, "网格 / grid")
    error = Finding(
        "margin_left", Severity.ERROR, "订口 / margin", Location(part="word/document.xml"), "30.0 mm", "28 mm ± 1 mm"
    )

    clean, failing = Report.of([warning, notice]), Report.of([warning], [error])

    assert (clean.ok, failing.ok) == (True, False)
    assert failing.as_dict() == {
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "notices": 0,
        "findings": [
            {"code": "language", "severity": "warning", "message": "语言 / language"},
            {
                "code": "margin_left",
                "severity": "error",
                "message": "订口 / margin",
                "location": {"part": "word/document.xml"},
                "where": "word/document.xml",
                "measured": "30.0 mm",
                "expected": "28 mm ± 1 mm",
            },
        ],
    }
