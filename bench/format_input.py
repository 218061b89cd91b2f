"""Black's time on the rendered client, server and models files, with and without the layout.

For each spec, the package is rendered (not formatted) twice: "before" with the templates of
``--base`` (default: where this branch left main), the models modules as
datamodel-code-generator wrote them and black on each chunk as it was cut; "after" with the
current templates (statements laid out as black would, ``generator/render/black_layout.py``), the models
relaid out (``generator/models/relayout.py``) and black as :mod:`oapigen.render.format` runs it.
Black then formats ``client.py``, ``_endpoints.py``, ``server.py`` and the models modules
(together: ``models*``) in this process, chunk by chunk as the pipeline cuts them (one core,
no cache), ``--runs`` times; the table gives medians, the chunks and lines black changed,
black on its own output (the floor) and the render time (the layout runs there, serially).
Nothing is asserted.

    .venv/bin/python bench/format_input.py [--runs 3] [--base REV] [--spec seed|openai|PATH ...]
"""

from __future__ import annotations

import argparse
import difflib
import functools
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

import oapigen.models.package  # noqa: E402
from oapigen.render.format import _format_one, _mode, split_chunks  # noqa: E402
from oapigen.render.jinja import render_package  # noqa: E402
from oapigen.run.config import Job  # noqa: E402
from oapigen.run.pipeline import api_and_models  # noqa: E402

SPECS = {
    "seed": (ROOT / "specs" / "agent-server.json", ROOT / "specs" / "agent-server.overlay.yaml"),
    "openai": (ROOT.parent / "shared" / "specs" / "openai.yaml", None),
}
FILES = ("client.py", "_endpoints.py", "server.py", "models*")
TEMPLATES = (
    "client.py.jinja",
    "_client_macros.jinja",
    "_endpoints.py.jinja",
    "server.py.jinja",
    "models_init.py.jinja",
)


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


def _black_before(chunk: str) -> str:
    import black

    return black.format_str(chunk, mode=_mode())


def _chunks(rendered: dict[str, str], name: str) -> list[str]:
    paths = [p for p in rendered if p.startswith("models") and p.endswith(".py")] if name == "models*" else [name]
    return [chunk for path in paths for chunk in split_chunks(rendered[path])]


def _render(api: object, models_source: str, templates: tuple[Path, ...], relaid: bool) -> dict[str, str]:
    saved = oapigen.models.package.layout
    oapigen.models.package.layout = functools.partial(saved, relaid=relaid)
    try:
        return render_package(api, models_source, templates=templates)  # type: ignore[arg-type]
    finally:
        oapigen.models.package.layout = saved


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
    print(f"{'spec':8} {'file':14} {'':7} {'render':>7} {'black':>7} {'floor':>7} {'chunks':>7} {'changed':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        old = _old_templates(base, Path(tmp))
        for spec in args.spec or list(SPECS):
            path, overlay = SPECS.get(spec, (Path(spec), None))
            job = Job(spec=path, overlay=overlay, output=Path(tmp) / "out", package="bench")
            api, models_source, _ = api_and_models(job)
            for label, templates, fmt in (("before", old, _black_before), ("after", (), _format_one)):
                rendered: dict[str, str] = {}
                render_time = _median_time(
                    args.runs,
                    lambda t=templates, r=rendered, a=api, m=models_source, x=fmt is _format_one: r.update(_render(a, m, t, x)),
                )
                for name in FILES:
                    chunks = _chunks(rendered, name)
                    formatted = [fmt(c) for c in chunks]
                    black_time = _median_time(args.runs, lambda c=chunks, f=fmt: [f(x) for x in c])
                    floor = _median_time(args.runs, lambda c=formatted: [_format_one(x) for x in c])
                    changed = [(a, b) for a, b in zip(chunks, formatted, strict=True) if a.rstrip("\n") != b.rstrip("\n")]
                    lines = sum(_changed(a, b) for a, b in changed)
                    shown = f"{render_time:7.2f}" if name == FILES[0] else " " * 7
                    print(
                        f"{Path(spec).stem[:8]:8} {name:14} {label:7} {shown} {black_time:7.2f} {floor:7.2f} "
                        f"{len(changed):3}/{len(chunks):<3} {lines:8}"
                    )
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")


if __name__ == "__main__":
    main()
