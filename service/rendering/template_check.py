"""Upload-time checks of a DOCX template (模板): a safe package, tags Word split joined again, Jinja that fits its kind.

Three steps, each usable alone, all reporting `Finding`s located by part, paragraph and table cell:
`open_package` refuses anything that is not a plain, safe Word document (zip bombs, DTDs and external
entities, links LibreOffice would follow, macros); `repair_split_tags` joins `{{ … }}` tags that Word or WPS
split over several runs, so the stored template is clean; `check_jinja` compiles every templated part exactly
as service.rendering.docx does and checks what it reads against the kind's `ContextContract` (the manifest's
`variables`). `check_template` runs the three in order. Every problem is reported, never only the first.
"""

from __future__ import annotations

import bisect
import difflib
import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import docx
import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
)
from lxml import etree

from service.errors import TemplateInvalidError, bilingual
from service.findings import Finding, Location, Severity, quote
from service.rendering import ooxml

# The renderer's own environment and source preparation: the check compiles exactly what a render compiles.
from service.rendering.docx import (
    LITERAL_BRACES,
    PARAGRAPH_START,
    TAG_START,
    TEMPLATE_ENVIRONMENT,
    TEMPLATED_RELATIONSHIPS,
)

MAIN_DOCUMENT_PART = "word/document.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
PACKAGE_RELATIONSHIPS_PART = "_rels/.rels"
DOCUMENT_RELATIONSHIPS_PART = "word/_rels/document.xml.rels"


# -- package safety ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageLimits:
    """What an uploaded template may cost to open; sizes are counted while decompressing, never taken on trust."""

    max_upload_bytes: int = 10 * 1024 * 1024  # the DOCX file itself
    max_members: int = 2000
    max_unpacked_bytes: int = 60 * 1024 * 1024  # sum over members
    max_ratio: int = 200  # per member: uncompressed / compressed
    # An XML part, unpacked. Checking Jinja costs about a second per megabyte (a 5 MB document.xml with
    # 12,000 tags takes 5 s); the built-in templates' largest part is 38 KB, a long Word form a few hundred.
    max_xml_part_bytes: int = 4 * 1024 * 1024


_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_MACRO_MARKS = ("macroenabled", "vbaproject", "vbadata", "activex")
_OTHER_OFFICE_FILES = {
    "spreadsheetml": ("Excel工作簿", "an Excel workbook"),
    "presentationml": ("PowerPoint演示文稿", "a PowerPoint presentation"),
}

_CHUNK = 64 * 1024
# The end-of-central-directory record with the longest comment a zip can carry.
_MAX_END_RECORD = 22 + 0xFFFF
# A member's compression ratio is judged only beyond this size: small XML parts of repeated markup can
# legitimately compress better than max_ratio, and a bomb needs far more than this to do harm.
_RATIO_FLOOR = 1024 * 1024

# DOCX parts never carry a DTD; the parser refuses to fetch, load or expand anything even so.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_DOCTYPE = re.compile(r"<!DOCTYPE\b(?P<declaration>[^\[>]*)(?:\[(?P<subset>.*?)\])?\s*>", re.DOTALL)
_EXTERNAL_ID = re.compile(r"\b(?:SYSTEM|PUBLIC)\b")
_EXTERNAL_ENTITY = re.compile(r"<!ENTITY[^>]*\b(?:SYSTEM|PUBLIC)\b")
_ELEMENT_START = re.compile(r"<[A-Za-z_:]")
_DTD_WINDOW = 64 * 1024
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Field codes that make Word or LibreOffice read another file or program into the document.
_LINKING_FIELD = re.compile(r"(?:^|[\s{])(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|LINK|DDEAUTO|DDE|RD)\b", re.I)


class _RejectedError(Exception):
    """A member that must not be read any further; `spent` when nothing more of the package may be read."""

    def __init__(self, finding: Finding, *, spent: bool = False) -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.spent = spent


