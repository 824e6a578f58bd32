"""Schemathesis over every operation of /api/v1/openapi.json as an administrator: no 5xx, every 4xx a problem+json
naming what is wrong, every status, media type, header and body as the description says.

Random generation in both modes: schema-valid requests, and requests that break the schema (wrong types, malformed
JSON, huge and empty strings, control characters, emoji, Jinja syntax). Each run draws a new seed and prints it; a
failure comes with the curl command that repeats it, and FUZZ_SEED=<seed> makes the same draws again. FUZZ_EXAMPLES sets
the examples per operation (`make fuzz` runs 300), FUZZ_DATABASES the registry's databases (sqlite,postgresql).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from service import create_app
from service.access.accounts import create_key
from service.access.roles import Role
from service.api.archive_runs import DOWNLOADS
from service.api.problems import PROBLEM_MEDIA_TYPE
from service.api.registry import PDF_MEDIA_TYPE
from service.api.templates import DOCX_MEDIA_TYPE
from service.config import Settings
from service.conversion import ConversionPool
from service.documents.kinds import KINDS
from service.storage import accounts as store
from tests.conftest import load_example
from tests.jobs.conftest import filing
from tests.storage.databases import database_url

# Random examples per operation, beside its coverage cases and example bodies. 40 on both databases took 2 min 6 s
# on the 2-core machine (19,400 requests), inside the suite's 3-minute budget for this file; `make fuzz` runs 300.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ_SEED = os.environ.get("FUZZ_SEED")
# Both, because PostgreSQL refuses what SQLite stores (a NUL in text, integers past 32 bits): its errors were 500s
# an SQLite-only run never met.
FUZZ_DATABASES = os.environ.get("FUZZ_DATABASES", "sqlite,postgresql").split(",")

# Strings offered to every string field, path and query parameter now and then, beside what hypothesis makes up:
# Jinja (the templates are Jinja; text must never be evaluated), markup, emoji and rare characters, invisible and
# bidirectional marks, control characters, slips of the 发文字号, numbers and words JSON might take for others.
NASTY_STRINGS = [
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}{{ x }}{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{# #}{%- raw -%}",
    "<w:p><w:r><w:t>注入</w:t></w:r></w:p>",
    "]]><!--&amp;&#0;",
    "📄🎉👨‍👩‍👧",
    "𠀀𪚥龘",
    "\u200b\u200d\ufeff",
    "\u202e\u2066",
    "e\u0301\u0301\u0301",
    "\t\r\n",
    "\x00",
    "\x1b[31m",
    "\ufffe\uffff",
    "　",
    "青政办发【2026】15号",
    "机密*1年",
    "../../etc/passwd",
    "%00%2e%2e%2f",
    "²",
    "١٢",
    "9" * 5000,
    "1e309",
    "-0",
    "NaN",
    "null",
    "true",
]

_ADMIN_KEY_ID = "tests.fuzz.admin_key_id"
_ADMIN_TOKEN = "tests.fuzz.admin_token"


@dataclass
class Known:
    """Things that exist in the fuzzed app, so that path parameters reach real ones as well as unknown ids (404)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    # Real files for bodies of these media types (an upload of a real PDF, the lint of a real DOCX).
    files: dict[str, bytes] = field(default_factory=dict)
    # Looked up when a case is made: the fuzzer's own key, which DELETE /keys/{key_id} may revoke.
    lookups: dict[str, Callable[[], str]] = field(default_factory=dict)

    def for_parameter(self, name: str) -> list[str]:
        found = list(self.values.get(name, []))
        if name in self.lookups:
            found.append(self.lookups[name]())
        return found


@pytest.fixture(params=FUZZ_DATABASES)
def fuzzed_app(request: pytest.FixtureRequest, tmp_path: Path, conversion_pool: ConversionPool) -> Iterator[Flask]:
    """A fresh app and database for the run, on the session's warm LibreOffice."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url(request.param, tmp_path, request))
    app = create_app(settings, converter=conversion_pool)
    yield app
    app.extensions["gongwen.database"].dispose()


def _admin_token(app: Flask) -> str:
    """The fuzzer's admin key; a new one when a case revoked it (DELETE /keys/{key_id} with its own id)."""
    database = app.extensions["gongwen.database"]
    key_id = app.extensions.get(_ADMIN_KEY_ID)
    key = store.get_key(database, key_id) if key_id else None
    if key is None or key.revoked_at is not None:
        issued = create_key(database, name="fuzz", roles=[Role.ADMIN], actor="tests")
        app.extensions[_ADMIN_KEY_ID] = issued.record.id
        app.extensions[_ADMIN_TOKEN] = issued.token
    token: str = app.extensions[_ADMIN_TOKEN]
    return token


