"""The change report: what a regeneration changes in the generated package's Python API, and
whether the change breaks a caller of the client or an implementer of the server.

:func:`api_surface` reduces an :class:`~oapigen.ir.model.Api` and its generated models source to a
compact, deterministic JSON value (recorded in the manifest under ``"api"``); :func:`compare`
lists the changes between two of them, each judged for both sides. Types are compared as sets
of union members (``Literal['a', 'b']`` counts as the members ``'a'`` and ``'b'``), so
``str | None`` -> ``str`` is a narrowing and ``Literal['a']`` -> ``Literal['a', 'b']`` a widening.

The verdicts: a value the caller sends (a parameter, a request body) may widen but not narrow
for the caller, and the reverse for the server implementer, who receives it; a value the server
returns may narrow but not widen for the caller, and the reverse for the implementer. A model
may be sent and received, so a removed or retyped field breaks both sides. A new operation is
compatible for the implementer: the generated server answers it from the spec until it is
implemented.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from ..core import escape
from ..core.memo import Memo
from ..ir.model import Api, Operation, TypeKind, TypeRef
from ..models.verify import parse_models

BREAKING, COMPATIBLE = "breaking", "compatible"


def _annotation(t: TypeRef | None) -> str | None:
    return None if t is None or t.kind is TypeKind.NONE else t.annotation()


OPTIONAL = " = ..."  # the suffix of an argument or field that may be left out


def _entry(annotation: str, required: bool) -> str:
    """One argument or field as the manifest records it: ``int`` (required), ``int = ...``."""
    return annotation if required else annotation + OPTIONAL


def _split(entry: str) -> tuple[str, bool]:
    return (entry.removesuffix(OPTIONAL), False) if entry.endswith(OPTIONAL) else (entry, True)


def _operation(op: Operation) -> dict[str, Any]:
    body = op.request_body
    ok = op.success
    returns = "Stream" if op.streams else _annotation(ok.preferred.type if ok and ok.preferred else None)
    entry: dict[str, Any] = {
        "call": op.python_path,
        "handler": op.handler_name,
        "route": f"{op.method.value} {op.path}",
        "params": {p.python_name: _entry(p.type.annotation(), p.required) for p in op.parameters},
        "returns": returns,
    }
    if body is not None:
        entry["body"] = _entry(_annotation(body.preferred.type) or "None", body.required)
    if op.pagination is not None:  # the client method returns pages of the body's items
        entry["pages"] = op.pagination.style.value
    return entry


def _plain(node: ast.expr) -> ast.expr:
    """``Annotated[X, Field(...)]`` -> ``X``."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Annotated":
        first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        return _plain(first)
    return node


def _models(source: str) -> dict[str, Any]:
    """Every class of the models source: its fields (``name: "type"``, ``"type = ..."`` when it
    has a default) or, for an enum, its values. Remembered by the full source (:mod:`oapigen.core.memo`)."""
    models: dict[str, Any] = _MODELS.get(source, lambda: _models_now(source))
    return models


_MODELS = Memo("models-surface", lambda value: isinstance(value, dict))


def _models_now(source: str) -> dict[str, Any]:
    models: dict[str, Any] = {}
    for cls in parse_models(source).body:
        if not isinstance(cls, ast.ClassDef):
            continue
        bases = [ast.unparse(b) for b in cls.bases]
        if {"Enum", "StrEnum", "IntEnum", "str", "int"} & set(bases):
            models[cls.name] = {"enum": sorted(ast.unparse(s.value) for s in cls.body if isinstance(s, ast.Assign))}
            continue
        fields: dict[str, str] = {}
        for base in bases:  # inherited fields first (a base class is defined before its subclasses)
            fields.update(models.get(base, {}).get("fields", {}))
        fields.update({
            s.target.id: _entry(ast.unparse(_plain(s.annotation)), s.value is None)
            for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            and s.target.id != "model_config"
        })
        models[cls.name] = {"fields": dict(sorted(fields.items()))}
    return models


