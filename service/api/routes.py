"""Thin HTTP routes: parse the request, call the document pipeline, shape the response."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from service.api.blueprint import CONVERSION_PROBLEMS, JSON_BODY_PROBLEMS, bp, json_response, problems
from service.api.security import EVERYONE, RENDERERS, allow
from service.documents.kind import DocumentKind
from service.documents.kinds import KINDS, example_body, find_kind
from service.documents.pipeline import (
    ZIP_MEDIA_TYPE,
    Converter,
    OutputFormat,
    RenderedDocument,
    render_document,
    validate_document,
)
from service.documents.templates import TemplateCatalog, TemplateVersions
from service.errors import (
    MalformedBodyError,
    PageOutOfRangeError,
    StorageUnavailableError,
    UnsupportedFormatError,
    bilingual,
)
from service.storage.database import Database


def catalog() -> TemplateCatalog:
    """The templates, each kind at its active version (uploaded versions live in the registry)."""
    versions = TemplateVersions(current_app.extensions["gongwen.database"], current_app.extensions["gongwen.files"])
    return TemplateCatalog(current_app.config["GONGWEN_SETTINGS"].templates_dir, versions)


def converter() -> Converter:
    converter: Converter = current_app.extensions["gongwen.converter"]
    return converter


def health() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


def readiness() -> Response:
    """Ready when every kind's templates are present and the converter can take work.

    A converter that has not been needed yet (started on demand) counts as ready; `gongwen serve`
    starts it before taking requests, so there it reports its workers.
    """
    problems = catalog().problems(list(KINDS))
    pool = converter().status()
    converter_ok = pool is None or bool(pool["ready"])
    database = _database_check()
    ready = not problems and converter_ok and bool(database["ok"])
    response = jsonify(
        status="ready" if ready else "not_ready",
        checks={
            "templates": {"ok": not problems, "problems": problems},
            "converter": {"ok": converter_ok, "state": "on_demand" if pool is None else pool},
            "database": database,
        },
    )
    response.status_code = 200 if ready else 503
    return response


def _database_check() -> dict[str, Any]:
    """The registry's database answers and is at the newest schema (else its routes would fail)."""
    database: Database = current_app.extensions["gongwen.database"]
    expected = database.head_revision()
    try:
        revision = database.revision()
    except StorageUnavailableError as error:
        return {"ok": False, "problem": error.detail}
    if revision != expected:
        return {
            "ok": False,
            "revision": revision,
            "expected": expected,
            "problem": bilingual(
                "数据库未升级，请运行gongwen db upgrade", "the database is behind: run gongwen db upgrade"
            ),
        }
    return {"ok": True, "revision": revision, "expected": expected}


def _json_schema(kind: DocumentKind) -> dict[str, Any]:
    """The kind's body as a self-contained JSON Schema: nested components written out in place."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    components = api.spec.to_dict()["components"]["schemas"]

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith(_COMPONENT_PREFIX):
                return inline(components[ref.removeprefix(_COMPONENT_PREFIX)])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema: dict[str, Any] = inline(api.ma_plugin.converter.schema2jsonschema(kind.schema))
    return schema


_COMPONENT_PREFIX = "#/components/schemas/"


class DocumentKindSchema(Schema):
    name = fields.String()
    label = fields.String()
    render = fields.String(metadata={"description": "the URL that renders it"})
    # Named apart from the attribute: Schema.validate is marshmallow's own method.
    validate_url = fields.String(data_key="validate", metadata={"description": "the URL that only validates it"})
    formats = fields.List(fields.String())
    docx_bundle = fields.Boolean(metadata={"description": "format=docx answers with a ZIP of one DOCX per part"})
    schema = fields.Dict(metadata={"description": "the body's JSON Schema, self-contained"})
    example = fields.Dict(metadata={"description": "an example body"})


class DocumentKindListSchema(Schema):
    kinds = fields.List(fields.Nested(DocumentKindSchema))


class CorrectionSchema(Schema):
    field = fields.String()
    original = fields.String()
    corrected = fields.String()
    message = fields.String()


class ValidationResultSchema(Schema):
    valid = fields.Boolean(metadata={"description": "always true: an invalid body is answered 422"})
    corrections = fields.List(fields.Nested(CorrectionSchema), metadata={"description": "the slips rendering corrects"})


def _describe_kind(kind: DocumentKind) -> dict[str, Any]:
    return {
        "name": kind.name,
        "label": kind.label,
        "render": f"/api/v1/documents/{kind.name}",
        "validate": f"/api/v1/documents/{kind.name}/validate",
        "formats": [f.value for f in OutputFormat],
        "docx_bundle": kind.split is not None,
        "schema": _json_schema(kind),
        "example": example_body(kind.name),
    }


@bp.route("/document-kinds", methods=["GET"])
@allow(*EVERYONE)
@bp.doc(
    summary="文书种类 / Document kinds",
    description="Every kind the service renders, with its body's JSON Schema and an example body. "
    "docx_bundle: format=docx answers with a ZIP of one DOCX per part of the body (e.g. one 反馈单 per unit).",
    responses={"200": json_response(DocumentKindListSchema, "the kinds, in name order")},
)
def list_document_kinds() -> Response:
    return jsonify(kinds=[_describe_kind(kind) for kind in KINDS.values()])


@bp.route("/document-kinds/<name>", methods=["GET"])
@allow(*EVERYONE)
@bp.doc(
    summary="一种文书 / One document kind",
    responses={"200": json_response(DocumentKindSchema, "the kind, its schema and example"), **problems(404)},
)
def show_document_kind(name: str) -> Response:
    return jsonify(_describe_kind(find_kind(name)))


def json_body(kind: DocumentKind) -> dict[str, Any]:
    """The OpenAPI request body of a kind's routes: its schema, and its example for clients to start from."""
    return {
        "required": True,
        "content": {"application/json": {"schema": kind.schema, "example": example_body(kind.name)}},
    }


