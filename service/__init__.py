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
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only as many X-Forwarded-* entries as there are proxies are believed; a client cannot add its own.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config["GONGWEN_SETTINGS"] = settings
    app.extensions["gongwen.converter"] = converter
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # Keys in the order they were written: a kind's JSON Schema lists its fields in the document's order,
    # which is the order the pages lay out the form in.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _open_storage(app, settings)

    from service.access.requests import install_access_control, load_secret_key

    install_access_control(app, load_secret_key(settings.secret_key, settings.data_dir))

    from service.api import register_api

    register_api(app, settings)

    from service.web import register_web

    register_web(app)
    return app


def _open_storage(app: Flask, settings: Settings) -> None:
    """The registry's database (migrated when GONGWEN_AUTO_MIGRATE=on) and the file store.

    Reservations and Idempotency-Key claims that a dead process left behind are cleared here, once per
    start: a number it had reserved shows in the register as voided (中断 / interrupted).
    """
    import logging

    from service.errors import StorageUnavailableError
    from service.storage.database import Database
    from service.storage.files import FileStore
    from service.storage.registry import release_stale_claims, void_interrupted_reservations

    log = logging.getLogger(__name__)
    database = Database.from_settings(settings)
    if settings.auto_migrate == "on":
        database.migrate()
    try:
        if database.revision() is None:
            log.warning("the registry's database has no schema yet: run `gongwen db upgrade`")
        else:
            for number in void_interrupted_reservations(database):
                log.warning("voided interrupted reservation %s %s serial %s", number.prefix, number.year, number.serial)
            release_stale_claims(database)
    except StorageUnavailableError:
        # Stateless rendering still works without the database; the registry's routes answer 503 until it is back.
        log.exception("the registry's start-up clean-up could not run")
    app.extensions["gongwen.database"] = database
    app.extensions["gongwen.files"] = FileStore(settings.files_dir)

    from service.jobs.queue import JobQueue

    # Only enqueues: `gongwen worker` (started beside the server by `make run`) carries the runs out.
    app.extensions["gongwen.jobs"] = JobQueue.from_settings(settings)
