"""The conformance report of a rendered PDF: real documents through the warm LibreOffice, measured with PDFium.

Every example renders without an error under its profile, and the report's numbers agree with the test suite's
own pdfplumber measure (tests/rendering/pdf_measure.py) on the same PDF. Templates broken on purpose (Word's
linesAndChars grid, a 30 mm 订口, US Letter paper, swapped or missing page numbers, a 540-twip grid) are edited in
a copy of templates/ and rendered through the same pipeline.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.findings import Finding, Severity
from service.postprocess.conformance import PdfConformance, measure_conformance
from tests.conftest import EXAMPLES_DIR, OWN_EXAMPLES_DIR, load_example
from tests.rendering.pdf_measure import Page, TextLine, full_lines, read_pdf_bytes

PROFILES = {
    "meeting-notice": "gbt9704",
    "meeting-minutes": "gbt9704",
    "meeting-brief": "gbt9704",
    "minutes-feedback-slip": "gbt9704",
    "reply-slip": "gbt9704",
    "sign-in-sheet": "gbt9704",
    "archive-cover": "form",
    "archive-stamp": "form",
}

# Pure-CJK prose, so the notice runs over several full pages of 28-字 lines.
LONG_REQUIREMENTS = [
    "各乡镇、各部门要高度重视此次会议，主要负责同志要亲自过问、亲自安排，认真梳理本地区本行业领域安全生产"
    "工作开展情况，深入分析存在的薄弱环节和突出问题，研究提出有针对性的防范措施和工作建议，确保会议取得实效。"
    "参会人员要带好笔记本，认真做好会议记录，会后及时向本单位主要负责同志汇报会议精神，抓好贯彻落实工作。",
    "各乡镇、各部门要以此次会议为契机，迅速组织开展安全生产大检查，重点围绕道路交通、消防、危险化学品、"
    "建筑施工、燃气、矿山、特种设备、人员密集场所等行业领域，全面排查整治各类安全隐患，做到横向到边、"
    "纵向到底、不留死角。对检查发现的问题隐患，要建立台账清单，明确整改责任、整改措施和整改时限，"
    "实行闭环管理，确保整改到位。",
    "各级各部门要严格落实领导带班和值班值守制度，加强应急值守和信息报送工作，确保信息畅通、反应迅速、"
    "处置有力。遇有突发事件和重要情况，要第一时间按规定程序报告，不得迟报、漏报、谎报、瞒报，同时迅速"
    "启动应急预案，全力组织开展先期处置工作，最大限度减少人员伤亡和财产损失，切实维护人民群众生命财产"
    "安全和社会大局稳定。",
    "各乡镇、各部门要切实加强宣传教育和舆论引导，充分利用广播电视、报刊网络、宣传栏等多种渠道，广泛开展"
    "安全生产法律法规和安全常识宣传，深入企业、学校、社区、农村开展安全生产进万家活动，普及防灾避险、"
    "自救互救知识，不断提高全民安全意识和应急处置能力，营造人人关注安全、人人参与安全的良好社会氛围。",
]


@dataclass(frozen=True)
class Example:
    """A body to render: its kind and where it comes from (the shared contract or our own)."""

    kind: str
    body: dict[str, Any]

    @property
    def profile(self) -> str:
        return PROFILES[self.kind]


def _examples() -> dict[str, Example]:
    found = {}
    for source, directory in (("shared", EXAMPLES_DIR), ("own", OWN_EXAMPLES_DIR)):
        for path in sorted(directory.glob("*.json")):
            found[f"{source}/{path.stem}"] = Example(path.stem, json.loads(path.read_text(encoding="utf-8")))
    letter = copy.deepcopy(load_example("meeting-notice"))
    letter["format"] = "letter"
    letter["issuer"]["mark"] = letter["issuer"]["name"]  # 信函格式: the organ's name, without 文件
    found["letter-format-notice"] = Example("meeting-notice", letter)
    # What a template preview renders for the letter variant: the example with only its format switched.
    found["letter-format-notice-as-previewed"] = Example(
        "meeting-notice", {**load_example("meeting-notice"), "format": "letter"}
    )
    found["long-notice"] = Example("meeting-notice", _long_notice())
    return found


def _long_notice() -> dict[str, Any]:
    body = copy.deepcopy(load_example("meeting-notice"))
    body["requirements"] = LONG_REQUIREMENTS * 2
    return body


EXAMPLES = _examples()
GBT9704_EXAMPLES = [name for name, example in EXAMPLES.items() if example.profile == "gbt9704"]

Render = Callable[..., bytes]


@pytest.fixture(scope="module")
def render(conversion_pool: ConversionPool) -> Render:
    """render(kind, body, templates=None): the body as PDF through the real pipeline, once per module."""
    rendered: dict[str, bytes] = {}

    def render_pdf(kind: str, body: dict[str, Any], templates: Path | None = None) -> bytes:
        key = json.dumps([kind, str(templates), body], sort_keys=True, ensure_ascii=False)
        if key not in rendered:
            catalog = TemplateCatalog(templates or Settings().templates_dir)
            rendered[key] = render_document(catalog, kind, body, OutputFormat.PDF, conversion_pool).content
        return rendered[key]

    return render_pdf


@pytest.fixture(scope="module")
def render_edited(tmp_path_factory: pytest.TempPathFactory, render: Render) -> Render:
    """render_edited(name, {part: [(old, new), …]}, body=None): the notice as PDF from a copy of the templates
    whose 文件格式 DOCX has each `old` replaced by `new` (each must occur); `name` names the copy."""
    copies: dict[str, Path] = {}

    def render_pdf(name: str, edits: dict[str, list[tuple[str, str]]], body: dict[str, Any] | None = None) -> bytes:
        if name not in copies:
            copies[name] = tmp_path_factory.mktemp(name) / "templates"
            shutil.copytree(Settings().templates_dir, copies[name])
            _edit_docx(copies[name] / "meeting-notice" / "document.docx", edits)
        return render("meeting-notice", body or load_example("meeting-notice"), copies[name])

    return render_pdf


def _edit_docx(path: Path, edits: dict[str, list[tuple[str, str]]]) -> None:
    with zipfile.ZipFile(path) as package:
        members = {info.filename: package.read(info.filename) for info in package.infolist()}
    for part, replacements in edits.items():
        xml = members[part].decode("utf-8")
        for old, new in replacements:
            assert old in xml, f"{part} has no {old!r}"
            xml = xml.replace(old, new)
        members[part] = xml.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def _with_code(conformance: PdfConformance, code: str) -> list[Finding]:
    return [finding for finding in conformance.findings if finding.code == code]


def _described(findings: list[Finding]) -> list[str]:
    return [
        f"{f.severity.value} {f.code} {f.location.describe() if f.location else ''}: {f.measured}" for f in findings
    ]


# -- every example ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_renders_without_an_error_under_its_profile(render: Render, name: str) -> None:
    example = EXAMPLES[name]

    conformance = measure_conformance(render(example.kind, example.body), profile=example.profile)

    assert conformance.report.ok, _described(conformance.report.errors)
    assert conformance.pages


@pytest.mark.parametrize("name", GBT9704_EXAMPLES)
def test_lines_and_characters_agree_with_the_test_suites_measure(render: Render, name: str) -> None:
    """PDFium here and pdfplumber there, on the same PDF: the same body lines a page (ruled tables left out) and
    the same 字 on every full line."""
    example = EXAMPLES[name]
    pdf = render(example.kind, example.body)

    conformance = measure_conformance(pdf)
    pages = read_pdf_bytes(pdf)

    running = [[line for line in page.body_lines if not _in_ruled_table(page, line)] for page in pages]
    full = full_lines([line for lines in running for line in lines])
    assert [page.lines for page in conformance.pages] == [len(lines) for lines in running]
    assert [chars for page in conformance.pages for chars in page.full_lines_chars] == [
        f.cells for f in full if round(f.line.size) == 16
    ]


def _in_ruled_table(page: Page, line: TextLine) -> bool:
    verticals = [stroke for stroke in page.strokes if stroke.vertical]
    return len(verticals) >= 2 and any(stroke.top <= line.baseline <= stroke.bottom for stroke in verticals)


def test_long_notice_fills_22_lines_of_28_characters(render: Render) -> None:
    """The comparison above is not empty: pages of full lines, 28 字 each but where kinsoku moved one down."""
    conformance = measure_conformance(render("meeting-notice", EXAMPLES["long-notice"].body))

    histogram = conformance.chars_per_full_line
    assert 22 in conformance.summary()["lines_per_page"]
    assert histogram.get(28, 0) >= 25 and set(histogram) <= {27, 28}, histogram


def test_letter_format_first_page_goes_unnumbered_and_its_mark_stands_above_the_block(render: Render) -> None:
    """GB/T 9704-2012 10.1: the mark's top is 30 mm from the paper's edge, and the first page has no number."""
    conformance = measure_conformance(render("meeting-notice", EXAMPLES["letter-format-notice"].body))

    assert conformance.pages[0].page_number is None
    assert [page.page_number for page in conformance.pages[1:]] == [
        f"— {page.number} —" for page in conformance.pages[1:]
    ]
    assert not _with_code(conformance, "text_outside_block")
    assert not _with_code(conformance, "page_number_missing")


def test_parts_of_a_merged_pdf_are_numbered_each_on_its_own(render: Render) -> None:
    """One 反馈单 a unit, merged with an outline entry each: one-page parts need no page number."""
    conformance = measure_conformance(render("minutes-feedback-slip", load_example("minutes-feedback-slip")))

    assert len(conformance.pages) > 1
    assert all(page.page_number is None for page in conformance.pages)
    assert not _with_code(conformance, "page_number_missing")


def test_form_profile_reports_page_sizes_without_judging_them(render: Render) -> None:
    conformance = measure_conformance(render("archive-stamp", load_example("archive-stamp")), profile="form")

    assert [(round(page.width_mm), round(page.height_mm)) for page in conformance.pages] == [(45, 16)]
    assert not _with_code(conformance, "page_size")


def test_report_is_json_ready_with_summary_pages_and_fonts(render: Render) -> None:
    conformance = measure_conformance(render("meeting-notice", load_example("meeting-notice")))

    report = json.loads(json.dumps(conformance.as_dict(), ensure_ascii=False))

    assert report["ok"] is True and report["errors"] == 0
    assert report["profile"] == "gbt9704"
    assert report["summary"]["pages"] == len(report["pages"]) == 4
    assert report["pages"][0]["page_number"] == "— 1 —" and report["pages"][0]["page_number_side"] == "right"
    assert report["pages"][1]["page_number_side"] == "left"
    assert "FandolFang-Regular" in report["fonts"]


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="gb9704"):
        measure_conformance(b"%PDF-1.7", profile="gb9704")


# -- templates broken on purpose --------------------------------------------------------------------------

LINES_GRID = '<w:docGrid w:type="lines" w:linePitch="579"/>'
A4 = '<w:pgSz w:w="11906" w:h="16838"/>'
ODD_FOOTER, EVEN_FOOTER = "word/footer1.xml", "word/footer2.xml"
FLUSH_RIGHT, FLUSH_LEFT = '<w:jc w:val="right"/>', '<w:jc w:val="left"/>'
# The even footer's runs: "— ", the PAGE field with its last result, " —".
EVEN_FOOTER_EMPTIED = {
    EVEN_FOOTER: [
        (f'<w:{tag} xml:space="preserve">{text}</w:{tag}>', f'<w:{tag} xml:space="preserve"></w:{tag}>')
        for tag, text in (("t", "— "), ("t", "1"), ("t", " —"), ("instrText", " PAGE "))
    ]
}


def test_word_lines_and_chars_grid_gives_14_characters_a_line(render_edited: Render) -> None:
    """NOTE: LibreOffice 7.4 sets each character of Word's linesAndChars grid (charSpace −842) in two cells."""
    grid = '<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-842"/>'
    pdf = render_edited("lines-and-chars", {"word/document.xml": [(LINES_GRID, grid)]}, _long_notice())

    conformance = measure_conformance(pdf)

    found = _with_code(conformance, "chars_per_line")
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert {f.measured for f in found} == {"14 字"}, _described(found)
    assert conformance.chars_per_full_line.get(14, 0) > 20


