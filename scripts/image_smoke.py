"""Smoke test of a running Gongwen container for `make image`: readiness, health, one real PDF and its fonts.

Standard library only, plus poppler's pdfinfo and pdffonts on the host, so it checks the image with tools
that are not the image's own and runs before any .venv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# GB/T 9704-2012 5.2.1: A4, 210 × 297 mm.
A4_POINTS = (595.3, 841.9)
# The open fonts fonts/fonts.conf maps the official names to (ADR 0004), as their embedded names begin.
# NOTE: Debian's Noto CJK files are collections whose faces share one CFF table, named after the Japanese
# face, so the Simplified Chinese face LibreOffice picked is embedded as "NotoSerifCJKjp-Bold-…".
MAPPED_FONTS = ("FandolFang-", "FandolKai-", "NotoSerifCJKjp-", "NotoSansCJKjp-", "LiberationSerif")
# Body (仿宋_GB2312 → FandolFang) and title (方正小标宋简体 → Noto Serif CJK Bold): every notice has both.
REQUIRED_FONTS = ("FandolFang-Regular", "NotoSerifCJKjp-Bold")


class SmokeError(Exception):
    """A check failed; the message says which and what was seen."""


def wait_until_ready(base_url: str, started: float, timeout: float) -> float:
    """Poll /readyz until it answers 200 with every check ok; the seconds since `started`."""
    last = "no answer"
    while time.time() - started < timeout:
        try:
            status, body = _get_json(f"{base_url}/readyz")
        except (OSError, ValueError) as error:
            last = str(error)
        else:
            if status == 200:
                _check_readiness(body)
                return time.time() - started
            last = f"{status} {json.dumps(body, ensure_ascii=False)[:300]}"
        time.sleep(0.5)
    raise SmokeError(f"/readyz not ready after {timeout:.0f} s: {last}")


def _check_readiness(body: dict[str, Any]) -> None:
    checks = body.get("checks", {})
    if body.get("status") != "ready" or not all(check.get("ok") for check in checks.values()):
        raise SmokeError(f"/readyz answered 200 but not ready: {body}")
    # `gongwen serve` warms its pool before taking requests: every worker has its LibreOffice running.
    workers = checks["converter"]["state"]["workers"]
    if not workers or not all(worker.get("soffice_pid") for worker in workers):
        raise SmokeError(f"/readyz: converter workers without a LibreOffice: {workers}")


def check_document(base_url: str, key: str, body_file: Path, out: Path) -> str:
    """Health, then one meeting notice as PDF; a one-line summary of what the PDF holds."""
    status, health = _get_json(f"{base_url}/healthz")
    if status != 200 or health != {"status": "ok"}:
        raise SmokeError(f"/healthz: {status} {health}")
    request = urllib.request.Request(
        f"{base_url}/api/v1/documents/meeting-notice?format=pdf",
        data=body_file.read_bytes(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    started = time.time()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            pdf, mimetype = response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise SmokeError(f"POST meeting-notice: {error.code} {error.read()[:500]!r}") from error
    seconds = time.time() - started
    if mimetype != "application/pdf" or not pdf.startswith(b"%PDF-"):
        raise SmokeError(f"POST meeting-notice: {mimetype}, starts {pdf[:16]!r}")
    out.write_bytes(pdf)
    pages, size = _pages_and_size(out)
    if abs(size[0] - A4_POINTS[0]) > 1 or abs(size[1] - A4_POINTS[1]) > 1:
        raise SmokeError(f"page size {size[0]} × {size[1]} pt, expected A4 {A4_POINTS[0]} × {A4_POINTS[1]}")
    fonts = _embedded_fonts(out)
    return (
        f"PDF {len(pdf)} bytes (sha256 {hashlib.sha256(pdf).hexdigest()[:16]}) in {seconds:.1f} s,"
        f" {pages} pages of {size[0]:g} × {size[1]:g} pt, fonts {', '.join(fonts)}"
    )


def _pages_and_size(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    if pages is None or size is None:
        raise SmokeError(f"pdfinfo: no page count or size in {info!r}")
    return int(pages[1]), (float(size[1]), float(size[2]))


def _embedded_fonts(pdf: Path) -> list[str]:
    """The fonts' names without their subset tags; fails on any not embedded or not one of the mapped ones."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = []
    for line in listing.splitlines()[2:]:
        # name type… encoding emb sub uni object-id generation: the name has no spaces, the flags are fixed.
        columns = line.split()
        name, embedded = re.sub(r"^[A-Z]{6}\+", "", columns[0]), columns[-5]
        if embedded != "yes":
            raise SmokeError(f"font {name} is not embedded")
        if not name.startswith(MAPPED_FONTS):
            raise SmokeError(f"font {name} is not one of the mapped open fonts (a fallback?): {listing}")
        names.append(name)
    for required in REQUIRED_FONTS:
        if not any(name.startswith(required) for name in names):
            raise SmokeError(f"no {required} among the embedded fonts {names}")
    return sorted(set(names))


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ready = commands.add_parser("ready", help="wait for /readyz; print the seconds since --started")
    ready.add_argument("base_url")
    ready.add_argument("--started", type=float, required=True, help="when the container was started (epoch s)")
    ready.add_argument("--timeout", type=float, default=180)
    document = commands.add_parser("document", help="healthz, one PDF (API key in GONGWEN_SMOKE_KEY)")
    document.add_argument("base_url")
    document.add_argument("--body", type=Path, required=True)
    document.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "ready":
            print(f"{wait_until_ready(args.base_url, args.started, args.timeout):.1f}")
        else:
            print(check_document(args.base_url, os.environ["GONGWEN_SMOKE_KEY"], args.body, args.out))
    except SmokeError as error:
        print(f"image smoke test: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
