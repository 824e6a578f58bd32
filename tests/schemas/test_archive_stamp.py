"""The 归档章 schema: the example loads, 保管期限 slips are corrected, every invalid body is named by field path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from schemas.archive_stamp import ArchiveStampSchema
from tests.conftest import BodyFactory

URL = "/api/v1/documents/archive-stamp/validate"
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


def test_example_stamp_validates_without_corrections(stamp_body: BodyFactory) -> None:
    data = ArchiveStampSchema().load(stamp_body())

    assert data["corrections"] == []
    assert (data["fonds_no"], data["year"], data["item_no"], data["pages"]) == ("J012", 2026, 41, 3)
    assert str(data["retention"]) == "定期30年"


def test_fonds_number_and_organization_may_be_left_out(stamp_body: BodyFactory) -> None:
    data = ArchiveStampSchema().load(stamp_body(fonds_no=None, organization=None))

    assert (data["fonds_no"], data["organization"]) == ("", "")


def test_retention_code_is_corrected(stamp_body: BodyFactory) -> None:
    data = ArchiveStampSchema().load(stamp_body(retention="Y"))

    assert str(data["retention"]) == "永久"
    assert [c.field for c in data["corrections"]] == ["retention"]


INVALID_BODIES = [
    pytest.param({"year": None}, "year", id="missing-year"),
    pytest.param({"year": 202}, "year", id="three-digit-year"),
    pytest.param({"item_no": None}, "item_no", id="missing-item-number"),
    pytest.param({"item_no": 0}, "item_no", id="item-number-zero"),
    pytest.param({"item_no": 10000}, "item_no", id="item-number-five-digits"),
    pytest.param({"item_no": "0041"}, "item_no", id="item-number-as-string"),
    pytest.param({"pages": 0}, "pages", id="no-pages"),
    pytest.param({"retention": "短期"}, "retention", id="abolished-retention"),
    pytest.param({"fonds_no": "全宗12"}, "fonds_no", id="fonds-number-in-chinese"),
    pytest.param(
        {"organization": "办公室综合信息科室档案管理组"}, "organization", id="organization-too-long-for-a-cell"
    ),
    pytest.param({"organization": "秘书\x00科"}, "organization", id="control-character"),
    pytest.param({"stamp_color": "red"}, "stamp_color", id="unknown-field"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_BODIES)
def test_invalid_body_is_422_naming_the_field(
    client: FlaskClient, stamp_body: BodyFactory, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(URL, json=stamp_body(**overrides))

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]
