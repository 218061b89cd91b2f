"""The IR built from small inline specs (plan -> models -> build, no files)."""

from __future__ import annotations

import copy
from typing import Any

from oapigen.ir.builder import build_api, plan_models
from oapigen.ir.model import Api, BodyKind, ParamLocation, TypeKind
from oapigen.models.stage import generate_models


def build(spec: dict[str, Any], renames: dict[str, str] | None = None) -> Api:
    doc = copy.deepcopy(spec)
    plan = plan_models(doc, renames or {})
    models, _ = generate_models(doc, "t.yaml")
    api, _ = build_api(
        doc, plan=plan, class_by_ref=models.class_by_ref, renames=renames or {}, package="t",
        spec_name="t.yaml", spec_sha256="0", model_names=models.class_names,
    )
    return api


def spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


PET = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id"]}


def test_parameters_path_order_then_required_then_optional() -> None:
    api = build(
        spec(
            {
                "/a/{second}/b/{first}": {
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "get": {
                        "operationId": "getThing",
                        "parameters": [
                            {"name": "first", "in": "path", "required": True, "schema": {"type": "string"}},
                            {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                            {"name": "second", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                            {"name": "class", "in": "cookie", "schema": {"type": "string"}},
                        ],
                        "responses": {"204": {"description": "ok"}},
                    },
                }
            }
        )
    )
    (op,) = api.operations
    assert op.python_name == "get_thing"
    assert [p.python_name for p in op.parameters] == ["second", "first", "x_trace", "limit", "class_"]
    assert [p.name for p in op.parameters][:3] == ["second", "first", "X-Trace"]
    assert op.parameters[0].type.annotation() == "UUID"
    assert op.parameters[3].location is ParamLocation.QUERY and not op.parameters[3].required
    assert op.parameters[3].style == "form" and op.parameters[3].explode
    assert op.parameters[0].style == "simple"


def test_inline_bodies_are_hoisted_into_named_models() -> None:
    api = build(
        spec(
            {
                "/pets": {
                    "post": {
                        "operationId": "createPet",
                        "tags": ["Pet Store"],
                        "requestBody": {"required": True, "content": {"application/json": {"schema": PET}}},
                        "responses": {
                            "201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                            "default": {"description": "err", "content": {"application/json": {"schema": {"type": "object", "properties": {"msg": {"type": "string"}}}}}},
                        },
                    },
                    "get": {
                        "operationId": "listPets",
                        "tags": ["Pet Store"],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}},
                    },
                }
            },
            {"Pet": PET},
        )
    )
    create, listing = sorted(api.operations, key=lambda o: o.python_name)
    assert create.group == "pet_store" and create.python_path == "pet_store.create_pet"
    assert create.request_body is not None and create.request_body.required
    body = create.request_body.preferred
    assert body.kind is BodyKind.JSON and body.type.kind is TypeKind.NAMED
    assert body.type.name in api.model_names and body.type.name == "CreatePetBody"
    assert create.success is not None and create.success.preferred is not None
    assert create.success.preferred.type.annotation() == "Pet"
    assert listing.success is not None and listing.success.preferred is not None
    assert listing.success.preferred.type.annotation("models.") == "list[models.Pet]"
    assert [g.name for g in api.groups] == ["pet_store"] and api.groups[0].class_name == "PetStore"