def api_surface(api: Api, models_source: str) -> dict[str, Any]:
    """The public API of a generated package, compact and deterministic (sorted keys)."""
    return {
        "operations": {op.operation_id: _operation(op) for op in sorted(api.operations, key=lambda o: o.operation_id)},
        "models": dict(sorted(_models(models_source).items())),
    }


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def is_surface(value: Any) -> TypeGuard[dict[str, Any]]:
    """``value`` has the shape :func:`api_surface` gives (the manifest is a file in the user's
    tree: a hand-edited or older one is not compared with)."""
    if not isinstance(value, dict) or not isinstance(ops := value.get("operations"), dict) \
            or not isinstance(models := value.get("models"), dict):
        return False
    for op in ops.values():
        if not (isinstance(op, dict) and all(isinstance(op.get(k), str) for k in ("call", "handler", "route"))
                and _strings(op.get("params")) and isinstance(op.get("returns"), str | None)
                and isinstance(op.get("body", ""), str) and isinstance(op.get("pages", ""), str)):
            return False
    return all(isinstance(m, dict) and (_strings(m.get("fields")) or (
        isinstance(m.get("enum"), list) and all(isinstance(v, str) for v in m["enum"]))) for m in models.values())


def members(annotation: str | None) -> frozenset[str]:
    """The union members of an annotation, ``Literal[...]`` values one by one."""
    if annotation is None:
        return frozenset({"None"})
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return frozenset({annotation})
    out: set[str] = set()

    def visit(n: ast.expr) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            visit(n.left)
            visit(n.right)
        elif isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id in ("Literal", "Union", "Optional"):
            for e in n.slice.elts if isinstance(n.slice, ast.Tuple) else (n.slice,):
                visit(e) if n.value.id != "Literal" else out.add(f"Literal[{ast.unparse(e)}]")
            if n.value.id == "Optional":
                out.add("None")
        else:
            out.add(ast.unparse(n))

    visit(node)
    return frozenset(out)


def _direction(old: str | None, new: str | None, *, optionality_changed: bool = False) -> str | None:
    """``narrowed``, ``widened``, ``changed``, or None (the same type). ``optionality_changed``:
    ``None`` coming or going is the made-required/optional change, reported as that."""
    if old == new:
        return None  # (most fields of a regeneration: no annotation to parse)
    a, b = members(old), members(new)
    if optionality_changed:
        a, b = a - {"None"}, b - {"None"}
    if a == b:
        return None
    return "narrowed" if b < a else "widened" if a < b else "changed"


class Code(str):
    """A name or an annotation: shown as code (the rest of a :data:`Text` is plain text)."""

    __slots__ = ()


Text = tuple[str, ...]


def plain_text(text: Text) -> str:
    return "".join(f"`{part}`" if isinstance(part, Code) else part for part in text)


def markdown_text(text: Text) -> str:
    """One table cell: spec text escaped (a path, an enum value may hold Markdown or ``|``)."""
    return "".join(escape.md_code(part) if isinstance(part, Code) else _md_plain(part) for part in text)


def _md_plain(part: str) -> str:
    core = part.strip()  # md_cell trims a cell; between code spans the spaces matter
    return part[:len(part) - len(part.lstrip())] + escape.md_cell(core) + part[len(part.rstrip()):] if core else part


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # e.g. "operation removed", "parameter made required"
    subject: Text  # what changed: `pets.list_pets`, `Pet.tag`
    detail: Text  # old -> new
    client: str  # BREAKING or COMPATIBLE, for a caller of the client
    server: str  # for an implementer of the server

    @property
    def breaking(self) -> bool:
        return BREAKING in (self.client, self.server)


def _verdict(direction: str, sent: bool) -> tuple[str, str]:
    """(client, server) for a type change of a value the caller sends (``sent``) or receives."""
    if direction == "changed":
        return BREAKING, BREAKING
    narrowed = direction == "narrowed"
    if sent:
        return (BREAKING, COMPATIBLE) if narrowed else (COMPATIBLE, BREAKING)
    return (COMPATIBLE, BREAKING) if narrowed else (BREAKING, COMPATIBLE)


