"""Users, API keys, failed sign-ins and the audit log (审计日志), each operation one transaction.

Only digests of secrets reach this module; hashing and the rules about who may do what live in service.access.
A change and its audit event are written in the same transaction, so neither is ever kept without the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import ConflictError, NotFoundError, bilingual
from service.storage.database import Database
from service.storage.models import ApiKey, AuditEvent, LoginFailure, User, utc_now
from service.storage.registry import Page

Record = TypeVar("Record", "UserRecord", "KeyRecord")

# A key's last use is written at most this often: one write per request would serialise SQLite.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class AuditEntry:
    """What an audit event says; written beside the change it describes."""

    actor: str
    action: str
    target: str = ""
    remote_addr: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    remote_addr: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class UserRecord:
    id: str
    login: str
    name: str
    password_hash: str
    roles: tuple[str, ...]
    session_epoch: int
    created_at: datetime
    created_by: str
    disabled_at: datetime | None


@dataclass(frozen=True)
class KeyRecord:
    id: str
    name: str
    secret_sha256: str
    roles: tuple[str, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None


# --- audit log -------------------------------------------------------------------------------------------


def record_event(database: Database, entry: AuditEntry) -> None:
    with database.transaction() as session:
        write_audit_event(session, entry)


def list_events(
    database: Database, *, page: int = 1, per_page: int = 50, action: str | None = None
) -> Page[AuditRecord]:
    """Newest first; `action` keeps one kind of event (e.g. key.revoked)."""
    query = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
        count = count.where(AuditEvent.action == action)
    with database.session() as session:
        total = session.scalar(count) or 0
        rows = session.scalars(query.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page))
        return Page([_event(row) for row in rows], total, page, per_page)


def write_audit_event(session: Session, entry: AuditEntry) -> None:
    """Add `entry` to the transaction of `session`, so it is kept exactly when the change it describes is."""
    session.add(
        AuditEvent(
            actor=entry.actor[:100],
            action=entry.action,
            target=entry.target[:200],
            remote_addr=entry.remote_addr[:64],
            detail=entry.detail,
        )
    )


def _event(row: AuditEvent) -> AuditRecord:
    return AuditRecord(row.id, row.at, row.actor, row.action, row.target, row.remote_addr, dict(row.detail))


# --- users -----------------------------------------------------------------------------------------------


def add_user(
    database: Database, *, login: str, name: str, password_hash: str, roles: list[str], audit: AuditEntry
) -> UserRecord:
    try:
        with database.transaction() as session:
            user = User(login=login, name=name, password_hash=password_hash, roles=roles, created_by=audit.actor)
            session.add(user)
            session.flush()
            write_audit_event(session, audit)
            return _user(user)
    except IntegrityError as exc:
        raise ConflictError(
            bilingual(f"登录名已存在：{login}", f"the login {login!r} is taken"), errors={"login": ["taken"]}
        ) from exc


def find_user(database: Database, *, login: str | None = None, user_id: str | None = None) -> UserRecord | None:
    with database.session() as session:
        if user_id is not None:
            row = session.get(User, user_id)
        else:
            row = session.scalar(select(User).where(User.login == login))
        return _user(row) if row is not None else None


def list_users(database: Database) -> list[UserRecord]:
    with database.session() as session:
        return [_user(row) for row in session.scalars(select(User).order_by(User.created_at, User.login))]


def update_user(
    database: Database, login: str, audit: AuditEntry, *, password_hash: str | None = None, disable: bool = False
) -> UserRecord:
    """A new password or the user disabled; either way every open session of theirs ends."""
    with database.transaction() as session:
        user = session.scalar(select(User).where(User.login == login))
        if user is None:
            raise NotFoundError(bilingual(f"用户不存在：{login}", f"no user {login!r}"))
        if password_hash is not None:
            user.password_hash = password_hash
        if disable and user.disabled_at is None:
            user.disabled_at = utc_now()
        user.session_epoch += 1
        write_audit_event(session, audit)
        session.flush()
        return _user(user)


def _user(row: User) -> UserRecord:
    return _record(row, UserRecord)


# --- API keys --------------------------------------------------------------------------------------------


def add_key(
    database: Database, *, key_id: str, name: str, secret_sha256: str, roles: list[str], audit: AuditEntry
) -> KeyRecord:
    with database.transaction() as session:
        key = ApiKey(id=key_id, name=name, secret_sha256=secret_sha256, roles=roles, created_by=audit.actor)
        session.add(key)
        session.flush()
        write_audit_event(session, audit)
        return _key(key)


def get_key(database: Database, key_id: str) -> KeyRecord | None:
    with database.session() as session:
        row = session.get(ApiKey, key_id)
        return _key(row) if row is not None else None


def list_keys(database: Database) -> list[KeyRecord]:
    with database.session() as session:
        return [_key(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))]


def revoke_key(database: Database, key_id: str, audit: AuditEntry) -> KeyRecord:
    """Revoked from this transaction's commit on: every later request with the key is refused."""
    with database.transaction() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFoundError(bilingual(f"API密钥不存在：{key_id}", f"no API key {key_id!r}"))
        if key.revoked_at is None:
            key.revoked_at = utc_now()
            write_audit_event(session, audit)
        session.flush()
        return _key(key)


