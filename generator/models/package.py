"""The models part of the generated package: ``models.py``, or a ``models`` package that loads
lazily when the API is big.

datamodel-code-generator writes every class into one module, and importing a module of 3,000
pydantic classes takes seconds (openai.yaml: 2.6 s). So when an API has more than
:data:`SPLIT_MIN` classes, that module is cut into private modules by who uses each class:

* ``_<group>``: the classes only the operations of one resource group use (in their parameters,
  request and response bodies and headers, or inside those, transitively);
* ``_common``: the classes operations of several groups use;
* ``_webhook_payloads``: the classes only webhooks and callbacks use (their payloads);
* ``_unreferenced``: the classes nothing uses (stream events, ...);

and ``models/__init__.py`` names every class and imports its module the first time the class
is read (a module ``__getattr__``, PEP 562); type checkers see plain imports, under
``TYPE_CHECKING``. ``from pkg.models import Run`` and ``models.Run`` work as with one module.

The cut cannot make an import cycle. A class that a class of group G refers to is used by G
too: it is in G's module or in ``_common``. A ``_common`` class is used by several groups, so
is everything it refers to: ``_common`` imports from no other module. No used class refers to
an ``_unreferenced`` one. Classes that refer to each other (recursion) are used by the same
groups, so they always share a module.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import naming
from ..core.escape import str_literal
from ..core.memo import Memo
from ..ir.model import Api
from ..pysource.black_layout import statement_lines
from ..pysource.imports import all_name_key, import_name_key, sorted_import_lines
from .relayout import first_line, layout_statement, relayout, source_lines
from .verify import parse_models

SPLIT_MIN = 200  # classes; below this one module imports in well under 0.2 s
PACKAGE_INIT = "models/__init__.py"
COMMON, UNREFERENCED, UNGROUPED = "_common", "_unreferenced", "_ungrouped"
WEBHOOK_PAYLOADS = "_webhook_payloads"  # the classes only webhooks and callbacks use (oapigen.ir.webhooks)


@dataclass(frozen=True, slots=True)
class ModelsModule:
    path: str  # "models.py", or "models/_chat.py" in the package layout
    description: str  # the module docstring; "" for the one-module layout (as it was)
    source: str  # imports, then the definitions in datamodel-code-generator's order
    names: tuple[str, ...]  # the classes (and aliases) it defines, in that order


@dataclass(frozen=True, slots=True)
class ModelsPackage:
    """``models/__init__.py``: where each name lives."""

    modules: tuple[tuple[str, tuple[str, ...]], ...]  # (module, names sorted), modules sorted
    all_names: tuple[str, ...]  # isort order (ruff RUF022)

    @property
    def module_entries(self) -> tuple[str, ...]:
        """The entries of ``_MODULES``, written out (the template only places them):
        ``"_chat": ("Run", "Thread", ),``."""
        return tuple(
            f"{str_literal(module)}: ({''.join(f'{str_literal(name)}, ' for name in names)}),"
            for module, names in self.modules
        )


@dataclass(frozen=True, slots=True)
class ModelsLayout:
    modules: tuple[ModelsModule, ...]
    package: ModelsPackage | None  # None: the one-module layout


@dataclass(slots=True)
class _Unit:
    """One module-level definition of the models source, with what it needs."""

    names: list[str]
    text: str
    refers: set[str]  # names of other definitions it uses
    uses: set[str]  # every name it loads (for imports)
    rebuilds: list[str]  # ``X.model_rebuild()`` statements of its names, as written
    groups: set[str] = field(default_factory=set)  # whose operations use it (see _mark_users)


def layout(api: Api, source: str, relaid: bool = True) -> ModelsLayout:
    """``source`` (one module), or cut into a lazily loaded package; each module's statements
    laid out as black would (:func:`oapigen.models.relayout.relayout`) unless not ``relaid``
    (for ``bench/format_input.py``: as the library wrote them)."""
    parsed = _parse(source, relaid) if len(api.model_names) > SPLIT_MIN else None
    if parsed is None:
        return ModelsLayout((ModelsModule("models.py", "", relayout(source) if relaid else source, api.model_names),), None)
    imports, units = parsed
    owner = {name: unit for unit in units for name in unit.names}
    _mark_users(api, owner)
    buckets: dict[str, list[_Unit]] = {}
    for unit in units:
        groups = unit.groups
        key = UNREFERENCED if not groups else COMMON if len(groups) > 1 else next(iter(groups))
        buckets.setdefault(key, []).append(unit)
    module_names = _module_names(sorted(k for k in buckets if k not in (COMMON, UNREFERENCED, WEBHOOK_PAYLOADS)))
    module_names.update({COMMON: COMMON, UNREFERENCED: UNREFERENCED, WEBHOOK_PAYLOADS: WEBHOOK_PAYLOADS})
    home = {name: module_names[key] for key, members in buckets.items() for unit in members for name in unit.names}
    modules = tuple(
        _module(module_names[key], key, members, imports, home, relaid)
        for key, members in sorted(buckets.items(), key=lambda kv: module_names[kv[0]])
    )
    package = ModelsPackage(
        modules=tuple(
            (m.path.removeprefix("models/").removesuffix(".py"), tuple(sorted(m.names, key=import_name_key))) for m in modules
        ),
        all_names=tuple(sorted(home, key=all_name_key)),
    )
    return ModelsLayout(modules, package)


def _parse(source: str, relaid: bool) -> tuple[list[tuple[str, str, str | None]], list[_Unit]] | None:
    """The imports (module, name, alias) and the definitions (laid out as black would); None if
    anything else is there. Remembered by the full source (:mod:`oapigen.core.memo`): an edit
    that leaves the models as they were does not parse and lay out 3,000 classes again."""
    kept = _PARSED.get(f"{relaid:d}\0{source}", lambda: _kept(_parse_now(source, relaid)))
    if kept is None:
        return None
    imports, units = kept
    return [tuple(i) for i in imports], [_Unit(list(n), t, set(r), set(u), list(b)) for n, t, r, u, b in units]


def _kept(parsed: tuple[list[tuple[str, str, str | None]], list[_Unit]] | None) -> Any:
    if parsed is None:
        return None
    imports, units = parsed
    return imports, [(u.names, u.text, u.refers, u.uses, u.rebuilds) for u in units]


def _is_kept(value: Any) -> bool:
    return value is None or (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, list) for v in value))


_PARSED = Memo("models-parsed", _is_kept)


def _parse_now(source: str, relaid: bool) -> tuple[list[tuple[str, str, str | None]], list[_Unit]] | None:
    tree = parse_models(source)
    lines = source.splitlines(keepends=True)
    numbered = source_lines(source) if relaid else None
    imports: list[tuple[str, str, str | None]] = []
    units: list[_Unit] = []
    by_name: dict[str, _Unit] = {}
    start = 0  # comments and blank lines before a definition belong to it
    for stmt in tree.body:
        end = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, ast.ImportFrom) and not stmt.level and not units:
            imports.extend((stmt.module or "", a.name, a.asname) for a in stmt.names)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and not units:
            pass  # a module docstring: each module gets its own
        elif (rebuilt := _rebuilt(stmt)) is not None and rebuilt in by_name:
            by_name[rebuilt].rebuilds.append("".join(lines[stmt.lineno - 1 : end]).strip())
        elif isinstance(stmt, ast.ClassDef | ast.Assign | ast.AnnAssign) and (names := _bound(stmt)):
            loads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            if numbered is None:
                text = "".join(lines[start:end])
            else:
                text = "".join(numbered[start : first_line(stmt)]) + layout_statement(stmt, numbered)
            unit = _Unit(names, text.strip("\n"), set(), loads, [])
            units.append(unit)
            by_name.update(dict.fromkeys(names, unit))
        else:
            return None  # not model code as datamodel-code-generator writes it: keep one module
        start = end
    for unit in units:
        unit.refers = {n for n in unit.uses if n in by_name and n not in unit.names}
    return imports, units


def _rebuilt(stmt: ast.stmt) -> str | None:
    """``X`` for a statement ``X.model_rebuild()``."""
    if isinstance(stmt, ast.Expr) and isinstance(call := stmt.value, ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "model_rebuild" and isinstance(func.value, ast.Name):
            return func.value.id
    return None


def _bound(stmt: ast.ClassDef | ast.Assign | ast.AnnAssign) -> list[str]:
    if isinstance(stmt, ast.ClassDef):
        return [stmt.name]
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _mark_users(api: Api, owner: Mapping[str, _Unit]) -> None:
    """Each unit's ``groups``: those whose operations use it, directly or through other classes."""
    for op in api.operations:
        group = op.group or UNGROUPED
        stack = [owner[n] for t in op.types() for n in t.model_names() if n in owner]
        while stack:
            unit = stack.pop()
            if group not in unit.groups:
                unit.groups.add(group)
                stack.extend(owner[n] for n in unit.refers)
    # -- webhooks and callbacks: their payloads are a group of their own --
    for hook in (*api.webhooks, *api.callbacks):
        stack = [owner[n] for n in (hook.body.type.model_names() if hook.body else ()) if n in owner]
        while stack:
            unit = stack.pop()
            if WEBHOOK_PAYLOADS not in unit.groups:
                unit.groups.add(WEBHOOK_PAYLOADS)
                stack.extend(owner[n] for n in unit.refers)


