"""The API's one blueprint, and the OpenAPI description of a problem+json answer every route shares."""

from __future__ import annotations

from flask_smorest import Blueprint

from service.api.problems import PROBLEM_MEDIA_TYPE

bp = Blueprint("documents", __name__, description="文书生成 / Document rendering")

PROBLEM_RESPONSE = {
    "description": "application/problem+json",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}},
}
