"""Gongwen: meeting paperwork as GB/T 9704-2012 documents, from JSON."""

from __future__ import annotations

from flask import Flask

from service.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask application; tests pass their own settings, production reads GONGWEN_* once."""
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
    app.config["GONGWEN_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from service.api import register_api

    register_api(app, settings)
    return app
