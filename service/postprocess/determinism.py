"""Make LibreOffice's PDF a function of the document alone: fixed date, content-derived ID, no font serials."""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from array import array
from datetime import UTC, datetime

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject, NullObject, StreamObject

from service.errors import RenderError, bilingual

# What differs between two conversions of one document by LibreOffice 7.4.7 (compared object by object):
# /CreationDate(D:YYYYMMDDHHmmSS…), a random /ID pair, a /DocChecksum over those bytes, and the
# /UniqueID of every embedded Type 1 font (see _drop_unique_ids).
_CREATION_DATE = re.compile(rb"(/CreationDate\s*\(D:)(\d{14})")
_FILE_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>\s*\])")
_DOC_CHECKSUM = re.compile(rb"/DocChecksum\s*/[0-9A-Fa-f]+\s?")

# The entry with the whitespace ending its line, in the cleartext and in the decrypted private part.
_UNIQUE_ID = re.compile(rb"/UniqueID\s+\d+\s+def\b\s?")
# /Length (direct or `n g R`), /Length1, /Length2, /Length3 in a font stream's dictionary.
_LENGTH_ENTRY = re.compile(rb"/Length([123]?)\s+(\d+)(\s+\d+\s+R)?")
_INTEGER_OBJECT = re.compile(rb"(\d+\s+\d+\s+obj\s+)(\d+)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_SUBSECTION = re.compile(rb"\s*(\d+) (\d+)[ \t]*(?:\r\n|\r|\n)")
# ISO 32000-1 7.5.4: every cross-reference entry is exactly 20 bytes, the offset its first ten.
XREF_ENTRY_SIZE = 20
XREF_OFFSET_DIGITS = 10

# Fixed here rather than left to a library's default (6 is zlib's); equal bytes also need the same zlib build.
# LibreOffice's own compression is not reproducible with Python's zlib at any level.
FONT_COMPRESSION_LEVEL = 6

# Adobe Type 1 Font Format, chapter 7: eexec encryption, r = 55665, c1 = 52845, c2 = 22719. The next key
# for every possible cipher byte + key, looked up rather than computed: 40 % faster in CPython.
EEXEC_KEY = 55665
_NEXT_KEY = array("H", [(value * 52845 + 22719) & 0xFFFF for value in range(0x10000 + 0x100)])


def stabilise_pdf(pdf: bytes, created: datetime) -> bytes:
    """The same PDF with its creation date set to `created` and its file ID derived from its content.

    Only the Type 1 font programs are rewritten (see _drop_unique_ids); every other object keeps
    LibreOffice's bytes, and the date and ID are replaced in place with values of the same length.
    """
    pdf = _drop_unique_ids(pdf)
    stamp = created.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode("ascii")
    dated, count = _CREATION_DATE.subn(lambda m: m.group(1) + stamp, pdf)
    if count == 0:
        raise RenderError(bilingual("PDF缺少创建日期", "the converter's PDF has no /CreationDate"))
    # The checksum is LibreOffice's MD5 of the file as it wrote it: different on every run and wrong once
    # anything is replaced. ISO 32000-1 does not define it (Table 15), so it goes.
    trailer_at = dated.rfind(b"trailer")
    if trailer_at >= 0:
        dated = dated[:trailer_at] + _DOC_CHECKSUM.sub(b"", dated[trailer_at:])
    id_match = _FILE_ID.search(dated)
    if id_match is None:
        raise RenderError(bilingual("PDF缺少文件标识", "the converter's PDF has no /ID"))
    width = len(id_match.group(2))
    blank = b"0" * width
    unidentified = dated[: id_match.start(2)] + blank + id_match.group(3) + blank + dated[id_match.end(4) :]
    digest = hashlib.sha256(unidentified).hexdigest()[:width].upper().encode("ascii")
    # ISO 32000-1 14.4: the two IDs are equal for a file that was never updated.
    return dated[: id_match.start(2)] + digest + id_match.group(3) + digest + dated[id_match.end(4) :]


def decrypt_eexec(cipher: bytes) -> bytes:
    """The plaintext of an eexec-encrypted section, its four random seed bytes included."""
    plain = bytearray()
    append = plain.append
    key = EEXEC_KEY
    for byte in cipher:
        append(byte ^ (key >> 8))
        key = _NEXT_KEY[byte + key]
    return bytes(plain)


def encrypt_eexec(plain: bytes) -> bytes:
    """The inverse of decrypt_eexec: the seed bytes are part of `plain`, so the result is reproducible."""
    cipher = bytearray()
    append = cipher.append
    key = EEXEC_KEY
    for byte in plain:
        encrypted = byte ^ (key >> 8)
        append(encrypted)
        key = _NEXT_KEY[encrypted + key]
    return bytes(cipher)


def _drop_unique_ids(pdf: bytes) -> bytes:
    """`pdf` with /UniqueID taken out of every embedded Type 1 font program."""
    # NOTE: a warm LibreOffice numbers the Type 1 fonts it embeds from a per-process counter (4100002 in
    # one conversion, 4100006 in the next), in the cleartext and in the eexec-encrypted part, so the same
    # document gets different font streams every time. The entry is optional and only lets a PostScript
    # printer cache glyphs across jobs; two different fonts with one number make it print one font's glyphs
    # for the other, which a content hash folded into Type 1's million private IDs would risk. So it goes.
    try:
        reader = PdfReader(io.BytesIO(pdf))
        font_files = [
            (number, stream)
            for number in range(1, _integer(reader.trailer, "/Size"))
            # ISO 32000-1 9.9, Table 127: /Length2 (the encrypted part) marks a Type 1 font program.
            if isinstance(stream := reader.get_object(number), StreamObject)
            and "/Length1" in stream
            and "/Length2" in stream
        ]
        if not font_files:
            return pdf
        layout = _CrossReference.read(pdf)
        replacements: dict[int, bytes] = {}
        for number, stream in font_files:
            font = stream.get_data()
            length1, length2 = _integer(stream, "/Length1"), _integer(stream, "/Length2")
            cleartext = font[:length1]
            private = decrypt_eexec(font[length1 : length1 + length2])
            if not (_UNIQUE_ID.search(cleartext) or _UNIQUE_ID.search(private)):
                continue
            cleartext = _UNIQUE_ID.sub(b"", cleartext)
            encrypted = encrypt_eexec(_UNIQUE_ID.sub(b"", private))
            program = cleartext + encrypted + font[length1 + length2 :]
            lengths = {b"1": len(cleartext), b"2": len(encrypted)}
            replacements.update(_replace_stream(layout, number, program, lengths))
        return layout.replace(replacements) if replacements else pdf
    except (PyPdfError, zlib.error, ValueError) as exc:
        raise RenderError(bilingual("无法读取转换后的PDF", f"the converter's PDF cannot be read: {exc}")) from exc


def _integer(dictionary: DictionaryObject, key: str) -> int:
    value = dictionary.get(key, NullObject()).get_object()
    if not isinstance(value, int):
        raise RenderError(bilingual("PDF字典项不是整数", f"the converter's PDF has {key} {value!r}, not an integer"))
    return value


def _replace_stream(layout: _CrossReference, number: int, data: bytes, lengths: dict[bytes, int]) -> dict[int, bytes]:
    """New bodies for FlateDecode stream `number`, now holding `data`, and for its indirect /Length.

    `lengths` maps the digit of /Length1, /Length2 or /Length3 to its new value; the rest of the
    dictionary keeps LibreOffice's bytes.
    """
    body = layout.body(number)
    data_at = body.index(b"stream") + len(b"stream")
    data_at += 2 if body.startswith(b"\r\n", data_at) else 1
    compressed = zlib.compress(data, FONT_COMPRESSION_LEVEL)
    entries = {entry.group(1): entry for entry in _LENGTH_ENTRY.finditer(body, 0, data_at)}
    if b"" not in entries:
        raise RenderError(bilingual("PDF流缺少长度", f"the converter's PDF has no /Length in object {number}"))
    bodies: dict[int, bytes] = {}
    if entries[b""].group(3):
        # LibreOffice's way: `/Length 17 0 R`, the number in `17 0 obj 136932 endobj` after the stream.
        holder = int(entries[b""].group(2))
        holder_body = layout.body(holder)
        value = _INTEGER_OBJECT.match(holder_body)
        if value is None:
            raise RenderError(bilingual("PDF流长度异常", f"the converter's PDF has no integer in object {holder}"))
        old_length = int(value.group(2))
        bodies[holder] = holder_body[: value.start(2)] + b"%d" % len(compressed) + holder_body[value.end(2) :]
    else:
        old_length = int(entries[b""].group(2))
        lengths = {**lengths, b"": len(compressed)}

    def new_entry(entry: re.Match[bytes]) -> bytes:
        which = entry.group(1)
        return b"/Length%s %d" % (which, lengths[which]) if which in lengths else entry.group(0)

    bodies[number] = _LENGTH_ENTRY.sub(new_entry, body[:data_at]) + compressed + body[data_at + old_length :]
    return bodies


class _CrossReference:
    """Where each object of a PDF with one classic cross-reference table starts, to swap whole objects."""

    def __init__(self, pdf: bytes, xref_at: int, entries: dict[int, int], offsets: dict[int, int]) -> None:
        self.pdf = pdf
        self.xref_at = xref_at
        self.entries = entries  # object number → where its entry's offset digits are
        self.offsets = offsets  # object number → where the object starts

    @classmethod
    def read(cls, pdf: bytes) -> _CrossReference:
        end = _STARTXREF.search(pdf)
        xref_at = int(end.group(1)) if end else -1
        if end is None or not pdf.startswith(b"xref", xref_at):
            # LibreOffice writes one classic table; anything else would need a PDF writer of our own.
            raise RenderError(bilingual("PDF交叉引用表异常", "the converter's PDF has no classic xref table"))
        entries: dict[int, int] = {}
        offsets: dict[int, int] = {}
        position = xref_at + len(b"xref")
        while subsection := _XREF_SUBSECTION.match(pdf, position):
            first, count = int(subsection.group(1)), int(subsection.group(2))
            position = subsection.end()
            for number in range(first, first + count):
                entry = pdf[position : position + XREF_ENTRY_SIZE]
                if entry[17:18] == b"n":
                    entries[number] = position
                    offsets[number] = int(entry[:XREF_OFFSET_DIGITS])
                position += XREF_ENTRY_SIZE
        if b"/Prev" in pdf[position : end.start()]:
            raise RenderError(bilingual("PDF含增量更新", "the converter's PDF has incremental updates"))
        return cls(pdf, xref_at, entries, offsets)

    def _span(self, number: int) -> tuple[int, int]:
        # LibreOffice writes the objects back to back, so each one runs to the next (the last to the table).
        if number not in self.offsets:
            raise RenderError(bilingual("PDF交叉引用表异常", f"the converter's PDF does not place object {number}"))
        start = self.offsets[number]
        later = [offset for offset in self.offsets.values() if offset > start]
        return start, min(later, default=self.xref_at)

    def body(self, number: int) -> bytes:
        """Object `number` from `n g obj` to `endobj`, the keywords included."""
        start, stop = self._span(number)
        span = self.pdf[start:stop]
        if not re.match(rb"%d\s+0\s+obj\b" % number, span) or b"endobj" not in span:
            raise RenderError(bilingual("PDF交叉引用表异常", f"the converter's PDF misplaces object {number}"))
        return span[: span.rindex(b"endobj") + len(b"endobj")]

    def replace(self, bodies: dict[int, bytes]) -> bytes:
        """The PDF with the given objects' bodies swapped, the table's offsets and startxref moved to match."""
        pieces: list[bytes] = []
        shifts: list[tuple[int, int]] = []
        cursor = 0
        for number in sorted(bodies, key=self.offsets.__getitem__):
            start, _ = self._span(number)
            old, new = self.body(number), bodies[number]
            pieces += [self.pdf[cursor:start], new]
            cursor = start + len(old)
            shifts.append((start, len(new) - len(old)))

        def moved(offset: int) -> int:
            return offset + sum(delta for start, delta in shifts if start < offset)

        pieces.append(self.pdf[cursor : self.xref_at])
        table = bytearray(self.pdf[self.xref_at :])
        for number, entry in self.entries.items():
            at = entry - self.xref_at
            table[at : at + XREF_OFFSET_DIGITS] = b"%010d" % moved(self.offsets[number])
        end = _STARTXREF.search(table)
        assert end is not None  # found by read()
        table[end.start(1) : end.end(1)] = b"%d" % moved(self.xref_at)
        pieces.append(bytes(table))
        return b"".join(pieces)
