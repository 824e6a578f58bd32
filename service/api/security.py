"""Which roles each group of routes lets in, declared on the view and shown in the OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from service.access.requests import SESSION_COOKIE, public, requires
from service.access.roles import Role
from service.api.blueprint import PROBLEM_RESPONSE, bp, problems

View = TypeVar("View", bound=Callable[..., Any])

SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "gw_<id>_<secret>",
        "description": "An office system's API key (`gongwen keys create --role submitter`), as Authorization: Bearer.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "A person's session from POST /api/v1/session; unsafe methods also need X-CSRF-Token.",
    },
}
SECURED: list[dict[str, list[str]]] = [{"apiKey": []}, {"session": []}]

# Rendering without keeping anything: office systems, clerks, and maintainers trying a template.
RENDERERS = (Role.SUBMITTER, Role.CLERK, Role.MAINTAINER)
# Meetings, issued documents, uploads: what office systems and clerks create.
ISSUERS = (Role.SUBMITTER, Role.CLERK)
# Reading meetings, documents and the register; each document also needs the reader's clearance for its 密级.
READERS = (Role.SUBMITTER, Role.CLERK, Role.ARCHIVIST)
# A scanned sign-in sheet may come from the office system, the clerk, or the archivist filing it.
UPLOADERS = (Role.SUBMITTER, Role.CLERK, Role.ARCHIVIST)
# Archive runs, and stored files by hash (which belong to no single document, so carry no 密级 to check).
ARCHIVISTS = (Role.ARCHIVIST,)
ADMINS = (Role.ADMIN,)
EVERYONE = tuple(Role)


def allow(*roles: Role) -> Callable[[View], View]:
    """Let in principals holding one of `roles` (admins always), and say so in the OpenAPI operation."""

    def declare(view: View) -> View:
        names = sorted({*(role.value for role in roles), Role.ADMIN.value})
        documented = bp.doc(
            security=SECURED,
            **{"x-roles": names},
            responses={
                "401": _problem("未登录 / not signed in"),
                "403": _problem("角色不符 / none of the roles"),
                # The credentials are looked up in the registry's database, whatever the route does next.
                **problems(503),
            },
        )(view)
        return requires(*roles)(documented)

    return declare


def open_to_all(view: View) -> View:
    """No credentials needed; documented as such."""
    return public(bp.doc(security=[])(view))


def _problem(description: str) -> dict[str, Any]:
    return {**PROBLEM_RESPONSE, "description": description}
