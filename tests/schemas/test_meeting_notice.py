"""The notice schema: defaults, slips corrected and reported, rules across fields."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.fields import ParsedDocNumber, Secrecy
from schemas.meeting_notice import MeetingNoticeSchema
from tests.conftest import BodyFactory


def load(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = MeetingNoticeSchema().load(body)
    return loaded


def test_example_body_validates_without_corrections(notice_body: BodyFactory) -> None:
    data = load(notice_body())

    assert data["corrections"] == []
    assert isinstance(data["doc_number"], ParsedDocNumber)
    assert str(data["doc_number"].number) == "青政办发〔2026〕15号"


def test_defaults_fill_format_seal_and_lists(notice_body: BodyFactory) -> None:
    data = load(notice_body(format=None, seal=None, cc=None, requirements=None))

    assert data["format"] == "document"
    assert data["seal"] is True
    assert data["cc"] == []
    assert data["requirements"] == []


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        pytest.param("机密★1年", "机密★1年", id="canonical"),
        pytest.param("绝密", "绝密", id="level-only"),
        pytest.param("机密*1年", "机密★1年", id="asterisk"),
        pytest.param("机密 ☆ 1年", "机密★1年", id="white-star-with-spaces"),
    ],
)
def test_secrecy_is_normalised_to_the_black_star(notice_body: BodyFactory, written: str, kept: str) -> None:
    data = load(notice_body(secrecy=written, copy_no="000123"))

    assert isinstance(data["secrecy"], Secrecy)
    assert data["secrecy"].text == kept
    assert [c.field for c in data["corrections"]] == ([] if written == kept else ["secrecy"])


@pytest.mark.parametrize("written", ["机密★一年", "机密★01年", "秘密★", "特密"])
def test_secrecy_rejects_what_cannot_be_read(notice_body: BodyFactory, written: str) -> None:
    with pytest.raises(ValidationError) as raised:
        load(notice_body(secrecy=written, copy_no="000123"))

    assert "secrecy" in raised.value.messages


def test_hostile_text_survives_validation_unchanged(notice_body: BodyFactory) -> None:
    hostile = "<w:t>&amp;</w:t> {{ title }} {%p if %} 🎉𠀀"

    assert load(notice_body(title=hostile))["title"] == hostile


def test_check_in_after_start_is_rejected(notice_body: BodyFactory) -> None:
    with pytest.raises(ValidationError) as raised:
        load(notice_body(meeting__check_in__time="2026-12-03T10:00:00+08:00"))

    assert "time" in raised.value.messages["meeting"]["check_in"]


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(0, id="number"),
        pytest.param(["青政办发〔2026〕15号"], id="list"),
        pytest.param({"prefix": 7}, id="prefix-not-text"),
        pytest.param({"prefix": "青政办发", "serial": 3}, id="extra-key"),
    ],
)
def test_doc_number_of_another_shape_is_refused_with_both_forms_named(notice_body: BodyFactory, written: Any) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): the message's JSON braces went through str.format, so
    # doc_number 0 raised KeyError inside marshmallow and the request was answered 500.
    with pytest.raises(ValidationError) as caught:
        load(notice_body(doc_number=written))

    (message,) = caught.value.normalized_messages()["doc_number"]
    assert '{"prefix": "青政办发"}' in message
