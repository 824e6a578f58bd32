"""The HTTP API: blueprint registration, OpenAPI and the browsable API page."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Flask, Response, send_from_directory
from flask_smorest import Api

from schemas.fields import Text
from service.access.requests import public
from service.api import accounts as _accounts  # noqa: F401 - its routes register on bp
from service.api import archive_runs as _archive_runs  # noqa: F401 - its routes register on bp
from service.api import registry as _registry  # noqa: F401 - its routes register on bp
from service.api import templates as _templates  # noqa: F401 - its routes register on bp
from service.api.blueprint import PATH_CONVERTERS, PROBLEM_SCHEMA, bp, path_parameter_schema
from service.api.problems import register_problem_handlers
from service.api.routes import health, readiness
from service.api.security import SECURED, SECURITY_SCHEMES
from service.config import Settings

SWAGGER_STATIC = Path(swagger_ui_bundle.swagger_ui_path)


class ProblemApi(Api):
    # Our errors are application/problem+json with their statuses listed per operation; flask-smorest's default
    # response would describe them as its own application/json "Error", answered with any status at all.
    DEFAULT_ERROR_RESPONSE_NAME = None


def register_api(app: Flask, settings: Settings) -> None:
    app.config.update(
        API_TITLE="Gongwen 公文服务",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the installed package: offices' networks often cannot reach a CDN.
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/static/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "会务公文服务：按GB/T 9704-2012生成会议通知等文书。"
                " Meeting paperwork as GB/T 9704-2012 documents. Errors are application/problem+json."
                " Office systems send an API key (Authorization: Bearer); people sign in at POST /api/v1/session."
                " Each operation lists the roles it lets in under x-roles."
            },
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "security": SECURED,
        },
    )
    api = ProblemApi(app)
    # Text fields check their own length; the schema says so, and the pages pick a textarea for long ones.
    api.ma_plugin.converter.add_attribute_function(_text_bounds)
    api.spec.components.schema("Problem", PROBLEM_SCHEMA)
    for name, converter in PATH_CONVERTERS.items():
        app.url_map.converters[name] = converter
        api.register_converter(converter, path_parameter_schema)
    api.register_blueprint(bp, url_prefix="/api/v1")
    app.add_url_rule("/healthz", "healthz", public(health))
    app.add_url_rule("/readyz", "readyz", public(readiness))
    app.add_url_rule("/api/v1/docs/static/<path:filename>", "swagger_static", public(_swagger_static))
    register_problem_handlers(app)


def _swagger_static(filename: str) -> Response:
    return send_from_directory(SWAGGER_STATIC, filename)


def _text_bounds(_converter: object, field: object, **_: object) -> dict[str, int]:
    """maxLength, and minLength 1 unless the field may be empty (both counted after trimming, which JSON Schema
    cannot say: surrounding spaces are accepted and dropped, and a value of spaces alone is empty)."""
    if not isinstance(field, Text):
        return {}
    return {"maxLength": field.max_length} | ({} if field.allow_empty else {"minLength": 1})
