"""Uploading, checking, switching and previewing template versions; and the GB/T 9704 lint of any DOCX.

An upload is checked (a safe DOCX, Jinja that parses and reads only what the kind provides, a test render
of the kind's example, the GB/T 9704 lint), cleaned (split tags joined, Word's character grid normalised),
stored, and switched on one version at a time; lint errors keep a version from being switched on.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.documents.kinds import KINDS, example_body, find_kind
from service.documents.pipeline import Converter, OutputFormat, render_validated, validate_document
from service.documents.templates import BUILT_IN_VERSION, TemplateCatalog, TemplateSet, TemplateVersions, file_sha256
from service.errors import (
    ConflictError,
    GongwenError,
    PayloadInvalidError,
    TemplateInvalidError,
    TemplateRejectedError,
    UploadInvalidError,
    bilingual,
)
from service.findings import Finding, Location, Report, Severity
from service.postprocess.conformance import measure_conformance
from service.postprocess.preview import render_page_png
from service.rendering import lint, ooxml, template_check
from service.storage import templates as store
from service.storage.accounts import AuditEntry

# manifest.json "lint": what a kind's uploads are checked against. "reference" is for forms whose page is not
# a 公文 page (e.g. the DA/T 22 归档章): they are checked against version 1's page setup instead.
LINT_REFERENCE = "reference"
LINT_PROFILES = {"gbt9704": lint.GBT9704, "gbt9704-one-page-form": lint.GBT9704_ONE_PAGE_FORM}
MAX_REASON_CHARS = 500
MAX_TEMPLATE_BYTES = template_check.PackageLimits().max_upload_bytes
# The field of the example body that picks a variant other than the kind's first (the archive stamp's batch
# variant is not picked by a body: the archive run fills it, and the checks above are all it gets).
VARIANT_SWITCHES: dict[tuple[str, str], tuple[str, Any]] = {("meeting-notice", "letter"): ("format", "letter")}


@dataclass(frozen=True)
class CheckedFile:
    """One uploaded variant after its checks: the cleaned file (split tags joined, grid normalised) and findings.

    `checks` (safety, Jinja, variables) refuse an upload; `lint` (GB/T 9704) errors only keep it from activation.
    """

    variant: str
    content: bytes | None
    checks: Report
    lint: Report = field(default_factory=Report)

    @property
    def accepted(self) -> bool:
        return self.content is not None and self.checks.ok

    @property
    def report(self) -> Report:
        return Report(self.checks.findings + self.lint.findings)


def check_upload(catalog: TemplateCatalog, kind: str, variant: str, data: bytes) -> CheckedFile:
    """Every check of one uploaded template file, all findings reported together."""
    package, findings = template_check.check_template(data, _contract(catalog, kind, variant))
    if package is None:
        return CheckedFile(variant, None, Report.of(findings))
    package, normalised = lint.normalise_grid(package)
    linted = lint.lint_package(package, lint_profile(catalog, kind, variant))
    return CheckedFile(variant, ooxml.write_package(package), Report.of(findings), Report.of(normalised, linted))


def _contract(catalog: TemplateCatalog, kind: str, variant: str) -> template_check.ContextContract:
    manifest = catalog.manifest(kind)
    # A variant may be filled with a context of its own (the archive stamp's batch: a list of stamps).
    variables = manifest.get("variant_variables", {}).get(variant, manifest.get("variables", {}))
    return template_check.ContextContract.from_manifest({"kind": kind, "variables": variables})


def lint_profile(catalog: TemplateCatalog, kind: str, variant: str) -> lint.LintProfile:
    name = catalog.manifest(kind).get("lint", "gbt9704")
    if name == LINT_REFERENCE:
        reference = ooxml.read_package(catalog.built_in(kind).path(variant).read_bytes())
        return lint.LintProfile.from_reference(reference, f"{kind} version {BUILT_IN_VERSION}")
    try:
        return LINT_PROFILES[name]
    except KeyError:
        raise TemplateInvalidError(
            bilingual(
                f"{kind}的模板清单指定了未知的检查标准{name}", f"{kind}'s manifest names an unknown lint {name!r}"
            )
        ) from None


def lint_document(data: bytes) -> Report:
    """GB/T 9704 deviations of any DOCX (made anywhere), after the same safety checks as an upload."""
    package, findings = template_check.open_package(data)
    if package is None:
        raise UploadInvalidError(
            bilingual("文件不是可安全打开的DOCX", "the file is not a DOCX that can be opened safely"),
            errors={"file": [_describe(finding) for finding in findings if finding.severity is Severity.ERROR]},
        )
    return Report.of(findings, lint.lint_package(package, lint.GBT9704))


# --- versions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedVersion:
    version: store.StoredTemplateVersion
    reports: dict[str, Report] = field(default_factory=dict)


def upload_version(
    catalog: TemplateCatalog, kind: str, files: Mapping[str, bytes], reason: str, audit: AuditEntry
) -> UploadedVersion:
    """Check and store a new version of `kind`; variants not uploaded are those of the active version.

    Nothing is stored unless every file is accepted; lint errors are stored with the version and keep it
    from being activated, so a maintainer can still preview it and see what the lint means.
    """
    versions = _registry(catalog)
    find_kind(kind)
    _check_upload_request(catalog, kind, files, reason)
    checked = {variant: check_upload(catalog, kind, variant, data) for variant, data in files.items()}
    refused = {variant: result for variant, result in checked.items() if not result.accepted}
    if refused:
        raise TemplateRejectedError(
            bilingual(
                f"{find_kind(kind).label}模板未通过检查",
                f"the {kind} template failed its checks: {', '.join(f'files.{v}' for v in refused)}",
            ),
            errors={
                f"files.{variant}": [_describe(finding) for finding in result.checks.errors]
                for variant, result in refused.items()
            },
            report={variant: result.report.as_dict() for variant, result in checked.items()},
        )
    based_on = catalog.active_version(kind)
    active = catalog.resolve(kind, based_on)
    _render_example(kind, active, {variant: result.content for variant, result in checked.items() if result.content})
    shas = {variant: file_sha256(path) for variant, path in active.paths.items()}
    if active.version == BUILT_IN_VERSION:
        # A built-in file carried over joins the store, so a version's files all live in one place.
        for variant, path in active.paths.items():
            if variant not in checked:
                versions.files.put(path.read_bytes())
    for variant, result in checked.items():
        assert result.content is not None  # accepted
        shas[variant] = versions.files.put(result.content)
    reports = {variant: result.report for variant, result in checked.items()}
    stored = store.add_version(
        versions.database,
        store.NewTemplateVersion(
            kind=kind,
            files=shas,
            report={variant: report.as_dict() for variant, report in reports.items()},
            activatable=all(report.ok for report in reports.values()),
            based_on=based_on,
            reason=reason.strip(),
            uploaded_by=audit.actor,
        ),
        audit,
    )
    return UploadedVersion(stored, reports)


def _render_example(kind: str, active: TemplateSet, candidates: Mapping[str, bytes]) -> None:
    """Fill the candidate files with the kind's example (DOCX, no conversion): what parses can still fail to fill.

    The checks above find what can be seen in the template; this finds the rest (a filter given a list, a
    loop over a number) before any clerk does. Every variant is filled, each from an example that picks it.
    """
    with tempfile.TemporaryDirectory(prefix="gongwen-template-") as directory:
        paths = dict(active.paths)
        for variant, content in candidates.items():
            paths[variant] = Path(directory) / f"{variant}.docx"
            paths[variant].write_bytes(content)
        templates = TemplateSet(kind, 0, paths)
        for variant in candidates:
            validated = validate_document(kind, example_for_variant(kind, variant))
            try:
                render_validated(validated, templates, OutputFormat.DOCX)
            except GongwenError as error:
                finding = Finding(
                    "example_render_failed", Severity.ERROR, error.detail, Location(part=f"{variant}.docx")
                )
                raise TemplateRejectedError(
                    bilingual(
                        f"用{variant}模板填充示例失败", f"the {variant} template cannot be filled with the example"
                    ),
                    errors={f"files.{variant}": [error.detail]},
                    report={variant: Report((finding,)).as_dict()},
                ) from error


def example_for_variant(kind: str, variant: str) -> dict[str, Any]:
    """The kind's example body, changed where needed so that it renders with `variant` (e.g. a notice as a letter)."""
    body = example_body(kind)
    switch = VARIANT_SWITCHES.get((kind, variant))
    if switch is not None:
        field_name, value = switch
        body[field_name] = value
    return body


