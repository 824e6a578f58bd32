"""A clerk writes a 会议通知 in the browser: sign in, fill the form, fix an error, preview, download the PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pdfplumber
from playwright.sync_api import Page, expect

from tests.conftest import load_example
from tests.web.browsing import error_next_to, save_screenshot
from tests.web.conftest import Clerk, LiveServer

TITLE = "青山县人民政府办公室关于召开全县防汛工作会议的通知"
# What the form must send for what the test types: empty optional fields (and defaults) left out.
NOTICE: dict[str, Any] = {
    "title": TITLE,
    "issuer": {"name": "青山县人民政府办公室"},
    "doc_number": "青政办发〔2026〕21号",
    "recipients": ["各乡镇人民政府", "县政府各部门"],
    "meeting": {
        "name": "全县防汛工作会议",
        "start": "2026-06-10T09:00:00+08:00",
        "end": "2026-06-10T11:30:00+08:00",
        "venue": "县行政中心三楼第一会议室",
        "attendees": ["各乡镇分管负责人", "县应急管理局、县水利局负责人"],
    },
    "contact": {"name": "陈晓东", "phone": "0578-2123457"},
    "date": "2026-06-01",
}


def test_clerk_fills_a_notice_from_scratch_and_downloads_the_same_pdf_the_api_renders(
    page: Page, live_server: LiveServer, clerk: Clerk, screenshots: Path
) -> None:
    page.goto(f"{live_server.url}/kinds")
    page.get_by_label("登录名").fill(clerk.login)
    page.get_by_label("密码").fill(clerk.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/kinds")
    expect(page.locator(".kind-card")).not_to_have_count(0)
    save_screenshot(page, screenshots, "03-kinds")

    page.get_by_role("link", name="会议通知").click()
    page.wait_for_url(f"{live_server.url}/kinds/meeting-notice")
    expect(page.get_by_role("heading", name="会议通知", exact=True)).to_be_visible()

    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("发文机关全称").fill("青山县人民政府办公室")
    page.get_by_label("发文字号").fill("青政办发〔2026〕21号")
    add_recipient = page.get_by_role("button", name="添加一项：主送机关")
    add_recipient.click()
    page.get_by_label("主送机关 第1项").fill("各乡镇人民政府")
    add_recipient.click()
    page.get_by_label("主送机关 第2项").fill("县政府各部门")
    page.get_by_label("会议名称").fill("全县防汛工作会议")
    page.get_by_label("开始时间").fill("2026-06-10T09:00")
    page.get_by_label("结束时间").fill("2026-06-10T08:00")  # before the start: the API says so
    page.get_by_label("会议地点").fill("县行政中心三楼第一会议室")
    page.get_by_label("参会人员 第1项").fill("各乡镇分管负责人")
    page.get_by_role("button", name="添加一项：参会人员").click()
    page.get_by_label("参会人员 第2项").fill("县应急管理局、县水利局负责人")
    page.get_by_label("联系人", exact=True).fill("陈晓东")
    page.get_by_label("联系电话").fill("0578-2123457")
    page.get_by_label("成文日期").fill("2026-06-01")

    page.get_by_role("button", name="校验").click()
    end = page.get_by_label("结束时间")
    expect(end).to_have_attribute("aria-invalid", "true")
    assert error_next_to(end) == "错误：结束时间早于开始时间"
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["会议 › 结束时间：结束时间早于开始时间"])
    save_screenshot(page, screenshots, "04-notice-form-error")
    summary.get_by_role("link").click()
    expect(end).to_be_focused()

    end.fill("2026-06-10T11:30")
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#status")).to_have_text("校验通过，可以预览或下载。")
    expect(end).not_to_have_attribute("aria-invalid", "true")
    expect(summary).to_be_hidden()

    with page.expect_response(lambda r: "format=png" in r.url and "page=1" in r.url) as first_page:
        page.get_by_role("button", name="预览").click()
    page_count = int(first_page.value.headers["gongwen-page-count"])
    assert page_count >= 1
    expect(page.locator("#preview-status")).to_have_text(f"共{page_count}页，已全部生成。")
    images = page.locator("#pages img")
    expect(images).to_have_count(page_count)
    assert images.evaluate_all("images => images.map(i => i.alt)") == [f"第{n}页" for n in range(1, page_count + 1)]
    assert images.evaluate_all("images => images.every(i => i.complete && i.naturalWidth > 0)")
    save_screenshot(page, screenshots, "05-notice-preview")

    with page.expect_request(lambda r: "format=pdf" in r.url) as sent, page.expect_download() as download:
        page.get_by_role("button", name="下载PDF").click()
    body = sent.value.post_data_json
    assert body == NOTICE
    assert download.value.suggested_filename == f"{TITLE}.pdf"
    from_page = Path(download.value.path()).read_bytes()

    # The same body through the API, with the clerk's own session (the context's cookie and CSRF token).
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(
        f"{live_server.url}/api/v1/documents/meeting-notice?format=pdf",
        data=body,
        headers={"X-CSRF-Token": csrf or ""},
    )
    assert answer.status == 200, answer.text()
    assert int(answer.headers["gongwen-page-count"]) == page_count
    assert_same_pdf(from_page, answer.body())


def assert_same_pdf(downloaded: bytes, rendered: bytes) -> None:
    """Byte for byte (the service's PDFs are deterministic); what differs is spelled out first if not."""
    with pdfplumber.open(io.BytesIO(downloaded)) as left, pdfplumber.open(io.BytesIO(rendered)) as right:
        assert len(left.pages) == len(right.pages), "page counts differ"
        for number, (a, b) in enumerate(zip(left.pages, right.pages, strict=True), start=1):
            assert (a.width, a.height) == (b.width, b.height), f"page {number} sizes differ"
            assert a.extract_text() == b.extract_text(), f"page {number} texts differ"
        assert left.metadata == right.metadata, "document information differs"
    assert downloaded == rendered, "same pages, sizes, text and metadata, but the bytes differ"


def test_example_prefill_renders_a_preview_of_every_page(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/meeting-notice")
    page.get_by_role("button", name="填入示例").click()
    expect(page.get_by_label("标题", exact=True)).to_have_value(load_example("meeting-notice")["title"])

    with page.expect_response(lambda r: "format=png" in r.url and "page=1" in r.url) as first_page:
        page.get_by_role("button", name="预览").click()
    page_count = int(first_page.value.headers["gongwen-page-count"])
    assert page_count >= 2  # the notice and its 参会回执
    expect(page.locator("#preview-status")).to_have_text(f"共{page_count}页，已全部生成。")
    images = page.locator("#pages img")
    expect(images).to_have_count(page_count)
    assert images.evaluate_all("images => images.every(i => i.complete && i.naturalWidth === 827)")


def test_open_for_printing_shows_the_pdf_at_100_percent_in_a_new_tab(
    signed_in: Page, live_server: LiveServer, screenshots: Path
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/meeting-notice?example=1")
    expect(page.get_by_label("标题", exact=True)).to_have_value(load_example("meeting-notice")["title"])

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="打开PDF打印").click()
    expect(page.locator("#status")).to_contain_text("PDF已在新标签页打开")
    tab = opened.value
    tab.wait_for_url(re.compile(r"^blob:.*#zoom=100$"))
    assert tab.url.startswith(f"blob:{live_server.url}/")
    assert tab.evaluate("() => document.contentType") == "application/pdf"
    tab.wait_for_timeout(1_000)  # the viewer draws the first page
    tab.screenshot(path=screenshots / "07-print-pdf.png")
