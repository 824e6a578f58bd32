"""Reads a finished archive run's ZIP the way an archivist's checker would, and lists what is wrong."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pypdf import PdfReader

from service.storage import archive_runs as runs
from service.storage.database import Database
from service.storage.files import FileStore
from tests.rendering.pdf_measure import Char, read_pdf_bytes

ITEMS_FOLDER = "件/"
BOX_FOLDER = "盒/"


@dataclass(frozen=True)
class ArchiveResult:
    files: dict[str, bytes]
    manifest: dict[str, Any]

    @property
    def item_files(self) -> dict[str, bytes]:
        return {name: data for name, data in sorted(self.files.items()) if name.startswith(ITEMS_FOLDER)}

    @property
    def box(self) -> bytes:
        (box,) = [data for name, data in self.files.items() if name.startswith(BOX_FOLDER)]
        return box


def open_result(zip_bytes: bytes) -> ArchiveResult:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    return ArchiveResult(files, manifest)


def manifest_problems(result: ArchiveResult) -> list[str]:
    """Every file in the ZIP is in the manifest with its true SHA-256, size and page count, and no other."""
    problems = []
    listed = {entry["name"]: entry for entry in result.manifest["files"]}
    if set(listed) != set(result.files):
        problems.append(f"manifest lists {sorted(set(listed) ^ set(result.files))} differently from the ZIP")
    for name, data in result.files.items():
        entry = listed.get(name)
        if entry is None:
            continue
        if entry["sha256"] != hashlib.sha256(data).hexdigest() or entry["size"] != len(data):
            problems.append(f"{name}: SHA-256 or size differ from the manifest")
        if name.endswith(".pdf") and entry.get("pages") != page_count(data):
            problems.append(f"{name}: manifest says {entry.get('pages')} pages, the file has {page_count(data)}")
    for item in result.manifest["items"]:
        data = result.files.get(item["file"])
        if data is None or item["sha256"] != hashlib.sha256(data).hexdigest() or item["pages"] != page_count(data):
            problems.append(f"manifest item {item['item_no_printed']}: its file, hash or page count does not match")
        elif not item["file"].startswith(f"{ITEMS_FOLDER}{item['item_no_printed']}-"):
            problems.append(f"manifest item {item['item_no_printed']} points at {item['file']}")
    return problems


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def item_numbers(result: ArchiveResult) -> list[str]:
    """The 件号 of the item files, from their names (0041-题名.pdf), in order."""
    return [name.removeprefix(ITEMS_FOLDER)[:4] for name in result.item_files]


def page_text(pdf: bytes, index: int) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "".join((document.pages[index].extract_text() or "").split())


def outline(pdf: bytes) -> list[tuple[str, int]]:
    """Top-level outline entries as (title, page index)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (entry.title, reader.get_destination_page_number(entry))
        for entry in reader.outline
        if not isinstance(entry, list)
    ]


def catalogue_pages_column(pdf: bytes) -> dict[str, int]:
    """The 归档文件目录's 页数 by 件号, read from where the columns sit on the page (not by guessing order).

    件号 and 页数 are single lines centred in their cells, so they share a baseline with each other.
    """
    found: dict[str, int] = {}
    for page in read_pdf_bytes(pdf):
        rows: dict[float, list[Char]] = {}
        for char in page.chars:
            if char.text.strip():
                rows.setdefault(round(char.baseline, 1), []).append(char)
        header = next(
            (chars for chars in rows.values() if "页数" in "".join(c.text for c in sorted(chars, key=lambda c: c.x0))),
            None,
        )
        if header is None:
            continue
        ordered = sorted(header, key=lambda c: c.x0)
        text = "".join(c.text for c in ordered)
        at = text.index("页数")
        pages_x = (ordered[at].centre + ordered[at + 1].centre) / 2
        number_x = ordered[0].x0
        for chars in rows.values():
            row = sorted(chars, key=lambda c: c.x0)
            number = "".join(c.text for c in row if abs(c.x0 - number_x) < 12)[:4]
            pages = "".join(c.text for c in row if abs(c.centre - pages_x) < 5)
            if len(number) == 4 and number.isdigit() and pages.isdigit():
                found[number] = int(pages)
    return found


def box_problems(result: ArchiveResult, *, fonds_no: str, year: int, retention: str, first_item_no: int) -> list[str]:
    """The merged box against its parts: page count, one outline entry per 件 at its first page, the
    归档章 filled in on that page and on no other, and the 目录's 页数 equal to each 件's real pages."""
    problems = []
    items = result.item_files
    numbers = item_numbers(result)
    expected_numbers = [f"{first_item_no + offset:04d}" for offset in range(len(items))]
    if numbers != expected_numbers:
        problems.append(f"件号 {numbers}, expected {expected_numbers}")
    real_pages = {name.removeprefix(ITEMS_FOLDER)[:4]: page_count(pdf) for name, pdf in items.items()}
    forms = {name: page_count(pdf) for name, pdf in result.files.items() if name.startswith("表/")}
    box = result.box
    spine = sum(pages for name, pages in forms.items() if "盒脊" in name)
    expected_box_pages = sum(forms.values()) - spine + sum(real_pages.values())
    if page_count(box) != expected_box_pages:
        problems.append(f"the box has {page_count(box)} pages, its parts {expected_box_pages}")
    entries = {title[:4]: page for title, page in outline(box) if title[:4].isdigit()}
    if sorted(entries) != sorted(real_pages):
        problems.append(f"outline entries for {sorted(entries)}, 件 {sorted(real_pages)}")
    stamp = f"{fonds_no}{year}"
    for number, first_page in entries.items():
        text = page_text(box, first_page)
        if not text.startswith(f"{stamp}{number}") or retention not in text[:40]:
            problems.append(f"件 {number}: its first page (box page {first_page + 1}) starts {text[:30]!r}, no 归档章")
        for later in range(first_page + 1, first_page + real_pages.get(number, 1)):
            if page_text(box, later).startswith(stamp):
                problems.append(f"件 {number}: a 归档章 on box page {later + 1}, not its first page")
        after_retention = text[text.find(retention) + len(retention) :]
        pages_in_stamp = after_retention[: len(after_retention) - len(after_retention.lstrip("0123456789"))]
        if pages_in_stamp != str(real_pages.get(number)):
            problems.append(f"件 {number}: the 归档章 does not show its {real_pages.get(number)} pages")
    catalogue = next(pdf for name, pdf in result.files.items() if "归档文件目录" in name)
    listed = catalogue_pages_column(catalogue)
    if listed != real_pages:
        problems.append(f"目录 页数 {listed}, real {real_pages}")
    return problems


def assert_finished_whole(
    database: Database,
    files: FileStore,
    run_id: str,
    total: int,
    *,
    done_before: Collection[int] = (),
) -> ArchiveResult:
    """The run of this suite's meeting (J012, 2026, from 件号 41) finished with every 件 once, nothing failed,
    its manifest and box sound, and the 件 in `done_before` (positions) not prepared again after a fault."""
    run = runs.get_run(database, run_id)
    assert (run.status, run.done, run.failures, run.error) == ("finished", total, [], None)
    assert run.result is not None
    result = open_result(files.read(run.result["zip"]))
    assert manifest_problems(result) == []
    assert box_problems(result, fonds_no="J012", year=2026, retention="定期30年", first_item_no=41) == []
    assert len(result.item_files) == total == len(result.manifest["items"])
    attempts = {item.position: item.attempts for item in runs.stamped_items(database, run_id)}
    assert {position: attempts[position] for position in done_before} == dict.fromkeys(done_before, 1)
    return result
