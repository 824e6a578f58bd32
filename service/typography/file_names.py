"""How a document's title becomes a file name a clerk recognises, safe on Windows and Unix."""

from __future__ import annotations

import re

# Characters Windows refuses in file names, and control characters.
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def file_name_stem(text: str) -> str:
    """`text` with every unsafe character replaced by "_" and leading or trailing spaces and dots dropped.

    Two texts with the same stem name the same file (schemas.minutes_feedback_slip refuses such units).
    """
    return _UNSAFE_IN_FILE_NAMES.sub("_", text).strip(" .")
