"""Two conversions of one document differ only in date and ID; stabilising makes them identical."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.errors import RenderError
from service.postprocess.determinism import stabilise_pdf

CREATED = datetime(2026, 11, 25, tzinfo=UTC)


def fake_pdf(date: bytes, file_id: bytes) -> bytes:
    return (
        b"%PDF-1.6\n1 0 obj\n<</Producer(LibreOffice)/CreationDate(D:" + date + b"Z')>>\nendobj\n"
        b"trailer\n<</Size 2/ID [ <" + file_id + b"> <" + file_id + b"> ]>>\n%%EOF\n"
    )


def test_runs_that_differ_in_date_and_id_become_identical() -> None:
    first = fake_pdf(b"20261120225140", b"2A226C0273D9776F9EB53FB25D78EEF4")
    second = fake_pdf(b"20261120225207", b"9EB53FB25D78EEF42A226C0273D9776F")

    assert stabilise_pdf(first, CREATED) == stabilise_pdf(second, CREATED)


def test_length_is_kept_and_the_date_is_the_documents() -> None:
    original = fake_pdf(b"20261120225140", b"2A226C0273D9776F9EB53FB25D78EEF4")

    stable = stabilise_pdf(original, CREATED)

    assert len(stable) == len(original)
    assert b"/CreationDate(D:20261125000000Z')" in stable


def test_different_content_gets_a_different_id() -> None:
    one = stabilise_pdf(fake_pdf(b"20261120225140", b"0" * 32), CREATED)
    other = stabilise_pdf(fake_pdf(b"20261120225140", b"0" * 32).replace(b"LibreOffice", b"LibreOfficf"), CREATED)

    assert one.split(b"/ID")[1] != other.split(b"/ID")[1]


def test_a_pdf_without_an_id_is_refused() -> None:
    with pytest.raises(RenderError):
        stabilise_pdf(b"%PDF-1.6\n<</CreationDate(D:20261120225140Z')>>", CREATED)
