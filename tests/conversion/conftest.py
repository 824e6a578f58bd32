"""Fixtures for the conversion tests: a sample 公文 DOCX and one warm pool shared by the session."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from service.conversion import ConversionPool

SAMPLE_TITLE = "关于召开二〇二六年度工作会议的通知"
SAMPLE_PARAGRAPHS = (
    "各有关单位：",
    "经研究，决定召开年度工作会议。现将有关事项通知如下：",
    "一、会议时间：三月十二日上午九时。",
    "二、会议地点：市政府第一会议室。",
)


def build_sample_docx() -> bytes:
    """A one-page notice in 仿宋_GB2312, the font name our templates carry (mapped by fonts.conf)."""
    document = Document()
    for text in (SAMPLE_TITLE, *SAMPLE_PARAGRAPHS):
        run = document.add_paragraph().add_run(text)
        run.font.name = "仿宋_GB2312"  # ascii and hAnsi
        run.font.size = Pt(16)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def sample_docx() -> bytes:
    return build_sample_docx()


@pytest.fixture(scope="session")
def shared_pool(conversion_pool: ConversionPool) -> ConversionPool:
    """The session's warm pool (tests/conftest.py), for every test that does not need a pool of its own."""
    return conversion_pool
