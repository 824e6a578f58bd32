"""LibreOffice opens the rendered example notice and lays it out (the PDF conformance suite comes later)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from service.config import PROJECT_ROOT
from service.rendering.docx import render_docx

from .conftest import PROPERTIES, NoticeContext, template_for

FONTS_CONF = PROJECT_ROOT / "fonts" / "fonts.conf"


def convert_to_pdf(docx_path: Path, work: Path) -> Path:
    """soffice --convert-to pdf with a private profile and the project's font aliases."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("soffice (LibreOffice) is not installed: run `make system`; this test is never skipped")
    profile = work / "lo-profile"
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx_path),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = work / (docx_path.stem + ".pdf")
    assert completed.returncode == 0 and pdf.is_file(), completed.stdout + completed.stderr
    return pdf


@pytest.mark.parametrize("fmt", ["document", "letter"])
def test_libreoffice_converts_the_rendered_example(fmt: str, notice_context: NoticeContext, tmp_path: Path):
    context = notice_context(format=fmt)
    docx_path = tmp_path / f"notice-{fmt}.docx"
    docx_path.write_bytes(render_docx(template_for(context), context, PROPERTIES))
    pdf = convert_to_pdf(docx_path, tmp_path)
    pages = PdfReader(pdf).pages
    assert len(pages) >= 1
    assert "青山县人民政府办公室" in pages[0].extract_text()
