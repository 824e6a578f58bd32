"""Thin routes of the registry: meetings, their documents, the 发文字号 register and uploaded files."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields

from schemas.meeting import MeetingListQuerySchema, NewMeetingSchema, NumberRegisterQuerySchema, UploadQuerySchema
from service.access.requests import record_change, require_principal
from service.api.blueprint import CONVERSION_PROBLEMS, JSON_BODY_PROBLEMS, bp, json_response, problems
from service.api.routes import CorrectionSchema, catalog, converter, json_body, read_json_body
from service.api.security import ARCHIVISTS, ISSUERS, READERS, UPLOADERS, allow
from service.documents.issuing import ensure_pdf, issue_document
from service.documents.kind import DocumentKind
from service.documents.kinds import KINDS
from service.documents.pipeline import ZIP_MEDIA_TYPE, OutputFormat
from service.documents.validation import load_payload
from service.errors import NotFoundError, PayloadInvalidError, RenderError, UploadInvalidError, bilingual
from service.postprocess.merge import page_count
from service.storage import registry
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.registry import DocumentRecord, MeetingRecord, NewFile, StoredFileRecord
from service.typography.doc_numbers import DocNumber

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255
PDF_MEDIA_TYPE = OutputFormat.PDF.media_type
# Media types a PDF upload may come with; anything else is a client sending the wrong thing.
UPLOAD_MEDIA_TYPES = (PDF_MEDIA_TYPE, "application/octet-stream")


def database() -> Database:
    found: Database = current_app.extensions["gongwen.database"]
    return found


def file_store() -> FileStore:
    found: FileStore = current_app.extensions["gongwen.files"]
    return found


# --- response shapes (for OpenAPI and to keep undocumented fields out of responses) -------------------


class FileLinkSchema(Schema):
    sha256 = fields.String(allow_none=True, metadata={"description": "null: the PDF is rendered on first download"})
    size = fields.Integer(allow_none=True)
    media_type = fields.String()
    url = fields.String()


class DocumentFilesSchema(Schema):
    docx = fields.Nested(FileLinkSchema)
    pdf = fields.Nested(FileLinkSchema)


class DocumentSummarySchema(Schema):
    id = fields.String()
    meeting_id = fields.String()
    kind = fields.String()
    title = fields.String()
    doc_number = fields.String(metadata={"description": "发文字号; empty when the document has none"})
    document_date = fields.Date()
    author = fields.String(metadata={"description": "责任者"})
    secrecy = fields.String(metadata={"description": "密级; empty when unclassified"})
    template_version = fields.Integer()
    template_sha256 = fields.String()
    pages = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    url = fields.String()
    files = fields.Nested(DocumentFilesSchema)


class RegisteredDocumentSchema(DocumentSummarySchema):
    body = fields.Dict(metadata={"description": "the body as rendered: an allocated 发文字号 written in full"})


class IssuedDocumentSchema(RegisteredDocumentSchema):
    corrections = fields.List(fields.Nested(CorrectionSchema))


class MeetingRecordSchema(Schema):
    id = fields.String()
    title = fields.String()
    organizer = fields.String()
    location = fields.String()
    start = fields.DateTime(allow_none=True)
    notes = fields.String()
    created_at = fields.DateTime()
    url = fields.String()


class MeetingDetailSchema(MeetingRecordSchema):
    documents = fields.List(fields.Nested(DocumentSummarySchema))


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingRecordSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class RegisterEntrySchema(Schema):
    serial = fields.Integer()
    doc_number = fields.String()
    status = fields.String(metadata={"description": "reserved (rendering), issued, or voided (with its reason)"})
    document_id = fields.String(allow_none=True)
    document_url = fields.String(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class NumberRegisterSchema(Schema):
    prefix = fields.String()
    year = fields.Integer()
    numbers = fields.List(fields.Nested(RegisterEntrySchema))


class StoredFileSchema(Schema):
    sha256 = fields.String()
    size = fields.Integer()
    pages = fields.Integer(allow_none=True)
    media_type = fields.String()
    original_name = fields.String()
    created_at = fields.DateTime()
    url = fields.String()


_LOCATION = {"Location": {"description": "the URL of what was created", "schema": {"type": "string"}}}
_ISSUED_HEADERS = {
    **_LOCATION,
    "Idempotent-Replayed": {
        "description": "true: the answer to an earlier request with this Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Gongwen-Warnings": {
        "description": "page rules that could not be met: percent-encoded UTF-8 JSON",
        "schema": {"type": "string"},
    },
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_DOCX_MEDIA_TYPES = (OutputFormat.DOCX.media_type, ZIP_MEDIA_TYPE)
_DOWNLOAD_HEADERS = {
    "Content-Disposition": {"description": "the file's name (filename*)", "schema": {"type": "string"}},
    "ETag": {"description": "the SHA-256 of the file, quoted", "schema": {"type": "string"}},
}
_DOCX_RESPONSE = {
    "description": "the DOCX, or a ZIP of DOCX",
    "content": dict.fromkeys(_DOCX_MEDIA_TYPES, _BINARY),
    "headers": _DOWNLOAD_HEADERS,
}
# The store holds uploads (PDF) and what the registry rendered (DOCX, ZIP of DOCX, PDF).
_FILE_RESPONSE = {
    "description": "the file",
    "content": dict.fromkeys((*_DOCX_MEDIA_TYPES, PDF_MEDIA_TYPE), _BINARY),
    "headers": _DOWNLOAD_HEADERS,
}


# --- meetings --------------------------------------------------------------------------------------------


@bp.route("/meetings", methods=["POST"])
@allow(*ISSUERS)
@bp.doc(
    summary="新建会议 / Create a meeting",
    requestBody={"required": True, "content": {"application/json": {"schema": NewMeetingSchema}}},
    responses={
        "201": json_response(MeetingRecordSchema, "the meeting", headers=_LOCATION),
        **JSON_BODY_PROBLEMS,
    },
)
def create_meeting() -> Response:
    meeting = registry.create_meeting(database(), **load_payload(NewMeetingSchema(), read_json_body()))
    record_change("meeting.created", f"meeting:{meeting.id}", title=meeting.title)
    response = jsonify(MeetingRecordSchema().dump(_meeting_json(meeting)))
    response.status_code = 201
    response.headers["Location"] = _meeting_url(meeting.id)
    return response


@bp.route("/meetings", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="会议列表 / Meetings",
    description="Newest first, one page at a time.",
    parameters=[{"in": "query", "schema": MeetingListQuerySchema}],
    responses={"200": json_response(MeetingPageSchema, "one page of meetings"), **problems(422)},
)
def list_meetings() -> Response:
    query = load_payload(MeetingListQuerySchema(), request.args.to_dict())
    page = registry.list_meetings(database(), page=query["page"], per_page=query["per_page"])
    listing = {"items": [_meeting_json(m) for m in page.items], "total": page.total, "page": page.page}
    return jsonify(MeetingPageSchema().dump({**listing, "per_page": page.per_page}))


@bp.route("/meetings/<registry_id:meeting_id>", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="一个会议 / One meeting",
    description="The meeting and its documents, in the order they were issued.",
    responses={"200": json_response(MeetingDetailSchema, "the meeting"), **problems(404)},
)
def show_meeting(meeting_id: str) -> Response:
    meeting = registry.get_meeting(database(), meeting_id)
    reader = require_principal()
    documents = [
        _document_json(d) for d in registry.list_documents(database(), meeting_id) if reader.may_see(d.secrecy)
    ]
    return jsonify(MeetingDetailSchema().dump({**_meeting_json(meeting), "documents": documents}))


def _meeting_url(meeting_id: str) -> str:
    return f"/api/v1/meetings/{meeting_id}"


def _meeting_json(meeting: MeetingRecord) -> dict[str, Any]:
    return {**vars(meeting), "url": _meeting_url(meeting.id)}


# --- documents -------------------------------------------------------------------------------------------


def _register_issue_route(kind: DocumentKind) -> None:
    def issue_view(meeting_id: str) -> Response:
        issued = issue_document(
            database(),
            file_store(),
            catalog(),
            converter(),
            meeting_id,
            kind.name,
            read_json_body(),
            idempotency_key=_idempotency_key(),
            with_pdf=_pdf_wanted(),
        )
        body = {
            **_document_json(issued.document, with_body=True),
            "corrections": [c.as_dict() for c in issued.corrections],
        }
        response = jsonify(IssuedDocumentSchema().dump(body))
        # A replay answers exactly as the first request did (201 and the same body), marked as a replay.
        response.status_code = 201
        response.headers["Location"] = _document_url(issued.document.id)
        if issued.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        else:
            document = issued.document
            record_change(
                "document.issued",
                f"document:{document.id}",
                kind=kind.name,
                doc_number=document.doc_number,
                secrecy=document.secrecy,
                meeting_id=meeting_id,
            )
        if issued.warnings:
            report = json.dumps([w.as_dict() for w in issued.warnings], ensure_ascii=False)
            response.headers["Gongwen-Warnings"] = quote(report, safe="")
        return response

    issue_view.__name__ = f"issue_{kind.name.replace('-', '_')}"
    issue_view = allow(*ISSUERS)(issue_view)
    bp.route(f"/meetings/<registry_id:meeting_id>/documents/{kind.name}", methods=["POST"])(
        bp.doc(
            summary=f"登记并生成{kind.label} / Issue {kind.name} for a meeting",
            description=(
                "Validates, renders and records the document with its DOCX and PDF. A doc_number given as "
                '{"prefix": "青政办发"} receives the next serial of that prefix for the document\'s year; a failed '
                "render voids the serial with its reason (see /doc-numbers). With an Idempotency-Key, repeating the "
                "request answers 201 with the same body and Idempotent-Replayed: true; the same key with another "
                "body is 422; while the first is still running, 409 with Retry-After."
            ),
            parameters=[
                {
                    "in": "header",
                    "name": IDEMPOTENCY_HEADER,
                    "schema": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY},
                    "description": "a unique key per intended document (e.g. a UUID); retries reuse it",
                },
                {
                    "in": "query",
                    "name": "pdf",
                    "schema": {"type": "boolean", "default": True},
                    "description": "false: skip the PDF now; it is rendered on its first download",
                },
            ],
            requestBody=json_body(kind),
            responses={
                "201": json_response(IssuedDocumentSchema, "the document (also for a replay)", headers=_ISSUED_HEADERS),
                **JSON_BODY_PROBLEMS,
                **problems(404, 409),
                **CONVERSION_PROBLEMS,
            },
        )(issue_view)
    )


for _kind in KINDS.values():
    _register_issue_route(_kind)


@bp.route("/documents/<registry_id:document_id>", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="文书信息 / Document metadata",
    responses={"200": json_response(RegisteredDocumentSchema, "the document"), **problems(404)},
)
def show_document(document_id: str) -> Response:
    document = _visible_document(document_id)
    return jsonify(RegisteredDocumentSchema().dump(_document_json(document, with_body=True)))


@bp.route("/documents/<registry_id:document_id>/docx", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="下载DOCX / Download the DOCX",
    description="A ZIP of one DOCX per part for kinds that make several (see /document-kinds).",
    responses={"200": _DOCX_RESPONSE, **problems(404)},
)
def download_docx(document_id: str) -> Response:
    document = _visible_document(document_id)
    return _stored_file_response(document.docx, fallback_stem=document.kind)


@bp.route("/documents/<registry_id:document_id>/pdf", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="下载PDF / Download the PDF",
    description="A document issued with pdf=false has its PDF rendered and stored on this first download. "
    "?disposition=inline shows it in the browser's viewer (open it with #zoom=100 to print at actual size).",
    parameters=[
        {
            "in": "query",
            "name": "disposition",
            "schema": {"type": "string", "enum": ["attachment", "inline"], "default": "attachment"},
        }
    ],
    responses={
        "200": {"description": "the PDF", "content": {PDF_MEDIA_TYPE: _BINARY}, "headers": _DOWNLOAD_HEADERS},
        **problems(404, 409, 422),
        **CONVERSION_PROBLEMS,
    },
)
def download_pdf(document_id: str) -> Response:
    _visible_document(document_id)
    document = ensure_pdf(database(), file_store(), catalog(), converter(), document_id)
    assert document.pdf is not None  # ensure_pdf's promise
    return _stored_file_response(document.pdf, fallback_stem=document.kind, inline=_inline_wanted())


def _visible_document(document_id: str) -> DocumentRecord:
    """The document, if the caller's clearance covers its 密级; else the same 404 as for one that does not exist."""
    document = registry.get_document(database(), document_id)
    if not require_principal().may_see(document.secrecy):
        raise NotFoundError(bilingual(f"文书不存在：{document_id}", f"no document {document_id}"))
    return document


