"""What stands in for veraPDF here: the PDF/A-2b rules our files could plausibly break, checked with pypdf.

Not a validator. It checks the rules that LibreOffice's export gets right and that copying pages with pypdf,
stamping and stabilising could break (ISO 19005-2 clause in brackets): the file header (6.1.2), the trailer's
ID and no encryption (6.1.3), stream lengths (6.1.7, via pypdf's strict reader), the output intent and its ICC
profile (6.2.2, 6.2.3), device colours against it (6.2.4.3), every font embedded (6.2.11.4), the XMP packet,
its pdfaid claim and its agreement with the Info dictionary (6.6.2.1, 6.6.3, 6.6.4), and no embedded files,
JavaScript or launch actions (6.6.1, 6.8). What it cannot see: glyph widths against the font programs,
transparency groups, ICC profile internals, XMP schema validity beyond the properties named.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject

NAMESPACES = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
HEADER = re.compile(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}")
PDF_DATE = re.compile(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?'?$")
# Operators that paint in a device colour space, and the space (ISO 32000-1 Table 74).
DEVICE_OPERATORS = {b"rg": "RGB ", b"RG": "RGB ", b"k": "CMYK", b"K": "CMYK"}


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def catalog(pdf: bytes) -> DictionaryObject:
    root = read(pdf).trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    return root


def xmp(pdf: bytes) -> ElementTree.Element | None:
    """The catalog's XMP packet parsed, or None."""
    metadata = catalog(pdf).get("/Metadata")
    if metadata is None:
        return None
    return ElementTree.fromstring(metadata.get_object().get_data())


def xmp_value(root: ElementTree.Element, name: str) -> str | None:
    """A simple XMP property (element or attribute form), or the first item of an rdf:Alt or rdf:Seq."""
    prefix, local = name.split(":")
    qualified = f"{{{NAMESPACES[prefix]}}}{local}"
    for description in root.iter(f"{{{NAMESPACES['rdf']}}}Description"):
        if qualified in description.attrib:
            return description.attrib[qualified]
        element = description.find(qualified)
        if element is not None:
            item = element.find(".//rdf:li", NAMESPACES)
            return (item.text if item is not None else element.text) or ""
    return None


def pdfa_claim(pdf: bytes) -> tuple[str | None, str | None]:
    """(part, conformance) as the XMP says, (None, None) without a claim."""
    root = xmp(pdf)
    if root is None:
        return None, None
    return xmp_value(root, "pdfaid:part"), xmp_value(root, "pdfaid:conformance")


def _instant(text: str | None) -> datetime | None:
    """A PDF date (D:20261125000000Z') or an XMP one (2026-11-25T00:00:00Z) as an aware datetime."""
    if text is None:
        return None
    match = PDF_DATE.match(text)
    if match:
        moment = datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
        zone = (match.group(2) or "Z").replace("'", "")
        if zone == "Z":
            return moment.replace(tzinfo=UTC)
        return datetime.strptime(match.group(1) + zone, "%Y%m%d%H%M%S%z")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fonts_of(resources: object, seen: set[int]) -> Iterator[DictionaryObject]:
    """Every font dictionary reachable from a resource dictionary, through form XObjects too."""
    resources = resources.get_object() if isinstance(resources, IndirectObject) else resources
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = resources.get("/Font")
    for reference in (fonts.get_object() if fonts is not None else {}).values():
        yield reference.get_object()
    xobjects = resources.get("/XObject")
    for reference in (xobjects.get_object() if xobjects is not None else {}).values():
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from fonts_of(xobject.get("/Resources"), seen)


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def device_spaces(reader: PdfReader) -> set[str]:
    """The device colour spaces the pages' and their forms' content streams paint in (rg, RG, k, K)."""
    found: set[str] = set()
    streams: list[tuple[object, PdfReader]] = []
    for page in reader.pages:
        streams.append((page.get_contents(), reader))
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        for reference in (xobjects.get_object() if xobjects is not None else {}).values():
            xobject = reference.get_object()
            if xobject.get("/Subtype") == "/Form":
                streams.append((ContentStream(xobject, reader), reader))
    for content, _ in streams:
        if content is None:
            continue
        for _operands, operator in content.operations:  # type: ignore[attr-defined]
            if operator in DEVICE_OPERATORS:
                found.add(DEVICE_OPERATORS[operator])
    return found


