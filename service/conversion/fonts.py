"""Which font file each official font name resolves to under our fontconfig mapping (`gongwen fonts check`).

Without the mapping every CJK run silently becomes a sans font (WenQuanYi Zen Hei or Noto Sans CJK),
which is wrong for 仿宋; this check makes that visible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from service.errors import ConversionError, bilingual
from service.typography.gbt9704 import FONT_FANGSONG, FONT_HEITI, FONT_KAITI, FONT_LATIN, FONT_SONGTI, FONT_XIAOBIAOSONG

# The official names our DOCX files carry, and the open font each must become (docs/decisions/0004).
EXPECTED_FAMILIES: dict[str, tuple[str, str]] = {
    FONT_FANGSONG: ("FandolFang", "Regular"),
    FONT_XIAOBIAOSONG: ("Noto Serif CJK SC", "Bold"),
    FONT_HEITI: ("Noto Sans CJK SC", "Regular"),
    FONT_KAITI: ("FandolKai", "Regular"),
    FONT_SONGTI: ("Noto Serif CJK SC", "Regular"),
    FONT_LATIN: ("Liberation Serif", "Regular"),
}


@dataclass(frozen=True)
class FontResolution:
    official_name: str
    expected_family: str
    expected_style: str
    family: str
    style: str
    file: str

    @property
    def ok(self) -> bool:
        return self.family == self.expected_family and self.style == self.expected_style


def check_fonts(fonts_config: Path) -> list[FontResolution]:
    """Resolve every official name through fontconfig with the project's configuration."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise ConversionError(bilingual("未安装fontconfig（fc-match）", "fontconfig (fc-match) is not installed"))
    environment = {**os.environ, "FONTCONFIG_FILE": str(fonts_config.resolve())}
    resolutions = []
    for name, (family, style) in EXPECTED_FAMILIES.items():
        completed = subprocess.run(
            [fc_match, "--format", "%{family[0]}|%{style[0]}|%{file}", name],
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        found_family, found_style, found_file = [*completed.stdout.split("|"), "", "", ""][:3]
        resolutions.append(FontResolution(name, family, style, found_family, found_style, found_file))
    return resolutions
