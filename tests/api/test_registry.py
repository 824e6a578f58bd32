"""The registry over HTTP: meetings, issuing documents with 发文字号 and Idempotency-Key, the register, uploads."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader, PdfWriter
from sqlalchemy import update
from werkzeug.test import TestResponse

from service import create_app
from service.config import Settings
from service.conversion import ConversionPool
from service.errors import ConversionError
from service.storage.database import Database
from service.storage.models import NumberAllocation
from service.storage.registry import reserve_number
from tests.api.test_documents import BILINGUAL, document_text
from tests.conftest import BodyFactory
from tests.storage.databases import BACKENDS, database_url

NOTICE = "meeting-notice"
PREFIX = "青政办发"
ALLOCATE = {"prefix": PREFIX}
REGISTER_URL = f"/api/v1/doc-numbers?prefix={quote(PREFIX)}&year=2026"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FailingConverter:
    """Every conversion fails, as a LibreOffice that keeps crashing would: numbering is under test, not the PDF."""

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes:
        raise ConversionError("转换PDF失败（测试） / PDF conversion failed (test)")

    def status(self) -> Mapping[str, Any] | None:
        return None


def _app(settings: Settings, converter: Any) -> Iterator[Flask]:
    app = create_app(settings, converter=converter)
    yield app
    app.extensions["gongwen.database"].dispose()


@pytest.fixture(params=BACKENDS)
def registry_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Test settings with the registry on SQLite, then on PostgreSQL."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url(request.param, tmp_path, request))


@pytest.fixture
def registry_app(registry_settings: Settings, conversion_pool: ConversionPool) -> Iterator[Flask]:
    yield from _app(registry_settings, conversion_pool)


@pytest.fixture
def registry_client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


@pytest.fixture
def failing_app(settings: Settings) -> Iterator[Flask]:
    yield from _app(settings, FailingConverter())


def _meeting(client: FlaskClient, title: str = "全县冬春季安全生产工作会议") -> str:
    response = client.post("/api/v1/meetings", json={"title": title})
    assert response.status_code == 201, response.get_json()
    meeting_id: str = response.get_json()["id"]
    return meeting_id


def _issue_url(meeting_id: str, *, pdf: bool = False) -> str:
    return f"/api/v1/meetings/{meeting_id}/documents/{NOTICE}" + ("" if pdf else "?pdf=false")


def _register(client: FlaskClient) -> list[tuple[int, str, str]]:
    numbers = client.get(REGISTER_URL).get_json()["numbers"]
    return [(n["serial"], n["status"], n["reason"]) for n in numbers]


def _problem(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem: dict[str, Any] = response.get_json()
    assert problem["code"] == code
    assert BILINGUAL.match(problem["detail"]), problem["detail"]
    return problem


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- meetings --------------------------------------------------------------------------------------------


def test_a_meeting_is_created_and_shown(registry_client: FlaskClient) -> None:
    response = registry_client.post(
        "/api/v1/meetings",
        json={"title": "全县冬春季安全生产工作会议", "organizer": "县政府办公室", "start": "2026-12-03T09:00:00+08:00"},
    )

    assert response.status_code == 201
    meeting = response.get_json()
    assert response.headers["Location"] == f"/api/v1/meetings/{meeting['id']}" == meeting["url"]
    assert meeting["start"] == "2026-12-03T01:00:00+00:00"
    shown = registry_client.get(response.headers["Location"]).get_json()
    assert shown == {**meeting, "documents": []}


def test_a_meeting_without_a_title_is_422_naming_the_field(client: FlaskClient) -> None:
    problem = _problem(client.post("/api/v1/meetings", json={"organizer": "县政府办公室"}), 422, "payload_invalid")

    assert list(problem["errors"]) == ["title"]


def test_meetings_are_listed_newest_first_a_page_at_a_time(client: FlaskClient) -> None:
    for n in range(1, 4):
        _meeting(client, f"第{n}次会议")

    page = client.get("/api/v1/meetings?page=1&per_page=2").get_json()
    rest = client.get("/api/v1/meetings?page=2&per_page=2").get_json()

    assert [m["title"] for m in page["items"]] == ["第3次会议", "第2次会议"]
    assert [m["title"] for m in rest["items"]] == ["第1次会议"]
    assert (page["total"], page["page"], page["per_page"]) == (3, 1, 2)


@pytest.mark.parametrize(
    ("query", "field"), [("per_page=1000", "per_page"), ("page=0", "page"), ("page=x", "page")], ids=str
)
def test_a_bad_page_is_422_naming_the_parameter(client: FlaskClient, query: str, field: str) -> None:
    problem = _problem(client.get(f"/api/v1/meetings?{query}"), 422, "payload_invalid")

    assert list(problem["errors"]) == [field]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/0123456789abcdef0123456789abcdef",
        "/api/v1/documents/0123456789abcdef0123456789abcdef",
        "/api/v1/documents/0123456789abcdef0123456789abcdef/docx",
        "/api/v1/documents/0123456789abcdef0123456789abcdef/pdf",
        "/api/v1/files/" + "0" * 64,
        "/api/v1/files/not-a-digest",
    ],
    ids=["meeting", "document", "docx", "pdf", "file", "file-bad-digest"],
)
def test_what_does_not_exist_is_a_404_problem(client: FlaskClient, url: str) -> None:
    _problem(client.get(url), 404, "not_found")


def test_a_document_for_an_unknown_meeting_is_404(client: FlaskClient, notice_body: BodyFactory) -> None:
    _problem(client.post(_issue_url("0" * 32), json=notice_body(doc_number=ALLOCATE)), 404, "not_found")

    assert _register(client) == []


# --- issuing documents -----------------------------------------------------------------------------------


def test_issuing_a_notice_allocates_its_number_and_serves_its_files(
    registry_client: FlaskClient, notice_body: BodyFactory
) -> None:
    meeting_id = _meeting(registry_client)

    response = registry_client.post(_issue_url(meeting_id, pdf=True), json=notice_body(doc_number=ALLOCATE))

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert response.headers["Location"] == f"/api/v1/documents/{document['id']}" == document["url"]
    assert "Idempotent-Replayed" not in response.headers
    assert (document["kind"], document["doc_number"], document["template_version"]) == (
        NOTICE,
        "青政办发〔2026〕1号",
        1,
    )
    assert document["body"]["doc_number"] == "青政办发〔2026〕1号"
    docx = registry_client.get(document["files"]["docx"]["url"])
    pdf = registry_client.get(document["files"]["pdf"]["url"])
    assert docx.mimetype == DOCX_TYPE
    assert "青政办发〔2026〕1号" in document_text(docx.data)
    assert hashlib.sha256(docx.data).hexdigest() == document["files"]["docx"]["sha256"]
    assert docx.headers["ETag"] == f'"{document["files"]["docx"]["sha256"]}"'
    disposition = docx.headers["Content-Disposition"]
    assert 'filename="meeting-notice.docx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == (
        "青山县人民政府办公室关于召开全县冬春季安全生产工作会议的通知.docx"
    )
    assert pdf.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == document["pages"] >= 1
    assert len(pdf.data) == document["files"]["pdf"]["size"]
    assert registry_client.get(document["url"]).get_json() == {
        key: value for key, value in document.items() if key != "corrections"
    }
    shown = registry_client.get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert [d["id"] for d in shown["documents"]] == [document["id"]]
    register = registry_client.get(REGISTER_URL).get_json()["numbers"]
    assert [(n["serial"], n["doc_number"], n["status"], n["document_url"]) for n in register] == [
        (1, "青政办发〔2026〕1号", "issued", document["url"])
    ]


def test_a_pdf_skipped_at_issue_is_rendered_on_its_first_download(
    client: FlaskClient, notice_body: BodyFactory
) -> None:
    document = client.post(_issue_url(_meeting(client)), json=notice_body(doc_number=ALLOCATE)).get_json()
    assert document["files"]["pdf"]["sha256"] is None

    pdf = client.get(document["files"]["pdf"]["url"])

    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF-")
    after = client.get(document["url"]).get_json()
    assert after["files"]["pdf"]["sha256"] == hashlib.sha256(pdf.data).hexdigest()
    assert after["pages"] == len(PdfReader(io.BytesIO(pdf.data)).pages)


def test_corrections_are_reported_and_the_number_recorded_corrected(
    client: FlaskClient, notice_body: BodyFactory
) -> None:
    response = client.post(_issue_url(_meeting(client)), json=notice_body(doc_number="青政办发【2026】15号"))

    document = response.get_json()
    assert document["doc_number"] == "青政办发〔2026〕15号"
    assert [c["field"] for c in document["corrections"]] == ["doc_number"]
    assert _register(client) == []


def test_the_stateless_render_route_refuses_allocation_and_names_the_registry_route(
    client: FlaskClient, notice_body: BodyFactory
) -> None:
    for url in ("/api/v1/documents/meeting-notice", "/api/v1/documents/meeting-notice/validate"):
        problem = _problem(client.post(url, json=notice_body(doc_number=ALLOCATE)), 422, "payload_invalid")

        [message] = problem["errors"]["doc_number"]
        assert BILINGUAL.match(message)
        assert "POST /api/v1/meetings/<id>/documents/meeting-notice" in message


def test_a_bad_body_is_422_and_takes_no_number(client: FlaskClient, notice_body: BodyFactory) -> None:
    meeting_id = _meeting(client)

    problem = _problem(
        client.post(_issue_url(meeting_id), json=notice_body(doc_number=ALLOCATE, date="2026-13-40")),
        422,
        "payload_invalid",
    )

    assert "date" in problem["errors"]
    assert _register(client) == []
    assert client.post(_issue_url(meeting_id), json=notice_body(doc_number=ALLOCATE)).get_json()["doc_number"] == (
        "青政办发〔2026〕1号"
    )


# --- Idempotency-Key -------------------------------------------------------------------------------------


def test_the_same_request_with_the_same_key_gives_one_document(client: FlaskClient, notice_body: BodyFactory) -> None:
    meeting_id = _meeting(client)
    body = notice_body(doc_number=ALLOCATE)

    responses = [client.post(_issue_url(meeting_id), json=body, headers={"Idempotency-Key": "k-1"}) for _ in range(3)]

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None, "true", "true"]
    assert responses[0].get_json() == responses[1].get_json() == responses[2].get_json()
    assert len({r.headers["Location"] for r in responses}) == 1
    assert len(client.get(f"/api/v1/meetings/{meeting_id}").get_json()["documents"]) == 1
    assert _register(client) == [(1, "issued", "")]


def test_concurrent_requests_with_the_same_key_give_one_document_and_one_number(
    registry_app: Flask, notice_body: BodyFactory
) -> None:
    meeting_id = _meeting(registry_app.test_client())
    body = notice_body(doc_number=ALLOCATE)
    start = threading.Barrier(3)

    def post(_: int) -> TestResponse:
        start.wait(timeout=10)
        return registry_app.test_client().post(_issue_url(meeting_id), json=body, headers={"Idempotency-Key": "k-1"})

    with ThreadPoolExecutor(max_workers=3) as executor:
        responses = list(executor.map(post, range(3)))
    client = registry_app.test_client()
    replay = client.post(_issue_url(meeting_id), json=body, headers={"Idempotency-Key": "k-1"})

    first = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(first) == 1
    for other in (r for r in responses if r is not first[0]):
        if other.status_code == 409:
            assert other.get_json()["code"] == "request_in_progress"
            assert int(other.headers["Retry-After"]) > 0
        else:
            assert (other.status_code, other.headers["Idempotent-Replayed"]) == (201, "true")
            assert other.get_json() == first[0].get_json()
    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (201, "true")
    assert replay.get_json() == first[0].get_json()
    assert len(client.get(f"/api/v1/meetings/{meeting_id}").get_json()["documents"]) == 1
    assert _register(client) == [(1, "issued", "")]


def test_the_same_key_with_another_body_is_422(client: FlaskClient, notice_body: BodyFactory) -> None:
    meeting_id = _meeting(client)
    headers = {"Idempotency-Key": "k-1"}
    client.post(_issue_url(meeting_id), json=notice_body(doc_number=ALLOCATE), headers=headers)

    problem = _problem(
        client.post(_issue_url(meeting_id), json=notice_body(doc_number=ALLOCATE, title="另一个通知"), headers=headers),
        422,
        "idempotency_key_reused",
    )

    assert "Idempotency-Key" in problem["errors"]
    assert _register(client) == [(1, "issued", "")]


@pytest.mark.parametrize("key", ["", "含中文", "a b", "k" * 256], ids=["empty", "non-ascii", "space", "too-long"])
def test_a_malformed_idempotency_key_is_422(client: FlaskClient, notice_body: BodyFactory, key: str) -> None:
    headers = {"Idempotency-Key": key.encode().decode("latin-1")}

    problem = _problem(
        client.post(_issue_url(_meeting(client)), json=notice_body(), headers=headers), 422, "payload_invalid"
    )

    assert list(problem["errors"]) == ["Idempotency-Key"]


def test_a_failed_render_voids_its_number_visibly_and_numbering_goes_on(
    failing_app: Flask, notice_body: BodyFactory
) -> None:
    client = failing_app.test_client()
    meeting_id = _meeting(client)
    body = notice_body(doc_number=ALLOCATE)
    headers = {"Idempotency-Key": "k-1"}

    failed = client.post(_issue_url(meeting_id, pdf=True), json=body, headers=headers)

    _problem(failed, 502, "conversion_failed")
    assert _register(client) == [(1, "voided", "转换PDF失败（测试） / PDF conversion failed (test)")]
    assert client.get(f"/api/v1/meetings/{meeting_id}").get_json()["documents"] == []
    # The claim was released: the retry with the same key is carried out, not answered 409.
    retried = client.post(_issue_url(meeting_id), json=body, headers=headers)
    assert retried.status_code == 201
    assert retried.get_json()["doc_number"] == "青政办发〔2026〕2号"
    assert _register(client) == [
        (1, "voided", "转换PDF失败（测试） / PDF conversion failed (test)"),
        (2, "issued", ""),
    ]


def test_a_restart_voids_the_reservations_of_a_process_that_died(settings: Settings) -> None:
    for app in _app(settings, FailingConverter()):
        database: Database = app.extensions["gongwen.database"]
        reserve_number(database, PREFIX, 2026)
        with database.transaction() as session:
            session.execute(update(NumberAllocation).values(created_at=datetime.now(UTC) - timedelta(minutes=11)))

    for restarted in _app(settings, FailingConverter()):
        assert _register(restarted.test_client()) == [(1, "voided", "中断 / interrupted")]


@pytest.mark.parametrize(
    ("query", "fields"),
    [("", ["prefix", "year"]), ("prefix=%E9%9D%92&year=26", ["year"]), ("year=2026", ["prefix"])],
    ids=["nothing", "short-year", "no-prefix"],
)
def test_the_register_needs_a_prefix_and_a_year(client: FlaskClient, query: str, fields: list[str]) -> None:
    problem = _problem(client.get(f"/api/v1/doc-numbers?{query}"), 422, "payload_invalid")

    assert sorted(problem["errors"]) == fields


# --- uploads ---------------------------------------------------------------------------------------------


def test_an_uploaded_pdf_is_stored_once_and_served(registry_client: FlaskClient) -> None:
    content = _pdf(pages=3)
    url = "/api/v1/files?name=" + quote("签到表.pdf")

    first = registry_client.post(url, data=content, content_type="application/pdf")
    again = registry_client.post(url, data=content, content_type="application/pdf")

    assert (first.status_code, again.status_code) == (201, 200)
    stored = first.get_json()
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    assert (stored["size"], stored["pages"], stored["original_name"]) == (len(content), 3, "签到表.pdf")
    assert first.headers["Location"] == stored["url"] == f"/api/v1/files/{stored['sha256']}"
    download = registry_client.get(stored["url"])
    assert download.data == content
    assert download.mimetype == "application/pdf"
    assert unquote(download.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]) == "签到表.pdf"


@pytest.mark.parametrize(
    ("content", "content_type", "field"),
    [
        (b"PK\x03\x04 a zip file", "application/pdf", "file"),
        (b"%PDF-1.7\n this is not really a PDF", "application/pdf", "file"),
        (b"%PDF-1.7", "text/plain", "Content-Type"),
    ],
    ids=["not-a-pdf", "unreadable-pdf", "wrong-content-type"],
)
def test_an_upload_that_is_no_pdf_is_422_naming_the_field(
    client: FlaskClient, content: bytes, content_type: str, field: str
) -> None:
    problem = _problem(client.post("/api/v1/files", data=content, content_type=content_type), 422, "upload_invalid")

    assert list(problem["errors"]) == [field]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field])


def test_an_upload_over_its_limit_is_413_stating_that_limit(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_upload_bytes=2048)
    for app in _app(settings, FailingConverter()):
        client = app.test_client()

        too_large = client.post("/api/v1/files", data=b"%PDF-" + b"0" * 4096, content_type="application/pdf")
        fits = client.post("/api/v1/files", data=_pdf(pages=1), content_type="application/pdf")

        problem = _problem(too_large, 413, "payload_too_large")
        assert "2048" in problem["detail"]
        assert fits.status_code == 201


def test_the_upload_limit_applies_to_uploads_only(tmp_path: Path, notice_body: BodyFactory) -> None:
    """A larger upload limit does not raise the JSON body limit of the other routes (2 MiB)."""
    settings = Settings(data_dir=tmp_path / "data", max_upload_bytes=8 * 1024 * 1024)
    for app in _app(settings, FailingConverter()):
        client = app.test_client()
        large = client.post("/api/v1/meetings", json={"title": "会议", "notes": "注" * (3 * 1024 * 1024 // 3)})

        problem = _problem(large, 413, "payload_too_large")
        assert str(settings.max_body_bytes) in problem["detail"]


# --- OpenAPI ---------------------------------------------------------------------------------------------


def test_openapi_documents_the_registry_routes(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]

    issue = paths["/api/v1/meetings/{meeting_id}/documents/meeting-notice"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MeetingNotice")
    assert "Idempotency-Key" in {p["name"] for p in issue["parameters"]}
    assert {"201", "409", "422", "503"} <= set(issue["responses"])
    assert {"post", "get"} <= set(paths["/api/v1/meetings"])
    for path in (
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/docx",
        "/api/v1/documents/{document_id}/pdf",
        "/api/v1/doc-numbers",
        "/api/v1/files/{sha256}",
    ):
        assert "get" in paths[path], path
    assert "post" in paths["/api/v1/files"]
    assert {"title"} <= set(spec["components"]["schemas"]["NewMeeting"]["required"])


def test_a_kind_that_makes_several_documents_is_issued_with_its_zip(
    client: FlaskClient, feedback_slip_body: BodyFactory
) -> None:
    meeting_id = _meeting(client)

    response = client.post(
        f"/api/v1/meetings/{meeting_id}/documents/minutes-feedback-slip?pdf=false", json=feedback_slip_body()
    )

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert (document["kind"], document["doc_number"]) == ("minutes-feedback-slip", "")
    download = client.get(document["files"]["docx"]["url"])
    assert download.mimetype == "application/zip"
    assert 'filename="minutes-feedback-slip.zip"' in download.headers["Content-Disposition"]


def test_without_auto_migration_the_app_starts_and_answers_503_until_db_upgrade(
    tmp_path: Path, notice_body: BodyFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Before `gongwen db upgrade` even an API key cannot be checked: 503 (retry later), never 401 or 500."""
    settings = Settings(data_dir=tmp_path / "data", auto_migrate="off")
    for app in _app(settings, FailingConverter()):
        client = app.test_client()
        key = {"Authorization": "Bearer gw_0123456789ab_" + "k" * 43}

        alive = client.get("/healthz")
        rendered = client.post("/api/v1/documents/meeting-notice", json=notice_body(), headers=key)
        meetings = client.get("/api/v1/meetings", headers=key)

        assert "gongwen db upgrade" in caplog.text
        assert alive.status_code == 200
        _problem(rendered, 503, "storage_unavailable")
        _problem(meetings, 503, "storage_unavailable")


