"""Kinds that make one document per part of the body (会议纪要意见反馈单: one per unit), over HTTP.

Several units: format=docx is a ZIP with one DOCX per unit, format=pdf one PDF with a page and an outline
entry per unit. One unit: a plain DOCX or PDF.
"""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any
from urllib.parse import unquote

import pdfplumber
import pytest
from docx import Document
from flask.testing import FlaskClient
from pypdf import PdfReader

from service.typography.workdays import published_years
from tests.conftest import load_example

URL = "/api/v1/documents/minutes-feedback-slip"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNITS = ["县住建局", "县财政局", "县自然资源和规划局", "城关镇人民政府"]


def example(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(load_example("minutes-feedback-slip"))
    body.update(changes)
    return body


def download_name(response: Any) -> str:
    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1])


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_page_texts(content: bytes) -> list[str]:
    """Each page's text without spaces (LibreOffice's space between Han and digits reads as one)."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [(page.extract_text() or "").replace(" ", "") for page in pdf.pages]


@pytest.fixture(scope="module")
def merged_pdf() -> dict[str, Any]:
    """The example (four units) as PDF, rendered once for the module: content and headers."""
    return {}


def render_pdf(client: FlaskClient, cache: dict[str, Any]) -> Any:
    if "response" not in cache:
        response = client.post(f"{URL}?format=pdf", json=example())
        assert response.status_code == 200, response.get_json()
        cache["response"] = response
    return cache["response"]


def test_the_example_as_docx_is_a_zip_with_one_slip_per_unit(client: FlaskClient) -> None:
    response = client.post(URL, json=example())

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert download_name(response) == "会议纪要意见反馈单.zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        names = bundle.namelist()
        assert names == sorted(f"会议纪要意见反馈单-{unit}.docx" for unit in UNITS)
        for unit in UNITS:
            text = docx_text(bundle.read(f"会议纪要意见反馈单-{unit}.docx"))
            assert unit in text.splitlines()
            assert all(other not in text.splitlines() for other in UNITS if other != unit)
            assert "2026年11月24日（星期二）下午5:30前" in text


def test_zip_members_are_named_in_utf8(client: FlaskClient) -> None:
    response = client.post(URL, json=example())

    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        assert all(info.flag_bits & 0x800 for info in bundle.infolist())  # the UTF-8 name flag


def test_the_same_body_gives_the_same_zip(client: FlaskClient) -> None:
    first, second = (client.post(URL, json=example()) for _ in range(2))

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_the_example_as_pdf_has_one_page_per_unit_each_naming_it(
    client: FlaskClient, merged_pdf: dict[str, Any]
) -> None:
    response = render_pdf(client, merged_pdf)

    assert response.mimetype == "application/pdf"
    assert download_name(response) == "会议纪要意见反馈单.pdf"
    texts = pdf_page_texts(response.data)
    assert len(texts) == len(UNITS)
    for unit, text in zip(UNITS, texts, strict=True):
        assert f"参会单位{unit}" in text
        assert all(f"参会单位{other}" not in text for other in UNITS if other != unit)
        assert "意见反馈时间2026年11月24日（星期二）下午5:30前" in text


def test_the_pdf_outline_names_each_units_page(client: FlaskClient, merged_pdf: dict[str, Any]) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(client, merged_pdf).data))

    assert [entry.title for entry in reader.outline] == UNITS
    assert [reader.get_destination_page_number(entry) for entry in reader.outline] == [0, 1, 2, 3]
    assert reader.page_mode == "/UseOutlines"


def test_the_pdf_carries_the_slips_metadata(client: FlaskClient, merged_pdf: dict[str, Any]) -> None:
    info = PdfReader(io.BytesIO(render_pdf(client, merged_pdf).data)).metadata

    assert info is not None
    assert info.title == "会议纪要意见反馈单"
    assert info.author == "青山县人民政府办公室"
    assert info.subject == "研究县城老旧小区改造2027年实施计划有关事项"
    assert info["/CreationDate"] == "D:20261120000000Z"  # the day the draft was sent, not the clock


def test_a_png_preview_shows_any_units_page(client: FlaskClient) -> None:
    second = client.post(f"{URL}?format=png&page=2", json=example(units=UNITS[:2]))
    third = client.post(f"{URL}?format=png&page=3", json=example(units=UNITS[:2]))

    assert second.status_code == 200
    assert second.mimetype == "image/png"
    assert third.status_code == 422  # two units, two pages


def test_one_unit_gives_a_plain_docx_named_after_it(client: FlaskClient) -> None:
    response = client.post(URL, json=example(units=["县财政局"]))

    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    assert download_name(response) == "会议纪要意见反馈单-县财政局.docx"
    assert "县财政局" in docx_text(response.data).splitlines()


def test_one_unit_gives_a_plain_one_page_pdf(client: FlaskClient) -> None:
    response = client.post(f"{URL}?format=pdf", json=example(units=["县财政局"]))

    assert response.status_code == 200
    assert download_name(response) == "会议纪要意见反馈单-县财政局.pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert reader.outline == []


def test_a_deadline_in_an_unpublished_year_is_422_naming_sent_at(client: FlaskClient) -> None:
    year = published_years().stop
    response = client.post(URL, json=example(sent_at=f"{year}-03-02T10:00:00+08:00"))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "payload_invalid"
    assert list(problem["errors"]) == ["sent_at"]
    assert f"{year}年的节假日安排尚未公布" in problem["errors"]["sent_at"][0]


def test_validate_reports_the_unpublished_year_too(client: FlaskClient) -> None:
    last = published_years().stop - 1
    body = example(sent_at=f"{last}-12-30T10:00:00+08:00", reply_within_workdays=5)

    response = client.post(f"{URL}/validate", json=body)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["sent_at"]


def test_openapi_says_the_docx_of_several_units_is_a_zip(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][URL]["post"]

    assert "application/zip" in operation["responses"]["200"]["content"]
    assert "ZIP" in operation["description"]
    units = spec["components"]["schemas"]["MinutesFeedbackSlipForm"]["properties"]["units"]
    assert "ZIP" in units["description"] or "zip" in units["description"].lower()
