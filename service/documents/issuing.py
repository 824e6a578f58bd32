"""Issuing a document into the registry: validate, allocate its 发文字号, render, store, record; all or nothing.

The number is reserved in one short transaction and rendering happens outside any lock: a render takes
seconds, and holding the series locked that long would queue every other office behind it. A render
that fails voids its number with the reason, so the register (发文登记) shows every serial and what
became of it instead of a silent gap.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from schemas.fields import AllocationRequest, FieldCorrection, ParsedDocNumber
from service.documents.page_rules import LayoutWarning
from service.documents.pipeline import (
    Converter,
    OutputFormat,
    RenderedDocument,
    load_document,
    render_document,
    validate_document,
)
from service.documents.templates import TemplateCatalog
from service.errors import ConflictError, GongwenError, PayloadInvalidError, bilingual
from service.postprocess.merge import page_count
from service.storage.database import Database
from service.storage.files import FileStore
from service.storage.registry import (
    DocumentRecord,
    IdempotencyClaim,
    NewDocument,
    NewFile,
    ReservedNumber,
    attach_pdf,
    claim_request,
    get_document,
    get_meeting,
    record_document,
    release_request,
    reserve_number,
    void_number,
)
from service.typography.doc_numbers import DocNumber, DocNumberError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedDocument:
    """The recorded document; `replayed` when an Idempotency-Key answered with one issued before."""

    document: DocumentRecord
    replayed: bool
    corrections: list[FieldCorrection] = field(default_factory=list)
    # Page rules the PDF could not meet; only known when this request rendered it.
    warnings: list[LayoutWarning] = field(default_factory=list)


def request_fingerprint(body: Any) -> str:
    """The SHA-256 of the body as canonical JSON: the same request gives the same fingerprint."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotency_scope(meeting_id: str, kind_name: str) -> str:
    """Where an Idempotency-Key is valid: one route, i.e. one kind of document for one meeting."""
    return f"meetings/{meeting_id}/documents/{kind_name}"


def issue_document(
    database: Database,
    files: FileStore,
    catalog: TemplateCatalog,
    converter: Converter | None,
    meeting_id: str,
    kind_name: str,
    body: Any,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    with_pdf: bool = True,
) -> IssuedDocument:
    """Issue one document of a meeting: a bad body is refused before anything is claimed or numbered.

    `doc_number` given as `{"prefix": …}` gets the next serial of that prefix for the document's year.
    On any failure the number is voided with the reason and the Idempotency-Key released, and no
    document row is written; files already put in the store stay, unreferenced (content-addressed,
    so the same bytes would be shared with a later success).
    """
    get_meeting(database, meeting_id)
    validated = load_document(kind_name, body)
    kind = validated.kind
    allocation = validated.data.get("doc_number")
    year = kind.document_date(validated.data).year
    if isinstance(allocation, AllocationRequest):
        _check_prefix(allocation.prefix, year)
    claim = None
    if idempotency_key is not None:
        scope = idempotency_scope(meeting_id, kind.name)
        done = claim_request(database, idempotency_key, scope, fingerprint or request_fingerprint(body))
        if done is not None:
            return IssuedDocument(get_document(database, done), replayed=True, corrections=validated.corrections)
        claim = IdempotencyClaim(idempotency_key, scope)

    number: ReservedNumber | None = None
    try:
        effective = copy.deepcopy(dict(body))
        if isinstance(allocation, AllocationRequest):
            serial = reserve_number(database, allocation.prefix, year)
            number = ReservedNumber(allocation.prefix, year, serial)
            effective["doc_number"] = str(DocNumber(allocation.prefix, year, serial))
        docx = render_document(catalog, kind.name, effective, OutputFormat.DOCX)
        # Pinned to the DOCX's version: an activation between the two renders must not mix versions.
        pdf = (
            render_document(catalog, kind.name, effective, OutputFormat.PDF, converter, version=docx.template_version)
            if with_pdf
            else None
        )
        final = validate_document(kind.name, effective).data
        document = NewDocument(
            meeting_id=meeting_id,
            kind=kind.name,
            title=kind.title(final),
            doc_number=_doc_number_text(final.get("doc_number")),
            document_date=kind.document_date(final),
            author=kind.author(final),
            secrecy=str(final.get("secrecy") or ""),
            request_body=dict(body),
            effective_body=effective,
            template_version=docx.template_version,
            template_sha256=docx.template_sha256,
            docx=_put(files, docx),
            pdf=_put(files, pdf) if pdf is not None else None,
        )
        record = record_document(database, document, number=number, claim=claim)
    except Exception as error:
        _undo(database, number, claim, error)
        raise
    return IssuedDocument(
        record, replayed=False, corrections=validated.corrections, warnings=pdf.warnings if pdf is not None else []
    )


def ensure_pdf(
    database: Database, files: FileStore, catalog: TemplateCatalog, converter: Converter, document_id: str
) -> DocumentRecord:
    """The document with its PDF, rendered from its effective body and stored the first time it is asked for.

    It is rendered with the template version that made its DOCX, whichever version is active now.
    """
    document = get_document(database, document_id)
    if document.pdf is not None:
        return document
    kind, data = (validated := validate_document(document.kind, document.effective_body)).kind, validated.data
    templates = catalog.resolve(kind.name, document.template_version)
    if templates.sha256(kind.template_variant(part.data) for part in kind.parts(data)) != document.template_sha256:
        # A built-in file replaced by an upgrade: the PDF would no longer be the document that was issued.
        raise ConflictError(
            bilingual(
                "该文书的模板已更改，无法补出与原件一致的PDF",
                "the template changed since this document was issued; its PDF cannot be made to match it",
            )
        )
    pdf = render_document(
        catalog, document.kind, document.effective_body, OutputFormat.PDF, converter, version=document.template_version
    )
    return attach_pdf(database, document_id, _put(files, pdf))


def _check_prefix(prefix: str, year: int) -> None:
    # Refused before a serial is taken: a prefix DocNumber rejects would only void the number later.
    try:
        DocNumber(prefix, year, 1)
    except DocNumberError as exc:
        raise PayloadInvalidError(exc.message, errors={"doc_number.prefix": [exc.message]}) from exc


def _doc_number_text(value: Any) -> str:
    if isinstance(value, ParsedDocNumber):
        return str(value.number)
    return str(value) if isinstance(value, str) else ""


def _put(files: FileStore, document: RenderedDocument) -> NewFile:
    media_type = document.media_type or document.output_format.media_type
    pages = page_count(document.content) if media_type == OutputFormat.PDF.media_type else None
    return NewFile(
        sha256=files.put(document.content),
        media_type=media_type,
        size=len(document.content),
        original_name=document.filename,
        pages=pages,
    )


def _undo(database: Database, number: ReservedNumber | None, claim: IdempotencyClaim | None, error: Exception) -> None:
    """Void the number and release the claim after a failure; a failure here is logged, not raised over it."""
    reason = (
        error.detail
        if isinstance(error, GongwenError)
        else bilingual("内部错误", f"internal error ({type(error).__name__})")
    )
    if number is not None:
        try:
            void_number(database, number.prefix, number.year, number.serial, reason)
        except GongwenError:
            # Still reserved: the start-up sweep voids it as interrupted.
            log.exception("could not void %s %s serial %s", number.prefix, number.year, number.serial)
    if claim is not None:
        try:
            release_request(database, claim.key, claim.scope)
        except GongwenError:
            log.exception("could not release Idempotency-Key %r", claim.key)
