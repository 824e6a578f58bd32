"""Who may call what: each role is refused (403) on routes that are not its own, keys stop working the moment
they are revoked, documents above a caller's 密级 clearance are invisible, and people's sessions need CSRF tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.access.accounts import create_key, create_user
from service.access.requests import FRAMEWORK_PUBLIC_ENDPOINTS, declared_roles
from service.access.roles import Role
from service.config import Settings
from service.conversion import ConversionPool
from tests.conftest import load_example

ALL = frozenset(Role)
RENDERERS = frozenset({Role.SUBMITTER, Role.CLERK, Role.MAINTAINER})
ISSUERS = frozenset({Role.SUBMITTER, Role.CLERK})
READERS = frozenset({Role.SUBMITTER, Role.CLERK, Role.ARCHIVIST})
UPLOADERS = frozenset({Role.SUBMITTER, Role.CLERK, Role.ARCHIVIST})
ARCHIVISTS = frozenset({Role.ARCHIVIST})
ADMINS = frozenset({Role.ADMIN})
MAINTAINERS = frozenset({Role.MAINTAINER})
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {meeting} and {document} are filled in from the module's fixtures
    allowed: frozenset[Role]
    json: Any = None
    data: bytes | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/api/v1/session", ALL),
    Route("GET", "/api/v1/document-kinds", ALL),
    Route("GET", "/api/v1/document-kinds/meeting-notice", ALL),
    Route("POST", "/api/v1/documents/meeting-notice/validate", RENDERERS, json=load_example("meeting-notice")),
    Route("POST", "/api/v1/documents/meeting-notice?format=docx", RENDERERS, json=load_example("meeting-notice")),
    Route("POST", "/api/v1/meetings", ISSUERS, json={"title": "权限测试会议"}),
    Route("GET", "/api/v1/meetings", READERS),
    Route("GET", "/api/v1/meetings/{meeting}", READERS),
    Route(
        "POST",
        "/api/v1/meetings/{meeting}/documents/meeting-notice?pdf=false",
        ISSUERS,
        json=load_example("meeting-notice"),
    ),
    Route("GET", "/api/v1/documents/{document}", READERS),
    Route("GET", "/api/v1/documents/{document}/docx", READERS),
    Route("GET", "/api/v1/doc-numbers?prefix=青政办发&year=2026", READERS),
    Route("POST", "/api/v1/files", UPLOADERS, data=b"%PDF-1.4 not really"),
    Route("GET", "/api/v1/files/{docx}", ARCHIVISTS),
    Route("GET", "/api/v1/archive-runs", ARCHIVISTS),
    Route("POST", "/api/v1/archive-runs", ARCHIVISTS, json={}),
    Route("GET", "/api/v1/archive-runs/0123456789abcdef0123456789abcdef", ARCHIVISTS),
    Route("GET", "/api/v1/keys", ADMINS),
    Route("POST", "/api/v1/keys", ADMINS, json={"name": "x", "roles": ["submitter"]}),
    Route("DELETE", "/api/v1/keys/000000000000", ADMINS),
    Route("GET", "/api/v1/users", ADMINS),
    Route("POST", "/api/v1/users", ADMINS, json={"login": "", "name": "", "roles": []}),
    Route("DELETE", "/api/v1/users/nobody", ADMINS),
    Route("GET", "/api/v1/audit-events", ADMINS),
    Route("GET", "/api/v1/templates", MAINTAINERS),
    Route("GET", "/api/v1/templates/meeting-notice", MAINTAINERS),
    Route("GET", "/api/v1/templates/meeting-notice/versions/1", MAINTAINERS),
    Route("GET", "/api/v1/templates/meeting-notice/versions/1/files/document", MAINTAINERS),
    Route("GET", "/api/v1/templates/meeting-notice/versions/1/preview?dpi=30", MAINTAINERS),
    Route("POST", "/api/v1/templates/meeting-notice/versions", MAINTAINERS, json={}),
    Route("PUT", "/api/v1/templates/meeting-notice/active", MAINTAINERS, json={"version": 1, "reason": "权限测试"}),
    Route("POST", "/api/v1/templates/meeting-notice/rollback", MAINTAINERS, json={"reason": "权限测试"}),
    Route("POST", "/api/v1/lint", ALL, data=b"PK not really a docx"),
]


@dataclass
class Setting:
    app: Flask
    tokens: dict[Role, str]
    meeting: str
    document: str
    docx: str

    def client(self, role: Role | None = None) -> FlaskClient:
        client = FlaskClient(self.app, self.app.response_class, use_cookies=True)
        if role is not None:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[role]}"
        return client


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory, conversion_pool: ConversionPool) -> Iterator[Setting]:
    """One app for the module, a key per role, and a meeting with one unclassified document."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("access")), converter=conversion_pool)
    database = app.extensions["gongwen.database"]
    tokens = {role: create_key(database, name=role.value, roles=[role], actor="tests").token for role in Role}
    admin = FlaskClient(app, app.response_class)
    admin.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[Role.ADMIN]}"
    meeting = admin.post("/api/v1/meetings", json={"title": "权限测试会议"}).get_json()["id"]
    issued = admin.post(
        f"/api/v1/meetings/{meeting}/documents/meeting-notice?pdf=false", json=load_example("meeting-notice")
    ).get_json()
    yield Setting(app, tokens, meeting, issued["id"], issued["files"]["docx"]["sha256"])
    database.dispose()