def open_package(data: bytes, limits: PackageLimits = PackageLimits()) -> tuple[dict[str, bytes] | None, list[Finding]]:
    """The members (name → bytes) of a safe Word document, or None and the ERRORs saying why not.

    Members are decompressed twice in bounded chunks: first only counted (a bomb is refused having cost no
    more memory than a chunk), then kept. WARNINGs (an external hyperlink) come with the members.
    """
    if len(data) > limits.max_upload_bytes:
        return None, [
            _error(
                "too_large",
                bilingual(
                    f"文件过大（{len(data)}字节，上限{limits.max_upload_bytes}字节）",
                    f"the file is {len(data)} bytes; at most {limits.max_upload_bytes} are accepted",
                ),
            )
        ]
    declared = _count_directory_entries(data, limits.max_members)
    if declared is not None and declared > limits.max_members:
        return None, [_too_many_members(limits)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return None, [
            _error("not_a_zip", bilingual("文件不是DOCX（不是ZIP压缩包）", "not a DOCX file: not a zip archive"))
        ]
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > limits.max_members:
            return None, [_too_many_members(limits)]
        findings = _check_member_names(infos) + _check_member_storage(infos)
        if findings:
            return None, findings
        findings = _measure_members(archive, infos, limits)
        if findings:
            return None, findings
        try:
            members = _read_members(archive, infos, limits)
        except _RejectedError as rejected:  # only if the archive changed under us; measured just above
            return None, [rejected.finding]
    findings = _check_part_sizes(members, limits)
    if findings:
        return None, findings
    findings = _check_document(members)
    if any(finding.severity is Severity.ERROR for finding in findings):
        return None, findings
    return members, findings


def _check_part_sizes(members: Mapping[str, bytes], limits: PackageLimits) -> list[Finding]:
    return [
        _error(
            "part_too_large",
            bilingual(
                f"“{quote(name)}”有{len(content)}字节，超过{limits.max_xml_part_bytes}字节的上限",
                f"“{quote(name)}” is {len(content)} bytes; an XML part may have at most {limits.max_xml_part_bytes}",
            ),
            Location(part=name),
        )
        for name, content in members.items()
        if name.lower().endswith((".xml", ".rels")) and len(content) > limits.max_xml_part_bytes
    ]


def _too_many_members(limits: PackageLimits) -> Finding:
    return _error(
        "too_many_members",
        bilingual(
            f"压缩包内文件过多（上限{limits.max_members}个）",
            f"the archive holds more than {limits.max_members} files",
        ),
    )


def _count_directory_entries(data: bytes, limit: int) -> int | None:
    """The central directory's entries, counted up to limit + 1 without building them; None if none is found.

    zipfile builds an object per entry before anyone can count them: ten megabytes of tiny entries would
    cost a hundred megabytes of memory. The count in the end record is not trusted; the entries are walked.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - _MAX_END_RECORD))
    if end < 0 or len(data) < end + 22:
        return None
    directory_end = end
    size = struct.unpack_from("<I", data, end + 12)[0]
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 <= len(data) and data[record : record + 4] == b"PK\x06\x06":
            directory_end = record
            size = struct.unpack_from("<Q", data, record + 40)[0]
    position = max(0, directory_end - size)
    count = 0
    while count <= limit and position + 46 <= directory_end and data[position : position + 4] == b"PK\x01\x02":
        name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name + extra + comment
        count += 1
    return count


def _check_member_names(infos: list[zipfile.ZipInfo]) -> list[Finding]:
    findings = []
    for info in infos:
        name = info.filename
        parts = re.split(r"[/\\]", name)
        if not name or "\x00" in name or name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
            findings.append(
                _error(
                    "unsafe_member_name",
                    bilingual(
                        f"压缩包内的文件名“{quote(name)}”指向包外（绝对路径或“..”）",
                        f"the member name “{quote(name)}” points outside the package (absolute or with “..”)",
                    ),
                    Location(part=name),
                )
            )
    # NOTE: part names in a package are case-insensitive (ECMA-376 Part 2, 9.1.1.1); Word and LibreOffice
    # may each pick a different one of two members whose names differ only in case.
    groups: dict[str, list[str]] = {}
    for info in infos:
        groups.setdefault(info.filename.casefold(), []).append(info.filename)
    for names in groups.values():
        if len(names) > 1:
            listed = "、".join(f"“{quote(name)}”" for name in names)
            findings.append(
                _error(
                    "duplicate_member",
                    bilingual(f"压缩包内有重名文件：{listed}", f"the archive holds one part more than once: {listed}"),
                    Location(part=names[0]),
                )
            )
    return findings


def _check_member_storage(infos: list[zipfile.ZipInfo]) -> list[Finding]:
    # ECMA-376 Part 2, 10.2.4: members are stored or deflated; Word never encrypts a member.
    findings = []
    for info in infos:
        if info.flag_bits & 0x1:
            reason = ("已加密", "is encrypted")
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            reason = (f"使用了压缩方法{info.compress_type}", f"uses compression method {info.compress_type}")
        else:
            continue
        findings.append(
            _error(
                "not_a_docx",
                bilingual(
                    f"“{quote(info.filename)}”{reason[0]}，Word文档不会这样保存",
                    f"“{quote(info.filename)}” {reason[1]}, which a Word document never does",
                ),
                Location(part=info.filename),
            )
        )
    return findings


def _member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: PackageLimits, unpacked_before: int
) -> Iterator[bytes]:
    """The member's bytes in chunks, stopped as soon as it exceeds its ratio or the package its total."""
    member_cap = max(_RATIO_FLOOR, limits.max_ratio * info.compress_size)
    produced = 0
    location = Location(part=info.filename)
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                produced += len(chunk)
                if produced > member_cap:
                    raise _RejectedError(
                        _error(
                            "zip_bomb",
                            bilingual(
                                f"“{quote(info.filename)}”解压后超过压缩前的{limits.max_ratio}倍，疑为压缩炸弹",
                                f"“{quote(info.filename)}” inflates to more than {limits.max_ratio} times its "
                                "compressed size: a zip bomb",
                            ),
                            location,
                        )
                    )
                if unpacked_before + produced > limits.max_unpacked_bytes:
                    raise _RejectedError(
                        _error(
                            "zip_bomb",
                            bilingual(
                                f"解压后总大小超过{limits.max_unpacked_bytes}字节（读到“{quote(info.filename)}”时）",
                                f"the package inflates to more than {limits.max_unpacked_bytes} bytes "
                                f"(reading “{quote(info.filename)}”)",
                            ),
                            location,
                        ),
                        spent=True,
                    )
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # Among these: a header that lies about the size (zipfile stops at the declared size, the CRC fails).
        raise _RejectedError(
            _error(
                "zip_corrupt",
                bilingual(
                    f"“{quote(info.filename)}”已损坏或其大小、校验值与文件头不符",
                    f"“{quote(info.filename)}” is damaged or does not match the size and checksum in its header: {exc}",
                ),
                location,
            )
        ) from exc


def _measure_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: PackageLimits) -> list[Finding]:
    findings = []
    total = 0
    for info in infos:
        size = 0
        try:
            for chunk in _member_chunks(archive, info, limits, total):
                size += len(chunk)
        except _RejectedError as rejected:
            findings.append(rejected.finding)
            if rejected.spent:
                break
        total += size
    return findings


def _read_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: PackageLimits) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        members[info.filename] = b"".join(_member_chunks(archive, info, limits, total))
        total += len(members[info.filename])
    return members


def _check_document(members: Mapping[str, bytes]) -> list[Finding]:
    """Every XML part parses without a DTD; it is a Word document; it links to nothing and runs nothing."""
    findings: list[Finding] = []
    parsed: dict[str, etree._Element] = {}
    for name, data in members.items():
        if name.lower().endswith((".xml", ".rels")):
            root, problems = _parse_part(name, data)
            findings += problems
            if root is not None:
                parsed[name] = root
    findings += _check_content_types(members, parsed)
    findings += _check_relationships(parsed)
    findings += _check_fields(parsed)
    return findings


def _parse_part(name: str, data: bytes) -> tuple[etree._Element | None, list[Finding]]:
    """The part's root, parsed only when it declares no DTD (a DTD is refused before the parser sees it)."""
    # A DOCTYPE further in than the window is still caught after the (hardened) parse, by the docinfo check.
    text = _prolog_text(data[:_DTD_WINDOW])
    root_start = _ELEMENT_START.search(text)
    doctype = text.find("<!DOCTYPE", 0, root_start.start() if root_start else len(text))
    if doctype >= 0:
        match = _DOCTYPE.search(text, doctype)
        declaration = match.group(0) if match else text[doctype:]
        if _EXTERNAL_ID.search(declaration) or _EXTERNAL_ENTITY.search(text, doctype):
            return None, [
                _error(
                    "external_entity",
                    bilingual(
                        f"{name}声明了外部实体或外部DTD（可读取服务器上的文件），已拒绝",
                        f"{name} declares an external entity or DTD (it could read files on the server); refused",
                    ),
                    Location(part=name),
                )
            ]
        return None, [
            _error(
                "doctype",
                bilingual(
                    f"{name}含有DOCTYPE声明，DOCX文件从不包含DTD",
                    f"{name} has a DOCTYPE declaration; DOCX parts never carry a DTD",
                ),
                Location(part=name),
            )
        ]
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        return None, [
            _error(
                "xml_invalid",
                bilingual(f"{name}不是格式正确的XML：{exc}", f"{name} is not well-formed XML: {exc}"),
                Location(part=name),
            )
        ]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # an encoding the text scan above could not read
        external = bool(docinfo.system_url or docinfo.public_id)
        external |= (
            any(entity.system_url for entity in docinfo.internalDTD.iterentities()) if docinfo.internalDTD else False
        )
        code = "external_entity" if external else "doctype"
        return None, [
            _error(code, bilingual(f"{name}含有DTD声明", f"{name} declares a DTD; refused"), Location(part=name))
        ]
    return root, []


