"""Make LibreOffice's PDF a function of the document alone: fixed date, content-derived ID, no font serials.

The one edit that is no part of that, /PrintScaling in the catalog (viewer.py), is made here too: it needs the
same object-level rewriting, and the ID must cover it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
import zlib
from array import array
from datetime import UTC, datetime

from service.errors import RenderError, bilingual
from service.postprocess.viewer import with_print_scaling

# What differs between two conversions of one document by LibreOffice 7.4.7 (compared object by object):
# /CreationDate(D:YYYYMMDDHHmmSS…), a random /ID pair, a /DocChecksum over those bytes, the /UniqueID of
# every embedded Type 1 font (see _font_replacements), and in a PDF/A export the XMP's xmp:CreateDate and
# the creation date inside the output intent's ICC profile (see _profile_replacement).
_CREATION_DATE = re.compile(rb"(/CreationDate\s*\(D:)(\d{14})")
_FILE_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>\s*\])")
_DOC_CHECKSUM = re.compile(rb"/DocChecksum\s*/[0-9A-Fa-f]+\s?")
# A PDF/A export repeats the creation date in its XMP metadata (xmp:CreateDate, 2026-11-21T00:50:24Z), in
# an uncompressed stream (ISO 19005-2 6.6.2.1); ISO 19005-2 6.6.3 wants it equal to the Info dictionary's.
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")

# The entry with the whitespace ending its line, in the cleartext and in the decrypted private part.
_UNIQUE_ID = re.compile(rb"/UniqueID\s+\d+\s+def\b\s?")
# ISO 32000-1 9.9, Table 127: /Length2 (the length of the encrypted part) marks a Type 1 font program.
_TYPE1_LENGTH2 = re.compile(rb"/Length2\s+\d")
# ISO 32000-1 14.11.5: the output intent's ICC profile; LibreOffice's PDF/A export writes one.
_OUTPUT_PROFILE = re.compile(rb"/DestOutputProfile\s+(\d+)\s+0\s+R")
_FILTER_ENTRY = re.compile(rb"/(Filter|DecodeParms)\s*(/?[A-Za-z0-9]*)")
# /Length (direct or `n g R`), /Length1, /Length2, /Length3 in a font stream's dictionary.
_LENGTH_ENTRY = re.compile(rb"/Length([123]?)\s+(\d+)(\s+\d+\s+R)?")
_INTEGER_OBJECT = re.compile(rb"(\d+\s+\d+\s+obj\s+)(\d+)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+0\s+R")
_XREF_SUBSECTION = re.compile(rb"\s*(\d+) (\d+)[ \t]*(?:\r\n|\r|\n)")
# ISO 32000-1 7.5.4: every cross-reference entry is exactly 20 bytes, the offset its first ten.
XREF_ENTRY_SIZE = 20
XREF_OFFSET_DIGITS = 10

# ICC.1:2022 7.2: the profile header's fields that carry the date and the profile ID (an MD5 over the
# profile with the flags, the rendering intent and the ID itself zeroed).
ICC_HEADER_SIZE = 128
ICC_DATE = slice(24, 36)
ICC_FLAGS = slice(44, 48)
ICC_INTENT = slice(64, 68)
ICC_PROFILE_ID = slice(84, 100)

# Fixed here rather than left to a library's default (6 is zlib's); equal bytes also need the same zlib build.
# LibreOffice's own compression is not reproducible with Python's zlib at any level.
FONT_COMPRESSION_LEVEL = 6

# Adobe Type 1 Font Format, chapter 7: eexec encryption, r = 55665, c1 = 52845, c2 = 22719. The next key
# for every possible cipher byte + key, looked up rather than computed. NOTE: an array (131 kB) and not a
# list of ints (2.3 MB): alone the list is faster, but in the server, beside LibreOffice, its misses in the
# CPU cache made the notice's fonts take 13 ms of CPU against 8.5 ms (and 13 ms computing the keys).
EEXEC_KEY = 55665
_NEXT_KEY = array("H", [(value * 52845 + 22719) & 0xFFFF for value in range(0x10000 + 0x100)])
# How much of the encrypted part is decrypted at first to find the end of the Private dictionary; in
# LibreOffice 7.4's fonts /CharStrings starts about 800 bytes in.
PRIVATE_WINDOW = 2048


def stabilise_pdf(pdf: bytes, created: datetime) -> bytes:
    """The same PDF with its creation date set to `created` and its file ID derived from its content.

    Only the Type 1 font programs, a PDF/A file's ICC profile and the catalog (which gains /PrintScaling
    /None, see viewer.py) are rewritten (see _rewrite_objects); every other object keeps LibreOffice's bytes,
    and the date and ID are replaced in place with values of the same length. A PDF/A file's XMP dates get
    the same date, so the two records of it still agree.
    """
    pdf = _rewrite_objects(pdf, created)
    utc = created.astimezone(UTC)
    stamp = utc.strftime("%Y%m%d%H%M%S").encode("ascii")
    dated, count = _CREATION_DATE.subn(lambda m: m.group(1) + stamp, pdf)
    if count == 0:
        raise RenderError(bilingual("PDF缺少创建日期", "the converter's PDF has no /CreationDate"))
    # Only the digits go; the zone after them (Z with the pool's TZ=UTC) stays as LibreOffice wrote it in
    # both places, so they keep agreeing.
    xmp_stamp = utc.strftime("%Y-%m-%dT%H:%M:%S").encode("ascii")
    dated = _XMP_DATE.sub(lambda m: m.group(1) + xmp_stamp, dated)
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
    return _decrypt(cipher, EEXEC_KEY)[0]


def encrypt_eexec(plain: bytes) -> bytes:
    """The inverse of decrypt_eexec: the seed bytes are part of `plain`, so the result is reproducible."""
    return _encrypt(plain, EEXEC_KEY)[0]


def _decrypt(cipher: bytes, key: int) -> tuple[bytes, int]:
    """`cipher` decrypted from key state `key`, and the state after it."""
    plain = bytearray()
    append = plain.append
    next_key = _NEXT_KEY
    for byte in cipher:
        append(byte ^ (key >> 8))
        key = next_key[byte + key]
    return bytes(plain), key


def _encrypt(plain: bytes, key: int) -> tuple[bytes, int]:
    """`plain` encrypted from key state `key`, and the state after it."""
    cipher = bytearray()
    append = cipher.append
    next_key = _NEXT_KEY
    for byte in plain:
        append(encrypted := byte ^ (key >> 8))
        key = next_key[encrypted + key]
    return bytes(cipher), key


def _reencrypt(cipher: bytes, old_key: int, new_key: int) -> bytes:
    """`cipher`, encrypted from state `old_key`, as encrypted from state `new_key` (same plaintext).

    One loop that never builds the plaintext: about a third faster than decrypting, then encrypting.
    """
    out = bytearray()
    append = out.append
    next_key = _NEXT_KEY
    for byte in cipher:
        append(encrypted := byte ^ ((old_key ^ new_key) >> 8))
        old_key = next_key[byte + old_key]
        new_key = next_key[encrypted + new_key]
    return bytes(out)


def _drop_private_unique_id(encrypted: bytes) -> bytes | None:
    """The eexec part without /UniqueID in its Private dictionary, or None when there is none.

    Only the Private dictionary (up to /CharStrings, which LibreOffice writes after it) is decrypted and
    searched; the glyphs after it, nearly all of the bytes, are re-encrypted for the new key state.
    """
    window = PRIVATE_WINDOW
    while True:
        head, key = _decrypt(encrypted[:window], EEXEC_KEY)
        private_end = head.find(b"/CharStrings")
        if private_end >= 0 or window >= len(encrypted):
            break
        window *= 2
    if private_end < 0:
        private_end = len(head)
    private, count = _UNIQUE_ID.subn(b"", head[:private_end])
    if count == 0:
        return None
    new_head, new_key = _encrypt(private + head[private_end:], EEXEC_KEY)
    return new_head + _reencrypt(encrypted[len(head) :], key, new_key)


def _rewrite_objects(pdf: bytes, created: datetime) -> bytes:
    """`pdf` with /UniqueID taken out of every embedded Type 1 font program, in a PDF/A file the output
    intent's ICC profile dated `created`, and /PrintScaling /None in the catalog's viewer preferences."""
    has_fonts = _TYPE1_LENGTH2.search(pdf) is not None
    profiles = sorted({int(number) for number in _OUTPUT_PROFILE.findall(pdf)})
    try:
        layout = _CrossReference.read(pdf)
        replacements = _font_replacements(pdf, layout) if has_fonts else {}
        for number in profiles:
            replacements.update(_profile_replacement(layout, number, created))
        root = layout.root()
        catalog = layout.body(root)
        printed = with_print_scaling(catalog)
        if printed != catalog:
            replacements[root] = printed
        return layout.replace(replacements) if replacements else pdf
    except ValueError as exc:  # a number in the cross-reference table that is not one
        raise RenderError(bilingual("无法读取转换后的PDF", f"the converter's PDF cannot be read: {exc}")) from exc


def _font_replacements(pdf: bytes, layout: _CrossReference) -> dict[int, bytes]:
    """New bodies for the Type 1 font programs that carry /UniqueID (and for their /Length objects)."""
    # NOTE: a warm LibreOffice numbers the Type 1 fonts it embeds from a per-process counter (4100002 in
    # one conversion, 4100006 in the next), in the cleartext and in the eexec-encrypted part, so the same
    # document gets different font streams every time. The entry is optional and only lets a PostScript
    # printer cache glyphs across jobs; two different fonts with one number make it print one font's glyphs
    # for the other, which a content hash folded into Type 1's million private IDs would risk. So it goes.
    replacements: dict[int, bytes] = {}
    for number in sorted({layout.number_at(match.start()) for match in _TYPE1_LENGTH2.finditer(pdf)}):
        stream = _Stream(layout, number)
        if stream.dictionary is None or _TYPE1_LENGTH2.search(stream.dictionary) is None:
            continue  # the bytes were part of some stream's data, not of a font program's dictionary
        font = stream.decoded()
        length1, length2 = stream.direct_length(b"1"), stream.direct_length(b"2")
        cleartext, in_cleartext = _UNIQUE_ID.subn(b"", font[:length1])
        encrypted = _drop_private_unique_id(font[length1 : length1 + length2])
        if encrypted is None:
            if not in_cleartext:
                continue
            encrypted = font[length1 : length1 + length2]
        program = cleartext + encrypted + font[length1 + length2 :]
        replacements.update(stream.replaced(program, {b"1": len(cleartext), b"2": len(encrypted)}))
    return replacements


def _profile_replacement(layout: _CrossReference, number: int, created: datetime) -> dict[int, bytes]:
    """The ICC profile in object `number` dated `created` (and its /Length object), or nothing when it already is.

    NOTE: LibreOffice makes the sRGB profile of a PDF/A file's output intent with lcms, which dates it
    with the clock (ICC.1:2022 7.2.1, header bytes 24–35), so each conversion had a different profile.
    """
    stream = _Stream(layout, number)
    profile = stream.decoded()
    if len(profile) < ICC_HEADER_SIZE or profile[36:40] != b"acsp":
        raise RenderError(bilingual("PDF/A输出意图异常", f"object {number} of the converter's PDF is no ICC profile"))
    utc = created.astimezone(UTC)
    date = struct.pack(">6H", utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    dated = profile[: ICC_DATE.start] + date + profile[ICC_DATE.stop :]
    if any(dated[ICC_PROFILE_ID]):
        # ICC.1:2022 7.2.18: the profile ID is the MD5 of the profile with flags, intent and ID zeroed.
        zeroed = bytearray(dated)
        for field in (ICC_FLAGS, ICC_INTENT, ICC_PROFILE_ID):
            zeroed[field] = bytes(field.stop - field.start)
        profile_id = hashlib.md5(zeroed, usedforsecurity=False).digest()
        dated = dated[: ICC_PROFILE_ID.start] + profile_id + dated[ICC_PROFILE_ID.stop :]
    return {} if dated == profile else stream.replaced(dated, {})


class _Stream:
    """A stream object as LibreOffice writes it: `n 0 obj <<…>> stream…endstream endobj`, /Length direct or
    in an object of its own."""

    def __init__(self, layout: _CrossReference, number: int) -> None:
        self.layout = layout
        self.number = number
        self.body = layout.body(number)
        keyword = self.body.find(b"stream")
        # None: not a stream (a dictionary whose data happened to hold the bytes searched for).
        self.dictionary = self.body[:keyword] if keyword >= 0 else None
        self.data_at = keyword + len(b"stream")
        self.data_at += 2 if self.body.startswith(b"\r\n", self.data_at) else 1

    def _lengths(self) -> dict[bytes, re.Match[bytes]]:
        assert self.dictionary is not None
        return {entry.group(1): entry for entry in _LENGTH_ENTRY.finditer(self.dictionary)}

    def direct_length(self, which: bytes) -> int:
        """/Length1, /Length2 or /Length3 (`which` is the digit), which must be a direct integer."""
        entry = self._lengths().get(which)
        if entry is None or entry.group(3):
            raise RenderError(
                bilingual(
                    "PDF字体长度异常", f"the converter's PDF lacks a direct /Length{which.decode()} in {self.number}"
                )
            )
        return int(entry.group(2))

    def _length(self) -> tuple[int, int | None, re.Match[bytes] | None]:
        """The data's length, and the object holding it with the match of its integer (None when direct)."""
        entry = self._lengths().get(b"")
        if entry is None:
            raise RenderError(bilingual("PDF流缺少长度", f"the converter's PDF has no /Length in object {self.number}"))
        if not entry.group(3):
            return int(entry.group(2)), None, None
        # LibreOffice's way: `/Length 17 0 R`, the number in `17 0 obj 136932 endobj` after the stream.
        holder = int(entry.group(2))
        value = _INTEGER_OBJECT.match(self.layout.body(holder))
        if value is None:
            raise RenderError(bilingual("PDF流长度异常", f"the converter's PDF has no integer in object {holder}"))
        return int(value.group(2)), holder, value

    def decoded(self) -> bytes:
        """The data inflated: LibreOffice compresses its streams with FlateDecode alone."""
        assert self.dictionary is not None
        filters = {entry.group(1): entry.group(2) for entry in _FILTER_ENTRY.finditer(self.dictionary)}
        if filters != {b"Filter": b"/FlateDecode"}:
            found = b" ".join(b"/%s %s" % item for item in filters.items()).decode("latin-1") or "no filter"
            raise RenderError(
                bilingual(
                    "PDF流编码异常", f"the converter's PDF encodes object {self.number} with {found}, not /FlateDecode"
                )
            )
        length, _, _ = self._length()
        try:
            return zlib.decompress(self.body[self.data_at : self.data_at + length])
        except zlib.error as exc:
            raise RenderError(bilingual("无法读取转换后的PDF", f"the converter's PDF cannot be read: {exc}")) from exc

    def replaced(self, data: bytes, lengths: dict[bytes, int]) -> dict[int, bytes]:
        """New bodies for this stream, now holding `data` compressed, and for the object with its /Length.

        `lengths` maps the digit of /Length1, /Length2 or /Length3 to its new value; the rest of the
        dictionary keeps LibreOffice's bytes.
        """
        compressed = zlib.compress(data, FONT_COMPRESSION_LEVEL)
        old_length, holder, value = self._length()
        bodies: dict[int, bytes] = {}
        if holder is not None and value is not None:
            holder_body = self.layout.body(holder)
            bodies[holder] = holder_body[: value.start(2)] + b"%d" % len(compressed) + holder_body[value.end(2) :]
        else:
            lengths = {**lengths, b"": len(compressed)}

        def new_entry(entry: re.Match[bytes]) -> bytes:
            which = entry.group(1)
            return b"/Length%s %d" % (which, lengths[which]) if which in lengths else entry.group(0)

        header = _LENGTH_ENTRY.sub(new_entry, self.body[: self.data_at])
        bodies[self.number] = header + compressed + self.body[self.data_at + old_length :]
        return bodies


