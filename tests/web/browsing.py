"""What the browser tests ask of a page: a field's error next to it, the keyboard's focus, a screenshot."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page


def error_next_to(control: Locator) -> str:
    """The error shown for a control: the text of the element its aria-describedby names as its error,
    which must sit inside the same field container as the control, and the control marked aria-invalid."""
    assert control.get_attribute("aria-invalid") == "true"
    described = (control.get_attribute("aria-describedby") or "").split()
    errors = [name for name in described if name.endswith("-error")]
    assert errors, f"no error element in aria-describedby={described}"
    container = control.locator("xpath=ancestor::*[contains(concat(' ', @class, ' '), ' field ')][1]")
    message = container.locator(f"#{errors[0]}")
    assert message.is_visible()
    return message.text_content() or ""


def is_focused(target: Locator) -> bool:
    focused: bool = target.evaluate("element => element === document.activeElement")
    return focused


def tab_to(page: Page, target: Locator, *, limit: int = 150) -> None:
    """Press Tab until `target` has the focus (keyboard only, as a clerk would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"Tab never reached {target}")


def save_screenshot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=directory / f"{name}.png", full_page=True)
