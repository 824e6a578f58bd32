"""DocumentKind: what one kind of document needs to be validated, filled and named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from marshmallow import Schema

if TYPE_CHECKING:
    from service.documents.page_rules import PageRules

Data = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """One document of several made from one body (e.g. one 反馈单 per unit); `name` tells them apart."""

    name: str
    data: Data


def _one_template(_data: Data) -> str:
    return "document"


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: how its body is validated, what the template receives, how files are named.

    `split`, when given, turns one body into several documents of the same kind: as DOCX they come in a
    ZIP, one file per part; as PDF they are one file, the parts one after another.
    """

    name: str
    label: str
    schema: type[Schema]
    build_context: Callable[[Data], Data]
    title: Callable[[Data], str]
    # The date the document carries; it becomes the file's creation date, so output never depends on the clock.
    document_date: Callable[[Data], date]
    subject: Callable[[Data], str]
    author: Callable[[Data], str]
    template_variant: Callable[[Data], str] = _one_template
    split: Callable[[Data], list[Part]] | None = None
    # GB/T 9704 rules checked on the rendered PDF (版记 page, seal block); None for forms without them.
    page_rules: PageRules | None = None

    def parts(self, data: Data) -> list[Part]:
        return self.split(data) if self.split is not None else [Part("", data)]
