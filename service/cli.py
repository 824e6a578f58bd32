"""The `gongwen` command: serve the API, or render a document from a JSON file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from service.access.roles import Role
from service.errors import GongwenError, PayloadInvalidError

ROLE_CHOICES = [role.value for role in Role]
CLI_ACTOR = "cli"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongwen", description="会务公文服务 / Gongwen document service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    # One process with threads: the process owns one warm LibreOffice pool (GONGWEN_CONVERTERS, one per
    # core); more processes would each start their own pool and multiply the memory.
    serve.add_argument("--workers", type=int, default=1, help="processes, each with its own converter pool")
    serve.add_argument(
        "--threads",
        type=int,
        help="request threads per process (default GONGWEN_SERVE_THREADS, else converters + their queue + 48)",
    )
    serve.set_defaults(handler=_serve)

    render = commands.add_parser("render", help="render one document from a JSON body")
    render.add_argument("kind", help="document kind, e.g. meeting-notice")
    render.add_argument("body", help="JSON file with the request body, or - for standard input")
    render.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    render.set_defaults(handler=_render)

    worker = commands.add_parser("worker", help="carry out archive runs from the job queue (huey)")
    worker.set_defaults(handler=_worker)

    archive = commands.add_parser("archive", help="file the documents a manifest lists into one archive box")
    archive.add_argument("manifest", help="JSON: {filing: {...}, documents: [{kind, body} | {file, title, ...}]}")
    archive.add_argument("--out", required=True, help="directory for the results (and the run's state, to resume)")
    archive.set_defaults(handler=_archive)

    fonts = commands.add_parser("fonts", help="font checks")
    fonts_commands = fonts.add_subparsers(dest="fonts_command", required=True)
    fonts_check = fonts_commands.add_parser("check", help="print the file each official font name resolves to")
    fonts_check.set_defaults(handler=_fonts_check)

    db = commands.add_parser("db", help="the registry's database (GONGWEN_DATABASE_URL)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="migrate the database to the newest schema")
    db_upgrade.set_defaults(handler=_db_upgrade)

    keys = commands.add_parser("keys", help="API keys of office systems")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_create = keys_commands.add_parser("create", help="make a key; it is printed once, on standard output")
    keys_create.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES, help="repeat for several")
    keys_create.add_argument("--name", required=True, help="what the key is for, e.g. the office system's name")
    keys_create.set_defaults(handler=_keys_create)
    keys_list = keys_commands.add_parser("list", help="every key: id, roles, state, last use")
    keys_list.set_defaults(handler=_keys_list)
    keys_revoke = keys_commands.add_parser("revoke", help="revoke a key at once (by its id, or the whole key)")
    keys_revoke.add_argument("key", help="the key's id (12 hex digits) or the whole gw_… key")
    keys_revoke.set_defaults(handler=_keys_revoke)

    users = commands.add_parser("users", help="people who sign in to the pages")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    users_create = users_commands.add_parser("create", help="add a user; a generated password is printed once")
    users_create.add_argument("login")
    users_create.add_argument("--name", required=True, help="the person's name, e.g. 张三")
    users_create.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES, help="repeat for several")
    users_create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users_create.set_defaults(handler=_users_create)
    users_password = users_commands.add_parser("password", help="set a new password (ends the user's sessions)")
    users_password.add_argument("login")
    users_password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users_password.set_defaults(handler=_users_password)
    users_disable = users_commands.add_parser("disable", help="disable a user (ends their sessions at once)")
    users_disable.add_argument("login")
    users_disable.set_defaults(handler=_users_disable)
    users_list = users_commands.add_parser("list", help="every user: login, name, roles, state")
    users_list.set_defaults(handler=_users_list)

    templates = commands.add_parser("templates", help="template versions: list, upload, activate, roll back")
    templates_commands = templates.add_subparsers(dest="templates_command", required=True)
    templates_list = templates_commands.add_parser("list", help="every kind's active version, or one kind's versions")
    templates_list.add_argument("kind", nargs="?", help="a document kind, e.g. meeting-notice")
    templates_list.set_defaults(handler=_templates_list)
    templates_upload = templates_commands.add_parser(
        "upload", help="check and store a new version (variants not given stay as in the active version)"
    )
    templates_upload.add_argument("kind")
    templates_upload.add_argument("files", nargs="+", metavar="VARIANT=FILE", help="e.g. document=notice.docx")
    templates_upload.add_argument("--reason", required=True, help="what changed and why")
    templates_upload.add_argument("--activate", action="store_true", help="activate it at once when its lint is clean")
    templates_upload.set_defaults(handler=_templates_upload)
    templates_activate = templates_commands.add_parser("activate", help="make a version the active one")
    templates_activate.add_argument("kind")
    templates_activate.add_argument("version", type=int)
    templates_activate.add_argument("--reason", required=True)
    templates_activate.set_defaults(handler=_templates_activate)
    templates_rollback = templates_commands.add_parser(
        "rollback", help="activate again the version that was active before the current one"
    )
    templates_rollback.add_argument("kind")
    templates_rollback.add_argument("--reason", required=True)
    templates_rollback.set_defaults(handler=_templates_rollback)
    templates_download = templates_commands.add_parser("download", help="write one variant of a version to a file")
    templates_download.add_argument("kind")
    templates_download.add_argument("version", type=int)
    templates_download.add_argument("variant", nargs="?", default="document")
    templates_download.add_argument("-o", "--output", required=True)
    templates_download.set_defaults(handler=_templates_download)

    lint = commands.add_parser("lint", help="check a DOCX against GB/T 9704-2012; exit 1 when it has errors")
    lint.add_argument("file", help="the DOCX file")
    lint.add_argument("--json", action="store_true", help="print the report as JSON")
    lint.set_defaults(handler=_lint)

    bootstrap = commands.add_parser(
        "bootstrap", help="on a database with no users and no keys, create the first admin and print its credentials"
    )
    bootstrap.set_defaults(handler=_bootstrap)

    args = parser.parse_args(argv)
    handler: Any = args.handler
    try:
        return int(handler(args))
    except GongwenError as error:
        _report(error)
        return 2 if isinstance(error, PayloadInvalidError) else 1


def _report(error: GongwenError) -> None:
    print(f"gongwen: {error.detail}", file=sys.stderr)
    for path, messages in error.errors.items():
        for message in messages:
            print(f"  {path or '(body)'}: {message}", file=sys.stderr)


def _render(args: argparse.Namespace) -> int:
    from service.config import Settings
    from service.documents.pipeline import OutputFormat, render_document
    from service.errors import MalformedBodyError, UnsupportedFormatError, bilingual

    output = Path(args.output)
    suffix = output.suffix.lstrip(".").lower()
    try:
        # .zip: a kind that makes one DOCX per part (e.g. one 反馈单 per unit) bundles them.
        output_format = OutputFormat.DOCX if suffix == "zip" else OutputFormat(suffix)
    except ValueError:
        raise UnsupportedFormatError(
            bilingual("输出文件扩展名应为.docx、.zip或.pdf", f"the output must end in .docx, .zip or .pdf: {output}")
        ) from None
    raw = sys.stdin.read() if args.body == "-" else Path(args.body).read_text(encoding="utf-8")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedBodyError(bilingual("请求体不是有效的JSON", f"the body is not valid JSON: {exc}")) from exc
    settings = Settings.from_environment()
    converter = None
    if output_format is OutputFormat.PDF:
        from service.conversion import pool_from_settings

        converter = pool_from_settings(replace(settings, converters=1))
    try:
        document = render_document(_catalog(settings), args.kind, payload, output_format, converter)
    finally:
        if converter is not None:
            converter.stop()
    for correction in document.corrections:
        print(f"gongwen: {correction.field}: {correction.message}", file=sys.stderr)
    produced = document.filename.rsplit(".", 1)[-1]
    if produced != suffix:
        raise UnsupportedFormatError(
            bilingual(f"此文书生成.{produced}文件，请改用该扩展名", f"this body makes a .{produced} file: name it so")
        )
    # Written beside the target and renamed, so a failure never leaves half a file at the name asked for.
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_bytes(document.content)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    print(f"{output} ({len(document.content)} bytes, sha256 {document.sha256})")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication

    from service import create_app
    from service.config import Settings
    from service.typography.title import load_dictionary

    settings = Settings.from_environment()
    options = _gunicorn_options(args, settings)

    class GongwenServer(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            # Runs in each worker process after the fork, so every process warms its own pool, and the
            # title dictionary (0.4 s) is loaded before the first request rather than during it.
            app = create_app(settings)
            app.wsgi_app = _one_conversion_request_each(app.wsgi_app)  # type: ignore[method-assign]
            app.extensions["gongwen.converter"].warm()
            load_dictionary()
            return app

    threads = options["threads"]
    print(
        f"gongwen: serving on http://{args.host}:{args.port} with {args.workers} workers × {threads} threads",
        flush=True,
    )
    GongwenServer().run()
    return 0


def _gunicorn_options(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """gunicorn's settings for `gongwen serve`: gthread, with threads to spare beside the conversions."""
    from service.config import serve_threads_problems
    from service.errors import ConfigurationError

    threads = args.threads or settings.effective_serve_threads
    problems = serve_threads_problems(threads, settings)
    if problems:
        raise ConfigurationError("; ".join(problems), errors={"threads": problems})
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": "gthread",
        # A request waits for a thread outside the application, in gthread's queue, where nothing can answer
        # 503; so every request the pool may hold gets a thread, and 48 more remain (ADR 0020).
        "threads": threads,
        "accesslog": "-",
        "graceful_timeout": 30,
        "worker_exit": _stop_converter,
    }


