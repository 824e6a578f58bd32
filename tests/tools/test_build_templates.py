"""The committed templates are exactly what tools/build_templates.py builds, and each manifest documents its context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT
from service.documents.kinds import KINDS
from service.documents.pipeline import validate_document
from tests.conftest import load_example
from tools.build_templates import build_all, builders

TEMPLATES_DIR = PROJECT_ROOT / "templates"


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    build_all(out)
    return out


def committed_files() -> list[str]:
    return sorted(
        f"{kind}/{name}"
        for kind, templates in builders().items()
        for name in [*templates.files.values(), "manifest.json"]
    )


def test_every_document_kind_has_a_template_builder():
    assert set(builders()) == set(KINDS)


@pytest.mark.parametrize("name", committed_files())
def test_committed_file_equals_a_fresh_build(name: str, fresh_build: Path):
    assert (TEMPLATES_DIR / name).read_bytes() == (fresh_build / name).read_bytes(), (
        f"templates/{name} is stale: run `make templates`"
    )


def test_building_twice_gives_identical_files(fresh_build: Path, tmp_path: Path):
    build_all(tmp_path)
    for name in committed_files():
        assert (tmp_path / name).read_bytes() == (fresh_build / name).read_bytes(), name


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_manifest_documents_exactly_the_context_the_kind_builds(kind: str):
    manifest = json.loads((TEMPLATES_DIR / kind / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == kind
    assert manifest["lint"] in {"gbt9704", "gbt9704-one-page-form", "reference"}
    for key, entry in manifest["variables"].items():
        assert entry["type"] and entry["meaning"], key
    for filename in manifest["files"].values():
        assert (TEMPLATES_DIR / kind / filename).is_file()
    validated = validate_document(kind, load_example(kind))
    for part in validated.kind.parts(validated.data):
        assert set(manifest["variables"]) == set(validated.kind.build_context(part.data))
