"""归档 run (DA/T 22-2015): the filing part of a run request (what the box, its forms and every stamp share),
and the query of the runs' list."""

from __future__ import annotations

from marshmallow import EXCLUDE

from schemas.archive_cover import MAX_ITEM_NO, BoxDescriptionSchema
from schemas.fields import BaseSchema, Integer, Text
from schemas.meeting import QueryInteger

# The 归档章's 机构（问题） cell holds two lines of 小六 (schemas/archive_stamp.py); every 件 carries it.
MAX_ORGANIZATION = 12


class ArchiveFilingSchema(BoxDescriptionSchema):
    """How a run files its documents: one box of one 全宗, 年度 and 保管期限, numbered from `start_item_no`.

    整理日期 against the documents is checked when the run's 件 are known (service.jobs.archive_run).
    """

    organization = Text(
        max_length=MAX_ORGANIZATION,
        allow_empty=True,
        load_default="",
        metadata={"description": "机构（问题）；不设时留空。印在每件的归档章上，至多12字"},
    )
    start_item_no = Integer(
        minimum=1,
        maximum=MAX_ITEM_NO,
        load_default=1,
        metadata={"description": "本盒第一件的件号（1至9999），其后各件依次编号"},
    )


class ArchiveRunListQuerySchema(BaseSchema):
    """Which runs to list, newest first: `limit` of them after skipping `offset`."""

    class Meta:
        unknown = EXCLUDE

    limit = QueryInteger(minimum=1, maximum=100, load_default=20, metadata={"description": "条数（至多100）"})
    offset = QueryInteger(minimum=0, maximum=1_000_000, load_default=0, metadata={"description": "跳过的条数"})
