"""Broken templates and unprintable data raise the service's own errors; a changed template is re-read."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx
import pytest

from service.errors import RenderError, TemplateInvalidError
from service.rendering.docx import render_docx

from .conftest import PROPERTIES, NoticeContext, template_for
from .docx_xml import Rendered


def write_template(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_missing_template_is_a_template_error(tmp_path: Path):
    with pytest.raises(TemplateInvalidError, match=" / "):
        render_docx(tmp_path / "absent.docx", {}, PROPERTIES)


def test_a_file_that_is_not_a_docx_is_a_template_error(tmp_path: Path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TemplateInvalidError) as caught:
        render_docx(path, {}, PROPERTIES)
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    "source",
    ["{% if %}", "{{ name ", "{%p endif %}"],
    ids=["empty-if", "unclosed-expression", "stray-endif"],
)
def test_template_syntax_errors_are_template_errors(source: str, tmp_path: Path):
    path = write_template(tmp_path / "bad.docx", "before", source, "after")
    with pytest.raises(TemplateInvalidError):
        render_docx(path, {"name": "x"}, PROPERTIES)


def test_a_key_the_data_lacks_is_a_template_error(tmp_path: Path):
    path = write_template(tmp_path / "t.docx", "{{ missing }}")
    with pytest.raises(TemplateInvalidError, match="missing"):
        render_docx(path, {}, PROPERTIES)


def test_the_sandbox_refuses_internals(tmp_path: Path):
    path = write_template(tmp_path / "t.docx", "{{ name.__class__.__mro__ }}")
    with pytest.raises(TemplateInvalidError):
        render_docx(path, {"name": "x"}, PROPERTIES)


@pytest.mark.parametrize(
    "character", ["\x00", "\x07", "\x1b", "\ufffe"], ids=["nul", "bell", "escape", "non-character"]
)
def test_characters_xml_cannot_hold_are_a_render_error(character: str, notice_context: NoticeContext):
    context = notice_context(signatory=f"青山县{character}办公室")
    with pytest.raises(RenderError, match="U\\+"):
        render_docx(template_for(context), context, PROPERTIES)


def test_a_changed_template_is_read_again(tmp_path: Path):
    path = write_template(tmp_path / "t.docx", "第一版{{ name }}")
    assert Rendered(render_docx(path, {"name": "甲"}, PROPERTIES)).paragraphs_with("第一版甲")
    write_template(path, "第二版{{ name }}")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert Rendered(render_docx(path, {"name": "甲"}, PROPERTIES)).paragraphs_with("第二版甲")