def _inline_wanted() -> bool:
    raw = request.args.get("disposition", "attachment")
    if raw not in {"attachment", "inline"}:
        message = bilingual("参数disposition应为attachment或inline", "disposition must be attachment or inline")
        raise PayloadInvalidError(message, errors={"disposition": [message]})
    return raw == "inline"


def _document_url(document_id: str) -> str:
    return f"/api/v1/documents/{document_id}"


def _document_json(document: DocumentRecord, *, with_body: bool = False) -> dict[str, Any]:
    url = _document_url(document.id)
    pdf = (
        _file_link(document.pdf, f"{url}/pdf") if document.pdf else {"sha256": None, "size": None, "url": f"{url}/pdf"}
    )
    described = {
        "id": document.id,
        "meeting_id": document.meeting_id,
        "kind": document.kind,
        "title": document.title,
        "doc_number": document.doc_number,
        "document_date": document.document_date,
        "author": document.author,
        "secrecy": document.secrecy,
        "template_version": document.template_version,
        "template_sha256": document.template_sha256,
        "pages": document.pages,
        "created_at": document.created_at,
        "url": url,
        "files": {"docx": _file_link(document.docx, f"{url}/docx"), "pdf": {**pdf, "media_type": PDF_MEDIA_TYPE}},
    }
    if with_body:
        described["body"] = document.effective_body
    return described


