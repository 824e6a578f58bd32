"""The document kinds Gongwen produces: every module of service.documents that defines KIND."""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
from functools import cache
from typing import Any

import service.documents
from service.config import PROJECT_ROOT
from service.documents.kind import DocumentKind
from service.errors import ConfigurationError, UnknownDocumentKindError, bilingual

# One example body per kind, shipped with the service (the forms prefill from them); those office systems
# sent us (shared/examples) are copied here unchanged, and the tests check the copies.
EXAMPLES_DIR = PROJECT_ROOT / "schemas" / "examples"


# The package's own machinery; the pipeline imports this module, so importing it from here would be circular.
_NOT_KINDS = frozenset(
    {"archiving", "issuing", "kind", "kinds", "page_rules", "pipeline", "template_versions", "templates", "validation"}
)


def _discover() -> dict[str, DocumentKind]:
    # Discovered rather than listed, so adding a kind is adding its module (and its schema and template).
    found: dict[str, DocumentKind] = {}
    for module_info in pkgutil.iter_modules(service.documents.__path__):
        if module_info.name in _NOT_KINDS:
            continue
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


def example_body(name: str) -> dict[str, Any]:
    """The kind's example request body, as office systems would post it (a fresh copy)."""
    return copy.deepcopy(_read_example(find_kind(name)))


@cache
def _read_example(kind: DocumentKind) -> dict[str, Any]:
    path = EXAMPLES_DIR / f"{kind.name}.json"
    try:
        body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        message = bilingual(f"缺少{kind.label}示例", f"example body {path} cannot be read: {exc}")
        raise ConfigurationError(message) from exc
    return body
