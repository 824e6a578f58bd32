"""Page, grid, default fonts and settings of both templates (GB/T 9704-2012 5.1–5.2; typesetting spec §2)."""

from __future__ import annotations

import pytest

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, attr, int_attr, one, w, xpath

FORMATS = pytest.mark.parametrize("fmt", ["document", "letter"])


@FORMATS
def test_page_is_a4_with_the_standard_margins(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    section = render_notice(notice_context(format=fmt)).section
    assert int_attr(section, "w:pgSz", "w") == 11906
    assert int_attr(section, "w:pgSz", "h") == 16838
    margins = {side: int_attr(section, "w:pgMar", side) for side in ("top", "bottom", "left", "right", "gutter")}
    assert margins == {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474, "gutter": 0}


@FORMATS
def test_text_block_is_156_by_225_mm(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    section = render_notice(notice_context(format=fmt)).section
    width = (
        int_attr(section, "w:pgSz", "w") - int_attr(section, "w:pgMar", "left") - int_attr(section, "w:pgMar", "right")
    )
    height = (
        int_attr(section, "w:pgSz", "h") - int_attr(section, "w:pgMar", "top") - int_attr(section, "w:pgMar", "bottom")
    )
    assert abs(width - 156 * 1440 / 25.4) < 1
    assert abs(height - 225 * 1440 / 25.4) < 1


@FORMATS
def test_grid_is_lines_only_at_579_twips(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    section = render_notice(notice_context(format=fmt)).section
    grid = one(section, "w:docGrid")
    assert grid.get(w("type")) == "lines"
    assert grid.get(w("linePitch")) == "579"
    assert grid.get(w("charSpace")) is None
    assert 22 * 579 <= 12756 < 22 * 580


@FORMATS
def test_footer_distance_puts_the_page_number_dash_28_mm_above_the_paper_edge(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format=fmt))
    footer = int_attr(rendered.section, "w:pgMar", "footer")
    footer_part = rendered.footer("default")
    assert footer_part is not None
    line = Paragraph(one(footer_part, "w:p")).exact_line
    assert line is not None
    # LibreOffice: the footer line's bottom is `footer` above the edge; baseline at 0.8 of the line;
    # em box top 0.88 em (14 pt = 280 twips) above the baseline. 28 mm = 1587.4 twips.
    em_top_above_edge = footer + 0.2 * line + 0.88 * 280
    assert footer == 1257
    assert line == 420
    assert em_top_above_edge == pytest.approx(1587.4, abs=1)


@FORMATS
def test_document_defaults_are_3hao_fangsong_in_chinese(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    styles = render_notice(notice_context(format=fmt)).styles
    rpr = one(styles, "w:docDefaults/w:rPrDefault/w:rPr")
    fonts = one(rpr, "w:rFonts")
    assert {slot: fonts.get(w(slot)) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == dict.fromkeys(
        ("ascii", "hAnsi", "eastAsia", "cs"), "仿宋_GB2312"
    )
    assert attr(rpr, "w:sz", "val") == "32"
    assert attr(rpr, "w:lang", "val") == "en-US"
    assert attr(rpr, "w:lang", "eastAsia") == "zh-CN"
    spacing = one(styles, "w:docDefaults/w:pPrDefault/w:pPr/w:spacing")
    assert {k: spacing.get(w(k)) for k in ("before", "after", "line", "lineRule")} == {
        "before": "0",
        "after": "0",
        "line": "240",
        "lineRule": "auto",
    }


@FORMATS
def test_normal_style_condenses_characters_a_quarter_point(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    styles = render_notice(notice_context(format=fmt)).styles
    normal = one(styles, "w:style[@w:styleId='Normal']")
    assert normal.get(w("default")) == "1"
    assert attr(normal, "w:rPr/w:spacing", "val") == "-5"
    assert attr(normal, "w:rPr/w:sz", "val") == "32"
    assert attr(normal, "w:pPr/w:overflowPunct", "val") == "1"
    # LibreOffice would otherwise move a lone first line to the next page and leave 21 lines.
    assert attr(normal, "w:pPr/w:widowControl", "val") == "0"
    assert attr(normal, "w:pPr/w:spacing", "after") == "0"


@FORMATS
def test_settings_use_odd_and_even_footers_and_chinese_theme_language(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    settings = render_notice(notice_context(format=fmt)).settings
    assert xpath(settings, "w:evenAndOddHeaders")
    assert attr(settings, "w:themeFontLang", "eastAsia") == "zh-CN"
    assert attr(settings, "w:characterSpacingControl", "val") == "doNotCompress"
    assert not xpath(settings, "w:rsids")


@FORMATS
def test_no_python_docx_default_survives(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format=fmt))
    assert not any(name.startswith(("customXml/", "word/theme/")) for name in rendered.members)
    assert "docProps/thumbnail.jpeg" not in rendered.members
    assert "word/numbering.xml" not in rendered.members
    assert "word/stylesWithEffects.xml" not in rendered.members
    for name, xml in rendered.all_parts_text():
        assert "ja-JP" not in xml, name
        assert 'w:eastAsia="en-US"' not in xml, name
        assert 'w:after="200"' not in xml, name
        assert 'w:line="276"' not in xml, name
        assert "python-docx" not in xml, name
    for spacing in rendered.styles.iter(w("spacing")):
        assert spacing.get(w("after")) in (None, "0")


@FORMATS
def test_every_paragraph_keeps_punctuation_inside_the_text_block(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format=fmt))
    for paragraph in rendered.all_paragraphs:
        assert paragraph.prop("w:overflowPunct", "val") == "1", paragraph.text


@FORMATS
def test_only_the_official_fonts_are_named(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format=fmt))
    official = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}
    named = set()
    for name, _xml in rendered.all_parts_text():
        if name.startswith("word/") and name.endswith(".xml"):
            part = rendered.part(name)
            for fonts in part.iter(w("rFonts")):
                named |= {value for key, value in fonts.attrib.items() if key != w("hint")}
    assert named == official


@FORMATS
def test_every_run_with_text_names_its_east_asian_font(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format=fmt))
    parts = [rendered.document, *(f for f in (rendered.footer("default"), rendered.footer("even")) if f is not None)]
    for part in parts:
        for run in part.iter(w("r")):
            if xpath(run, "w:t"):
                assert attr(run, "w:rPr/w:rFonts", "eastAsia"), "".join(run.itertext())