def _one_conversion_request_each(wsgi_app: Any) -> Any:
    """WSGI middleware: the conversions of one HTTP request are admitted, or refused with 503, as a whole."""
    from service.conversion import conversion_request

    def application(environ: Any, start_response: Any) -> Any:
        with conversion_request():
            return wsgi_app(environ, start_response)

    return application


def _stop_converter(_server: Any, worker: Any) -> None:
    """gunicorn's worker_exit hook: no LibreOffice outlives the process that started it."""
    app = getattr(worker, "wsgi", None)
    if app is not None:
        app.extensions["gongwen.converter"].stop()


def _worker(_args: argparse.Namespace) -> int:
    import logging

    from service.config import Settings
    from service.jobs.worker import run_worker

    settings = Settings.from_environment()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_worker(settings)
    return 0


def _archive(args: argparse.Namespace) -> int:
    from service.config import Settings
    from service.jobs.local_run import archive_locally

    result = archive_locally(Settings.from_environment(), Path(args.manifest), Path(args.out))
    print(f"gongwen: {result.items} 件, {result.pages} pages, failures: {len(result.failures)} -> {args.out}")
    for failure in result.failures:
        print(f"  {failure.position + 1}. {failure.title}: {failure.reason}", file=sys.stderr)
    return 0 if not result.failures else 3


