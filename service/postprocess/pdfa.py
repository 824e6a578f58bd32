"""PDF/A bookkeeping with pypdf: the claim in XMP, the output intent, and Info and XMP kept in agreement.

ISO 19005-2 (PDF/A-2) asks, among much else that LibreOffice's export takes care of: an XMP packet in the
catalog naming the part and conformance (6.6.4), an output intent whose ICC profile describes the device
colours the pages use (6.2.3, 6.2.4.3), and every document-information entry repeated in XMP with the same
value (6.6.3). What pypdf does when it copies pages keeps none of the three, so the writers here put them back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

# ISO 19005-2 6.6.4: pdfaid:part and pdfaid:conformance, as elements or as attributes of rdf:Description.
_PART = re.compile(rb"pdfaid:part(?:>\s*|\s*=\s*[\"'])(\d)")
_CONFORMANCE = re.compile(rb"pdfaid:conformance(?:>\s*|\s*=\s*[\"'])([ABUabu])")
_CLAIM_PROPERTY = re.compile(
    rb"<pdfaid:(?:part|conformance|amd|corr)>[^<]*</pdfaid:(?:part|conformance|amd|corr)>"
    rb"|\s*pdfaid:(?:part|conformance|amd|corr)\s*=\s*(?:\"[^\"]*\"|'[^']*')"
)
# ISO 32000-1 14.11.5: the output intent PDF/A readers use.
PDFA_OUTPUT_INTENT = "/GTS_PDFA1"
# ICC.1:2022 7.2.6: the data colour space in the profile header, bytes 16–19.
ICC_COLOUR_SPACE = slice(16, 20)
ICC_HEADER = 128
ICC_RGB = b"RGB "
XMP_PACKET_ID = "W5M0MpCehiHzreSzNTczkc9d"  # ISO 16684-1 7.3.2: the fixed id of an xpacket header


@dataclass(frozen=True)
class PdfaClaim:
    """What a file's XMP says it conforms to: part 2, conformance "B" is PDF/A-2b."""

    part: int
    conformance: str

    @property
    def label(self) -> str:
        return f"PDF/A-{self.part}{self.conformance.lower()}"


PDFA_2B = PdfaClaim(2, "B")


def claim(reader: PdfReader) -> PdfaClaim | None:
    """The PDF/A part and conformance the file's XMP claims, or None (no XMP, no claim, unreadable)."""
    packet = xmp_packet(reader)
    part, conformance = _PART.search(packet), _CONFORMANCE.search(packet)
    if part is None or conformance is None:
        return None
    return PdfaClaim(int(part.group(1)), conformance.group(1).decode("ascii").upper())


def catalog(reader: PdfReader) -> DictionaryObject:
    """The document catalog (ISO 32000-1 7.7.2), or an empty dictionary when the trailer has none."""
    try:
        root = reader.trailer["/Root"].get_object()
    except (PyPdfError, ValueError, KeyError):
        return DictionaryObject()
    return root if isinstance(root, DictionaryObject) else DictionaryObject()


def xmp_packet(reader: PdfReader) -> bytes:
    """The catalog's XMP metadata stream, decoded; b"" when there is none."""
    try:
        metadata = catalog(reader).get("/Metadata")
        stream = metadata.get_object() if metadata is not None else None
        return stream.get_data() if isinstance(stream, StreamObject) else b""
    except (PyPdfError, ValueError):
        return b""


def output_intent(reader: PdfReader) -> DictionaryObject | None:
    """The file's PDF/A output intent (GTS_PDFA1 with an ICC profile), or None."""
    try:
        intents = catalog(reader).get("/OutputIntents")
        intents = intents.get_object() if intents is not None else None
        for reference in intents if isinstance(intents, ArrayObject) else ():
            intent = reference.get_object()
            if (
                isinstance(intent, DictionaryObject)
                and intent.get("/S") == PDFA_OUTPUT_INTENT
                and "/DestOutputProfile" in intent
            ):
                return intent
    except (PyPdfError, ValueError):
        return None
    return None


def intent_colour_space(reader: PdfReader) -> bytes | None:
    """The colour space of the output intent's ICC profile (b"RGB ", b"CMYK", b"GRAY"), or None."""
    intent = output_intent(reader)
    if intent is None:
        return None
    try:
        profile = intent["/DestOutputProfile"].get_object()
        header = profile.get_data()[:ICC_HEADER] if isinstance(profile, StreamObject) else b""
    except (PyPdfError, ValueError):
        return None
    return bytes(header[ICC_COLOUR_SPACE]) if len(header) == ICC_HEADER else None


def has_rgb_output_intent(reader: PdfReader) -> bool:
    """True when the output intent's profile is an RGB one, so DeviceRGB content (our stamp's) conforms."""
    return intent_colour_space(reader) == ICC_RGB


