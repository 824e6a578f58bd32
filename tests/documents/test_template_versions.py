"""Template versions in document terms: what an upload inherits, what activation re-checks, what renders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from service.config import Settings
from service.documents import template_versions
from service.documents.pipeline import OutputFormat, render_document
from service.documents.templates import TemplateCatalog, TemplateVersions, file_sha256
from service.errors import ConflictError, TemplateRejectedError
from service.storage.accounts import AuditEntry
from service.storage.database import Database
from service.storage.files import FileStore
from tests.conftest import load_example
from tests.rendering.lint_files import DOCUMENT, notice, template_package
from tests.storage.conftest import database, files, url  # noqa: F401 - fixtures

NOTICE = "meeting-notice"
AUDIT = AuditEntry("tests", "template.uploaded")


@pytest.fixture
def catalog(tmp_path: Path, database: Database, files: FileStore) -> TemplateCatalog:  # noqa: F811
    """The built-in templates in a copy this test may change, and the registry's versions."""
    templates = tmp_path / "templates"
    shutil.copytree(Settings().templates_dir, templates)
    return TemplateCatalog(templates, TemplateVersions(database, files))


def _docx(package: dict[str, bytes], old: str = "", new: str = "") -> bytes:
    from service.rendering import ooxml

    xml = package[DOCUMENT].decode("utf-8")
    assert old in xml
    return ooxml.write_package({**package, DOCUMENT: xml.replace(old, new, 1).encode("utf-8")})


def test_variants_not_uploaded_are_those_of_the_active_version(catalog: TemplateCatalog) -> None:
    document = _docx(notice(), "填报单位（盖章）：", "填报单位（加盖公章）：")
    letter = _docx(template_package(NOTICE, "letter"), "填报单位（盖章）：", "填报单位（签章）：")

    second = template_versions.upload_version(catalog, NOTICE, {"document": document}, "回执", AUDIT).version
    template_versions.activate_version(catalog, NOTICE, 2, "启用", AUDIT)
    third = template_versions.upload_version(catalog, NOTICE, {"letter": letter}, "信函", AUDIT).version

    built_in = catalog.built_in(NOTICE)
    assert second.files["letter"] == file_sha256(built_in.path("letter"))
    assert third.files["document"] == second.files["document"] != file_sha256(built_in.path("document"))
    assert third.files["letter"] != second.files["letter"]
    assert (second.based_on, third.based_on) == (1, 2)


def test_a_template_that_fails_to_fill_the_example_is_refused(catalog: TemplateCatalog) -> None:
    # Parses and names only known variables, but iterating a number fails when filled.
    broken = _docx(notice(), "填报单位（盖章）：", "{% for x in issuer_mark_size %}{{ x }}{% endfor %}")

    with pytest.raises(TemplateRejectedError) as refused:
        template_versions.upload_version(catalog, NOTICE, {"document": broken}, "试验", AUDIT)

    assert "files.document" in refused.value.errors
    assert refused.value.report["document"]["findings"][0]["code"] == "example_render_failed"
    assert template_versions.kind_templates(catalog, NOTICE).versions == []


def test_a_version_that_no_longer_fits_the_kinds_variables_is_not_activated(catalog: TemplateCatalog) -> None:
    document = _docx(notice(), "填报单位（盖章）：", "填报单位（加盖公章）：")
    template_versions.upload_version(catalog, NOTICE, {"document": document}, "回执", AUDIT)
    # A later release renames a variable the stored version reads.
    manifest_path = catalog.templates_dir / NOTICE / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["variables"]["signer"] = manifest["variables"].pop("signatory")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(ConflictError) as refused:
        template_versions.activate_version(catalog, NOTICE, 2, "启用", AUDIT)

    assert "signatory" in " ".join(refused.value.errors["files.document"])
    assert catalog.active_version(NOTICE) == 1


def test_an_issued_documents_version_renders_it_again_after_a_switch(catalog: TemplateCatalog) -> None:
    document = _docx(notice(), "填报单位（盖章）：", "填报单位（加盖公章）：")
    template_versions.upload_version(catalog, NOTICE, {"document": document}, "回执", AUDIT)
    template_versions.activate_version(catalog, NOTICE, 2, "启用", AUDIT)
    with_v2 = render_document(catalog, NOTICE, load_example(NOTICE), OutputFormat.DOCX)
    template_versions.roll_back_version(catalog, NOTICE, "回退", AUDIT)

    again = render_document(catalog, NOTICE, load_example(NOTICE), OutputFormat.DOCX, version=2)
    active = render_document(catalog, NOTICE, load_example(NOTICE), OutputFormat.DOCX)

    assert (with_v2.template_version, again.template_version, active.template_version) == (2, 2, 1)
    assert again.content == with_v2.content
    assert again.template_sha256 == with_v2.template_sha256 != active.template_sha256
