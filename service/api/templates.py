"""Thin routes for template maintainers (versions, activation, previews) and the GB/T 9704 lint of any DOCX."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request
from marshmallow import EXCLUDE, Schema, fields

from schemas.fields import BaseSchema, Integer, Text
from service.access.requests import audit_entry
from service.access.roles import Role
from service.api.blueprint import CONVERSION_PROBLEMS, JSON_BODY_PROBLEMS, bp, json_response, problems
from service.api.routes import catalog, converter, read_json_body, whole_number
from service.api.security import EVERYONE, allow
from service.documents import template_versions
from service.documents.kinds import find_kind
from service.documents.templates import BUILT_IN_VERSION
from service.documents.validation import load_payload
from service.errors import NotFoundError, PayloadInvalidError, UploadInvalidError, bilingual
from service.storage.templates import StoredTemplateVersion

MAINTAINERS = (Role.MAINTAINER,)
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Room for every variant of a kind at the template size limit, plus the form fields around them.
_UPLOAD_LIMIT = 3 * template_versions.MAX_TEMPLATE_BYTES + 64 * 1024
_MIN_PREVIEW_DPI = 30
_MAX_PREVIEW_DPI = 100
_BINARY = {"schema": {"type": "string", "format": "binary"}}
# Versions are INTEGER columns (32 bits on PostgreSQL): a larger number in the URL names nothing (404), never
# reaching the database (SQLite raised OverflowError on 10**20, a 500).
MAX_VERSION = 2**31 - 1
_VERSION = f"<int(max={MAX_VERSION}):version>"


class FindingSchema(Schema):
    code = fields.String()
    severity = fields.String(metadata={"description": "error (blocks), warning, or notice (changed for you)"})
    message = fields.String()
    where = fields.String(metadata={"description": "the location in words: part, paragraph, its text, table cell"})
    location = fields.Dict(metadata={"description": "part, paragraph, text, table, row, cell, page"})
    measured = fields.String()
    expected = fields.String()


class ReportSchema(Schema):
    ok = fields.Boolean(metadata={"description": "no errors"})
    errors = fields.Integer()
    warnings = fields.Integer()
    notices = fields.Integer()
    findings = fields.List(fields.Nested(FindingSchema))


class TemplateVersionSchema(Schema):
    kind = fields.String()
    version = fields.Integer()
    active = fields.Boolean()
    activatable = fields.Boolean(metadata={"description": "false while the GB/T 9704 lint found errors"})
    based_on = fields.Integer(metadata={"description": "the version active at upload; variants not uploaded are its"})
    reason = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "variant → file URL"})
    report = fields.Dict(metadata={"description": "variant → the upload's checks and lint (see ReportSchema)"})


class ActivationSchema(Schema):
    kind = fields.String()
    version = fields.Integer()
    previous_version = fields.Integer()
    reason = fields.String()
    activated_by = fields.String()
    activated_at = fields.DateTime()


class KindTemplatesSchema(Schema):
    kind = fields.String()
    label = fields.String()
    active_version = fields.Integer()
    variants = fields.List(fields.String())
    previewable_variants = fields.List(fields.String(), metadata={"description": "what ?variant= a preview takes"})
    rollback_to = fields.Integer(
        allow_none=True, metadata={"description": "the version a roll-back would activate; null: nothing to return to"}
    )
    versions = fields.List(
        fields.Nested(TemplateVersionSchema), metadata={"description": "newest first, the built-in version 1 last"}
    )
    activations = fields.List(fields.Nested(ActivationSchema), metadata={"description": "newest first"})


class TemplateKindSchema(Schema):
    kind = fields.String()
    label = fields.String()
    active_version = fields.Integer()
    url = fields.String()


class TemplateKindListSchema(Schema):
    kinds = fields.List(fields.Nested(TemplateKindSchema))


class ActivationRequestSchema(BaseSchema):
    version = Integer(required=True, minimum=BUILT_IN_VERSION, maximum=MAX_VERSION)
    # Empty passes here: template_versions asks for a reason in its own words.
    reason = Text(
        required=True,
        max_length=template_versions.MAX_REASON_CHARS,
        allow_empty=True,
        metadata={"description": "why this version is switched on"},
    )


class RollbackRequestSchema(BaseSchema):
    reason = Text(required=True, max_length=template_versions.MAX_REASON_CHARS, allow_empty=True)


class UploadFormSchema(BaseSchema):
    """The text fields of an upload; its files are read as files, so other text fields are left alone."""

    class Meta:
        unknown = EXCLUDE

    reason = Text(max_length=template_versions.MAX_REASON_CHARS, allow_empty=True, load_default="")


class RenderedVersionSchema(Schema):
    version = fields.Integer()
    pages = fields.Integer()
    page_images = fields.List(fields.String(), metadata={"description": "each page as a data:image/png;base64 URL"})
    conformance = fields.Dict(metadata={"description": "the rendered PDF measured against GB/T 9704"})
    layout_warnings = fields.List(fields.String())


class PreviewSchema(Schema):
    kind = fields.String()
    variant = fields.String()
    candidate = fields.Nested(RenderedVersionSchema)
    active = fields.Nested(RenderedVersionSchema)
    upload_report = fields.Dict(allow_none=True)


@bp.route("/templates", methods=["GET"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="模板列表 / Template kinds",
    description="Every kind with its active template version (1 is the built-in set).",
    responses={"200": json_response(TemplateKindListSchema, "the kinds")},
)
def list_template_kinds() -> Response:
    kinds = [
        {"kind": kind, "label": label, "active_version": active, "url": _kind_url(kind)}
        for kind, label, active in template_versions.all_kind_templates(catalog())
    ]
    return jsonify(TemplateKindListSchema().dump({"kinds": kinds}))


@bp.route("/templates/<kind>", methods=["GET"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="模板版本 / A kind's template versions",
    description="The active version, every version (uploads with their reports, then the built-in version 1), "
    "every activation newest first, and what a roll-back would return to.",
    responses={"200": json_response(KindTemplatesSchema, "the kind's templates"), **problems(404)},
)
def show_template_kind(kind: str) -> Response:
    templates = template_versions.kind_templates(catalog(), kind)
    return jsonify(
        KindTemplatesSchema().dump(
            {
                "kind": templates.kind,
                "label": templates.label,
                "active_version": templates.active,
                "variants": templates.variants,
                "previewable_variants": templates.previewable,
                "rollback_to": templates.rollback_to,
                "versions": [
                    *(_version_json(v, templates.active) for v in reversed(templates.versions)),
                    _built_in_json(kind, templates.variants, templates.active),
                ],
                "activations": [vars(a) for a in templates.activations],
            }
        )
    )


@bp.route("/templates/<kind>/versions", methods=["POST"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="上传模板新版本 / Upload a template version",
    description="multipart/form-data: one DOCX per variant, each under the variant's name (e.g. `document`, "
    "`letter`), and `reason`. Variants not sent are taken from the active version. Every file is checked and all "
    "problems are reported together with their locations: a safe DOCX (size, zip bomb, no external entities or "
    "links, no macros), Jinja that parses (tags Word split across runs are joined), only variables the kind "
    "provides, nothing that reaches Python internals, a test fill with the kind's example; then the GB/T 9704 "
    "lint (Word's character grid is normalised, and the report says so). 422 when a check fails (nothing is "
    "stored); 201 otherwise, with `activatable` false while the lint found errors.",
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string", "maxLength": template_versions.MAX_REASON_CHARS},
                        "document": {"type": "string", "format": "binary"},
                    },
                    "additionalProperties": {"type": "string", "format": "binary"},
                    "required": ["reason"],
                }
            }
        },
    },
    responses={
        "201": json_response(
            TemplateVersionSchema,
            "stored",
            headers={"Location": {"description": "the new version", "schema": {"type": "string"}}},
        ),
        # 422 also for a body that is not multipart/form-data.
        **problems(404, 413, 422),
    },
)
def upload_template_version(kind: str) -> Response:
    request.max_content_length = _UPLOAD_LIMIT
    if request.mimetype != "multipart/form-data":
        message = bilingual(
            "Content-Type应为multipart/form-data：每个模板文件一个字段（如document），另加reason",
            "the Content-Type must be multipart/form-data: one field per template file (e.g. document), and reason",
        )
        raise UploadInvalidError(message, errors={"Content-Type": [message]})
    files: dict[str, bytes] = {}
    for name, storage in request.files.items():
        try:
            files[name] = storage.read()
        finally:
            storage.close()  # a large upload was spooled to a temporary file
    # The reason is text like any other (no control characters: PostgreSQL refused a NUL with a 500).
    reason = load_payload(UploadFormSchema(), request.form.to_dict())["reason"]
    uploaded = template_versions.upload_version(
        catalog(), kind, files, reason, audit_entry("template.uploaded", f"templates/{kind}")
    )
    response = jsonify(TemplateVersionSchema().dump(_version_json(uploaded.version, active=None)))
    response.status_code = 201
    response.headers["Location"] = f"{_kind_url(kind)}/versions/{uploaded.version.version}"
    return response


@bp.route(f"/templates/<kind>/versions/{_VERSION}", methods=["GET"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="模板版本详情 / One template version",
    description="Who uploaded it, when and why, its files and the report of its checks.",
    responses={"200": json_response(TemplateVersionSchema, "the version"), **problems(404)},
)
def show_template_version(kind: str, version: int) -> Response:
    templates = template_versions.kind_templates(catalog(), kind)
    if version == BUILT_IN_VERSION:
        return jsonify(TemplateVersionSchema().dump(_built_in_json(kind, templates.variants, templates.active)))
    stored = template_versions.stored_version(catalog(), kind, version)
    return jsonify(TemplateVersionSchema().dump(_version_json(stored, templates.active)))


@bp.route(f"/templates/<kind>/versions/{_VERSION}/files/<variant>", methods=["GET"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="下载模板文件 / Download a template file",
    description="One variant's DOCX of a version, to edit in Word or WPS and upload again.",
    responses={"200": {"description": "the DOCX", "content": {DOCX_MEDIA_TYPE: _BINARY}}, **problems(404)},
)
def download_template_file(kind: str, version: int, variant: str) -> Response:
    find_kind(kind)
    if variant not in catalog().variants(kind):
        # A variant the kind does not have is a URL naming nothing, not a broken template (500).
        raise NotFoundError(bilingual(f"{kind}没有“{variant}”模板", f"{kind} has no template variant {variant!r}"))
    content = template_versions.version_file(catalog(), kind, version, variant)
    response = Response(content, mimetype=DOCX_MEDIA_TYPE)
    name = f"{kind}-v{version}-{variant}.docx"
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/templates/<kind>/active", methods=["PUT"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="启用模板版本 / Activate a template version",
    description="Switch the kind to `version` (1: the built-in templates); documents made afterwards record it. "
    "409 for a version whose lint found errors.",
    requestBody={"required": True, "content": {"application/json": {"schema": ActivationRequestSchema}}},
    responses={
        "200": json_response(ActivationSchema, "switched"),
        **JSON_BODY_PROBLEMS,
        **problems(404, 409),
    },
)
def activate_template_version(kind: str) -> Response:
    body = load_payload(ActivationRequestSchema(), read_json_body())
    activation = template_versions.activate_version(
        catalog(), kind, body["version"], body["reason"], audit_entry("template.activated", f"templates/{kind}")
    )
    return jsonify(ActivationSchema().dump(activation))


@bp.route("/templates/<kind>/rollback", methods=["POST"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="回退模板版本 / Roll back",
    description="Activate again the version that was active before the current one. 409 when there is none.",
    requestBody={"required": True, "content": {"application/json": {"schema": RollbackRequestSchema}}},
    responses={
        "200": json_response(ActivationSchema, "rolled back"),
        **JSON_BODY_PROBLEMS,
        **problems(404, 409),
    },
)
def roll_back_template(kind: str) -> Response:
    body = load_payload(RollbackRequestSchema(), read_json_body())
    activation = template_versions.roll_back_version(
        catalog(), kind, body["reason"], audit_entry("template.rolled_back", f"templates/{kind}")
    )
    return jsonify(ActivationSchema().dump(activation))


@bp.route(f"/templates/<kind>/versions/{_VERSION}/preview", methods=["GET"])
@allow(*MAINTAINERS)
@bp.doc(
    summary="预览模板版本 / Preview a version beside the active one",
    description="The kind's example rendered to PDF with this version and with the active version: every page as "
    "a PNG, and each PDF measured against GB/T 9704 (page size, text block, lines per page, characters per "
    "line, fonts, colours, page numbers). `variant` picks e.g. the notice's letter format; `dpi` (30–100) the "
    "images' resolution.",
    parameters=[
        {"in": "query", "name": "variant", "schema": {"type": "string"}},
        {
            "in": "query",
            "name": "dpi",
            "schema": {"type": "integer", "minimum": _MIN_PREVIEW_DPI, "maximum": _MAX_PREVIEW_DPI},
        },
    ],
    responses={
        "200": json_response(PreviewSchema, "both renderings"),
        **problems(404, 422),
        **CONVERSION_PROBLEMS,
    },
)
def preview_template_version(kind: str, version: int) -> Response:
    preview = template_versions.preview_version(
        catalog(), converter(), kind, version, variant=request.args.get("variant") or None, dpi=_preview_dpi()
    )
    return jsonify(
        PreviewSchema().dump(
            {
                "kind": preview.kind,
                "variant": preview.variant,
                "candidate": _rendered_json(preview.candidate),
                "active": _rendered_json(preview.active),
                "upload_report": preview.upload_report,
            }
        )
    )


@bp.route("/lint", methods=["POST"])
@allow(*EVERYONE)
@bp.doc(
    summary="公文格式检查 / Lint a DOCX against GB/T 9704",
    description="Any DOCX (made anywhere), as the raw body or as the multipart field `file`: its deviations from "
    "GB/T 9704-2012 with locations (paragraph text, table cell) and measured values. The same check as "
    "`gongwen lint file.docx`. 200 with `ok` false when it has errors; 422 when the file is not a safe DOCX.",
    requestBody={
        "required": True,
        "content": {
            DOCX_MEDIA_TYPE: _BINARY,
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    },
    responses={"200": json_response(ReportSchema, "the report"), **problems(413, 422)},
)
def lint_docx() -> Response:
    request.max_content_length = template_versions.MAX_TEMPLATE_BYTES
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            message = bilingual("缺少file字段", "the multipart field `file` is missing")
            raise UploadInvalidError(message, errors={"file": [message]})
        try:
            data = upload.read()
        finally:
            upload.close()
    else:
        data = request.get_data(cache=False)
    report = template_versions.lint_document(data)
    return jsonify(ReportSchema().dump(report.as_dict()))


def _kind_url(kind: str) -> str:
    return f"/api/v1/templates/{kind}"


def _version_json(stored: StoredTemplateVersion, active: int | None) -> dict[str, Any]:
    base = f"{_kind_url(stored.kind)}/versions/{stored.version}/files"
    return {
        "kind": stored.kind,
        "version": stored.version,
        "active": active == stored.version,
        "activatable": stored.activatable,
        "based_on": stored.based_on,
        "reason": stored.reason,
        "uploaded_by": stored.uploaded_by,
        "uploaded_at": stored.uploaded_at,
        "files": {variant: f"{base}/{variant}" for variant in stored.files},
        "report": stored.report,
    }


def _built_in_json(kind: str, variants: list[str], active: int) -> dict[str, Any]:
    base = f"{_kind_url(kind)}/versions/{BUILT_IN_VERSION}/files"
    return {
        "kind": kind,
        "version": BUILT_IN_VERSION,
        "active": active == BUILT_IN_VERSION,
        "activatable": True,
        "based_on": BUILT_IN_VERSION,
        "reason": "内置模板 / built-in templates",
        "uploaded_by": "",
        "files": {variant: f"{base}/{variant}" for variant in variants},
        "report": {},
    }


def _rendered_json(rendered: template_versions.RenderedVersion) -> dict[str, Any]:
    return {
        "version": rendered.version,
        "pages": rendered.pages,
        "page_images": [
            "data:image/png;base64," + base64.b64encode(image).decode("ascii") for image in rendered.images
        ],
        "conformance": rendered.conformance,
        "layout_warnings": rendered.layout_warnings,
    }


def _preview_dpi() -> int:
    raw = request.args.get("dpi")
    if raw is None:
        return template_versions.PREVIEW_DPI
    dpi = whole_number(raw, low=_MIN_PREVIEW_DPI, high=_MAX_PREVIEW_DPI)
    if dpi is None:
        message = bilingual(
            f"dpi应为{_MIN_PREVIEW_DPI}至{_MAX_PREVIEW_DPI}的整数",
            f"dpi must be a whole number from {_MIN_PREVIEW_DPI} to {_MAX_PREVIEW_DPI}",
        )
        raise PayloadInvalidError(message, errors={"dpi": [message]})
    return dpi
