"""归档 assembly (DA/T 22-2015, issue 5): stamps, the box's forms, the merged box, the manifest and the ZIP.

Pure functions over bytes for the archive-run job: nothing here reads a database or keeps state, and equal
inputs give equal bytes, so a run that is taken over after a kill can redo any step. The decisions (where the
stamp goes, batching, what PDF/A-2b is claimed and checked) are in docs/decisions/0013-archive-assembly.md.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from marshmallow import Schema

from schemas.archive_cover import DEFAULT_SPINE_WIDTH_MM, MAX_ITEM_NO
from schemas.archive_run import ArchiveFilingSchema
from schemas.fields import FieldCorrection
from service.documents import archive_cover, archive_stamp
from service.documents.pipeline import Converter, OutputFormat, render_document
from service.documents.templates import TemplateCatalog
from service.documents.validation import load_payload
from service.errors import PayloadInvalidError, RenderError, bilingual
from service.postprocess import merge
from service.postprocess.determinism import stabilise_pdf
from service.postprocess.merge import PdfMetadata, PdfPart, extract_pages, merge_pdfs
from service.postprocess.pdfium import page_texts
from service.postprocess.stamp import split_pages, stamp_first_page
from service.rendering.docx import DocumentProperties, render_docx
from service.typography.file_names import file_name_stem

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "gongwen-archive-manifest"
MANIFEST_VERSION = 1
# Stamps per LibreOffice conversion. Measured with the batch template on two cores: 100 stamps convert in
# 0.15 s, 300 in 0.8 s and 1000 in 8 s (LibreOffice's layout grows faster than the pages), so about a hundred
# at a time, and several hundred as a few conversions side by side.
STAMPS_PER_CONVERSION = 100
# Conversions of one call at once: as pipeline.MAX_PARALLEL_PARTS, enough for a pool of a few workers.
MAX_PARALLEL_CONVERSIONS = 4
STAMP_BATCH_VARIANT = "batch"
# Folders of the results ZIP, as an archivist sorts them: the 件, the merged box, and the box's forms.
ITEMS_FOLDER = "件"
BOX_FOLDER = "盒"
FORMS_FOLDER = "表"
# A 题名 in a file name is cut here: with the folder and the 件号 the path stays far below Windows' 260.
TITLE_IN_FILE_NAME = 60
# Bookmarks of the box PDF and titles of the form files.
COVER_LABEL = "封面"
CATALOGUE_LABEL = "归档文件目录"
NOTES_LABEL = "备考表"
SPINE_LABEL = "盒脊"
CREATOR_FALLBACK = "Gongwen"

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class FilingData:
    """The filing part of a run request: one box (盒) of one 全宗, 年度 and 保管期限 (DA/T 22-2015).

    Its 件 are numbered from `start_item_no` (件号) in order; the optional fields go onto the cover and the
    备考表. `corrections` are the clerk slips corrected on the way in (保管期限 "D30" → 定期30年).
    """

    fonds_no: str  # 全宗号, "" until the archive assigns one
    fonds_name: str  # 全宗名称
    year: int  # 年度
    retention: str  # 保管期限: 永久, 定期30年, 定期10年
    organization: str  # 机构（问题）, "" when not used
    start_item_no: int
    box_no: int  # 盒号
    title: str = ""
    compiled_by: str = ""  # 整理人
    compiled_on: date | None = None  # 整理日期
    checked_by: str = ""  # 检查人
    checked_on: date | None = None  # 检查日期
    notes: str = ""  # 盒内文件情况说明
    spine_width: int = DEFAULT_SPINE_WIDTH_MM  # 盒脊 thickness, mm
    corrections: tuple[FieldCorrection, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ArchiveEntry:
    """One 件 as the 归档文件目录 lists it, before stamping; `pages` is its PDF's page count (页数)."""

    title: str  # 题名
    responsible: str  # 责任者
    doc_number: str  # 文号, "" when it has none
    date: date
    remarks: str  # 备注
    pages: int


@dataclass(frozen=True)
class StampedItem:
    """One 件 with its 件号, its 目录 entry and its PDF with the 归档章 on the first page."""

    item_no: int
    entry: ArchiveEntry
    pdf: bytes


