"""The pipeline's part of admission under load: a document's parts convert as one conversion request."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from service.config import Settings
from service.conversion.pool import ConversionPool, conversion_request
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from tests.conftest import body_for


@pytest.fixture
def pool_without_queue(tmp_path: Path) -> Iterator[ConversionPool]:
    """One office and no place to wait: a conversion that is not part of an admitted request is refused."""
    pool = ConversionPool(size=1, max_queue=0, work_dir=tmp_path)
    pool.start()
    yield pool
    pool.stop()


def test_the_parts_of_an_admitted_request_are_never_refused_one_by_one(pool_without_queue: ConversionPool) -> None:
    # Three 反馈单 convert side by side in the pipeline's threads while the only office is busy with the
    # first; they wait only because they carry the admitted request along (ADR 0020).
    body = body_for("minutes-feedback-slip")(units=["县住建局", "县财政局", "县自然资源局"])
    catalog = TemplateCatalog(Settings().templates_dir)

    with conversion_request() as request:
        rendered = render_document(catalog, "minutes-feedback-slip", body, OutputFormat.PDF, pool_without_queue)

    assert request.admitted and request.refusal is None
    assert len(PdfReader(BytesIO(rendered.content)).pages) == 3