def _path(route: Route, setting: Setting) -> str:
    return route.path.format(meeting=setting.meeting, document=setting.document, docx=setting.docx)


def _call(client: FlaskClient, route: Route, setting: Setting) -> Any:
    kwargs: dict[str, Any] = {"json": route.json} if route.json is not None else {}
    if route.data is not None:
        kwargs = {"data": route.data, "content_type": "application/pdf"}
    return client.open(_path(route, setting), method=route.method, **kwargs)


CASES = [(route, role) for route in ROUTES for role in Role]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{route}-{role}" for route, role in CASES])
def test_each_role_reaches_its_own_routes_and_is_refused_403_elsewhere(
    setting: Setting, route: Route, role: Role
) -> None:
    response = _call(setting.client(role), route, setting)

    if role in route.allowed or role is Role.ADMIN:
        assert response.status_code not in (401, 403), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["code"] == "forbidden"
        assert problem["detail"].startswith("需要以下角色之一："), problem["detail"]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_without_credentials_every_protected_route_answers_401_with_a_challenge(setting: Setting, route: Route) -> None:
    response = _call(setting.client(), route, setting)

    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer gw_000000000000_" + "a" * 43, "Bearer not-a-key", "Basic YWRtaW46YWRtaW4="],
    ids=["unknown-key", "malformed", "basic"],
)
def test_credentials_that_are_not_a_valid_key_answer_401(setting: Setting, header: str) -> None:
    response = setting.client().get("/api/v1/meetings", headers={"Authorization": header})

    assert response.status_code == 401
    assert "凭据无效" in response.get_json()["detail"]


def test_open_routes_need_no_credentials(setting: Setting) -> None:
    client = setting.client()

    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_every_route_declares_its_roles(setting: Setting) -> None:
    undeclared = [
        rule.rule
        for rule in setting.app.url_map.iter_rules()
        if rule.endpoint not in FRAMEWORK_PUBLIC_ENDPOINTS
        and declared_roles(setting.app.view_functions[rule.endpoint]) is None
    ]

    assert undeclared == []


def test_a_revoked_key_stops_working_at_once(setting: Setting) -> None:
    database = setting.app.extensions["gongwen.database"]
    issued = create_key(database, name="soon revoked", roles=[Role.SUBMITTER], actor="tests")
    office = setting.client()
    office.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.token}"
    assert office.get("/api/v1/meetings").status_code == 200

    revoked = setting.client(Role.ADMIN).delete(f"/api/v1/keys/{issued.record.id}")
    after = office.get("/api/v1/meetings")

    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_at"] is not None
    assert after.status_code == 401
    assert after.get_json()["code"] == "unauthenticated"