def test_nullable_and_type_arrays() -> None:
    api = build(
        spec(
            {
                "/x": {
                    "get": {
                        "operationId": "x",
                        "parameters": [
                            {"name": "a", "in": "query", "schema": {"type": ["string", "null"]}},
                            {"name": "b", "in": "query", "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
                            {"name": "c", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                            {"name": "d", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                        ],
                        "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
                    }
                }
            }
        )
    )
    (op,) = api.operations
    assert [p.type.annotation() for p in op.parameters] == ["str | None", "int | None", "Literal['asc', 'desc']", "list[str]"]
    assert op.success is not None and op.success.preferred is not None
    assert op.success.preferred.kind is BodyKind.TEXT


def test_colliding_names_and_handlers_are_unique() -> None:
    ok = {"responses": {"204": {"description": "ok"}}}
    api = build(
        spec(
            {
                "/a": {"get": {"operationId": "getUser", "tags": ["a"], **ok}, "put": {"operationId": "get_user", "tags": ["a"], **ok}},
                "/b": {"get": {"operationId": "getUser", "tags": ["b"], **ok}},
            }
        )
    )
    paths = sorted(op.python_path for op in api.operations)
    assert paths == ["a.get_user", "a.get_user_put", "b.get_user"]
    handlers = [op.handler_name for op in api.operations]
    assert len(set(handlers)) == len(handlers)


def test_handler_names_colliding_across_groups_take_the_group_prefix() -> None:
    """README: handler names that collide across groups are prefixed with the group
    (``threads_get_state``); a name used once keeps its plain form, untagged ones too."""
    ok = {"responses": {"204": {"description": "ok"}}}
    api = build(
        spec(
            {
                "/threads/state": {"get": {"operationId": "getState", "tags": ["threads"], **ok}},
                "/runs/state": {"get": {"operationId": "getState", "tags": ["runs"], **ok}},
                "/runs/x": {"post": {"operationId": "cancel", "tags": ["runs"], **ok}},
                "/plain": {"get": {"operationId": "getState", **ok}},
            }
        )
    )
    by_path = {op.path: (op.python_path, op.handler_name) for op in api.operations}
    assert by_path == {
        "/threads/state": ("threads.get_state", "threads_get_state"),
        "/runs/state": ("runs.get_state", "runs_get_state"),
        "/runs/x": ("runs.cancel", "cancel"),
        "/plain": ("get_state", "get_state"),
    }


def test_renames_from_config() -> None:
    ok = {"responses": {"204": {"description": "ok"}}}
    api = build(spec({"/a": {"get": {"operationId": "getUser", "tags": ["a"], **ok}}}), {"getUser": "people.fetch"})
    (op,) = api.operations
    assert op.python_path == "people.fetch"


def test_sse_is_recognized() -> None:
    api = build(
        spec(
            {
                "/s": {
                    "post": {
                        "operationId": "stream",
                        "responses": {"200": {"description": "events", "content": {"text/event-stream": {"schema": {"type": "string"}}}}},
                    }
                }
            }
        )
    )
    assert api.operations[0].streams
    assert api.operations[0].group == "s"  # a spec without tags: grouped by the first path segment


def _get(op_id: str, tags: list[str] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "responses": {"200": {"description": "ok"}}}
    return {"get": {**op, "tags": tags} if tags else op}


def test_a_spec_without_tags_is_grouped_by_the_first_path_segment() -> None:
    api = build(
        spec(
            {
                "/v1/pets": _get("listPets"),
                "/v1/pets/{id}": _get("getPet"),
                "/v1/stores/{id}/orders": _get("listOrders"),
                "/v1/models": _get("listModels"),  # a name the client reserves
            }
        )
    )
    # the segment every path starts with (/v1) is not a group
    assert [op.python_path for op in api.operations] == [
        "pets.list_pets", "pets.get_pet", "stores.list_orders", "models_.list_models"
    ]
    assert [g.class_name for g in api.groups] == ["Models", "Pets", "Stores"]
    assert api.groups[1].description == "Operations on the paths under `/v1/pets` (the spec has no tags)."
    assert not api.ungrouped


def test_with_tags_untagged_operations_stay_on_the_client() -> None:
    api = build(spec({"/pets": _get("listPets", ["pets"]), "/stores": _get("listStores")}))
    assert [op.python_path for op in api.operations] == ["pets.list_pets", "list_stores"]


def test_ignored_header_parameters_are_not_in_the_ir() -> None:
    # OpenAPI: header parameters named Accept, Content-Type or Authorization SHALL be ignored.
    headers = [
        {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
        for name in ("Accept", "content-type", "AUTHORIZATION", "X-Trace")
    ]
    api = build(spec({"/x": {"get": {"operationId": "x", "parameters": headers, "responses": {"204": {"description": "ok"}}}}}))
    assert [p.name for p in api.operations[0].parameters] == ["X-Trace"]


def test_header_parameters_the_connection_owns_are_left_out_with_a_warning() -> None:
    """Host, Content-Length, ... are written by the HTTP client itself: a parameter of that name
    could never be sent as declared (the fuzzer found a server reading the client's Host as one)."""
    headers = [
        {"name": name, "in": "header", "required": True, "schema": {"type": "object"}}
        for name in ("Host", "content-length", "Transfer-Encoding", "X-Trace")
    ]
    doc = spec({"/x": {"get": {"operationId": "x", "parameters": headers, "responses": {"204": {"description": "ok"}}}}})
    plan = plan_models(doc, {})
    models, _ = generate_models(doc, "t.yaml")
    api, diagnostics = build_api(
        doc, plan=plan, class_by_ref=models.class_by_ref, renames={}, package="t",
        spec_name="t.yaml", spec_sha256="0", model_names=models.class_names,
    )
    assert [p.name for p in api.operations[0].parameters] == ["X-Trace"]
    assert [d.pointer for d in diagnostics] == [f"/paths/~1x/get/parameters/{i}" for i in range(3)]
    assert all("the HTTP connection sets itself" in d.message for d in diagnostics)


def test_duplicate_operation_ids_are_made_unique_with_a_warning() -> None:
    doc = spec({"/a": _get("fetch", ["t"]), "/b": _get("fetch", ["t"]), "/c": _get("fetch_2", ["t"])})
    plan = plan_models(doc, {})
    models, _ = generate_models(doc, "t.yaml")
    api, diagnostics = build_api(
        doc, plan=plan, class_by_ref=models.class_by_ref, renames={}, package="t",
        spec_name="t.yaml", spec_sha256="0", model_names=models.class_names,
    )
    assert [op.operation_id for op in api.operations] == ["fetch", "fetch_3", "fetch_2"]
    assert [d.pointer for d in diagnostics] == ["/paths/~1b/get"]
    assert "'fetch' is also the id of GET /a" in diagnostics[0].message
