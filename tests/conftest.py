"""Fixtures shared by the whole suite: the app with test settings and the example bodies of every kind."""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.access.accounts import create_key
from service.access.roles import Role
from service.config import PROJECT_ROOT, Settings
from service.conversion import ConversionPool
from tests.servers import PostgresServer, RedisServer, ServerError

# The example bodies are a contract with office systems; CI checks them out beside the repository.
EXAMPLES_DIR = Path(os.environ.get("GONGWEN_EXAMPLES_DIR", PROJECT_ROOT.parent / "shared" / "examples"))


# Kinds the office systems did not send an example for have ours, designed in the same style.
OWN_EXAMPLES_DIR = PROJECT_ROOT / "schemas" / "examples"


def load_example(kind: str) -> dict[str, Any]:
    path = EXAMPLES_DIR / f"{kind}.json"
    if not path.is_file():
        path = OWN_EXAMPLES_DIR / f"{kind}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no example body for {kind}: shared/examples must sit beside the repository, or add {path}"
        )
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return body


@pytest.fixture(scope="session")
def conversion_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConversionPool]:
    """Two warm LibreOffice workers shared by the whole session (the real converter, never a mock).

    Never skipped: without LibreOffice or Debian's python3-uno, start() raises ConversionError saying
    what is missing, and every test using it errors with that message.
    """
    pool = ConversionPool(size=2, work_dir=tmp_path_factory.mktemp("conversion-pool"))
    pool.start()
    yield pool
    pool.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings, conversion_pool: ConversionPool) -> Iterator[Flask]:
    yield create_app(settings, converter=conversion_pool)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def anonymous_client(app: Flask) -> FlaskClient:
    """A client with no credentials at all (the others act as an administrator; see AdminClient)."""
    return FlaskClient(app, app.response_class, use_cookies=True)


class AdminClient(FlaskClient):
    """Every app's test client acts as an administrator (who passes every role check) unless the test sends its
    own Authorization header: most tests are about documents, not about who may ask for them. Access control has
    its own tests (tests/access, tests/api/test_access.py), which use anonymous_client and real role keys.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if "HTTP_AUTHORIZATION" not in self.environ_base:
            token = _admin_token(self.application)
            if token is not None:
                self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return super().open(*args, **kwargs)


_ADMIN_TOKEN_LOCK = threading.Lock()


def _admin_token(app: Flask) -> str | None:
    """One admin key per app, made on first use; None while the app's database has no schema (those tests
    are about /healthz and /readyz, which need no key)."""
    with _ADMIN_TOKEN_LOCK:
        if "tests.admin_token" not in app.extensions:
            database = app.extensions["gongwen.database"]
            if database.revision() is None:
                return None
            issued = create_key(database, name="tests", roles=[Role.ADMIN], actor="tests")
            app.extensions["tests.admin_token"] = issued.token
        token: str = app.extensions["tests.admin_token"]
        return token


@pytest.fixture(autouse=True, scope="session")
def _admin_test_clients() -> Iterator[None]:
    previous = Flask.test_client_class
    Flask.test_client_class = AdminClient
    yield
    Flask.test_client_class = previous


BodyFactory = Callable[..., dict[str, Any]]


def body_for(kind: str) -> BodyFactory:
    """A factory of `kind`'s example body: each call deep-copies it and applies the keyword overrides.

    An override's name is a path with "__" between its steps (`meeting__start`, `articles__0__title`);
    None deletes the key. `body_for("meeting-minutes")(cc=None, decisions__0__text="…")`.
    """

    def build(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(load_example(kind))
        for dotted, value in overrides.items():
            set_path(body, dotted.split("__"), value)
        return body

    return build


# One fixture a kind, for the tests that take the factory as an argument.


@pytest.fixture
def notice_body() -> BodyFactory:
    return body_for("meeting-notice")


@pytest.fixture
def minutes_body() -> BodyFactory:
    return body_for("meeting-minutes")


@pytest.fixture
def feedback_slip_body() -> BodyFactory:
    return body_for("minutes-feedback-slip")


@pytest.fixture
def brief_body() -> BodyFactory:
    return body_for("meeting-brief")


@pytest.fixture
def reply_slip_body() -> BodyFactory:
    return body_for("reply-slip")


@pytest.fixture
def sheet_body() -> BodyFactory:
    return body_for("sign-in-sheet")


@pytest.fixture
def cover_body() -> BodyFactory:
    return body_for("archive-cover")


@pytest.fixture
def stamp_body() -> BodyFactory:
    return body_for("archive-stamp")


def set_path(body: dict[str, Any], path: list[str], value: Any) -> None:
    target: Any = body
    for key in path[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = path[-1]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is None:
        target.pop(last, None)
    else:
        target[last] = value


# --- Private PostgreSQL and Redis servers (tests/servers.py), one each per session --------------------------


def _private_postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL; `postgres_server.create_database()` gives another fresh database's URL.

    Never skipped: without Debian's postgresql every test using it fails with the command that installs it.
    """
    yield from _private_postgres()


@pytest.fixture
def restartable_postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL of the test's own, which it may shut down and start again (shut_down, start_again).

    Not the session's server: restarting that would cut the connections of whatever else uses it.
    """
    yield from _private_postgres()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh PostgreSQL database for the session: postgresql+psycopg://postgres@127.0.0.1:<port>/<name>."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private redis-server without persistence: redis://127.0.0.1:<port>/0. Never skipped, as above."""
    try:
        server = RedisServer()
        server.start()
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    yield server.url
    server.stop()
