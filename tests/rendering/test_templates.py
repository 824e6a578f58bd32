"""The committed templates are exactly what tools/build_templates.py builds, and the manifest documents them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from service.config import PROJECT_ROOT

from .conftest import EXAMPLE_CONTEXT, TEMPLATES_DIR


def load_builder() -> ModuleType:
    path = PROJECT_ROOT / "tools" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    load_builder().build_all(out)
    return out


@pytest.mark.parametrize("name", ["document.docx", "letter.docx", "manifest.json"])
def test_committed_file_equals_a_fresh_build(name: str, fresh_build: Path):
    assert (TEMPLATES_DIR / name).read_bytes() == (fresh_build / name).read_bytes(), (
        f"templates/meeting-notice/{name} is stale: run `make templates`"
    )


def test_building_twice_gives_identical_files(fresh_build: Path, tmp_path: Path):
    load_builder().build_all(tmp_path)
    for path in sorted(fresh_build.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_manifest_names_both_formats_and_documents_every_context_key():
    manifest = json.loads((TEMPLATES_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "meeting-notice"
    assert manifest["version"] == 1
    assert manifest["files"] == {"document": "document.docx", "letter": "letter.docx"}
    assert set(manifest["variables"]) == set(EXAMPLE_CONTEXT)
    for key, entry in manifest["variables"].items():
        assert entry["type"] and entry["meaning"], key
    for filename in manifest["files"].values():
        assert (TEMPLATES_DIR / filename).is_file()
