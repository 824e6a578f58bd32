"""Fixtures shared by the whole suite: the app with test settings and the shared example bodies."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import PROJECT_ROOT, Settings
from service.conversion import ConversionPool

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
def notice_body() -> Callable[..., dict[str, Any]]:
    """The shared example notice, deep-copied, with dotted-path overrides applied (None deletes)."""

    def build(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(load_example("meeting-notice"))
        for dotted, value in overrides.items():
            set_path(body, dotted.split("__"), value)
        return body

    return build


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