def _operation_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    call = (Code(new["call"]),)
    if old["call"] != new["call"] or old["handler"] != new["handler"]:
        yield Change("operation renamed", (Code(old["call"]),), (Code(old["call"]), " -> ", Code(new["call"]), " (handler ",
                     Code(old["handler"]), " -> ", Code(new["handler"]), ")"), BREAKING if old["call"] != new["call"] else COMPATIBLE,
                     BREAKING if old["handler"] != new["handler"] else COMPATIBLE)
    for name in sorted(set(old["params"]) | set(new["params"])):
        was, now = (_split(e) if (e := side["params"].get(name)) is not None else None for side in (old, new))
        subject = (*call, " ", Code(name))
        if was is None and now is not None:
            yield Change("parameter added", subject, (Code(now[0]), ", required" if now[1] else ", optional"),
                         BREAKING if now[1] else COMPATIBLE, BREAKING)
        elif was is not None and now is None:
            yield Change("parameter removed", subject, (Code(was[0]),), BREAKING, BREAKING)
        elif was is not None and now is not None:
            if direction := _direction(was[0], now[0], optionality_changed=was[1] != now[1]):
                yield Change(f"parameter type {direction}", subject, (Code(was[0]), " -> ", Code(now[0])), *_verdict(direction, sent=True))
            if was[1] != now[1]:
                yield (Change("parameter made required", subject, ("optional -> required",), BREAKING, COMPATIBLE) if now[1]
                       else Change("parameter made optional", subject, ("required -> optional",), COMPATIBLE, BREAKING))
    was_body, now_body = (_split(e) if (e := side.get("body")) is not None else None for side in (old, new))
    if was_body is None and now_body is not None:
        yield Change("request body added", call, (Code(now_body[0]),), BREAKING if now_body[1] else COMPATIBLE, BREAKING)
    elif was_body is not None and now_body is None:
        yield Change("request body removed", call, (Code(was_body[0]),), BREAKING, BREAKING)
    elif was_body is not None and now_body is not None:
        if direction := _direction(was_body[0], now_body[0]):
            yield Change(f"request body type {direction}", call, (Code(was_body[0]), " -> ", Code(now_body[0])),
                         *_verdict(direction, sent=True))
        if was_body[1] != now_body[1]:
            yield (Change("request body made required", call, ("optional -> required",), BREAKING, COMPATIBLE) if now_body[1]
                   else Change("request body made optional", call, ("required -> optional",), COMPATIBLE, BREAKING))
    if direction := _direction(old["returns"], new["returns"]):
        yield Change(f"return type {direction}", call, (Code(str(old["returns"])), " -> ", Code(str(new["returns"]))),
                     *_verdict(direction, sent=False))
    was_pages, now_pages = old.get("pages"), new.get("pages")
    if (was_pages is None) != (now_pages is None):  # the client's method returns pages, or no longer
        yield Change("operation paginated" if now_pages else "operation no longer paginated", call,
                     (f"{was_pages or 'one answer'} -> {now_pages or 'one answer'}",), BREAKING, COMPATIBLE)
    if old["route"] != new["route"]:
        yield Change("route changed", call, (old["route"], " -> ", new["route"]), COMPATIBLE, COMPATIBLE)


