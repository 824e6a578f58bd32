"""Settings are read once from GONGWEN_* variables and every problem is reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.errors import ConfigurationError


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_environment({})

    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert (settings.templates_dir / "meeting-notice" / "manifest.json").is_file()


def test_variables_override_defaults(tmp_path: Path) -> None:
    settings = Settings.from_environment({"GONGWEN_DATA_DIR": str(tmp_path), "GONGWEN_MAX_BODY_BYTES": "4096"})

    assert settings.data_dir == tmp_path
    assert settings.max_body_bytes == 4096


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    environment = {
        "GONGWEN_TEMPLATES_DIR": str(tmp_path / "missing"),
        "GONGWEN_MAX_BODY_BYTES": "lots",
        "GONGWEN_LOG_LEVEL": "LOUD",
        "GONGWEN_PROXY_HOPS": "-1",
    }

    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environment(environment)

    problems = raised.value.errors["settings"]
    assert len(problems) == 4
    assert any("GONGWEN_MAX_BODY_BYTES" in p for p in problems)
    assert any("GONGWEN_PROXY_HOPS" in p for p in problems)


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(AttributeError):
        settings.max_body_bytes = 1  # type: ignore[misc]
