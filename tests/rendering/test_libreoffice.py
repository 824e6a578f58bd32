"""LibreOffice opens the rendered example notice in both formats and lays out its text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from service.conversion import ConversionPool
from service.rendering.docx import render_docx

from .conftest import PROPERTIES, NoticeContext, template_for


@pytest.mark.parametrize("fmt", ["document", "letter"])
def test_libreoffice_converts_the_rendered_example(
    fmt: str, notice_context: NoticeContext, conversion_pool: ConversionPool
) -> None:
    context = notice_context(format=fmt)

    pdf = conversion_pool.convert(render_docx(template_for(context), context, PROPERTIES))

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 1
    assert "青山县人民政府办公室" in pages[0].extract_text()