def activate_version(
    catalog: TemplateCatalog, kind: str, version: int, reason: str, audit: AuditEntry
) -> store.ActivationRecord:
    find_kind(kind)
    _check_reason(reason)
    _check_still_fits(catalog, kind, version)
    return store.activate(_registry(catalog).database, kind, version, reason.strip(), audit)


def _check_still_fits(catalog: TemplateCatalog, kind: str, version: int) -> None:
    """Refuse a version whose Jinja no longer fits what the kind provides (a newer release may have renamed it).

    Uploads were checked against the kind's variables of their day; activating an old version after an
    upgrade must not hand clerks a template that fails on every render.
    """
    if version == BUILT_IN_VERSION:
        return
    errors: dict[str, list[str]] = {}
    for variant, path in catalog.resolve(kind, version).paths.items():
        package, findings = template_check.open_package(path.read_bytes())
        if package is not None:
            findings = template_check.check_jinja(package, _contract(catalog, kind, variant))
        problems = [_describe(finding) for finding in findings if finding.severity is Severity.ERROR]
        if problems:
            errors[f"files.{variant}"] = problems
    if errors:
        raise ConflictError(
            bilingual(
                f"{kind}第{version}版模板与当前的数据项不再相符，不能启用",
                f"{kind} template version {version} no longer fits the data this release provides",
            ),
            errors=errors,
        )