class _CrossReference:
    """Where each object of a PDF with one classic cross-reference table starts, to swap whole objects."""

    def __init__(self, pdf: bytes, xref_at: int, entries: dict[int, int], offsets: dict[int, int]) -> None:
        self.pdf = pdf
        self.xref_at = xref_at
        self.entries = entries  # object number → where its entry's offset digits are
        self.offsets = offsets  # object number → where the object starts
        self._starts = sorted(offsets.values())
        self._numbers = {offset: number for number, offset in offsets.items()}

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

    def root(self) -> int:
        """The number of the document catalog, which the trailer's /Root names."""
        root = _ROOT.search(self.pdf, self.xref_at)
        if root is None:
            raise RenderError(bilingual("PDF缺少文档目录", "the converter's PDF names no /Root in its trailer"))
        return int(root.group(1))

    def _span(self, number: int) -> tuple[int, int]:
        # LibreOffice writes the objects back to back, so each one runs to the next (the last to the table).
        if number not in self.offsets:
            raise RenderError(bilingual("PDF交叉引用表异常", f"the converter's PDF does not place object {number}"))
        start = self.offsets[number]
        later = bisect.bisect_right(self._starts, start)
        return start, self._starts[later] if later < len(self._starts) else self.xref_at

    def number_at(self, position: int) -> int:
        """The object whose bytes include `position`."""
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0 or position >= self.xref_at:
            raise RenderError(
                bilingual("PDF交叉引用表异常", f"the converter's PDF has bytes outside objects at {position}")
            )
        return self._numbers[self._starts[index]]

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