def without_claim(packet: bytes) -> bytes:
    """The XMP packet with its pdfaid properties removed: the file no longer says it is PDF/A."""
    return _CLAIM_PROPERTY.sub(b"", packet)


def pdf_date(moment: datetime) -> str:
    """ISO 32000-1 7.9.4: D:YYYYMMDDHHmmSSZ, in UTC."""
    return "D:" + moment.astimezone(UTC).strftime("%Y%m%d%H%M%S") + "Z"


def xmp_date(moment: datetime) -> str:
    """The same instant as pdf_date, as XMP writes dates (ISO 8601)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DocumentInfo:
    """The document-information entries Gongwen writes, each repeated in XMP (ISO 19005-2 6.6.3)."""

    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    producer: str
    created: datetime
    modified: datetime

    def info_dictionary(self) -> dict[str, str]:
        """The Info entries; empty texts are left out, here and in XMP alike."""
        entries = {
            "/Title": self.title,
            "/Author": self.author,
            "/Subject": self.subject,
            "/Keywords": self.keywords,
            "/Creator": self.creator,
            "/Producer": self.producer,
        }
        dated = {"/CreationDate": pdf_date(self.created), "/ModDate": pdf_date(self.modified)}
        return {key: value for key, value in entries.items() if value} | dated

    def xmp(self, pdfa: PdfaClaim | None) -> bytes:
        """An XMP packet saying the same as info_dictionary(), with the PDF/A claim when `pdfa` is given."""
        descriptions = []
        if pdfa is not None:
            descriptions.append(
                _description(
                    "pdfaid",
                    "http://www.aiim.org/pdfa/ns/id/",
                    f"<pdfaid:part>{pdfa.part}</pdfaid:part><pdfaid:conformance>{pdfa.conformance}</pdfaid:conformance>",
                )
            )
        dublin_core = "<dc:format>application/pdf</dc:format>"
        if self.title:
            dublin_core += f"<dc:title>{_alternatives(self.title)}</dc:title>"
        if self.author:
            dublin_core += f"<dc:creator><rdf:Seq><rdf:li>{escape(self.author)}</rdf:li></rdf:Seq></dc:creator>"
        if self.subject:
            dublin_core += f"<dc:description>{_alternatives(self.subject)}</dc:description>"
        descriptions.append(_description("dc", "http://purl.org/dc/elements/1.1/", dublin_core))
        pdf = f"<pdf:Producer>{escape(self.producer)}</pdf:Producer>" if self.producer else ""
        if self.keywords:
            pdf += f"<pdf:Keywords>{escape(self.keywords)}</pdf:Keywords>"
        if pdf:
            descriptions.append(_description("pdf", "http://ns.adobe.com/pdf/1.3/", pdf))
        xmp = f"<xmp:CreatorTool>{escape(self.creator)}</xmp:CreatorTool>" if self.creator else ""
        xmp += f"<xmp:CreateDate>{xmp_date(self.created)}</xmp:CreateDate>"
        xmp += f"<xmp:ModifyDate>{xmp_date(self.modified)}</xmp:ModifyDate>"
        descriptions.append(_description("xmp", "http://ns.adobe.com/xap/1.0/", xmp))
        body = "\n".join(descriptions)
        # ISO 19005-2 6.6.2.1: no bytes or encoding attribute in the xpacket header; UTF-8 is the default.
        return (
            f'<?xpacket begin="\ufeff" id="{XMP_PACKET_ID}"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            f"{body}\n"
            "</rdf:RDF>\n"
            "</x:xmpmeta>\n"
            '<?xpacket end="w"?>'
        ).encode()


def _description(prefix: str, namespace: str, properties: str) -> str:
    return f'<rdf:Description rdf:about="" xmlns:{prefix}="{namespace}">{properties}</rdf:Description>'


def _alternatives(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'


def set_metadata_stream(writer: PdfWriter, packet: bytes) -> None:
    """The catalog's /Metadata: `packet` in a stream of type Metadata, subtype XML, uncompressed.

    NOTE: pypdf's own `xmp_metadata` setter writes a stream without /Type and /Subtype, which ISO 19005-2
    6.6.2.1 requires; and an XMP stream is left unfiltered so that any reader finds the packet.
    """
    stream = StreamObject()
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    stream.set_data(packet)
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)


def set_output_intent(writer: PdfWriter, intent: DictionaryObject) -> None:
    """The catalog's /OutputIntents: `intent` (from some reader) copied into `writer`, alone."""
    copied = intent.clone(writer)
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(copied)])


def info_entries(reader: PdfReader) -> Mapping[str, object]:
    """The reader's Info dictionary as it is (pdf objects as values), or nothing."""
    try:
        info = reader.trailer.get("/Info")
        info = info.get_object() if info is not None else None
    except (PyPdfError, ValueError):
        return {}
    return dict(info) if isinstance(info, DictionaryObject) else {}
