"""Black's time on the rendered client files, with and without the layout filter.

For each spec, the package is rendered (not formatted) twice: with the client templates of
``--base`` (default: where this branch left main), which emit one-line statements for black
to split, and with the current ones, which lay statements out as black would
(``generator/layout.py``). Black then formats ``client.py`` and ``_endpoints.py`` in this
process, one file at a time (one core, no cache), ``--runs`` times; the table gives medians,
the number of lines black changed, black on its own output (the floor) and the render time
(the filter runs there). Nothing is asserted.

    .venv/bin/python bench/format_input.py [--runs 3] [--base REV] [--spec seed|openai|PATH ...]
"""

from __future__ import annotations

import argparse
import difflib
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["OAPIGEN_CACHE_DIR"] = "off"

from generator.config import Job  # noqa: E402
from generator.format import _format_one  # noqa: E402
from generator.pipeline import build  # noqa: E402
from generator.render import render_package  # noqa: E402

SPECS = {
    "seed": (ROOT / "specs" / "agent-server.json", ROOT / "specs" / "agent-server.overlay.yaml"),
    "openai": (ROOT.parent / "shared" / "specs" / "openai.yaml", None),
}
FILES = ("client.py", "_endpoints.py")
TEMPLATES = ("client.py.jinja", "_client_macros.jinja", "_endpoints.py.jinja")


def _median_time(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()  # not the garbage of the previous measurement
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _changed(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))


def _old_templates(base: str, folder: Path) -> tuple[Path, ...]:
    for name in TEMPLATES:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{base}:templates/{name}"], capture_output=True, text=True, check=True
        ).stdout
        (folder / name).write_text(text, encoding="utf-8")
    return (folder,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", default=None, help="git revision of the templates to compare with")
    parser.add_argument("--spec", action="append", help="seed, openai or a path (default: seed and openai)")
    args = parser.parse_args()
    base = args.base or subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()
    _format_one("x = 1\n")  # import black before timing
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; base {base[:10]}; median of {args.runs}")
    print(f"{'spec':8} {'file':14} {'':7} {'render':>7} {'black':>7} {'floor':>7} {'changed':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        old = _old_templates(base, Path(tmp))
        for spec in args.spec or list(SPECS):
            path, overlay = SPECS.get(spec, (Path(spec), None))
            job = Job(spec=path, overlay=overlay, output=Path(tmp) / "out", package="bench")
            api, models_source, _ = build(job)
            for label, templates in (("before", old), ("after", ())):
                rendered: dict[str, str] = {}
                render_time = _median_time(
                    args.runs, lambda t=templates, r=rendered, a=api, m=models_source: r.update(render_package(a, m, templates=t))
                )
                for name in FILES:
                    text = rendered[name]
                    formatted = _format_one(text)
                    black_time = _median_time(args.runs, lambda text=text: _format_one(text))
                    floor = _median_time(args.runs, lambda text=formatted: _format_one(text))
                    shown = f"{render_time:7.2f}" if name == FILES[0] else " " * 7
                    print(
                        f"{Path(spec).stem[:8]:8} {name:14} {label:7} {shown} {black_time:7.2f} {floor:7.2f} "
                        f"{_changed(text, formatted):8}"
                    )
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")


if __name__ == "__main__":
    main()
