"""Properties that the members of an ``allOf`` define twice, merged before the models library
reads them.

``allOf: [{$ref: ModelResponseProperties}, {properties: {top_logprobs: {type: integer}}}]``,
where the referenced schema has ``top_logprobs: {anyOf: [{type: integer}, {type: "null"}]}``:
both definitions hold, so the property is an integer (null is no integer). The library lays
the redefinition over each member of the inherited union and keeps the ``null`` one as it is:
``top_logprobs: TopLogprobs | TopLogprobs1 | None`` with ``class TopLogprobs1(RootModel[None])``,
a numbered class that admits what the schema forbids. Here the redefinition becomes what both
admit: the union's members whose type the redefinition allows, each with the redefinition's
keywords (bounds tightened where both give one), moved to a component named by its context
(``CreateModelResponsePropertiesTopLogprobs``) that the property refers to; the library takes a
``$ref`` as it is, without merging it again. When no member is a ``$ref`` (the library merges
inline members into one class, keeping the first definition: GitHub's ``webhook-fork.forkee``,
``created_at: {oneOf: [integer, date-time]}`` redefined as a string, was ``int | AwareDatetime``),
what both admit is written in place of the redefinition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core import naming

SCHEMAS_PREFIX = "#/components/schemas/"
_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
# Bounds: where both definitions give one, the tighter holds.
_LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
_UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})
_MAX_DEPTH = 16


def merge_redefined_properties(schemas: dict[str, Any], resolve: Callable[[str], Any]) -> None:
    """Rewrite, in place, each inline ``allOf`` member's property that another member defines
    as a union (see the module docstring)."""
    taken = {name.lower() for name in schemas}
    seen: set[int] = set()

    def walk(schema: Any, context: str) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        members = schema.get("allOf")
        if isinstance(members, list) and len(members) > 1:
            merge_members(members, context)
        props = schema.get("properties")
        for prop, sub in props.items() if isinstance(props, Mapping) else ():
            walk(sub, context + naming.pascal(str(prop)))
        for key, suffix in (("items", ""), ("additionalProperties", "Value")):
            walk(schema.get(key), context + suffix)
        for key in ("allOf", "anyOf", "oneOf"):
            for member in schema.get(key) or () if isinstance(schema.get(key), list) else ():
                walk(member, context)

    def merge_members(members: list[Any], context: str) -> None:
        inherited = [_properties(m, resolve) for m in members]
        for i, member in enumerate(members):
            own = member.get("properties") if isinstance(member, dict) and "$ref" not in member else None
            if not isinstance(own, dict):
                continue
            for prop, redefined in list(own.items()):
                others = [props[prop] for j, props in enumerate(inherited) if j != i and prop in props]
                union = next((o for o in others if _union_members(o) is not None), None)
                if union is None or not isinstance(redefined, dict) or _union_members(redefined) is not None:
                    continue
                merged = _intersection(union, redefined, resolve)
                if merged is None:
                    continue
                if not any(isinstance(m, Mapping) and "$ref" in m for m in members):
                    own[prop] = merged  # inline members: the library merges them into one class
                    continue
                name = naming.shorten_class_name(context + naming.pascal(str(prop)))
                name = naming.dedupe([name], taken)[0] if name.lower() in taken else name
                taken.add(name.lower())
                schemas[name] = merged
                own[prop] = {"$ref": SCHEMAS_PREFIX + name}

    for name in list(schemas):
        walk(schemas[name], name)


def _deref(schema: Any, resolve: Callable[[str], Any]) -> Any:
    depth = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and depth < _MAX_DEPTH:
        schema, depth = resolve(schema["$ref"]), depth + 1
    return schema


def _properties(member: Any, resolve: Callable[[str], Any], depth: int = 0) -> dict[str, Any]:
    """The properties a member of an ``allOf`` defines, its own ``allOf`` members' included."""
    member = _deref(member, resolve)
    if not isinstance(member, Mapping) or depth > _MAX_DEPTH:
        return {}
    out: dict[str, Any] = {}
    for part in member.get("allOf") or () if isinstance(member.get("allOf"), list) else ():
        out.update(_properties(part, resolve, depth + 1))
    props = member.get("properties")
    out.update(props if isinstance(props, Mapping) else {})
    return out


def _union_members(schema: Any) -> list[Any] | None:
    """The members of a property that is a union: ``anyOf``/``oneOf`` of two or more, or of
    one beside 3.0's ``nullable: true`` (null is the other)."""
    if not isinstance(schema, Mapping):
        return None
    nullable = schema.get("nullable") is True
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and (len(members) > 1 or (members and nullable)):
            return [*members, {"type": "null"}] if nullable else members
    return None


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema admits by its ``type`` (and 3.0 ``nullable``); None: any."""
    kind = schema.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else None
    if kinds is None:
        return frozenset({"null"}) if schema.get("enum") == [None] else None
    if schema.get("nullable") is True:
        kinds.add("null")
    if "integer" in kinds:
        kinds.add("number")  # an integer is a number: ``number`` admits it
    return frozenset(kinds) & _TYPES


def _intersection(union: Mapping[str, Any], redefined: Mapping[str, Any], resolve: Callable[[str], Any]) -> dict[str, Any] | None:
    """What both the union and the redefinition admit, as one schema; None when that cannot be
    told (a member or the redefinition without a type) or nothing is admitted."""
    wanted = _types(redefined)
    if wanted is None:
        return None
    kept: list[dict[str, Any]] = []
    for member in _union_members(union) or ():
        resolved = _deref(member, resolve)
        if not isinstance(resolved, Mapping) or (types := _types(resolved)) is None:
            return None
        if not types & wanted:
            continue  # ``null`` beside ``type: integer``: not admitted by both
        kept.append(_both(resolved, redefined))
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    notes = {k: v for k, v in redefined.items() if k in ("description", "title", "default", "deprecated")}
    return {"anyOf": kept, **notes}


def _both(member: Mapping[str, Any], redefined: Mapping[str, Any]) -> dict[str, Any]:
    """``member`` with the keywords of ``redefined``: the tighter of two bounds, the values of
    two enums both admit, else the redefinition's."""
    out = dict(member)
    for key, value in redefined.items():
        old = out.get(key)
        if key in _LOWER and _number(old) and _number(value):
            out[key] = max(old, value)
        elif key in _UPPER and _number(old) and _number(value):
            out[key] = min(old, value)
        elif key == "enum" and isinstance(old, list) and isinstance(value, list):
            out[key] = [v for v in value if v in old]
        elif key == "type" and isinstance(value, str | list) and isinstance(old, str | list):
            out[key] = _common_types(old, value)
        else:
            out[key] = value
    if "null" not in (_types(redefined) or ()):
        out.pop("nullable", None)
    return out


def _common_types(first: str | list[Any], second: str | list[Any]) -> str | list[str]:
    """The types both ``type`` keywords give (an integer is a number)."""
    a = [first] if isinstance(first, str) else [t for t in first if isinstance(t, str)]
    b = [second] if isinstance(second, str) else [t for t in second if isinstance(t, str)]
    both = [t for t in b if t in a]
    crossed = ("integer" in a and "number" in b) or ("number" in a and "integer" in b)
    both += ["integer"] if crossed and "integer" not in both else []
    return both[0] if len(both) == 1 else both


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


__all__ = ["merge_redefined_properties"]