@pytest.fixture(scope="module")
def classified(setting: Setting) -> dict[str, str]:
    """A 机密 and a 绝密 notice in the module's meeting, issued by a clerk (who may issue up to 机密)."""
    documents = {}
    for marking in ("机密★1年", "绝密★长期"):
        body = {**load_example("meeting-notice"), "secrecy": marking, "copy_no": "000001"}
        response = setting.client(Role.ADMIN).post(
            f"/api/v1/meetings/{setting.meeting}/documents/meeting-notice?pdf=false", json=body
        )
        assert response.status_code == 201, response.get_json()
        documents[marking[:2]] = response.get_json()["id"]
    return documents


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.SUBMITTER, set()),
        (Role.CLERK, {"机密"}),
        (Role.ARCHIVIST, {"机密", "绝密"}),
        (Role.ADMIN, {"机密", "绝密"}),
    ],
    ids=lambda value: str(value),
)
def test_a_classified_document_is_invisible_to_roles_without_the_clearance(
    setting: Setting, classified: dict[str, str], role: Role, sees: set[str]
) -> None:
    client = setting.client(role)
    listed = {d["id"] for d in client.get(f"/api/v1/meetings/{setting.meeting}").get_json()["documents"]}

    for level, document_id in classified.items():
        visible = level in sees
        assert (document_id in listed) is visible
        for suffix in ("", "/docx", "/pdf"):
            response = client.get(f"/api/v1/documents/{document_id}{suffix}")
            if visible:
                assert response.status_code == 200, (suffix, response.get_json())
            else:
                # The same answer as for a document that does not exist: its existence is not given away.
                assert response.status_code == 404, suffix
                assert response.get_json()["code"] == "not_found"
    assert setting.document in listed  # the unclassified notice stays visible to every reader


def _signed_in(setting: Setting, login: str, roles: list[Role]) -> tuple[FlaskClient, str]:
    database = setting.app.extensions["gongwen.database"]
    create_user(database, login=login, name="测试用户", roles=roles, actor="tests", password=PASSWORD)
    client = setting.client()
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client, response.get_json()["csrf_token"]


def test_a_signed_in_clerk_needs_the_csrf_token_for_changes_but_not_for_reads(setting: Setting) -> None:
    client, token = _signed_in(setting, "clerk-csrf", [Role.CLERK])

    read = client.get("/api/v1/meetings")
    without = client.post("/api/v1/meetings", json={"title": "无令牌"})
    wrong = client.post("/api/v1/meetings", json={"title": "错令牌"}, headers={"X-CSRF-Token": "x" * 43})
    with_token = client.post("/api/v1/meetings", json={"title": "有令牌"}, headers={"X-CSRF-Token": token})

    assert read.status_code == 200
    assert (without.status_code, wrong.status_code) == (403, 403)
    assert "CSRF" in without.get_json()["detail"]
    assert with_token.status_code == 201


def test_signing_out_and_disabling_a_user_end_the_session(setting: Setting) -> None:
    client, token = _signed_in(setting, "clerk-leaving", [Role.CLERK])
    other, _ = _signed_in(setting, "clerk-disabled", [Role.CLERK])

    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/session").status_code == 401
    assert other.get("/api/v1/session").status_code == 200
    assert setting.client(Role.ADMIN).delete("/api/v1/users/clerk-disabled").status_code == 200
    assert other.get("/api/v1/session").status_code == 401
    signed_in_again = setting.client().post("/api/v1/session", json={"login": "clerk-disabled", "password": PASSWORD})
    assert signed_in_again.status_code == 401


def test_failed_sign_ins_are_rate_limited_per_login_with_retry_after(setting: Setting) -> None:
    database = setting.app.extensions["gongwen.database"]
    create_user(database, login="clerk-guessed", name="测试", roles=[Role.CLERK], actor="tests", password=PASSWORD)
    client = setting.client()

    failures = [
        client.post("/api/v1/session", json={"login": "clerk-guessed", "password": f"guess-{i}"}) for i in range(5)
    ]
    blocked = client.post("/api/v1/session", json={"login": "clerk-guessed", "password": PASSWORD})

    assert [f.status_code for f in failures] == [401] * 5
    assert failures[0].get_json()["errors"]["password"] == ["登录名或密码错误 / wrong login or password"]
    assert blocked.status_code == 429
    assert blocked.get_json()["code"] == "too_many_attempts"
    assert 800 < int(blocked.headers["Retry-After"]) <= 900
    # Another login from the same address is not blocked by this one's failures (the address limit is higher).
    _signed_in(setting, "clerk-unaffected", [Role.CLERK])


