"""Configuration: ``[[tool.oapigen.specs]]`` tables in ``pyproject.toml``.

Each table is one package to generate::

    [[tool.oapigen.specs]]
    spec = "specs/agent-server.json"       # required; relative to pyproject.toml
    overlay = "specs/agent-server.overlay.yaml"
    output = "generated"                   # default "generated"
    package = "agent_server"               # default: the spec's file name in snake_case
    lenient = false
    allow_remote_refs = false
    allow_ref_outside = ["shared-schemas"]  # folders outside the spec's own that $refs may reach
    rename = { create_run_threads__thread_id__runs_post = "thread_runs.start_run" }
    templates = "oapigen-templates"       # a folder of templates that replace built-in ones
    include_tags = ["threads"]            # also include_operations, include_paths, exclude_*
    pagination = { listRuns = { style = "offset" }, getLog = false }  # see oapigen.ir.pagination
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import naming
from ..core.diagnostics import Diagnostic, SpecError
from ..core.pointers import escape_pointer_token, pointer
from ..spec.selection import KINDS, Selection


@dataclass(frozen=True, slots=True)
class Job:
    """One package to generate from one spec."""

    spec: Path
    output: Path
    package: str
    overlay: Path | None = None
    lenient: bool = False
    allow_remote_refs: bool = False
    allow_ref_outside: tuple[Path, ...] = ()  # folders beyond the spec's own that local $refs may reach
    renames: tuple[tuple[str, str], ...] = field(default=())
    templates: Path | None = None  # a folder searched before the built-in templates
    origin: tuple[str, str] = ("", "")  # the config file and the pointer of its table, if any
    idempotency_headers: tuple[str, ...] = ()  # header parameters that carry an idempotency key
    # Pagination hints by operationId: (operationId, the hint as JSON text), sorted.
    pagination: tuple[tuple[str, str], ...] = ()
    selection: Selection = field(default_factory=Selection)  # include / exclude filters

    @property
    def rename_map(self) -> dict[str, str]:
        return dict(self.renames)

    @property
    def pagination_hints(self) -> dict[str, Any]:
        return {op_id: json.loads(text) for op_id, text in self.pagination}

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        return (self.templates,) if self.templates is not None else ()

    def template_files(self) -> tuple[Path, ...]:
        """Every file of the override folder (inputs of the output, like the spec)."""
        if self.templates is None:
            return ()
        return tuple(sorted(
            p for p in self.templates.rglob("*")
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                       for part in p.relative_to(self.templates).parts)
        ))

    def options(self) -> dict[str, Any]:
        """The options that shape the output (recorded in the manifest). With an override
        folder, the names of its files too: adding or removing one regenerates."""
        options: dict[str, Any] = {
            "lenient": self.lenient,
            "allow_remote_refs": self.allow_remote_refs,
            "renames": [list(pair) for pair in self.renames],
        }
        if self.idempotency_headers:
            options["idempotency_headers"] = list(self.idempotency_headers)
        if self.pagination:
            options["pagination"] = [list(pair) for pair in self.pagination]
        if self.allow_ref_outside:
            options["allow_ref_outside"] = [str(p) for p in self.allow_ref_outside]
        if self.selection:
            options["selection"] = self.selection.as_json()
        if self.templates is not None:
            options["templates"] = [p.relative_to(self.templates).as_posix() for p in self.template_files()]
        return options

    def check_renames(self, operation_ids: Iterable[str]) -> None:
        """Every ``rename`` (and ``pagination``) key must name an operation: a typo would be
        ignored silently."""
        known = sorted(set(operation_ids))
        problems = []
        keyed = [("rename", key) for key, _ in self.renames] + [("pagination", key) for key, _ in self.pagination]
        for option, key in keyed:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
                file, where = self.origin
                problems.append(Diagnostic(file or str(self.spec), f"{where}/{option}/{escape_pointer_token(key)}" if where else "",
                                           f"{option}: no operation has the operationId {key!r}",
                                           hint="did you mean " + " or ".join(map(repr, close)) + "?" if close else
                                           "`oapigen inspect SPEC` lists the operation ids"))
        if problems:
            raise SpecError(problems)

    def check(self) -> None:
        """Refuse options that cannot work (a missing override folder)."""
        if self.templates is not None and not self.templates.is_dir():
            raise SpecError(Diagnostic(str(self.templates), "", "templates folder not found (--templates / templates =)"))


def default_package(spec: Path) -> str:
    stem = spec.name.split(".")[0] if spec.name else "api"
    return naming.snake(stem, prefix="api")


def find_config(start: Path) -> Path:
    """The ``pyproject.toml`` to read without SPEC: the first one with a ``[tool.oapigen]`` table
    in ``start`` or a folder above it (as ruff and pytest find theirs)."""
    here = Path(os.path.relpath(start.resolve(), Path.cwd().resolve()))
    for folder in (here, *(Path(os.path.relpath(p, Path.cwd().resolve())) for p in start.resolve().parents)):
        candidate = folder / "pyproject.toml"
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # unreadable or broken: not one of ours (a broken one above ours is not read)
        if isinstance(data.get("tool"), dict) and "oapigen" in data["tool"]:
            return candidate
    raise SpecError(Diagnostic(str(here / "pyproject.toml"), "", "no SPEC given, and no pyproject.toml with a "
                               "[tool.oapigen] table here or in a folder above",
                               hint="give SPEC, or add [[tool.oapigen.specs]] tables to pyproject.toml"))


_KEYS = {"spec", "overlay", "output", "package", "lenient", "allow_remote_refs", "allow_ref_outside", "rename",
         "templates", "idempotency_headers", "pagination", *(f"{side}_{kind}" for side in ("include", "exclude") for kind in KINDS)}


def load_jobs(pyproject: Path) -> list[Job]:
    display = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SpecError(Diagnostic(display, "", "no SPEC given and no pyproject.toml here")) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(Diagnostic(display, "", f"cannot read: {exc}")) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Diagnostic(display, "", f"invalid TOML: {exc}")) from exc
    tables = data.get("tool", {}).get("oapigen", {}).get("specs")
    if not isinstance(tables, list) or not tables:
        raise SpecError(Diagnostic(display, "/tool/oapigen/specs", "no [[tool.oapigen.specs]] tables"))
    base = pyproject.parent
    jobs: list[Job] = []
    targets: dict[Path, int] = {}
    for i, table in enumerate(tables):
        where = pointer("tool", "oapigen", "specs", i)
        if not isinstance(table, Mapping):
            raise SpecError(Diagnostic(display, where, "must be a table"))
        job = _job(table, base, display, where)
        target = (job.output / job.package).resolve()
        if target in targets:
            raise SpecError(Diagnostic(display, f"{where}/package", f"writes to the same folder as table "
                                       f"{targets[target]} ({job.output / job.package}): give it another package or output"))
        targets[target] = i
        jobs.append(job)
    return jobs


def _job(table: Mapping[str, Any], base: Path, display: str, where: str) -> Job:
    def fail(key: str, message: str) -> SpecError:
        return SpecError(Diagnostic(display, f"{where}/{key}", message))

    for key in table:
        if key not in _KEYS:
            raise fail(key, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
    if not isinstance(table.get("spec"), str):
        raise fail("spec", "required: the path of the spec file")
    for key in ("overlay", "output", "package", "templates"):
        if key in table and not isinstance(table[key], str):
            raise fail(key, "must be a string")
    for key in ("lenient", "allow_remote_refs"):
        if key in table and not isinstance(table[key], bool):
            raise fail(key, "must be true or false")
    outside = table.get("allow_ref_outside", [])
    if isinstance(outside, str):
        outside = [outside]
    if not isinstance(outside, list) or not all(isinstance(v, str) for v in outside):
        raise fail("allow_ref_outside", "must be a folder or a list of folders (strings)")
    rename = table.get("rename", {})
    if not isinstance(rename, Mapping) or not all(isinstance(v, str) for v in rename.values()):
        raise fail("rename", "must be a table of operationId = \"new_name\" (or \"group.new_name\")")
    idempotency = table.get("idempotency_headers", [])
    if not isinstance(idempotency, list) or not all(isinstance(v, str) and v for v in idempotency):
        raise fail("idempotency_headers", "must be a list of header names")
    pagination = table.get("pagination", {})
    if not isinstance(pagination, Mapping) or not all(isinstance(v, bool | Mapping) for v in pagination.values()):
        raise fail("pagination", "must be a table of operationId = false or { style = ..., items = ..., ... }")
    filters = {}
    for key in (f"{side}_{kind}" for side in ("include", "exclude") for kind in KINDS):
        values = table.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise fail(key, "must be a list of strings")
        filters[key] = tuple(values)
    spec = base / table["spec"]
    return Job(
        spec=spec,
        output=base / table.get("output", "generated"),
        package=table.get("package") or default_package(spec),
        overlay=base / table["overlay"] if "overlay" in table else None,
        lenient=table.get("lenient", False),
        allow_remote_refs=table.get("allow_remote_refs", False),
        allow_ref_outside=tuple(base / folder for folder in outside),
        renames=tuple(sorted(rename.items())),
        templates=base / table["templates"] if "templates" in table else None,
        origin=(display, where),
        idempotency_headers=tuple(idempotency),
        pagination=tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in pagination.items())),
        selection=Selection(**filters),
    )