def _prolog_text(data: bytes) -> str:
    """The start of a part as text for finding a DOCTYPE: UTF-16 when it starts with a BOM, else byte for byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("latin-1")


def _check_content_types(members: Mapping[str, bytes], parsed: Mapping[str, etree._Element]) -> list[Finding]:
    if CONTENT_TYPES_PART not in members:
        return [
            _not_a_docx("缺少[Content_Types].xml，不是Office文档", "no [Content_Types].xml: not an Office document")
        ]
    types = parsed.get(CONTENT_TYPES_PART)
    if types is None:
        return []  # its parse error is reported already
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in types.iter(f"{{{_CT_NS}}}Default")}
    overrides = {e.get("PartName", "").lower(): e.get("ContentType", "") for e in types.iter(f"{{{_CT_NS}}}Override")}
    findings: list[Finding] = []
    macro_parts = sorted(
        name
        for name in members
        if posixpath.basename(name).lower() == "vbaproject.bin" or name.lower().startswith("word/activex/")
    )
    macro_types = sorted(
        {t for t in [*defaults.values(), *overrides.values()] if any(m in t.lower() for m in _MACRO_MARKS)}
    )
    if macro_parts or macro_types:
        found = ", ".join(macro_parts + macro_types)
        findings.append(
            _error(
                "macros",
                bilingual(
                    f"文件含有宏或ActiveX控件（{found}），请另存为普通.docx",
                    f"the file holds macros or ActiveX ({found}); save it as a plain .docx",
                ),
            )
        )
    if MAIN_DOCUMENT_PART not in members:
        kinds = [label for mark, label in _OTHER_OFFICE_FILES.items() if any(mark in t for t in overrides.values())]
        chinese, english = kinds[0] if kinds else ("其他文件", "some other file")
        findings.append(
            _not_a_docx(
                f"这是{chinese}，不是Word文档（缺少word/document.xml）",
                f"this is {english}, not a Word document (no word/document.xml)",
            )
        )
        return findings
    content_type = overrides.get("/" + MAIN_DOCUMENT_PART, defaults.get("xml", ""))
    if content_type == _TEMPLATE_MAIN:
        findings.append(
            _not_a_docx("这是Word模板（.dotx），请另存为.docx", "this is a Word template (.dotx); save it as .docx")
        )
    elif content_type != _DOCUMENT_MAIN and not any(m in content_type.lower() for m in _MACRO_MARKS):
        findings.append(
            _not_a_docx(
                f"word/document.xml的内容类型是“{content_type}”，不是Word文档正文",
                f"word/document.xml has content type “{content_type}”, not a Word document's",
            )
        )
    if _main_part(parsed) != MAIN_DOCUMENT_PART:
        findings.append(
            _not_a_docx(
                "_rels/.rels未指向word/document.xml", "_rels/.rels does not name word/document.xml as the document"
            )
        )
    return findings


def _main_part(parsed: Mapping[str, etree._Element]) -> str | None:
    rels = parsed.get(PACKAGE_RELATIONSHIPS_PART)
    if rels is None:
        return None
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type") == _OFFICE_DOCUMENT and rel.get("TargetMode", "Internal") == "Internal":
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return None


def _check_relationships(parsed: Mapping[str, etree._Element]) -> list[Finding]:
    """A linked template, image, OLE object or subdocument would make LibreOffice fetch a URL or read a file."""
    findings = []
    for name, root in parsed.items():
        if not name.lower().endswith(".rels"):
            continue
        for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if rel.get("TargetMode", "Internal").lower() != "external" and not _URI_SCHEME.match(target):
                continue
            if kind == "hyperlink":
                findings.append(
                    Finding(
                        "external_hyperlink",
                        Severity.WARNING,
                        bilingual(f"文档含有外部超链接“{quote(target)}”", f"the document links to “{quote(target)}”"),
                        Location(part=name),
                    )
                )
            else:
                findings.append(
                    _error(
                        "external_relationship",
                        bilingual(
                            f"文档引用了外部资源“{quote(target)}”（{kind}），生成时会去读取它",
                            f"the document refers to the external {kind} “{quote(target)}”"
                            ", which rendering would fetch",
                        ),
                        Location(part=name),
                    )
                )
    return findings


def _check_fields(parsed: Mapping[str, etree._Element]) -> list[Finding]:
    """INCLUDETEXT, INCLUDEPICTURE, LINK, DDE…: field codes that pull a file or a program's output in."""
    findings = []
    for name, root in parsed.items():
        if not name.startswith("word/") or not name.endswith(".xml"):
            continue
        for paragraph in root.iter(_P):
            # A field's instruction may be split over several runs' w:instrText.
            codes = ["".join(e.text or "" for e in paragraph.iter(_INSTR_TEXT) if _nearest(e, _P) is paragraph)]
            codes += [e.get(_INSTR, "") for e in paragraph.iter(_FLD_SIMPLE) if _nearest(e, _P) is paragraph]
            match = next(filter(None, map(_LINKING_FIELD.search, codes)), None)
            if match:
                findings.append(
                    _error(
                        "linked_field",
                        bilingual(
                            f"域代码{match.group(1).upper()}会在生成时读取外部文件或程序，不允许使用",
                            f"the field {match.group(1).upper()} would read an outside file or program when rendering",
                        ),
                        locate(name, paragraph),
                    )
                )
    return findings


def _not_a_docx(chinese: str, english: str) -> Finding:
    return _error("not_a_docx", bilingual(chinese, english))


def _error(code: str, message: str, location: Location | None = None) -> Finding:
    return Finding(code, Severity.ERROR, message, location)


# -- locations -----------------------------------------------------------------------------------------

_NS = {"w": ooxml.NSMAP["w"]}
_P, _T, _R = ooxml.qn("w:p"), ooxml.qn("w:t"), ooxml.qn("w:r")
_TBL, _TR, _TC = ooxml.qn("w:tbl"), ooxml.qn("w:tr"), ooxml.qn("w:tc")
_RPR = ooxml.qn("w:rPr")
_INSTR_TEXT, _FLD_SIMPLE, _INSTR = ooxml.qn("w:instrText"), ooxml.qn("w:fldSimple"), ooxml.qn("w:instr")
# Text that is not in the document: deleted revisions and text moved away.
_NOT_TEXT = frozenset({ooxml.qn("w:del"), ooxml.qn("w:moveFrom")})
_XML_SPACE = ooxml.qn("xml:space")


def locate(part_name: str, paragraph: etree._Element) -> Location:
    """Where a paragraph is: its number among the part's paragraphs, its text, and the innermost table cell."""
    number = int(paragraph.xpath("count(preceding::w:p) + count(ancestor::w:p)", namespaces=_NS)) + 1
    text = _paragraph_text(paragraph)
    table = _nearest(paragraph, _TBL)
    row, cell = _nearest(paragraph, _TR), _nearest(paragraph, _TC)
    if table is None or row is None or cell is None:
        return Location(part=part_name, paragraph=number, text=text)
    table_number = int(table.xpath("count(preceding::w:tbl) + count(ancestor::w:tbl)", namespaces=_NS)) + 1
    rows = [r for r in table.iter(_TR) if _nearest(r, _TBL) is table]
    cells = [c for c in row.iter(_TC) if _nearest(c, _TR) is row]
    return Location(
        part=part_name,
        paragraph=number,
        text=text,
        table=table_number,
        row=rows.index(row) + 1,
        cell=cells.index(cell) + 1,
    )


