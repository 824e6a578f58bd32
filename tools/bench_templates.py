"""What template maintainers wait for: checking an upload, linting a DOCX, refusing a zip bomb, a preview.

make bench-templates        # or: .venv/bin/python tools/bench_templates.py --repeat 20

In-process, with the real LibreOffice for the preview. Prints the median of --repeat runs for each step and
the peak Python memory (tracemalloc) of refusing a 1 GiB zip bomb.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from service.config import Settings
from service.conversion import pool_from_settings
from service.documents import template_versions
from service.documents.templates import TemplateCatalog, TemplateVersions
from service.rendering import ooxml
from service.rendering.template_check import open_package
from service.storage.accounts import AuditEntry
from service.storage.database import Database
from service.storage.files import FileStore

KIND = "meeting-notice"
AUDIT = AuditEntry("bench", "template.uploaded")


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: caches, first import of lazily loaded modules
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def zip_bomb(notice: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in notice.items():
            if name != "word/document.xml":
                archive.writestr(name, content)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return buffer.getvalue()


def check(catalog: TemplateCatalog, candidate: bytes) -> object:
    return template_versions.check_upload(catalog, KIND, "document", candidate)


def upload(catalog: TemplateCatalog, candidate: bytes) -> object:
    return template_versions.upload_version(catalog, KIND, {"document": candidate}, "bench", AUDIT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = Settings()
    notice = (settings.templates_dir / KIND / "document.docx").read_bytes()
    package = ooxml.read_package(notice)
    edited = package["word/document.xml"].decode("utf-8").replace("填报单位（盖章）：", "填报单位（加盖公章）：")
    candidate = ooxml.write_package({**package, "word/document.xml": edited.encode("utf-8")})
    bomb = zip_bomb(package)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as directory:
        local = replace(settings, data_dir=Path(directory), converters=1)
        database = Database.from_settings(local)
        database.migrate()
        catalog = TemplateCatalog(settings.templates_dir, TemplateVersions(database, FileStore(local.files_dir)))
        steps: list[tuple[str, Callable[[], object]]] = [
            ("check one upload (safety, split tags, Jinja, lint)", lambda: check(catalog, candidate)),
            ("upload a version (checks, example fill, store)", lambda: upload(catalog, candidate)),
            ("lint a DOCX (POST /api/v1/lint)", lambda: template_versions.lint_document(notice)),
            ("refuse a 1 GiB zip bomb", lambda: open_package(bomb)),
        ]
        rows += [(name, f"{median_ms(step, args.repeat):.1f} ms") for name, step in steps]
        tracemalloc.start()
        open_package(bomb)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            ("  its peak Python memory", f"{peak / 1024 / 1024:.2f} MiB (the zip is {len(bomb) / 1024 / 1024:.2f} MiB)")
        )
        pool = pool_from_settings(local)
        try:
            pool.warm()
            preview = median_ms(lambda: template_versions.preview_version(catalog, pool, KIND, 2), 3)
            rows.append(("preview v2 beside v1 (2 PDFs, 60 dpi pages, conformance)", f"{preview:.0f} ms"))
        finally:
            pool.stop()
        database.dispose()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
