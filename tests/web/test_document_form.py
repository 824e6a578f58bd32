"""The form generated from a kind's JSON Schema: every kind's example survives it, errors find their rows,
and a clerk can work it with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.documents.kinds import KINDS
from tests.conftest import load_example
from tests.web.browsing import error_next_to, tab_to
from tests.web.conftest import LiveServer


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its allOf (how apispec wraps a described nested object) merged in."""
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        merged.update(resolved(part))
    merged.update({key: value for key, value in schema.items() if key != "allOf"})
    return merged


def with_defaults(body: Any, schema: dict[str, Any]) -> Any:
    """`body` with every absent property that has a default given it: what the API reads it as."""
    schema = resolved(schema)
    if isinstance(body, dict) and "properties" in schema:
        properties = schema["properties"]
        filled = {key: with_defaults(value, properties.get(key, {})) for key, value in body.items()}
        for name, prop in properties.items():
            if name not in filled and "default" in resolved(prop):
                filled[name] = resolved(prop)["default"]
        return filled
    if isinstance(body, list) and "items" in schema:
        return [with_defaults(item, schema["items"]) for item in body]
    return body


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kinds_example_survives_the_form(signed_in: Page, live_server: LiveServer, kind: str) -> None:
    """Filled from the example and read back, the form sends the example (leaving out what is the default)."""
    page = signed_in
    schema = page.request.get(f"{live_server.url}/api/v1/document-kinds/{kind}").json()["schema"]
    page.goto(f"{live_server.url}/kinds/{kind}?example=1")
    expect(page.locator("#fields input").first).to_be_attached()
    controls = page.locator("input, select, textarea")
    assert controls.evaluate_all("cs => cs.filter(c => c.labels.length === 0).map(c => c.id)") == []
    ids = page.locator("[id]").evaluate_all("nodes => nodes.map(n => n.id)")
    assert len(ids) == len(set(ids)), "ids repeat"

    with page.expect_request(lambda r: r.url.endswith(f"/documents/{kind}/validate")) as sent:
        page.get_by_role("button", name="校验").click()
    expect(page.locator("#status")).to_contain_text("校验通过")
    example = load_example(kind)
    assert with_defaults(sent.value.post_data_json, schema) == with_defaults(example, schema)


def test_a_list_rows_error_is_shown_next_to_that_row(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/meeting-notice?example=1")
    recipients = len(load_example("meeting-notice")["recipients"])
    page.get_by_role("button", name="添加一项：主送机关").click()
    empty_row = page.get_by_label(f"主送机关 第{recipients + 1}项")
    expect(empty_row).to_be_focused()

    page.get_by_role("button", name="校验").click()
    expect(empty_row).to_have_attribute("aria-invalid", "true")
    assert error_next_to(empty_row) == "错误：不能为空"
    expect(page.locator("#error-summary a")).to_have_text([f"主送机关 第{recipients + 1}项：不能为空"])

    page.get_by_role("button", name=f"删除：主送机关第{recipients + 1}项").click()
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#status")).to_have_text("校验通过，可以预览或下载。")


def test_the_form_is_filled_and_sent_with_the_keyboard_alone(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/meeting-notice")
    title = page.get_by_label("标题", exact=True)
    expect(title).to_be_attached()

    tab_to(page, title)
    page.keyboard.type("关于召开全县防汛工作会议的通知")
    add = page.get_by_role("button", name="添加一项：主送机关")
    tab_to(page, add)
    page.keyboard.press("Enter")
    expect(page.get_by_label("主送机关 第1项")).to_be_focused()
    page.keyboard.type("各乡镇人民政府")
    tab_to(page, add)
    page.keyboard.press("Enter")
    page.keyboard.type("县政府各部门")
    # Move the second row up: the focus stays with the row's buttons, so Enter can move it again.
    tab_to(page, page.get_by_role("button", name="上移：主送机关第2项"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="下移：主送机关第1项")).to_be_focused()
    expect(page.get_by_label("主送机关 第1项")).to_have_value("县政府各部门")

    # Enter in a field sends the form for checking (校验).
    tab_to(page, page.get_by_label("主送机关 第2项"))
    with page.expect_request(lambda r: r.url.endswith("/validate")) as sent:
        page.keyboard.press("Enter")
    assert sent.value.post_data_json == {
        "title": "关于召开全县防汛工作会议的通知",
        "recipients": ["县政府各部门", "各乡镇人民政府"],
        "meeting": {"attendees": [""]},
    }
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    # From the summary, Tab reaches the first error's link and Enter takes the focus to its field.
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    target = first.get_attribute("href") or ""
    page.keyboard.press("Enter")
    assert page.evaluate("target => document.querySelector(target).contains(document.activeElement)", target), (
        f"the focus did not go to {target}"
    )


def test_an_unknown_kind_says_so(signed_in: Page, live_server: LiveServer) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/kinds/no-such-kind")
    expect(page.locator("#load-status")).to_have_text("无法载入表单：没有这种文书。")
    expect(page.locator("#document-form")).to_be_hidden()
