"""Data is only ever text: markup, template syntax, emoji, rare characters and long strings come out as sent."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from lxml import etree

from service.rendering.docx import DocumentProperties, render_docx

from .conftest import PROPERTIES, NoticeContext, template_for
from .docx_xml import Rendered, w, xpath

NASTY = "& < > \" ' {{ x }} {% if %} {_{ ]]> 🎉 𠀀堃喆 \u3000 "


def string_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of every string in a context (list items by index)."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in string_paths(item, f"{path}.{key}" if path else key)]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in string_paths(item, f"{path}.{index}")]
    return []


def replace_strings(value: Any, make: Any, path: str = "") -> Any:
    if isinstance(value, str):
        return make(path)
    if isinstance(value, dict):
        return {k: replace_strings(v, make, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_strings(v, make, f"{path}.{i}") for i, v in enumerate(value)]
    return value


def run_texts(rendered: Rendered) -> list[str]:
    """Text of every run in the body (text boxes included) and footers."""
    parts = [rendered.document]
    parts += [f for f in (rendered.footer("default"), rendered.footer("even")) if f is not None]
    return ["".join(t.text or "" for t in xpath(r, "w:t")) for part in parts for r in part.iter(w("r"))]


# Strings that choose a template or a layout rather than print.
SWITCHES = ("format", "imprint_page")
CASES = {
    "markup-and-template-syntax": lambda path: f"{NASTY}[{path}]",
    "20000-characters": lambda path: f"[{path}]" + (NASTY * 800)[:20000],
}


@pytest.mark.parametrize("fmt", ["document", "letter"])
@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_every_string_field_comes_out_exactly_as_sent(fmt: str, make: Any, notice_context: NoticeContext):
    base = notice_context(format=fmt)
    fields = [p for p in string_paths(base) if p not in SWITCHES]
    context = replace_strings(base, lambda path: base[path] if path in SWITCHES else make(path))
    data = render_docx(template_for(context), context, PROPERTIES)

    docx.Document(io.BytesIO(data))  # python-docx opens it
    rendered = Rendered(data)
    for _name, xml in rendered.all_parts_text():
        etree.fromstring(xml.encode("utf-8"))  # every part is well-formed XML
    texts = run_texts(rendered)
    printed_only_in_document_format = {"printed_by", "printed_on"}
    for path in fields:
        if fmt == "letter" and path in printed_only_in_document_format:
            continue
        expected = make(path)
        assert texts.count(expected) == 1, path


def test_core_properties_are_text_too(notice_context: NoticeContext):
    properties = DocumentProperties(title=NASTY + "标题", subject=NASTY, author="<作者>&", created=PROPERTIES.created)
    context = notice_context()
    rendered = Rendered(render_docx(template_for(context), context, properties))
    core = rendered.core
    assert [e.text for e in xpath(core, "dc:title")] == [NASTY + "标题"]
    assert [e.text for e in xpath(core, "dc:subject")] == [NASTY]
    assert [e.text for e in xpath(core, "dc:creator")] == ["<作者>&"]
