"""The shape of the generator's own code (issue 13): read from its source with :mod:`ast`, never
by importing it, so a violation is found even in a module no other test imports.

The import graph is layered; a module may import its own subpackage and the layers listed for
it, nothing above (a lazy import inside a function counts like any other)::

    core      the shared ground: diagnostics, JSON pointers, naming, escaping, the contract
              (facts Python and templates share), the disk cache, forked work    -> nothing
    pysource  writing Python source text: import blocks and name order, black's
              statement layout                                                   -> core
    spec      read, bundle, walk, check, validate, overlay, select, swagger2     -> core
    ir        the frozen IR and its builder                                      -> core, spec
    models    the datamodel-code-generator stage: prepare, run, verify, split    -> core, pysource, spec, ir
    views     template contexts computed from the IR                             -> core, pysource, ir, models
    render    Jinja over the views, black                                        -> core, pysource, ir, models, views
    run       pipeline, jobs, writing, freshness, change reports                  -> anything but cli
    cli       the command                                                        -> anything

No import cycle between modules (a cycle hides which module is the lower one), and no module
over :data:`MAX_LINES` lines (one job per module; a longer one is split by job, not by size).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "oapigen"
SOURCE = Path(__file__).resolve().parents[1] / "generator"
MAX_LINES = 450
# Modules allowed over MAX_LINES, each with its reason; an entry goes when its module is split.
LONG_MODULES: dict[str, str] = {}

LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "pysource": frozenset({"core"}),
    "spec": frozenset({"core"}),
    "ir": frozenset({"core", "spec"}),
    "models": frozenset({"core", "pysource", "spec", "ir"}),
    "views": frozenset({"core", "pysource", "ir", "models"}),
    "render": frozenset({"core", "pysource", "ir", "models", "views"}),
    "run": frozenset({"core", "pysource", "spec", "ir", "models", "views", "render"}),
    "cli": frozenset({"core", "pysource", "spec", "ir", "models", "views", "render", "run"}),
}
# Top-level modules that are not stages: the package's entry points.
ENTRY_POINTS = frozenset({"__init__", "__main__", "cli"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in sorted(SOURCE.rglob("*.py"))
        if "_editable" not in path.parts  # the editable-install shim, not part of the package
    }


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """The package's modules that ``name`` imports (relative imports resolved; ``from x import y``
    yields ``x.y`` when that is a module, else ``x``)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                yield target


GRAPH = {name: sorted(set(_imported(name, path)) - {name}) for name, path in MODULES.items()}


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def test_the_graph_is_read() -> None:
    # The walker finds what it should: a relative import two levels up, a package-level import.
    assert "oapigen.core.diagnostics" in GRAPH["oapigen.ir.builder"]
    assert "oapigen.run.pipeline" in GRAPH["oapigen.cli"]
    assert all(target in MODULES for targets in GRAPH.values() for target in targets)


def test_no_import_cycle() -> None:
    done: set[str] = set()
    stack: list[str] = []

    def visit(module: str) -> None:
        if module in stack:
            cycle = [*stack[stack.index(module):], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        stack.append(module)
        for target in GRAPH[module]:
            visit(target)
        stack.pop()
        done.add(module)

    for module in GRAPH:
        visit(module)


def test_every_module_is_in_a_layer() -> None:
    strays = [m for m in MODULES if _layer(m) not in LAYERS and _layer(m) not in ENTRY_POINTS]
    assert not strays, f"modules outside the layers of this test's docstring: {strays}"


def test_layers_import_only_below() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) in LAYERS
        for target in targets
        if _layer(target) != _layer(module) and _layer(target) not in LAYERS[_layer(module)]
    ]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_modules_are_short() -> None:
    long = {
        module: n
        for module, n in ((m, len(p.read_text(encoding="utf-8").splitlines())) for m, p in MODULES.items())
        if n > MAX_LINES and module not in LONG_MODULES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"
    stale = [m for m in LONG_MODULES
             if m not in MODULES or len(MODULES[m].read_text(encoding="utf-8").splitlines()) <= MAX_LINES]
    assert not stale, f"exceptions no longer needed (remove them from LONG_MODULES): {stale}"
