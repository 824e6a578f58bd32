"""Signing in through the page, and the pages that need it sending everyone else there."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.browsing import error_next_to, save_screenshot
from tests.web.conftest import Clerk, LiveServer


def test_unauthenticated_visit_is_sent_to_sign_in_and_back(page: Page, live_server: LiveServer, clerk: Clerk) -> None:
    page.goto(f"{live_server.url}/kinds")
    assert page.url == f"{live_server.url}/sign-in?next=/kinds"
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    page.get_by_label("登录名").fill(clerk.login)
    page.get_by_label("密码").fill(clerk.password)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/kinds")
    expect(page.get_by_role("link", name="会议通知")).to_be_visible()
    expect(page.locator(".site-user-name")).to_have_text(clerk.name)


def test_wrong_password_is_shown_next_to_the_password_field(
    page: Page, live_server: LiveServer, clerk: Clerk, screenshots: Path
) -> None:
    page.goto(f"{live_server.url}/sign-in")
    save_screenshot(page, screenshots, "01-sign-in")
    page.get_by_label("登录名").fill(clerk.login)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()

    password = page.get_by_label("密码")
    expect(password).to_have_attribute("aria-invalid", "true")
    assert error_next_to(password) == "错误：登录名或密码错误"
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("密码：登录名或密码错误")
    assert page.url == f"{live_server.url}/sign-in"
    save_screenshot(page, screenshots, "02-sign-in-wrong-password")


def test_sign_in_does_not_return_to_another_site(page: Page, live_server: LiveServer, clerk: Clerk) -> None:
    page.goto(f"{live_server.url}/sign-in?next=//evil.example/kinds")
    page.get_by_label("登录名").fill(clerk.login)
    page.get_by_label("密码").fill(clerk.password)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/kinds")


def test_sign_out_ends_the_session(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/meetings")
    page.get_by_role("button", name="退出").click()

    page.wait_for_url(f"{live_server.url}/sign-in")
    page.goto(f"{live_server.url}/meetings")
    assert page.url == f"{live_server.url}/sign-in?next=/meetings"


def test_a_page_whose_session_ended_sends_the_clerk_to_sign_in(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/meeting-notice")
    expect(page.get_by_label("标题", exact=True)).to_be_attached()
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    assert page.request.delete(f"{live_server.url}/api/v1/session", headers={"X-CSRF-Token": csrf}).status == 204

    page.get_by_role("button", name="校验").click()
    page.wait_for_url(f"{live_server.url}/sign-in?next=/kinds/meeting-notice")
