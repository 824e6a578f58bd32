"""What an archive run files (归档范围): meetings, a year, or a list of documents and uploaded PDFs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.archive_run import ArchiveFilingSchema
from schemas.fields import BaseSchema, CalendarDate, Integer, Object, ObjectList, Pattern, Text, TextList
from service.errors import bilingual

MAX_RUN_ITEMS = 1000  # decision: the 目录 of one box (schemas.archive_cover.MAX_ITEMS)
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ID_PATTERN = r"^[0-9a-f]{32}$"


def _identifier(description: str, **kwargs: Any) -> Pattern:
    return Pattern(
        ID_PATTERN,
        hint_zh="编号应为32位小写十六进制字符",
        hint_en="An identifier is 32 lowercase hexadecimal characters.",
        max_length=32,
        metadata={"description": description},
        **kwargs,
    )


class RunDocumentSchema(BaseSchema):
    """One 件: a document the service issued (document_id) or an uploaded PDF (file) with its 目录 entry."""

    document_id = _identifier("本服务登记的文书编号", load_default=None)
    file = Pattern(
        SHA256_PATTERN,
        hint_zh="file应为上传文件的SHA-256（64位小写十六进制）",
        hint_en="file is the SHA-256 of an uploaded PDF (64 lowercase hex digits).",
        max_length=64,
        load_default=None,
        metadata={"description": "POST /api/v1/files 上传的PDF的SHA-256，如扫描的签到表"},
    )
    title = Text(max_length=200, load_default="", allow_empty=True, metadata={"description": "题名（上传文件必填）"})
    responsible = Text(
        max_length=60, load_default="", allow_empty=True, metadata={"description": "责任者（上传文件必填）"}
    )
    date = CalendarDate(load_default=None, metadata={"description": "文件形成日期（上传文件必填）"})
    doc_number = Text(max_length=50, load_default="", allow_empty=True, metadata={"description": "文号"})
    remarks = Text(max_length=50, load_default="", allow_empty=True, metadata={"description": "备注"})

    @validates_schema
    def _one_source(self, data: Mapping[str, Any], **_: Any) -> None:
        document_id, file = data.get("document_id"), data.get("file")
        if (document_id is None) == (file is None):
            raise ValidationError(
                bilingual("document_id与file须给出且只给出一个", "Give exactly one of document_id and file."),
                "document_id",
            )
        if file is not None:
            missing = {
                name: [
                    bilingual("上传文件须给出此项，以便编入归档文件目录", "Required for an uploaded file's 目录 entry.")
                ]
                for name in ("title", "responsible", "date")
                if not data.get(name)
            }
            if missing:
                raise ValidationError(missing)


class SelectionSchema(BaseSchema):
    """Exactly one of: the documents of some meetings, the documents of a year, or an explicit list."""

    meetings = TextList(max_items=500, max_length=32, load_default=None, metadata={"description": "会议编号"})
    year = Integer(minimum=1900, maximum=2100, load_default=None, metadata={"description": "年度：该年成文的全部文书"})
    documents = ObjectList(
        RunDocumentSchema,
        max_items=MAX_RUN_ITEMS,
        load_default=None,
        metadata={"description": "按件号顺序排列的文书与上传文件"},
    )

    @validates_schema
    def _exactly_one(self, data: Mapping[str, Any], **_: Any) -> None:
        given = [name for name in ("meetings", "year", "documents") if data.get(name) is not None]
        if len(given) != 1:
            raise ValidationError(
                bilingual(
                    "meetings、year、documents须给出且只给出一项", "Give exactly one of meetings, year, documents."
                ),
                "selection",
            )
        if data.get("meetings") == [] or data.get("documents") == []:
            raise ValidationError(bilingual("归档范围为空", "The selection is empty."), given[0])


class ArchiveRunRequestSchema(BaseSchema):
    """POST /api/v1/archive-runs: what to file (selection) and how (filing: 全宗, 年度, 保管期限, 盒号 …)."""

    selection = Object(SelectionSchema, required=True, metadata={"description": "归档范围"})
    filing = Object(ArchiveFilingSchema, required=True, metadata={"description": "归档著录项"})