def read_json_body() -> Any:
    """The request's JSON body as every route reads it: JSON by Content-Type, parseable, and nothing that
    breaks what comes after (lone surrogates, nesting past the schema's depth); None for `null`."""
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        # `null` is JSON too: it comes back as None and is refused (422) as a body that is not an object.
        # RecursionError: brackets nested deeper than the parser's stack (a few KiB of "[[[[" do it).
        body = request.get_json()
    except (BadRequest, RecursionError) as exc:
        raise MalformedBodyError(bilingual("请求体无法按JSON解析", "The body could not be parsed as JSON")) from exc
    problem = _unreadable_json(body)
    if problem is not None:
        raise MalformedBodyError(problem)
    return body


# No body nests deeper than 5 levels (an archive run's selection → documents → 件 → field); far deeper ones only
# exhaust the stack of whatever walks them next (validation, fingerprints, storage).
MAX_JSON_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _unreadable_json(body: Any) -> str | None:
    """Why a parsed body cannot be taken further: nested too deeply, or holding a lone surrogate ("\\ud800"
    parses, but is no character: it cannot be stored, hashed, printed, or even echoed in a problem; RFC 7493)."""
    waiting: list[tuple[Any, int]] = [(body, 1)]
    while waiting:
        value, depth = waiting.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return bilingual(
                    "请求体含有无效的Unicode转义（孤立的代理项，如\\ud800）",
                    "The body holds an invalid Unicode escape (a lone surrogate such as \\ud800)",
                )
            continue
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        if not isinstance(children, list):
            continue
        if depth > MAX_JSON_DEPTH:
            return bilingual(
                f"请求体嵌套超过{MAX_JSON_DEPTH}层", f"The body is nested more than {MAX_JSON_DEPTH} levels deep"
            )
        waiting.extend((child, depth + 1) for child in children)
    return None


def _output_format() -> OutputFormat:
    requested = request.args.get("format", OutputFormat.DOCX.value)
    try:
        return OutputFormat(requested)
    except ValueError:
        raise UnsupportedFormatError(
            bilingual(
                f"不支持的格式“{requested}”，可用docx或pdf",
                f"Unsupported format {requested!r}; use docx or pdf",
            )
        ) from None


# No document comes near it; the 归档 stamp numbers pages up to 9999 as well.
MAX_PAGE = 9999


