"""The same template, context and properties always give the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.rendering.docx import DocumentProperties, render_docx

from .conftest import PROPERTIES, NoticeContext, template_for
from .docx_xml import Rendered, xpath


@pytest.mark.parametrize("fmt", ["document", "letter"])
def test_rendering_twice_gives_identical_bytes(fmt: str, notice_context: NoticeContext):
    context = notice_context(format=fmt)
    first = render_docx(template_for(context), context, PROPERTIES)
    second = render_docx(template_for(notice_context(format=fmt)), notice_context(format=fmt), PROPERTIES)
    assert first == second


def test_zip_members_have_fixed_timestamps_and_a_stable_order(notice_context: NoticeContext):
    context = notice_context()
    data = render_docx(template_for(context), context, PROPERTIES)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    names = [info.filename for info in infos]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert names[2:] == sorted(names[2:])


def test_core_properties_come_from_the_properties_only(notice_context: NoticeContext):
    context = notice_context()
    created = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    properties = DocumentProperties(title="标题", subject="主题", author="青山县人民政府办公室", created=created)
    core = Rendered(render_docx(template_for(context), context, properties)).core

    def text(path: str) -> list[str | None]:
        return [e.text for e in xpath(core, path)]

    assert text("dc:title") == ["标题"]
    assert text("dc:subject") == ["主题"]
    assert text("dc:creator") == ["青山县人民政府办公室"]
    assert text("cp:lastModifiedBy") == ["Gongwen"]
    assert text("cp:revision") == ["1"]
    assert text("dcterms:created") == ["2026-11-25T01:30:00Z"]
    assert text("dcterms:modified") == ["2026-11-25T01:30:00Z"]


def test_different_properties_change_only_the_core_properties(notice_context: NoticeContext):
    context = notice_context()
    later = DocumentProperties(
        title=PROPERTIES.title,
        subject=PROPERTIES.subject,
        author=PROPERTIES.author,
        created=datetime(2027, 1, 1, tzinfo=UTC),
    )
    first = Rendered(render_docx(template_for(context), context, PROPERTIES)).members
    second = Rendered(render_docx(template_for(context), context, later)).members
    assert [name for name in first if first[name] != second[name]] == ["docProps/core.xml"]
