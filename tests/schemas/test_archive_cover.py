"""The 归档 cover-set schema: defaults, 保管期限 slips corrected, every invalid body named by its field path."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import ValidationError

from schemas.archive_cover import ArchiveCoverSchema
from schemas.fields import Retention
from tests.conftest import BodyFactory

URL = "/api/v1/documents/archive-cover/validate"
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


def load(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = ArchiveCoverSchema().load(body)
    return loaded


def test_example_body_validates_without_corrections(cover_body: BodyFactory) -> None:
    data = load(cover_body())

    assert data["corrections"] == []
    assert str(data["retention"]) == "定期30年"
    assert [item["item_no"] for item in data["items"]] == [41, 42, 43]
    assert data["items"][1]["doc_number"] == ""
    assert data["items"][2]["remarks"] == "附意见反馈单4份"
    assert data["compiled_on"] == date(2026, 12, 10)


def test_optional_fields_have_defaults(cover_body: BodyFactory) -> None:
    body = cover_body(
        fonds_no=None, organization=None, title=None, compiled_by=None, compiled_on=None, checked_by=None,
        checked_on=None, notes=None,
    )  # fmt: skip
    data = load(body)

    assert (data["fonds_no"], data["organization"], data["title"], data["notes"]) == ("", "", "", "")
    assert (data["compiled_by"], data["compiled_on"], data["checked_by"], data["checked_on"]) == ("", None, "", None)
    assert data["spine_width"] == 40
    assert data["items"][0]["remarks"] == ""


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        pytest.param("永久", "永久", id="permanent"),
        pytest.param("定期10年", "定期10年", id="ten-years"),
        pytest.param("Y", "永久", id="code-Y"),
        pytest.param("D30", "定期30年", id="code-D30"),
        pytest.param("d10", "定期10年", id="code-d10-lower-case"),
        pytest.param("30年", "定期30年", id="bare-period"),
        pytest.param("定期 30年", "定期30年", id="stray-space"),
    ],
)
def test_retention_slips_are_corrected_and_reported(cover_body: BodyFactory, written: str, kept: str) -> None:
    data = load(cover_body(retention=written))

    assert isinstance(data["retention"], Retention)
    assert data["retention"].text == kept
    corrections = [c.as_dict() for c in data["corrections"]]
    if written == kept:
        assert corrections == []
    else:
        assert corrections == [
            {"field": "retention", "original": written, "corrected": kept, "message": corrections[0]["message"]}
        ]
        assert BILINGUAL.match(corrections[0]["message"])


def test_abolished_retention_period_is_explained(cover_body: BodyFactory) -> None:
    with pytest.raises(ValidationError) as raised:
        load(cover_body(retention="长期"))

    (message,) = raised.value.messages["retention"]  # type: ignore[call-overload]
    assert "2006" in message


def test_hostile_text_survives_validation_unchanged(cover_body: BodyFactory) -> None:
    hostile = '<w:t>&amp;</w:t> "{{ title }}" {%p if %} 🎉𠀀'

    assert load(cover_body(items__0__title=hostile))["items"][0]["title"] == hostile


def test_a_box_of_1000_items_is_accepted(cover_body: BodyFactory) -> None:
    item = cover_body()["items"][0]
    items = [{**item, "item_no": number} for number in range(1, 1001)]

    assert len(load(cover_body(items=items, compiled_on="2026-12-10"))["items"]) == 1000


INVALID_BODIES = [
    pytest.param({"fonds_name": None}, "fonds_name", id="missing-fonds-name"),
    pytest.param({"fonds_name": "  "}, "fonds_name", id="blank-fonds-name"),
    pytest.param({"fonds_no": "J-012"}, "fonds_no", id="fonds-number-with-hyphen"),
    pytest.param({"fonds_no": "J0120000000"}, "fonds_no", id="fonds-number-too-long"),
    pytest.param({"year": 26}, "year", id="two-digit-year"),
    pytest.param({"year": "2026"}, "year", id="year-as-string"),
    pytest.param({"retention": "长期"}, "retention", id="abolished-retention"),
    pytest.param({"retention": "三十年"}, "retention", id="unknown-retention"),
    pytest.param({"retention": None}, "retention", id="missing-retention"),
    pytest.param({"organization": "秘" * 21}, "organization", id="organization-too-long"),
    pytest.param({"box_no": 0}, "box_no", id="box-zero"),
    pytest.param({"box_no": 3.5}, "box_no", id="box-not-integer"),
    pytest.param({"items": []}, "items", id="no-items"),
    pytest.param({"items": "41-43"}, "items", id="items-not-a-list"),
    pytest.param({"items__0": "41"}, "items[0]", id="item-not-an-object"),
    pytest.param({"items__1__item_no": 41}, "items[1].item_no", id="repeated-item-number"),
    pytest.param({"items__2__item_no": 40}, "items[2].item_no", id="decreasing-item-number"),
    pytest.param({"items__0__item_no": 10000}, "items[0].item_no", id="five-digit-item-number"),
    pytest.param({"items__0__item_no": None}, "items[0].item_no", id="missing-item-number"),
    pytest.param({"items__0__date": "2026/11/25"}, "items[0].date", id="date-not-iso"),
    pytest.param({"items__0__pages": 0}, "items[0].pages", id="zero-pages"),
    pytest.param({"items__0__title": ""}, "items[0].title", id="empty-title"),
    pytest.param({"items__0__title": "题" * 201}, "items[0].title", id="title-too-long"),
    pytest.param({"items__0__responsible": "青山县\x07政府"}, "items[0].responsible", id="control-character"),
    pytest.param({"items__0__page_count": 3}, "items[0].page_count", id="unknown-item-field"),
    pytest.param({"compiled_on": "2026-11-30"}, "compiled_on", id="compiled-before-last-document"),
    pytest.param({"checked_on": "2026-12-09"}, "checked_on", id="checked-before-compiled"),
    pytest.param({"notes": "齐" * 501}, "notes", id="notes-too-long"),
    pytest.param({"spine_width": 35}, "spine_width", id="spine-not-a-box-size"),
    pytest.param({"spine_width": "40"}, "spine_width", id="spine-as-string"),
    pytest.param({"box": 3}, "box", id="unknown-field"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_BODIES)
def test_invalid_body_is_422_naming_the_field(
    client: FlaskClient, cover_body: BodyFactory, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(URL, json=cover_body(**overrides))

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]


def test_valid_body_reports_its_corrections(client: FlaskClient, cover_body: BodyFactory) -> None:
    response = client.post(URL, json=cover_body(retention="D30"))

    assert response.status_code == 200
    assert [c["corrected"] for c in response.get_json()["corrections"]] == ["定期30年"]