def _file_link(stored: StoredFileRecord, url: str) -> dict[str, Any]:
    return {"sha256": stored.sha256, "size": stored.size, "media_type": stored.media_type, "url": url}


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not all("!" <= c <= "~" for c in key):
        message = bilingual(
            f"幂等键Idempotency-Key应为1至{MAX_IDEMPOTENCY_KEY}个可见ASCII字符（如UUID）",
            f"the Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters, e.g. a UUID",
        )
        raise PayloadInvalidError(message, errors={IDEMPOTENCY_HEADER: [message]})
    return key


def _pdf_wanted() -> bool:
    raw = request.args.get("pdf", "true").lower()
    if raw not in {"true", "false", "1", "0"}:
        message = bilingual("参数pdf应为true或false", "pdf must be true or false")
        raise PayloadInvalidError(message, errors={"pdf": [message]})
    return raw in {"true", "1"}


# --- the 发文字号 register -------------------------------------------------------------------------------


@bp.route("/doc-numbers", methods=["GET"])
@allow(*READERS)
@bp.doc(
    summary="发文登记 / The document-number register",
    description="Every serial handed out for one 机关代字 and year, in order: issued (with its document), voided "
    "(with the reason, e.g. a failed render or 中断 / interrupted) or reserved (rendering now).",
    parameters=[{"in": "query", "schema": NumberRegisterQuerySchema}],
    responses={"200": json_response(NumberRegisterSchema, "the register of the series"), **problems(422)},
)
def list_doc_numbers() -> Response:
    query = load_payload(NumberRegisterQuerySchema(), request.args.to_dict())
    prefix, year = query["prefix"], query["year"]
    numbers = [
        {
            **vars(number),
            "doc_number": str(DocNumber(number.prefix, number.year, number.serial)),
            "document_url": _document_url(number.document_id) if number.document_id else None,
        }
        for number in registry.list_numbers(database(), prefix, year)
    ]
    return jsonify(NumberRegisterSchema().dump({"prefix": prefix, "year": year, "numbers": numbers}))