@dataclass(frozen=True)
class BoxForms:
    """The box's forms, each a PDF/A-2b file of its own: cover, 归档文件目录 (one or more pages), 备考表, 盒脊."""

    cover: bytes
    catalogue: bytes
    notes: bytes
    spine: bytes


class PdfaConverter:
    """A converter that always asks `inner` for PDF/A-2b, so render_document makes archive copies unchanged."""

    def __init__(self, inner: Converter) -> None:
        self.inner = inner

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = True) -> bytes:
        """PDF/A-2b whatever `pdfa` says: an archive copy is never anything else."""
        del pdfa
        return self.inner.convert(docx, timeout=timeout, pdfa=True)

    def status(self) -> Mapping[str, Any] | None:
        return self.inner.status()


# -- the filing ----------------------------------------------------------------------------------------


def filing_schema() -> Schema:
    """The Marshmallow schema of the filing part of a run request (for the API's OpenAPI description)."""
    return ArchiveFilingSchema()


def load_filing(raw: Any) -> FilingData:
    """The filing part of a run request, validated; PayloadInvalidError (422) names fields as `filing.…`."""
    try:
        data = load_payload(filing_schema(), raw)
    except PayloadInvalidError as exc:
        errors = {f"filing.{path}" if path else "filing": messages for path, messages in exc.errors.items()}
        fields = ", ".join(sorted(errors))
        raise PayloadInvalidError(
            bilingual(f"归档信息有误：{'、'.join(sorted(errors))}", f"Invalid filing fields: {fields}"),
            errors=errors,
        ) from exc
    corrections = tuple(data.pop("corrections"))
    data["retention"] = str(data["retention"])
    return FilingData(**data, corrections=corrections)


def box_title(filing: FilingData) -> str:
    """The box as its cover names it: 青山县人民政府办公室2026年归档文件（第3盒）."""
    return archive_cover.KIND.title({"title": filing.title, "fonds_name": filing.fonds_name, **_box(filing)})


def _box(filing: FilingData) -> dict[str, Any]:
    return {"year": filing.year, "box_no": filing.box_no}


# -- stamps --------------------------------------------------------------------------------------------


def render_stamps(
    catalog: TemplateCatalog,
    converter: Converter,
    filing: FilingData,
    items: Sequence[tuple[int, int]],
) -> list[bytes]:
    """One single-page 归档章 PDF per (件号, 页数), in order, filled in as the archive-stamp kind fills one.

    The stamps are rendered STAMPS_PER_CONVERSION to a conversion (the kind's batch template, one stamp a
    page) and the pages split apart. Equal calls give equal bytes; a stamp's bytes also depend on the other
    stamps of its conversion, whose characters share its font subset.
    """
    contexts = [_stamp_context(filing, index, item_no, pages) for index, (item_no, pages) in enumerate(items)]
    template = catalog.resolve(archive_stamp.KIND.name).path(STAMP_BATCH_VARIANT)
    # As the archive-stamp kind dates a stamp: 1 January of its 年度, never the clock.
    created = datetime(filing.year, 1, 1, tzinfo=UTC)

    def render(chunk: list[dict[str, Any]]) -> list[bytes]:
        first, last = chunk[0]["item_no"], chunk[-1]["item_no"]
        properties = DocumentProperties(
            title=f"归档章 {first}—{last}",
            subject=f"{filing.year}年 {filing.retention}",
            author=filing.fonds_no or CREATOR_FALLBACK,
            created=created,
        )
        pdf = stabilise_pdf(converter.convert(render_docx(template, {"stamps": chunk}, properties)), created)
        pages = split_pages(pdf)
        if len(pages) != len(chunk):
            raise RenderError(
                bilingual(
                    f"归档章批量生成的页数（{len(pages)}）与件数（{len(chunk)}）不符",
                    f"the stamp batch came out as {len(pages)} pages for {len(chunk)} stamps",
                )
            )
        return pages

    chunks = [
        contexts[start : start + STAMPS_PER_CONVERSION] for start in range(0, len(contexts), STAMPS_PER_CONVERSION)
    ]
    return [stamp for pages in _map(render, chunks) for stamp in pages]