def test_changes_and_sign_ins_go_to_the_audit_log(setting: Setting) -> None:
    admin = setting.client(Role.ADMIN)
    created = admin.post("/api/v1/keys", json={"name": "审计测试系统", "roles": ["submitter"]}).get_json()
    admin.delete(f"/api/v1/keys/{created['id']}")
    setting.client().post("/api/v1/session", json={"login": "nobody-here", "password": "wrong password"})

    events = admin.get("/api/v1/audit-events?per_page=200").get_json()["items"]
    admin_actor = f"key:{setting.tokens[Role.ADMIN].split('_')[1]}"
    seen = {(e["action"], e["target"], e["actor"]) for e in events}

    assert ("key.created", f"key:{created['id']}", admin_actor) in seen
    assert ("key.revoked", f"key:{created['id']}", admin_actor) in seen
    assert ("sign_in.failed", "user:nobody-here", "anonymous") in seen
    assert ("meeting.created", f"meeting:{setting.meeting}", admin_actor) in seen
    assert ("document.issued", f"document:{setting.document}", admin_actor) in seen
    revoked_only = admin.get("/api/v1/audit-events?action=key.revoked").get_json()["items"]
    assert {e["action"] for e in revoked_only} == {"key.revoked"}


def test_the_openapi_spec_shows_the_security_schemes_and_each_operations_roles(setting: Setting) -> None:
    spec = setting.client().get("/api/v1/openapi.json").get_json()

    assert set(spec["components"]["securitySchemes"]) == {"apiKey", "session"}
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    for path, method, operation in operations:
        if (path, method) == ("/api/v1/session", "post"):
            assert operation["security"] == []
            continue
        assert operation["security"] == [{"apiKey": []}, {"session": []}], (path, method)
        assert "admin" in operation["x-roles"], (path, method)
        assert "403" in operation["responses"], (path, method)
    assert spec["paths"]["/api/v1/archive-runs"]["post"]["x-roles"] == ["admin", "archivist"]


def test_secrets_are_stored_only_as_digests(setting: Setting) -> None:
    from sqlalchemy import text

    database = setting.app.extensions["gongwen.database"]
    create_user(database, login="clerk-stored", name="测试", roles=[Role.CLERK], actor="tests", password=PASSWORD)
    with database.session() as session:
        stored = " ".join(str(value) for row in session.execute(text("SELECT * FROM api_keys")) for value in row)
        stored += " ".join(str(value) for row in session.execute(text("SELECT * FROM users")) for value in row)

    for token in setting.tokens.values():
        assert token.split("_", 2)[2] not in stored
    assert PASSWORD not in stored
    assert "scrypt:" in stored


def test_the_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    from service.access.requests import load_secret_key

    first = load_secret_key("", tmp_path)
    second = load_secret_key("", tmp_path)

    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_secret_key("x" * 40, tmp_path) == "x" * 40


def _app_behind(tmp_path: Path, conversion_pool: ConversionPool, hops: int) -> Flask:
    return create_app(Settings(data_dir=tmp_path / "data", proxy_hops=hops), converter=conversion_pool)


def _audited_addresses(app: Flask, action: str) -> set[str]:
    from service.storage.accounts import list_events

    return {event.remote_addr for event in list_events(app.extensions["gongwen.database"], action=action).items}


def test_behind_a_proxy_the_address_limit_counts_the_clients_forwarded_address(
    tmp_path: Path, conversion_pool: ConversionPool
) -> None:
    app = _app_behind(tmp_path, conversion_pool, hops=1)
    client = FlaskClient(app, app.response_class)
    attacker, neighbour = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "203.0.113.8"}

    failures = [
        client.post("/api/v1/session", json={"login": f"guess-{i}", "password": "x" * 12}, headers=attacker)
        for i in range(20)
    ]
    blocked = client.post("/api/v1/session", json={"login": "guess-20", "password": "x" * 12}, headers=attacker)
    other = client.post("/api/v1/session", json={"login": "guess-21", "password": "x" * 12}, headers=neighbour)

    assert [f.status_code for f in failures] == [401] * 20
    assert blocked.status_code == 429
    assert other.status_code == 401  # a different client behind the same proxy is not locked out
    assert _audited_addresses(app, "sign_in.failed") == {"203.0.113.7", "203.0.113.8"}
    app.extensions["gongwen.database"].dispose()


def test_without_proxies_configured_a_forwarded_address_is_not_believed(
    tmp_path: Path, conversion_pool: ConversionPool
) -> None:
    app = _app_behind(tmp_path, conversion_pool, hops=0)
    client = FlaskClient(app, app.response_class)

    client.post(
        "/api/v1/session", json={"login": "someone", "password": "x" * 12}, headers={"X-Forwarded-For": "1.2.3.4"}
    )

    assert _audited_addresses(app, "sign_in.failed") == {"127.0.0.1"}
    app.extensions["gongwen.database"].dispose()
