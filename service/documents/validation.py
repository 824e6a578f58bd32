"""Turns a raw request body into validated data, or a PayloadInvalidError keyed by field path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from service.errors import PayloadInvalidError, bilingual


def load_payload(schema: Schema, payload: Any) -> dict[str, Any]:
    """Validate `payload` with `schema`; all problems are reported together."""
    if not isinstance(payload, Mapping):
        raise PayloadInvalidError(
            bilingual("请求体应为JSON对象", "The body must be a JSON object."),
            errors={"": [bilingual("应为JSON对象", "Expected a JSON object.")]},
        )
    try:
        loaded: dict[str, Any] = schema.load(payload)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages)
        fields = "、".join(sorted(errors))
        raise PayloadInvalidError(
            bilingual(f"以下字段有误：{fields}", f"Invalid fields: {', '.join(sorted(errors))}"),
            errors=errors,
        ) from exc
    return loaded


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as {"meeting.start": [...], "recipients[2]": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for sub_path, texts in flatten_messages(value, path).items():
                flat.setdefault(sub_path, []).extend(texts)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping):
                for sub_path, texts in flatten_messages(item, prefix).items():
                    flat.setdefault(sub_path, []).extend(texts)
            else:
                flat.setdefault(prefix, []).append(str(item))
    else:
        flat.setdefault(prefix, []).append(str(messages))
    return flat
