"""Template maintainers over HTTP: uploads checked and versioned, activation and roll-back, previews, lint."""

from __future__ import annotations

import base64
import io
import re
import time
import zipfile
from typing import Any

import pytest
from docx import Document
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from service.config import Settings
from service.documents.kinds import KINDS
from service.documents.templates import TemplateCatalog
from service.postprocess.pdfium import page_texts
from service.rendering import ooxml
from tests.conftest import load_example
from tests.rendering.lint_files import DOCUMENT, notice, with_margins

NOTICE = "meeting-notice"
UPLOAD_URL = f"/api/v1/templates/{NOTICE}/versions"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SEAL_RULE_OLD = "填报单位（盖章）："
SEAL_RULE_NEW = "填报单位（加盖公章）："
Package = dict[str, bytes]


def _docx(package: Package) -> bytes:
    return ooxml.write_package(package)


def _with_text(package: Package, old: str, new: str) -> Package:
    xml = package[DOCUMENT].decode("utf-8")
    assert old in xml, old
    return {**package, DOCUMENT: xml.replace(old, new, 1).encode("utf-8")}


def _edited_notice() -> bytes:
    """The notice as a maintainer edits it in Word: a new seal rule on the reply slip."""
    return _docx(_with_text(notice(), SEAL_RULE_OLD, SEAL_RULE_NEW))


def _split_across_runs(package: Package, tag: str) -> Package:
    """`tag` cut into three runs with different formatting and a proofing mark between them, as Word leaves it."""
    xml = package[DOCUMENT].decode("utf-8")
    run = re.search(r"<w:r>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t[^>]*>" + re.escape(tag) + r"</w:t></w:r>", xml)
    assert run is not None, tag
    properties = run.group(1) or ""
    marked = properties.replace("</w:rPr>", '<w:lang w:val="en-US"/></w:rPr>')
    cut = [tag[:4], tag[4:8], tag[8:]]
    pieces = [
        f'<w:r>{properties}<w:t xml:space="preserve">{cut[0]}</w:t></w:r>',
        '<w:proofErr w:type="spellStart"/>',
        f"<w:r>{marked}<w:t>{cut[1]}</w:t></w:r>",
        '<w:proofErr w:type="spellEnd"/>',
        f'<w:r>{properties}<w:t xml:space="preserve">{cut[2]}</w:t></w:r>',
    ]
    return {**package, DOCUMENT: (xml[: run.start()] + "".join(pieces) + xml[run.end() :]).encode("utf-8")}


def _upload(
    client: FlaskClient, files: dict[str, bytes], reason: str = "新的盖章要求", kind: str = NOTICE
) -> TestResponse:
    fields: dict[str, Any] = {"reason": reason}
    for variant, content in files.items():
        fields[variant] = FileStorage(io.BytesIO(content), f"{variant}.docx", content_type=DOCX_TYPE)
    # Encoded here in memory: the test client would spool a large body to a file it never closes.
    stream, _, boundary = stream_encode_multipart(fields, use_tempfile=False)
    body = stream.read()
    url = f"/api/v1/templates/{kind}/versions"
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _activate(client: FlaskClient, version: int, reason: str = "启用") -> TestResponse:
    return client.put(f"/api/v1/templates/{NOTICE}/active", json={"version": version, "reason": reason})


def _findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [finding for variant in report.values() for finding in variant["findings"]]


