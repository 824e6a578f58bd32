"""Conversions of one document differ in date, ID and font serials; stabilising makes them identical."""

from __future__ import annotations

import io
import re
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.errors import RenderError
from service.postprocess.determinism import (
    PRIVATE_WINDOW,
    _drop_private_unique_id,
    decrypt_eexec,
    encrypt_eexec,
    stabilise_pdf,
)
from tests.conftest import load_example
from tests.postprocess.pdfa_checks import pdfa_claim, pdfa_problems, xmp, xmp_value

CREATED = datetime(2026, 11, 25, tzinfo=UTC)
UNIQUE_ID = re.compile(rb"/UniqueID\s+(\d+)")


@pytest.fixture(scope="module")
def notice_docx() -> bytes:
    catalog = TemplateCatalog(Settings().templates_dir)
    return render_document(catalog, "meeting-notice", load_example("meeting-notice"), OutputFormat.DOCX).content


@pytest.fixture(scope="module")
def notice_pdf(conversion_pool: ConversionPool, notice_docx: bytes) -> bytes:
    return conversion_pool.convert(notice_docx)


@pytest.fixture(scope="module")
def one_worker_runs(notice_docx: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The notice converted three times by one warm soffice, whose font counter moves between runs."""
    with ConversionPool(size=1, work_dir=tmp_path_factory.mktemp("one-worker")) as pool:
        return [pool.convert(notice_docx) for _ in range(3)]


def font_dictionaries(pdf: bytes) -> Iterator[DictionaryObject]:
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", DictionaryObject()).get_object()
        for font in fonts.values():
            yield font.get_object()


def font_table(pdf: bytes) -> list[tuple[str, str, bool, bool]]:
    """What pdffonts lists: name, type, embedded, ToUnicode."""
    return sorted(
        {
            (
                str(font["/BaseFont"]),
                str(font["/Subtype"]),
                "/FontDescriptor" in font and "/FontFile" in font["/FontDescriptor"].get_object(),
                "/ToUnicode" in font,
            )
            for font in font_dictionaries(pdf)
        }
    )


def type1_programs(pdf: bytes) -> dict[str, tuple[bytes, bytes, bytes]]:
    """Each embedded Type 1 font program by font name: cleartext, encrypted part, trailer."""
    programs = {}
    for font in font_dictionaries(pdf):
        stream = font["/FontDescriptor"].get_object()["/FontFile"].get_object()
        assert isinstance(stream, StreamObject)
        data = stream.get_data()
        length1, length2, length3 = (int(stream[key]) for key in ("/Length1", "/Length2", "/Length3"))
        assert len(data) == length1 + length2 + length3
        programs[str(font["/BaseFont"])] = (
            data[:length1],
            data[length1 : length1 + length2],
            data[length1 + length2 :],
        )
    return programs


def unique_ids(pdf: bytes) -> list[bytes]:
    found = []
    for cleartext, encrypted, _ in type1_programs(pdf).values():
        found += UNIQUE_ID.findall(cleartext) + UNIQUE_ID.findall(decrypt_eexec(encrypted))
    return found


def with_date_and_id(pdf: bytes, date: bytes, file_id: bytes) -> bytes:
    """`pdf` as if converted at `date` with random ID `file_id`: same length, so still a valid PDF."""
    dated, dates = re.subn(rb"(/CreationDate\(D:)\d{14}", rb"\g<1>" + date, pdf)
    identified, ids = re.subn(rb"<[0-9A-F]{32}>", b"<" + file_id + b">", dated[dated.rindex(b"trailer") :])
    assert (dates, ids) == (1, 2)
    return dated[: dated.rindex(b"trailer")] + identified


def test_one_warm_worker_gives_identical_bytes_once_stabilised(one_worker_runs: list[bytes]) -> None:
    assert len({tuple(unique_ids(run)) for run in one_worker_runs}) == 3, "the font counter should move"

    assert len({stabilise_pdf(run, CREATED) for run in one_worker_runs}) == 1


def test_unique_ids_leave_both_parts_of_every_font(notice_pdf: bytes) -> None:
    assert len(unique_ids(notice_pdf)) == 2 * len(type1_programs(notice_pdf))

    stable = stabilise_pdf(notice_pdf, CREATED)

    assert unique_ids(stable) == []
    assert type1_programs(stable).keys() == type1_programs(notice_pdf).keys()


def test_only_the_unique_ids_change_in_the_fonts(notice_pdf: bytes) -> None:
    def without_ids(pdf: bytes) -> list[tuple[bytes, bytes, bytes]]:
        strip = re.compile(rb"/UniqueID\s+\d+\s+def\s").sub
        return [
            (strip(b"", cleartext), strip(b"", decrypt_eexec(encrypted)), rest)
            for cleartext, encrypted, rest in type1_programs(pdf).values()
        ]

    assert without_ids(stabilise_pdf(notice_pdf, CREATED)) == without_ids(notice_pdf)


def test_eexec_round_trip_is_exact_on_real_font_data(notice_pdf: bytes) -> None:
    for _, encrypted, _ in type1_programs(notice_pdf).values():
        plain = decrypt_eexec(encrypted)

        assert b"/Private" in plain[:40]
        assert encrypt_eexec(plain) == encrypted


def test_stabilised_pdf_keeps_pages_text_and_fonts(notice_pdf: bytes) -> None:
    stable = stabilise_pdf(notice_pdf, CREATED)

    before, after = PdfReader(io.BytesIO(notice_pdf)), PdfReader(io.BytesIO(stable), strict=True)
    assert len(after.pages) == len(before.pages) == 3
    assert [page.extract_text() for page in after.pages] == [page.extract_text() for page in before.pages]
    assert "青政办发〔2026〕15号" in after.pages[0].extract_text()
    assert font_table(stable) == font_table(notice_pdf)
    with pdfplumber.open(io.BytesIO(notice_pdf)) as original, pdfplumber.open(io.BytesIO(stable)) as rewritten:
        assert [page.extract_text() for page in rewritten.pages] == [page.extract_text() for page in original.pages]
        assert [{char["fontname"] for char in page.chars} for page in rewritten.pages] == [
            {char["fontname"] for char in page.chars} for page in original.pages
        ]


def test_runs_that_differ_in_date_and_id_become_identical(notice_pdf: bytes) -> None:
    first = with_date_and_id(notice_pdf, b"20261120225140", b"2A226C0273D9776F9EB53FB25D78EEF4")
    second = with_date_and_id(notice_pdf, b"20261120225207", b"9EB53FB25D78EEF42A226C0273D9776F")

    assert stabilise_pdf(first, CREATED) == stabilise_pdf(second, CREATED)


def test_the_date_is_the_documents_and_nothing_is_added(notice_pdf: bytes) -> None:
    stable = stabilise_pdf(notice_pdf, CREATED)

    assert b"/CreationDate(D:20261125000000Z')" in stable
    assert b"/DocChecksum" not in stable
    info = PdfReader(io.BytesIO(stable)).metadata
    assert info is not None
    assert info == PdfReader(io.BytesIO(notice_pdf)).metadata | {"/CreationDate": "D:20261125000000Z'"}
    assert "/ModDate" not in info


def test_different_content_gets_a_different_id(notice_pdf: bytes) -> None:
    # "Writer" → "Writes" in the UTF-16 /Creator: one byte of content, same length.
    writer, writes = b"<FEFF005700720069007400650072>", b"<FEFF005700720069007400650073>"
    assert notice_pdf.count(writer) == 1
    one = stabilise_pdf(notice_pdf, CREATED)
    other = stabilise_pdf(notice_pdf.replace(writer, writes), CREATED)

    assert one.split(b"/ID")[1] != other.split(b"/ID")[1]


def test_a_pdf_without_an_id_is_refused(notice_pdf: bytes) -> None:
    trailer_at = notice_pdf.rindex(b"trailer")
    unidentified = notice_pdf[:trailer_at] + re.sub(rb"/ID\s*\[[^\]]*\]", b"", notice_pdf[trailer_at:])

    with pytest.raises(RenderError):
        stabilise_pdf(unidentified, CREATED)


def test_what_is_not_a_pdf_is_refused() -> None:
    with pytest.raises(RenderError):
        stabilise_pdf(b"<html>502 Bad Gateway</html>", CREATED)


def test_fonts_are_encrypted_again_exactly_as_a_full_decrypt_and_encrypt_would(notice_pdf: bytes) -> None:
    # stabilise_pdf decrypts only the Private dictionary and re-encrypts the glyphs in one pass.
    strip = re.compile(rb"/UniqueID\s+\d+\s+def\b\s?").sub
    expected = {
        name: (strip(b"", cleartext), encrypt_eexec(strip(b"", decrypt_eexec(encrypted))), rest)
        for name, (cleartext, encrypted, rest) in type1_programs(notice_pdf).items()
    }

    assert type1_programs(stabilise_pdf(notice_pdf, CREATED)) == expected


def test_a_private_dictionary_longer_than_the_first_window_loses_its_unique_id() -> None:
    private = b"dup /Private 8 dict dup begin\n/Pad <" + b"00" * PRIVATE_WINDOW + b"> def\n/UniqueID 4100009 def\n"
    glyphs = b"/CharStrings 1 dict dup begin\n/.notdef 4 RD " + bytes(range(256)) * 8 + b" ND\nend\n"
    plain = b"\x8a\x01\xf2\x5c" + private + glyphs

    encrypted = _drop_private_unique_id(encrypt_eexec(plain))

    assert encrypted is not None
    assert decrypt_eexec(encrypted) == plain.replace(b"/UniqueID 4100009 def\n", b"")


def test_a_font_stream_in_an_unexpected_encoding_is_refused(notice_pdf: bytes) -> None:
    # Same length, so every offset still holds; LibreOffice only ever writes /FlateDecode.
    recoded = notice_pdf.replace(b"/Filter/FlateDecode/Length1", b"/Filter/RunLengthDe/Length1")
    assert recoded != notice_pdf

    with pytest.raises(RenderError):
        stabilise_pdf(recoded, CREATED)


# -- PDF/A-2b (archive copies) ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfa_runs(notice_docx: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The notice exported as PDF/A-2b twice by one warm soffice, in different seconds of the clock."""
    with ConversionPool(size=1, work_dir=tmp_path_factory.mktemp("pdfa-worker")) as pool:
        first = pool.convert(notice_docx, pdfa=True)
        time.sleep(1.05)  # LibreOffice dates the output intent's ICC profile to the second
        return [first, pool.convert(notice_docx, pdfa=True)]


def icc_profile(pdf: bytes) -> bytes:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"].get_object()
    (intent,) = [reference.get_object() for reference in root["/OutputIntents"]]
    data: bytes = intent["/DestOutputProfile"].get_object().get_data()
    return data


def test_two_pdfa_exports_give_identical_bytes_once_stabilised(pdfa_runs: list[bytes]) -> None:
    assert icc_profile(pdfa_runs[0])[24:36] != icc_profile(pdfa_runs[1])[24:36], "the ICC dates should differ"

    assert stabilise_pdf(pdfa_runs[0], CREATED) == stabilise_pdf(pdfa_runs[1], CREATED)


def test_a_stabilised_pdfa_export_is_still_pdfa_2b(pdfa_runs: list[bytes]) -> None:
    stable = stabilise_pdf(pdfa_runs[0], CREATED)

    assert pdfa_problems(pdfa_runs[0]) == []
    assert pdfa_problems(stable) == []
    assert pdfa_claim(stable) == ("2", "B")


def test_xmp_and_info_and_profile_all_carry_the_documents_date(pdfa_runs: list[bytes]) -> None:
    stable = stabilise_pdf(pdfa_runs[0], CREATED)

    root = xmp(stable)
    assert root is not None
    assert xmp_value(root, "xmp:CreateDate") == "2026-11-25T00:00:00Z"
    assert b"/CreationDate(D:20261125000000Z')" in stable
    assert struct.unpack(">6H", icc_profile(stable)[24:36]) == (2026, 11, 25, 0, 0, 0)


def test_only_the_profiles_date_changes_in_the_profile(pdfa_runs: list[bytes]) -> None:
    before, after = icc_profile(pdfa_runs[0]), icc_profile(stabilise_pdf(pdfa_runs[0], CREATED))

    assert len(before) == len(after)
    assert before[:24] + before[36:] == after[:24] + after[36:]


def test_the_checks_catch_an_info_date_that_xmp_does_not_repeat(pdfa_runs: list[bytes]) -> None:
    """What stabilise_pdf did before PDF/A: the Info date alone replaced. The stand-in for veraPDF sees it."""
    info_only = re.sub(rb"(/CreationDate\(D:)\d{14}", rb"\g<1>20261125000000", pdfa_runs[0])

    assert any(problem.startswith("6.6.3 /CreationDate") for problem in pdfa_problems(info_only))