def _stamp_context(filing: FilingData, index: int, item_no: int, pages: int) -> dict[str, Any]:
    problems = {}
    if not 1 <= item_no <= MAX_ITEM_NO:
        problems[f"items[{index}].item_no"] = [bilingual(f"件号应在1至{MAX_ITEM_NO}之间", "Item number out of range.")]
    if not 1 <= pages <= MAX_ITEM_NO:
        problems[f"items[{index}].pages"] = [bilingual("页数应在1至9999之间", "Page count out of range.")]
    if problems:
        raise PayloadInvalidError(bilingual("归档章的件号或页数有误", "Invalid stamp values"), errors=problems)
    return archive_stamp.build_context(
        {
            "fonds_no": filing.fonds_no,
            "year": filing.year,
            "item_no": item_no,
            "organization": filing.organization,
            "retention": filing.retention,
            "pages": pages,
        }
    )


def stamp_item(pdf: bytes, stamp_pdf: bytes) -> bytes:
    """The 件's PDF with the 归档章 at the top right of its first page (see service/postprocess/stamp.py)."""
    return stamp_first_page(pdf, stamp_pdf)


def _map(function: Callable[[T], R], values: Sequence[T]) -> list[R]:
    """function() over values, several at once, so that a pool with free workers converts side by side."""
    if len(values) <= 1:
        return [function(value) for value in values]
    with ThreadPoolExecutor(max_workers=min(len(values), MAX_PARALLEL_CONVERSIONS)) as executor:
        return list(executor.map(function, values))


# -- the box's forms -----------------------------------------------------------------------------------


def render_box_forms(
    catalog: TemplateCatalog,
    converter: Converter,
    filing: FilingData,
    entries: Sequence[tuple[int, ArchiveEntry]],
) -> BoxForms:
    """The archive-cover kind rendered once as PDF/A-2b and split into its four sections.

    The sections are told apart by their text (see _sections), never by fixed page numbers: the 归档文件目录
    runs to as many pages as its entries need, and a long 说明 pushes the 备考表 onto a second page.
    """
    payload = _cover_payload(filing, entries)
    pdf = render_document(catalog, archive_cover.KIND.name, payload, OutputFormat.PDF, PdfaConverter(converter)).content
    sections = _sections(page_texts(pdf))
    title = box_title(filing)
    created = _created(filing, [entry for _, entry in entries])

    def section(label: str) -> bytes:
        metadata = PdfMetadata(
            title=f"{title}{label}",
            author=filing.fonds_name,
            subject=_subject(filing),
            created=created,
            keywords=_keywords(filing, [number for number, _ in entries]),
        )
        return extract_pages(pdf, sections[label], metadata)

    return BoxForms(
        cover=section(COVER_LABEL),
        catalogue=section(CATALOGUE_LABEL),
        notes=section(NOTES_LABEL),
        spine=section(SPINE_LABEL),
    )


def _cover_payload(filing: FilingData, entries: Sequence[tuple[int, ArchiveEntry]]) -> dict[str, Any]:
    """The archive-cover kind's request body for this box (validated again by render_document)."""
    payload: dict[str, Any] = {
        "fonds_no": filing.fonds_no,
        "fonds_name": filing.fonds_name,
        "year": filing.year,
        "retention": filing.retention,
        "organization": filing.organization,
        "box_no": filing.box_no,
        "title": filing.title,
        "items": [
            {
                "item_no": item_no,
                "doc_number": entry.doc_number,
                "responsible": entry.responsible,
                "title": entry.title,
                "date": entry.date.isoformat(),
                "pages": entry.pages,
                "remarks": entry.remarks,
            }
            for item_no, entry in entries
        ],
        "compiled_by": filing.compiled_by,
        "checked_by": filing.checked_by,
        "notes": filing.notes,
        "spine_width": filing.spine_width,
    }
    if filing.compiled_on is not None:
        payload["compiled_on"] = filing.compiled_on.isoformat()
    if filing.checked_on is not None:
        payload["checked_on"] = filing.checked_on.isoformat()
    return payload


def _compact(line: str) -> str:
    """A line without its spaces: the forms letter-space their headings (归 档 文 件 目 录)."""
    return "".join(line.split())