def _paragraph_text(paragraph: etree._Element) -> str:
    """The paragraph's own visible text (not that of text boxes inside it, nor deleted text)."""
    return "".join(t.text or "" for t in _own_texts(paragraph))


def _own_texts(paragraph: etree._Element) -> list[etree._Element]:
    texts = []
    for t in paragraph.iter(_T):
        for ancestor in t.iterancestors():
            if ancestor.tag == _P:
                if ancestor is paragraph:
                    texts.append(t)
                break
            if ancestor.tag in _NOT_TEXT:
                break
    return texts


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    return next(element.iterancestors(tag), None)


# -- split tags ----------------------------------------------------------------------------------------

_TAG_OPEN = re.compile(r"\{[{%#]")
_TAG_CLOSE = {"{": "}}", "%": "%}", "#": "#}"}


def repair_split_tags(package: dict[str, bytes]) -> tuple[dict[str, bytes], list[Finding]]:
    """The package with every tag split over runs joined into its first run; only changed parts are rewritten.

    Word and WPS split `{{ name }}` wherever spell-checking, revision ids or language marks start a new run.
    The joined tag keeps the first run's formatting, as docxtpl would give it. A tag that runs into another
    paragraph, or is never closed, cannot be repaired and is an ERROR.
    """
    repaired = dict(package)
    findings: list[Finding] = []
    for name in _templated_parts(package):
        try:
            root = etree.fromstring(package[name], _SAFE_PARSER)
        except etree.XMLSyntaxError as exc:
            findings.append(
                _error(
                    "xml_invalid",
                    bilingual(f"{name}不是格式正确的XML", f"{name} is not well-formed XML: {exc}"),
                    Location(part=name),
                )
            )
            continue
        changed, part_findings = _repair_part(name, root)
        findings += part_findings
        if changed:
            repaired[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return repaired, findings


def _templated_parts(package: Mapping[str, bytes]) -> list[str]:
    """The parts the renderer fills: the document and its headers, footers, footnotes and endnotes."""
    parts = [MAIN_DOCUMENT_PART] if MAIN_DOCUMENT_PART in package else []
    try:
        rels = etree.fromstring(package[DOCUMENT_RELATIONSHIPS_PART], _SAFE_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return parts
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("TargetMode", "Internal") != "Internal" or rel.get("Type") not in TEMPLATED_RELATIONSHIPS:
            continue
        target = rel.get("Target", "")
        name = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("word", target))
        if name in package and name not in parts:
            parts.append(name)
    return parts


def _repair_part(name: str, root: etree._Element) -> tuple[bool, list[Finding]]:
    paragraphs = list(root.iter(_P))
    texts = [_own_texts(paragraph) for paragraph in paragraphs]
    strings = ["".join(t.text or "" for t in ts) for ts in texts]
    findings: list[Finding] = []
    changed = False
    for index, (paragraph, ts, string) in enumerate(zip(paragraphs, texts, strings, strict=True)):
        starts = list(itertools.accumulate((len(t.text or "") for t in ts), initial=0))[:-1]
        owners = [bisect.bisect_right(starts, position) - 1 for position in range(len(string))]
        joined: list[tuple[str, int]] = []
        for start, end in _scan_tags(string):
            if end is None:
                findings.append(_unclosed_tag(name, paragraph, string[start:], strings[index + 1 :]))
                continue
            first, last = owners[start], owners[end - 1]
            if first != last:
                owners[start:end] = [first] * (end - start)
                joined.append((string[start:end], last - first + 1))
        following = strings[index + 1][:1] if index + 1 < len(strings) else ""
        # NOTE: docxtpl joins "{" ending one paragraph with "{" starting the next into a tag across them.
        if string.endswith("{") and not _TAG_OPEN.search(string[-2:]) and following in ("{", "%", "#"):
            findings.append(_unclosed_tag(name, paragraph, "{" + following, strings[index + 1 :]))
        if not joined:
            continue
        _redistribute(ts, string, owners)
        changed = True
        location = locate(name, paragraph)
        for tag, runs in joined:
            findings.append(
                Finding(
                    "tag_split_repaired",
                    Severity.NOTICE,
                    bilingual(
                        f"标签“{quote(tag)}”被拆分在{runs}段文字中，已合并",
                        f"the tag “{quote(tag)}” was split over {runs} runs and has been joined",
                    ),
                    location,
                )
            )
    return changed, findings


def _scan_tags(text: str) -> Iterator[tuple[int, int | None]]:
    """(start, end) of every Jinja tag in `text` (end None when unclosed); the first closer ends it, as in docxtpl."""
    position = 0
    while match := _TAG_OPEN.search(text, position):
        closer = _TAG_CLOSE[match.group()[1]]
        end = text.find(closer, match.end())
        if end < 0:
            yield match.start(), None
            position = match.end()
        else:
            yield match.start(), end + len(closer)
            position = end + len(closer)


def _unclosed_tag(name: str, paragraph: etree._Element, rest: str, following: list[str]) -> Finding:
    opening = rest[:2]
    closer = _TAG_CLOSE[opening[1]]
    fragment = quote(rest)
    for text in following:
        close, reopen = text.find(closer), _TAG_OPEN.search(text)
        if close >= 0 and (reopen is None or close < reopen.start()):
            return _error(
                "tag_spans_paragraphs",
                bilingual(
                    f"标签“{fragment}”从本段开始、在后面的段落结束，无法修复：请把整个标签写在同一段中",
                    f"the tag “{fragment}” starts here and ends in a later paragraph; "
                    "put the whole tag in one paragraph",
                ),
                locate(name, paragraph),
            )
        if reopen is not None:
            break
    return _error(
        "tag_unclosed",
        bilingual(f"标签“{fragment}”缺少结束符“{closer}”", f"the tag “{fragment}” is never closed with “{closer}”"),
        locate(name, paragraph),
    )


def _redistribute(texts: list[etree._Element], string: str, owners: list[int]) -> None:
    """Give each w:t the characters it now owns; emptied ones go, and so do runs left with nothing in them."""
    pieces: list[list[str]] = [[] for _ in texts]
    for character, owner in zip(string, owners, strict=True):
        pieces[owner].append(character)
    for t, piece in zip(texts, pieces, strict=True):
        new = "".join(piece)
        if new == (t.text or ""):
            continue
        if new:
            t.text = new
            t.set(_XML_SPACE, "preserve")
            continue
        run = t.getparent()
        run.remove(t)
        if run.tag == _R and all(child.tag == _RPR for child in run) and run.getparent() is not None:
            run.getparent().remove(run)


# -- the context contract ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalarType:
    name: str  # str, int, float, bool or null

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class AnyType:
    """A key of unspecified type (a bare key inside `{…}`), or a value the check cannot follow."""

    def __str__(self) -> str:
        return "any"


@dataclass(frozen=True)
class ListType:
    item: ValueType

    def __str__(self) -> str:
        return f"list[{self.item}]"


@dataclass(frozen=True)
class RecordType:
    fields: tuple[tuple[str, ValueType], ...]

    def get(self, key: str) -> ValueType | None:
        return dict(self.fields).get(key)

    def keys(self) -> list[str]:
        return [key for key, _ in self.fields]

    def __str__(self) -> str:
        return "{" + ", ".join(key if isinstance(t, AnyType) else f"{key}: {t}" for key, t in self.fields) + "}"


@dataclass(frozen=True)
class UnionType:
    options: tuple[ValueType, ...]

    def __str__(self) -> str:
        return " | ".join(map(str, self.options))


ValueType = ScalarType | AnyType | ListType | RecordType | UnionType
ANY = AnyType()
_SCALARS = frozenset({"str", "int", "float", "bool", "null"})
_TYPE_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([\[\]{}|,:]))")


