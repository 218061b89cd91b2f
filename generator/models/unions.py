"""``X | Y`` for the ``Union[X, Y]`` datamodel-code-generator still writes, and forward
references unquoted in annotations.

The library writes ``Union[...]`` where a member is a quoted forward reference (a recursive
model: ``RootModel[Union[dict[str, "ErrorDetails"], Inner]]``), because ``"A" | B`` fails when
evaluated. That is true only of a *direct* member: ``dict[str, "A"] | B`` evaluates fine (a
generic alias has ``|``), so such a union is rewritten, in class bases as in annotations, and
ruff's UP007 has nothing to report. In a field's annotation (never evaluated: the models module
starts with ``from __future__ import annotations``) a quoted class name is unquoted (UP037).
Strings that are values, not types (``Literal["a"]``, ``Field(...)``'s arguments), stay.
"""

from __future__ import annotations

import ast

from ..pysource.edits import node_text, replace_nodes


def pep604_unions(source: str) -> str:
    """``source`` with its unions and annotation forward references as ruff's UP rules want."""
    if "Union[" not in source:  # the library quotes forward references only inside its unions
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # the verification reports it
    if _postponed(tree):  # first, so that a union in an annotation has no string left
        source = replace_nodes(source, _quoted_forward_references(tree, _bound_name(tree, "typing", "Literal")))
    union = _bound_name(tree, "typing", "Union")
    while union:  # one pass per level of nested unions: each pass rewrites the innermost
        tree = ast.parse(source)
        edits = _innermost_unions(tree, source, union)
        if not edits:
            return _without_unused_import(source, tree, union)
        source = replace_nodes(source, edits)
    return source


def _bound_name(tree: ast.Module, module: str, name: str) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            for alias in node.names:
                if alias.name == name:
                    return alias.asname or alias.name
    return None


def _postponed(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
               for n in tree.body)


def _is_union(node: ast.AST, union: str) -> bool:
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == union


def _members(node: ast.Subscript) -> list[ast.expr]:
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


def _innermost_unions(tree: ast.Module, source: str, union: str) -> list[tuple[ast.expr, str]]:
    """``Union[A, B]`` -> ``A | B`` where no member is a string (``"A" | B`` fails when a class
    base is evaluated) and no member holds such a union still to rewrite (those go first)."""
    def rewritable(node: ast.AST) -> bool:
        return (isinstance(node, ast.Subscript) and _is_union(node, union)
                and not any(isinstance(m, ast.Constant) for m in _members(node)))

    edits: list[tuple[ast.expr, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and rewritable(node) and not any(
                rewritable(inner) for m in _members(node) for inner in ast.walk(m)):
            edits.append((node, " | ".join(_operand(source, m) for m in _members(node))))
    return edits


def _operand(source: str, member: ast.expr) -> str:
    text = node_text(source, member)
    # a lambda, conditional or walrus would bind looser than |; the library writes none, but a
    # member that is not a plain type expression keeps its meaning in parentheses
    plain = (ast.Name, ast.Attribute, ast.Subscript, ast.BinOp, ast.Constant)
    return text if isinstance(member, plain) else f"({text})"


def _quoted_forward_references(tree: ast.Module, literal: str | None) -> list[tuple[ast.expr, str]]:
    edits: list[tuple[ast.expr, str]] = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign):
                edits += [(s, s.value) for s in _type_strings(stmt.annotation, literal) if isinstance(s.value, str)]
    return edits


def _type_strings(node: ast.expr, literal: str | None) -> list[ast.Constant]:
    """The string constants of ``node`` that stand for a type (a class name)."""
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, str) and all(p.isidentifier() for p in node.value.split("."))
        return [node] if ok else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_strings(node.left, literal) + _type_strings(node.right, literal)
    if isinstance(node, ast.Subscript):
        if isinstance(node.value, ast.Name) and node.value.id == literal:
            return []
        parts = _members(node)
        if isinstance(node.value, ast.Name) and node.value.id == "Annotated":
            parts = parts[:1]  # the rest is metadata: Field(...), strings as values
        return [s for p in parts for s in _type_strings(p, literal)]
    if isinstance(node, ast.Tuple | ast.List):
        return [s for e in node.elts for s in _type_strings(e, literal)]
    return []


def _without_unused_import(source: str, tree: ast.Module, union: str) -> str:
    """``source`` without ``Union`` in its ``from typing import`` line when nothing uses it."""
    if any(isinstance(n, ast.Name) and n.id == union for n in ast.walk(tree)):
        return source
    lines = source.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "typing" and node.lineno == node.end_lineno:
            kept = [a for a in node.names if (a.asname or a.name) != union]
            if len(kept) == len(node.names):
                continue
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            lines[node.lineno - 1] = f"from typing import {names}\n" if kept else ""
    return "".join(lines)


__all__ = ["pep604_unions"]
