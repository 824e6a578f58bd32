"""From a raw request body to a finished file: validate, build the context, fill the template."""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from schemas.fields import AllocationRequest, FieldCorrection
from service.documents.kind import DocumentKind, Part
from service.documents.kinds import find_kind
from service.documents.page_rules import LayoutWarning
from service.documents.templates import TemplateCatalog, TemplateSet
from service.documents.validation import load_payload
from service.errors import PayloadInvalidError, UnsupportedFormatError, bilingual
from service.postprocess.determinism import stabilise_pdf
from service.postprocess.merge import PdfMetadata, PdfPart, merge_pdfs, page_count
from service.postprocess.preview import render_page_png
from service.rendering.docx import DocumentProperties, bundle_files, render_docx
from service.typography.file_names import file_name_stem

ZIP_MEDIA_TYPE = "application/zip"
# Parts of one request converted at once: enough for a pool of a few workers, without flooding its queue.
MAX_PARALLEL_PARTS = 4
# Conversions one part may take while its page rules settle: the seal block once, then the 版记 page twice.
MAX_LAYOUT_PASSES = 4
LAYOUT_UNSETTLED = LayoutWarning(
    "layout_unsettled", "版面未能满足全部页面规则，请人工检查 / the page rules could not all be met; check the pages"
)

T = TypeVar("T")


class OutputFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    PNG = "png"  # a preview of one page

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    OutputFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    OutputFormat.PDF: "application/pdf",
    OutputFormat.PNG: "image/png",
}


