"""convert(pdfa=True): LibreOffice's own PDF/A-2b export, against the real office; the default is unchanged."""

from __future__ import annotations

import time

from service.conversion import ConversionPool
from tests.postprocess.pdfa_checks import catalog, pdfa_claim, pdfa_problems, read

from .test_pool import SAMPLE_TEXT, pdf_fonts, pdf_text


def test_pdfa_export_claims_part_2_conformance_b(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    pdf = shared_pool.convert(sample_docx, pdfa=True)

    assert pdfa_claim(pdf) == ("2", "B")
    assert pdfa_problems(pdf) == []


def test_pdfa_export_has_an_srgb_output_intent_and_embeds_every_font(
    shared_pool: ConversionPool, sample_docx: bytes
) -> None:
    pdf = shared_pool.convert(sample_docx, pdfa=True)

    (intent,) = [reference.get_object() for reference in catalog(pdf)["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/OutputConditionIdentifier"] == "sRGB IEC61966-2.1"
    assert intent["/DestOutputProfile"].get_object().get_data()[16:20] == b"RGB "
    assert not any("fonts not embedded" in problem for problem in pdfa_problems(pdf))
    assert pdf_fonts(pdf) == {"FandolFang-Regular"}
    assert SAMPLE_TEXT in pdf_text(pdf)


def test_default_export_is_plain_pdf(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    pdf = shared_pool.convert(sample_docx)

    root = catalog(pdf)
    assert "/Metadata" not in root and "/OutputIntents" not in root and "/StructTreeRoot" not in root
    assert pdfa_claim(pdf) == (None, None)
    assert len(read(pdf).pages) == 1


def test_pdfa_costs_about_what_a_plain_conversion_costs(shared_pool: ConversionPool, sample_docx: bytes) -> None:
    """Printed, not asserted beyond both working: the PDF/A export's time and size beside the default's."""
    timings: dict[bool, list[float]] = {False: [], True: []}
    sizes: dict[bool, int] = {}
    for _ in range(5):
        for pdfa in (False, True):
            started = time.perf_counter()
            sizes[pdfa] = len(shared_pool.convert(sample_docx, pdfa=pdfa))
            timings[pdfa].append(time.perf_counter() - started)
    plain, archive = sorted(timings[False])[2], sorted(timings[True])[2]
    print(f"\nmedian conversion: plain {plain * 1000:.0f} ms ({sizes[False]} B),", end=" ")
    print(f"PDF/A-2b {archive * 1000:.0f} ms ({sizes[True]} B)")

    assert sizes[True] > sizes[False]  # the ICC profile, the XMP packet and the structure tree
