"""The document kinds Gongwen produces: every module of service.documents that defines KIND."""

from __future__ import annotations

import importlib
import pkgutil

import service.documents
from service.documents.kind import DocumentKind
from service.errors import UnknownDocumentKindError, bilingual


def _discover() -> dict[str, DocumentKind]:
    # Discovered rather than listed, so adding a kind is adding its module (and its schema and template).
    found: dict[str, DocumentKind] = {}
    for module_info in pkgutil.iter_modules(service.documents.__path__):
        module = importlib.import_module(f"{service.documents.__name__}.{module_info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, DocumentKind):
            found[kind.name] = kind
    return dict(sorted(found.items()))


KINDS: dict[str, DocumentKind] = _discover()


def find_kind(name: str) -> DocumentKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise UnknownDocumentKindError(
            bilingual(f"没有“{name}”这种文书，可用：{known}", f"No document kind {name!r}; known: {known}")
        ) from None
