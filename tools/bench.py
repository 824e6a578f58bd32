"""Benchmark: server-side render time of the example notice (`make bench`); prints a table.

Measures in-process, so the numbers are the service's own work without network noise:
  validate+render  the document pipeline (schema, context, template fill, deterministic zip)
  HTTP (Flask)     the same through the WSGI app with the Flask test client
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.config import Settings  # noqa: E402
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "examples"


def measure(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm caches: template parse, jieba dictionary
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def summarise(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"| {name:<28} | {len(timings):>4} | {ordered[0]:7.2f} | {statistics.median(ordered):7.2f} "
        f"| {p95:7.2f} | {ordered[-1]:7.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    args = parser.parse_args()

    body = json.loads((args.examples / "meeting-notice.json").read_text(encoding="utf-8"))
    settings = Settings()
    catalog = TemplateCatalog(settings.templates_dir)
    client = create_app(settings).test_client()

    def pipeline() -> object:
        return render_document(catalog, "meeting-notice", body, OutputFormat.DOCX)

    def http() -> object:
        response = client.post("/api/v1/documents/meeting-notice", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    print("| measurement (meeting-notice.json, DOCX) |    n |  min ms | median ms | p95 ms |  max ms |")
    print("|---|---|---|---|---|---|")
    print(summarise("validate+render (pipeline)", measure(pipeline, args.repeat)))
    print(summarise("HTTP POST (Flask test client)", measure(http, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