@pytest.mark.parametrize(
    ("content", "content_type", "field"),
    [
        pytest.param(b"PK\x03\x04 a zip file", "application/pdf", "file", id="not-a-pdf"),
        pytest.param(b"%PDF-1.7", None, "Content-Type", id="no-content-type"),
    ],
)
def test_an_upload_refused_says_which_field_in_its_detail(
    client: FlaskClient, content: bytes, content_type: str | None, field: str
) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): the details said "the upload" without naming file or Content-Type.
    headers = {} if content_type is None else {"Content-Type": content_type}
    problem = _problem(client.post("/api/v1/files", data=content, headers=headers), 422, "upload_invalid")

    assert field in problem["detail"]
    assert list(problem["errors"]) == [field]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/meetings/a%00b"),
        ("POST", "/api/v1/meetings/%00/documents/meeting-notice"),
        ("GET", "/api/v1/documents/a%00b"),
        ("GET", "/api/v1/documents/a%00b/pdf"),
        ("GET", "/api/v1/files/a%00b"),
        ("GET", "/api/v1/archive-runs/a%00b"),
        ("DELETE", "/api/v1/keys/a%00b"),
        ("DELETE", "/api/v1/users/a%00b"),
        ("GET", "/api/v1/meetings/not-an-id"),
    ],
)
def test_a_path_value_that_cannot_be_an_id_is_404_before_the_database(
    registry_client: FlaskClient, method: str, url: str
) -> None:
    # Found probing past the fuzzer (which runs on SQLite): on PostgreSQL, a NUL in any id reached the database,
    # which refused it with an error (500).
    response = registry_client.open(url, method=method, json={})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_openapi_gives_the_pattern_of_every_id_in_a_path(registry_client: FlaskClient) -> None:
    paths = registry_client.get("/api/v1/openapi.json").get_json()["paths"]

    (meeting,) = paths["/api/v1/meetings/{meeting_id}"]["parameters"]
    assert meeting["schema"] == {"type": "string", "pattern": "^[0-9a-f]{32}$"}
    (key,) = paths["/api/v1/keys/{key_id}"]["parameters"]
    assert key["schema"]["pattern"] == "^[0-9a-f]{12}$"


def test_a_kind_s_render_url_is_no_document_id(registry_client: FlaskClient) -> None:
    # GET /documents/<document_id> used to match /documents/meeting-notice too, so its Allow listed GET.
    response = registry_client.get("/api/v1/documents/meeting-notice")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


@pytest.mark.parametrize(
    "name",
    [pytest.param("签到表%00.pdf", id="nul"), pytest.param("签到表" * 100 + ".pdf", id="over-255-characters")],
)
def test_an_upload_s_name_that_is_no_text_is_422_and_nothing_is_stored(
    registry_client: FlaskClient, registry_app: Flask, name: str
) -> None:
    # Found by the fuzzer on PostgreSQL: ?name= with a NUL went into the database, which refused it (500).
    pdf = _pdf(1)
    response = registry_client.post(f"/api/v1/files?name={name}", data=pdf, content_type="application/pdf")

    problem = _problem(response, 422, "payload_invalid")
    assert "name" in problem["errors"]
    assert not registry_app.extensions["gongwen.files"].exists(hashlib.sha256(pdf).hexdigest())