def test_30mm_left_margin_is_measured_as_the_block_edge(render_edited: Render) -> None:
    pdf = render_edited("left-margin-30mm", {"word/document.xml": [('w:left="1587"', 'w:left="1701"')]})

    found = _with_code(measure_conformance(pdf), "block_edge")

    assert [f.severity for f in found] == [Severity.ERROR]
    assert found[0].measured is not None and abs(float(found[0].measured.removesuffix(" mm")) - 30) <= 0.2


def test_us_letter_paper_is_not_a4(render_edited: Render) -> None:
    pdf = render_edited("us-letter", {"word/document.xml": [(A4, '<w:pgSz w:w="12240" w:h="15840"/>')]})

    conformance = measure_conformance(pdf)

    found = _with_code(conformance, "page_size")
    assert [f.location.page if f.location else None for f in found] == [page.number for page in conformance.pages]
    assert {f.measured for f in found} == {"215.9 × 279.4 mm"}
    assert all(f.severity is Severity.ERROR for f in found)


def test_page_numbers_on_the_wrong_side(render_edited: Render) -> None:
    """The odd footer set left and the even one right: every page's number is on the wrong side (GB/T 9704 7.5)."""
    edits = {ODD_FOOTER: [(FLUSH_RIGHT, FLUSH_LEFT)], EVEN_FOOTER: [(FLUSH_LEFT, FLUSH_RIGHT)]}

    conformance = measure_conformance(render_edited("swapped-footers", edits))

    found = _with_code(conformance, "page_number_side")
    assert [(f.measured, f.expected) for f in found] == [
        ("left", "right") if page.number % 2 else ("right", "left") for page in conformance.pages
    ]
    assert all(f.severity is Severity.ERROR for f in found)


