"""The document kinds Gongwen produces, each tying its schema, context builder and template together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from schemas.meeting_notice import MeetingNoticeSchema
from service.documents import meeting_notice
from service.errors import UnknownDocumentKindError, bilingual


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: how its body is validated and what the template receives."""

    name: str
    label: str
    schema: type[Schema]
    build_context: Callable[[dict[str, Any]], dict[str, Any]]
    template_variant: Callable[[dict[str, Any]], str]
    subject: Callable[[dict[str, Any]], str]
    author: Callable[[dict[str, Any]], str]


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind(
            name="meeting-notice",
            label="会议通知",
            schema=MeetingNoticeSchema,
            build_context=meeting_notice.build_context,
            template_variant=lambda data: str(data["format"]),
            subject=lambda data: str(data["meeting"]["name"]),
            author=lambda data: str(data["issuer"]["name"]),
        ),
    )
}


def find_kind(name: str) -> DocumentKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise UnknownDocumentKindError(
            bilingual(f"没有“{name}”这种文书，可用：{known}", f"No document kind {name!r}; known: {known}")
        ) from None
