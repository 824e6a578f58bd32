"""`gongwen archive manifest.json --out DIR`: the archive-run engine on this machine, with a progress bar.

The run keeps its state (an SQLite registry and the file store) in DIR/.gongwen, so the same command
started again after an interruption carries on where it stopped instead of starting over.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

import service.documents.archiving as archiving
from service.config import Settings
from service.conversion import pool_from_settings
from service.documents.issuing import issue_document
from service.documents.templates import TemplateCatalog, TemplateVersions
from service.errors import (
    MalformedBodyError,
    PayloadInvalidError,
    RenderError,
    StorageUnavailableError,
    UploadInvalidError,
    bilingual,
)
from service.jobs.archive_run import ArchiveRunner, Progress, prepare_run
from service.storage import archive_runs as runs
from service.storage import registry
from service.storage.database import Database
from service.storage.files import FileStore

STATE_DIR = ".gongwen"
STATE_FILE = "run.json"


@dataclass(frozen=True)
class LocalResult:
    items: int
    pages: int
    failures: list[runs.Failure]


def archive_locally(settings: Settings, manifest_path: Path, out: Path) -> LocalResult:
    """Carry the manifest's run to the end and write its results into `out`."""
    raw_manifest = manifest_path.read_bytes()
    try:
        manifest = json.loads(raw_manifest)
    except ValueError as exc:
        raise MalformedBodyError(bilingual("清单不是有效的JSON", f"the manifest is not valid JSON: {exc}")) from exc
    if not isinstance(manifest, Mapping) or not isinstance(manifest.get("documents"), list):
        raise PayloadInvalidError(
            bilingual("清单应为含documents列表的JSON对象", "The manifest is an object with a documents list."),
            errors={"documents": [bilingual("应为列表", "Expected a list.")]},
        )
    state = out / STATE_DIR
    local = replace(settings, data_dir=state, database_url="")
    database = Database.from_settings(local)
    database.migrate()
    files = FileStore(local.files_dir)
    converter = pool_from_settings(local)
    try:
        run_id = _resume_or_create(database, files, converter, local, manifest, manifest_path, raw_manifest)
        runner = ArchiveRunner(
            database,
            files,
            TemplateCatalog(local.templates_dir, TemplateVersions(database, files)),
            converter,
            workers=local.job_workers,
            lease_seconds=local.job_lease_seconds,
        )
        _carry_to_end(runner, database, run_id)
    finally:
        converter.stop()
    run = runs.get_run(database, run_id)
    if run.status != runs.FINISHED or run.result is None:
        raise PayloadInvalidError(
            bilingual(f"归档未完成：{run.error}", f"the run did not finish: {run.error}"),
            errors={"documents": [failure.reason for failure in run.failures]},
        )
    _write_results(files, run.result, out)
    return LocalResult(run.result["items"], run.result["pages"], run.failures)


def _resume_or_create(
    database: Database,
    files: FileStore,
    converter: Any,
    settings: Settings,
    manifest: Mapping[str, Any],
    manifest_path: Path,
    raw_manifest: bytes,
) -> str:
    """The run this manifest started before, or a new one: documents issued, uploads stored, 件 frozen."""
    digest = hashlib.sha256(raw_manifest).hexdigest()
    state_file = settings.data_dir / STATE_FILE
    if state_file.is_file():
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if state.get("manifest_sha256") == digest and state.get("run_id"):
            return str(state["run_id"])
    catalog = TemplateCatalog(settings.templates_dir, TemplateVersions(database, files))
    meeting = registry.create_meeting(database, title=f"归档：{manifest_path.stem}"[:200])
    selected: list[dict[str, Any]] = []
    for index, entry in enumerate(manifest["documents"]):
        if isinstance(entry, Mapping) and "kind" in entry:
            issued = issue_document(
                database,
                files,
                catalog,
                converter,
                meeting.id,
                str(entry["kind"]),
                entry.get("body"),
                # The manifest and the entry's place in it: issuing again after an interruption finds the
                # document issued the first time, with the same 发文字号.
                idempotency_key=f"{digest}:{index}",
                with_pdf=False,
            )
            selected.append({"document_id": issued.document.id, "remarks": entry.get("remarks", "")})
        elif isinstance(entry, Mapping) and "file" in entry:
            sha256 = _store_upload(database, files, manifest_path.parent / str(entry["file"]), index)
            selected.append({**{k: v for k, v in entry.items() if k != "file"}, "file": sha256})
        else:
            raise PayloadInvalidError(
                bilingual("每项应给出kind与body，或file", "Each entry gives kind and body, or file."),
                errors={f"documents[{index}]": [bilingual("应给出kind与body，或file", "Give kind and body, or file.")]},
            )
    request, items = prepare_run(database, {"selection": {"documents": selected}, "filing": manifest.get("filing")})
    run_id = runs.create_run(database, request, items)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"manifest_sha256": digest, "run_id": run_id}), encoding="utf-8")
    return run_id


def _store_upload(database: Database, files: FileStore, path: Path, index: int) -> str:
    field = f"documents[{index}].file"
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UploadInvalidError(
            bilingual(f"无法读取文件{path}", f"cannot read {path}: {exc.strerror}"),
            errors={field: [bilingual("文件无法读取", "The file cannot be read.")]},
        ) from exc
    try:
        pages = archiving.page_count(content)
    except RenderError as exc:
        raise UploadInvalidError(
            bilingual(f"{path.name}不是可读的PDF", f"{path.name} is not a readable PDF"),
            errors={field: [bilingual("应为可读的PDF文件", "Must be a readable PDF.")]},
        ) from exc
    sha256 = files.put(content)
    registry.record_file(
        database, registry.NewFile(sha256, "application/pdf", len(content), original_name=path.name, pages=pages)
    )
    return sha256


def _carry_to_end(runner: ArchiveRunner, database: Database, run_id: str) -> None:
    total = runs.get_run(database, run_id).total
    with tqdm(total=total, unit="件", desc="归档", dynamic_ncols=True) as bar:

        def show(progress: Progress) -> None:
            bar.set_description(progress.stage)
            bar.n = min(progress.done, total) if progress.stage == "preparing" else total
            bar.set_postfix_str(progress.current[:30], refresh=False)
            bar.refresh()

        while True:
            try:
                claim = runner.run(run_id, progress=show)
            except StorageUnavailableError as error:
                time.sleep(error.retry_after)
                continue
            if claim.outcome is not runs.ClaimOutcome.LEASED:
                return
            if claim.owner:
                # A previous `gongwen archive` on this directory was killed holding the lease: wait it out.
                bar.set_description(f"waiting {claim.retry_after} s for the previous run's lease")
            else:
                # Paused: the database or the disk is away (full, say); the run's error says which.
                with suppress(StorageUnavailableError):
                    tqdm.write(runs.get_run(database, run_id).error or "")
                bar.set_description(f"paused, trying again in {claim.retry_after} s")
            time.sleep(claim.retry_after)


def _write_results(files: FileStore, result: Mapping[str, Any], out: Path) -> None:
    """Each result file under its name in `out`, written beside and renamed, so none is ever half there."""
    named = {**result["files"], "manifest.json": result["manifest"]}
    for name, sha256 in named.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.write_bytes(files.read(sha256))
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