class _TypeSyntaxError(Exception):
    def __init__(self, text: str, position: int, chinese: str, english: str) -> None:
        super().__init__(english)
        self.text, self.position, self.chinese, self.english = text, position, chinese, english


def parse_type(text: str) -> ValueType:
    """A manifest type string: `str`, `list[{hei: str, kai: str}]`, `null | {title: str}`, `{a, b: int}`…"""
    try:
        return _TypeParser(text).parse()
    except _TypeSyntaxError as exc:
        raise TemplateInvalidError(_type_message(exc)) from exc


def _type_message(exc: _TypeSyntaxError, variable: str | None = None) -> str:
    where = f"变量“{variable}”的" if variable else ""
    where_en = f"variable {variable!r}: " if variable else ""
    return bilingual(
        f"{where}类型“{exc.text}”第{exc.position + 1}个字符处有误：{exc.chinese}",
        f"{where_en}type “{exc.text}”, at character {exc.position + 1}: {exc.english}",
    )


class _TypeParser:
    """Recursive descent over: type := term ("|" term)*; term := scalar | list[type] | {key[: type], …}."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, int]] = []
        position = 0
        while text[position:].strip():
            match = _TYPE_TOKEN.match(text, position)
            if match is None:
                start = len(text) - len(text[position:].lstrip())
                raise _TypeSyntaxError(
                    text, start, f"不认识的字符“{text[start]}”", f"unexpected character {text[start]!r}"
                )
            token = match.group(1) or match.group(2)
            self.tokens.append((token, match.start(1) if match.group(1) else match.start(2)))
            position = match.end()
        self.index = 0

    def parse(self) -> ValueType:
        result = self.union()
        if self.index < len(self.tokens):
            token, position = self.tokens[self.index]
            raise _TypeSyntaxError(
                self.text, position, f"多余的“{token}”", f"unexpected {token!r} after a complete type"
            )
        return result

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        if self.index >= len(self.tokens):
            wanted = f"“{expected}”" if expected else "类型"
            raise _TypeSyntaxError(
                self.text,
                len(self.text),
                f"缺少{wanted}",
                f"expected {expected!r} at the end" if expected else "expected a type at the end",
            )
        token, position = self.tokens[self.index]
        if expected is not None and token != expected:
            raise _TypeSyntaxError(
                self.text, position, f"应为“{expected}”，却是“{token}”", f"expected {expected!r}, found {token!r}"
            )
        self.index += 1
        return token

    def position(self) -> int:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else len(self.text)

    def union(self) -> ValueType:
        options = [self.term()]
        while self.peek() == "|":
            self.take("|")
            options.append(self.term())
        return options[0] if len(options) == 1 else UnionType(tuple(options))

    def term(self) -> ValueType:
        position = self.position()
        token = self.take()
        if token == "{":
            return self.record(position)
        if token == "list":
            self.take("[")
            item = self.union()
            self.take("]")
            return ListType(item)
        if token in _SCALARS:
            return ScalarType(token)
        raise _TypeSyntaxError(self.text, position, f"未知的类型“{token}”", f"unknown type {token!r}")

    def record(self, opened: int) -> RecordType:
        fields: list[tuple[str, ValueType]] = []
        while True:
            position = self.position()
            key = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                raise _TypeSyntaxError(self.text, position, f"应为键名，却是“{key}”", f"expected a key, found {key!r}")
            if key in dict(fields):
                raise _TypeSyntaxError(self.text, position, f"键“{key}”重复", f"key {key!r} appears twice")
            value: ValueType = ANY
            if self.peek() == ":":
                self.take(":")
                value = self.union()
            fields.append((key, value))
            if self.peek() == ",":
                self.take(",")
                continue
            self.take("}")
            return RecordType(tuple(fields))


@dataclass(frozen=True)
class ContextContract:
    """What a kind's template may read: the manifest's variables and their types."""

    variables: tuple[tuple[str, ValueType], ...]
    kind: str = ""

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> ContextContract:
        """The contract of `manifest["variables"]` ({name: {"type": "list[str]", "meaning": …}})."""
        kind = str(manifest.get("kind", ""))
        variables = manifest.get("variables")
        if not isinstance(variables, Mapping) or not variables:
            raise TemplateInvalidError(
                bilingual(f"模板清单{kind}缺少variables", f"the manifest of {kind or 'this kind'} has no variables")
            )
        types: dict[str, str] = {}
        for name, spec in variables.items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("type"), str):
                raise TemplateInvalidError(
                    bilingual(
                        f"模板清单{kind}中变量“{name}”缺少type", f"manifest {kind}: variable {name!r} has no type"
                    )
                )
            types[str(name)] = spec["type"]
        return cls.from_types(types, kind=kind)

    @classmethod
    def from_types(cls, types: Mapping[str, str], *, kind: str = "") -> ContextContract:
        parsed = []
        for name, text in types.items():
            try:
                parsed.append((name, _TypeParser(text).parse()))
            except _TypeSyntaxError as exc:
                raise TemplateInvalidError(_type_message(exc, name)) from exc
        return cls(tuple(parsed), kind)

    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.variables)

    def type_of(self, name: str) -> ValueType | None:
        return dict(self.variables).get(name)

    def repeated(self, key: str) -> ContextContract:
        """The contract of a variant that takes a list of such contexts under `key` (archive-stamp's batch.docx)."""
        return ContextContract(((key, ListType(RecordType(self.variables))),), self.kind)


# -- Jinja ---------------------------------------------------------------------------------------------

_PATCHER = DocxTemplate(io.BytesIO())
_MARK = "gongwen-check-paragraph"
_MARKED_LINE = re.compile(rf'^<w:p {_MARK}="(\d+)"')
_STRUCTURE_START = re.compile(r"<w:(tbl|tr|tc)([ >])")
# A paragraph whose tag docxtpl puts in place of the paragraph, row or cell holding it.
_STRUCTURAL_TAG = re.compile(r"\{[{%#](?:p|tr|tc) ")
_DOCXTPL_PREFIX = re.compile(r"^\{([{%#])(p|tr|tc|r) ")
# docxtpl's own clean-up of tag text (typographic quotes become straight ones).
_TAG_TEXT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_UNSUPPORTED_STATEMENTS = {"include", "import", "from", "extends"}
_BLOCK_ENDS = {
    "if": "endif",
    "for": "endfor",
    "with": "endwith",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "block": "endblock",
    "autoescape": "endautoescape",
    "raw": "endraw",
}
# Attributes that reach Python's internals or format strings that can; the sandbox refuses them at render.
_UNSAFE_ATTRIBUTES = frozenset(
    {"mro", "format", "format_map"}
    | UNSAFE_FUNCTION_ATTRIBUTES
    | UNSAFE_METHOD_ATTRIBUTES
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)
# Filters that read attributes named by a string argument (`map(attribute="…")`, `attr("…")`).
_ATTRIBUTE_FILTERS = frozenset(
    {"attr", "map", "sort", "groupby", "selectattr", "rejectattr", "sum", "unique", "min", "max"}
)
_SAME_LIST_FILTERS = frozenset({"list", "sort", "reverse", "unique", "select", "reject", "selectattr", "rejectattr"})
_PYTHON_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


def check_jinja(package: dict[str, bytes], contract: ContextContract) -> list[Finding]:
    """Every templated part compiled as the renderer compiles it; syntax, reads outside the contract, unsafe access."""
    try:
        sources = _renderer_sources(package)
    except (ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.LxmlError) as exc:
        return [
            _error(
                "not_a_docx", bilingual(f"python-docx无法打开此文件：{exc}", f"python-docx cannot open the file: {exc}")
            )
        ]
    findings: list[Finding] = []
    for name, source in sources.items():
        try:
            findings += _check_part(name, source, contract)
        except RecursionError:
            # Jinja's parser and our walk recurse per nesting level: 300 nested brackets or a chain of
            # thousands of filters exhausts Python's stack before any other check can speak.
            findings.append(
                _error(
                    "template_too_deep",
                    bilingual(f"{name}中的模板表达式嵌套过深", f"a template expression in {name} is nested too deeply"),
                    Location(part=name),
                )
            )
    return findings


def _renderer_sources(package: Mapping[str, bytes]) -> dict[str, str]:
    """Each templated part's source as service.rendering.docx reads it: after a python-docx open and save."""
    document = docx.Document(io.BytesIO(ooxml.write_package(package)))
    document.core_properties  # noqa: B018 -- as the renderer does: creates the core-properties part
    saved = io.BytesIO()
    document.save(saved)
    members = ooxml.read_package(saved.getvalue())
    names = [document.part.partname]
    names += [
        rel.target_part.partname
        for rel in document.part.rels.values()
        if not rel.is_external and rel.reltype in TEMPLATED_RELATIONSHIPS
    ]
    sources = {}
    for partname in names:
        source = members[partname.lstrip("/")].decode("utf-8")
        if TAG_START.search(source):
            sources[partname.lstrip("/")] = source
    return sources


@dataclass
class _Compiled:
    source: str
    tree: nodes.Template | None = None
    error: jinja2.TemplateSyntaxError | None = None


def _compile(source: str) -> _Compiled:
    compiled = _Compiled(source)
    try:
        compiled.tree = TEMPLATE_ENVIRONMENT.parse(source)
        TEMPLATE_ENVIRONMENT.compile(compiled.tree)  # unknown filters and tests are found only here
    except jinja2.TemplateSyntaxError as exc:
        compiled.error = exc
    return compiled


def _renderer_source(source: str) -> str:
    """What service.rendering.docx compiles: docxtpl's patch, one paragraph per line, literal braces."""
    source = PARAGRAPH_START.sub(r"\n<w:p\1", _PATCHER.patch_xml(source))
    for literal, expression in LITERAL_BRACES.items():
        source = source.replace(literal, expression)
    return source


def _marked_source(source: str) -> str:
    """The same, each paragraph marked with its number and starting a line before docxtpl patches it.

    Lines then map back to the paragraphs of the part as uploaded, even where docxtpl replaced a paragraph,
    row or cell by its tag; the marks are attribute text, which Jinja never reads.
    """
    numbers = itertools.count(1)
    source = PARAGRAPH_START.sub(lambda m: f'\n<w:p {_MARK}="{next(numbers)}"{m.group(1)}', source)
    source = _STRUCTURE_START.sub(r"\n<w:\1\2", source)
    source = _PATCHER.patch_xml(source)
    for literal, expression in LITERAL_BRACES.items():
        source = source.replace(literal, expression)
    return source


class _Lines:
    """Maps a Jinja line number to where it is in the part."""

    def __init__(self, name: str, root: etree._Element, compiled_source: str, marked: bool) -> None:
        self.name = name
        self.paragraphs = list(root.iter(_P))
        self.lines = compiled_source.split("\n")
        self.marked = marked
        self.paragraph_of_line: list[int | None] = self._paragraph_numbers() if marked else []

    def _paragraph_numbers(self) -> list[int | None]:
        structural = [n for n, p in enumerate(self.paragraphs, 1) if _STRUCTURAL_TAG.search(_paragraph_text(p))]
        numbers: list[int | None] = []
        last = 0
        for line in self.lines:
            match = _MARKED_LINE.match(line)
            number: int | None = None
            if match:
                number = int(match.group(1))
            elif line.startswith(("{%", "{{", "{#")):  # a paragraph, row or cell docxtpl replaced by its tag
                number = next((n for n in structural if n > last), None)
            if number is not None:
                last = number
            numbers.append(number)
        # Lines between paragraphs (a table's or a row's properties) belong to the paragraph that follows.
        following: int | None = None
        for index in range(len(numbers) - 1, -1, -1):
            if numbers[index] is None:
                numbers[index] = following
            following = numbers[index]
        return [number if number is not None else last or None for number in numbers]

    def paragraph(self, lineno: int) -> int | None:
        if not self.marked or not 1 <= lineno <= len(self.paragraph_of_line):
            return None
        return self.paragraph_of_line[lineno - 1]

    def location(self, lineno: int) -> Location:
        number = self.paragraph(lineno)
        if number is not None and 1 <= number <= len(self.paragraphs):
            return locate(self.name, self.paragraphs[number - 1])
        line = self.lines[lineno - 1] if 1 <= lineno <= len(self.lines) else ""
        return Location(part=self.name, text=re.sub(r"<[^>]*>", "", line))


def _check_part(name: str, source: str, contract: ContextContract) -> list[Finding]:
    root = etree.fromstring(source.encode("utf-8"), _SAFE_PARSER)
    exact = _compile(_renderer_source(source))
    marked = _compile(_marked_source(source))
    paragraph_count = len(PARAGRAPH_START.findall(source))
    # The marked compile locates; should it ever judge differently from the renderer's, the renderer's wins.
    agree = (exact.error is None) == (marked.error is None) and paragraph_count == len(list(root.iter(_P)))
    chosen = marked if agree else exact
    lines = _Lines(name, root, chosen.source, marked=agree)
    findings: list[Finding] = []
    first_error_paragraph: int | None = None
    if exact.error is not None:
        error = chosen.error or exact.error
        lineno = error.lineno or 0
        first_error_paragraph = lines.paragraph(lineno)
        findings.append(_syntax_finding(exact.error.message or str(exact.error), lines.location(lineno)))
    if chosen.tree is not None:
        walker = _Walker(contract)
        walker.visit(chosen.tree, {})
        seen = set()
        for code, message, lineno in walker.problems:
            if (code, message, lineno) not in seen:
                seen.add((code, message, lineno))
                findings.append(_error(code, message, lines.location(lineno)))
    findings += _paragraph_findings(name, lines.paragraphs, exact.error is None, first_error_paragraph)
    return findings


def _syntax_finding(message: str, location: Location) -> Finding:
    return _error("jinja_syntax", bilingual(f"模板语法错误：{message}", f"template syntax error: {message}"), location)


def _paragraph_findings(
    name: str, paragraphs: list[etree._Element], compiled: bool, first_error: int | None
) -> list[Finding]:
    """Tags checked one by one: docxtpl features the renderer lacks, and in a part that does not compile,
    the syntax errors after its first one."""
    findings = []
    for number, paragraph in enumerate(paragraphs, 1):
        text = _paragraph_text(paragraph).translate(_TAG_TEXT)
        if _beside_structural_tag(text).strip():
            findings.append(
                Finding(
                    "tag_drops_text",
                    Severity.WARNING,
                    bilingual(
                        "此段含有{%p %}、{%tr %}等标签，生成时整段（或整行）只留下标签，段中其他文字会丢失",
                        "this paragraph holds a {%p %}, {%tr %} or similar tag: docxtpl keeps only the tag and "
                        "drops the rest of the paragraph (or row)",
                    ),
                    locate(name, paragraph),
                )
            )
        for start, end in _scan_tags(text):
            if end is None:
                continue  # repair_split_tags reports it
            tag = text[start:end]
            prefix = _DOCXTPL_PREFIX.match(tag)
            if prefix and (prefix.group(1) == "{" or prefix.group(2) == "tc"):
                findings.append(_unsupported(tag, locate(name, paragraph)))
                continue
            if compiled or number == first_error:
                continue
            plain = tag[:2] + " " + tag[prefix.end() :] if prefix else tag
            keyword = _keyword(plain)
            if keyword in _UNSUPPORTED_STATEMENTS:
                findings.append(_unsupported(tag, locate(name, paragraph)))
                continue
            message = _tag_syntax_error(plain, keyword)
            if message is not None:
                findings.append(_syntax_finding(message, locate(name, paragraph)))
    return findings


def _beside_structural_tag(text: str) -> str:
    """What a paragraph holds besides its first paragraph, row or cell tag (docxtpl drops all of it)."""
    structural = _STRUCTURAL_TAG.search(text)
    if structural is None:
        return ""
    end = text.find(_TAG_CLOSE[text[structural.start() + 1]], structural.end())
    return text[: structural.start()] + (text[end + 2 :] if end >= 0 else "")


def _unsupported(tag: str, location: Location) -> Finding:
    return _error("unsupported_tag", _unsupported_message(tag), location)


def _unsupported_message(tag: str) -> str:
    return bilingual(
        f"不支持标签“{quote(tag)}”：没有可引用的其他模板，"
        "{%tc %}列循环和RichText、图片、子文档都不可用，数据只是文字",
        f"“{quote(tag)}” is not supported: there are no other templates to load, and {{%tc %}} column loops, "
        "RichText, images and subdocuments are unavailable; the data is only ever text",
    )


def _keyword(tag: str) -> str:
    if not tag.startswith("{%"):
        return ""
    words = tag[2:-2].strip("-+ \t").split(None, 1)
    return words[0] if words else ""


def _tag_syntax_error(tag: str, keyword: str) -> str | None:
    """Jinja's complaint about one tag alone; block tags are given their end tag, end tags are not judged."""
    if tag.startswith("{#") or keyword.startswith("end") or keyword == "else":
        return None
    if keyword == "elif":
        source = "{% if true %}" + tag + "{% endif %}"
    elif keyword in _BLOCK_ENDS:
        source = tag + "{% " + _BLOCK_ENDS[keyword] + " %}"
    elif keyword == "set" and "=" not in tag:
        source = tag + "{% endset %}"
    else:
        source = tag
    try:
        TEMPLATE_ENVIRONMENT.compile(source)  # parsed and generated: unknown filters and tests too
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or str(exc)
    return None


class _Walker:
    """Follows what a template reads: names against the contract, keys against record types, unsafe access."""

    # The marker type of a value reached through an unsafe access, so that one chain is reported once.
    _TAINTED = ScalarType("tainted")
    _LOOP = ScalarType("loop")

    def __init__(self, contract: ContextContract) -> None:
        self.contract = contract
        self.problems: list[tuple[str, str, int]] = []

    def report(self, code: str, message: str, node: nodes.Node) -> None:
        self.problems.append((code, message, node.lineno))

    def visit_all(self, items: Iterable[nodes.Node], scope: dict[str, ValueType]) -> None:
        for item in items:
            self.visit(item, scope)

    def visit(self, node: nodes.Node, scope: dict[str, ValueType]) -> ValueType:
        if isinstance(node, nodes.For):
            items = self.visit(node.iter, scope)
            inner = dict(scope)
            self.bind(node.target, _item_type(items), inner)
            if node.test is not None:
                self.visit(node.test, inner)
            self.visit_all(node.body, {**inner, "loop": self._LOOP})
            self.visit_all(node.else_, dict(scope))
            return ANY
        if isinstance(node, nodes.If):
            self.visit(node.test, scope)
            self.visit_all(node.body, scope)
            self.visit_all(node.elif_, scope)
            self.visit_all(node.else_, scope)
            return ANY
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self.bind(node.target, ANY, scope)
            return ANY
        if isinstance(node, nodes.AssignBlock):
            self.visit_all(node.body, dict(scope))
            if node.filter is not None:
                self.visit(node.filter, scope)
            self.bind(node.target, ANY, scope)
            return ANY
        if isinstance(node, nodes.With):
            self.visit_all(node.values, scope)
            inner = dict(scope)
            for target in node.targets:
                self.bind(target, ANY, inner)
            self.visit_all(node.body, inner)
            return ANY
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANY
            else:
                self.visit(node.call, scope)
            self.visit_all(node.defaults, scope)
            inner = {**scope, "varargs": ANY, "kwargs": ANY, "caller": ANY}
            for arg in node.args:
                self.bind(arg, ANY, inner)
            self.visit_all(node.body, inner)
            return ANY
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            statement = type(node).__name__.lower().replace("fromimport", "from")
            self.report("unsupported_tag", _unsupported_message("{% " + statement + " … %}"), node)
            if isinstance(node, nodes.Import):
                scope[node.target] = ANY
            if isinstance(node, nodes.FromImport):
                for imported in node.names:
                    scope[imported[1] if isinstance(imported, tuple) else imported] = ANY
            return ANY
        if isinstance(node, nodes.Name):
            return self.name(node, scope) if node.ctx == "load" else ANY
        if isinstance(node, nodes.NSRef):
            self.name(nodes.Name(node.name, "load", lineno=node.lineno), scope)
            return ANY
        if isinstance(node, nodes.Getattr):
            return self.member(node, self.visit(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            owner = self.visit(node.node, scope)
            self.visit(node.arg, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self.member(node, owner, node.arg.value)
            if owner is self._TAINTED:
                return owner
            if isinstance(node.arg, nodes.Slice):
                return owner
            return _item_type(owner)
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        tainted = False
        for child in node.iter_child_nodes():
            tainted |= self.visit(child, scope) is self._TAINTED
        # A call on an unsafe attribute is the same unsafe expression, reported once.
        return self._TAINTED if tainted and isinstance(node, nodes.Call) else ANY

    def bind(self, target: nodes.Node, value: ValueType, scope: dict[str, ValueType]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)
        elif isinstance(target, nodes.NSRef):
            self.visit(target, scope)

    def name(self, node: nodes.Name, scope: dict[str, ValueType]) -> ValueType:
        if node.name in scope:
            return scope[node.name]
        declared = self.contract.type_of(node.name)
        if declared is not None:
            return declared
        if node.name in TEMPLATE_ENVIRONMENT.globals:
            return ANY
        kind = self.contract.kind or "this kind"
        # The names a typo most likely meant, not all of them: a kind has twenty-odd, the manifest lists them.
        close = difflib.get_close_matches(node.name, sorted(self.contract.names()), n=3, cutoff=0.5)
        hint_zh = f"；是否应为：{'、'.join(close)}" if close else "；可用的数据项见该种类的模板清单（manifest.json）"
        hint_en = f"; did you mean: {', '.join(close)}" if close else "; the kind's manifest.json lists what it has"
        self.report(
            "unknown_variable",
            bilingual(
                f"模板读取了“{node.name}”，但{self.contract.kind or '本种类'}的数据中没有这一项{hint_zh}",
                f"the template reads “{node.name}”, which the data of {kind} does not have{hint_en}",
            ),
            node,
        )
        return ANY

    def member(self, node: nodes.Getattr | nodes.Getitem, owner: ValueType, key: str) -> ValueType:
        """The type of `owner.key` (or `owner["key"]`), reporting a key its record lacks or an unsafe one."""
        if owner is self._TAINTED:
            return owner
        record = _record(owner)
        if record is not None and record.get(key) is not None:
            return record.get(key) or ANY
        if key.startswith("_") or key in _UNSAFE_ATTRIBUTES:
            self.report(
                "unsafe_expression",
                bilingual(
                    f"不允许访问“{key}”：以下划线开头的名称和mro、format等会触及Python内部",
                    f"“{key}” is not allowed: names starting with _ and mro, format and the like "
                    "reach Python's internals",
                ),
                node,
            )
            return self._TAINTED
        path = _describe(node)
        if record is not None:
            keys = ", ".join(record.keys())
            self.report(
                "unknown_variable",
                bilingual(
                    f"模板读取了“{path}”，但“{_describe(node.node)}”没有“{key}”这一项；它有：{keys}",
                    f"the template reads “{path}”, but “{_describe(node.node)}” has no key “{key}”; its keys: {keys}",
                ),
                node,
            )
        elif isinstance(owner, ListType) or (isinstance(owner, ScalarType) and owner.name in _PYTHON_TYPES):
            python_type = list if isinstance(owner, ListType) else _PYTHON_TYPES[owner.name]
            if isinstance(node, nodes.Getattr) and not hasattr(python_type, key):
                self.report(
                    "unknown_variable",
                    bilingual(
                        f"模板读取了“{path}”，但“{_describe(node.node)}”是{owner}，没有“{key}”",
                        f"the template reads “{path}”, but “{_describe(node.node)}” is {owner} and has no “{key}”",
                    ),
                    node,
                )
        return ANY

    def filter(self, node: nodes.Filter, scope: dict[str, ValueType]) -> ValueType:
        owner = self.visit(node.node, scope) if node.node is not None else ANY
        arguments = [*node.args, *(keyword.value for keyword in node.kwargs)]
        self.visit_all(arguments, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.visit(extra, scope)
        if node.name in _ATTRIBUTE_FILTERS:
            for argument in arguments:
                if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
                    unsafe = [p for p in argument.value.split(".") if p.startswith("_") or p in _UNSAFE_ATTRIBUTES]
                    if unsafe:
                        self.report(
                            "unsafe_expression",
                            bilingual(
                                f"不允许通过{node.name}访问“{unsafe[0]}”",
                                f"“{unsafe[0]}” is not allowed, not even through the {node.name} filter",
                            ),
                            node,
                        )
                        return self._TAINTED
        if owner is self._TAINTED:
            return owner
        if node.name in ("first", "last"):
            return _item_type(owner)
        if node.name in _SAME_LIST_FILTERS or node.name in ("default", "d"):
            return owner
        return ANY


def _record(value: ValueType) -> RecordType | None:
    """The record a value is, looking through `null | {…}`."""
    if isinstance(value, RecordType):
        return value
    if isinstance(value, UnionType):
        records = [option for option in value.options if isinstance(option, RecordType)]
        others = [o for o in value.options if not isinstance(o, RecordType) and o != ScalarType("null")]
        if len(records) == 1 and not others:
            return records[0]
    return None


def _item_type(value: ValueType) -> ValueType:
    if isinstance(value, ListType):
        return value.item
    if isinstance(value, UnionType):
        lists = [option for option in value.options if isinstance(option, ListType)]
        if len(lists) == 1 and len(value.options) == 2 and ScalarType("null") in value.options:
            return lists[0].item
    return ANY


def _describe(node: nodes.Node) -> str:
    """Source-like text of a name and its attribute and item accesses: `block.heading`, `row["x"]`."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        if isinstance(node.arg, nodes.Const):
            return f"{_describe(node.node)}[{node.arg.value!r}]"
        return f"{_describe(node.node)}[…]"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"


# -- everything at once --------------------------------------------------------------------------------


def check_template(
    data: bytes, contract: ContextContract, limits: PackageLimits = PackageLimits()
) -> tuple[dict[str, bytes] | None, list[Finding]]:
    """An uploaded template opened safely, its split tags repaired and its Jinja checked against `contract`.

    Returns the repaired package (None when it is unsafe to open) and every finding in the order found.
    """
    package, findings = open_package(data, limits)
    if package is None:
        return None, findings
    repaired, repairs = repair_split_tags(package)
    return repaired, [*findings, *repairs, *check_jinja(repaired, contract)]