def _fonts_check(args: argparse.Namespace) -> int:
    from service.config import Settings
    from service.conversion.fonts import check_fonts

    settings = Settings.from_environment()
    resolutions = check_fonts(settings.fonts_config)
    for font in resolutions:
        mark = "ok " if font.ok else "BAD"
        print(f"{mark} {font.official_name:<16} -> {font.family} {font.style} ({font.file})")
        if not font.ok:
            print(f"    expected {font.expected_family} {font.expected_style}", file=sys.stderr)
    return 0 if all(font.ok for font in resolutions) else 1


def _db_upgrade(_args: argparse.Namespace) -> int:
    """Run once per deployment when GONGWEN_AUTO_MIGRATE=off (several machines sharing one PostgreSQL)."""
    from service.config import Settings
    from service.storage.database import Database

    database = Database.from_settings(Settings.from_environment())
    try:
        before = database.revision()
        database.migrate()
        after = database.revision()
    finally:
        database.dispose()
    print(f"gongwen: database {database.url.render_as_string(hide_password=True)} at revision {after} (was {before})")
    return 0


def _database() -> Any:
    from service.config import Settings
    from service.storage.database import Database

    return Database.from_settings(Settings.from_environment())


def _keys_create(args: argparse.Namespace) -> int:
    from service.access.accounts import create_key

    issued = create_key(_database(), name=args.name, roles=[Role(r) for r in args.role], actor=CLI_ACTOR)
    print(
        f"gongwen: key {issued.record.id} ({issued.record.name}) with roles {', '.join(issued.record.roles)};"
        " it is shown this once",
        file=sys.stderr,
    )
    print(issued.token)
    return 0


