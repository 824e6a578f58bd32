"""归档 assembly (issue 5) through the real pipeline and LibreOffice: stamps in batches, the box's forms split
from one conversion, the merged box with its outline, metadata and PDF/A-2b, the manifest and the ZIP.

Positions are millimetres from the page's top-left corner (tests/rendering/pdf_measure.py); the PDF/A checks are
the stand-in for veraPDF in tests/postprocess/pdfa_checks.py. The last test prints timings for 1,000 件.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import Any

import pytest
from pypdf import PdfReader

from service.config import Settings
from service.conversion import ConversionPool
from service.documents import archiving
from service.documents.archiving import ArchiveEntry, BoxForms, FilingData, StampedItem
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.errors import PayloadInvalidError, RenderError
from service.postprocess.pdfium import page_texts
from service.postprocess.stamp import STAMP_FROM_TOP
from tests.conftest import body_for, load_example
from tests.documents.test_archive_cover_pdf import Rendered
from tests.documents.test_archive_stamp_pdf import CELL_HEIGHT, CELL_WIDTH, HEIGHT, WIDTH, Stamp
from tests.postprocess.pdfa_checks import pdfa_claim, pdfa_problems, xmp, xmp_value
from tests.rendering.pdf_measure import BLOCK_RIGHT, BLOCK_TOP, read_pdf_bytes

FILING = {
    "fonds_no": "J012",
    "fonds_name": "青山县人民政府办公室",
    "year": 2026,
    "retention": "D30",
    "organization": "秘书科",
    "start_item_no": 41,
    "box_no": 3,
    "title": "2026年县政府专题会议文件材料",
    "compiled_by": "陈晓东",
    "compiled_on": "2026-12-10",
    "checked_by": "周敏",
    "checked_on": "2026-12-11",
    "notes": "本盒文件齐全完整，无破损。",
}
BOX_TITLE = "2026年县政府专题会议文件材料（第3盒）"


@pytest.fixture(scope="module")
def catalog() -> TemplateCatalog:
    return TemplateCatalog(Settings().templates_dir)


@pytest.fixture(scope="module")
def filing() -> FilingData:
    return archiving.load_filing(FILING)


# -- the filing ---------------------------------------------------------------------------------------------


def test_filing_is_loaded_with_defaults_and_corrections() -> None:
    filing = archiving.load_filing({**FILING, "retention": "定期 30年"})

    assert filing.retention == "定期30年"
    assert [(c.field, c.original, c.corrected) for c in filing.corrections] == [("retention", "定期 30年", "定期30年")]
    assert archiving.load_filing({k: v for k, v in FILING.items() if k != "start_item_no"}).start_item_no == 1
    assert filing.compiled_on == date(2026, 12, 10) and filing.spine_width == 40


def test_filing_errors_name_their_fields_under_filing() -> None:
    wrong = {**FILING, "year": 26, "retention": "长期", "organization": "办公室综合信息科技术保障组", "box": 3}
    wrong.pop("fonds_name")

    with pytest.raises(PayloadInvalidError) as caught:
        archiving.load_filing(wrong)

    assert caught.value.status == 422
    assert set(caught.value.errors) == {
        "filing.year",
        "filing.retention",
        "filing.organization",
        "filing.fonds_name",
        "filing.box",
    }
    assert "2006" in caught.value.errors["filing.retention"][0]


def test_a_check_before_the_box_was_compiled_is_refused() -> None:
    with pytest.raises(PayloadInvalidError) as caught:
        archiving.load_filing({**FILING, "checked_on": "2026-12-01"})

    assert list(caught.value.errors) == ["filing.checked_on"]


def test_a_filing_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PayloadInvalidError) as caught:
        archiving.load_filing(["J012"])

    assert list(caught.value.errors) == ["filing"]


def test_the_filing_schema_is_there_for_the_api() -> None:
    assert {"fonds_no", "start_item_no", "box_no", "spine_width"} <= set(archiving.filing_schema().fields)


# -- items as archive copies -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive_converter(conversion_pool: ConversionPool) -> archiving.PdfaConverter:
    return archiving.PdfaConverter(conversion_pool)


def archive_copy(catalog: TemplateCatalog, converter: archiving.PdfaConverter, kind: str) -> bytes:
    return render_document(catalog, kind, load_example(kind), OutputFormat.PDF, converter).content


@pytest.fixture(scope="module")
def notice(catalog: TemplateCatalog, archive_converter: archiving.PdfaConverter) -> bytes:
    """The example notice rendered by render_document as an archive copy (four A4 pages, PDF/A-2b)."""
    return archive_copy(catalog, archive_converter, "meeting-notice")


@pytest.fixture(scope="module")
def sources(catalog: TemplateCatalog, archive_converter: archiving.PdfaConverter, notice: bytes) -> list[bytes]:
    """Three 件: the notice, the minutes, and the feedback slips (one PDF of four parts with an outline)."""
    return [
        notice,
        archive_copy(catalog, archive_converter, "meeting-minutes"),
        archive_copy(catalog, archive_converter, "minutes-feedback-slip"),
    ]


def test_archive_copies_are_pdfa_2b_however_the_converter_is_asked(
    sources: list[bytes], archive_converter: archiving.PdfaConverter
) -> None:
    assert [pdfa_problems(pdf) for pdf in sources] == [[], [], []]
    assert pdfa_claim(archive_converter.convert(body_docx(), pdfa=False)) == ("2", "B")
    status = archive_converter.status()
    assert status is not None and status["size"] == 2


def body_docx() -> bytes:
    catalog = TemplateCatalog(Settings().templates_dir)
    return render_document(catalog, "reply-slip", load_example("reply-slip"), OutputFormat.DOCX).content


@pytest.fixture(scope="module")
def entries(sources: list[bytes]) -> list[tuple[int, ArchiveEntry]]:
    described = [
        ("关于召开全县冬春季安全生产工作会议的通知", "青政办发〔2026〕15号", date(2026, 11, 25), ""),
        ("青山县人民政府专题会议纪要（第27期）", "", date(2026, 11, 27), ""),
        ("会议纪要意见反馈单", "", date(2026, 11, 28), "4个单位"),
    ]
    return [
        (41 + index, ArchiveEntry(title, "青山县人民政府办公室", number, day, remarks, archiving.page_count(pdf)))
        for index, ((title, number, day, remarks), pdf) in enumerate(zip(described, sources, strict=True))
    ]


# -- stamps -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stamps(
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    filing: FilingData,
    entries: list[tuple[int, ArchiveEntry]],
) -> list[bytes]:
    return archiving.render_stamps(catalog, conversion_pool, filing, [(n, entry.pages) for n, entry in entries])


def test_each_stamp_is_one_45_by_16mm_page_filled_in_for_its_item(
    stamps: list[bytes], entries: list[tuple[int, ArchiveEntry]]
) -> None:
    assert len(stamps) == 3
    for stamp_pdf, (number, entry) in zip(stamps, entries, strict=True):
        stamp = Stamp.of(stamp_pdf)
        assert len(stamp.pages) == 1
        assert (stamp.width, stamp.height) == (pytest.approx(WIDTH, abs=0.05), pytest.approx(HEIGHT, abs=0.05))
        cells = [stamp.cell_text(i) for i in range(6)]
        assert cells == ["J012", "2026", f"{number:04d}", "秘书科", "定期30年", str(entry.pages)]


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"organization": "办公室综合信息科", "pages": 128, "item_no": 9999},
        {"fonds_no": "", "organization": "", "retention": "永久"},
    ],
    ids=["example", "wrapping-organization", "blank-cells"],
)
def test_a_batch_stamp_has_the_single_stamps_text_where_the_single_stamp_has_it(
    values: dict[str, Any], catalog: TemplateCatalog, conversion_pool: ConversionPool
) -> None:
    body = body_for("archive-stamp")(**values)
    single = Stamp.of(render_document(catalog, "archive-stamp", body, OutputFormat.PDF, conversion_pool).content)
    filing = archiving.load_filing(
        {**FILING, "fonds_no": body["fonds_no"], "organization": body["organization"], "retention": body["retention"]}
    )
    # The batch's neighbours change nothing about a stamp's own text.
    batch = archiving.render_stamps(
        catalog, conversion_pool, filing, [(1, 1), (body["item_no"], body["pages"]), (9998, 17)]
    )
    stamp = Stamp.of(batch[1])

    assert [stamp.cell_text(i) for i in range(6)] == [single.cell_text(i) for i in range(6)]
    for mine, theirs in zip(
        sorted(stamp.glyphs, key=lambda g: (round(g.baseline), g.x0)),
        sorted(single.glyphs, key=lambda g: (round(g.baseline), g.x0)),
        strict=True,
    ):
        assert (mine.text, mine.size, mine.font) == (theirs.text, theirs.size, theirs.font)
        assert mine.x0 == pytest.approx(theirs.x0, abs=0.15)
        assert mine.baseline == pytest.approx(theirs.baseline, abs=0.15)


def test_a_batch_stamps_red_rules_lie_on_the_single_stamps_cell_edges(stamps: list[bytes]) -> None:
    """The batch draws table borders where the single stamp has bars: the same six 15 × 8 mm cells."""
    page = read_pdf_bytes(stamps[0])[0]
    across = sorted({round((s.top + s.bottom) / 2, 2) for s in page.strokes if s.horizontal})
    down = sorted({round((s.x0 + s.x1) / 2, 2) for s in page.strokes if s.vertical})

    assert all(rule.is_red for rule in page.rules)
    assert across == [pytest.approx(v, abs=0.1) for v in (0.09, CELL_HEIGHT, HEIGHT - 0.09)]
    assert down == [pytest.approx(v, abs=0.12) for v in (0.09, CELL_WIDTH, 2 * CELL_WIDTH, WIDTH - 0.09)]


def test_stamps_beyond_one_conversion_come_back_in_order_and_alike(
    catalog: TemplateCatalog, conversion_pool: ConversionPool, filing: FilingData
) -> None:
    items = [(number, 1 + number % 5) for number in range(1, archiving.STAMPS_PER_CONVERSION + 3)]

    stamps = archiving.render_stamps(catalog, conversion_pool, filing, items)

    assert len(stamps) == len(items)
    for index in (0, archiving.STAMPS_PER_CONVERSION - 1, archiving.STAMPS_PER_CONVERSION, len(items) - 1):
        number, pages = items[index]
        assert [Stamp.of(stamps[index]).cell_text(i) for i in (2, 5)] == [f"{number:04d}", str(pages)]
    assert archiving.render_stamps(catalog, conversion_pool, filing, items) == stamps
    # Alone, a stamp shows the same; its bytes differ, as its font subset holds only its own characters.
    alone = archiving.render_stamps(catalog, conversion_pool, filing, items[:1])
    assert [Stamp.of(alone[0]).cell_text(i) for i in range(6)] == [Stamp.of(stamps[0]).cell_text(i) for i in range(6)]


def test_a_stamp_without_pages_is_refused_before_any_conversion(catalog: TemplateCatalog, filing: FilingData) -> None:
    with pytest.raises(PayloadInvalidError) as caught:
        archiving.render_stamps(catalog, None, filing, [(41, 3), (42, 0)])  # type: ignore[arg-type]

    assert list(caught.value.errors) == ["items[1].pages"]


# -- stamped items ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def items(sources: list[bytes], stamps: list[bytes], entries: list[tuple[int, ArchiveEntry]]) -> list[StampedItem]:
    return [
        StampedItem(number, entry, archiving.stamp_item(pdf, stamp))
        for (number, entry), pdf, stamp in zip(entries, sources, stamps, strict=True)
    ]


def test_a_stamped_notice_carries_the_stamp_top_right_above_the_text_block(items: list[StampedItem]) -> None:
    first = read_pdf_bytes(items[0].pdf)[0]
    top = [c for c in first.chars if c.text.strip() and c.baseline < BLOCK_TOP]
    red = [rule for rule in first.rules if rule.is_red and rule.top < BLOCK_TOP]

    assert (
        "".join(c.text for c in sorted(top, key=lambda c: (round(c.baseline), c.x0))) == "J01220260041秘书科定期30年4"
    )
    assert min(c.x0 for c in top) > BLOCK_RIGHT - WIDTH and max(c.x1 for c in top) < BLOCK_RIGHT
    assert min(rule.top for rule in red) == pytest.approx(STAMP_FROM_TOP.mm, abs=0.1)
    assert max(rule.x1 for rule in red) == pytest.approx(BLOCK_RIGHT, abs=0.15)


def test_the_stamp_is_on_each_items_first_page_and_nowhere_else(items: list[StampedItem]) -> None:
    for item in items:
        texts = ["".join(lines) for lines in page_texts(item.pdf)]
        assert "J012" in texts[0] and f"{item.item_no:04d}" in texts[0]
        assert not any("J012" in text for text in texts[1:]), item.item_no


def test_stamped_items_stay_pdfa_2b_and_keep_their_outline(items: list[StampedItem], sources: list[bytes]) -> None:
    assert [pdfa_problems(item.pdf) for item in items] == [[], [], []]
    slips = PdfReader(io.BytesIO(items[2].pdf))
    assert [entry.title for entry in slips.outline] == [e.title for e in PdfReader(io.BytesIO(sources[2])).outline]


# -- the box's forms ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms(
    catalog: TemplateCatalog,
    conversion_pool: ConversionPool,
    filing: FilingData,
    entries: list[tuple[int, ArchiveEntry]],
) -> BoxForms:
    return archiving.render_box_forms(catalog, conversion_pool, filing, entries)


def many_entries(count: int, start: int = 41) -> list[tuple[int, ArchiveEntry]]:
    titles = ["县政府常务会议纪要", "关于进一步加强农村集体经济组织财务管理和资产监督工作的实施意见（试行）"]
    return [
        (start + n, ArchiveEntry(titles[n % 2], "青山县人民政府办公室", "", date(2026, 11, 1 + n % 28), "", 1 + n % 7))
        for n in range(count)
    ]


def test_the_forms_are_split_into_their_sections(forms: BoxForms) -> None:
    texts = {name: page_texts(getattr(forms, name)) for name in ("cover", "catalogue", "notes", "spine")}

    assert [len(pages) for pages in texts.values()] == [1, 1, 1, 1]
    assert "全宗名称" in "".join(texts["cover"][0]).replace(" ", "")
    assert "件号 文号 责任者 题名 日期 页数 备注" in texts["catalogue"][0]
    assert "备考表" in "".join(texts["notes"][0]).replace(" ", "")
    assert texts["spine"][0][:2] == ["全宗号", "J012"]


def test_a_long_catalogue_keeps_all_its_pages(
    catalog: TemplateCatalog, conversion_pool: ConversionPool, filing: FilingData
) -> None:
    forms = archiving.render_box_forms(catalog, conversion_pool, filing, many_entries(40))
    catalogue = Rendered.of(forms.catalogue)

    assert len(catalogue.pages) >= 3
    assert [row.cells[0] for row in catalogue.rows()] == [f"{n:04d}" for n in range(41, 81)]
    assert [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in (forms.cover, forms.notes, forms.spine)] == [1, 1, 1]
    assert "整理人：陈晓东" in page_texts(forms.notes)[-1]


def test_each_form_is_pdfa_2b_and_titled(forms: BoxForms) -> None:
    for label, pdf in zip(
        ("封面", "归档文件目录", "备考表", "盒脊"),
        (forms.cover, forms.catalogue, forms.notes, forms.spine),
        strict=True,
    ):
        assert pdfa_problems(pdf) == [], label
        assert PdfReader(io.BytesIO(pdf)).metadata["/Title"] == BOX_TITLE + label  # type: ignore[index]


def test_sections_out_of_order_or_missing_are_a_render_error() -> None:
    cover, catalogue = ["归 档 文 件 目 录", "全 宗 名 称 青山县"], ["件号 文号 责任者 题名 日期 页数 备注"]
    notes, spine = ["备 考 表"], ["全宗号", "J012", "起止件号", "0041", "盒号", "3"]

    assert archiving._sections([cover, catalogue, ["0042"], notes, spine]) == {
        "封面": [0],
        "归档文件目录": [1, 2],
        "备考表": [3],
        "盒脊": [4],
    }
    with pytest.raises(RenderError):
        archiving._sections([cover, notes, catalogue, spine])
    with pytest.raises(RenderError):
        archiving._sections([cover, catalogue, spine])


def test_a_compiled_date_before_a_document_is_refused_with_its_field(
    catalog: TemplateCatalog, conversion_pool: ConversionPool, filing: FilingData
) -> None:
    early = replace(filing, compiled_on=date(2026, 11, 2))  # the third 件 is of 3 November

    with pytest.raises(PayloadInvalidError) as caught:
        archiving.render_box_forms(catalog, conversion_pool, early, many_entries(3))

    assert "compiled_on" in caught.value.errors


# -- the box --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def box(forms: BoxForms, items: list[StampedItem], filing: FilingData) -> bytes:
    return archiving.assemble_box(forms, items, filing)


class Box(Rendered):
    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(io.BytesIO(self.pdf))


@pytest.fixture(scope="module")
def measured_box(box: bytes) -> Box:
    return Box.of(box)


def test_the_box_holds_cover_catalogue_items_and_notes_in_order(
    measured_box: Box, items: list[StampedItem], forms: BoxForms
) -> None:
    pages = [1, archiving.page_count(forms.catalogue), *(item.entry.pages for item in items), 1]

    assert len(measured_box.pages) == sum(pages)
    texts = ["".join(lines).replace(" ", "") for lines in page_texts(measured_box.pdf)]
    assert texts[0].startswith("归档文件目录") and "全宗名称" in texts[0]
    assert texts[-1].startswith("备考表")
    assert all("J012" not in text for text in texts[-1:])


def test_the_outline_names_every_part_at_its_first_page(measured_box: Box, items: list[StampedItem]) -> None:
    reader = measured_box.reader
    top = [
        (entry.title, reader.get_destination_page_number(entry))
        for entry in reader.outline
        if not isinstance(entry, list)
    ]
    starts = [2]
    for item in items[:-1]:
        starts.append(starts[-1] + item.entry.pages)

    assert top == [
        ("封面", 0),
        ("归档文件目录", 1),
        ("0041 关于召开全县冬春季安全生产工作会议的通知", starts[0]),
        ("0042 青山县人民政府专题会议纪要（第27期）", starts[1]),
        ("0043 会议纪要意见反馈单", starts[2]),
        ("备考表", len(reader.pages) - 1),
    ]
    texts = page_texts(measured_box.pdf)
    assert all(f"{item.item_no:04d}" in "".join(texts[start]) for item, start in zip(items, starts, strict=True))
    # The feedback slips' own outline (one entry per unit) sits under their 件.
    assert isinstance(reader.outline[5], list) and len(reader.outline[5]) == 4


def test_the_catalogues_page_counts_are_the_items_real_ones(measured_box: Box, items: list[StampedItem]) -> None:
    rows = measured_box.rows()

    assert [row.cells[0] for row in rows] == ["0041", "0042", "0043"]
    assert [int(row.cells[5]) for row in rows] == [len(PdfReader(io.BytesIO(item.pdf)).pages) for item in items]
    assert [row.cells[4] for row in rows] == ["20261125", "20261127", "20261128"]
    notes = "".join(page_texts(measured_box.pdf)[-1]).replace(" ", "")
    assert f"共有文件3件（第0041至0043号），共{sum(item.entry.pages for item in items)}页" in notes


def test_the_box_metadata_is_in_info_and_xmp(measured_box: Box) -> None:
    info = measured_box.reader.metadata
    root = xmp(measured_box.pdf)

    assert info is not None and root is not None
    assert info.title == xmp_value(root, "dc:title") == BOX_TITLE
    assert info.author == xmp_value(root, "dc:creator") == "青山县人民政府办公室"
    assert info.subject == xmp_value(root, "dc:description") == "青山县人民政府办公室 2026年 定期30年 第3盒"
    assert info["/Keywords"] == xmp_value(root, "pdf:Keywords")
    assert info["/Keywords"] == "归档文件; 全宗号J012; 2026年; 定期30年; 秘书科; 第3盒; 件号0041—0043"
    assert info["/CreationDate"] == "D:20261210000000Z"


def test_the_box_is_pdfa_2b(measured_box: Box) -> None:
    assert pdfa_problems(measured_box.pdf) == []


def test_equal_inputs_give_an_equal_box(
    box: bytes, forms: BoxForms, items: list[StampedItem], filing: FilingData
) -> None:
    assert archiving.assemble_box(forms, items, filing) == box


def test_a_box_whose_catalogue_page_count_is_wrong_is_refused(
    forms: BoxForms, items: list[StampedItem], filing: FilingData
) -> None:
    wrong = replace(items[0], entry=replace(items[0].entry, pages=items[0].entry.pages + 1))

    with pytest.raises(RenderError, match="0041"):
        archiving.assemble_box(forms, [wrong, *items[1:]], filing)
    with pytest.raises(RenderError):
        archiving.assemble_box(forms, [items[1], items[0]], filing)


# -- results, manifest, ZIP ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(forms: BoxForms, items: list[StampedItem], box: bytes, filing: FilingData) -> dict[str, bytes]:
    return archiving.result_files(forms, items, box, filing)


def test_result_files_are_named_for_an_archivist(files: dict[str, bytes]) -> None:
    assert sorted(files) == [
        "件/0041-关于召开全县冬春季安全生产工作会议的通知.pdf",
        "件/0042-青山县人民政府专题会议纪要（第27期）.pdf",
        "件/0043-会议纪要意见反馈单.pdf",
        f"盒/{BOX_TITLE}.pdf",
        "表/备考表.pdf",
        "表/封面.pdf",
        "表/归档文件目录.pdf",
        "表/盒脊.pdf",
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('关于"A/B"事项：的通知?', "件/0007-关于_A_B_事项：的通知_.pdf"),
        ("很" * 100, "件/0007-" + "很" * 60 + ".pdf"),
        ("...", "件/0007.pdf"),
    ],
    ids=["unsafe-characters", "long-title", "nothing-left"],
)
def test_item_file_names_are_safe_on_windows(title: str, expected: str) -> None:
    assert archiving.item_file_name(7, title) == expected


@pytest.fixture(scope="module")
def manifest(files: dict[str, bytes], items: list[StampedItem]) -> bytes:
    return archiving.build_manifest({"run": "a1b2", "selection": {"meetings": ["m1"]}}, files, items)


def test_the_manifest_lists_every_file_with_its_hash_size_and_pages(manifest: bytes, files: dict[str, bytes]) -> None:
    listed = json.loads(manifest)

    assert [entry["name"] for entry in listed["files"]] == sorted(files)
    for entry in listed["files"]:
        content = files[entry["name"]]
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["size"] == len(content)
        assert entry["pages"] == len(PdfReader(io.BytesIO(content)).pages)
    assert listed["run"] == {"run": "a1b2", "selection": {"meetings": ["m1"]}}


def test_the_manifest_describes_every_item_and_its_file(manifest: bytes, items: list[StampedItem]) -> None:
    described = json.loads(manifest)["items"]

    assert [(d["item_no"], d["item_no_printed"], d["pages"]) for d in described] == [
        (item.item_no, f"{item.item_no:04d}", item.entry.pages) for item in items
    ]
    assert described[0]["doc_number"] == "青政办发〔2026〕15号"
    assert described[0]["date"] == "2026-11-25"
    assert described[0]["file"] == "件/0041-关于召开全县冬春季安全生产工作会议的通知.pdf"
    assert described[0]["sha256"] == hashlib.sha256(items[0].pdf).hexdigest()


def test_the_manifest_is_deterministic_utf8_with_sorted_keys(
    manifest: bytes, files: dict[str, bytes], items: list[StampedItem]
) -> None:
    again = archiving.build_manifest(
        {"selection": {"meetings": ["m1"]}, "run": "a1b2"}, dict(reversed(files.items())), items
    )

    assert again == manifest
    assert "归档文件目录".encode() in manifest
    text = manifest.decode("utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def test_the_zip_holds_every_file_under_utf8_names_deterministically(files: dict[str, bytes], manifest: bytes) -> None:
    everything = {**files, archiving.MANIFEST_NAME: manifest}

    bundle = archiving.bundle(everything)

    assert archiving.bundle(dict(reversed(everything.items()))) == bundle
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == sorted(everything)
        assert all(archive.read(info) == everything[info.filename] for info in infos)
        assert all(info.flag_bits & 0x800 for info in infos if not info.filename.isascii())  # UTF-8 names
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {info.compress_type for info in infos if info.filename.endswith(".pdf")} == {zipfile.ZIP_STORED}
