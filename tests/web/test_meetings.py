"""Meetings in the browser: create one, register a document to it, and find its files on the meeting's page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import load_example
from tests.web.browsing import error_next_to, save_screenshot
from tests.web.conftest import LiveServer


def test_a_registered_notice_is_listed_on_its_meeting_page_with_a_pdf_to_print(
    signed_in: Page, live_server: LiveServer, screenshots: Path
) -> None:
    page = signed_in
    example = load_example("meeting-notice")
    page.goto(f"{live_server.url}/meetings")
    expect(page.locator("#status")).to_have_text("还没有会议，请在右侧新建。")

    page.get_by_role("button", name="新建会议").click()
    name = page.get_by_label("会议名称")
    expect(name).to_have_attribute("aria-invalid", "true")
    assert error_next_to(name) == "错误：缺少必填字段"

    name.fill(example["meeting"]["name"])
    page.get_by_label("会议地点").fill(example["meeting"]["venue"])
    page.get_by_label("开始时间").fill("2026-12-03T09:00")
    page.get_by_role("button", name="新建会议").click()
    page.wait_for_url(re.compile(r"/meetings/[0-9a-f]+$"))
    meeting_url = page.url
    expect(page.get_by_role("heading", name=example["meeting"]["name"])).to_be_visible()
    expect(page.locator("#meeting-meta")).to_contain_text("2026年12月3日 09:00")
    expect(page.locator("#no-documents")).to_be_visible()

    page.get_by_role("link", name="添加文书").click()
    expect(page.locator("#meeting-banner")).to_contain_text(example["meeting"]["name"])
    notice_card = page.locator(".kind-card", has=page.get_by_role("heading", name="会议通知"))
    notice_card.get_by_role("link", name="按示例填写").click()
    expect(page.get_by_label("标题", exact=True)).to_have_value(example["title"])
    expect(page.get_by_label("会议", exact=True)).to_have_value(meeting_url.rsplit("/", 1)[1])

    with page.expect_request(lambda r: "/documents/meeting-notice" in r.url and "/meetings/" in r.url) as sent:
        page.get_by_role("button", name="登记到会议").click()
    assert re.fullmatch(r"[0-9a-f-]{36}", sent.value.headers["idempotency-key"])
    page.get_by_role("link", name="查看会议文件").click()
    page.wait_for_url(meeting_url)

    row = page.locator("#document-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(example["title"])
    expect(row).to_contain_text(example["doc_number"])
    expect(row).to_contain_text("会议通知")
    expect(row).to_contain_text("2026年11月25日")
    print_link = row.get_by_role("link", name=re.compile("^打开PDF打印"))
    href = print_link.get_attribute("href") or ""
    assert re.fullmatch(r"/api/v1/documents/[0-9a-f]+/pdf\?disposition=inline#zoom=100", href)
    assert print_link.get_attribute("target") == "_blank"
    save_screenshot(page, screenshots, "06-meeting")

    # What the link opens: the stored PDF, to be shown in the browser rather than saved.
    pdf = page.request.get(f"{live_server.url}{href.split('#')[0]}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    assert pdf.body().startswith(b"%PDF-")
    docx = row.get_by_role("link", name=re.compile("^下载DOCX"))
    with page.expect_download() as download:
        docx.click()
    assert download.value.suggested_filename.endswith(".docx")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="会议").click()
    listed = page.locator("#meeting-table tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("link")).to_have_text(example["meeting"]["name"])
    expect(listed).to_contain_text("2026年12月3日 09:00")
    save_screenshot(page, screenshots, "08-meetings")