class AdminKey:
    """Authorization: Bearer <the admin's key> on every case, checked afresh each time (no caching)."""

    def get(self, case: Case, context: schemathesis.AuthContext) -> str:
        assert isinstance(context.app, Flask)
        return _admin_token(context.app)

    def set(self, case: Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


def _existing_things(app: Flask) -> Known:
    """A meeting with an issued notice (DOCX and PDF), a queued archive run, a user and a spare key."""
    client = FlaskClient(app, app.response_class)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {_admin_token(app)}"

    def created(response: Any) -> dict[str, Any]:
        assert response.status_code in (201, 202), response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    meeting = created(client.post("/api/v1/meetings", json={"title": "模糊测试会议"}))
    document = created(
        client.post(f"/api/v1/meetings/{meeting['id']}/documents/meeting-notice", json=load_example("meeting-notice"))
    )
    run = created(
        client.post("/api/v1/archive-runs", json={"selection": {"meetings": [meeting["id"]]}, "filing": filing()})
    )
    user = created(client.post("/api/v1/users", json={"login": "fuzz-clerk", "name": "模糊测试", "roles": ["clerk"]}))
    spare_key = created(client.post("/api/v1/keys", json={"name": "spare", "roles": ["submitter"]}))
    kinds = sorted(KINDS)
    return Known(
        values={
            "name": [*kinds, *DOWNLOADS],
            "kind": kinds,
            "meeting_id": [meeting["id"]],
            "document_id": [document["id"]],
            "sha256": [document["files"]["docx"]["sha256"], document["files"]["pdf"]["sha256"]],
            "run_id": [run["id"]],
            "login": [user["login"]],
            "key_id": [spare_key["id"]],
            "version": ["1"],
            "variant": ["document", "letter"],
        },
        lookups={"key_id": lambda: str(app.extensions[_ADMIN_KEY_ID])},
        files={
            PDF_MEDIA_TYPE: client.get(f"/api/v1/documents/{document['id']}/pdf").data,
            DOCX_MEDIA_TYPE: client.get(f"/api/v1/documents/{document['id']}/docx").data,
        },
    )


@pytest.fixture
def api_schema(fuzzed_app: Flask, request: pytest.FixtureRequest) -> Iterator[BaseSchema]:
    config = schemathesis.Config.from_dict(
        {
            **({"seed": int(FUZZ_SEED)} if FUZZ_SEED else {}),
            "dictionaries": {"nasty": {"values": NASTY_STRINGS}},
            "generation": {
                "max-examples": FUZZ_EXAMPLES,
                "dictionaries": {"string": {"dictionary": "nasty", "probability": 0.2}},
            },
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app, config=config)
    print(f"schemathesis seed {schema.config.seed}: FUZZ_SEED={schema.config.seed} makes the same draws again")
    schema.auth(refresh_interval=None)(AdminKey)
    known = _existing_things(fuzzed_app)

    def flatmap_case(context: schemathesis.HookContext, case: Case) -> st.SearchStrategy[Case]:
        """Half the cases with schema-valid path parameters ask for things that exist; half the schema-valid
        binary bodies are real files."""
        return st.one_of(st.just(case), _with_existing_things(case, known))

    sent: Counter[tuple[str, int]] = Counter()

    def after_call(context: schemathesis.HookContext, case: Case, response: Response) -> None:
        sent[case.operation.label, response.status_code // 100] += 1

    schema.hook(flatmap_case)
    schema.hook(after_call)
    yield schema
    database = fuzzed_app.config["GONGWEN_SETTINGS"].effective_database_url.split(":")[0].split("+")[0]
    _report(request, sent, database=database)


def _report(request: pytest.FixtureRequest, sent: Counter[tuple[str, int]], *, database: str) -> None:
    """How much was sent, by status class: the figures a budget is set by."""
    operations = {label for label, _ in sent}
    by_class = Counter[int]()
    for (_, status_class), count in sent.items():
        by_class[status_class] += count
    classes = ", ".join(f"{count} {status_class}xx" for status_class, count in sorted(by_class.items()))
    line = (
        f"fuzzed {len(operations)} operations on {database} with {sum(sent.values())} requests ({classes}), "
        f"FUZZ_EXAMPLES={FUZZ_EXAMPLES} random examples each"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{line}")


def _with_existing_things(case: Case, known: Known) -> st.SearchStrategy[Case]:
    meta = case.meta
    path_choices = {name: known.for_parameter(name) for name in case.path_parameters or {}}
    fill_path = bool(path_choices) and all(path_choices.values())
    if meta is not None and meta.is_negative_at(ParameterLocation.PATH):
        fill_path = False
    real_file = known.files.get(case.media_type or "")
    if meta is not None and meta.is_negative_at(ParameterLocation.BODY):
        real_file = None
    if not fill_path and real_file is None:
        return st.just(case)

    def filled(path_parameters: dict[str, str]) -> Case:
        if fill_path:
            case.path_parameters = {**(case.path_parameters or {}), **path_parameters}
        if real_file is not None:
            case.body = real_file
        return case

    drawn = st.fixed_dictionaries({name: st.sampled_from(found) for name, found in path_choices.items()})
    return (drawn if fill_path else st.just({})).map(filled)


def problem_details(ctx: CheckContext, response: Response, case: Case) -> None:
    """Every 4xx and 5xx is application/problem+json with type, title, status and detail as service.api.problems
    writes them; a 422 names each field it is about."""
    if response.status_code < 400:
        return
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    assert media_type == PROBLEM_MEDIA_TYPE, f"{response.status_code} came as {media_type!r}, not {PROBLEM_MEDIA_TYPE}"
    body: Any = response.json()
    assert isinstance(body, dict), f"a problem is a JSON object, not {body!r}"
    missing = {"type", "title", "status", "detail"} - set(body)
    assert not missing, f"the problem has no {sorted(missing)}: {body}"
    assert body["status"] == response.status_code, f"status {body['status']} in a {response.status_code} answer"
    assert str(body["type"]).startswith("urn:gongwen:problem:"), f"type {body['type']!r}"
    if response.status_code == 422:
        errors = body.get("errors")
        assert errors and isinstance(errors, dict), f"a 422 lists what is wrong by field: {body}"
        unnamed = _fields_unnamed(body["detail"], errors)
        assert not unnamed, f"the detail names none of the fields: {body}"


def _fields_unnamed(detail: str, errors: dict[str, Any]) -> list[str]:
    """The fields of a 422 when its detail names none of them, by path or by its last step (meeting.start, start).

    "" stands for the body as a whole (not a JSON object), which has no name to give.
    """
    fields = [name for name in errors if name]
    if any(name in detail or name.rsplit(".", 1)[-1] in detail for name in fields):
        return []
    return fields


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    # Schema-valid path and query parameters are taken, schema-breaking ones refused.
    positive_data_acceptance,
    negative_data_rejection,
    missing_required_header,
    ignored_auth,
    unsupported_method,
    allow_header_conformance,
    problem_details,
]
# Free text is trimmed before its length is counted (a value of spaces alone is empty) and control characters are
# refused; a document's rules go beyond what JSON Schema can say (dates in order, 发文字号 forms, a seal needing its
# signatory, a real PDF or DOCX in an upload, a preview's variant being one its kind has). So where a request
# carries a body or a free-text query parameter, a schema-valid request may rightly be refused (422) and a padded
# value over maxLength rightly taken: these two checks would report JSON Schema's limits, not the service's
# mistakes. Every other operation (ids in the path, numbers, booleans and enums in the query) is checked by them.
FREE_TEXT_EXEMPT = (positive_data_acceptance, negative_data_rejection)

# Uploads are raw bytes, whatever they claim to be; schemathesis has no serializer of its own for these two.
schemathesis.serializer.alias([PDF_MEDIA_TYPE, DOCX_MEDIA_TYPE], "application/octet-stream")


def _takes_free_text(operation: APIOperation) -> bool:
    if len(operation.body) > 0:
        return True
    for parameter in operation.query:
        described = parameter.definition.get("schema", {})
        if described.get("type") == "string" and not {"enum", "pattern", "format"} & set(described):
            return True
    return False


schema = schemathesis.pytest.from_fixture("api_schema")


# werkzeug's test client warns when it is asked to send a cookie over 4 KB (a fuzzed session cookie); the warning
# is about the client, and the service answering such a cookie is what is under test.
@pytest.mark.filterwarnings("ignore:The 'gongwen_session' cookie is too large:UserWarning")
@schema.parametrize()
def test_every_operation_answers_as_documented(case: Case) -> None:
    operation = case.operation
    exempt: set[CheckFunction] = set()
    if _takes_free_text(operation):
        exempt.update(FREE_TEXT_EXEMPT)
    case.call_and_validate(checks=[check for check in CHECKS if check not in exempt])
