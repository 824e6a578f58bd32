"""The GB/T 9704-2012 lint of DOCX packages, and the normalisation of Word's character grid (service.rendering.lint).

Packages are the built-in templates, or copies with one thing changed (tests/rendering/lint_files.py). The last
test renders a notice through the real LibreOffice and counts characters a line: the grid is the product.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from service.config import PROJECT_ROOT
from service.conversion import ConversionPool
from service.documents.pipeline import validate_document
from service.findings import Finding, Location, Severity
from service.rendering import ooxml
from service.rendering.docx import DocumentProperties, render_docx
from service.rendering.lint import (
    FONT_ALIASES,
    GBT9704,
    GBT9704_ONE_PAGE_FORM,
    LintProfile,
    lint_package,
    normalise_grid,
    paragraph_text,
)
from tests.conftest import body_for

from . import lint_files as files
from .docx_xml import NS, w, xpath
from .finding_checks import codes, only
from .pdf_measure import TextLine, full_lines, is_pure_cjk, read_pdf_bytes

GBT9704_TEMPLATES = {
    "meeting-notice-document": ("meeting-notice", "document", GBT9704),
    "meeting-notice-letter": ("meeting-notice", "letter", GBT9704),
    "meeting-minutes": ("meeting-minutes", "document", GBT9704),
    "meeting-brief": ("meeting-brief", "document", GBT9704),
    "reply-slip": ("reply-slip", "document", GBT9704),
    "sign-in-sheet": ("sign-in-sheet", "document", GBT9704),
    # docs/decisions/0006: a one-page form without a page number
    "minutes-feedback-slip": ("minutes-feedback-slip", "document", GBT9704_ONE_PAGE_FORM),
}
ARCHIVE_FORMS = {
    "archive-cover": ("archive-cover", "document"),
    "archive-stamp": ("archive-stamp", "document"),
    "archive-stamp-batch": ("archive-stamp", "batch"),
}
# What every built-in template gets, and keeps: styles.xml's <w:lang w:val="en-US" w:eastAsia="zh-CN"/>
# makes LibreOffice write /Lang(en-US) into the PDFs (docs/decisions/0016, known limits).
BUILT_IN_WARNINGS = {"language"}


def first(findings: list[Finding], code: str) -> Finding:
    """The first finding of `code` (a template with two sections has one per section)."""
    found = [f for f in findings if f.code == code]
    assert found, f"no finding {code}: {findings}"
    return found[0]


def paragraph_number(package: files.Package, part: str, text: str) -> int:
    """Counted independently of the lint: the 1-based index of the first w:p of `part` whose text is `text`."""
    root = etree.fromstring(package[part])
    paragraphs = list(root.iter(w("p")))
    return next(i for i, p in enumerate(paragraphs, start=1) if paragraph_text(p) == text)


# --- the built-in templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "variant", "profile"), list(GBT9704_TEMPLATES.values()), ids=list(GBT9704_TEMPLATES))
def test_built_in_gbt9704_templates_lint_without_errors(kind: str, variant: str, profile: LintProfile):
    findings = lint_package(files.template_package(kind, variant), profile)

    assert codes(findings, Severity.ERROR) == []
    assert set(codes(findings, Severity.WARNING)) == BUILT_IN_WARNINGS


def test_built_in_templates_default_language_is_named_for_what_it_does_to_the_pdf():
    finding = only(lint_package(files.notice()), "language")

    assert finding.severity is Severity.WARNING
    assert finding.measured == "en-US"
    assert finding.expected == "zh-CN"
    assert "/Lang(en-US)" in finding.message
    assert finding.location == Location(part="word/styles.xml", text="docDefaults")


def test_feedback_slip_against_the_plain_standard_lacks_only_its_page_number():
    findings = lint_package(files.template_package("minutes-feedback-slip"), GBT9704)

    assert codes(findings, Severity.ERROR) == ["page_numbers_missing"]


@pytest.mark.parametrize(("kind", "variant"), list(ARCHIVE_FORMS.values()), ids=list(ARCHIVE_FORMS))
def test_archive_forms_lint_clean_against_their_own_geometry(kind: str, variant: str):
    package = files.template_package(kind, variant)

    findings = lint_package(package, LintProfile.from_reference(package, f"{kind} version 1"))

    assert codes(findings, Severity.ERROR) == []
    assert set(codes(findings, Severity.WARNING)) == BUILT_IN_WARNINGS


def test_archive_stamp_against_gbt9704_has_the_wrong_paper_and_margins():
    errors = codes(lint_package(files.template_package("archive-stamp")), Severity.ERROR)

    assert {"page_size", "margin_top", "margin_bottom", "margin_left", "margin_right"} <= set(errors)


def test_archive_cover_against_gbt9704_is_a4_with_the_wrong_margins():
    errors = codes(lint_package(files.template_package("archive-cover")), Severity.ERROR)

    assert "page_size" not in errors
    assert {"margin_top", "margin_bottom", "margin_left", "margin_right"} <= set(errors)


def test_reference_profile_takes_every_section_of_the_cover():
    profile = LintProfile.from_reference(files.template_package("archive-cover"), "archive-cover version 1")

    assert profile.page_width is not None and round(profile.page_width.mm) == 210
    assert profile.margin_left is not None and round(profile.margin_left.mm) == 25
    # the spine's section: its left and right margins are Jinja expressions, so they are not fixed
    assert [page.left for page in profile.other_pages] == [None]
    assert not (profile.require_grid or profile.require_page_numbers or profile.check_body_text)


def test_reference_profile_measures_other_documents_against_the_reference():
    stamp = files.template_package("archive-stamp")
    profile = LintProfile.from_reference(stamp, "archive-stamp version 1")

    finding = first(lint_package(files.notice(), profile), "page_size")

    assert finding.measured == "210.0 × 297.0 mm"
    assert finding.expected == "45 × 16 mm"
    assert "archive-stamp version 1" in finding.message


# --- page and margins ---------------------------------------------------------------------------------------


def test_left_margin_of_30mm_is_an_error_with_the_measure():
    findings = lint_package(files.with_margins(files.notice(), left=1701))  # 30.0 mm

    margins = [f for f in findings if f.code == "margin_left"]
    assert len(margins) == 2  # both sections of the notice
    finding = margins[-1]
    assert finding.severity is Severity.ERROR
    assert finding.measured == "30.0 mm"
    assert finding.expected == "28 mm ± 1 mm"
    assert finding.message.startswith("订口（左白边）30.0 mm，应为28 mm ± 1 mm（GB/T 9704-2012 5.2.1）")
    assert finding.location == Location(part="word/document.xml", text="w:body/w:sectPr")


def test_section_in_a_paragraph_is_located_at_that_paragraph():
    package = files.with_margins(files.notice(), left=1701)

    location = first(lint_package(package), "margin_left").location

    assert location is not None
    root = etree.fromstring(package["word/document.xml"])
    holder = xpath(root, "//w:p[w:pPr/w:sectPr]")[0]
    assert location.paragraph == list(root.iter(w("p"))).index(holder) + 1


def test_right_margin_finding_says_it_is_derived_from_the_text_block():
    findings = lint_package(files.with_margins(files.notice(), right=1134))
    finding = [f for f in findings if f.code == "margin_right"][-1]

    assert finding.measured == "20.0 mm"
    assert finding.expected == "26 mm ± 1 mm"
    assert "由版心尺寸推出" in finding.message


@pytest.mark.parametrize(
    ("side", "twips"),
    [("top", 2070), ("top", 2126), ("left", 1559), ("bottom", 2012)],
    ids=["top-36.5mm", "top-37.5mm", "left-27.5mm", "bottom-35.5mm"],
)
def test_margins_within_one_millimetre_pass(side: str, twips: int):
    findings = lint_package(files.with_margins(files.notice(), **{side: twips}))

    assert not [f for f in findings if f.code.startswith("margin_")]


def test_letter_paper_is_a_page_size_error():
    findings = lint_package(files.with_page_size(files.notice(), 12240, 15840))

    finding = first(findings, "page_size")
    assert finding.severity is Severity.ERROR
    assert finding.measured == "215.9 × 279.4 mm"
    assert finding.expected == "210 × 297 mm (A4)"


def test_landscape_a4_is_a_warning_for_tables_not_a_size_error():
    findings = lint_package(files.with_page_size(files.notice(), 16838, 11906))

    assert "page_size" not in codes(findings)
    assert set(codes(findings, Severity.WARNING)) >= {"page_landscape"}
    assert not [f for f in findings if f.code.startswith(("margin_", "grid_"))]


# --- the grid -----------------------------------------------------------------------------------------------


def test_word_character_grid_is_an_error_naming_libreoffices_14_characters():
    findings = lint_package(files.word_grid(files.notice()))

    grid = [f for f in findings if f.code == "grid_chars_compressed"]
    assert len(grid) == 2
    assert {f.severity for f in grid} == {Severity.ERROR}
    assert grid[0].measured == "linesAndChars, charSpace -842 (14 characters a line in LibreOffice 7.4)"
    assert "每行只排14字" in grid[0].message


def test_snap_to_characters_grid_is_an_error_naming_27_characters():
    findings = lint_package(files.word_grid(files.notice(), kind="snapToChars"))

    grid = [f for f in findings if f.code == "grid_chars_compressed"]
    assert grid and "27" in grid[0].message


def test_character_grid_without_compression_sets_27_characters_in_word():
    finding = first(lint_package(files.word_grid(files.notice(), char_space=0)), "grid_chars")

    assert finding.severity is Severity.ERROR
    assert finding.measured == "27 characters a line"


@pytest.mark.parametrize(
    ("pitch", "severity", "lines"),
    [(600, Severity.ERROR, 21), (312, Severity.ERROR, 40), (560, Severity.WARNING, 22)],
    ids=["600-gives-21-lines", "312-word-default-gives-40-lines", "560-gives-22-short-lines"],
)
def test_grid_pitch_says_how_many_lines_it_gives(pitch: int, severity: Severity, lines: int):
    findings = [f for f in lint_package(files.with_grid(files.notice(), linePitch=pitch)) if f.code == "grid_pitch"]

    assert findings and {f.severity for f in findings} == {severity}
    assert findings[0].measured == f"{pitch} twips ({lines} lines a page)"


@pytest.mark.parametrize("pitch", [574, 579], ids=["5-twips-off", "exact"])
def test_grid_pitch_within_tolerance_passes(pitch: int):
    assert "grid_pitch" not in codes(lint_package(files.with_grid(files.notice(), linePitch=pitch)))


def test_missing_grid_with_single_line_spacing_is_an_error():
    findings = [f for f in lint_package(files.without_grid(files.notice())) if f.code == "grid_missing"]

    assert len(findings) == 2
    assert {f.severity for f in findings} == {Severity.ERROR}


def test_missing_body_spacing_on_a_lines_grid_warns_of_27_characters():
    finding = only(lint_package(files.without_body_spacing(files.notice())), "body_spacing")

    assert finding.severity is Severity.WARNING
    assert finding.measured == "0 pt (27 characters a line)"
    assert finding.expected == "-0.25 pt (28 characters a line)"
    assert finding.location == Location(part="word/styles.xml", text="Normal")


# --- normalise_grid -----------------------------------------------------------------------------------------


def test_normalised_word_grid_lints_clean():
    normalised, notices = normalise_grid(files.word_grid(files.notice()))

    findings = lint_package(normalised)
    assert codes(findings, Severity.ERROR) == []
    assert not [f for f in findings if f.code.startswith("grid_") or f.code == "body_spacing"]
    assert codes(notices) == ["grid_normalised", "grid_normalised"]  # one per section


def test_normalised_grid_is_lines_only_at_the_same_pitch():
    normalised, _ = normalise_grid(files.word_grid(files.notice()))

    root = etree.fromstring(normalised["word/document.xml"])
    grids = xpath(root, "//w:sectPr/w:docGrid")
    assert [dict(grid.attrib) for grid in grids] == [{w("type"): "lines", w("linePitch"): "579"}] * 2


def test_normalising_says_what_changed_from_what_to_what_and_why():
    _, notices = normalise_grid(files.word_grid(files.notice()))

    first = notices[0]
    assert first.severity is Severity.NOTICE
    assert first.message.startswith(
        "文档网格由“指定行和字符网格”（字符间距-842）改为“只指定行网格”并将正文字距紧缩0.25磅："
        "LibreOffice 7.4 按原网格每行只排14字 / "
    )
    assert first.measured == "linesAndChars, charSpace -842, linePitch 579"
    assert first.expected == "lines, linePitch 579, body spacing −0.25 pt"
    assert "紧缩" not in notices[1].message  # the body's spacing is told once


def test_normalising_inserts_the_spacing_where_the_schema_puts_it():
    package = files.word_grid(files.notice())

    def dress(root: etree._Element) -> None:
        # a Normal style as Word writes it: fonts, colour and language around the sizes
        rpr = files.normal_rpr(root)
        rpr.insert(0, etree.fromstring(f'<w:rFonts xmlns:w="{NS["w"]}" w:eastAsia="仿宋_GB2312"/>'))
        rpr.insert(1, etree.fromstring(f'<w:color xmlns:w="{NS["w"]}" w:val="000000"/>'))
        rpr.append(etree.fromstring(f'<w:lang xmlns:w="{NS["w"]}" w:val="zh-CN" w:eastAsia="zh-CN"/>'))

    normalised, _ = normalise_grid(files.edited(package, files.STYLES, dress))

    rpr = files.normal_rpr(etree.fromstring(normalised[files.STYLES]))
    assert [etree.QName(child).localname for child in rpr] == ["rFonts", "color", "spacing", "sz", "szCs", "lang"]
    assert rpr.find(w("spacing")).get(w("val")) == "-5"


def test_normalising_without_a_normal_style_condenses_the_document_defaults():
    def drop_normal(root: etree._Element) -> None:
        for style in xpath(root, "w:style[@w:type='paragraph']"):
            root.remove(style)

    package = files.edited(files.word_grid(files.notice()), files.STYLES, drop_normal)

    normalised, _ = normalise_grid(package)

    rpr = xpath(etree.fromstring(normalised[files.STYLES]), "w:docDefaults/w:rPrDefault/w:rPr")[0]
    assert [etree.QName(child).localname for child in rpr] == ["rFonts", "spacing", "sz", "szCs", "lang"]
    assert "body_spacing" not in codes(lint_package(normalised))


def test_normalising_a_pitch_that_overflows_the_block_sets_579():
    normalised, notices = normalise_grid(files.with_grid(files.word_grid(files.notice()), linePitch=620))

    root = etree.fromstring(normalised["word/document.xml"])
    assert {grid.get(w("linePitch")) for grid in xpath(root, "//w:sectPr/w:docGrid")} == {"579"}
    assert "行距由620缇改为579缇" in notices[0].message


def test_normalising_snap_to_characters_gives_a_lines_grid():
    normalised, notices = normalise_grid(files.word_grid(files.notice(), kind="snapToChars"))

    assert notices and "文字对齐字符网格" in notices[0].message
    assert not [f for f in lint_package(normalised) if f.code.startswith("grid_")]


@pytest.mark.parametrize(
    "package",
    [files.notice(), files.template_package("meeting-notice", "letter"), files.template_package("archive-cover")],
    ids=["lines-grid", "letter", "no-grid-form"],
)
def test_normalising_a_grid_that_is_fine_changes_nothing(package: files.Package):
    normalised, notices = normalise_grid(package)

    assert notices == []
    assert normalised == package
    assert ooxml.write_package(normalised) == ooxml.write_package(package)


# --- fonts, sizes, colours ----------------------------------------------------------------------------------


def test_songti_body_is_an_error():
    finding = only(lint_package(files.with_body_font(files.notice(), "宋体")), "body_font")

    assert finding.severity is Severity.ERROR
    assert finding.measured == "宋体"
    assert finding.expected == "仿宋_GB2312"


@pytest.mark.parametrize("alias", ["仿宋", "FangSong", "fangsong_gb2312", "方正仿宋_GBK"])
def test_fangsong_aliases_are_accepted_for_the_body(alias: str):
    findings = lint_package(files.with_body_font(files.notice(), alias))

    assert "body_font" not in codes(findings)
    assert "font_unofficial" not in codes(findings)


def test_theme_body_font_is_resolved_through_the_theme():
    findings = lint_package(files.with_theme_body_font(files.notice(), "等线"))

    assert only(findings, "body_font").measured == "等线"
    assert only(findings, "font_unofficial").location == Location(part="word/styles.xml", text="docDefaults")


def test_14pt_body_is_an_error():
    finding = only(lint_package(files.with_body_size(files.notice(), 28)), "body_size")

    assert finding.severity is Severity.ERROR
    assert finding.measured == "14 pt"
    assert finding.expected == "16 pt (3号)"


def test_unofficial_font_is_reported_once_per_part_with_a_count():
    package = files.with_run_font(files.notice(), "{{ block.text }}", "Calibri")
    package = files.with_run_font(package, "{{ note }}", "Calibri")

    finding = only(lint_package(package), "font_unofficial")

    assert finding.severity is Severity.WARNING
    assert finding.measured == "Calibri"
    assert "共2处" in finding.message and "(2 places)" in finding.message
    assert finding.location is not None
    assert finding.location.text == "{{ block.hei }}{{ block.kai }}{{ block.text }}"
    assert finding.location.paragraph == paragraph_number(package, files.DOCUMENT, finding.location.text)


def test_blue_run_is_a_colour_warning_at_its_paragraph():
    package = files.with_run_property(files.notice(), "{{ recipients }}", "color", "0000FF")

    finding = only(lint_package(package), "colour_unusual")

    assert finding.severity is Severity.WARNING
    assert finding.measured == "0000FF"
    assert finding.location == Location(
        part="word/document.xml",
        paragraph=paragraph_number(package, files.DOCUMENT, "{{ recipients }}"),
        text="{{ recipients }}",
    )


def test_finding_in_a_table_cell_names_table_row_and_cell():
    package = files.with_run_property(files.notice(), "单位及职务", "color", "0000FF")

    location = only(lint_package(package), "colour_unusual").location

    assert location is not None
    assert (location.table, location.row, location.cell, location.text) == (1, 1, 3, "单位及职务")
    assert "表格1第1行第3格" in location.describe()


def test_styles_the_document_does_not_use_are_not_reported():
    package = files.with_style(files.notice(), "Heading1", "365F91")

    assert "colour_unusual" not in codes(lint_package(package))


def test_styles_the_document_uses_are_reported_at_the_style():
    package = files.with_style(files.notice(), "Heading1", "365F91", used_by="{{ recipients }}")

    finding = only(lint_package(package), "colour_unusual")

    assert finding.location == Location(part="word/styles.xml", text="Heading1")


@pytest.mark.parametrize("colour", ["C00000", "E60012", "FF3333", "auto", "000000"])
def test_black_and_reds_are_not_unusual(colour: str):
    package = files.with_run_property(files.notice(), "{{ recipients }}", "color", colour)

    assert "colour_unusual" not in codes(lint_package(package))


def test_12pt_run_is_an_unusual_size():
    package = files.with_run_property(files.notice(), "{{ recipients }}", "sz", "24")

    finding = only(lint_package(package), "size_unusual")

    assert finding.severity is Severity.WARNING
    assert finding.measured == "12 pt"


def test_red_xiaobiaosong_mark_may_have_any_size():
    package = files.with_run_property(files.notice(), "{{ issuer_mark }}", "sz", "66")

    assert "size_unusual" not in codes(lint_package(package))


def test_red_mark_without_red_rule_warns_at_the_mark():
    package = files.without_red_rule(files.notice())

    finding = only(lint_package(package), "rule_missing")

    assert finding.severity is Severity.WARNING
    assert finding.location is not None and finding.location.text == "{{ issuer_mark }}"


def test_letter_rules_drawn_as_red_shapes_count_as_the_separator():
    assert "rule_missing" not in codes(lint_package(files.template_package("meeting-notice", "letter")))


# --- page numbers -------------------------------------------------------------------------------------------


def test_footer_without_page_field_is_an_error():
    finding = only(lint_package(files.without_page_fields(files.notice())), "page_numbers_missing")

    assert finding.severity is Severity.ERROR


def test_simple_page_field_counts_as_a_page_number():
    findings = lint_package(files.with_simple_page_fields(files.notice()))

    assert not [f for f in findings if f.code.startswith("page_number")]


def test_without_even_and_odd_footers_numbers_stay_on_one_side():
    finding = only(lint_package(files.without_even_and_odd_headers(files.notice())), "page_numbers_same_side")

    assert finding.severity is Severity.WARNING
    assert finding.location == Location(part="word/settings.xml")


def test_even_footer_aligned_like_the_odd_one_is_the_same_side():
    package = files.with_footer_alignment(files.notice(), "word/footer2.xml", "right")

    finding = only(lint_package(package), "page_numbers_same_side")

    assert finding.measured == "both right"
    assert finding.location is not None and finding.location.part == "word/footer2.xml"


def test_page_number_in_12pt_between_hyphens_is_a_format_warning():
    package = files.with_footer_runs(files.notice(), "word/footer1.xml", sz="24", dashes="-")

    findings = [f for f in lint_package(package) if f.code == "page_number_format"]

    assert [f.measured for f in findings] == ["12 pt", "-[PAGE]-"]
    assert {f.severity for f in findings} == {Severity.WARNING}
    assert {f.location.part for f in findings if f.location} == {"word/footer1.xml"}


def test_page_number_in_fangsong_is_a_format_warning():
    def fangsong(root: etree._Element) -> None:
        for fonts in xpath(root, "//w:rFonts"):
            fonts.set(w("ascii"), "仿宋_GB2312")

    package = files.edited(files.notice(), "word/footer2.xml", fangsong)

    finding = only(lint_package(package), "page_number_format")
    assert finding.measured == "仿宋_GB2312"


# --- language, unreadable parts, font names -----------------------------------------------------------------


def test_east_asian_language_other_than_chinese_warns():
    findings = lint_package(files.with_language(files.notice(), eastAsia="ja-JP", val="zh-CN"))

    assert only(findings, "language").measured == "ja-JP"


def test_malformed_part_is_reported_not_raised():
    package = {**files.notice(), "word/document.xml": b"<w:document><w:body>"}

    findings = lint_package(package)

    assert codes(findings, Severity.ERROR) == ["part_unreadable"]
    assert normalise_grid(package) == (package, [])


def test_package_without_a_main_document_is_unreadable():
    package = {name: data for name, data in files.notice().items() if name != "word/document.xml"}

    assert codes(lint_package(package)) == ["part_unreadable"]


def test_accepted_font_names_are_the_names_fontconfig_maps():
    """An accepted name always prints in the intended face: fonts/fonts.conf maps every one of them."""
    config = etree.parse(str(PROJECT_ROOT / "fonts" / "fonts.conf"))
    mapped = {str(name) for name in config.xpath("//match/test[@name='family']/string/text()")}

    assert set().union(*FONT_ALIASES.values()) == mapped


# --- end to end: characters a line in LibreOffice -----------------------------------------------------------

LONG_REQUIREMENTS = [
    "各乡镇、各部门要高度重视此次会议，主要负责同志要亲自过问、亲自安排，认真梳理本地区、本行业领域安全生产工作"
    "开展情况，深入分析存在的薄弱环节和突出问题，研究提出有针对性的防范措施和工作建议，确保会议取得实效。",
    "各级各部门要严格落实领导带班和值班值守制度，加强应急值守和信息报送工作，确保信息畅通、反应迅速、处置有力。"
    "遇有突发事件和重要情况，要第一时间按规定程序报告，不得迟报、漏报、谎报、瞒报，全力组织开展先期处置工作。",
    "参会人员原则上不得请假，确因特殊情况不能参会的，须事先向县政府分管领导请假，并指定熟悉情况的人员代会。",
]
PROPERTIES = DocumentProperties(
    title="通知", subject="会议", author="青山县人民政府办公室", created=datetime(2026, 11, 25, tzinfo=UTC)
)


def body_lines_of(pdf: bytes) -> list[TextLine]:
    """The pure-CJK 3号 lines of the main text in reading order: not title, mark or 版记, and not the reply slip
    (the attachment that starts on the page beginning with 附件), whose table header reads as one line."""
    lines = []
    for page in read_pdf_bytes(pdf):
        if page.body_lines and page.body_lines[0].text == "附件":
            break
        lines += [line for line in page.body_lines if abs(line.size - 16) < 0.5 and is_pure_cjk(line.text)]
    return lines


def render_notice_pdf(package: files.Package, directory: Path, pool: ConversionPool) -> bytes:
    template = directory / "document.docx"
    template.write_bytes(ooxml.write_package(package))
    validated = validate_document("meeting-notice", body_for("meeting-notice")(requirements=LONG_REQUIREMENTS))
    docx = render_docx(template, validated.kind.build_context(validated.data), PROPERTIES)
    return pool.convert(docx)


def test_normalised_word_grid_prints_28_characters_a_line(tmp_path: Path, conversion_pool: ConversionPool):
    word = files.word_grid(files.notice())
    (tmp_path / "word").mkdir()
    (tmp_path / "normalised").mkdir()

    as_word = body_lines_of(render_notice_pdf(word, tmp_path / "word", conversion_pool))
    normalised_package, _ = normalise_grid(word)
    normalised = body_lines_of(render_notice_pdf(normalised_package, tmp_path / "normalised", conversion_pool))

    # Word's grid in LibreOffice 7.4: every character takes two cells, 14 a line
    assert max(len(line.text) for line in as_word) == 14
    # normalised: GB/T 9704-2012 5.2.3, 28 a line; 27 only where kinsoku moved the 28th down
    full = full_lines(normalised)
    wrong = [(f.cells, f.line.text) for f in full if not (f.cells == 28 or (f.cells == 27 and f.kinsoku))]
    assert len(full) >= 5
    assert not wrong
