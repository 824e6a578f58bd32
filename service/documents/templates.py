"""The template files a kind renders with, per version (模板版本): the built-in set or an uploaded one.

Version 1 of a kind is its built-in set in templates/<kind>/ (manifest.json names one file per variant);
uploaded versions live in the file store (service.documents.template_versions checks and switches them).
A document records the version that made it, and is made again with that version, whichever is active by then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from service.errors import StorageUnavailableError, TemplateInvalidError, bilingual
from service.storage import templates as store
from service.storage.database import Database
from service.storage.files import FileStore

BUILT_IN_VERSION = store.BUILT_IN_VERSION


@dataclass(frozen=True)
class TemplateSet:
    """The files one version of a kind renders with, one per variant."""

    kind: str
    version: int
    paths: Mapping[str, Path]

    def path(self, variant: str) -> Path:
        try:
            return self.paths[variant]
        except KeyError:
            raise TemplateInvalidError(
                bilingual(f"{self.kind}没有“{variant}”模板", f"{self.kind} has no template for variant {variant!r}")
            ) from None

    def sha256(self, variants: Iterable[str]) -> str:
        """The identity of the files these variants render with (one file: its SHA-256), as documents record it."""
        digests = [file_sha256(self.path(variant)) for variant in sorted(set(variants))]
        return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


@dataclass(frozen=True)
class TemplateVersions:
    """Where uploaded versions live: their rows in the database, their files in the file store."""

    database: Database
    files: FileStore


class TemplateCatalog:
    """The templates a kind renders with: the built-in set, or the active (or a named) uploaded version.

    Without `versions` (a render from the command line with no database) only the built-in sets exist.
    """

    def __init__(self, templates_dir: Path, versions: TemplateVersions | None = None) -> None:
        self.templates_dir = templates_dir
        self.versions = versions

    def manifest(self, kind: str) -> dict[str, Any]:
        path = self.templates_dir / kind / "manifest.json"
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TemplateInvalidError(
                bilingual(f"模板清单无法读取：{path}", f"cannot read template manifest {path}: {exc}")
            ) from exc
        return manifest

    def variants(self, kind: str) -> list[str]:
        return list(self.manifest(kind).get("files", {}))

    def built_in(self, kind: str) -> TemplateSet:
        files = self.manifest(kind).get("files", {})
        return TemplateSet(
            kind, BUILT_IN_VERSION, {variant: self.templates_dir / kind / name for variant, name in files.items()}
        )

    def active_version(self, kind: str) -> int:
        return BUILT_IN_VERSION if self.versions is None else store.active_version(self.versions.database, kind)

    def resolve(self, kind: str, version: int | None = None) -> TemplateSet:
        """The files of `version` of `kind`, or of its active version when `version` is None."""
        wanted = self.active_version(kind) if version is None else version
        if wanted == BUILT_IN_VERSION:
            return self.built_in(kind)
        if self.versions is None:
            raise TemplateInvalidError(
                bilingual(
                    f"{kind}第{wanted}版模板存放在数据库中，此处未连接",
                    f"{kind} template version {wanted} needs the registry",
                )
            )
        stored = store.get_version(self.versions.database, kind, wanted)
        paths = {variant: self.versions.files.path(sha) for variant, sha in stored.files.items()}
        return TemplateSet(kind, wanted, paths)

    def problems(self, kinds: list[str]) -> list[str]:
        """What keeps the catalog from serving these kinds (for /readyz); empty when ready."""
        found = []
        for kind in kinds:
            try:
                for variant, path in self.resolve(kind).paths.items():
                    if not path.is_file():
                        found.append(f"{kind}/{variant}: missing {path.name}")
            except TemplateInvalidError as exc:
                found.append(exc.detail)
            except StorageUnavailableError as exc:
                # Which version is active cannot be known; the database's own check says why.
                found.append(exc.detail)
                break
        return found


def file_sha256(path: Path) -> str:
    """The SHA-256 of a template file, hashed once per change of the file."""
    try:
        return _sha256_of(str(path.resolve()), path.stat().st_mtime_ns)
    except OSError as exc:
        raise TemplateInvalidError(
            bilingual(f"模板文件无法读取：{path}", f"cannot read template {path}: {exc.strerror}")
        ) from exc


@cache
def _sha256_of(path: str, mtime_ns: int) -> str:
    del mtime_ns  # part of the cache key only: a changed file is hashed again
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