def roll_back_version(catalog: TemplateCatalog, kind: str, reason: str, audit: AuditEntry) -> store.ActivationRecord:
    find_kind(kind)
    _check_reason(reason)
    return store.roll_back(_registry(catalog).database, kind, reason.strip(), audit)


@dataclass(frozen=True)
class KindTemplates:
    """A kind's templates as a maintainer sees them: the active version and every version there is."""

    kind: str
    label: str
    active: int
    variants: list[str]
    # The variants a preview can render (the archive stamp's batch is filled by archive runs, not a body).
    previewable: list[str]
    versions: list[store.StoredTemplateVersion]
    activations: list[store.ActivationRecord]

    @property
    def rollback_to(self) -> int | None:
        """The version a roll-back would activate: the one the newest switch replaced (None: never switched)."""
        return self.activations[0].previous_version if self.activations else None


def kind_templates(catalog: TemplateCatalog, kind: str) -> KindTemplates:
    versions = _registry(catalog)
    return KindTemplates(
        kind=kind,
        label=find_kind(kind).label,
        active=store.active_version(versions.database, kind),
        variants=catalog.variants(kind),
        previewable=previewable_variants(catalog, kind),
        versions=store.list_versions(versions.database, kind),
        activations=store.list_activations(versions.database, kind),
    )


def all_kind_templates(catalog: TemplateCatalog) -> list[tuple[str, str, int]]:
    """(kind, label, active version) for every kind."""
    active = store.active_versions(_registry(catalog).database)
    return [(name, kind.label, active.get(name, BUILT_IN_VERSION)) for name, kind in KINDS.items()]


def stored_version(catalog: TemplateCatalog, kind: str, version: int) -> store.StoredTemplateVersion:
    find_kind(kind)
    return store.get_version(_registry(catalog).database, kind, version)


def version_file(catalog: TemplateCatalog, kind: str, version: int, variant: str) -> bytes:
    """The DOCX of one variant of a version, for a maintainer to download and edit."""
    find_kind(kind)
    return catalog.resolve(kind, version).path(variant).read_bytes()


def _registry(catalog: TemplateCatalog) -> TemplateVersions:
    if catalog.versions is None:
        raise TemplateInvalidError(bilingual("模板版本需要数据库", "template versions need the database"))
    return catalog.versions


def _check_upload_request(catalog: TemplateCatalog, kind: str, files: Mapping[str, bytes], reason: str) -> None:
    errors: dict[str, list[str]] = {}
    variants = catalog.variants(kind)
    if not files:
        errors["files"] = [
            bilingual(
                f"请上传至少一个模板文件（{'、'.join(variants)}）", f"upload at least one file: {', '.join(variants)}"
            )
        ]
    for variant in files:
        if variant not in variants:
            errors[f"files.{variant}"] = [
                bilingual(
                    f"{kind}没有“{variant}”模板，可用：{'、'.join(variants)}",
                    f"{kind} has no variant {variant!r}; known: {', '.join(variants)}",
                )
            ]
    errors.update(_reason_errors(reason))
    if errors:
        raise PayloadInvalidError(
            bilingual(f"上传内容不完整：{'、'.join(errors)}", f"the upload is incomplete: {', '.join(errors)}"),
            errors=errors,
        )


