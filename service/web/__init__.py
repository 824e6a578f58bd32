"""Browser pages for clerks: Jinja shells whose small scripts call the same /api/v1 as office systems."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