def _rejected(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem: dict[str, Any] = response.get_json()
    assert problem["code"] in {"template_rejected", "upload_invalid", "payload_invalid"}, problem
    return problem


def _versions(client: FlaskClient) -> list[int]:
    return [version["version"] for version in client.get(f"/api/v1/templates/{NOTICE}").get_json()["versions"]]


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_built_in_template_uploaded_again_is_accepted_and_activatable(client: FlaskClient, kind: str) -> None:
    built_in = TemplateCatalog(Settings().templates_dir).built_in(kind)

    response = _upload(client, {variant: path.read_bytes() for variant, path in built_in.paths.items()}, kind=kind)

    assert response.status_code == 201, response.get_json()
    version = response.get_json()
    assert version["activatable"] is True, _findings(version["report"])
    assert [f["code"] for f in _findings(version["report"]) if f["severity"] != "warning"] == []


def test_a_valid_edited_notice_is_stored_activated_and_renders(client: FlaskClient) -> None:
    uploaded = _upload(client, {"document": _edited_notice()})

    assert uploaded.status_code == 201, uploaded.get_json()
    version = uploaded.get_json()
    assert (version["version"], version["activatable"], version["active"], version["based_on"]) == (2, True, False, 1)
    assert version["reason"] == "新的盖章要求"
    assert set(version["files"]) == {"document", "letter"}  # the letter carried over from version 1
    assert all(variant["errors"] == 0 for variant in version["report"].values())
    assert uploaded.headers["Location"] == f"{UPLOAD_URL}/2"

    activated = _activate(client, 2, "省里新的回执盖章要求")
    assert activated.status_code == 200, activated.get_json()
    assert (activated.get_json()["version"], activated.get_json()["previous_version"]) == (2, 1)

    docx = client.post(f"/api/v1/documents/{NOTICE}?format=docx", json=load_example(NOTICE))
    pdf = client.post(f"/api/v1/documents/{NOTICE}?format=pdf", json=load_example(NOTICE))
    assert SEAL_RULE_NEW in _docx_text(docx.data)
    assert any(SEAL_RULE_NEW in line for page in page_texts(pdf.data) for line in page)
    assert client.get(f"/api/v1/templates/{NOTICE}").get_json()["active_version"] == 2


def test_a_tag_split_across_runs_is_joined_and_the_report_says_where(client: FlaskClient) -> None:
    split = _docx(_split_across_runs(notice(), "{{ signatory }}"))

    uploaded = _upload(client, {"document": split})

    assert uploaded.status_code == 201, uploaded.get_json()
    repaired = [f for f in _findings(uploaded.get_json()["report"]) if f["code"] == "tag_split_repaired"]
    assert len(repaired) == 1
    assert repaired[0]["severity"] == "notice"
    assert "{{ signatory }}" in repaired[0]["message"] + repaired[0]["where"]
    stored = client.get(f"{UPLOAD_URL}/2/files/document")
    assert "{{ signatory }}" in zipfile.ZipFile(io.BytesIO(stored.data)).read(DOCUMENT).decode("utf-8")
    assert _activate(client, 2).status_code == 200
    rendered = client.post(f"/api/v1/documents/{NOTICE}?format=docx", json=load_example(NOTICE))
    assert load_example(NOTICE)["issuer"]["name"] in _docx_text(rendered.data)


def test_an_unknown_variable_is_rejected_naming_it_and_its_paragraph(client: FlaskClient) -> None:
    unknown = _docx(_with_text(notice(), ">姓名<", ">姓名{{ meeting_room }}<"))

    problem = _rejected(_upload(client, {"document": unknown}))

    assert "meeting_room" in " ".join(problem["errors"]["files.document"])
    finding = next(f for f in _findings(problem["report"]) if f["code"] == "unknown_variable")
    assert "meeting_room" in finding["message"]
    assert "姓名" in finding["where"]
    assert finding["location"]["table"] >= 1  # the reply slip's header cell
    assert _versions(client) == [1]  # nothing stored beside the built-in version


@pytest.mark.parametrize(
    "expression",
    ["{{ ''.__class__.__mro__ }}", "{{ signatory.__class__.__mro__[1].__subclasses__() }}", "{{ cc['__globals__'] }}"],
    ids=["mro", "subclasses", "globals"],
)
def test_an_escape_from_the_sandbox_is_rejected_and_never_run(client: FlaskClient, expression: str) -> None:
    escaping = _docx(_with_text(notice(), SEAL_RULE_OLD, expression.replace("'", "&apos;")))

    problem = _rejected(_upload(client, {"document": escaping}))

    assert any(f["code"] == "unsafe_expression" for f in _findings(problem["report"]))
    assert "<class" not in str(problem)
    assert _versions(client) == [1]


def _zip_bomb() -> bytes:
    """A small DOCX whose document.xml unpacks to a gigabyte of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in notice().items():
            if name != DOCUMENT:
                archive.writestr(name, content)
        with archive.open(DOCUMENT, "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_rejected_quickly(client: FlaskClient) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024

    started = time.perf_counter()
    problem = _rejected(_upload(client, {"document": bomb}))
    elapsed = time.perf_counter() - started

    assert any(f["code"] == "zip_bomb" for f in _findings(problem["report"]))
    assert elapsed < 5, f"{elapsed:.1f} s"  # bounded work, not a benchmark: unpacking it all takes minutes
    assert _versions(client) == [1]


def test_an_external_entity_is_rejected_before_it_is_resolved(client: FlaskClient) -> None:
    xml = notice()[DOCUMENT].decode("utf-8")
    declaration = '<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    hostile = xml.replace("?>", "?>" + declaration, 1).replace(SEAL_RULE_OLD, "&secret;", 1)

    problem = _rejected(_upload(client, {"document": _docx({**notice(), DOCUMENT: hostile.encode("utf-8")})}))

    assert any(f["code"] == "external_entity" for f in _findings(problem["report"]))
    assert "root:" not in str(problem)


def test_a_template_with_30_mm_margins_is_stored_but_cannot_be_activated(client: FlaskClient) -> None:
    wide = _docx(with_margins(notice(), left=1701))

    uploaded = _upload(client, {"document": wide})

    assert uploaded.status_code == 201, uploaded.get_json()
    assert uploaded.get_json()["activatable"] is False
    margin = next(f for f in _findings(uploaded.get_json()["report"]) if f["code"] == "margin_left")
    assert margin["severity"] == "error"
    assert margin["measured"] == "30.0 mm"
    assert "28" in margin["expected"]
    refused = _activate(client, 2)
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "conflict"
    assert client.get(f"/api/v1/templates/{NOTICE}").get_json()["active_version"] == 1


def test_roll_back_returns_to_the_previous_version_and_each_document_names_its_own(client: FlaskClient) -> None:
    meeting = client.post("/api/v1/meetings", json={"title": "模板回退测试会议"}).get_json()["id"]
    issue_url = f"/api/v1/meetings/{meeting}/documents/{NOTICE}?pdf=false"
    assert _upload(client, {"document": _edited_notice()}).status_code == 201
    assert _activate(client, 2).status_code == 200

    with_v2 = client.post(issue_url, json=load_example(NOTICE)).get_json()
    rolled_back = client.post(f"/api/v1/templates/{NOTICE}/rollback", json={"reason": "回执盖章要求暂缓执行"})
    with_v1 = client.post(issue_url, json={**load_example(NOTICE), "doc_number": "青政办发〔2026〕16号"}).get_json()

    assert rolled_back.status_code == 200, rolled_back.get_json()
    assert (rolled_back.get_json()["version"], rolled_back.get_json()["previous_version"]) == (1, 2)
    assert (with_v2["template_version"], with_v1["template_version"]) == (2, 1)
    assert with_v2["template_sha256"] != with_v1["template_sha256"]
    assert SEAL_RULE_NEW in _docx_text(client.get(f"/api/v1/documents/{with_v2['id']}/docx").data)
    assert SEAL_RULE_OLD in _docx_text(client.get(f"/api/v1/documents/{with_v1['id']}/docx").data)
    # The v2 document's PDF, first asked for after the roll-back, is still made with v2.
    late_pdf = client.get(f"/api/v1/documents/{with_v2['id']}/pdf")
    assert any(SEAL_RULE_NEW in line for page in page_texts(late_pdf.data) for line in page)
    templates = client.get(f"/api/v1/templates/{NOTICE}").get_json()
    assert [(a["version"], a["reason"]) for a in templates["activations"]] == [(1, "回执盖章要求暂缓执行"), (2, "启用")]
    assert [(v["version"], v["active"]) for v in templates["versions"]] == [(2, False), (1, True)]
    assert templates["rollback_to"] == 2
    assert templates["previewable_variants"] == ["document", "letter"]


def test_roll_back_with_nothing_to_return_to_is_409(client: FlaskClient) -> None:
    response = client.post(f"/api/v1/templates/{NOTICE}/rollback", json={"reason": "试一下"})

    assert response.status_code == 409
    assert "内置模板" in response.get_json()["detail"]


def test_the_preview_shows_the_candidate_beside_the_active_version(client: FlaskClient) -> None:
    assert _upload(client, {"document": _edited_notice()}).status_code == 201

    response = client.get(f"{UPLOAD_URL}/2/preview?dpi=40")

    assert response.status_code == 200, response.get_json()
    preview = response.get_json()
    assert (preview["candidate"]["version"], preview["active"]["version"]) == (2, 1)
    for side in ("candidate", "active"):
        rendered = preview[side]
        assert rendered["pages"] == len(rendered["page_images"]) >= 2
        first = rendered["page_images"][0]
        assert first.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(first.split(",", 1)[1])))
        assert image.size == (round(210 / 25.4 * 40), round(297 / 25.4 * 40))
        assert rendered["conformance"]["errors"] == 0, rendered["conformance"]["findings"]
    assert preview["upload_report"]["document"]["ok"] is True


def test_the_letter_format_can_be_previewed(client: FlaskClient) -> None:
    response = client.get(f"{UPLOAD_URL}/1/preview?variant=letter&dpi=30")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["variant"] == "letter"
    assert response.get_json()["candidate"]["conformance"]["errors"] == 0


def test_an_upload_without_a_reason_or_with_an_unknown_variant_is_422_naming_both(client: FlaskClient) -> None:
    response = _upload(client, {"minutes": _edited_notice()}, reason=" ")

    problem = _rejected(response)
    assert set(problem["errors"]) == {"reason", "files.minutes"}


def test_uploads_and_activations_are_in_the_audit_log(client: FlaskClient) -> None:
    _upload(client, {"document": _edited_notice()})
    _activate(client, 2, "审计测试")

    events = client.get("/api/v1/audit-events").get_json()["items"]
    actions = {event["action"]: event for event in events}
    assert actions["template.uploaded"]["target"] == f"templates/{NOTICE}/versions/2"
    assert actions["template.activated"]["detail"]["version"] == 2
    assert actions["template.activated"]["detail"]["reason"] == "审计测试"


def test_the_lint_route_reports_deviations_of_any_docx(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/lint",
        data=_docx(with_margins(notice(), left=1701)),
        content_type=DOCX_TYPE,
    )

    assert response.status_code == 200
    report = response.get_json()
    assert report["ok"] is False
    margin = next(f for f in report["findings"] if f["code"] == "margin_left")
    assert margin["measured"] == "30.0 mm"


def test_the_lint_route_takes_a_multipart_file_and_refuses_what_is_not_a_docx(client: FlaskClient) -> None:
    clean = client.post(
        "/api/v1/lint", data={"file": (io.BytesIO(_docx(notice())), "n.docx")}, content_type="multipart/form-data"
    )
    garbage = client.post("/api/v1/lint", data=b"not a zip", content_type="application/octet-stream")

    assert clean.status_code == 200
    assert clean.get_json()["errors"] == 0
    assert garbage.status_code == 422
    assert "file" in garbage.get_json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/api/v1/templates/meeting-minutes/versions/1/files/letter", id="variant-of-another-kind"),
        pytest.param("/api/v1/templates/no-such-kind/versions/1/files/document", id="unknown-kind"),
    ],
)
def test_a_template_file_that_does_not_exist_is_404(client: FlaskClient, url: str) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): a variant the kind does not have was a 500 template_invalid.
    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_an_upload_that_is_not_multipart_names_the_content_type(client: FlaskClient) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): the detail did not name the field its errors were keyed by.
    response = client.post(UPLOAD_URL, json={"reason": "x"})

    assert response.status_code == 422
    assert "Content-Type" in response.get_json()["detail"]
    assert list(response.get_json()["errors"]) == ["Content-Type"]


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"{UPLOAD_URL}/{10**20}", id="version"),
        pytest.param(f"{UPLOAD_URL}/{10**20}/files/document", id="file"),
        pytest.param(f"{UPLOAD_URL}/{2**31}/preview", id="preview"),
    ],
)
def test_a_version_past_the_database_s_integers_is_404(client: FlaskClient, url: str) -> None:
    # Found probing past the fuzzer: 10**20 reached SQLite, which raised OverflowError (500).
    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"version": 10**20, "reason": "启用"}, "version", id="version-past-the-integers"),
        pytest.param({"version": 1.5, "reason": "启用"}, "version", id="fractional-version"),
        pytest.param({"version": "1", "reason": "启用"}, "version", id="version-as-text"),
        pytest.param({"version": 1, "reason": "启用\x00"}, "reason", id="control-character-in-reason"),
        pytest.param({"version": 1, "reason": "启用", "by": "me"}, "by", id="unknown-field"),
    ],
)
def test_an_activation_request_the_schema_refuses_is_422_naming_the_field(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    # Found probing past the fuzzer: version 10**20 was a 500, 1.5 was taken as 1, and a NUL went into the reason.
    response = client.put(f"/api/v1/templates/{NOTICE}/active", json=body)

    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_an_activation_without_a_reason_is_still_asked_for_one(client: FlaskClient) -> None:
    response = _activate(client, 1, reason="  ")

    assert response.status_code == 422
    assert response.get_json()["errors"]["reason"] == [
        "请填写原因（修改了什么、为什么） / give a reason: what changed and why"
    ]


@pytest.mark.parametrize("dpi", ["²", "٣٠", "9" * 5000, "29", "101"])
def test_a_preview_dpi_that_is_no_ascii_whole_number_in_range_is_422(client: FlaskClient, dpi: str) -> None:
    # Found probing past the fuzzer: str.isdigit() let "²" and 5,000 digits through to int(), which raised (500).
    response = client.get(f"{UPLOAD_URL}/1/preview?dpi={dpi}")

    assert response.status_code == 422
    assert "dpi" in response.get_json()["errors"]


def test_an_upload_s_reason_with_a_control_character_is_422(client: FlaskClient) -> None:
    # Found probing past the fuzzer: a NUL in the form's reason was stored as it came, and PostgreSQL refused it (500).
    response = _upload(client, {"document": _edited_notice()}, reason="新的盖章要求\x00")

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]
