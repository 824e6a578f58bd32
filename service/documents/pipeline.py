"""From a raw request body to a finished file: validate, build the context, fill the template."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from schemas.meeting_notice import FieldCorrection
from service.documents.kinds import DocumentKind, find_kind
from service.documents.validation import load_payload
from service.errors import TemplateInvalidError, UnsupportedFormatError, bilingual
from service.postprocess.determinism import stabilise_pdf
from service.postprocess.preview import render_page_png
from service.rendering.docx import DocumentProperties, render_docx


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
    """Turns DOCX into PDF (service.conversion's pool in production and in the tests)."""

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes: ...

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

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class TemplateCatalog:
    """The built-in templates on disk: templates/<kind>/manifest.json names one file per variant."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir

    def manifest(self, kind: str) -> dict[str, Any]:
        path = self.templates_dir / kind / "manifest.json"
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TemplateInvalidError(
                bilingual(f"模板清单无法读取：{path}", f"cannot read template manifest {path}: {exc}")
            ) from exc
        return manifest

    def template_path(self, kind: str, variant: str) -> Path:
        files = self.manifest(kind).get("files", {})
        if variant not in files:
            raise TemplateInvalidError(
                bilingual(f"{kind}没有“{variant}”模板", f"{kind} has no template for variant {variant!r}")
            )
        return self.templates_dir / kind / files[variant]

    def problems(self, kinds: list[str]) -> list[str]:
        """What keeps the catalog from serving these kinds (for /readyz); empty when ready."""
        found = []
        for kind in kinds:
            try:
                for variant in self.manifest(kind).get("files", {}):
                    path = self.template_path(kind, variant)
                    if not path.is_file():
                        found.append(f"{kind}/{variant}: missing {path.name}")
            except TemplateInvalidError as exc:
                found.append(exc.detail)
        return found


def validate_document(kind_name: str, payload: Any) -> ValidatedPayload:
    kind = find_kind(kind_name)
    data = load_payload(kind.schema(), payload)
    corrections = data.pop("corrections", [])
    return ValidatedPayload(kind, data, corrections)


def render_document(
    catalog: TemplateCatalog,
    kind_name: str,
    payload: Any,
    output_format: OutputFormat,
    converter: Converter | None = None,
    *,
    page: int = 1,
) -> RenderedDocument:
    """Validate the body and produce the file; nothing is written anywhere but the returned bytes.

    `page` (from 1) picks the page a PNG preview shows.
    """
    validated = validate_document(kind_name, payload)
    if output_format is not OutputFormat.DOCX and converter is None:
        raise UnsupportedFormatError(bilingual("未配置PDF转换", "no PDF converter is configured"))
    kind, data = validated.kind, validated.data
    template = catalog.template_path(kind.name, kind.template_variant(data))
    properties = DocumentProperties(
        title=data["title"],
        subject=kind.subject(data),
        author=kind.author(data),
        # Deterministic: the document's own date, never the clock, so a retry gives the same bytes.
        created=datetime.combine(data["date"], time(0, 0), tzinfo=UTC),
    )
    content = render_docx(template, kind.build_context(data), properties)
    if output_format is not OutputFormat.DOCX and converter is not None:
        content = stabilise_pdf(converter.convert(content), properties.created)
    if output_format is OutputFormat.PNG:
        content = render_page_png(content, page)
    return RenderedDocument(
        content=content,
        output_format=output_format,
        filename=download_name(
            data["title"] + (f"-第{page}页" if output_format is OutputFormat.PNG else ""), output_format
        ),
        corrections=validated.corrections,
    )


_UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def download_name(title: str, output_format: OutputFormat) -> str:
    """A file name a clerk recognises: the document's title, safe on Windows and Unix."""
    stem = _UNSAFE_IN_FILENAMES.sub("_", title).strip(" .") or "document"
    return f"{stem[:80]}.{output_format.value}"
