"""归档 run (DA/T 22-2015): the filing part of a run request, what the box, its forms and every stamp share."""

from __future__ import annotations

from schemas.archive_cover import MAX_ITEM_NO, BoxDescriptionSchema
from schemas.fields import (
    Integer,
    Text,
)

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
