"""Gongwen: meeting paperwork as GB/T 9704-2012 documents, from JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from service.config import Settings

if TYPE_CHECKING:
    # Only for the annotation: importing the pipeline here would make `import schemas.x` circular
    # (schemas.fields → service.errors → service → pipeline → schemas.fields).
    from service.documents.pipeline import Converter


def create_app(settings: Settings | None = None, *, converter: Converter | None = None) -> Flask:
    """The Flask application; tests pass their own settings, production reads GONGWEN_* once.

    Without a `converter` the app gets the LibreOffice pool its settings describe, started by the
    first PDF; `gongwen serve` warms it before taking requests.
    """
    settings = settings or Settings.from_environment()
    if converter is None:
        from service.conversion import pool_from_settings

        converter = pool_from_settings(settings)
    app = Flask(__name__)
    app.config["GONGWEN_SETTINGS"] = settings
    app.extensions["gongwen.converter"] = converter
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from service.api import register_api

    register_api(app, settings)
    return app
