"""PDF over HTTP: the real LibreOffice pool behind ?format=pdf, deterministic bytes, backpressure."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from flask.testing import FlaskClient
from pypdf import PdfReader

from service import create_app
from service.config import Settings
from service.errors import BusyError, bilingual

NOTICE_URL = "/api/v1/documents/meeting-notice"
BodyFactory = Callable[..., dict[str, Any]]


def test_pdf_is_returned_for_format_pdf(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body())

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="meeting-notice.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3
    assert "青政办发〔2026〕15号" in reader.pages[0].extract_text()


def test_same_body_gives_byte_identical_pdf(client: FlaskClient, notice_body: BodyFactory) -> None:
    first = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body())
    second = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body())

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert b"/CreationDate(D:20261125000000" in first.data


def test_invalid_body_is_refused_before_conversion(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body(title=None))

    assert response.status_code == 422


class FullQueue:
    """Stands in for a pool whose queue is full, to check how the API answers (no PDF is claimed)."""

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes:
        raise BusyError(bilingual("转换队列已满", "the conversion queue is full"), retry_after=3)

    def status(self) -> Mapping[str, Any] | None:
        return {"ready": True}


def test_full_queue_is_503_with_retry_after(tmp_path: Any, notice_body: BodyFactory) -> None:
    client = create_app(Settings(data_dir=tmp_path), converter=FullQueue()).test_client()

    response = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body())

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert response.get_json()["code"] == "busy"


def test_readyz_reports_the_converter_workers(client: FlaskClient) -> None:
    converter = client.get("/readyz").get_json()["checks"]["converter"]

    assert converter["ok"] is True
    assert converter["state"]["size"] == 2
    assert all(worker["soffice_pid"] for worker in converter["state"]["workers"])
