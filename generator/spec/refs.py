"""The ``$ref``\\ s of a document: one walk that collects them (and flags schemas and ``$ref``\\ s of
the wrong type on the way), which of them a resolver would fail on (:class:`RefReport`:
foreign, dangling, looping, the whole document), and a copy of a document with such nodes
emptied (:func:`with_empty_nodes`), for the validator library and ``--lenient``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.pointers import MISSING, follow_pointer, ref_tokens
from .messages import describe
from .read import copy_json
from .walk import MAX_DEPTH, SCHEMA, TooDeep, walk_spec

Tokens = tuple[str | int, ...]


class RefReport:
    """Every ``$ref`` of a document, and which of them cannot be resolved."""

    def __init__(self, document: dict[str, Any], refs: list[tuple[Tokens, str]]) -> None:
        self.foreign: list[tuple[Tokens, str]] = []  # not internal pointers (files, URLs)
        self.dangling: dict[str, list[Tokens]] = {}  # ref -> where it is used
        self.loops: list[list[Tokens]] = []
        self.whole: list[Tokens] = []  # '$ref: "#"': the whole document is never a schema
        targets: dict[tuple[str, ...], tuple[str, ...]] = {}  # ref node -> target, both ref nodes
        nodes: dict[tuple[str, ...], Tokens] = {}
        for path, ref in refs:
            if not ref.startswith("#"):
                self.foreign.append((path, ref))
                continue
            tokens = ref_tokens(ref)
            if tokens is None:
                continue  # '#anchor': a $anchor / $id reference, not checked here
            if not tokens:
                self.whole.append(path)
                continue
            target = follow_pointer(document, tokens)
            if target is MISSING:
                self.dangling.setdefault(ref, []).append(path)
                continue
            key = tuple(str(t) for t in path)
            nodes[key] = path
            if isinstance(target, dict) and isinstance(target.get("$ref"), str):
                targets[key] = tokens
        state: dict[tuple[str, ...], int] = {}  # 1: on the current chain, 2: done
        for start in targets:
            chain: list[tuple[str, ...]] = []
            current: tuple[str, ...] | None = start
            while current is not None and current in targets and current not in state:
                state[current] = 1
                chain.append(current)
                current = targets[current]
            if current is not None and state.get(current) == 1:
                self.loops.append([nodes.get(k, k) for k in chain[chain.index(current):]])
            for key in chain:
                state[key] = 2

    def bad_paths(self) -> list[Tokens]:
        """Ref nodes a resolver would fail on (the library must not see them)."""
        return [p for p, _ in self.foreign] + [p for ps in self.dangling.values() for p in ps] + [
            p for loop in self.loops for p in loop] + self.whole


# JSON Schema's types, and Swagger 2.0's `file` (a 3.x `type: file` is left to the library)
SCHEMA_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null", "file")


def _check_type(path: Tokens, value: Any, problem: Callable[[Tokens, str, str | None], None]) -> None:
    """A schema's ``type`` must name JSON Schema types: any other would be generated as an
    untyped value (``Any``), so an unknown one is an error, with the closest type as a hint."""
    import difflib

    names = value if isinstance(value, list) else [value]
    for index, name in enumerate(names):
        where = (*path, "type", index) if isinstance(value, list) else (*path, "type")
        if not isinstance(name, str):
            problem(where, f"a schema's type must be a string, found {describe(name)}", None)
        elif name not in SCHEMA_TYPES:
            close = difflib.get_close_matches(name, SCHEMA_TYPES[:-1], n=1)
            problem(where, f"unknown schema type '{name}'",
                    f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(SCHEMA_TYPES[:-1]))


def collect_refs(document: dict[str, Any], problem: Callable[[Tokens, str, str | None], None]) -> list[tuple[Tokens, str]]:
    """One walk: every ``$ref`` (path, ref); schema/``$ref`` type problems go to ``problem``."""
    refs: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        if isinstance(node, dict):
            ref = node.get("$ref", MISSING)
            if isinstance(ref, str):
                refs.append((tuple(path), ref))
            elif ref is not MISSING:
                problem((*path, "$ref"), f"$ref must be a string, found {describe(ref)}", None)
            if kind == SCHEMA and "type" in node:
                _check_type(tuple(path), node["type"], problem)
            return True
        if kind == SCHEMA and not isinstance(node, bool):
            hint = ("write `items: {...}` (one schema), not a list"
                    if path and path[-1] == "items" and isinstance(node, list) else None)
            problem(tuple(path), f"a schema must be an object or a boolean, found {describe(node)}", hint)
            return False
        return True

    try:
        walk_spec(document, visit)
    except TooDeep as exc:
        problem(exc.path, f"nesting is too deep (the limit is {MAX_DEPTH} levels)", None)
    return refs


def with_empty_nodes(document: dict[str, Any], paths: list[Tokens], *, share: bool) -> dict[str, Any]:
    """``document`` with the node at each path replaced by ``{}``; copies only what it changes
    when ``share``, else everything."""

    root: dict[str, Any] = dict(document) if share else copy_json(document)
    copies: dict[Tokens, Any] = {(): root}
    for path in paths:
        parent: Any = root
        for depth, token in enumerate(path):
            key = int(token) if isinstance(parent, list) else token
            if depth == len(path) - 1:
                parent[key] = {}
            elif share and path[: depth + 1] not in copies:
                parent[key] = copies[path[: depth + 1]] = (dict if isinstance(parent[key], dict) else list)(parent[key])
            parent = parent[key]
    return root
