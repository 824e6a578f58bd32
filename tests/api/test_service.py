"""Health, readiness, the OpenAPI description and the browsable API page."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from service import create_app
from service.config import Settings


def test_healthz_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_templates_are_present(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["checks"]["templates"] == {"ok": True, "problems": []}


def test_readyz_is_503_when_a_template_is_missing(tmp_path: Path) -> None:
    (tmp_path / "meeting-notice").mkdir()
    (tmp_path / "meeting-notice" / "manifest.json").write_text('{"files": {"document": "gone.docx"}}')
    client = create_app(Settings(templates_dir=tmp_path, data_dir=tmp_path / "data")).test_client()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert any("gone.docx" in problem for problem in response.get_json()["checks"]["templates"]["problems"])


def test_readyz_reports_the_database_at_its_newest_schema(client: FlaskClient) -> None:
    database = client.get("/readyz").get_json()["checks"]["database"]

    assert database["ok"] is True
    assert database["revision"] == database["expected"]


def test_readyz_is_503_while_the_database_is_not_migrated(tmp_path: Path) -> None:
    client = create_app(Settings(data_dir=tmp_path / "data", auto_migrate="off")).test_client()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False
    assert "gongwen db upgrade" in response.get_json()["checks"]["database"]["problem"]


def test_openapi_documents_the_notice_route_with_its_schema(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/documents/meeting-notice"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/MeetingNotice")
    notice = spec["components"]["schemas"]["MeetingNotice"]
    assert {"issuer", "title", "meeting", "date"} <= set(notice["required"])
    assert {"200", "413", "415", "422"} <= set(operation["responses"])
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert "/api/v1/documents/meeting-notice/validate" in spec["paths"]


def test_browsable_api_page_is_served_without_a_cdn(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    script = client.get("/api/v1/docs/static/swagger-ui-bundle.js")

    assert page.status_code == 200
    assert "/api/v1/docs/static/swagger-ui-bundle.js" in page.get_data(as_text=True)
    assert script.status_code == 200
    script.close()


def test_unknown_route_is_a_problem_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_readiness_lives_only_at_the_top_level(client: FlaskClient) -> None:
    assert client.get("/api/v1/readyz").status_code == 404


def test_method_not_allowed_lists_the_allowed_methods(client: FlaskClient) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): a 405 came without the Allow header RFC 9110 requires.
    response = client.open("/api/v1/document-kinds", method="TRACE")

    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
