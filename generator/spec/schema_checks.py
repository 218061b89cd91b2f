"""Checks on schemas that the validator library does not make, reported as warnings: a
``default`` that does not fit its schema's type or enum (generated models would carry a value of
the wrong type), and ``oneOf`` branches no value can tell apart (a value of one fits both, so
none fits the ``oneOf``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from ..core.pointers import follow_pointer, ref_tokens
from .messages import abridged
from .refs import Tokens
from .walk import SCHEMA, TooDeep, walk_spec

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _misfit_default(schema: dict[str, Any]) -> str | None:
    """Why the schema's ``default`` does not fit its ``type`` or ``enum`` (None: it fits, or
    the schema says too little to tell)."""
    default = schema["default"]
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    types = [t for t in types if isinstance(t, str) and t in _JSON_TYPES]
    if types and schema.get("nullable") is True:
        types.append("null")
    text = json.dumps(default, default=str, ensure_ascii=False)
    shown = text if len(text) <= 40 else abridged(text)
    if types and not any(_JSON_TYPES[t](default) for t in types):
        return f"default {shown} is not of the schema's type ({' or '.join(types)})"
    enum = schema.get("enum")
    null_ok = default is None and schema.get("nullable") is True
    if isinstance(enum, list) and enum and not null_ok and not any(
            type(v) is type(default) and v == default for v in enum):
        return f"default {shown} is not one of the schema's enum values"
    return None


def misfit_defaults(document: dict[str, Any]) -> list[tuple[Tokens, str]]:
    """Each schema whose ``default`` does not fit its type or enum: (path, why). Generated
    models would carry a value of the wrong type (and fail type checking): they drop it."""
    found: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        if kind == SCHEMA and isinstance(node, dict) and "default" in node:
            why = _misfit_default(node)
            if why is not None:
                found.append(((*path, "default"), why))
        return True

    with contextlib.suppress(TooDeep):  # reported by the checks
        walk_spec(document, visit)
    return found


INDISTINCT = "a value of one fits both, and a oneOf wants exactly one"
"""The end of the warning about ``oneOf`` branches no value can tell apart (the sweep harness
reads it)."""
_ANNOTATIONS = frozenset({"title", "description", "example", "examples", "$comment"})
_PLAIN_OBJECT = frozenset({"type", "properties", "required", "additionalProperties"})


def _followed(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its annotations left out, a ``$ref`` (with no other constraint beside it)
    followed to what it names."""
    for _ in range(32):
        if not isinstance(node, dict):
            return node
        bare = {k: v for k, v in node.items() if k not in _ANNOTATIONS and not k.startswith("x-")}
        tokens = ref_tokens(bare["$ref"]) if set(bare) == {"$ref"} and isinstance(bare["$ref"], str) else None
        if tokens is None:
            return bare
        node = follow_pointer(document, tokens)
    return node


def _ref_of(node: Any) -> Any:
    return node.get("$ref") if isinstance(node, dict) else None


def _without_const(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_const(v) for k, v in node.items() if k != "const"}
    if isinstance(node, list):
        return [_without_const(v) for v in node]
    return node


def _const_alone_apart(a: Any, b: Any) -> bool:
    """OpenAPI 3.0 (no ``const``): whether two object branches are told apart only by a
    ``const`` on their required properties: same required properties, each declared in both
    and the same schema once ``const`` is left out, no other constraint than ``type``,
    ``properties``, ``required`` and ``additionalProperties``. An object of the required
    properties alone then fits both."""
    if not (isinstance(a, dict) and isinstance(b, dict) and set(a) | set(b) <= _PLAIN_OBJECT):
        return False
    required = a.get("required")
    props_a, props_b = a.get("properties"), b.get("properties")
    if not (a.get("type") == b.get("type") == "object" and isinstance(required, list) and required
            and sorted(map(str, required)) == sorted(map(str, b.get("required") or []))
            and isinstance(props_a, dict) and isinstance(props_b, dict)
            and all(isinstance(n, str) and n in props_a and n in props_b for n in required)):
        return False
    pairs = [(props_a[n], props_b[n]) for n in required]
    return all(_without_const(x) == _without_const(y) for x, y in pairs) and any(x != y for x, y in pairs)


def indistinct_one_ofs(document: dict[str, Any], minor: str) -> list[tuple[Tokens, str]]:
    """Each ``oneOf`` with two branches no value can tell apart: the same schema once ``$ref``
    is followed (a ``discriminator`` does not change what validates), or (OpenAPI 3.0, which
    has no ``const``) told apart only by ``const``. A value of one fits both, so no value of
    theirs fits the oneOf: (path, why)."""
    found: list[tuple[Tokens, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        branches = node.get("oneOf") if kind == SCHEMA and isinstance(node, dict) else None
        if not isinstance(branches, list) or len(branches) > 64:
            return True
        followed = [_followed(document, b) for b in branches]
        for j, b in enumerate(followed):
            for i, a in enumerate(followed[:j]):
                if a == b:
                    named = "discriminator" in node and _ref_of(branches[i]) != _ref_of(branches[j])
                    why = f"oneOf branches {i} and {j} are the same schema ($ref followed)" + (
                        " (the discriminator names them apart; a JSON Schema validator does not read it)"
                        if named else "")
                elif minor.startswith("3.0") and _const_alone_apart(a, b):
                    why = (f"oneOf branches {i} and {j} differ only by `const`, which OpenAPI 3.0 "
                           "does not have (it is ignored)")
                else:
                    continue
                found.append(((*path, "oneOf"), f"{why}: {INDISTINCT}"))
                return True
        return True

    with contextlib.suppress(TooDeep):  # reported by the checks
        walk_spec(document, visit)
    return found
