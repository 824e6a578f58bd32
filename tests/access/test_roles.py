"""Roles and 密级: which marking a role may see, and who passes which role check."""

from __future__ import annotations

import pytest

from service.access.roles import Principal, Role, Secrecy, parse_roles


@pytest.mark.parametrize(
    ("marking", "level"),
    [
        ("", Secrecy.NONE),
        ("秘密", Secrecy.SECRET),
        ("机密★1年", Secrecy.CONFIDENTIAL),
        ("绝密★长期", Secrecy.TOP_SECRET),
    ],
    ids=["none", "secret", "confidential-with-term", "top-secret-long-term"],
)
def test_a_stored_marking_gives_its_secrecy_level(marking: str, level: Secrecy) -> None:
    assert Secrecy.of(marking) is level


def _principal(*roles: Role) -> Principal:
    return Principal(kind="key", id="k", name="k", roles=frozenset(roles))


def test_a_principal_sees_up_to_its_highest_roles_clearance() -> None:
    assert not _principal(Role.SUBMITTER).may_see("秘密★6个月")
    assert _principal(Role.SUBMITTER, Role.CLERK).may_see("机密★1年")
    assert not _principal(Role.CLERK).may_see("绝密★长期")
    assert _principal(Role.ARCHIVIST).may_see("绝密★长期")
    assert not _principal(Role.MAINTAINER).may_see("秘密")


def test_an_admin_passes_every_role_check_and_others_only_their_own() -> None:
    archivists = frozenset({Role.ARCHIVIST})

    assert _principal(Role.ADMIN).holds_any(archivists)
    assert _principal(Role.ARCHIVIST, Role.CLERK).holds_any(archivists)
    assert not _principal(Role.CLERK).holds_any(archivists)


def test_a_role_name_from_a_newer_version_grants_nothing() -> None:
    assert parse_roles(["clerk", "auditor"]) == frozenset({Role.CLERK})
