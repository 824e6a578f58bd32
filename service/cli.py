"""The `gongwen` command: serve the API, or render a document from a JSON file."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.errors import GongwenError, PayloadInvalidError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongwen", description="会务公文服务 / Gongwen document service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    serve.set_defaults(handler=_serve)

    render = commands.add_parser("render", help="render one document from a JSON body")
    render.add_argument("kind", help="document kind, e.g. meeting-notice")
    render.add_argument("body", help="JSON file with the request body, or - for standard input")
    render.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    render.set_defaults(handler=_render)

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
    from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
    from service.errors import MalformedBodyError, UnsupportedFormatError, bilingual

    output = Path(args.output)
    try:
        output_format = OutputFormat(output.suffix.lstrip(".").lower())
    except ValueError:
        raise UnsupportedFormatError(
            bilingual("输出文件扩展名应为.docx或.pdf", f"the output must end in .docx or .pdf: {output}")
        ) from None
    raw = sys.stdin.read() if args.body == "-" else Path(args.body).read_text(encoding="utf-8")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedBodyError(bilingual("请求体不是有效的JSON", f"the body is not valid JSON: {exc}")) from exc
    settings = Settings.from_environment()
    document = render_document(TemplateCatalog(settings.templates_dir), args.kind, payload, output_format)
    for correction in document.corrections:
        print(f"gongwen: {correction.field}: {correction.message}", file=sys.stderr)
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

    settings = Settings.from_environment()

    class GongwenServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("graceful_timeout", 30)

        def load(self) -> Any:
            return create_app(settings)

    print(f"gongwen: serving on http://{args.host}:{args.port} with {args.workers} workers", flush=True)
    GongwenServer().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
