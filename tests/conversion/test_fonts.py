"""The official font names resolve to the open fonts through the project's fontconfig file."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.conversion.fonts import EXPECTED_FAMILIES, check_fonts


def test_every_official_name_resolves_to_its_open_font() -> None:
    resolutions = check_fonts(Settings().fonts_config)

    assert {r.official_name for r in resolutions} == set(EXPECTED_FAMILIES)
    for font in resolutions:
        assert font.ok, f"{font.official_name} resolved to {font.family} {font.style} ({font.file})"
        assert Path(font.file).is_file()


def test_without_the_mapping_fangsong_is_not_fandol(tmp_path: Path) -> None:
    bare = tmp_path / "fonts.conf"
    bare.write_text(
        '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>'
    )

    fangsong = next(r for r in check_fonts(bare) if r.official_name == "仿宋_GB2312")

    assert not fangsong.ok


@pytest.mark.parametrize("name", ["仿宋_GB2312", "楷体_GB2312"])
def test_fandol_fonts_ship_with_their_licence(name: str) -> None:
    font = next(r for r in check_fonts(Settings().fonts_config) if r.official_name == name)

    assert (Path(font.file).parent / "README-fandol").is_file()
