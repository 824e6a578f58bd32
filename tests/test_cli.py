"""The `gongwen` command line: render from a file or standard input, and report bad bodies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from service.cli import main
from tests.conftest import load_example


def test_render_writes_the_docx_named_by_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(load_example("meeting-notice"), ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "notice.docx"

    assert main(["render", "meeting-notice", str(body), "-o", str(output)]) == 0

    paragraphs = [p.text for p in Document(str(output)).paragraphs]
    assert "青政办发〔2026〕15号" in paragraphs
    assert "sha256" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.json", "notice.docx"]


def test_render_reads_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(load_example("meeting-notice"))))
    output = tmp_path / "notice.docx"

    assert main(["render", "meeting-notice", "-", "-o", str(output)]) == 0
    assert output.stat().st_size > 0


def test_invalid_body_exits_2_naming_each_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = load_example("meeting-notice")
    body["doc_number"] = "青政办发〔2026〕05号"
    del body["title"]
    source = tmp_path / "body.json"
    source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    status = main(["render", "meeting-notice", str(source), "-o", str(tmp_path / "notice.docx")])

    assert status == 2
    errors = capsys.readouterr().err
    assert "doc_number: 发文字号" in errors
    assert "title: 缺少必填字段 / Missing data for required field." in errors
    assert not (tmp_path / "notice.docx").exists()


def test_unknown_extension_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["render", "meeting-notice", "-", "-o", str(tmp_path / "notice.odt")])

    assert status == 1
    assert ".docx" in capsys.readouterr().err


def test_corrections_are_reported_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = load_example("meeting-notice")
    body["doc_number"] = "青政办发【2026】15号"
    source = tmp_path / "body.json"
    source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    assert main(["render", "meeting-notice", str(source), "-o", str(tmp_path / "n.docx")]) == 0
    assert "doc_number:" in capsys.readouterr().err


def test_render_to_pdf_converts_with_libreoffice(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(load_example("meeting-notice"), ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "notice.pdf"

    assert main(["render", "meeting-notice", str(body), "-o", str(output)]) == 0

    assert output.read_bytes().startswith(b"%PDF-")
    assert len(PdfReader(output).pages) == 4  # the 版记 on an even page of its own


def test_fonts_check_lists_every_official_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fonts", "check"]) == 0

    printed = capsys.readouterr().out
    assert "仿宋_GB2312" in printed and "FandolFang" in printed
    assert "方正小标宋简体" in printed and "Noto Serif CJK SC Bold" in printed


def test_db_upgrade_migrates_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "registry.sqlite3"
    monkeypatch.setenv("GONGWEN_DATABASE_URL", f"sqlite:///{database}")

    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0

    first, second = capsys.readouterr().out.splitlines()
    assert first.endswith("at revision 0001 (was None)")
    assert second.endswith("at revision 0001 (was 0001)")
    assert database.is_file()