class Converter(Protocol):
    """Turns DOCX into PDF (service.conversion's pool in production and in the tests); `pdfa`: PDF/A-2b."""

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes: ...

    def status(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class ValidatedPayload:
    kind: DocumentKind
    data: dict[str, Any]
    corrections: list[FieldCorrection] = field(default_factory=list)


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    output_format: OutputFormat
    filename: str
    corrections: list[FieldCorrection]
    # Several DOCX files (one per part of a split kind) travel as a ZIP.
    media_type: str = ""
    # Page rules that could not all be met (e.g. a seal block alone on its page), for the clerk to fix.
    warnings: list[LayoutWarning] = field(default_factory=list)
    # The PDF's page count (for a PNG preview: of the PDF it was taken from); None for DOCX.
    pages: int | None = None
    # The template version that made it and the SHA-256 of its file(s), as the registry records them.
    template_version: int = 0
    template_sha256: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def load_document(kind_name: str, payload: Any) -> ValidatedPayload:
    """Validate the body; a 发文字号 to allocate (`{"prefix": …}`) is accepted, for the registry to fill in."""
    kind = find_kind(kind_name)
    data = load_payload(kind.schema(), payload)
    corrections = data.pop("corrections", [])
    return ValidatedPayload(kind, data, corrections)


def validate_document(kind_name: str, payload: Any) -> ValidatedPayload:
    """Validate a body for stateless rendering: everything must be given, a 发文字号 included."""
    validated = load_document(kind_name, payload)
    if isinstance(validated.data.get("doc_number"), AllocationRequest):
        # Only the registry can hand out the next serial without two documents sharing it.
        path = f"/api/v1/meetings/<id>/documents/{kind_name}"
        raise PayloadInvalidError(
            bilingual("自动分配发文字号须经文书登记", "Number allocation needs the registry"),
            errors={
                "doc_number": [
                    bilingual(
                        f"自动分配发文字号请改用 POST {path}，或在此给出完整发文字号",
                        f"To allocate the number, POST to {path}; here, send the whole number.",
                    )
                ]
            },
        )
    return validated


def render_document(
    catalog: TemplateCatalog,
    kind_name: str,
    payload: Any,
    output_format: OutputFormat,
    converter: Converter | None = None,
    *,
    page: int = 1,
    version: int | None = None,
) -> RenderedDocument:
    """Validate the body and produce the file; nothing is written anywhere but the returned bytes.

    A kind that splits its body (one 反馈单 per unit) gives a ZIP of DOCX files, or one PDF with the
    parts in order and an outline entry per part. `page` (from 1) picks the page a PNG preview shows.
    `version` picks the template version; None renders with the kind's active one.
    """
    validated = validate_document(kind_name, payload)
    return render_validated(validated, catalog.resolve(kind_name, version), output_format, converter, page=page)


def render_validated(
    validated: ValidatedPayload,
    templates: TemplateSet,
    output_format: OutputFormat,
    converter: Converter | None = None,
    *,
    page: int = 1,
) -> RenderedDocument:
    """A validated body rendered with the given template files (a version, or a candidate being checked)."""
    if output_format is not OutputFormat.DOCX and converter is None:
        raise UnsupportedFormatError(bilingual("未配置PDF转换", "no PDF converter is configured"))
    kind, data = validated.kind, validated.data
    parts = kind.parts(data)
    title = kind.title(data)
    media_type = output_format.media_type
    warnings: list[LayoutWarning] = []
    pages: int | None = None
    if output_format is OutputFormat.DOCX:
        # A DOCX is edited before it is printed, so it keeps build_context's plain layout (版记 at the foot
        # of the text's last page); the page rules need LibreOffice's page breaks, which only a PDF shows.
        documents = [_render_docx(templates, kind, part, {}) for part in parts]
        extension = "docx"
        if len(documents) == 1:
            content = documents[0]
        else:
            names = [download_name(f"{title}-{part.name}", "docx") for part in parts]
            content = bundle_files(dict(zip(names, documents, strict=True)))
            media_type, extension = ZIP_MEDIA_TYPE, "zip"
    else:
        assert converter is not None  # checked above
        created = _created(kind, data)
        rendered = _map_parts(lambda part: _render_pdf(templates, kind, part, converter, created), parts)
        pdfs = [pdf for pdf, _ in rendered]
        warnings = [warning for _, part_warnings in rendered for warning in part_warnings]
        if len(pdfs) == 1:
            content = pdfs[0]
        else:
            metadata = PdfMetadata(title=title, author=kind.author(data), subject=kind.subject(data), created=created)
            content = merge_pdfs([PdfPart(pdf, part.name) for part, pdf in zip(parts, pdfs, strict=True)], metadata)
        extension = OutputFormat.PDF.value
        pages = page_count(content)
        if output_format is OutputFormat.PNG:
            content = render_page_png(content, page)
            extension = OutputFormat.PNG.value
    suffix = f"-第{page}页" if output_format is OutputFormat.PNG else ""
    return RenderedDocument(
        content=content,
        output_format=output_format,
        filename=download_name(title + suffix, extension),
        corrections=validated.corrections,
        media_type=media_type,
        warnings=warnings,
        pages=pages,
        template_version=templates.version,
        template_sha256=templates.sha256(kind.template_variant(part.data) for part in parts),
    )


def _created(kind: DocumentKind, data: dict[str, Any]) -> datetime:
    # Deterministic: the document's own date, never the clock, so a retry gives the same bytes.
    return datetime.combine(kind.document_date(data), time(0, 0), tzinfo=UTC)


def _render_docx(templates: TemplateSet, kind: DocumentKind, part: Part, layout: dict[str, Any]) -> bytes:
    template = templates.path(kind.template_variant(part.data))
    properties = DocumentProperties(
        title=kind.title(part.data),
        subject=kind.subject(part.data),
        author=kind.author(part.data),
        created=_created(kind, part.data),
    )
    return render_docx(template, {**kind.build_context(part.data), **layout}, properties)


def _render_pdf(
    templates: TemplateSet, kind: DocumentKind, part: Part, converter: Converter, created: datetime
) -> tuple[bytes, list[LayoutWarning]]:
    """The part as a stabilised PDF, rendered again with other layout switches until its page rules hold."""
    rules = kind.page_rules
    layout = rules.initial(part.data) if rules is not None else {}
    for _ in range(MAX_LAYOUT_PASSES):
        pdf = converter.convert(_render_docx(templates, kind, part, layout))
        revised = rules.revise(part.data, layout, pdf) if rules is not None else None
        if revised is None:
            return stabilise_pdf(pdf, created), []
        if isinstance(revised, LayoutWarning):
            return stabilise_pdf(pdf, created), [revised]
        layout = revised
    return stabilise_pdf(pdf, created), [LAYOUT_UNSETTLED]


def _map_parts(render: Callable[[Part], T], parts: list[Part]) -> list[T]:
    """render() over the parts; several at once, so a pool with free workers converts them side by side."""
    if len(parts) == 1:
        return [render(parts[0])]
    # Each part runs in a copy of the caller's context, so its conversions belong to the caller's
    # conversion request: admitted or refused with the request as a whole, never one part alone (ADR 0020).
    contexts = [contextvars.copy_context() for _ in parts]
    with ThreadPoolExecutor(max_workers=min(len(parts), MAX_PARALLEL_PARTS)) as executor:
        return list(executor.map(lambda context, part: context.run(render, part), contexts, parts))


def download_name(title: str, extension: str) -> str:
    """A file name a clerk recognises: the document's title, safe on Windows and Unix."""
    stem = file_name_stem(title) or "document"
    return f"{stem[:80]}.{extension}"
