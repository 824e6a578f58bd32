"""A template maintainer in the browser: upload a new notice template, see its report, preview it beside the
active one, switch it on, roll back, and have a broken upload refused with the finding's location."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from service.access.roles import Role
from service.config import PROJECT_ROOT
from tests.web.browsing import error_next_to, save_screenshot
from tests.web.conftest import Clerk, LiveServer, add_person

NOTICE_TEMPLATE = PROJECT_ROOT / "templates" / "meeting-notice" / "document.docx"
DOCUMENT_XML = "word/document.xml"


@pytest.fixture
def maintainer(app: Flask) -> Clerk:
    """A person with the maintainer (模板维护人员) role: a login, password and name, as the clerk has."""
    return add_person(app, Clerk(login="limoban", password="qingshan-2026-templates", name="李模板"), Role.MAINTAINER)


def sign_in(page: Page, live_server: LiveServer, person: Clerk) -> None:
    response = page.request.post(
        f"{live_server.url}/api/v1/session", data={"login": person.login, "password": person.password}
    )
    assert response.status == 200, response.text()


def notice_with(tmp_path: Path, old: str, new: str, name: str) -> Path:
    """The built-in notice template with `old` replaced by `new` in its body, as a maintainer edits it in Word."""
    source = zipfile.ZipFile(NOTICE_TEMPLATE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as edited:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == DOCUMENT_XML:
                xml = content.decode("utf-8")
                assert old in xml, old
                content = xml.replace(old, new, 1).encode("utf-8")
            edited.writestr(member, content)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def test_a_maintainer_uploads_previews_activates_and_rolls_back_a_notice_template(
    page: Page, live_server: LiveServer, maintainer: Clerk, screenshots: Path, tmp_path: Path
) -> None:
    sign_in(page, live_server, maintainer)
    page.goto(f"{live_server.url}/kinds")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="模板管理").click()
    page.wait_for_url(f"{live_server.url}/templates")
    notice_row = page.locator("#kind-table tbody tr", has=page.get_by_role("link", name="会议通知", exact=True))
    expect(notice_row).to_contain_text("第1版（内置）")
    expect(page.locator("#kind-table tbody tr")).to_have_count(8)
    save_screenshot(page, screenshots, "09-templates")

    notice_row.get_by_role("link", name="会议通知").click()
    page.wait_for_url(f"{live_server.url}/templates/meeting-notice")
    expect(page.get_by_role("heading", name="会议通知模板", exact=True)).to_be_visible()
    expect(page.locator("#active-summary")).to_contain_text("当前启用：第1版（内置）")
    rows = page.locator("#version-table tbody tr")
    expect(rows).to_have_count(1)
    built_in = page.locator('#version-table tr[data-version="1"]')
    expect(built_in.locator(".state")).to_have_text("当前启用")
    download = built_in.get_by_role("link", name=re.compile("^下载文件格式"))
    assert download.get_attribute("href") == "/api/v1/templates/meeting-notice/versions/1/files/document"

    # A valid edit: stored as version 2, its report shown, ready to switch on.
    edited = notice_with(tmp_path, "填报单位（盖章）：", "填报单位（加盖公章）：", "会议通知-加盖公章.docx")
    page.get_by_label("文件格式").set_input_files(edited)
    page.get_by_label("修改说明").fill("回执的盖章栏改为“加盖公章”")
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#upload-status")).to_have_text("已保存为第2版，可以「预览」后「启用」。")
    report = page.locator("#upload-report")
    expect(report.get_by_role("heading", name="检查报告：第2版")).to_be_focused()
    document_report = report.locator('.report-file[data-variant="document"]')
    expect(document_report.get_by_role("heading")).to_have_text("文件格式：会议通知-加盖公章.docx")
    expect(document_report.locator(".finding-warning")).to_contain_text("en-US")  # the built-in default language
    expect(document_report.locator(".finding-warning")).to_contain_text("应为zh-CN")
    version_2 = page.locator('#version-table tr[data-version="2"]')
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-version", "2")
    expect(version_2.locator(".state")).to_have_text("可启用")
    expect(version_2).to_contain_text("回执的盖章栏改为“加盖公章”")
    expect(version_2).to_contain_text(maintainer.login)

    # Preview: the candidate and the active version, page by page, with the conformance under each column.
    version_2.get_by_role("button", name=re.compile("^预览")).click()
    expect(page.locator("#preview-status")).to_have_attribute("data-kind", "busy")
    expect(page.locator("#preview-title")).to_have_text("预览：第2版与当前启用的第1版（内置）对照")
    candidate_pages = page.locator('.compare-page[data-side="candidate"] img')
    active_pages = page.locator('.compare-page[data-side="active"] img')
    expect(page.locator("#preview-status")).to_have_attribute("data-kind", "success")
    count = candidate_pages.count()
    assert count >= 2  # the notice and its 参会回执
    expect(active_pages).to_have_count(count)
    assert candidate_pages.evaluate_all("images => images.every(i => i.complete && i.naturalWidth > 0)")
    for number in range(count):
        left, right = candidate_pages.nth(number).bounding_box(), active_pages.nth(number).bounding_box()
        assert left is not None and right is not None
        assert left["y"] == right["y"] and left["x"] < right["x"], f"page {number + 1} is not on one row"
    for side in ("candidate", "active"):
        checks = page.locator(f'.conformance[data-side="{side}"]')
        expect(checks).to_contain_text(f"页数{count}页")
        expect(checks).to_contain_text("每页行数第1页")
        expect(checks).to_contain_text("满行字数28字")
        expect(checks).to_contain_text("核对结果符合")
    save_screenshot(page, screenshots, "11-template-preview")

    # Switch version 2 on, with a reason typed into the page (not a browser prompt).
    version_2.get_by_role("button", name=re.compile("^启用")).click()
    reason = page.get_by_label("启用原因")
    expect(reason).to_be_focused()
    page.get_by_role("button", name="确认启用第2版").click()
    expect(reason).to_have_attribute("aria-invalid", "true")  # the API asks for a reason
    assert error_next_to(reason).startswith("错误：请填写原因")
    expect(page.locator("#activate-summary")).to_be_focused()
    reason.fill("省里新的回执盖章要求")
    page.get_by_role("button", name="确认启用第2版").click()
    expect(version_2.locator(".state")).to_have_text("当前启用")
    expect(built_in.locator(".state")).to_have_text("可启用")
    expect(page.locator("#active-summary")).to_be_focused()
    expect(page.locator("#active-summary")).to_contain_text("当前启用：第2版")
    expect(page.locator("#active-summary")).to_contain_text("省里新的回执盖章要求")
    expect(page.locator("#preview")).to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator("#activate-form")).to_be_hidden()

    # Roll back to version 1.
    expect(page.locator("#rollback-note")).to_contain_text("回退将重新启用第1版（内置）")
    page.get_by_label("回退原因").fill("回执盖章要求暂缓执行")
    page.get_by_role("button", name="回退到上一版本").click()
    expect(built_in.locator(".state")).to_have_text("当前启用")
    expect(version_2.locator(".state")).to_have_text("可启用")
    expect(page.locator("#active-summary")).to_contain_text("当前启用：第1版（内置）")
    expect(page.locator("#preview")).not_to_have_class(re.compile(r"\bstale\b"))  # made against version 1 again
    activations = page.locator("#activation-table tbody tr")
    expect(activations).to_have_count(2)
    expect(activations.first).to_contain_text("回执盖章要求暂缓执行")

    # A template reading a variable the notice does not have: refused, with where it is, and nothing stored.
    broken = notice_with(tmp_path, ">姓名<", ">姓名{{ meeting_room }}<", "会议通知-会议室.docx")
    page.get_by_label("文件格式").set_input_files(broken)
    page.get_by_label("修改说明").fill("回执加会议室")
    page.get_by_role("button", name="上传并检查").click()
    summary = page.locator("#upload-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("会议通知模板未通过检查，没有保存")
    expect(summary.get_by_role("link")).to_contain_text(["文件格式：模板读取了“meeting_room”"])
    file_input = page.get_by_label("文件格式")
    assert "meeting_room" in error_next_to(file_input)
    error = report.locator(".finding-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("meeting_room")
    expect(error).to_contain_text("位置word/document.xml 第44段 “姓名{{ meeting_room }}” （表格1第1行第1格）")
    expect(report.get_by_role("heading", name="检查报告：未通过，没有保存")).to_be_visible()
    expect(rows).to_have_count(2)
    save_screenshot(page, screenshots, "10-template-upload-report")
    summary.get_by_role("link").click()
    expect(file_input).to_be_focused()


def test_a_clerk_has_no_template_link_and_is_refused_by_the_api(
    page: Page, live_server: LiveServer, clerk: Clerk
) -> None:
    sign_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/kinds")
    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("link", name="会议")).to_be_visible()
    expect(navigation.get_by_role("link", name="模板管理")).to_have_count(0)

    page.goto(f"{live_server.url}/templates")
    expect(page.locator("#status")).to_have_text(re.compile("^无法载入模板：没有权限：需要以下角色之一：模板维护人员"))
    expect(page.locator("#status")).to_have_attribute("data-kind", "error")
    expect(page.locator("#kind-table")).to_be_hidden()

    page.goto(f"{live_server.url}/templates/meeting-notice")
    expect(page.locator("#status")).to_contain_text("没有权限")
    expect(page.locator("#kind-content")).to_be_hidden()


def test_the_template_pages_send_a_visitor_to_sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/templates/meeting-notice")

    assert page.url == f"{live_server.url}/sign-in?next=/templates/meeting-notice"
