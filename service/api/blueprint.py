"""The API's one blueprint, and the OpenAPI description of a problem+json answer every route shares."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema
from werkzeug.routing import BaseConverter

from service.api.problems import PROBLEM_MEDIA_TYPE

bp = Blueprint("documents", __name__, description="文书生成 / Document rendering")

# RFC 9457 as service.api.problems writes it; registered once under components (see register_api).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:gongwen:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Chinese first, English after"},
        "code": {"type": "string", "description": "stable machine code: payload_invalid, not_found, busy, ..."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "messages keyed by field path (meeting.start, recipients[2])",
        },
        "report": {"type": "object", "description": "a rejected template upload: every finding per file"},
    },
}
PROBLEM_RESPONSE: dict[str, Any] = {
    "description": "application/problem+json",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}


def problems(*statuses: int) -> dict[str, dict[str, Any]]:
    """The problem+json answers a route may give, by status, for its OpenAPI responses."""
    described: dict[str, dict[str, Any]] = {}
    for status in statuses:
        response = {
            **PROBLEM_RESPONSE,
            "description": _PROBLEM_DESCRIPTIONS.get(status, PROBLEM_RESPONSE["description"]),
        }
        if status in (429, 503):
            response["headers"] = _RETRY_AFTER
        described[str(status)] = response
    return described


_PROBLEM_DESCRIPTIONS = {
    400: "请求体不是有效的JSON / malformed JSON (or a bad query parameter)",
    404: "不存在 / not found",
    409: "状态冲突 / conflicts with the current state",
    413: "请求体过大 / body too large",
    415: "请求体应为application/json / the body is not JSON",
    422: "内容不合法 / invalid; `errors` names each field",
    429: "尝试次数过多 / too many attempts; Retry-After",
    502: "PDF转换失败 / LibreOffice could not convert the document",
    503: "暂不可用 / storage unavailable or every converter busy; Retry-After",
    504: "PDF转换超时 / the conversion timed out",
}

# What a route reading a JSON body may answer about the body itself, before or while reading its fields.
JSON_BODY_PROBLEMS = problems(400, 413, 415, 422)
# What a route that converts to PDF may answer when LibreOffice fails, times out or has no room.
CONVERSION_PROBLEMS = problems(502, 503, 504)


class RegistryIdConverter(BaseConverter):
    """A meeting's, document's or archive run's id: a uuid4 as 32 lowercase hex digits (storage.models.new_id).

    Path values that cannot be ids are a 404 from routing and never reach the database, where PostgreSQL answered
    a NUL (%00) with an error (500); the description shows each one's pattern.
    """

    regex = "[0-9a-f]{32}"


class KeyIdConverter(BaseConverter):
    """An API key's id: 12 lowercase hex digits (access.credentials)."""

    regex = "[0-9a-f]{12}"


class Sha256Converter(BaseConverter):
    """A stored file's SHA-256, in either case."""

    regex = "[0-9a-fA-F]{64}"


class LoginConverter(BaseConverter):
    """A user's login: anything but a slash or a control character (`gongwen users create` takes any login)."""

    regex = "[^/\\x00-\\x1f\\x7f]+"


# Names for the routes (<registry_id:meeting_id>), registered with the app and with the OpenAPI description.
PATH_CONVERTERS: dict[str, type[BaseConverter]] = {
    "registry_id": RegistryIdConverter,
    "key_id": KeyIdConverter,
    "sha256": Sha256Converter,
    "login": LoginConverter,
}


def path_parameter_schema(converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "pattern": f"^{converter.regex}$"}


def json_response(schema: type[Schema], description: str, **extra: Any) -> dict[str, Any]:
    """An OpenAPI response whose JSON body `schema` describes."""
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}