def _check_reason(reason: str) -> None:
    errors = _reason_errors(reason)
    if errors:
        raise PayloadInvalidError(bilingual("请说明原因（reason）", "say why (reason)"), errors=errors)


def _reason_errors(reason: str) -> dict[str, list[str]]:
    if not reason.strip():
        return {"reason": [bilingual("请填写原因（修改了什么、为什么）", "give a reason: what changed and why")]}
    if len(reason) > MAX_REASON_CHARS:
        return {"reason": [bilingual(f"原因最长{MAX_REASON_CHARS}字", f"at most {MAX_REASON_CHARS} characters")]}
    return {}


def _describe(finding: Finding) -> str:
    where = f"（{finding.location.describe()}）" if finding.location is not None else ""
    return f"{finding.message}{where}"


# --- previews ---------------------------------------------------------------------------------------------

# Low enough that a page travels as a 40–80 KB image, high enough to see the red rule and the page numbers.
PREVIEW_DPI = 60


@dataclass(frozen=True)
class RenderedVersion:
    """The kind's example rendered with one version: its pages as PNG and the PDF's conformance report."""

    version: int
    pages: int
    images: list[bytes]
    conformance: dict[str, Any]
    layout_warnings: list[str]


@dataclass(frozen=True)
class Preview:
    kind: str
    variant: str
    candidate: RenderedVersion
    active: RenderedVersion
    # The candidate's upload report (None for the built-in version 1, which was never uploaded).
    upload_report: dict[str, Any] | None


def preview_version(
    catalog: TemplateCatalog,
    converter: Converter,
    kind: str,
    version: int,
    *,
    variant: str | None = None,
    dpi: int = PREVIEW_DPI,
) -> Preview:
    """The kind's example rendered with `version` and with the active version, for side-by-side comparison."""
    find_kind(kind)
    previewable = previewable_variants(catalog, kind)
    chosen = variant or previewable[0]
    if chosen not in previewable:
        raise PayloadInvalidError(
            bilingual(f"无法预览“{chosen}”模板", f"variant {chosen!r} cannot be previewed"),
            errors={
                "variant": [bilingual(f"可预览：{'、'.join(previewable)}", f"previewable: {', '.join(previewable)}")]
            },
        )
    candidate = catalog.resolve(kind, version)
    active = catalog.resolve(kind)
    body = example_for_variant(kind, chosen)
    profile = "form" if catalog.manifest(kind).get("lint") == LINT_REFERENCE else "gbt9704"
    rendered_candidate = _render_version(candidate, kind, body, converter, profile, dpi)
    rendered_active = (
        rendered_candidate
        if active.version == candidate.version
        else _render_version(active, kind, body, converter, profile, dpi)
    )
    upload_report = None
    if version != BUILT_IN_VERSION and catalog.versions is not None:
        upload_report = store.get_version(catalog.versions.database, kind, version).report
    return Preview(kind, chosen, rendered_candidate, rendered_active, upload_report)


def previewable_variants(catalog: TemplateCatalog, kind: str) -> list[str]:
    """The kind's first variant, and those an example body can pick (VARIANT_SWITCHES)."""
    variants = catalog.variants(kind)
    return [variant for variant in variants if variant == variants[0] or (kind, variant) in VARIANT_SWITCHES]


def _render_version(
    templates: TemplateSet, kind: str, body: dict[str, Any], converter: Converter, profile: str, dpi: int
) -> RenderedVersion:
    rendered = render_validated(validate_document(kind, body), templates, OutputFormat.PDF, converter)
    pages = rendered.pages or 0
    return RenderedVersion(
        version=templates.version,
        pages=pages,
        images=[render_page_png(rendered.content, number, dpi=dpi) for number in range(1, pages + 1)],
        conformance=measure_conformance(rendered.content, profile=profile).as_dict(),
        layout_warnings=[warning.message for warning in rendered.warnings],
    )
