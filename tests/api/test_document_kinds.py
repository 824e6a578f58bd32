"""GET /api/v1/document-kinds: every kind with a self-contained JSON Schema and an example that validates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.documents.kinds import EXAMPLES_DIR, KINDS
from tests.conftest import EXAMPLES_DIR as SHARED_EXAMPLES_DIR


def listed(client: FlaskClient) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/document-kinds")
    assert response.status_code == 200
    return {kind["name"]: kind for kind in response.get_json()["kinds"]}


def test_every_kind_is_listed_with_its_routes(client: FlaskClient):
    kinds = listed(client)
    assert list(kinds) == sorted(KINDS)
    for name, kind in kinds.items():
        assert kind["label"] == KINDS[name].label
        assert kind["render"] == f"/api/v1/documents/{name}"
        assert kind["validate"] == f"/api/v1/documents/{name}/validate"
        assert kind["formats"] == ["docx", "pdf", "png"]
        assert kind["docx_bundle"] is (KINDS[name].split is not None)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_schema_is_self_contained_and_covers_the_example(client: FlaskClient, name: str):
    kind = listed(client)[name]
    schema = kind["schema"]
    assert "$ref" not in json.dumps(schema), "nested schemas are written out in place"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(kind["example"]) <= set(schema["properties"])
    assert set(schema.get("required", [])) <= set(kind["example"])


@pytest.mark.parametrize("name", sorted(KINDS))
def test_listed_example_validates(client: FlaskClient, name: str):
    example = listed(client)[name]["example"]
    response = client.post(f"/api/v1/documents/{name}/validate", json=example)
    assert response.status_code == 200, response.get_json()


def test_one_kind_is_shown_by_name(client: FlaskClient):
    response = client.get("/api/v1/document-kinds/meeting-notice")
    assert response.status_code == 200
    assert response.get_json()["name"] == "meeting-notice"


def test_unknown_kind_is_a_404_problem_naming_the_known_ones(client: FlaskClient):
    response = client.get("/api/v1/document-kinds/meeting-poem")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "meeting-notice" in response.get_json()["detail"]


def test_openapi_documents_the_listing(client: FlaskClient):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/document-kinds"]
    assert "get" in paths["/api/v1/document-kinds/{name}"]


@pytest.mark.parametrize("path", sorted(SHARED_EXAMPLES_DIR.glob("*.json")), ids=lambda path: path.stem)
def test_shipped_example_is_the_office_systems_example_unchanged(path):
    assert (EXAMPLES_DIR / path.name).read_bytes() == path.read_bytes(), f"copy {path} to {EXAMPLES_DIR}"
