"""Include / exclude: generate a part of an API.

A :class:`Selection` keeps or drops operations by tag, by operationId and by path prefix. An
operation is kept when it matches one of the ``include_*`` values (or none are given) and none
of the ``exclude_*`` values. Then every ``components`` entry (schemas, parameters, responses,
...; security schemes excepted) that no kept operation reaches through ``$ref``s (transitively,
discriminator mappings included) is left out, so the package has the models its operations use
and no others. A value that matches no operation of the spec is an error naming the closest
names: a filter that silently keeps everything (or nothing) would be a typo nobody sees.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from ..core import naming
from ..core.contract import HTTP_METHODS
from ..core.diagnostics import Diagnostic, SpecError

# option / key -> what its values name
KINDS = {"tags": "tag", "operations": "operation", "paths": "path"}


@dataclass(frozen=True, slots=True)
class Selection:
    include_tags: tuple[str, ...] = ()
    include_operations: tuple[str, ...] = ()
    include_paths: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    exclude_operations: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def as_json(self) -> dict[str, list[str]]:
        """The non-empty filters (recorded in the manifest: a change of filter regenerates)."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    @property
    def includes(self) -> bool:
        return bool(self.include_tags or self.include_operations or self.include_paths)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """What a selection left out: operations as ``(operationId, METHOD, path)``, components as
    ``section/name`` (``schemas/Pet``)."""

    operations: tuple[tuple[str, str, str], ...] = ()
    components: tuple[str, ...] = ()


NOTHING_LEFT_OUT = LeftOut()


@dataclass(frozen=True, slots=True)
class _Op:
    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]


def _operations(document: dict[str, Any]) -> Iterator[_Op]:
    paths = document.get("paths")
    for path, item in (paths.items() if isinstance(paths, dict) else ()):
        if not isinstance(item, dict) or not isinstance(path, str):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId")
            op_id = op_id if isinstance(op_id, str) and op_id else naming.synthesized_operation_id(method, path)
            tags = tuple(t for t in op.get("tags", ()) if isinstance(t, str)) if isinstance(op.get("tags"), list) else ()
            yield _Op(op_id, method, path, tags)


def _under(path: str, prefix: str) -> bool:
    """``/threads`` covers ``/threads`` and ``/threads/{id}``, not ``/threadsx``."""
    base = prefix.rstrip("/")
    return path in (prefix, base) or path.startswith(base + "/")


def _matches(op: _Op, kind: str, value: str) -> bool:
    if kind == "tags":
        return value in op.tags
    if kind == "operations":
        return op.operation_id == value
    return _under(op.path, value)


def _check(selection: Selection, ops: list[_Op], origin: tuple[str, str], spec: str) -> None:
    """Every value must match an operation (judged on the whole spec)."""
    problems = []
    file, where = origin
    for side in ("include", "exclude"):
        for kind, noun in KINDS.items():
            for i, value in enumerate(getattr(selection, f"{side}_{kind}")):
                if any(_matches(op, kind, value) for op in ops):
                    continue
                names = sorted({t for op in ops for t in op.tags} if kind == "tags" else
                               {op.operation_id for op in ops} if kind == "operations" else {op.path for op in ops})
                close = difflib.get_close_matches(value, names, n=3, cutoff=0.5)
                hint = ("did you mean " + " or ".join(map(repr, close)) + "?" if close else
                        f"the spec's {noun}s: " + ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
                        if names else f"the spec has no {noun}s")
                message = f"{side}_{kind}: {value!r} matches no {noun} of {spec}"
                if where:
                    problems.append(Diagnostic(file, f"{where}/{side}_{kind}/{i}", message, hint=hint))
                else:
                    problems.append(Diagnostic(f"--{side}-{noun}", "", message, hint=hint))
    if problems:
        raise SpecError(problems)


def _refs(node: Any) -> Iterator[str]:
    """Every local reference in ``node``: ``$ref`` values and discriminator mapping targets."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            ref = n.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                yield ref
            mapping = n.get("discriminator", {}).get("mapping") if isinstance(n.get("discriminator"), dict) else None
            if isinstance(mapping, dict):
                yield from (v for v in mapping.values() if isinstance(v, str) and v.startswith("#/"))
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def _resolve(document: dict[str, Any], ref: str) -> tuple[tuple[str, ...], Any]:
    tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in ref[2:].split("/"))
    node: Any = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return tokens, None
    return tokens, node


def reached_components(document: dict[str, Any], roots: list[Any]) -> set[tuple[str, str]]:
    """The ``(section, name)`` of every component the roots reach through references."""
    reached: set[tuple[str, str]] = set()
    seen: set[str] = set()
    todo = [ref for root in roots for ref in _refs(root)]
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        tokens, target = _resolve(document, ref)
        if len(tokens) >= 3 and tokens[0] == "components":
            if (tokens[1], tokens[2]) in reached:
                continue
            reached.add((tokens[1], tokens[2]))
            target = document["components"][tokens[1]].get(tokens[2]) if isinstance(
                document["components"].get(tokens[1]), dict) else None
        todo.extend(_refs(target))
    return reached


def select(document: dict[str, Any], selection: Selection, origin: tuple[str, str], spec: str) -> tuple[dict[str, Any], LeftOut]:
    """The document with only the selected operations and the components they reach."""
    ops = list(_operations(document))
    _check(selection, ops, origin, spec)

    def kept(op: _Op) -> bool:
        if selection.includes and not any(_matches(op, kind, v) for kind in KINDS for v in getattr(selection, f"include_{kind}")):
            return False
        return not any(_matches(op, kind, v) for kind in KINDS for v in getattr(selection, f"exclude_{kind}"))

    dropped = [op for op in ops if not kept(op)]
    document = dict(document)
    paths = {path: dict(item) if isinstance(item, dict) else item for path, item in document.get("paths", {}).items()}
    for op in dropped:
        del paths[op.path][op.method]
    document["paths"] = {path: item for path, item in paths.items()
                         if not isinstance(item, dict) or any(m in item for m in HTTP_METHODS)}
    components = document.get("components")
    left: list[str] = []
    if isinstance(components, dict):
        roots = [document["paths"], document.get("webhooks"), document.get("security")]
        reached = reached_components(document, roots)
        pruned: dict[str, Any] = {}
        for section, entries in components.items():
            if section == "securitySchemes" or not isinstance(entries, dict):
                pruned[section] = entries
                continue
            pruned[section] = {name: value for name, value in entries.items() if (section, name) in reached}
            left.extend(f"{section}/{name}" for name in entries if (section, name) not in reached)
        document["components"] = pruned
    return document, LeftOut(tuple((op.operation_id, op.method.upper(), op.path) for op in dropped), tuple(sorted(left)))


__all__ = ["KINDS", "NOTHING_LEFT_OUT", "LeftOut", "Selection", "reached_components", "select"]
