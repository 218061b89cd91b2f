"""Swagger 2.0 schemas as OpenAPI 3.0 ones: refs into ``#/definitions`` (and ``#/parameters``,
``#/responses``) moved to ``components``, ``x-nullable`` -> ``nullable`` (a ``$ref`` wrapped in a
one-member ``allOf`` so the flag is not ignored), ``type: file`` -> a binary string, a string
``discriminator`` -> ``{propertyName: ...}``, and the simple schemas of non-body parameters,
items and headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Keywords of a non-body parameter (and of an items object / header) that belong in its schema.
_SCHEMA_FIELDS = (
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
)
_SCHEMA_ONE = ("items", "additionalProperties", "not")
_SCHEMA_MAP = ("properties", "patternProperties", "definitions")
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf")
_REFS = (("#/definitions/", "#/components/schemas/"), ("#/parameters/", "#/components/parameters/"),
         ("#/responses/", "#/components/responses/"))


def convert_ref(ref: str) -> str:
    for old, new in _REFS:
        if ref.startswith(old):
            return new + ref[len(old):]
    return ref


def convert_schema(node: Any) -> Any:
    """A 2.0 schema object as a 3.0 one (a new object; data values are shared)."""
    if isinstance(node, list):
        return [convert_schema(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = convert_ref(value)
        elif key in _SCHEMA_ONE or key in _SCHEMA_LIST:
            out[key] = convert_schema(value)
        elif key in _SCHEMA_MAP and isinstance(value, Mapping):
            out[key] = {name: convert_schema(sub) for name, sub in value.items()}
        elif key == "discriminator" and isinstance(value, str):
            out[key] = {"propertyName": value}
        elif key == "x-nullable":
            continue
        else:
            out[key] = value
    if out.get("type") == "file":
        out["type"], out["format"] = "string", "binary"
    if node.get("x-nullable") is True:
        if "$ref" in out:  # siblings of $ref are ignored in 3.0
            out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
        out["nullable"] = True
    return out


def convert_simple_schema(node: Mapping[str, Any]) -> dict[str, Any]:
    """The schema of a non-body parameter, an items object or a header."""
    out: dict[str, Any] = {}
    for key in _SCHEMA_FIELDS:
        if key in node:
            value = node[key]
            out[key] = convert_simple_schema(value) if key == "items" and isinstance(value, Mapping) else value
    if "$ref" in node and isinstance(node["$ref"], str):  # not allowed in 2.0, but seen
        out["$ref"] = convert_ref(node["$ref"])
    if out.get("type") == "file":
        out["type"], out["format"] = "string", "binary"
    if node.get("x-nullable") is True:
        out["nullable"] = True
    return out
