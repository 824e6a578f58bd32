"""The `gongwen` command line: render from a file or standard input, and report bad bodies."""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from docx import Document
from flask.testing import FlaskClient
from pypdf import PdfReader

from service import create_app
from service.cli import _gunicorn_options, _one_conversion_request_each, main
from service.config import Settings
from service.conversion.pool import _CURRENT_REQUEST
from tests.conftest import load_example


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command's registry in the test's own directory, never the checkout's var/ (tests may set another)."""
    monkeypatch.setenv("GONGWEN_DATA_DIR", str(tmp_path / "data"))


def test_render_writes_the_docx_named_by_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(load_example("meeting-notice"), ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "notice.docx"

    assert main(["render", "meeting-notice", str(body), "-o", str(output)]) == 0

    paragraphs = [p.text for p in Document(str(output)).paragraphs]
    assert "青政办发〔2026〕15号" in paragraphs
    assert "sha256" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.json", "data", "notice.docx"]


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
    assert first.endswith("at revision 0003 (was None)")
    assert second.endswith("at revision 0003 (was 0003)")
    assert database.is_file()


def test_archive_files_a_manifest_into_a_directory_and_resumes_from_its_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.jobs.archive_checks import ArchiveResult, box_problems, manifest_problems
    from tests.jobs.conftest import filing

    monkeypatch.setenv("GONGWEN_CONVERTERS", "1")
    scan = tmp_path / "scans" / "签到表.pdf"
    scan.parent.mkdir()
    assert main(["render", "sign-in-sheet", str(_body_file(tmp_path, "sign-in-sheet")), "-o", str(scan)]) == 0
    manifest = tmp_path / "box-3.json"
    manifest.write_text(
        json.dumps(
            {
                "filing": filing(),
                "documents": [
                    {"kind": "meeting-notice", "body": load_example("meeting-notice")},
                    {"kind": "meeting-minutes", "body": load_example("meeting-minutes")},
                    {
                        "file": "scans/签到表.pdf",
                        "title": "签到表（扫描件）",
                        "responsible": "县政府办",
                        "date": "2026-12-03",
                    },
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "box-3"

    assert main(["archive", str(manifest), "--out", str(out)]) == 0

    written = {str(path.relative_to(out)): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    written = {name: data for name, data in written.items() if not name.startswith(".gongwen")}
    result = ArchiveResult(
        {name: data for name, data in written.items() if name != "manifest.json"},
        json.loads(written["manifest.json"]),
    )
    assert manifest_problems(result) == []
    assert box_problems(result, fonds_no="J012", year=2026, retention="定期30年", first_item_no=41) == []
    assert "3 件" in capsys.readouterr().out
    # The same command again finds its finished run in DIR/.gongwen and writes the same files.
    assert main(["archive", str(manifest), "--out", str(out)]) == 0
    again = {str(path.relative_to(out)): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert {name: data for name, data in again.items() if not name.startswith(".gongwen")} == written


def _body_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(load_example(kind), ensure_ascii=False), encoding="utf-8")
    return path


def test_bootstrap_prints_the_first_admins_credentials_once_and_they_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGWEN_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()

    assert main(["bootstrap"]) == 0
    first = capsys.readouterr().out
    assert main(["bootstrap"]) == 0
    second = capsys.readouterr().out

    password = re.search(r"login admin\s+password (\S+)", first)
    key = re.search(r"API key:\s+(gw_\S+)", first)
    assert password and key, first
    assert second == ""
    client = _app_client(tmp_path)
    signed_in = client.post("/api/v1/session", json={"login": "admin", "password": password.group(1)})
    assert signed_in.status_code == 200 and signed_in.get_json()["roles"] == ["admin"]
    assert client.get("/api/v1/keys", headers={"Authorization": f"Bearer {key.group(1)}"}).status_code == 200


def test_keys_create_prints_only_the_key_and_revoke_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGWEN_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()

    assert main(["keys", "create", "--name", "县政府OA", "--role", "submitter"]) == 0
    token = capsys.readouterr().out.strip()
    client = _app_client(tmp_path)
    before = client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"})
    assert main(["keys", "revoke", token]) == 0
    after = client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"})
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out

    assert re.fullmatch(r"gw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    assert (before.status_code, after.status_code) == (200, 401)
    assert "revoked" in listing and "县政府OA" in listing


def test_users_create_with_an_unknown_role_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["users", "create", "li", "--name", "李四", "--role", "auditor"])

    assert exited.value.code == 2
    assert "invalid choice: 'auditor'" in capsys.readouterr().err


def _app_client(tmp_path: Path) -> FlaskClient:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    return FlaskClient(app, app.response_class, use_cookies=True)


def _notice_docx(tmp_path: Path, name: str, **margins: int) -> Path:
    from service.rendering import ooxml
    from tests.rendering.lint_files import notice, with_margins

    package = with_margins(notice(), **margins) if margins else notice()
    xml = package["word/document.xml"].decode("utf-8").replace("填报单位（盖章）：", "填报单位（加盖公章）：")
    path = tmp_path / name
    path.write_bytes(ooxml.write_package({**package, "word/document.xml": xml.encode("utf-8")}))
    return path


def test_lint_prints_each_deviation_with_its_numbers_and_exits_1_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = _notice_docx(tmp_path, "wide.docx", left=1701)
    clean = _notice_docx(tmp_path, "clean.docx")

    assert main(["lint", str(wide)]) == 1
    printed = capsys.readouterr().out
    assert main(["lint", "--json", str(clean)]) == 0
    report = json.loads(capsys.readouterr().out)

    assert re.search(r"error margin_left: .*\[measured 30\.0 mm, expected 28 mm", printed), printed
    assert "at word/document.xml" in printed
    assert report["ok"] is True and report["errors"] == 0


def test_templates_upload_activate_roll_back_and_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGWEN_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "upgrade"]) == 0
    edited = _notice_docx(tmp_path, "notice.docx")
    wide = _notice_docx(tmp_path, "wide.docx", left=1701)
    capsys.readouterr()

    assert (
        main(["templates", "upload", "meeting-notice", f"document={edited}", "--reason", "新的盖章要求", "--activate"])
        == 0
    )
    uploaded = capsys.readouterr().out
    assert main(["templates", "upload", "meeting-notice", f"document={wide}", "--reason", "页边距试验"]) == 1
    refused = capsys.readouterr().out
    assert main(["templates", "activate", "meeting-notice", "3", "--reason", "试试"]) == 1
    assert main(["templates", "download", "meeting-notice", "2", "-o", str(tmp_path / "v2.docx")]) == 0
    assert main(["templates", "rollback", "meeting-notice", "--reason", "暂缓执行"]) == 0
    assert main(["templates", "list", "meeting-notice"]) == 0
    listing = capsys.readouterr().out

    assert "meeting-notice version 2 is now active" in uploaded
    assert "version 3 stored (lint errors: it cannot be activated)" in refused
    assert "margin_left" in refused
    assert "rolled back to version 1 (was 2)" in listing
    assert "active version 1" in listing
    assert re.search(r"v2\s+ok\s+.* cli: 新的盖章要求", listing), listing
    assert re.search(r"v3\s+lint errors", listing), listing
    assert "填报单位（加盖公章）" in zipfile.ZipFile(tmp_path / "v2.docx").read("word/document.xml").decode("utf-8")


def _serve_arguments(threads: int | None = None) -> argparse.Namespace:
    return argparse.Namespace(host="127.0.0.1", port=8000, workers=1, threads=threads)


def test_serve_gives_a_thread_to_every_request_the_pool_may_hold_and_48_more() -> None:
    options = _gunicorn_options(_serve_arguments(), Settings(converters=2))

    # 2 converting + 16 queued may each hold a thread; DOCX and reading requests must never queue behind them.
    assert (options["worker_class"], options["threads"]) == ("gthread", 66)
    assert _gunicorn_options(_serve_arguments(threads=80), Settings(converters=2))["threads"] == 80


def test_serve_refuses_threads_that_waiting_conversions_could_all_hold(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGWEN_CONVERTERS", "2")

    assert main(["serve", "--threads", "16"]) == 1

    error = capsys.readouterr().err
    assert "must exceed the 18 requests the conversion pool may hold" in error
    assert "serving on" not in error


def test_serve_makes_each_http_request_one_conversion_request() -> None:
    # Each request's conversions are admitted or refused as a whole (ConversionPool, ADR 0020), and no
    # admission carries over to the next request the same thread serves.
    seen = []

    def application(environ: dict[str, object], start_response: object) -> Iterable[bytes]:
        seen.append(_CURRENT_REQUEST.get())
        return [b""]

    wrapped = _one_conversion_request_each(application)
    for _ in range(2):
        wrapped({}, None)

    assert seen[0] is not None and seen[1] is not None and seen[0] is not seen[1]
    assert _CURRENT_REQUEST.get() is None
