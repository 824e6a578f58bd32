"""file_name_stem(): a title as a file name that Windows and Unix both accept."""

from __future__ import annotations

import pytest

from service.typography.file_names import file_name_stem


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        pytest.param("会议纪要意见反馈单-县财政局", "会议纪要意见反馈单-县财政局", id="plain-title-kept"),
        pytest.param('县<住建>局:"规划"/科?|*\\', "县_住建_局__规划__科____", id="windows-reserved-replaced"),
        pytest.param("县住建局\t\x7f", "县住建局__", id="control-characters-replaced"),
        pytest.param(" .县住建局. ", "县住建局", id="edge-spaces-and-dots-dropped"),
        pytest.param("...", "", id="nothing-left"),
    ],
)
def test_file_name_stem_replaces_unsafe_characters(title: str, stem: str) -> None:
    assert file_name_stem(title) == stem


def test_units_that_differ_only_in_unsafe_characters_share_a_stem() -> None:
    """Why the feedback slip refuses such units: their files in the ZIP would have one name."""
    assert file_name_stem("县住建局/规划科") == file_name_stem("县住建局:规划科")