def _keys_list(_args: argparse.Namespace) -> int:
    from service.storage.accounts import list_keys

    for key in list_keys(_database()):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        print(f"{key.id}  {state:<24} {','.join(key.roles):<24} used {used:<16}  {key.name}")
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from service.access.accounts import revoke_key
    from service.access.credentials import parse_api_key

    parsed = parse_api_key(args.key)
    key = revoke_key(_database(), parsed[0] if parsed else args.key, actor=CLI_ACTOR)
    print(f"gongwen: key {key.id} ({key.name}) revoked at {key.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from service.access.accounts import create_user

    created = create_user(
        _database(),
        login=args.login,
        name=args.name,
        roles=[Role(r) for r in args.role],
        password=_password_from_stdin() if args.password_stdin else None,
        actor=CLI_ACTOR,
    )
    print(f"gongwen: user {created.record.login} ({created.record.name}) with roles {', '.join(created.record.roles)}")
    if not args.password_stdin:
        print(f"password: {created.password}")
    return 0


def _users_password(args: argparse.Namespace) -> int:
    from service.access.accounts import reset_password

    password = _password_from_stdin() if args.password_stdin else None
    changed = reset_password(_database(), args.login, password=password, actor=CLI_ACTOR)
    print(f"gongwen: new password for {changed.record.login}; their sessions have ended")
    if password is None:
        print(f"password: {changed.password}")
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    from service.access.accounts import disable_user

    user = disable_user(_database(), args.login, actor=CLI_ACTOR)
    print(f"gongwen: user {user.login} disabled; their sessions have ended")
    return 0


def _users_list(_args: argparse.Namespace) -> int:
    from service.storage.accounts import list_users

    for user in list_users(_database()):
        state = f"disabled {user.disabled_at:%Y-%m-%d}" if user.disabled_at else "active"
        print(f"{user.login:<20} {state:<20} {','.join(user.roles):<24} {user.name}")
    return 0


def _bootstrap(_args: argparse.Namespace) -> int:
    """`make run` calls this on every start; it prints credentials only on the start that creates them."""
    from service.access.accounts import create_first_admin

    first = create_first_admin(_database())
    if first is None:
        return 0
    print(
        "gongwen: first administrator created; keep these, they are shown only now\n"
        f"  sign in:  login {first.user.record.login}  password {first.user.password}\n"
        f"  API key:  {first.key.token}\n"
        "  more:     gongwen users create LOGIN --name NAME --role clerk\n"
        "            gongwen keys create --name NAME --role submitter"
    )
    return 0


# --- templates --------------------------------------------------------------------------------------------


def _catalog(settings: Any) -> Any:
    """The templates at their active versions; only the built-in ones while the database has no schema yet."""
    from service.documents.templates import TemplateCatalog, TemplateVersions
    from service.storage.database import Database
    from service.storage.files import FileStore

    database = Database.from_settings(settings)
    if settings.auto_migrate == "on":
        database.migrate()  # as `gongwen serve` and `gongwen worker` do
    if database.revision() is None:
        # No schema, so no uploaded version can exist: the built-in templates are the active ones.
        return TemplateCatalog(settings.templates_dir)
    return TemplateCatalog(settings.templates_dir, TemplateVersions(database, FileStore(settings.files_dir)))


def _registry_catalog() -> Any:
    from service.config import Settings
    from service.documents.templates import TemplateCatalog, TemplateVersions
    from service.storage.files import FileStore

    settings = Settings.from_environment()
    return TemplateCatalog(settings.templates_dir, TemplateVersions(_database(), FileStore(settings.files_dir)))


def _cli_audit(action: str) -> Any:
    from service.storage.accounts import AuditEntry

    return AuditEntry(CLI_ACTOR, action)


def _templates_list(args: argparse.Namespace) -> int:
    from service.documents import template_versions

    catalog = _registry_catalog()
    if args.kind is None:
        for kind, label, active in template_versions.all_kind_templates(catalog):
            print(f"{kind:<24} v{active:<4} {label}")
        return 0
    templates = template_versions.kind_templates(catalog, args.kind)
    variants = ", ".join(templates.variants)
    print(f"{templates.kind} ({templates.label}): active version {templates.active}; variants {variants}")
    print(f"  v1     built-in            {catalog.templates_dir / templates.kind}")
    for version in templates.versions:
        state = "active" if version.version == templates.active else ("ok" if version.activatable else "lint errors")
        uploaded = f"{version.uploaded_at:%Y-%m-%d %H:%M} {version.uploaded_by}"
        print(f"  v{version.version:<5} {state:<19} {uploaded}: {version.reason}")
    for activation in templates.activations:
        print(
            f"  {activation.activated_at:%Y-%m-%d %H:%M} {activation.activated_by} activated v{activation.version}"
            f" (was v{activation.previous_version}): {activation.reason}"
        )
    return 0


def _templates_upload(args: argparse.Namespace) -> int:
    from service.documents import template_versions
    from service.errors import PayloadInvalidError, bilingual

    files: dict[str, bytes] = {}
    for item in args.files:
        variant, separator, name = item.partition("=")
        if not separator:
            variant, name = "document", item
        try:
            files[variant] = Path(name).read_bytes()
        except OSError as exc:
            raise PayloadInvalidError(
                bilingual(f"无法读取{name}", f"cannot read {name}: {exc.strerror}"), errors={f"files.{variant}": [name]}
            ) from exc
    catalog = _registry_catalog()
    try:
        uploaded = template_versions.upload_version(
            catalog, args.kind, files, args.reason, _cli_audit("template.uploaded")
        )
    except GongwenError as error:
        for variant, report in getattr(error, "report", {}).items():
            _print_findings(f"{args.kind}/{variant}", report["findings"])
        raise
    for variant, report in uploaded.reports.items():
        _print_findings(f"{args.kind}/{variant}", report.as_dict()["findings"])
    stored = uploaded.version
    print(
        f"gongwen: {stored.kind} version {stored.version} stored"
        + ("" if stored.activatable else " (lint errors: it cannot be activated)")
    )
    if args.activate and stored.activatable:
        template_versions.activate_version(
            catalog, args.kind, stored.version, args.reason, _cli_audit("template.activated")
        )
        print(f"gongwen: {stored.kind} version {stored.version} is now active")
    return 0 if stored.activatable else 1


def _templates_activate(args: argparse.Namespace) -> int:
    from service.documents import template_versions

    activation = template_versions.activate_version(
        _registry_catalog(), args.kind, args.version, args.reason, _cli_audit("template.activated")
    )
    print(f"gongwen: {activation.kind} version {activation.version} is now active (was {activation.previous_version})")
    return 0


def _templates_rollback(args: argparse.Namespace) -> int:
    from service.documents import template_versions

    activation = template_versions.roll_back_version(
        _registry_catalog(), args.kind, args.reason, _cli_audit("template.rolled_back")
    )
    print(f"gongwen: {activation.kind} rolled back to version {activation.version} (was {activation.previous_version})")
    return 0


def _templates_download(args: argparse.Namespace) -> int:
    from service.documents import template_versions

    content = template_versions.version_file(_registry_catalog(), args.kind, args.version, args.variant)
    Path(args.output).write_bytes(content)
    print(f"gongwen: {args.kind} version {args.version} ({args.variant}) written to {args.output}")
    return 0


def _lint(args: argparse.Namespace) -> int:
    from service.documents import template_versions
    from service.errors import PayloadInvalidError, bilingual

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise PayloadInvalidError(
            bilingual(f"无法读取{args.file}", f"cannot read {args.file}: {exc.strerror}")
        ) from exc
    report = template_versions.lint_document(data)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_findings(args.file, report.as_dict()["findings"])
        print(f"{args.file}: {len(report.errors)} errors, {len(report.warnings)} warnings")
    return 0 if report.ok else 1


def _print_findings(name: str, findings: list[dict[str, Any]]) -> None:
    for finding in findings:
        numbers = ""
        if "measured" in finding:
            numbers = f" [measured {finding['measured']}" + (
                f", expected {finding['expected']}]" if "expected" in finding else "]"
            )
        where = f"\n    at {finding['where']}" if "where" in finding else ""
        print(f"{name}: {finding['severity']} {finding['code']}: {finding['message']}{numbers}{where}")


def _password_from_stdin() -> str:
    return sys.stdin.readline().rstrip("\n")


if __name__ == "__main__":
    raise SystemExit(main())
