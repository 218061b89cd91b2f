"""Formats of plain-string array items and map values, kept in the models' source.

datamodel-code-generator writes ``x-format`` (:func:`.prepare.keep_plain_string_formats`) only
into a *field's* ``json_schema_extra``, so the format of ``items: {type: string, format: email}``
was lost from the models' JSON schema (the mock's source, /openapi.json). This rewrites the
library's output, guided by its model metadata, before it is verified."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from ..core import escape
from ..pysource.edits import node_text, replace_nodes
from ..pysource.imports import import_name_key
from .prepare import KEPT_FORMAT

# Generic types the library writes for a JSON array (its items are the subscript) and object
# map (its values are the second subscript).
_SEQUENCE_TYPES = frozenset({"list", "set", "frozenset", "Sequence", "List", "Set", "FrozenSet"})
_MAP_TYPES = frozenset({"dict", "Dict", "Mapping"})


def keep_item_formats(source: str, metadata: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """``source`` with the formats of plain-string array items and map values kept.

    The library writes ``x-format`` (:func:`keep_plain_string_formats`) only into a *field's*
    ``json_schema_extra``: ``emails: {type: array, items: {type: string, format: email}}``
    became ``list[str]``, whose JSON schema (the mock's source, /openapi.json) has no format.
    Each such ``str``, found by walking the field's annotation beside its property schema (the
    model metadata names the schema of every class and the wire name of every field), becomes
    ``Annotated[str, Field(json_schema_extra={"format": ...})]``, which pydantic writes into the
    items' schema. Anything the walk does not recognise is left as the library wrote it.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # checked_source reports it
    fields: dict[tuple[str, str], Mapping[str, Any]] = {}
    for model in metadata.get("models", []):
        schema = _at_path(document, model.get("source_path"))
        for field in model.get("fields", []) if isinstance(schema, Mapping) else ():
            wire = field.get("original_name")
            prop = schema if wire is None and field.get("name") == "root" else _property(schema, wire)
            if isinstance(prop, Mapping):
                fields[(str(model.get("class_name")), str(field.get("name")))] = prop
    strings = {"str"} | {a.asname for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "builtins"
                         for a in n.names if a.name == "str" and a.asname}
    edits: list[tuple[ast.expr, str]] = []
    for cls in [c for c in tree.body if isinstance(c, ast.ClassDef)]:
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                prop = fields.get((cls.name, stmt.target.id))
                if prop is not None:
                    edits += _item_strings(stmt.annotation, prop, strings, top=True)
    names = _imported_names(tree)
    class_attributes = {t.id for c in tree.body if isinstance(c, ast.ClassDef) for s in c.body
                        for t in ([s.target] if isinstance(s, ast.AnnAssign) else getattr(s, "targets", []))
                        if isinstance(t, ast.Name)}
    annotated, field_name = names.get(("typing", "Annotated")), names.get(("pydantic", "Field"))
    if not edits or (annotated is None and "Annotated" in class_attributes) or (
            field_name is None and "Field" in class_attributes):
        return source
    source = replace_nodes(source, [
        (n, f"{annotated or 'Annotated'}[{node_text(source, n)}, {field_name or 'Field'}(json_schema_extra="
            + "{" + escape.str_literal("format") + ": " + escape.str_literal(fmt) + "})]")
        for n, fmt in edits
    ])
    return _with_imports(source, tree, [("typing", "Annotated")] * (annotated is None) + [("pydantic", "Field")] * (field_name is None))


def _at_path(document: Mapping[str, Any], path: Any) -> Any:
    node: Any = document
    for part in path if isinstance(path, list) else [None]:
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _property(schema: Mapping[str, Any], wire: Any) -> Any:
    """The schema of property ``wire`` in ``schema`` or in an inline member of its ``allOf``."""
    for part in [schema, *(m for m in schema.get("allOf") or [] if isinstance(m, Mapping) and "$ref" not in m)]:
        props = part.get("properties")
        if isinstance(props, Mapping) and wire in props:
            return props[wire]
    return None


def _item_strings(node: ast.expr, schema: Mapping[str, Any], strings: set[str], *, top: bool) -> list[tuple[ast.expr, str]]:
    """The ``str`` names in annotation ``node`` that stand for a string with a kept format in
    ``schema`` below its top (the library keeps the top's own format)."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Annotated":
        node = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    members: list[ast.expr] = []
    stack = [node]
    while stack:  # the members of X | Y | None
        member = stack.pop()
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            stack += [member.right, member.left]
        else:
            members.append(member)
    found: list[tuple[ast.expr, str]] = []
    fmt = schema.get(KEPT_FORMAT)
    if not top and isinstance(fmt, str):
        found += [(m, fmt) for m in members if isinstance(m, ast.Name) and m.id in strings]
    items, values = schema.get("items"), schema.get("additionalProperties")
    for m in members:
        if not (isinstance(m, ast.Subscript) and isinstance(m.value, ast.Name)):
            continue
        if m.value.id in _SEQUENCE_TYPES and isinstance(items, Mapping):
            found += _item_strings(m.slice, items, strings, top=False)
        elif m.value.id in _MAP_TYPES and isinstance(values, Mapping) and isinstance(m.slice, ast.Tuple) and len(m.slice.elts) == 2:
            found += _item_strings(m.slice.elts[1], values, strings, top=False)
    return found


def _imported_names(tree: ast.Module) -> dict[tuple[str, str], str]:
    """(module, name) -> the name it is bound to, for the module's ``from m import name``."""
    return {(n.module or "", a.name): a.asname or a.name
            for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}


def _with_imports(source: str, tree: ast.Module, wanted: list[tuple[str, str]]) -> str:
    """``source`` with ``from module import name`` for each of ``wanted``, merged into the
    module's one-line import of that module when it has one."""
    lines = source.splitlines(keepends=True)
    for module, name in wanted:
        node = next((n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == module and n.level == 0
                     and n.lineno == n.end_lineno and all(a.asname is None for a in n.names)), None)
        if node is None:  # after the first import (the models' header comments stay first)
            first = next((n.end_lineno or 0 for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)), 0)
            lines.insert(first, f"from {module} import {name}\n")
            tree = ast.parse("".join(lines))
            continue
        names = sorted({a.name for a in node.names} | {name}, key=import_name_key)
        lines[node.lineno - 1] = f"from {module} import {', '.join(names)}\n"
    return "".join(lines)


__all__ = ["keep_item_formats"]
