"""PDF over HTTP: the real LibreOffice pool behind ?format=pdf, deterministic bytes, backpressure."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader

from service import create_app
from service.config import Settings
from service.errors import BusyError, bilingual
from tests.conftest import BodyFactory

NOTICE_URL = "/api/v1/documents/meeting-notice"


def test_pdf_is_returned_for_format_pdf(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(f"{NOTICE_URL}?format=pdf", json=notice_body())

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="meeting-notice.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    # Two pages of text, the reply slip, and the 版记 on page 4: printed double-sided, it takes an even page.
    assert len(reader.pages) == 4
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

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes:
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


def test_png_preview_shows_the_red_mark_where_the_standard_puts_it(
    client: FlaskClient, notice_body: BodyFactory
) -> None:
    response = client.post(f"{NOTICE_URL}?format=png&page=1", json=notice_body())

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert image.size == (827, 1170)  # A4 at 100 dpi
    pixels_per_mm = image.height / 297
    red_rows = [
        y for y in range(image.height) if any(_is_red(image.getpixel((x, y))) for x in range(0, image.width, 3))
    ]
    # GB/T 9704-2012 7.2.4: the mark's top edge 35 mm below the block's top (37 mm): 72 mm from the paper top.
    assert abs(red_rows[0] / pixels_per_mm - 72) < 1.5


def test_png_preview_of_the_last_page_shows_the_reply_slip(client: FlaskClient, notice_body: BodyFactory) -> None:
    first = client.post(f"{NOTICE_URL}?format=png&page=1", json=notice_body())
    third = client.post(f"{NOTICE_URL}?format=png&page=3", json=notice_body())

    assert third.status_code == 200
    assert first.data != third.data
    assert "-第3页.png" in unquote(third.headers["Content-Disposition"])


@pytest.mark.parametrize("page", ["5", "0", "two"])
def test_preview_of_a_missing_page_is_422_naming_page(client: FlaskClient, notice_body: BodyFactory, page: str) -> None:
    response = client.post(f"{NOTICE_URL}?format=png&page={page}", json=notice_body())

    assert response.status_code == 422
    assert "page" in response.get_json()["errors"]


def _is_red(pixel: tuple[int, int, int]) -> bool:
    red, green, blue = pixel
    return red > 200 and green < 80 and blue < 80


@pytest.mark.parametrize(
    "page",
    [
        pytest.param("²", id="superscript-two"),
        pytest.param("١", id="arabic-indic-one"),
        pytest.param("9" * 5000, id="past-int-s-digit-limit"),
        pytest.param("10000", id="past-the-documented-maximum"),
    ],
)
def test_a_page_that_is_no_ascii_whole_number_in_range_is_422(
    client: FlaskClient, notice_body: BodyFactory, page: str
) -> None:
    # Found probing past the fuzzer: str.isdigit() let "²" and 5,000 digits through to int(), which raised (500).
    response = client.post(f"{NOTICE_URL}?format=png&page={page}", json=notice_body())

    assert response.status_code == 422
    assert "page" in response.get_json()["errors"]
