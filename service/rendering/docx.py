"""Fill a DOCX template (docxtpl syntax) with a context of plain text and return deterministic bytes.

docxtpl's own `render()` re-opens the template with python-docx on every call (its documents are
rendered in place) and saves through python-docx with the clock in every zip entry. Here docxtpl
prepares each templated part once per template file (its `patch_xml` joins tags split across runs and
turns `{%p %}`/`{%tr %}` tags into plain Jinja); the compiled Jinja templates are cached per path and
mtime, and each render only evaluates them, checks the XML and writes a zip with fixed timestamps.
Supported: everything docxtpl's `patch_xml` understands except `{%tc %}` column loops, RichText,
InlineImage and Subdoc (the data here is only ever text).
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from service.errors import RenderError, TemplateInvalidError, bilingual
from service.rendering import ooxml

LAST_MODIFIED_BY = "Gongwen"
CORE_PROPERTIES_PART = "docProps/core.xml"

TEMPLATED_RELATIONSHIPS = frozenset({RT.HEADER, RT.FOOTER, RT.FOOTNOTES, RT.ENDNOTES})
TAG_START = re.compile(r"\{[{%#]")
# XML 1.0 forbids these characters anywhere in a document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
PARAGRAPH_START = re.compile(r"<w:p([ >])")
_MARKED_PARAGRAPH_START = re.compile(r"\n<w:p([ >])")
# docxtpl's escapes for literal braces in a template; rewritten as Jinja string literals before
# compiling, so that data containing "{_{" is never touched (docxtpl replaces them after rendering).
LITERAL_BRACES = {"{_{": '{{ "{{" }}', "}_}": '{{ "}}" }}', "{_%": '{{ "{%" }}', "%_}": '{{ "%}" }}'}
_DOCPR = ooxml.qn("wp:docPr")


@dataclass(frozen=True)
class DocumentProperties:
    """Core properties written into every rendered file (title, subject, author, creation time)."""

    title: str
    subject: str
    author: str
    created: datetime


def render_docx(template_path: Path, context: Mapping[str, object], properties: DocumentProperties) -> bytes:
    """The template at `template_path` filled with `context`; equal inputs give byte-identical files."""
    compiled = _compiled_template(template_path)
    members = dict(compiled.members)
    rendered = {name: _render_part(name, template, context) for name, template in compiled.parts.items()}
    _number_drawings(rendered.values())
    for name, tree in rendered.items():
        members[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
    members[CORE_PROPERTIES_PART] = ooxml.core_properties(
        title=properties.title,
        subject=properties.subject,
        author=properties.author,
        created=properties.created,
        modified=properties.created,
        last_modified_by=LAST_MODIFIED_BY,
        revision=1,
    )
    return ooxml.write_package(members)


@dataclass(frozen=True)
class _CompiledTemplate:
    members: Mapping[str, bytes]  # every zip member as python-docx saved it
    parts: Mapping[str, jinja2.Template]  # the templated XML parts, compiled


def _finalize(value: object) -> Markup:
    """Every `{{ }}` output: plain text, XML-escaped, newlines and tabs as Word breaks and tabs.

    The environment's autoescape would escape too; doing it here lets line breaks become `w:br`, as
    docxtpl does for text, without ever letting a value's own characters turn into markup.
    """
    text = str.__str__(value) if isinstance(value, str) else str(value)
    illegal = _XML_ILLEGAL.search(text)
    if illegal:
        raise RenderError(
            bilingual(
                f"内容含有文档中不允许的控制字符 U+{ord(illegal.group()):04X}",
                f"a value contains U+{ord(illegal.group()):04X}, which a DOCX file cannot hold",
            )
        )
    escaped = str(escape(text)).replace("\r\n", "\n").replace("\r", "\n")
    escaped = escaped.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    escaped = escaped.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return Markup(escaped)


# The largest string or list a template may build with `*`, and the largest exponent of `**`: a maintainer's
# `{{ 'x' * 999999999 }}` held a gigabyte for minutes, and `{{ 9 ** 99999999 }}` runs for minutes.
MAX_REPEATED_LENGTH = 100_000
MAX_EXPONENT = 1_000


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, which bounds `range` but not `*` and `**`, with those bounded too."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise jinja2.exceptions.SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed")
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                repeats = isinstance(sized, str | list | tuple) and isinstance(count, int)
                if repeats and len(sized) * count > MAX_REPEATED_LENGTH:
                    raise jinja2.exceptions.SecurityError(
                        f"a repeated value longer than {MAX_REPEATED_LENGTH} is not allowed"
                    )
        return super().call_binop(context, operator, left, right)


def _environment() -> SandboxedEnvironment:
    # Sandboxed and strict: a template may only read the context, and a key it names must exist.
    return _BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize)


TEMPLATE_ENVIRONMENT = _environment()
_CACHE_LOCK = threading.Lock()


def _compiled_template(path: Path) -> _CompiledTemplate:
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateInvalidError(
            bilingual(f"模板文件无法读取：{path}", f"cannot read template {path}: {exc.strerror}")
        ) from exc
    with _CACHE_LOCK:
        return _load_template(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_template(path: str, mtime_ns: int, size: int) -> _CompiledTemplate:
    """Parse and compile a template once per (path, mtime, size); a changed file is loaded again."""
    del mtime_ns, size  # part of the cache key only
    try:
        data = Path(path).read_bytes()
        document = docx.Document(io.BytesIO(data))
        document.core_properties  # noqa: B018 -- creates the core-properties part when the file has none
        saved = io.BytesIO()
        document.save(saved)
        members = ooxml.read_package(saved.getvalue())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.LxmlError) as exc:
        raise TemplateInvalidError(
            bilingual(f"模板不是有效的DOCX文件：{path}", f"template {path} is not a valid DOCX file: {exc}")
        ) from exc

    templated = [document.part.partname]
    templated += [rel.target_part.partname for rel in document.part.rels.values() if _is_templated(rel)]
    patcher = DocxTemplate(path)
    parts: dict[str, jinja2.Template] = {}
    for partname in templated:
        name = partname.lstrip("/")
        source = members[name].decode("utf-8")
        if not TAG_START.search(source):
            continue
        parts[name] = _compile_part(name, patcher.patch_xml(source), path)
    return _CompiledTemplate(members=members, parts=parts)


def _is_templated(rel: Any) -> bool:
    return not rel.is_external and rel.reltype in TEMPLATED_RELATIONSHIPS


def _compile_part(name: str, source: str, path: str) -> jinja2.Template:
    # As docxtpl does: one paragraph per source line, so Jinja's line numbers point at a paragraph.
    source = PARAGRAPH_START.sub(r"\n<w:p\1", source)
    for literal, expression in LITERAL_BRACES.items():
        source = source.replace(literal, expression)
    try:
        return TEMPLATE_ENVIRONMENT.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateInvalidError(
            bilingual(
                f"模板{path}的{name}第{exc.lineno}段有语法错误：{exc.message}",
                f"template {path}, {name}, paragraph {exc.lineno}: {exc.message}",
            )
        ) from exc
    except RecursionError as exc:
        raise TemplateInvalidError(
            bilingual(f"模板{path}的{name}嵌套过深", f"template {path}, {name}: nested too deeply")
        ) from exc


def _render_part(name: str, template: jinja2.Template, context: Mapping[str, object]) -> etree._Element:
    try:
        xml = template.render(context)
    except jinja2.UndefinedError as exc:
        raise TemplateInvalidError(
            bilingual(
                f"模板{name}引用了数据中没有的项：{exc.message}",
                f"template part {name} uses a value the data does not provide: {exc.message}",
            )
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateInvalidError(
            bilingual(f"模板{name}使用了不允许的操作：{exc}", f"template part {name} does something unsafe: {exc}")
        ) from exc
    except RecursionError as exc:
        # A macro calling itself without end: the template's fault, whatever the data.
        raise TemplateInvalidError(
            bilingual(f"模板{name}递归过深", f"template part {name} recurses without end")
        ) from exc
    except jinja2.TemplateError as exc:
        raise RenderError(
            bilingual(f"填充模板{name}失败：{exc}", f"filling template part {name} failed: {exc}")
        ) from exc
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise RenderError(
            bilingual(f"填充模板{name}失败：{exc}", f"filling template part {name} failed: {exc}")
        ) from exc
    xml = _MARKED_PARAGRAPH_START.sub(r"<w:p\1", xml)
    try:
        return etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise TemplateInvalidError(
            bilingual(
                f"模板{name}生成的XML不合法（标签位置不当？）：{exc}",
                f"template part {name} produced malformed XML (a misplaced tag?): {exc}",
            )
        ) from exc


def _number_drawings(trees: Iterable[etree._Element]) -> None:
    """Give every drawing a unique id in document order when a loop has copied one (Word refuses those)."""
    shapes = [shape for tree in trees for shape in tree.iter(_DOCPR)]
    if len({shape.get("id") for shape in shapes}) == len(shapes):
        return
    for number, shape in enumerate(shapes, start=1):
        shape.set("id", str(number))


def bundle_files(files: Mapping[str, bytes]) -> bytes:
    """Finished documents in one ZIP (names in UTF-8), byte-identical for equal inputs."""
    return ooxml.write_package(files)
