"""归档 cover set (DA/T 22-2015): how one box's body becomes the cover, 目录, 备考表 and 盒脊 context.

件号 print as four digits (0041), dates in the 目录 as eight (20261125, DA/T 22 8.1), 年度 as four.
The 盒脊 label is as wide as the box's spine; its type sizes are the largest that fit that width.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from schemas.archive_cover import ITEM_NO_DIGITS, ArchiveCoverSchema
from service.documents.kind import DocumentKind
from service.typography.chinese_dates import format_date
from service.typography.text_metrics import width
from service.typography.units import Length, mm, pt

RANGE_DASH = "—"  # GB/T 15834-2011 4.13: 一字线 between the ends of a range

# 盒脊 text: sizes tried from the largest down (字号 三号 … 六号), and the room a cell's padding leaves.
SPINE_VALUE_SIZES = (pt(16), pt(14), pt(12), pt(10.5), pt(9))
SPINE_LABEL_SIZES = (pt(12), pt(10.5), pt(9), pt(7.5))
SPINE_SIDE_ROOM = mm(3)  # 0.5 mm padding each side, the rules, and a margin for the eye
SPINE_LONGEST_LABEL = "机构（问题）"


def item_number(number: int) -> str:
    """件号 as printed: four digits, zero-padded (0041)."""
    return f"{number:0{ITEM_NO_DIGITS}d}"


def eight_digit_date(day: date) -> str:
    """DA/T 22 8.1: the 目录's 日期 as eight Arabic digits, 20261125."""
    return day.strftime("%Y%m%d")


def fitting_size(texts: Iterable[str], room: Length, sizes: Sequence[Length]) -> Length:
    """The largest of `sizes` at which every text sets on one line within `room`; the smallest otherwise."""
    needed = list(texts)
    for size in sizes:
        if all(width(text, size) <= room for text in needed):
            return size
    return sizes[-1]


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context for one box (the contract is in templates/archive-cover/manifest.json)."""
    items = data["items"]
    first, last = item_number(items[0]["item_no"]), item_number(items[-1]["item_no"])
    retention = str(data["retention"])
    spine = mm(data["spine_width"])
    room = spine - SPINE_SIDE_ROOM
    spine_values = [data["fonds_no"], str(data["year"]), retention, first, last, str(data["box_no"])]
    return {
        "fonds_name": data["fonds_name"],
        "fonds_no": data["fonds_no"],
        "year": str(data["year"]),
        "retention": retention,
        "organization": data["organization"],
        "box_no": str(data["box_no"]),
        "title": data["title"],
        "first_item": first,
        "last_item": last,
        "item_range": first if first == last else f"{first}{RANGE_DASH}{last}",
        "items": [
            {
                "item_no": item_number(item["item_no"]),
                "doc_number": item["doc_number"],
                "responsible": item["responsible"],
                "title": item["title"],
                "date": eight_digit_date(item["date"]),
                "pages": str(item["pages"]),
                "remarks": item["remarks"],
            }
            for item in items
        ],
        "notes": _notes(data),
        "compiled_by": data["compiled_by"],
        "compiled_on": format_date(data["compiled_on"]) if data["compiled_on"] else "",
        "checked_by": data["checked_by"],
        "checked_on": format_date(data["checked_on"]) if data["checked_on"] else "",
        "spine_width": spine.twips,
        "spine_label_size": fitting_size([SPINE_LONGEST_LABEL], room, SPINE_LABEL_SIZES).half_points,
        "spine_value_size": fitting_size(spine_values, room, SPINE_VALUE_SIZES).half_points,
    }


def _notes(data: dict[str, Any]) -> list[str]:
    """备考表 说明: the count the clerk would write first, then the clerk's own notes."""
    items = data["items"]
    pages = sum(item["pages"] for item in items)
    first, last = item_number(items[0]["item_no"]), item_number(items[-1]["item_no"])
    numbers = f"第{first}号" if first == last else f"第{first}至{last}号"
    notes = [f"本盒共有文件{len(items)}件（{numbers}），共{pages}页。"]
    if data["notes"]:
        notes.append(data["notes"])
    return notes


def _title(data: dict[str, Any]) -> str:
    subject = data["title"] or f"{data['fonds_name']}{data['year']}年归档文件"
    return f"{subject}（第{data['box_no']}盒）"


KIND = DocumentKind(
    name="archive-cover",
    label="归档文件目录",
    schema=ArchiveCoverSchema,
    build_context=build_context,
    title=_title,
    # The day the box was put together; a box not yet compiled carries its latest document's date.
    document_date=lambda data: data["compiled_on"] or max(item["date"] for item in data["items"]),
    subject=lambda data: f"{data['fonds_name']} {data['year']}年 {data['retention']} 第{data['box_no']}盒",
    author=lambda data: str(data["fonds_name"]),
)
