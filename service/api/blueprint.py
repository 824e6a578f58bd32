"""The API's one blueprint, and the OpenAPI description of a problem+json answer every route shares."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema

from service.api.problems import PROBLEM_MEDIA_TYPE

bp = Blueprint("documents", __name__, description="文书生成 / Document rendering")

PROBLEM_RESPONSE = {
    "description": "application/problem+json",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}},
}


def json_response(schema: type[Schema], description: str, **extra: Any) -> dict[str, Any]:
    """An OpenAPI response whose JSON body `schema` describes."""
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}
