"""Archive runs over HTTP: start one, follow its progress, download the box, its ZIP and its manifest.

The run is carried out by an ArchiveRunner in this process on the app's own database and file store,
as `gongwen worker` would (tests/jobs/test_worker.py drives the real worker process).
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.conversion import ConversionPool
from service.documents.pipeline import TemplateCatalog
from service.jobs.archive_run import ArchiveRunner
from tests.api.test_registry import _meeting, _pdf, _problem
from tests.conftest import load_example
from tests.jobs.archive_checks import box_problems, manifest_problems, open_result
from tests.jobs.conftest import filing

RUNS_URL = "/api/v1/archive-runs"


def _issue(client: FlaskClient, meeting_id: str, kind: str) -> str:
    response = client.post(f"/api/v1/meetings/{meeting_id}/documents/{kind}?pdf=false", json=load_example(kind))
    assert response.status_code == 201, response.get_json()
    document_id: str = response.get_json()["id"]
    return document_id


def _carry_out(app: Flask, pool: ConversionPool, run_id: str) -> None:
    settings = app.config["GONGWEN_SETTINGS"]
    ArchiveRunner(
        app.extensions["gongwen.database"],
        app.extensions["gongwen.files"],
        TemplateCatalog(settings.templates_dir),
        pool,
        workers=2,
        lease_seconds=30,
    ).run(run_id)


def test_a_run_is_queued_followed_and_its_results_downloaded(
    app: Flask, client: FlaskClient, conversion_pool: ConversionPool
) -> None:
    meeting = _meeting(client)
    for kind in ("meeting-notice", "meeting-minutes", "meeting-brief"):
        _issue(client, meeting, kind)
    scan = client.post("/api/v1/files", data=_pdf(2), content_type="application/pdf").get_json()["sha256"]
    selection = {
        "documents": [
            *({"document_id": doc["id"]} for doc in client.get(f"/api/v1/meetings/{meeting}").get_json()["documents"]),
            {"file": scan, "title": "签到表（扫描件）", "responsible": "青山县人民政府办公室", "date": "2026-12-03"},
        ]
    }

    started = client.post(RUNS_URL, json={"selection": selection, "filing": filing()})

    assert started.status_code == 202, started.get_json()
    run = started.get_json()
    assert started.headers["Location"] == f"{RUNS_URL}/{run['id']}"
    assert (run["status"], run["progress"], run["result"]) == (
        "queued",
        {"done": 0, "total": 4, "current": ""},
        None,
    )
    assert app.extensions["gongwen.jobs"].waiting() == 1
    early = client.get(f"{RUNS_URL}/{run['id']}/result.zip")
    _problem(early, 409, "conflict")

    _carry_out(app, conversion_pool, run["id"])

    shown = client.get(started.headers["Location"]).get_json()
    assert (shown["status"], shown["stage"], shown["progress"]["done"], shown["failures"]) == (
        "finished",
        "finished",
        4,
        [],
    )
    assert shown["result"]["items"] == 4
    downloads = shown["result"]["downloads"]
    archive = client.get(downloads["result.zip"])
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    result = open_result(archive.data)
    assert manifest_problems(result) == []
    assert box_problems(result, fonds_no="J012", year=2026, retention="定期30年", first_item_no=41) == []
    box = client.get(downloads["box.pdf"])
    assert box.mimetype == "application/pdf" and box.data == result.box
    assert box.headers["ETag"] == f'"{hashlib.sha256(box.data).hexdigest()}"'
    manifest = client.get(downloads["manifest.json"])
    assert json.loads(manifest.data) == result.manifest
    listed = client.get(RUNS_URL).get_json()["runs"]
    assert [entry["id"] for entry in listed] == [run["id"]]


def _selection_of_one(client: FlaskClient) -> dict[str, Any]:
    meeting = _meeting(client)
    return {"documents": [{"document_id": _issue(client, meeting, "reply-slip")}]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(lambda r: r.pop("selection"), "selection", id="no-selection"),
        pytest.param(lambda r: r["selection"].update(year=2026), "selection.selection", id="two-selections"),
        pytest.param(lambda r: r["filing"].pop("retention"), "filing.retention", id="no-retention"),
        pytest.param(lambda r: r["filing"].update(retention="长期"), "filing.retention", id="bad-retention"),
        pytest.param(lambda r: r["filing"].update(box_no=0), "filing.box_no", id="box-zero"),
        pytest.param(lambda r: r["filing"].update(compiled_on="2026-01-05"), "filing.compiled_on", id="compiled-early"),
        pytest.param(
            lambda r: r["selection"]["documents"][0].update(document_id="0" * 32),
            "selection.documents[0].document_id",
            id="unknown-document",
        ),
        pytest.param(
            lambda r: r["selection"].update(documents=[{"file": "0" * 64, "title": "x", "responsible": "y"}]),
            "selection.documents[0].date",
            id="upload-without-date",
        ),
    ],
)
def test_a_bad_run_request_is_422_naming_the_field_and_queues_nothing(
    app: Flask, client: FlaskClient, change: Any, field: str
) -> None:
    request = {"selection": _selection_of_one(client), "filing": filing()}
    change(request)

    response = client.post(RUNS_URL, json=request)

    problem = _problem(response, 422, "payload_invalid")
    assert field in problem["errors"], problem["errors"]
    assert app.extensions["gongwen.jobs"].waiting() == 0
    assert client.get(RUNS_URL).get_json()["runs"] == []


@pytest.mark.parametrize("url", [f"{RUNS_URL}/{'0' * 32}", f"{RUNS_URL}/{'0' * 32}/result.zip"])
def test_an_unknown_run_is_a_404_problem(client: FlaskClient, url: str) -> None:
    _problem(client.get(url), 404, "not_found")


def test_an_unknown_download_name_is_a_404_problem(client: FlaskClient) -> None:
    started = client.post(RUNS_URL, json={"selection": _selection_of_one(client), "filing": filing()}).get_json()
    _problem(client.get(f"{RUNS_URL}/{started['id']}/secrets.txt"), 404, "not_found")


def test_openapi_documents_the_archive_run_routes(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/archive-runs"])
    assert "get" in paths["/api/v1/archive-runs/{run_id}"]
    assert "get" in paths["/api/v1/archive-runs/{run_id}/{name}"]


def test_the_merged_box_names_its_parts_in_its_outline(
    app: Flask, client: FlaskClient, conversion_pool: ConversionPool
) -> None:
    from pypdf import PdfReader

    started = client.post(RUNS_URL, json={"selection": _selection_of_one(client), "filing": filing()}).get_json()
    _carry_out(app, conversion_pool, started["id"])

    box = client.get(f"{RUNS_URL}/{started['id']}/box.pdf").data
    reader = PdfReader(io.BytesIO(box))
    titles = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert titles == ["封面", "归档文件目录", "0041 全县冬春季安全生产工作会议参会回执", "备考表"]
    assert reader.metadata is not None and reader.metadata.title == "青山县人民政府办公室2026年归档文件（第3盒）"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("offset=-1", "offset", id="negative-offset"),
        pytest.param("limit=0", "limit", id="no-runs"),
        pytest.param("limit=101", "limit", id="over-the-page"),
        pytest.param("limit=ten", "limit", id="not-a-number"),
    ],
)
def test_a_run_list_query_out_of_range_is_422_naming_it(client: FlaskClient, query: str, field: str) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): offset=-1 was quietly clamped to 0 and answered 200, though
    # the description said the minimum is 0.
    problem = _problem(client.get(f"{RUNS_URL}?{query}"), 422, "payload_invalid")

    assert field in problem["errors"], problem["errors"]


def test_the_run_list_takes_its_documented_limit_and_offset(client: FlaskClient) -> None:
    for _ in range(3):
        assert (
            client.post(RUNS_URL, json={"selection": _selection_of_one(client), "filing": filing()}).status_code == 202
        )

    listed = client.get(f"{RUNS_URL}?limit=2&offset=1").get_json()["runs"]

    assert len(listed) == 2
