"""Fixtures of the document tests: bodies rendered to PDF through the real pipeline and measured."""

from __future__ import annotations

import json
import time
from typing import Any, Protocol, TypeVar

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from tests.rendering.pdf_measure import MeasuredPdf

M = TypeVar("M", bound=MeasuredPdf)


class MeasurePdf(Protocol):
    def __call__(self, kind: str, body: dict[str, Any], as_type: type[M]) -> M: ...


@pytest.fixture(scope="module")
def measure_pdf(conversion_pool: ConversionPool) -> MeasurePdf:
    """measure_pdf(kind, body, as_type): the body as PDF through the warm pool, measured as `as_type` (a
    MeasuredPdf); each body is converted once per module, whichever tests ask for it."""
    catalog = TemplateCatalog(Settings().templates_dir)
    measured: dict[str, Any] = {}

    def measure(kind: str, body: dict[str, Any], as_type: type[M]) -> M:
        key = json.dumps([kind, as_type.__qualname__, body], sort_keys=True, ensure_ascii=False)
        if key not in measured:
            started = time.perf_counter()
            pdf = render_document(catalog, kind, body, OutputFormat.PDF, conversion_pool).content
            measured[key] = as_type.of(pdf, body, time.perf_counter() - started)
        result: M = measured[key]
        return result

    return measure
