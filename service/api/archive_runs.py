"""Thin routes of archive runs (归档): start one, follow its progress, download what it made."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields

from schemas.archive_run import ArchiveRunListQuerySchema
from schemas.archive_selection import ArchiveRunRequestSchema
from service.access.requests import record_change
from service.api.blueprint import JSON_BODY_PROBLEMS, bp, json_response, problems
from service.api.registry import database, file_store
from service.api.routes import read_json_body
from service.api.security import ARCHIVISTS, allow
from service.documents.validation import load_payload
from service.errors import ConflictError, NotFoundError, bilingual
from service.jobs.archive_run import prepare_run
from service.jobs.queue import JobQueue
from service.storage import archive_runs as runs

RUNS = "/archive-runs"
# What a finished run offers for download, under /archive-runs/<id>/<name>.
DOWNLOADS = {
    "result.zip": ("zip", "application/zip"),
    "box.pdf": ("box", "application/pdf"),
    "manifest.json": ("manifest", "application/json"),
}


class ProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()
    current = fields.String(metadata={"description": "the 件 being worked on"})


class RunFailureSchema(Schema):
    position = fields.Integer()
    title = fields.String()
    reason = fields.String()


class RunResultSchema(Schema):
    items = fields.Integer()
    pages = fields.Integer()
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "file name → SHA-256"})
    downloads = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "name → URL"})


class ArchiveRunSchema(Schema):
    id = fields.String()
    url = fields.String()
    status = fields.String(metadata={"description": "queued, running, finished or failed"})
    stage = fields.String(metadata={"description": "preparing, stamping or assembling"})
    progress = fields.Nested(ProgressSchema)
    failures = fields.List(fields.Nested(RunFailureSchema))
    error = fields.String(allow_none=True)
    request = fields.Dict(metadata={"description": "the run's request as it was sent"})
    result = fields.Nested(RunResultSchema, allow_none=True, metadata={"description": "null until finished"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class ArchiveRunListSchema(Schema):
    runs = fields.List(fields.Nested(ArchiveRunSchema))


_BINARY = {"schema": {"type": "string", "format": "binary"}}


def job_queue() -> JobQueue:
    found: JobQueue = current_app.extensions["gongwen.jobs"]
    return found


def _describe(run: runs.RunView) -> dict[str, Any]:
    base = f"/api/v1{RUNS}/{run.id}"
    finished = run.status == runs.FINISHED and run.result is not None
    return {
        "id": run.id,
        "url": base,
        "status": run.status,
        "stage": run.stage,
        "progress": {"done": run.done, "total": run.total, "current": run.current},
        "failures": [failure.as_dict() for failure in run.failures],
        "error": run.error,
        "request": run.request,
        "result": (
            {
                "items": run.result["items"],
                "pages": run.result["pages"],
                "files": run.result["files"],
                "downloads": {name: f"{base}/{name}" for name in DOWNLOADS},
            }
            if finished and run.result is not None
            else None
        ),
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


@bp.route(RUNS, methods=["POST"])
@allow(*ARCHIVISTS)
@bp.doc(
    summary="开始归档 / Start an archive run",
    description=(
        "Files the selected documents into one box: every 件 as a PDF (PDF/A-2b where LibreOffice makes it) with "
        "the 归档章 filled in at the top right of its first page, the 归档文件目录 and 备考表 with the real page "
        "counts, one merged box PDF with an outline entry per 件, and a manifest with every file's SHA-256. "
        "The run is carried out by the job worker; follow it at the Location returned. A run interrupted by a "
        "killed worker is taken up again where it stopped."
    ),
    requestBody={"required": True, "content": {"application/json": {"schema": ArchiveRunRequestSchema}}},
    responses={
        "202": json_response(
            ArchiveRunSchema,
            "the run, queued",
            headers={"Location": {"description": "where to follow it", "schema": {"type": "string"}}},
        ),
        **JSON_BODY_PROBLEMS,
    },
)
def start_archive_run() -> Response:
    request_body, items = prepare_run(database(), read_json_body())
    run_id = runs.create_run(database(), request_body, items)
    job_queue().enqueue_archive_run(run_id)
    record_change("archive_run.created", f"archive_run:{run_id}", items=len(items))
    response = jsonify(_describe(runs.get_run(database(), run_id)))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1{RUNS}/{run_id}"
    return response


@bp.route(RUNS, methods=["GET"])
@allow(*ARCHIVISTS)
@bp.doc(
    summary="归档任务列表 / Archive runs",
    parameters=[{"in": "query", "schema": ArchiveRunListQuerySchema}],
    responses={"200": json_response(ArchiveRunListSchema, "runs, newest first"), **problems(422)},
)
def list_archive_runs() -> Response:
    # A limit or offset out of range is refused as documented, not quietly clamped.
    query = load_payload(ArchiveRunListQuerySchema(), request.args.to_dict())
    listed = runs.list_runs(database(), limit=query["limit"], offset=query["offset"])
    return jsonify(runs=[_describe(run) for run in listed])


@bp.route(f"{RUNS}/<registry_id:run_id>", methods=["GET"])
@allow(*ARCHIVISTS)
@bp.doc(
    summary="归档进度 / Archive run progress",
    description="status queued|running|finished|failed; stage preparing|stamping|assembling; done / total; "
    "the 件 being worked on; failures with their reasons; links to the results once finished.",
    responses={"200": json_response(ArchiveRunSchema, "the run"), **problems(404)},
)
def show_archive_run(run_id: str) -> Response:
    return jsonify(_describe(runs.get_run(database(), run_id)))


@bp.route(f"{RUNS}/<registry_id:run_id>/<name>", methods=["GET"])
@allow(*ARCHIVISTS)
@bp.doc(
    summary="归档结果下载 / Download an archive run's results",
    description="result.zip (every file and the manifest), box.pdf (the merged box), manifest.json.",
    responses={
        "200": {
            "description": "the file",
            "content": {
                "application/zip": _BINARY,
                "application/pdf": _BINARY,
                "application/json": {"schema": {"type": "object"}},
            },
        },
        **problems(404, 409),
    },
)
def download_archive_run(run_id: str, name: str) -> Response:
    if name not in DOWNLOADS:
        raise NotFoundError(
            bilingual(f"没有名为{name}的结果", f"no result named {name!r}; use one of {sorted(DOWNLOADS)}")
        )
    run = runs.get_run(database(), run_id)
    if run.status != runs.FINISHED or run.result is None:
        raise ConflictError(
            bilingual(f"归档任务尚未完成（{run.status}）", f"the run is not finished yet ({run.status})"),
        )
    key, media_type = DOWNLOADS[name]
    sha256 = run.result[key]
    response = Response(file_store().read(sha256), mimetype=media_type)
    filename = f"archive-run-{run.id[:8]}-{name}"
    response.headers["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    response.headers["ETag"] = f'"{sha256}"'
    return response
