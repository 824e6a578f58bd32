"""What a fault may never leave behind in the registry and the file store, listed as problems (empty: none).

A half-written file is one under a real name whose bytes are not the SHA-256 it is named by, or a temporary
file the store forgot; a half-written record is a document without its files, a stored file row without its
file, or a 发文字号 issued to no document or still reserved by a request that is over.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from service.storage.database import Database
from service.storage.files import FileStore, is_sha256
from service.storage.models import ISSUED, PENDING, RESERVED, Document, IdempotencyRecord, NumberAllocation, StoredFile


def store_problems(files: FileStore) -> list[str]:
    """Every file in the store is named by the SHA-256 of its bytes, in its place; nothing else is there."""
    problems: list[str] = []
    if not files.root.exists():
        return problems
    for path in sorted(files.root.rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        if not is_sha256(name):
            problems.append(f"a file that is not a stored file: {path.relative_to(files.root)}")
        elif files.path(name) != path:
            problems.append(f"{name} outside its place: {path.relative_to(files.root)}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != name:
            problems.append(f"{name}: its bytes are not what its name says (half written?)")
    return problems


def registry_problems(database: Database, files: FileStore) -> list[str]:
    """Rows that point at files the store lacks, numbers issued to nothing or still reserved, claims left open."""
    problems: list[str] = []
    with database.session() as session:
        for stored in session.scalars(select(StoredFile)):
            path = files.path(stored.sha256)
            if not path.is_file():
                problems.append(f"stored_files row {stored.sha256} has no file")
            elif path.stat().st_size != stored.size:
                problems.append(f"stored_files row {stored.sha256} says {stored.size} bytes, the file has another size")
        for document in session.scalars(select(Document)):
            for sha256 in (document.docx_sha256, document.pdf_sha256):
                if sha256 is not None and not files.exists(sha256):
                    problems.append(f"document {document.id} ({document.doc_number}) lacks its file {sha256}")
        for number in session.scalars(select(NumberAllocation)):
            label = f"{number.prefix} {number.year} serial {number.serial}"
            if number.status == RESERVED:
                problems.append(f"{label} is still reserved")
            if number.status == ISSUED and number.document_id is None:
                problems.append(f"{label} is issued to no document")
        for claim in session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.status == PENDING)):
            problems.append(f"Idempotency-Key {claim.key!r} is still claimed")
    return problems
