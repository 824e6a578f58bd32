"""Build every built-in template (templates/<kind>/*.docx and manifest.json), deterministically.

Run `.venv/bin/python tools/build_templates.py` (or `make templates`); running it twice gives
byte-identical files. Each kind's builder is a module in tools/template_builder/ that exposes TEMPLATES.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import template_builder  # noqa: E402
from tools.template_builder.common import KindTemplates  # noqa: E402

TEMPLATES_DIR = ROOT / "templates"


def builders() -> dict[str, KindTemplates]:
    """Every kind's builder, by kind name."""
    found: dict[str, KindTemplates] = {}
    for module_info in pkgutil.iter_modules(template_builder.__path__):
        module = importlib.import_module(f"{template_builder.__name__}.{module_info.name}")
        templates = getattr(module, "TEMPLATES", None)
        if isinstance(templates, KindTemplates):
            found[templates.kind] = templates
    return dict(sorted(found.items()))


def build_all(out_dir: Path = TEMPLATES_DIR, kinds: Sequence[str] = ()) -> dict[str, Path]:
    """Write the templates of `kinds` (all when empty) into out_dir/<kind>/; returns the paths written."""
    available = builders()
    unknown = set(kinds) - set(available)
    if unknown:
        raise SystemExit(f"no template builder for {', '.join(sorted(unknown))}; known: {', '.join(available)}")
    written: dict[str, Path] = {}
    for name, templates in available.items():
        if not kinds or name in kinds:
            for filename, path in templates.write(out_dir / name).items():
                written[f"{name}/{filename}"] = path
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kinds", nargs="*", help="kinds to build (default: all)")
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR, help="templates folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in build_all(args.out, args.kinds).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
