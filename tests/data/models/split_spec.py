"""A synthetic API with more classes than one models module holds (``SPLIT_MIN``), shaped to
exercise every rule of the cut: classes one group uses, classes several groups share, classes
no operation uses, recursion inside a group, mutual recursion across groups, an enum default
defined in another module, a root model, a type alias through ``allOf``."""

from __future__ import annotations

from typing import Any

PER_GROUP = 60  # classes per group
SHARED = 40
UNREFERENCED = 30


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _fan(prefix: str, count: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``<prefix>0`` refers to ``<prefix>1`` ... ``<prefix><count - 1>`` (shallow: the mock server
    builds examples through pydantic's JSON schema, which recurses per level of nesting)."""
    schemas: dict[str, Any] = {}
    for i in range(count):
        props: dict[str, Any] = {"label": {"type": "string", "description": f"{prefix} {i}"}}
        schemas[f"{prefix}{i}"] = {"type": "object", "properties": props, "required": ["label"]}
    schemas[f"{prefix}0"]["properties"].update({f"p{i}": _ref(f"{prefix}{i}") for i in range(1, count)})
    schemas[f"{prefix}0"]["properties"].update(extra or {})
    return schemas


def split_spec() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    schemas.update(_fan("Shared", SHARED))
    schemas["Color"] = {"type": "string", "enum": ["red", "green"]}
    schemas["Ping"] = {"type": "object", "properties": {"pong": _ref("Pong")}}
    schemas["Pong"] = {"type": "object", "properties": {"ping": _ref("Ping")}}
    schemas["Node"] = {"type": "object", "properties": {"children": {"type": "array", "items": _ref("Node")}}}
    schemas["Names"] = {"type": "array", "items": {"type": "string"}}
    schemas.update(_fan("Pet", PER_GROUP, {"shared": _ref("Shared0"), "color": {**_ref("Color"), "default": "red"},
                                             "ping": _ref("Ping")}))
    schemas.update(_fan("Store", PER_GROUP, {"shared": _ref("Shared0"), "ping": _ref("Ping"), "names": _ref("Names")}))
    schemas.update(_fan("User", PER_GROUP, {"tree": _ref("Node")}))
    schemas.update(_fan("Event", UNREFERENCED, {"pet": _ref("Pet1"), "shared": _ref("Shared1")}))
    schemas["Alias"] = {"allOf": [_ref(f"User{PER_GROUP - 1}")]}

    def op(op_id: str, tag: str | None, schema: str) -> dict[str, Any]:
        operation: dict[str, Any] = {
            "operationId": op_id,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": _ref(schema)}}}},
        }
        if tag:
            operation["tags"] = [tag]
        return operation

    return {
        "openapi": "3.1.0",
        "info": {"title": "Split", "version": "1"},
        "tags": [{"name": "pets"}, {"name": "store"}, {"name": "users"}],
        "paths": {
            "/pets": {"get": op("getPet", "pets", "Pet0")},
            "/store": {"get": op("getStore", "store", "Store0")},
            "/users": {"get": op("getUser", "users", "User0")},
            "/alias": {"get": op("getAlias", None, "Alias")},
        },
        "components": {"schemas": schemas},
    }
