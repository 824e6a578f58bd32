"""Health, readiness, the OpenAPI description and the browsable API page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from tests.conftest import load_example


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


def _operations(client: FlaskClient) -> dict[str, dict[str, Any]]:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    return {
        f"{method.upper()} {path}": operation
        for path, item in paths.items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }


def test_every_error_response_is_described_as_problem_json(client: FlaskClient) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): flask-smorest added a `default` response to every operation,
    # documenting errors as its own application/json "Error" and allowing any status at all.
    for name, operation in _operations(client).items():
        assert "default" not in operation["responses"], name
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = response["content"]
                assert set(content) == {"application/problem+json"}, (name, status)
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_every_route_reading_json_documents_what_the_body_can_be_refused_for(client: FlaskClient) -> None:
    # Found by the fuzzer: malformed JSON (400) and a body that is not JSON (415) were undocumented on most routes.
    for name, operation in _operations(client).items():
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), name


def test_every_secured_route_documents_401_403_and_503_with_retry_after(client: FlaskClient) -> None:
    for name, operation in _operations(client).items():
        if operation.get("security") != []:
            assert {"401", "403", "503"} <= set(operation["responses"]), name
            assert "Retry-After" in operation["responses"]["503"]["headers"], name


def test_query_parameters_are_described_by_the_schemas_that_check_them(client: FlaskClient) -> None:
    # Found by the fuzzer: hand-written parameters said no maximum for page and any string for the 机关代字,
    # while the query schemas refused page=2000000 and an empty prefix.
    operations = _operations(client)

    def parameter(name: str, parameter_name: str) -> dict[str, Any]:
        found = [p for p in operations[name]["parameters"] if p["name"] == parameter_name]
        assert len(found) == 1, (name, parameter_name)
        return found[0]

    assert parameter("GET /api/v1/meetings", "page")["schema"]["maximum"] == 1_000_000
    assert parameter("GET /api/v1/doc-numbers", "prefix")["schema"] == {
        "type": "string",
        "maxLength": 40,
        "minLength": 1,
    }
    assert parameter("GET /api/v1/doc-numbers", "prefix")["required"] is True
    assert parameter("GET /api/v1/archive-runs", "offset")["schema"]["minimum"] == 0


def test_text_that_may_not_be_empty_says_so(client: FlaskClient) -> None:
    meeting = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["NewMeeting"]["properties"]

    assert meeting["title"]["minLength"] == 1
    assert "minLength" not in meeting["organizer"]


def test_a_kind_s_routes_offer_its_example_body(client: FlaskClient) -> None:
    operations = _operations(client)

    for name in (
        "POST /api/v1/documents/meeting-notice",
        "POST /api/v1/meetings/{meeting_id}/documents/meeting-notice",
    ):
        content = operations[name]["requestBody"]["content"]["application/json"]
        assert content["example"] == load_example("meeting-notice"), name


def test_the_headers_a_rendered_or_downloaded_file_carries_are_described(client: FlaskClient) -> None:
    operations = _operations(client)

    rendered = operations["POST /api/v1/documents/meeting-notice"]["responses"]["200"]["headers"]
    assert {"Content-Disposition", "ETag", "Gongwen-Page-Count", "Gongwen-Corrections", "Gongwen-Warnings"} <= set(
        rendered
    )
    issued = operations["POST /api/v1/meetings/{meeting_id}/documents/meeting-notice"]["responses"]["201"]["headers"]
    assert {"Location", "Idempotent-Replayed"} <= set(issued)
    for name in ("GET /api/v1/documents/{document_id}/pdf", "GET /api/v1/files/{sha256}"):
        assert {"Content-Disposition", "ETag"} <= set(operations[name]["responses"]["200"]["headers"]), name