def whole_number(raw: str, *, low: int, high: int) -> int | None:
    """`raw` as a whole number from `low` to `high`, or None. ASCII digits only: int() also takes "²" (and then
    fails, a 500) or "٣", and raises ValueError past 4,300 digits."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)):
        return None
    number = int(raw)
    return number if low <= number <= high else None


def _page_number() -> int:
    raw = request.args.get("page", "1")
    page = whole_number(raw, low=1, high=MAX_PAGE)
    if page is None:
        shown = repr(raw[:20])
        raise PageOutOfRangeError(
            bilingual(
                f"页码应为1至{MAX_PAGE}的整数：{shown}",
                f"page must be a whole number from 1 to {MAX_PAGE}, not {shown}",
            ),
            errors={
                "page": [bilingual(f"页码应为1至{MAX_PAGE}的整数", f"page must be a whole number from 1 to {MAX_PAGE}")]
            },
        )
    return page


def _file_response(document: RenderedDocument, kind: DocumentKind) -> Response:
    response = Response(document.content, mimetype=document.media_type or document.output_format.media_type)
    fallback = f"{kind.name}.{document.filename.rsplit('.', 1)[-1]}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(document.filename, safe='')}"
    )
    response.headers["ETag"] = f'"{document.sha256}"'
    response.headers["Cache-Control"] = "no-store"
    if document.pages is not None:
        # A preview of page N says how many pages there are, so a page can ask for all of them.
        response.headers["Gongwen-Page-Count"] = str(document.pages)
    if document.warnings:
        report = json.dumps([w.as_dict() for w in document.warnings], ensure_ascii=False)
        response.headers["Gongwen-Warnings"] = quote(report, safe="")
    if document.corrections:
        # Header values must be Latin-1: the report travels as percent-encoded UTF-8 JSON.
        report = json.dumps([c.as_dict() for c in document.corrections], ensure_ascii=False)
        response.headers["Gongwen-Corrections"] = quote(report, safe="")
    return response


_REPORT = {"type": "string", "description": "percent-encoded UTF-8 JSON: a list of objects"}
RENDERED_HEADERS = {
    "Content-Disposition": {
        "description": "attachment, named after the title (filename*)",
        "schema": {"type": "string"},
    },
    "ETag": {"description": "the SHA-256 of the file, quoted", "schema": {"type": "string"}},
    "Gongwen-Page-Count": {"description": "the PDF's pages (pdf and png only)", "schema": {"type": "integer"}},
    "Gongwen-Corrections": {"description": "slips corrected on the way in", "schema": _REPORT},
    "Gongwen-Warnings": {"description": "page rules that could not be met", "schema": _REPORT},
}


def _register_kind(kind: DocumentKind) -> None:
    slug = kind.name.replace("-", "_")

    def render_view() -> Response:
        output_format = _output_format()
        document = render_document(
            catalog(), kind.name, read_json_body(), output_format, converter(), page=_page_number()
        )
        return _file_response(document, kind)

    def validate_view() -> Response:
        validated = validate_document(kind.name, read_json_body())
        return jsonify(valid=True, corrections=[c.as_dict() for c in validated.corrections])

    render_view.__name__ = f"render_{slug}"
    validate_view.__name__ = f"validate_{slug}"
    render_view = allow(*RENDERERS)(render_view)
    validate_view = allow(*RENDERERS)(validate_view)
    body = json_body(kind)
    bp.route(f"/documents/{kind.name}", methods=["POST"])(
        bp.doc(
            summary=f"生成{kind.label} / Render {kind.name}",
            description=(
                "Returns the document as a file named after its title (Content-Disposition with filename*). "
                "Slips that were corrected (e.g. 【2026】 → 〔2026〕) are reported in the Gongwen-Corrections "
                "header as percent-encoded UTF-8 JSON. PDF and PNG answers carry the PDF's page count in "
                "Gongwen-Page-Count. PDF page rules that could not be met (a seal block alone on its "
                "page) come back the same way in Gongwen-Warnings. The ETag is the SHA-256 of the file."
                + (
                    " This kind makes one document per part of the body: format=docx returns a ZIP "
                    "(application/zip) with one DOCX per part; format=pdf returns one PDF with the parts in "
                    "order and an outline entry per part."
                    if kind.split is not None
                    else ""
                )
            ),
            parameters=[
                {
                    "in": "query",
                    "name": "format",
                    "schema": {"type": "string", "enum": [f.value for f in OutputFormat], "default": "docx"},
                    "description": "docx to edit, pdf to print, png for a preview of one page",
                },
                {
                    "in": "query",
                    "name": "page",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                    "description": "with format=png: the page to preview",
                },
            ],
            requestBody=body,
            responses={
                "200": {
                    "description": "the document",
                    "content": {
                        media_type: {"schema": {"type": "string", "format": "binary"}}
                        for media_type in [f.media_type for f in OutputFormat]
                        + ([ZIP_MEDIA_TYPE] if kind.split is not None else [])
                    },
                    "headers": RENDERED_HEADERS,
                },
                # 400 also for an unknown ?format=; 422 for a ?page= the document does not have.
                **JSON_BODY_PROBLEMS,
                **CONVERSION_PROBLEMS,
            },
        )(render_view)
    )
    bp.route(f"/documents/{kind.name}/validate", methods=["POST"])(
        bp.doc(
            summary=f"校验{kind.label} / Validate {kind.name}",
            description="Validates the body without rendering; lists the slips that would be corrected.",
            requestBody=body,
            responses={"200": json_response(ValidationResultSchema, "valid"), **JSON_BODY_PROBLEMS},
        )(validate_view)
    )


for _kind in KINDS.values():
    _register_kind(_kind)