def _model_changes(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    if "enum" in old or "enum" in new:
        old_values, new_values = set(old.get("enum", ())), set(new.get("enum", ()))
        if removed := sorted(old_values - new_values):
            yield Change("enum values removed", (Code(name),), (", ".join(removed),), BREAKING, BREAKING)
        if added := sorted(new_values - old_values):
            yield Change("enum values added", (Code(name),), (", ".join(added),), COMPATIBLE, COMPATIBLE)
        return
    was_fields, now_fields = old.get("fields", {}), new.get("fields", {})
    for field in sorted(set(was_fields) | set(now_fields)):
        was, now = (_split(e) if (e := fields.get(field)) is not None else None for fields in (was_fields, now_fields))
        subject = (Code(f"{name}.{field}"),)
        if was is None and now is not None:
            yield Change("model field added", subject, (Code(now[0]), ", required" if now[1] else ", optional"),
                         BREAKING if now[1] else COMPATIBLE, BREAKING if now[1] else COMPATIBLE)
        elif was is not None and now is None:
            yield Change("model field removed", subject, (Code(was[0]),), BREAKING, BREAKING)
        elif was is not None and now is not None:
            if direction := _direction(was[0], now[0], optionality_changed=was[1] != now[1]):
                yield Change(f"model field type {direction}", subject, (Code(was[0]), " -> ", Code(now[0])), BREAKING, BREAKING)
            if was[1] != now[1]:
                yield Change("model field made " + ("required" if now[1] else "optional"), subject,
                             ("optional -> required",) if now[1] else ("required -> optional",), BREAKING, BREAKING)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The changes from ``old`` to ``new`` (two :func:`api_surface` values), in a stable order.

    An operation whose operationId changed but whose route stayed is a rename (its call may
    keep its name); otherwise operations are matched by operationId.
    """
    changes: list[Change] = []
    old_ops, new_ops = dict(old.get("operations", {})), dict(new.get("operations", {}))
    gone = {k: v for k, v in old_ops.items() if k not in new_ops}
    came = {k: v for k, v in new_ops.items() if k not in old_ops}
    by_route = {v["route"]: k for k, v in came.items()}
    for op_id, entry in sorted(gone.items()):
        if (match := by_route.pop(entry["route"], None)) is not None:
            old_ops[match] = entry  # compared below under its new id
            came.pop(match)
        else:
            changes.append(Change("operation removed", (Code(entry["call"]),), (entry["route"], " (", op_id, ")"), BREAKING, COMPATIBLE))
    for op_id, entry in sorted(came.items()):
        changes.append(Change("operation added", (Code(entry["call"]),), (entry["route"], " (", op_id, ")"), COMPATIBLE, COMPATIBLE))
    for op_id in sorted(set(old_ops) & set(new_ops)):
        changes.extend(_operation_changes(old_ops[op_id], new_ops[op_id]))
    old_models, new_models = old.get("models", {}), new.get("models", {})
    for name in sorted(set(old_models) | set(new_models)):
        if name not in new_models:
            changes.append(Change("model removed", (Code(name),), (), BREAKING, BREAKING))
        elif name not in old_models:
            changes.append(Change("model added", (Code(name),), (), COMPATIBLE, COMPATIBLE))
        else:
            changes.extend(_model_changes(name, old_models[name], new_models[name]))
    return changes


def verdict(changes: list[Change]) -> str:
    return "breaking" if any(c.breaking for c in changes) else "compatible" if changes else "unchanged"


def text_report(title: str, changes: list[Change]) -> list[str]:
    """Lines for the terminal."""
    if not changes:
        return [f"{title}: API unchanged"]
    counts = sum(c.breaking for c in changes)
    lines = [f"{title}: API {verdict(changes)}: {len(changes)} change(s), {counts} breaking"]
    for c in changes:
        mark = "BREAKING" if c.breaking else "ok"
        lines.append(f"  {mark:8} {c.kind}: {plain_text(c.subject)}" + (f" {plain_text(c.detail)}" if c.detail else "")
                     + f" [client: {c.client}, server: {c.server}]")
    return lines


def markdown_report(title: str, changes: list[Change]) -> str:
    """A Markdown section for a pull request."""
    head = f"## API changes: {title}\n\n"
    if not changes:
        return head + "No change to the generated API.\n"
    rows = ["| change | what | detail | client caller | server implementer |", "| --- | --- | --- | --- | --- |"]
    for c in changes:
        rows.append(f"| {c.kind} | {markdown_text(c.subject)} | {markdown_text(c.detail)} | "
                    f"{'**breaking**' if c.client == BREAKING else 'compatible'} | "
                    f"{'**breaking**' if c.server == BREAKING else 'compatible'} |")
    summary = f"**{verdict(changes)}**: {len(changes)} change(s), {sum(c.breaking for c in changes)} breaking.\n\n"
    return head + summary + "\n".join(rows) + "\n"


__all__ = ["BREAKING", "COMPATIBLE", "Change", "api_surface", "compare", "is_surface", "markdown_report", "members", "text_report",
           "verdict"]
