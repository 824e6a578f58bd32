"""Roles, the secrecy levels (密级) each may see, and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Role(StrEnum):
    SUBMITTER = "submitter"  # an office system posting documents with its API key
    CLERK = "clerk"  # 文秘人员: fills the forms, issues and prints documents
    MAINTAINER = "maintainer"  # keeps the DOCX templates
    ARCHIVIST = "archivist"  # 档案人员: files documents into boxes
    ADMIN = "admin"  # keys, users and the audit log; passes every role check


ROLE_LABELS = {
    Role.SUBMITTER: "报送系统",
    Role.CLERK: "文秘人员",
    Role.MAINTAINER: "模板维护人员",
    Role.ARCHIVIST: "档案人员",
    Role.ADMIN: "系统管理员",
}


class Secrecy(IntEnum):
    """密级 in ascending order (GB/T 9704-2012 7.2.2): what a document is marked, what a role may see."""

    NONE = 0
    SECRET = 1  # 秘密
    CONFIDENTIAL = 2  # 机密
    TOP_SECRET = 3  # 绝密

    @classmethod
    def of(cls, marking: str) -> Secrecy:
        """The level of a stored marking such as "机密★1年" ("" is unclassified)."""
        for level, word in ((cls.TOP_SECRET, "绝密"), (cls.CONFIDENTIAL, "机密"), (cls.SECRET, "秘密")):
            if marking.startswith(word):
                return level
        return cls.NONE


# An office system's key lives in another system's configuration, so a leaked key must not expose classified
# documents: submitters see unclassified ones only. Clerks handle up to 机密; 绝密 documents go to the archivist,
# who files everything. A maintainer works on templates, never on documents. (ADR 0015.)
CLEARANCE = {
    Role.SUBMITTER: Secrecy.NONE,
    Role.CLERK: Secrecy.CONFIDENTIAL,
    Role.MAINTAINER: Secrecy.NONE,
    Role.ARCHIVIST: Secrecy.TOP_SECRET,
    Role.ADMIN: Secrecy.TOP_SECRET,
}


@dataclass(frozen=True)
class Principal:
    """Whoever a request acts as: a signed-in user or an office system's API key."""

    kind: str  # "user" or "key"
    id: str
    name: str
    roles: frozenset[Role]
    login: str = ""

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return f"user:{self.login}" if self.kind == "user" else f"key:{self.id}"

    @property
    def clearance(self) -> Secrecy:
        return max((CLEARANCE[role] for role in self.roles), default=Secrecy.NONE)

    def holds_any(self, roles: frozenset[Role]) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles & roles)

    def may_see(self, marking: str) -> bool:
        return Secrecy.of(marking) <= self.clearance


def parse_roles(names: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Stored role names as Roles; a name this version does not know (from a newer one) grants nothing."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)
