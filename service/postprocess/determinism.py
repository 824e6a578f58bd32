"""Make LibreOffice's PDF a function of the document alone: fixed dates, an ID derived from the content."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from service.errors import RenderError, bilingual

# LibreOffice writes the conversion time as /CreationDate(D:YYYYMMDDHHmmSS…) and a random /ID pair;
# nothing else in its output varies between runs (checked byte for byte on 7.4.7).
_CREATION_DATE = re.compile(rb"(/CreationDate\s*\(D:)(\d{14})")
_FILE_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>\s*\])")


def stabilise_pdf(pdf: bytes, created: datetime) -> bytes:
    """The same PDF with its creation date set to `created` and its file ID derived from its content.

    Every replacement keeps the byte length, so the cross-reference offsets stay valid and the file
    need not be rewritten.
    """
    stamp = created.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode("ascii")
    dated, count = _CREATION_DATE.subn(lambda m: m.group(1) + stamp, pdf)
    if count == 0:
        raise RenderError(bilingual("PDF缺少创建日期", "the converter's PDF has no /CreationDate"))
    id_match = _FILE_ID.search(dated)
    if id_match is None:
        raise RenderError(bilingual("PDF缺少文件标识", "the converter's PDF has no /ID"))
    width = len(id_match.group(2))
    blank = b"0" * width
    unidentified = dated[: id_match.start(2)] + blank + id_match.group(3) + blank + dated[id_match.end(4) :]
    digest = hashlib.sha256(unidentified).hexdigest()[:width].upper().encode("ascii")
    # ISO 32000-1 14.4: the two IDs are equal for a file that was never updated.
    return dated[: id_match.start(2)] + digest + id_match.group(3) + digest + dated[id_match.end(4) :]
