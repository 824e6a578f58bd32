"""归档章 (archive stamp, DA/T 22-2015 7.2): the six values and the type size each cell can hold.

The stamp's cells are 15 × 8 mm. The values are set in one size, 小五 (9 pt) 仿宋 when they all fit one
line at that size, else 六号 (7.5 pt); a value too long even for 六号 (only 机构（问题） can be) is left
out of that choice, set in 小六 (6.5 pt) and wraps onto a second line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas.archive_stamp import ArchiveStampSchema
from service.documents.archive_cover import fitting_size, item_number
from service.documents.kind import DocumentKind
from service.typography.text_metrics import width
from service.typography.units import Length, mm, pt

CELL_ROOM = mm(15) - mm(1)  # decision: 0.5 mm clear of each red rule
STAMP_SIZES = (pt(9), pt(7.5))  # 小五, 六号
WRAPPING_SIZE = pt(6.5)  # 小六: two lines of it fit the 8 mm cell
CELLS = ("fonds_no", "year", "item_no", "organization", "retention", "pages")


def cell_sizes(values: dict[str, str]) -> dict[str, Length]:
    """Each cell's type size: one size for all when possible, smaller for a value that must wrap."""
    one_line = [text for text in values.values() if width(text, STAMP_SIZES[-1]) <= CELL_ROOM]
    common = fitting_size(one_line, CELL_ROOM, STAMP_SIZES)
    return {key: common if width(text, common) <= CELL_ROOM else WRAPPING_SIZE for key, text in values.items()}


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context (the contract is in templates/archive-stamp/manifest.json)."""
    values = {
        "fonds_no": data["fonds_no"],
        "year": str(data["year"]),
        "item_no": item_number(data["item_no"]),
        "organization": data["organization"],
        "retention": str(data["retention"]),
        "pages": str(data["pages"]),
    }
    sizes = cell_sizes(values)
    return {**values, "sizes": {key: sizes[key].half_points for key in CELLS}}


KIND = DocumentKind(
    name="archive-stamp",
    label="归档章",
    schema=ArchiveStampSchema,
    build_context=build_context,
    title=lambda data: f"归档章-{data['year']}-{item_number(data['item_no'])}",
    # The stamp carries no date; 1 January of its 年度 keeps the file's creation date deterministic.
    document_date=lambda data: date(data["year"], 1, 1),
    subject=lambda data: f"{data['year']}年 {data['retention']} 件号{item_number(data['item_no'])}",
    author=lambda data: str(data["fonds_no"]) or "Gongwen",
)