# --- uploaded files --------------------------------------------------------------------------------------


@bp.route("/files", methods=["POST"])
@allow(*UPLOADERS)
@bp.doc(
    summary="上传PDF / Upload a PDF",
    description="The raw PDF as the body (Content-Type: application/pdf), up to GONGWEN_MAX_UPLOAD_BYTES. "
    "Stored once by its SHA-256: 201 when new, 200 when the same bytes were there already. "
    "?name= gives the file's original name.",
    parameters=[{"in": "query", "schema": UploadQuerySchema}],
    requestBody={"required": True, "content": {PDF_MEDIA_TYPE: _BINARY}},
    responses={
        "200": json_response(StoredFileSchema, "already stored"),
        "201": json_response(StoredFileSchema, "stored", headers=_LOCATION),
        # 422 also for a body sent as anything but application/pdf.
        **problems(413, 422),
    },
)
def upload_file() -> Response:
    settings = current_app.config["GONGWEN_SETTINGS"]
    # Flask 3.1: a larger limit for this route only; everywhere else the JSON body limit holds.
    request.max_content_length = settings.max_upload_bytes
    if request.mimetype not in UPLOAD_MEDIA_TYPES:
        message = bilingual(
            f"上传的Content-Type应为application/pdf，而非{request.mimetype or '空'}",
            f"the upload's Content-Type must be application/pdf, not {request.mimetype or 'missing'}",
        )
        raise UploadInvalidError(message, errors={"Content-Type": [message]})
    # The name is text like any other (a NUL in it was a 500 on PostgreSQL), checked before the body is read.
    original_name = load_payload(UploadQuerySchema(), request.args.to_dict())["name"]
    content = request.get_data(cache=False)
    pages = _pdf_pages(content)
    stored, created = registry.record_file(
        database(),
        NewFile(
            sha256=file_store().put(content),
            media_type=PDF_MEDIA_TYPE,
            size=len(content),
            original_name=original_name,
            pages=pages,
        ),
    )
    if created:
        record_change("file.uploaded", f"file:{stored.sha256}", size=stored.size, name=stored.original_name)
    response = jsonify(StoredFileSchema().dump(_stored_file_json(stored)))
    response.status_code = 201 if created else 200
    response.headers["Location"] = _file_url(stored.sha256)
    return response


