"""Access control at the request's edge: who is calling, and whether the route lets any of their roles in.

Every view declares its roles (`requires`) or says it is open (`public`); a view that says neither is refused,
so a route added without thought fails closed. API keys come as `Authorization: Bearer gw_…`; people sign in
to a session cookie, and their unsafe requests must also carry the session's CSRF token.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, request, session

from service.access.accounts import authenticate_key, user_principal
from service.access.roles import ROLE_LABELS, Principal, Role
from service.errors import AuthenticationRequiredError, ForbiddenError, bilingual
from service.storage import accounts as store
from service.storage.accounts import AuditEntry, UserRecord
from service.storage.database import Database

View = TypeVar("View", bound=Callable[..., Any])

ROLES_ATTRIBUTE = "gongwen_roles"
PUBLIC = frozenset[Role]()
SESSION_COOKIE = "gongwen_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)  # one working day; a clerk signs in again the next morning
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints that Flask and flask-smorest add themselves: static files and the API's description.
FRAMEWORK_PUBLIC_ENDPOINTS = frozenset({"static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"})


def requires(*roles: Role) -> Callable[[View], View]:
    """Let in only principals holding one of `roles` (an admin holds them all)."""

    def declare(view: View) -> View:
        setattr(view, ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return declare


def public(view: View) -> View:
    """Open to anyone, signed in or not (health checks, the sign-in page and route)."""
    setattr(view, ROLES_ATTRIBUTE, PUBLIC)
    return view


def declared_roles(view: Callable[..., Any]) -> frozenset[Role] | None:
    found: frozenset[Role] | None = getattr(view, ROLES_ATTRIBUTE, None)
    return found


def install_access_control(app: Flask, secret_key: str) -> None:
    app.secret_key = secret_key
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    app.before_request(_authorize)


def current_principal() -> Principal | None:
    """Whoever the current request acts as, or None when nobody is signed in (looked up once per request)."""
    if "principal" not in g:
        g.principal, g.credentials_given = _authenticate()
    principal: Principal | None = g.principal
    return principal


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        raise AuthenticationRequiredError(bilingual("请先登录", "sign in first"))
    return principal


def actor() -> str:
    principal = current_principal()
    return principal.actor if principal is not None else "anonymous"


def client_address() -> str:
    # Behind reverse proxies, GONGWEN_PROXY_HOPS makes this the client's address (ProxyFix in create_app).
    return request.remote_addr or ""


def csrf_token() -> str:
    """The signed-in user's CSRF token (pages put it in a meta tag); empty without a session."""
    token: str = session.get("csrf", "")
    return token


def start_session(user: UserRecord) -> Principal:
    session.clear()
    session.permanent = True
    session.update(user_id=user.id, epoch=user.session_epoch, csrf=secrets.token_urlsafe(32))
    principal = user_principal(user)
    g.principal = principal
    return principal


def end_session() -> None:
    session.clear()
    g.principal = None


def load_secret_key(configured: str, data_dir: Path) -> str:
    """GONGWEN_SECRET_KEY, or one made once and kept in the data directory (readable by its owner only).

    Processes sharing a data directory share the file; machines behind a load balancer must all be given
    the same GONGWEN_SECRET_KEY, or a session signed by one is unknown to the next.
    """
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".secret_key.{secrets.token_hex(4)}")
        # Created readable by its owner only, never briefly with the umask's wider mode.
        with os.fdopen(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            # Whichever process links first wins; the others read its key.
            with suppress(FileExistsError):
                os.link(candidate, path)
        finally:
            candidate.unlink()
    return path.read_text(encoding="ascii").strip()


def _authorize() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return  # Flask answers 404 / 405 itself
    roles = PUBLIC if request.endpoint in FRAMEWORK_PUBLIC_ENDPOINTS else declared_roles(view)
    if roles is None:
        raise ForbiddenError(
            bilingual("该路由未声明所需角色，已拒绝", f"the route {request.endpoint} declares no roles; refused")
        )
    if not roles:
        return  # open routes look the caller up only if they ask (a page), not for every script and style
    principal = current_principal()
    if principal is None:
        raise AuthenticationRequiredError(
            bilingual("凭据无效或已吊销", "the credentials are not valid (revoked, expired or unknown)")
            if g.credentials_given
            else bilingual("请先登录或提供API密钥", "sign in, or send an API key as Authorization: Bearer")
        )
    if not principal.holds_any(roles):
        raise ForbiddenError(
            bilingual(f"需要以下角色之一：{_labels(roles)}", f"this needs one of the roles {_names(roles)}"),
        )
    if principal.kind == "user" and request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent, csrf_token()):
            raise ForbiddenError(
                bilingual("缺少或错误的CSRF令牌，请刷新页面", f"missing or wrong {CSRF_HEADER}; reload the page")
            )


def _authenticate() -> tuple[Principal | None, bool]:
    """The principal and whether any credentials came at all (a bad key is not the same as none)."""
    database: Database = current_app.extensions["gongwen.database"]
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None, True
        return authenticate_key(database, token.strip()), True
    user_id = session.get("user_id")
    if user_id is None:
        return None, False
    user = store.find_user(database, user_id=user_id)
    if user is None or user.disabled_at is not None or user.session_epoch != session.get("epoch"):
        session.clear()
        return None, True
    return user_principal(user), True


def _labels(roles: Iterable[Role]) -> str:
    return "、".join(ROLE_LABELS[role] for role in sorted(roles))


def _names(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(roles))


def record_change(action: str, target: str, **detail: Any) -> None:
    """An audit event for a change the current request made (after it was made: a failed change is not one)."""
    database: Database = current_app.extensions["gongwen.database"]
    store.record_event(database, audit_entry(action, target, **detail))


def audit_entry(action: str, target: str, **detail: Any) -> AuditEntry:
    """The audit event of a change the current request asks for, for storage to write with the change itself."""
    return AuditEntry(actor(), action, target, client_address(), detail)
