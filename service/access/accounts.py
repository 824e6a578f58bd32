"""Creating, revoking and checking credentials: API keys, users and their sign-ins (with the rate limit)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from service.access.credentials import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_api_key,
    new_password,
    parse_api_key,
    password_matches,
    secret_matches,
)
from service.access.roles import Principal, Role, parse_roles
from service.errors import PayloadInvalidError, SignInFailedError, TooManyAttemptsError, bilingual
from service.storage import accounts as store
from service.storage.accounts import AuditEntry, KeyRecord, UserRecord
from service.storage.database import Database
from service.storage.models import utc_now

# OWASP's advice for online guessing: a handful of tries per account in a window, more per address (an office
# behind one NAT address has many clerks). Counted in the database, so every process and machine shares them.
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20
FIRST_ADMIN_LOGIN = "admin"


@dataclass(frozen=True)
class IssuedKey:
    record: KeyRecord
    token: str  # the only time the whole key exists outside the client


@dataclass(frozen=True)
class NewUser:
    record: UserRecord
    password: str  # as given, or generated when none was


@dataclass(frozen=True)
class FirstAdmin:
    user: NewUser
    key: IssuedKey


def create_key(database: Database, *, name: str, roles: list[Role], actor: str, remote_addr: str = "") -> IssuedKey:
    _require_roles(roles)
    new = new_api_key()
    names = sorted(role.value for role in roles)
    record = store.add_key(
        database,
        key_id=new.key_id,
        name=name,
        secret_sha256=new.secret_sha256,
        roles=names,
        audit=AuditEntry(actor, "key.created", f"key:{new.key_id}", remote_addr, {"name": name, "roles": names}),
    )
    return IssuedKey(record, new.token)


def revoke_key(database: Database, key_id: str, *, actor: str, remote_addr: str = "") -> KeyRecord:
    return store.revoke_key(database, key_id, AuditEntry(actor, "key.revoked", f"key:{key_id}", remote_addr))


def authenticate_key(database: Database, token: str) -> Principal | None:
    """The key's principal, or None for a malformed, unknown or revoked key (checked on every request)."""
    parsed = parse_api_key(token)
    if parsed is None:
        return None
    key_id, secret = parsed
    key = store.get_key(database, key_id)
    if key is None or key.revoked_at is not None or not secret_matches(secret, key.secret_sha256):
        return None
    store.touch_key(database, key_id)
    return Principal(kind="key", id=key.id, name=key.name, roles=parse_roles(key.roles))


def create_user(
    database: Database,
    *,
    login: str,
    name: str,
    roles: list[Role],
    actor: str,
    password: str | None = None,
    remote_addr: str = "",
) -> NewUser:
    """A user who signs in to the pages; without a password one is generated (and returned once)."""
    _require_roles(roles)
    password = password if password is not None else new_password()
    _check_password(password)
    names = sorted(role.value for role in roles)
    record = store.add_user(
        database,
        login=login,
        name=name,
        password_hash=hash_password(password),
        roles=names,
        audit=AuditEntry(actor, "user.created", f"user:{login}", remote_addr, {"name": name, "roles": names}),
    )
    return NewUser(record, password)


def reset_password(
    database: Database, login: str, *, actor: str, password: str | None = None, remote_addr: str = ""
) -> NewUser:
    password = password if password is not None else new_password()
    _check_password(password)
    audit = AuditEntry(actor, "user.password_reset", f"user:{login}", remote_addr)
    return NewUser(store.update_user(database, login, audit, password_hash=hash_password(password)), password)


def disable_user(database: Database, login: str, *, actor: str, remote_addr: str = "") -> UserRecord:
    return store.update_user(
        database, login, AuditEntry(actor, "user.disabled", f"user:{login}", remote_addr), disable=True
    )


def sign_in(database: Database, *, login: str, password: str, remote_addr: str) -> UserRecord:
    """The user, if the password matches and neither the login nor the address has failed too often lately."""
    now = utc_now()
    since = now - FAILURE_WINDOW
    recent = store.recent_failures(database, login=login, remote_addr=remote_addr, since=since)
    for failures, limit in ((recent.by_login, MAX_FAILURES_PER_LOGIN), (recent.by_address, MAX_FAILURES_PER_ADDRESS)):
        if len(failures) >= limit:
            # Allowed again once the oldest counted failure leaves the window.
            wait = max(1, math.ceil((failures[-limit] + FAILURE_WINDOW - now).total_seconds()))
            store.record_event(database, AuditEntry("anonymous", "sign_in.throttled", f"user:{login}", remote_addr))
            raise TooManyAttemptsError(
                bilingual(
                    f"登录失败次数过多，请{_minutes(wait)}分钟后再试",
                    f"too many failed sign-ins; try again in {wait} s",
                ),
                retry_after=wait,
            )
    user = store.find_user(database, login=login)
    matches = password_matches(password, user.password_hash if user is not None else None)
    if user is None or not matches or user.disabled_at is not None:
        store.record_failure(
            database,
            login=login,
            remote_addr=remote_addr,
            audit=AuditEntry("anonymous", "sign_in.failed", f"user:{login}", remote_addr),
            forget_before=since,
        )
        message = bilingual("登录名或密码错误", "wrong login or password")
        raise SignInFailedError(message, errors={"password": [message]})
    store.record_sign_in(
        database, login=login, audit=AuditEntry(f"user:{login}", "sign_in", f"user:{login}", remote_addr)
    )
    return user


def user_principal(user: UserRecord) -> Principal:
    return Principal(kind="user", id=user.id, name=user.name, roles=parse_roles(user.roles), login=user.login)


def create_first_admin(database: Database) -> FirstAdmin | None:
    """On a database with no users and no keys: an admin login and an admin key, returned once. Else None."""
    if store.count_accounts(database) > 0:
        return None
    user = create_user(database, login=FIRST_ADMIN_LOGIN, name="系统管理员", roles=[Role.ADMIN], actor="setup")
    key = create_key(database, name="首个管理员密钥 / first admin key", roles=[Role.ADMIN], actor="setup")
    return FirstAdmin(user, key)


def _require_roles(roles: list[Role]) -> None:
    if not roles:
        message = bilingual("至少需要一个角色", "at least one role is needed")
        raise PayloadInvalidError(message, errors={"roles": [message]})


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = bilingual(
            f"密码至少{MIN_PASSWORD_LENGTH}个字符", f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
        raise PayloadInvalidError(message, errors={"password": [message]})


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))