@bp.route("/files/<sha256:sha256>", methods=["GET"])
@allow(*ARCHIVISTS)
@bp.doc(
    summary="下载文件 / Download a stored file",
    description="An upload, or a DOCX or PDF the registry rendered, by its SHA-256.",
    responses={"200": _FILE_RESPONSE, **problems(404)},
)
def download_file(sha256: str) -> Response:
    return _stored_file_response(registry.get_file(database(), sha256.lower()), fallback_stem=sha256[:16])


def _pdf_pages(content: bytes) -> int:
    message = bilingual("上传的文件不是可读取的PDF", "the uploaded file is not a readable PDF")
    if not content.startswith(b"%PDF-"):
        raise UploadInvalidError(message, errors={"file": [bilingual("文件不是PDF", "not a PDF file")]})
    try:
        return page_count(content)
    except RenderError as exc:
        raise UploadInvalidError(message, errors={"file": [message]}) from exc


def _file_url(sha256: str) -> str:
    return f"/api/v1/files/{sha256}"


def _stored_file_json(stored: StoredFileRecord) -> dict[str, Any]:
    return {**vars(stored), "url": _file_url(stored.sha256)}


def _stored_file_response(stored: StoredFileRecord, *, fallback_stem: str, inline: bool = False) -> Response:
    """The file as a download (or shown in the browser when `inline`), named the way routes.py names rendered files."""
    response = Response(file_store().read(stored.sha256), mimetype=stored.media_type)
    name = stored.original_name or f"{stored.sha256}.{_extension(stored.media_type)}"
    extension = name.rsplit(".", 1)[-1] if "." in name else _extension(stored.media_type)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback_stem}.{extension}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["ETag"] = f'"{stored.sha256}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _extension(media_type: str) -> str:
    return {PDF_MEDIA_TYPE: "pdf", ZIP_MEDIA_TYPE: "zip"}.get(media_type, "docx")