# The text that marks each section's pages in the archive-cover template (tools/template_builder/archive_cover.py).
_CATALOGUE_HEADER = "件号文号责任者题名日期页数备注"


def _section_of(lines: Sequence[str]) -> str | None:
    """Which section a page of the archive-cover PDF belongs to, from its text lines; None: a continuation."""
    compact = [_compact(line) for line in lines]
    if _CATALOGUE_HEADER in compact:  # the column headers repeat on every 目录 page
        return CATALOGUE_LABEL
    if NOTES_LABEL in compact or any(line.startswith(("整理人：", "检查人：")) for line in compact):
        return NOTES_LABEL
    if any(line.startswith("全宗名称") for line in compact):
        return COVER_LABEL
    if "起止件号" in compact and "盒号" in compact:  # the spine's labels stand alone on their lines
        return SPINE_LABEL
    return None


def _sections(pages: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Page numbers (from 0) of each section, which must come in order: cover, 目录, 备考表, 盒脊."""
    order = [COVER_LABEL, CATALOGUE_LABEL, NOTES_LABEL, SPINE_LABEL]
    found: dict[str, list[int]] = {label: [] for label in order}
    current: str | None = None
    for number, lines in enumerate(pages):
        label = _section_of(lines) or current
        if label is None or (current is not None and order.index(label) < order.index(current)):
            current = None
            break
        found[label].append(number)
        current = label
    missing = [label for label in order if not found[label]]
    if current is None or missing:
        raise RenderError(
            bilingual(
                f"无法在归档文件目录PDF中找到各部分（缺少：{'、'.join(missing) or '顺序'}）",
                f"the archive-cover PDF's sections cannot be told apart (missing: {', '.join(missing) or 'order'})",
            )
        )
    return found


# -- the box -------------------------------------------------------------------------------------------


def assemble_box(forms: BoxForms, items: Sequence[StampedItem], filing: FilingData) -> bytes:
    """The box as one PDF: cover, 归档文件目录, the 件 in 件号 order, 备考表 (the 盒脊 is printed apart).

    An outline entry marks each part (a 件's reads "0041 题名"); Title, Author, Subject and Keywords are in the
    Info dictionary and in XMP; the file is PDF/A-2b when every part is. Equal inputs give equal bytes.
    """
    if not items:
        raise RenderError(bilingual("盒内没有文件", "the box has no items"))
    numbers = [item.item_no for item in items]
    if any(later <= earlier for earlier, later in itertools.pairwise(numbers)):
        raise RenderError(bilingual("件号应从小到大排列且不重复", "item numbers must increase"))
    for item in items:
        pages = merge.page_count(item.pdf)
        if pages != item.entry.pages:
            raise RenderError(
                bilingual(
                    f"第{archive_cover.item_number(item.item_no)}件的页数为{pages}，目录中记为{item.entry.pages}",
                    f"item {item.item_no} has {pages} pages, its 目录 entry says {item.entry.pages}",
                )
            )
    parts = [
        PdfPart(forms.cover, COVER_LABEL),
        PdfPart(forms.catalogue, CATALOGUE_LABEL),
        *(PdfPart(item.pdf, item_bookmark(item)) for item in items),
        PdfPart(forms.notes, NOTES_LABEL),
    ]
    return merge_pdfs(parts, box_metadata(filing, items))


def item_bookmark(item: StampedItem) -> str:
    """A 件's outline entry in the box: its 件号 as printed and its 题名, "0041 关于召开…的通知"."""
    return f"{archive_cover.item_number(item.item_no)} {item.entry.title}"


def box_metadata(filing: FilingData, items: Sequence[StampedItem]) -> PdfMetadata:
    """The box PDF's Title, Author (全宗名称), Subject, Keywords and date (整理日期, else its latest 件's)."""
    return PdfMetadata(
        title=box_title(filing),
        author=filing.fonds_name,
        subject=_subject(filing),
        created=_created(filing, [item.entry for item in items]),
        keywords=_keywords(filing, [item.item_no for item in items]),
    )


def _subject(filing: FilingData) -> str:
    return archive_cover.KIND.subject({"fonds_name": filing.fonds_name, "retention": filing.retention, **_box(filing)})


def _keywords(filing: FilingData, numbers: Sequence[int]) -> str:
    first, last = archive_cover.item_number(min(numbers)), archive_cover.item_number(max(numbers))
    words = ["归档文件", f"全宗号{filing.fonds_no}" if filing.fonds_no else "", f"{filing.year}年", filing.retention]
    words += [filing.organization, f"第{filing.box_no}盒", f"件号{first}—{last}" if first != last else f"件号{first}"]
    return "; ".join(word for word in words if word)


def _created(filing: FilingData, entries: Sequence[ArchiveEntry]) -> datetime:
    # As the archive-cover kind dates the box: the day it was compiled, else its latest document's date.
    day = filing.compiled_on or max(entry.date for entry in entries)
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


# -- results -------------------------------------------------------------------------------------------


def item_file_name(item_no: int, title: str) -> str:
    """The 件's file in the results: 件/0041-关于召开全县冬春季安全生产工作会议的通知.pdf (safe on Windows)."""
    stem = file_name_stem(title)[:TITLE_IN_FILE_NAME].rstrip(" .")
    number = archive_cover.item_number(item_no)
    return f"{ITEMS_FOLDER}/{number}-{stem}.pdf" if stem else f"{ITEMS_FOLDER}/{number}.pdf"


def box_file_name(filing: FilingData) -> str:
    return f"{BOX_FOLDER}/{file_name_stem(box_title(filing)) or 'box'}.pdf"


def result_files(forms: BoxForms, items: Sequence[StampedItem], box: bytes, filing: FilingData) -> dict[str, bytes]:
    """Every file of a run's results by its name in the ZIP (the manifest comes on top)."""
    files = {
        box_file_name(filing): box,
        f"{FORMS_FOLDER}/{COVER_LABEL}.pdf": forms.cover,
        f"{FORMS_FOLDER}/{CATALOGUE_LABEL}.pdf": forms.catalogue,
        f"{FORMS_FOLDER}/{NOTES_LABEL}.pdf": forms.notes,
        f"{FORMS_FOLDER}/{SPINE_LABEL}.pdf": forms.spine,
    }
    for item in items:
        files[item_file_name(item.item_no, item.entry.title)] = item.pdf
    return files


def build_manifest(
    run_description: Mapping[str, Any], files: Mapping[str, bytes], items: Sequence[StampedItem] = ()
) -> bytes:
    """The manifest (JSON, UTF-8): the run, every file with its SHA-256, size and (PDFs) page count, and
    every 件 with its 目录 entry and file. Sorted keys and no clock: equal inputs give equal bytes."""
    listed = []
    for name in sorted(files):
        content = files[name]
        entry: dict[str, Any] = {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
        if name.lower().endswith(".pdf"):
            entry["pages"] = merge.page_count(content)
        listed.append(entry)
    described = []
    for item in items:
        name = item_file_name(item.item_no, item.entry.title)
        if name not in files:
            raise RenderError(bilingual(f"清单缺少文件{name}", f"the manifest's files lack {name}"))
        described.append(
            {
                "item_no": item.item_no,
                "item_no_printed": archive_cover.item_number(item.item_no),
                "title": item.entry.title,
                "responsible": item.entry.responsible,
                "doc_number": item.entry.doc_number,
                "date": item.entry.date.isoformat(),
                "pages": item.entry.pages,
                "remarks": item.entry.remarks,
                "file": name,
                "sha256": hashlib.sha256(files[name]).hexdigest(),
            }
        )
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "run": dict(run_description),
        "files": listed,
        "items": described,
    }
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2, default=_json_value)
    return (text + "\n").encode("utf-8")


def _json_value(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return sorted(value) if not isinstance(value, tuple) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


# ZIP entries carry this date (the earliest ZIP can hold), never the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def bundle(files: Mapping[str, bytes]) -> bytes:
    """The files in one ZIP, names in UTF-8, in name order, byte-identical for equal inputs.

    PDFs are stored: their streams are compressed already, and deflating 400 MB of them again would cost
    seconds to save a few per cent. Everything else (the manifest) is deflated.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            stored = name.lower().endswith(".pdf")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, files[name], compresslevel=None if stored else 6)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (its 页数), or a RenderError when it cannot be read."""
    return merge.page_count(pdf)