def _module_names(groups: list[str]) -> dict[str, str]:
    """Group -> private module name: ``_<group>``, never one of the fixed names."""
    taken = {COMMON, UNREFERENCED, WEBHOOK_PAYLOADS}
    names = naming.dedupe((g if g == UNGROUPED else f"_{g}" for g in groups), taken)
    return dict(zip(groups, names, strict=True))


def _description(key: str) -> str:
    if key == COMMON:
        return "Models the operations of several resource groups use."
    if key == UNREFERENCED:
        return "Models no operation uses (in its parameters, bodies or headers) but the API defines."
    if key == WEBHOOK_PAYLOADS:
        return "Models only the webhooks and callbacks use (their payloads)."
    if key == UNGROUPED:
        return "Models only the operations on the client itself (with no tag) use."
    return f"Models only the ``{key}`` operations use."


def _module(
    module: str,
    key: str,
    units: list[_Unit],
    imports: list[tuple[str, str, str | None]],
    home: Mapping[str, str],
    relaid: bool,
) -> ModelsModule:
    uses = set().union(*(u.uses for u in units))
    names = tuple(n for u in units for n in u.names)
    by_origin: dict[str, list[str]] = {}
    for origin, name, alias in imports:
        if origin == "__future__" or (alias or name) in uses:
            by_origin.setdefault(origin, []).append(f"{name} as {alias}" if alias else name)
    local: dict[str, list[str]] = {}
    for name in sorted(set().union(*(u.refers for u in units)) - set(names)):
        local.setdefault(home[name], []).append(name)
    block = sorted_import_lines([
        *(f"from {origin} import {', '.join(found)}" for origin, found in by_origin.items()),
        *(f"from .{m} import {', '.join(sorted(found, key=import_name_key))}" for m, found in sorted(local.items())),
    ])
    line = _laid_out if relaid else str
    body = [u.text for u in units] + [line(r) for u in units for r in u.rebuilds]
    source = "\n".join(map(line, block.split("\n"))) + "\n\n\n" + "\n\n\n".join(body) + "\n"
    return ModelsModule(f"models/{module}.py", _description(key), source, names)


def _laid_out(line: str) -> str:
    """One line of code (or a blank one) as black lays it out, without the final newline."""
    return (statement_lines(line, 0) or line).rstrip("\n") if line else line


__all__ = [
    "PACKAGE_INIT",
    "SPLIT_MIN",
    "ModelsLayout",
    "ModelsModule",
    "ModelsPackage",
    "layout",
]
