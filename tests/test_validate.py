"""oapigen.spec.validate: oapigen's own checks (ERROR), the library's findings (WARNING), lenient mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from oapigen.core.diagnostics import Diagnostic, Severity, errors_of
from oapigen.spec.lenient import drop_dangling_refs
from oapigen.spec.load import load_spec
from oapigen.spec.overlay import apply_overlay
from oapigen.spec.validate import validate_spec
from oapigen.spec.walk import OPERATION, SCHEMA, walk_spec

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
SEED = ROOT / "specs" / "agent-server.json"
OVERLAY = ROOT / "specs" / "agent-server.overlay.yaml"
needs_corpus = pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is absent")


def spec_file(tmp_path: Path, document: dict[str, Any] | str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def findings(tmp_path: Path, document: dict[str, Any] | str) -> list[Diagnostic]:
    return validate_spec(load_spec(spec_file(tmp_path, document)))


def api(paths: Any = None, **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {} if paths is None else paths, **extra}


def ok(description: str = "ok") -> dict[str, Any]:
    return {"200": {"description": description}}


# --- the seed -------------------------------------------------------------------------------------


def test_seed_without_overlay() -> None:
    result = validate_spec(load_spec(SEED))
    (error,) = errors_of(result)
    assert error.pointer == "/components/schemas/ThreadState/properties/tasks/items/properties/interrupts/items"
    assert error.file == str(SEED) and error.line == 5111
    assert "'#/components/schemas/Interrupt'" in error.message
    assert "/components/schemas/ThreadState/properties/interrupts/items" in error.message  # the 2nd use
    assert error.hint and "components/responses" in error.hint
    warnings = [(d.pointer, d.line) for d in result if d.severity is Severity.WARNING]
    assert warnings == [
        ("/paths/~1mcp~1/post/requestBody/content/application~1json", 3284),
        ("/paths/~1mcp~1/delete/responses/404", 3347),
        # the misfiled Interrupt itself: a schema is not a valid Response object
        ("/components/responses/Interrupt", 5682),  # two findings of the library: one warning
    ]
    assert result and all("\n" not in d.message and len(d.message) <= 200 for d in result)


def test_seed_with_overlay_has_no_findings() -> None:
    spec = load_spec(SEED)
    assert validate_spec(spec, apply_overlay(spec.document, OVERLAY)) == []


# --- versions ---------------------------------------------------------------------------------------


@needs_corpus
def test_swagger_2_is_validated_as_2_0() -> None:
    spec = load_spec(SHARED_SPECS / "oai-petstore-separate" / "spec" / "swagger.yaml",
                     allow_ref_outside=[SHARED_SPECS / "oai-petstore-separate" / "common"])
    assert validate_spec(spec) == []  # converting and generating it: tests/test_swagger2.py


def test_other_swagger_versions_are_one_error(tmp_path: Path) -> None:
    (error,) = findings(tmp_path, "swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    assert error.severity is Severity.ERROR and error.pointer == "/swagger" and error.line == 1
    assert error.message.startswith("unsupported Swagger version '1.2' (found swagger: 1.2)")


@pytest.mark.parametrize(
    ("header", "found"),
    [("info: {title: t, version: '1'}", "no 'openapi' field"), ("openapi: 3.2.0", "'3.2.0'"),
     ("openapi: 3.0", "3.0 (a number; quote it)"), ("openapi: '2.0'", "'2.0'")],
)
def test_missing_or_unknown_versions(tmp_path: Path, header: str, found: str) -> None:
    (error,) = findings(tmp_path, header + "\npaths: {}\n")
    assert error.severity is Severity.ERROR and found in error.message


# --- refs ---------------------------------------------------------------------------------------------


def test_dangling_refs_are_grouped_and_hinted(tmp_path: Path) -> None:
    document = api({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/thing"}}}}}}}}},
        components={"schemas": {"B": {"$ref": "#/components/schemas/thing"}, "C": {"$ref": "#/nowhere/at/all"}},
                    "responses": {"Thing": {"description": "x"}}})
    result = findings(tmp_path, document)
    assert [d.severity for d in result] == [Severity.ERROR, Severity.ERROR]
    first, second = result
    assert first.pointer == "/paths/~1a/get/responses/200/content/application~1json/schema/items"
    assert "also used at /components/schemas/B" in first.message
    assert first.hint and "components/responses" in first.hint and "'Thing'" in first.hint
    assert second.pointer == "/components/schemas/C" and second.hint is None


def test_ref_loops_are_errors_but_recursive_schemas_are_fine(tmp_path: Path) -> None:
    document = api(components={"schemas": {
        "A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"},
        "Self": {"$ref": "#/components/schemas/Self"},
        "Tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
        "ToLoop": {"$ref": "#/components/schemas/A"},
    }})
    result = findings(tmp_path, document)
    assert [d.pointer for d in result] == ["/components/schemas/A", "/components/schemas/Self"]
    assert "/components/schemas/A -> /components/schemas/B -> /components/schemas/A" in result[0].message
    assert result and all(d.severity is Severity.ERROR for d in result)


@needs_corpus
@pytest.mark.parametrize(("name", "pointer", "text"), [
    ("circular-body-ref.yaml", "/components/requestBodies/body", "$ref loop"),
    ("missing-body-ref.yaml", "/paths/~1/post/requestBody", "dangling $ref"),
    ("optional-path-param.yaml", "/paths/~1{optional}/get/parameters/0", "required: true"),
])
def test_documents_with_errors_that_the_library_misses_or_repeats(name: str, pointer: str, text: str) -> None:
    (error,) = validate_spec(load_spec(SHARED_SPECS / "opc-e2e-extras" / "documents_with_errors" / name))
    assert error.severity is Severity.ERROR and error.pointer == pointer and text in error.message
    assert error.line is not None


def test_refs_inside_examples_and_extensions_are_data(tmp_path: Path) -> None:
    document = api(components={"schemas": {"A": {
        "type": "object", "example": {"$ref": "#/not/a/ref"}, "x-thing": {"$ref": "#/nope"},
        "properties": {"x-real": {"$ref": "#/components/schemas/Gone"}, "default": {"type": "string"}}}}})
    (error,) = findings(tmp_path, document)
    assert error.pointer == "/components/schemas/A/properties/x-real"


def test_drop_dangling_refs_for_lenient_mode(tmp_path: Path) -> None:
    document = api(components={"schemas": {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Gone"}}},
        "L": {"$ref": "#/components/schemas/L"}, "Fine": {"$ref": "#/components/schemas/A"}}})
    spec = load_spec(spec_file(tmp_path, document))
    dropped = drop_dangling_refs(spec.document)
    assert dropped["components"]["schemas"]["A"]["properties"]["b"] == {}
    assert dropped["components"]["schemas"]["L"] == {}
    assert dropped["components"]["schemas"]["Fine"] == {"$ref": "#/components/schemas/A"}
    assert spec.document["components"]["schemas"]["A"]["properties"]["b"] == {"$ref": "#/components/schemas/Gone"}
    assert validate_spec(spec, dropped) == []


# --- structure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "pointer", "text"),
    [
        (api(paths=[]), "/paths", "'paths' must be an object"),
        (api({"/a": "nope"}), "/paths/~1a", "a path item must be an object"),
        (api({"/a": {"get": []}}), "/paths/~1a/get", "an operation must be an object"),
        (api({"/a": {"get": {"parameters": {"x": 1}, "responses": ok()}}}), "/paths/~1a/get/parameters", "must be a list"),
        (api({"/a": {"get": {"parameters": [{"in": "query"}], "responses": ok()}}}), "/paths/~1a/get/parameters/0",
         "string 'name' and a string 'in'"),
        (api({"/a": {"get": {"parameters": [{"name": "x", "in": "body"}], "responses": ok()}}}),
         "/paths/~1a/get/parameters/0/in", "unknown parameter location"),
        (api({"/a": {"get": {"responses": []}}}), "/paths/~1a/get/responses", "'responses' must be an object"),
        (api({"/a": {"get": {"responses": {"200": "ok"}}}}), "/paths/~1a/get/responses/200", "a response must be an object"),
        (api({"/a": {"post": {"requestBody": [], "responses": ok()}}}), "/paths/~1a/post/requestBody", "request body must be"),
        (api(components={"schemas": {"S": "string"}}), "/components/schemas/S", "a schema must be an object or a boolean"),
        (api(components={"schemas": {"S": {"type": "array", "items": [{"type": "string"}]}}}),
         "/components/schemas/S/items", "found a list"),
        (api(components={"schemas": {"S": {"properties": {"a": 3}}}}), "/components/schemas/S/properties/a", "found an integer"),
        (api(components={"schemas": []}), "/components/schemas", "must be an object"),
    ],
)
def test_structural_errors(tmp_path: Path, document: dict[str, Any], pointer: str, text: str) -> None:
    result = findings(tmp_path, document)
    errors = errors_of(result)
    assert [e.pointer for e in errors] == [pointer], result
    assert text in errors[0].message
    # the library's own complaint about the same place is not repeated
    assert not any(d.pointer.startswith(pointer) for d in result if d.severity is Severity.WARNING)


def test_boolean_schemas_are_fine(tmp_path: Path) -> None:
    assert findings(tmp_path, api(components={"schemas": {"Any": True, "O": {"additionalProperties": False}}})) == []


def test_path_parameters(tmp_path: Path) -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    document = api({
        "/a/{id}": {"parameters": [param], "get": {"responses": ok()}, "put": {"responses": ok()}},
        "/b/{id}/{other}": {"get": {"parameters": [param], "responses": ok()}},
        "/c/{id}": {"get": {"parameters": [{**param, "required": False}], "responses": ok()}},
        "/d/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/Id"}], "responses": ok()}},
    }, components={"parameters": {"Id": param}})
    result = findings(tmp_path, document)
    assert [(d.severity, d.pointer) for d in result] == [
        (Severity.ERROR, "/paths/~1b~1{id}~1{other}/get"),
        (Severity.ERROR, "/paths/~1c~1{id}/get/parameters/0"),
    ]
    assert "'{other}'" in result[0].message and result[0].hint and "in: path" in result[0].hint
    assert "required: true" in result[1].message


# --- the library ---------------------------------------------------------------------------------------


def test_library_findings_are_located_one_line_warnings(tmp_path: Path) -> None:
    big = {f"key{i}": "x" * 40 for i in range(20)}
    document = api({"/a": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"type": "string", "default": 3}}}, **big}}}}},
        components={"schemas": {"S": {"type": "object", "required": ["a", "a"]}}})
    path = spec_file(tmp_path, document)
    result = validate_spec(load_spec(path))
    assert result and all(d.severity is Severity.WARNING and d.file == str(path) for d in result)
    assert result and all(d.line is not None and "\n" not in d.message and len(d.message) <= 200 for d in result)
    by_pointer = {d.pointer: d.message for d in result}
    assert "non-unique" in by_pointer["/components/schemas/S/required"]
    assert by_pointer["/paths/~1a/get/responses/200/content/application~1json/schema/default"] == (
        "default 3 is not of the schema's type (string): it is left out of the generated code")  # ours, not the library's
    assert any(m.endswith("...") for m in by_pointer.values())  # a long list of unexpected keys, cut


def test_big_values_in_messages_are_abridged(tmp_path: Path) -> None:
    big = {f"key{i}": "x" * 40 for i in range(20)}
    document = {**api({"/a": {"get": {"responses": {"200": {"content": {}, **big}}}}}), "openapi": "3.0.3"}
    result = findings(tmp_path, document)
    assert any(d.message.startswith("{content, key0, key1, ") and ", ...} is not valid" in d.message
               for d in result), result


def test_library_findings_through_refs_point_at_the_definition(tmp_path: Path) -> None:
    document = api({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/S"}}}}}}}},
        components={"schemas": {"S": {"type": "object", "properties": {"n": {"type": "integer", "default": "x"}}}}})
    (warning,) = findings(tmp_path, document)
    assert warning.pointer == "/components/schemas/S/properties/n/default"


def test_openapi_3_0_is_validated_too(tmp_path: Path) -> None:
    document = {**api({"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}), "openapi": "3.0.3",
                "components": {"schemas": {"N": {"type": "string", "nullable": True}, "Bad": {"type": "string", "minLength": -1}}}}
    result = findings(tmp_path, document)
    assert result and all(d.pointer.startswith("/components/schemas/Bad") for d in result)
    assert result and all(d.severity is Severity.WARNING for d in result)


def test_json_specs_are_located_too(tmp_path: Path) -> None:
    document = api(components={"schemas": {"S": {"type": "object", "required": ["a", "a"]}}})
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document, indent=2))
    (warning,) = validate_spec(load_spec(path))
    assert warning.line == 12  # the "required" key


# openai.yaml's validation (22 findings, each located in the schemas) is asserted once per run,
# through the CLI: tests/test_corpus.py test_big_spec_validates_with_located_errors.


# --- the walk --------------------------------------------------------------------------------------------


def test_walk_knows_what_each_object_is() -> None:
    document = api({"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                                    "responses": {"200": {"description": "ok", "x-ext": {"type": "nope"}}},
                                    "callbacks": {"cb": {"{$request.body#/url}": {"post": {"responses": ok()}}}}}}},
                   components={"schemas": {"S": {"properties": {"x-name": {"type": "integer"}}, "enum": [{"a": 1}]}}})
    seen: list[tuple[str, str]] = []

    def visit(path: list[str | int], node: Any, kind: str) -> bool:
        seen.append(("/".join(map(str, path)), kind))
        return True

    walk_spec(document, visit)
    kinds = dict(seen)
    assert kinds["paths//a/get"] == OPERATION
    assert kinds["paths//a/get/parameters/0/schema"] == SCHEMA
    assert kinds["paths//a/get/callbacks/cb/{$request.body#/url}/post"] == OPERATION
    assert kinds["components/schemas/S/properties/x-name"] == SCHEMA
    assert seen and not any("x-ext" in p or "enum" in p for p, _ in seen)