def touch_key(database: Database, key_id: str) -> None:
    """Note the key's use, at most once per LAST_USED_RESOLUTION.

    Read first, and write only when the note is due: every request checks its key, and a write transaction
    each time would queue every request, reads and stateless renders too, behind any other SQLite writer.
    """
    now = utc_now()
    due = (ApiKey.id == key_id) & (ApiKey.last_used_at.is_(None) | (ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
    with database.session() as session:
        if session.scalar(select(ApiKey.id).where(due)) is None:
            return
    with database.transaction() as session:
        session.execute(update(ApiKey).where(due).values(last_used_at=now))


def _key(row: ApiKey) -> KeyRecord:
    return _record(row, KeyRecord)


def _record(row: User | ApiKey, record_type: type[Record]) -> Record:
    """The row as its frozen record: the same field names, roles as a tuple."""
    values = {name.name: getattr(row, name.name) for name in fields(record_type)}
    return record_type(**{**values, "roles": tuple(values["roles"])})


def count_accounts(database: Database) -> int:
    """Users and keys together, revoked and disabled ones included: zero only on a database never set up."""
    with database.session() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        keys = session.scalar(select(func.count()).select_from(ApiKey)) or 0
        return users + keys


# --- failed sign-ins -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins inside the window, oldest first: for this login, and from this address."""

    by_login: list[datetime]
    by_address: list[datetime]


def recent_failures(database: Database, *, login: str, remote_addr: str, since: datetime) -> RecentFailures:
    with database.session() as session:
        recent = select(LoginFailure.at).where(LoginFailure.at >= since).order_by(LoginFailure.at)
        return RecentFailures(
            by_login=list(session.scalars(recent.where(LoginFailure.login == login))),
            by_address=list(session.scalars(recent.where(LoginFailure.remote_addr == remote_addr))),
        )


def record_failure(
    database: Database, *, login: str, remote_addr: str, audit: AuditEntry, forget_before: datetime
) -> None:
    """Counts the failure and drops those too old to count any more, so the table stays small."""
    with database.transaction() as session:
        session.add(LoginFailure(login=login[:64], remote_addr=remote_addr[:64]))
        session.execute(delete(LoginFailure).where(LoginFailure.at < forget_before))
        write_audit_event(session, audit)


def record_sign_in(database: Database, *, login: str, audit: AuditEntry) -> None:
    """A successful sign-in clears the login's failures (not the address's: one user's success proves nothing)."""
    with database.transaction() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.login == login))
        write_audit_event(session, audit)
