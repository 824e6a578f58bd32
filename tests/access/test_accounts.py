"""Creating and checking credentials against a real database: keys, users, the first admin, the rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.access import accounts
from service.access.roles import Role
from service.errors import ConflictError, PayloadInvalidError, SignInFailedError, TooManyAttemptsError
from service.storage.accounts import list_events
from service.storage.database import Database
from service.storage.models import LoginFailure

PASSWORD = "correct horse battery"


def test_the_first_admin_is_created_once_with_a_login_and_a_key(database: Database) -> None:
    first = accounts.create_first_admin(database)
    again = accounts.create_first_admin(database)

    assert first is not None and again is None
    assert first.user.record.roles == ("admin",)
    principal = accounts.authenticate_key(database, first.key.token)
    assert principal is not None and principal.roles == frozenset({Role.ADMIN})
    user = accounts.sign_in(database, login="admin", password=first.user.password, remote_addr="127.0.0.1")
    assert user.login == "admin"


def test_a_revoked_key_no_longer_authenticates(database: Database) -> None:
    issued = accounts.create_key(database, name="OA", roles=[Role.SUBMITTER], actor="tests")
    assert accounts.authenticate_key(database, issued.token) is not None

    accounts.revoke_key(database, issued.record.id, actor="tests")

    assert accounts.authenticate_key(database, issued.token) is None


def test_a_key_or_user_needs_a_role_and_a_user_a_long_enough_password(database: Database) -> None:
    with pytest.raises(PayloadInvalidError) as no_role:
        accounts.create_key(database, name="OA", roles=[], actor="tests")
    with pytest.raises(PayloadInvalidError) as short:
        accounts.create_user(database, login="li", name="李四", roles=[Role.CLERK], actor="tests", password="short")

    assert "roles" in no_role.value.errors
    assert "password" in short.value.errors


def test_a_login_is_unique(database: Database) -> None:
    accounts.create_user(database, login="wang", name="王五", roles=[Role.CLERK], actor="tests", password=PASSWORD)

    with pytest.raises(ConflictError):
        accounts.create_user(database, login="wang", name="王六", roles=[Role.CLERK], actor="tests", password=PASSWORD)


def test_five_failures_block_the_login_until_they_leave_the_window(database: Database) -> None:
    accounts.create_user(database, login="zhao", name="赵六", roles=[Role.CLERK], actor="tests", password=PASSWORD)
    for _ in range(accounts.MAX_FAILURES_PER_LOGIN):
        with pytest.raises(SignInFailedError):
            accounts.sign_in(database, login="zhao", password="guess", remote_addr="10.0.0.1")

    with pytest.raises(TooManyAttemptsError) as blocked:
        accounts.sign_in(database, login="zhao", password=PASSWORD, remote_addr="10.0.0.2")
    # Sixteen minutes later the failures are outside the window: the right password works again.
    with database.transaction() as session:
        for failure in session.scalars(select(LoginFailure)):
            failure.at -= timedelta(minutes=16)
    user = accounts.sign_in(database, login="zhao", password=PASSWORD, remote_addr="10.0.0.2")

    assert 0 < blocked.value.retry_after <= 15 * 60
    assert user.login == "zhao"


def test_many_failures_from_one_address_block_it_for_every_login(database: Database) -> None:
    for attempt in range(accounts.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(SignInFailedError):
            accounts.sign_in(database, login=f"guess{attempt}", password="guess", remote_addr="10.0.0.9")

    with pytest.raises(TooManyAttemptsError):
        accounts.sign_in(database, login="someone-else", password="guess", remote_addr="10.0.0.9")


def test_a_disabled_user_cannot_sign_in_and_every_change_is_audited(database: Database) -> None:
    accounts.create_user(database, login="qian", name="钱七", roles=[Role.CLERK], actor="cli", password=PASSWORD)
    accounts.disable_user(database, "qian", actor="cli")

    with pytest.raises(SignInFailedError):
        accounts.sign_in(database, login="qian", password=PASSWORD, remote_addr="127.0.0.1")
    actions = [(e.actor, e.action, e.target) for e in list_events(database).items]
    assert actions[:3] == [
        ("anonymous", "sign_in.failed", "user:qian"),
        ("cli", "user.disabled", "user:qian"),
        ("cli", "user.created", "user:qian"),
    ]