def pdfa_problems(pdf: bytes) -> list[str]:
    """Where `pdf` departs from PDF/A-2b in the rules listed above; [] when it passes them all."""
    problems = []
    if not HEADER.match(pdf):
        problems.append("6.1.2 header: %PDF-1.n and a comment of four bytes above 127")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pypdf warns about what it repairs: wrong lengths, bad offsets
        try:
            reader = PdfReader(io.BytesIO(pdf), strict=True)
            for page in reader.pages:
                page.get_contents()
        except Exception as exc:  # anything pypdf cannot read strictly is a problem to report, not raise
            return [*problems, f"6.1 syntax: {type(exc).__name__}: {exc}"]
    trailer = reader.trailer
    identifiers = trailer.get("/ID")
    if not isinstance(identifiers, ArrayObject) or len(identifiers) != 2:
        problems.append("6.1.3 trailer: no /ID pair")
    if "/Encrypt" in trailer:
        problems.append("6.1.3 trailer: encrypted")
    root = trailer["/Root"].get_object()
    intents = [intent.get_object() for intent in root.get("/OutputIntents", ArrayObject())]
    pdfa_intents = [intent for intent in intents if intent.get("/S") == "/GTS_PDFA1"]
    space = None
    if len(pdfa_intents) != 1:
        problems.append(f"6.2.2 output intent: {len(pdfa_intents)} GTS_PDFA1 intents")
    else:
        profile = pdfa_intents[0]["/DestOutputProfile"].get_object()
        data = profile.get_data()
        space = bytes(data[16:20]).decode("latin-1")
        components = {"RGB ": 3, "CMYK": 4, "GRAY": 1}.get(space)
        if data[36:40] != b"acsp" or components is None or profile.get("/N") != components:
            problems.append(f"6.2.3 ICC profile: signature {data[36:40]!r}, space {space!r}, /N {profile.get('/N')}")
    used = device_spaces(reader)
    if space is not None and used - {space}:
        problems.append(f"6.2.4.3 device colours {sorted(used)} under a {space!r} output intent")
    unembedded = set()
    for page in reader.pages:
        for font in fonts_of(page.get("/Resources"), set()):
            if not _embedded(font):
                unembedded.add(str(font.get("/BaseFont")))
    if unembedded:
        problems.append(f"6.2.11.4 fonts not embedded: {sorted(unembedded)}")
    names = root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        problems.append("6.8 embedded files")
    if b"/JavaScript" in pdf or b"/Launch" in pdf:
        problems.append("6.6.1 JavaScript or Launch action")
    metadata = root.get("/Metadata")
    if metadata is None:
        return [*problems, "6.6.2.1 no XMP metadata stream"]
    stream = metadata.get_object()
    if not isinstance(stream, StreamObject) or stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        problems.append("6.6.2.1 metadata stream lacks /Type /Metadata /Subtype /XML")
    if "/Filter" in stream:
        problems.append("6.6.2.1 metadata stream is filtered")
    packet = stream.get_data()
    header = packet[: packet.find(b"?>")]
    if b"bytes=" in header or b"encoding=" in header:
        problems.append("6.6.2.1 xpacket header has bytes or encoding")
    try:
        packet_root = ElementTree.fromstring(packet)
    except ElementTree.ParseError as exc:
        return [*problems, f"6.6.2.1 XMP is not XML: {exc}"]
    if (xmp_value(packet_root, "pdfaid:part"), xmp_value(packet_root, "pdfaid:conformance")) != ("2", "B"):
        problems.append("6.6.4 XMP does not claim pdfaid part 2 conformance B")
    info = trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    pairs = {
        "/Title": "dc:title",
        "/Author": "dc:creator",
        "/Subject": "dc:description",
        "/Keywords": "pdf:Keywords",
        "/Creator": "xmp:CreatorTool",
        "/Producer": "pdf:Producer",
    }
    for key, property_name in pairs.items():
        if key in info and str(info[key]) != xmp_value(packet_root, property_name):
            problems.append(f"6.6.3 {key} {info[key]!r} but {property_name} {xmp_value(packet_root, property_name)!r}")
    for key, property_name in {"/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}.items():
        if key in info and _instant(str(info[key])) != _instant(xmp_value(packet_root, property_name)):
            problems.append(f"6.6.3 {key} {info[key]!r} but {property_name} {xmp_value(packet_root, property_name)!r}")
    return problems
