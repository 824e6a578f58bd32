"""Template versions and which one is active per kind; each change written with its audit event.

Version 1 of every kind is the built-in set in templates/ and has no row here; uploads are numbered from 2.
The active version is the newest activation of the kind (version 1 while there is none), so there is
always exactly one, and concurrent activations cannot leave two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import ConflictError, NotFoundError, bilingual
from service.storage.accounts import AuditEntry, write_audit_event
from service.storage.database import Database
from service.storage.models import TemplateActivation, TemplateVersion

BUILT_IN_VERSION = 1
# Switches of one kind that collide retry this often; more than a handful at once is not a maintainer's doing.
SWITCH_ATTEMPTS = 5


@dataclass(frozen=True)
class StoredTemplateVersion:
    kind: str
    version: int
    files: dict[str, str]  # variant → SHA-256 in the file store
    report: dict[str, Any]
    activatable: bool
    based_on: int
    reason: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class NewTemplateVersion:
    kind: str
    files: dict[str, str]
    report: dict[str, Any]
    activatable: bool
    based_on: int
    reason: str
    uploaded_by: str


@dataclass(frozen=True)
class ActivationRecord:
    id: int
    kind: str
    version: int
    previous_version: int
    reason: str
    activated_by: str
    activated_at: datetime


def add_version(database: Database, new: NewTemplateVersion, audit: AuditEntry) -> StoredTemplateVersion:
    """Store an uploaded version under the next free number of its kind."""
    try:
        with database.transaction() as session:
            latest = session.scalar(select(func.max(TemplateVersion.version)).where(TemplateVersion.kind == new.kind))
            row = TemplateVersion(
                kind=new.kind,
                version=max(latest or BUILT_IN_VERSION, BUILT_IN_VERSION) + 1,
                files=dict(new.files),
                report=new.report,
                activatable=new.activatable,
                based_on=new.based_on,
                reason=new.reason,
                uploaded_by=new.uploaded_by,
            )
            session.add(row)
            session.flush()
            write_audit_event(
                session, _about(audit, f"templates/{row.kind}/versions/{row.version}", version=row.version)
            )
            return _version(row)
    except IntegrityError as exc:
        # Two uploads of one kind took the same number; the caller may simply send it again.
        raise ConflictError(
            bilingual(
                "同时有另一版本上传，请重试", "another version of this kind was uploaded at the same moment; retry"
            )
        ) from exc


def get_version(database: Database, kind: str, version: int) -> StoredTemplateVersion:
    with database.session() as session:
        row = session.get(TemplateVersion, (kind, version))
        if row is None:
            raise NotFoundError(bilingual(f"{kind}没有第{version}版模板", f"{kind} has no template version {version}"))
        return _version(row)


def list_versions(database: Database, kind: str) -> list[StoredTemplateVersion]:
    """The uploaded versions of `kind`, oldest first (the built-in version 1 is not among them)."""
    with database.session() as session:
        rows = session.scalars(
            select(TemplateVersion).where(TemplateVersion.kind == kind).order_by(TemplateVersion.version)
        )
        return [_version(row) for row in rows]


def active_version(database: Database, kind: str) -> int:
    with database.session() as session:
        return _active(session, kind)


def active_versions(database: Database) -> dict[str, int]:
    """Every kind that was ever switched, with its active version (kinds absent here run version 1)."""
    newest = select(func.max(TemplateActivation.id)).group_by(TemplateActivation.kind)
    with database.session() as session:
        rows = session.execute(
            select(TemplateActivation.kind, TemplateActivation.version).where(TemplateActivation.id.in_(newest))
        )
        return {kind: version for kind, version in rows}


def activate(database: Database, kind: str, version: int, reason: str, audit: AuditEntry) -> ActivationRecord:
    """Make `version` the active one; refused for a version whose checks found errors."""

    def target(session: Session, _current: TemplateActivation | None) -> int:
        if version != BUILT_IN_VERSION:
            row = session.get(TemplateVersion, (kind, version))
            if row is None:
                raise NotFoundError(
                    bilingual(f"{kind}没有第{version}版模板", f"{kind} has no template version {version}")
                )
            if not row.activatable:
                raise ConflictError(
                    bilingual(
                        f"{kind}第{version}版模板未通过检查，不能启用",
                        f"{kind} template version {version} failed its checks and cannot be activated",
                    )
                )
        return version

    return _switch(database, kind, target, reason, audit)


def roll_back(database: Database, kind: str, reason: str, audit: AuditEntry) -> ActivationRecord:
    """Activate again the version that was active before the current one."""

    def target(_session: Session, current: TemplateActivation | None) -> int:
        if current is None:
            raise ConflictError(
                bilingual(
                    f"{kind}一直使用内置模板（第1版），没有可回退的版本",
                    f"{kind} has always used its built-in templates (version 1); there is nothing to roll back to",
                )
            )
        return current.previous_version

    return _switch(database, kind, target, reason, audit)


def _switch(
    database: Database,
    kind: str,
    target: Callable[[Session, TemplateActivation | None], int],
    reason: str,
    audit: AuditEntry,
) -> ActivationRecord:
    """Append an activation of the version `target` picks, retried when another switch of the kind came first."""
    for _ in range(SWITCH_ATTEMPTS):
        try:
            return _append_activation(database, kind, target, reason, audit)
        except IntegrityError:
            continue
    raise ConflictError(
        bilingual("模板版本正被同时切换，请重试", "the kind's template was being switched at the same time; retry")
    )


def _append_activation(
    database: Database,
    kind: str,
    target: Callable[[Session, TemplateActivation | None], int],
    reason: str,
    audit: AuditEntry,
) -> ActivationRecord:
    with database.transaction() as session:
        current = _newest_activation(session, kind)
        version = target(session, current)
        previous = current.version if current is not None else BUILT_IN_VERSION
        activation = TemplateActivation(
            kind=kind,
            sequence=(current.sequence if current is not None else 0) + 1,
            version=version,
            previous_version=previous,
            reason=reason,
            activated_by=audit.actor,
        )
        session.add(activation)
        session.flush()
        write_audit_event(
            session, _about(audit, f"templates/{kind}", version=version, previous_version=previous, reason=reason)
        )
        return _activation(activation)


def list_activations(database: Database, kind: str) -> list[ActivationRecord]:
    """Every switch of `kind`, newest first."""
    with database.session() as session:
        rows = session.scalars(
            select(TemplateActivation).where(TemplateActivation.kind == kind).order_by(TemplateActivation.id.desc())
        )
        return [_activation(row) for row in rows]


def _newest_activation(session: Session, kind: str) -> TemplateActivation | None:
    return session.scalars(
        select(TemplateActivation)
        .where(TemplateActivation.kind == kind)
        .order_by(TemplateActivation.id.desc())
        .limit(1)
    ).first()


def _active(session: Session, kind: str) -> int:
    newest = _newest_activation(session, kind)
    return newest.version if newest is not None else BUILT_IN_VERSION


def _about(audit: AuditEntry, target: str, **detail: object) -> AuditEntry:
    """The request's audit entry, naming what the change made (a version's number is only known here)."""
    return replace(audit, target=target, detail={**audit.detail, **detail})


def _version(row: TemplateVersion) -> StoredTemplateVersion:
    return StoredTemplateVersion(
        kind=row.kind,
        version=row.version,
        files={str(variant): str(sha) for variant, sha in row.files.items()},
        report=dict(row.report),
        activatable=row.activatable,
        based_on=row.based_on,
        reason=row.reason,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _activation(row: TemplateActivation) -> ActivationRecord:
    return ActivationRecord(
        id=row.id,
        kind=row.kind,
        version=row.version,
        previous_version=row.previous_version,
        reason=row.reason,
        activated_by=row.activated_by,
        activated_at=row.activated_at,
    )
