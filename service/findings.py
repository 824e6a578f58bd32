"""Findings: what a check of a template, a DOCX or a rendered PDF found, each with where it was found.

Shared by the template checks and the GB/T 9704 lint (service.rendering) and the PDF conformance report
(service.postprocess), so that an upload's report, `POST /api/v1/lint` and a preview all speak one shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# How much of a paragraph's text a location quotes: enough to find it in Word with Ctrl-F.
QUOTED_TEXT_CHARS = 30


class Severity(StrEnum):
    ERROR = "error"  # blocks: an upload is refused or cannot be activated
    WARNING = "warning"  # reported, does not block
    NOTICE = "notice"  # something was changed for the maintainer (a split tag joined, a grid normalised)


@dataclass(frozen=True)
class Location:
    """Where a finding is: a part of the DOCX package and a paragraph in it, or a page of a PDF.

    `paragraph` counts the part's paragraphs from 1 in document order (table cells included); `text` is
    the paragraph's visible text, shortened; `table`, `row`, `cell` (from 1) say which table cell holds it.
    """

    part: str = ""
    paragraph: int | None = None
    text: str = ""
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    page: int | None = None

    def describe(self) -> str:
        """The location for a person, Chinese first: 'word/document.xml 第3段“……”（表格1第2行第1格）'."""
        chinese: list[str] = []
        english: list[str] = []
        if self.page is not None:
            chinese.append(f"第{self.page}页")
            english.append(f"page {self.page}")
        if self.part:
            chinese.append(self.part)
            english.append(self.part)
        if self.paragraph is not None:
            chinese.append(f"第{self.paragraph}段")
            english.append(f"paragraph {self.paragraph}")
        if self.text:
            chinese.append(f"“{quote(self.text)}”")
            english.append(f"“{quote(self.text)}”")
        if self.table is not None:
            cell = (
                f"表格{self.table}"
                + (f"第{self.row}行" if self.row else "")
                + (f"第{self.cell}格" if self.cell else "")
            )
            chinese.append(f"（{cell}）")
            english.append(
                f"(table {self.table}"
                + (f", row {self.row}" if self.row else "")
                + (f", cell {self.cell})" if self.cell else ")")
            )
        said_in_chinese, said_in_english = " ".join(chinese), " ".join(english)
        # A part name and quoted text read the same in both languages: say them once.
        return said_in_chinese if said_in_chinese == said_in_english else f"{said_in_chinese} / {said_in_english}"

    def as_dict(self) -> dict[str, Any]:
        fields_ = {
            "part": self.part,
            "paragraph": self.paragraph,
            "text": quote(self.text),
            "table": self.table,
            "row": self.row,
            "cell": self.cell,
            "page": self.page,
        }
        return {key: value for key, value in fields_.items() if value not in (None, "")}


def quote(text: str) -> str:
    """`text` on one line, shortened to QUOTED_TEXT_CHARS characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTED_TEXT_CHARS else flat[: QUOTED_TEXT_CHARS - 1] + "…"


@dataclass(frozen=True)
class Finding:
    """One thing a check found. `code` is stable for machines; `message` is bilingual ("中文 / English").

    `measured` and `expected` carry the numbers when the finding is a measurement ("30.0 mm", "28 mm ± 1 mm").
    """

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    measured: str | None = None
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"code": self.code, "severity": self.severity.value, "message": self.message}
        if self.location is not None:
            result["location"] = self.location.as_dict()
            result["where"] = self.location.describe()
        if self.measured is not None:
            result["measured"] = self.measured
        if self.expected is not None:
            result["expected"] = self.expected
        return result


@dataclass(frozen=True)
class Report:
    """Findings in the order they were found; `ok` when none of them is an error."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, *groups: Iterable[Finding]) -> Report:
        return cls(tuple(finding for group in groups for finding in group))

    def with_severity(self, severity: Severity) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity is severity]

    @property
    def errors(self) -> list[Finding]:
        return self.with_severity(Severity.ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self.with_severity(Severity.WARNING)

    @property
    def notices(self) -> list[Finding]:
        return self.with_severity(Severity.NOTICE)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notices": len(self.notices),
            "findings": [finding.as_dict() for finding in self.findings],
        }