def test_unnumbered_pages_are_errors_but_the_last_one_is_a_warning(render_edited: Render) -> None:
    """An unnumbered page inside the document is an error; the last one may be a 版记 page left unnumbered."""
    conformance = measure_conformance(render_edited("no-even-numbers", EVEN_FOOTER_EMPTIED))

    found = _with_code(conformance, "page_number_missing")
    last = len(conformance.pages)
    assert [(f.location.page if f.location else None, f.severity) for f in found] == [
        (page, Severity.WARNING if page == last else Severity.ERROR) for page in range(2, last + 1, 2)
    ]


def test_blank_page_before_an_unnumbered_imprint_page_is_only_warned_about(
    render: Render, render_edited: Render
) -> None:
    """GB/T 9704-2012 7.5 (imprint_page "after_blank"): neither a blank page nor the 版记 page after it is numbered."""
    numbered = PdfReader(io.BytesIO(render("meeting-notice", load_example("meeting-notice"))))
    unnumbered = PdfReader(io.BytesIO(render_edited("no-even-numbers", EVEN_FOOTER_EMPTIED)))
    writer = PdfWriter()
    for page in numbered.pages[:-1]:
        writer.add_page(page)
    writer.add_blank_page()
    writer.add_page(unnumbered.pages[-1])  # the 版记 page
    buffer = io.BytesIO()
    writer.write(buffer)

    conformance = measure_conformance(buffer.getvalue())

    assert conformance.report.ok, _described(conformance.report.errors)
    assert [(f.location.page if f.location else None, f.severity) for f in conformance.findings] == [
        (4, Severity.WARNING),
        (5, Severity.WARNING),
    ]


def test_grid_of_540_twips_sets_more_than_22_lines(render_edited: Render) -> None:
    pdf = render_edited(
        "line-pitch-540", {"word/document.xml": [('w:linePitch="579"', 'w:linePitch="540"')]}, _long_notice()
    )

    conformance = measure_conformance(pdf)

    too_many = _with_code(conformance, "lines_per_page")
    pitch = _with_code(conformance, "line_pitch")
    assert too_many and all(f.severity is Severity.ERROR and f.measured == "23 lines" for f in too_many)
    assert pitch and all(f.severity is Severity.WARNING and f.measured == "27.00 pt" for f in pitch)
