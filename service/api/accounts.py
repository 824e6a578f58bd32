"""Thin routes of access control: signing in and out, API keys, users, and the audit log."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from schemas.access import AuditQuerySchema, NewKeySchema, NewUserSchema, SignInSchema
from service.access import accounts
from service.access.requests import (
    CSRF_HEADER,
    actor,
    client_address,
    csrf_token,
    end_session,
    require_principal,
    start_session,
)
from service.access.roles import ROLE_LABELS, Principal, Role
from service.api.blueprint import JSON_BODY_PROBLEMS, bp, json_response, problems
from service.api.registry import database
from service.api.routes import read_json_body
from service.api.security import ADMINS, EVERYONE, allow, open_to_all
from service.documents.validation import load_payload
from service.storage import accounts as store
from service.storage.accounts import KeyRecord, UserRecord


class SessionSchema(Schema):
    kind = fields.String(metadata={"description": "user (signed in) or key (an API key)"})
    id = fields.String()
    login = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    role_labels = fields.List(fields.String())
    csrf_token = fields.String(metadata={"description": f"send it as {CSRF_HEADER} on POST, PUT, PATCH and DELETE"})


class KeySchema(Schema):
    id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    created_at = fields.DateTime()
    created_by = fields.String()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class IssuedKeySchema(KeySchema):
    key = fields.String(metadata={"description": "the whole key, shown this once: Authorization: Bearer <key>"})


class KeyListSchema(Schema):
    keys = fields.List(fields.Nested(KeySchema))


class UserSchema(Schema):
    id = fields.String()
    login = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    created_at = fields.DateTime()
    created_by = fields.String()
    disabled_at = fields.DateTime(allow_none=True)


class NewUserAnswerSchema(UserSchema):
    password = fields.String(metadata={"description": "the password, shown this once (generated when none was sent)"})


class UserListSchema(Schema):
    users = fields.List(fields.Nested(UserSchema))


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    target = fields.String()
    remote_addr = fields.String()
    detail = fields.Dict()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _session_json(principal: Principal) -> dict[str, Any]:
    roles = sorted(principal.roles)
    return SessionSchema().dump(
        {
            "kind": principal.kind,
            "id": principal.id,
            "login": principal.login,
            "name": principal.name,
            "roles": [role.value for role in roles],
            "role_labels": [ROLE_LABELS[role] for role in roles],
            "csrf_token": csrf_token() if principal.kind == "user" else "",
        }
    )


# --- the session -----------------------------------------------------------------------------------------


@bp.route("/session", methods=["POST"])
@open_to_all
@bp.doc(
    summary="登录 / Sign in",
    description="Starts a session cookie for a person. Five failed sign-ins for a login within 15 minutes (or twenty "
    "from one address) are answered 429 with Retry-After until the oldest leaves the window.",
    requestBody={"required": True, "content": {"application/json": {"schema": SignInSchema}}},
    responses={
        "200": json_response(SessionSchema, "signed in"),
        **JSON_BODY_PROBLEMS,
        # 503: the users and the failed attempts are in the registry's database.
        **problems(401, 429, 503),
    },
)
def sign_in() -> Response:
    body = load_payload(SignInSchema(), read_json_body())
    user = accounts.sign_in(database(), login=body["login"], password=body["password"], remote_addr=client_address())
    return jsonify(_session_json(start_session(user)))


@bp.route("/session", methods=["GET"])
@allow(*EVERYONE)
@bp.doc(summary="当前身份 / Who am I", responses={"200": json_response(SessionSchema, "the caller")})
def show_session() -> Response:
    return jsonify(_session_json(require_principal()))


@bp.route("/session", methods=["DELETE"])
@allow(*EVERYONE)
@bp.doc(summary="退出登录 / Sign out", responses={"204": {"description": "signed out"}})
def sign_out() -> Response:
    end_session()
    return Response(status=204)


# --- API keys --------------------------------------------------------------------------------------------


@bp.route("/keys", methods=["GET"])
@allow(*ADMINS)
@bp.doc(
    summary="API密钥列表 / API keys",
    responses={"200": json_response(KeyListSchema, "every key, revoked ones included")},
)
def list_keys() -> Response:
    return jsonify(keys=KeySchema(many=True).dump([_key_json(key) for key in store.list_keys(database())]))


@bp.route("/keys", methods=["POST"])
@allow(*ADMINS)
@bp.doc(
    summary="新建API密钥 / Create an API key",
    description="The key is in this answer only; the service keeps its SHA-256.",
    requestBody={"required": True, "content": {"application/json": {"schema": NewKeySchema}}},
    responses={"201": json_response(IssuedKeySchema, "the key"), **JSON_BODY_PROBLEMS},
)
def create_key() -> Response:
    body = load_payload(NewKeySchema(), read_json_body())
    issued = accounts.create_key(
        database(),
        name=body["name"],
        roles=[Role(name) for name in body["roles"]],
        actor=actor(),
        remote_addr=client_address(),
    )
    response = jsonify(IssuedKeySchema().dump({**_key_json(issued.record), "key": issued.token}))
    response.status_code = 201
    return response


@bp.route("/keys/<key_id:key_id>", methods=["DELETE"])
@allow(*ADMINS)
@bp.doc(
    summary="吊销API密钥 / Revoke an API key",
    description="Takes effect at once: the next request with the key is answered 401.",
    responses={"200": json_response(KeySchema, "the revoked key"), **problems(404)},
)
def revoke_key(key_id: str) -> Response:
    revoked = accounts.revoke_key(database(), key_id, actor=actor(), remote_addr=client_address())
    return jsonify(KeySchema().dump(_key_json(revoked)))


def _key_json(key: KeyRecord) -> dict[str, Any]:
    return {name: getattr(key, name) for name in KeySchema().fields}


# --- users -----------------------------------------------------------------------------------------------


@bp.route("/users", methods=["GET"])
@allow(*ADMINS)
@bp.doc(
    summary="用户列表 / Users",
    responses={"200": json_response(UserListSchema, "every user, disabled ones included")},
)
def list_users() -> Response:
    return jsonify(users=UserSchema(many=True).dump([_user_json(user) for user in store.list_users(database())]))


@bp.route("/users", methods=["POST"])
@allow(*ADMINS)
@bp.doc(
    summary="新建用户 / Create a user",
    requestBody={"required": True, "content": {"application/json": {"schema": NewUserSchema}}},
    responses={"201": json_response(NewUserAnswerSchema, "the user"), **JSON_BODY_PROBLEMS, **problems(409)},
)
def create_user() -> Response:
    body = load_payload(NewUserSchema(), read_json_body())
    created = accounts.create_user(
        database(),
        login=body["login"],
        name=body["name"],
        roles=[Role(name) for name in body["roles"]],
        password=body["password"],
        actor=actor(),
        remote_addr=client_address(),
    )
    response = jsonify(NewUserAnswerSchema().dump({**_user_json(created.record), "password": created.password}))
    response.status_code = 201
    return response


@bp.route("/users/<login:login>", methods=["DELETE"])
@allow(*ADMINS)
@bp.doc(
    summary="停用用户 / Disable a user",
    description="Their sessions end at once; the user stays in the list (and in the audit log) as disabled.",
    responses={"200": json_response(UserSchema, "the disabled user"), **problems(404)},
)
def disable_user(login: str) -> Response:
    disabled = accounts.disable_user(database(), login, actor=actor(), remote_addr=client_address())
    return jsonify(UserSchema().dump(_user_json(disabled)))


def _user_json(user: UserRecord) -> dict[str, Any]:
    return {name: getattr(user, name) for name in UserSchema().fields}


# --- the audit log ---------------------------------------------------------------------------------------


@bp.route("/audit-events", methods=["GET"])
@allow(*ADMINS)
@bp.doc(
    summary="审计日志 / Audit log",
    description="Every change (keys, users, templates, meetings, documents, archive runs) and every sign-in, "
    "newest first. ?action=key.revoked keeps one kind.",
    parameters=[{"in": "query", "schema": AuditQuerySchema}],
    responses={"200": json_response(AuditPageSchema, "one page of events"), **problems(422)},
)
def list_audit_events() -> Response:
    query = load_payload(AuditQuerySchema(), request.args.to_dict())
    page = store.list_events(database(), page=query["page"], per_page=query["per_page"], action=query["action"])
    items = [vars(event) for event in page.items]
    return jsonify(
        AuditPageSchema().dump({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page})
    )
