"""Swagger 2.0 input: converted to OpenAPI 3.0.3, then the normal pipeline.

Unit cases convert small inline documents (``convert``); the integration cases generate the
corpus's split Swagger 2.0 petstore and ``tests/data/swagger2/features.yaml`` through the CLI,
import them, run each client against its own server in process and type-check both packages.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.core.diagnostics import Severity
from oapigen.run.pipeline import prepare
from oapigen.spec.swagger2 import convert, is_swagger2

from .conftest import (
    ROOT,
    SHARED_SPECS,
    MypyRun,
    assert_no_traceback,
    mypy_strict_targets,
    run_oapigen,
)

FEATURES = ROOT / "tests" / "data" / "swagger2" / "features.yaml"
PETSTORE2 = SHARED_SPECS / "oai-petstore-separate" / "spec" / "swagger.yaml"
needs_corpus = pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is absent")


def doc(paths: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths or {}, **extra}


def op(*parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"parameters": list(parameters), "responses": {"200": {"description": "ok"}}, **extra}


# --- the conversion -----------------------------------------------------------------------------


def test_only_swagger_2_0_is_converted() -> None:
    assert is_swagger2(doc()) and not is_swagger2({"openapi": "3.0.0"}) and not is_swagger2({"swagger": "1.2"})


def test_definitions_and_refs_move_to_components() -> None:
    out = convert(doc(definitions={
        "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/definitions/Person"},
                                                  "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}}},
        "Person": {"type": "object", "x-nullable": True, "properties": {"photo": {"type": "file"}}},
        "Tag": {"type": "string"},
        "Animal": {"type": "object", "discriminator": "kind", "properties": {"kind": {"type": "string"}}},
        "Owned": {"type": "object", "properties": {"pet": {"$ref": "#/definitions/Pet", "x-nullable": True}}},
    })).document
    schemas = out["components"]["schemas"]
    assert out["openapi"] == "3.0.3" and "definitions" not in out
    assert schemas["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Person"}
    assert schemas["Pet"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["Person"]["nullable"] is True and "x-nullable" not in schemas["Person"]
    assert schemas["Person"]["properties"]["photo"] == {"type": "string", "format": "binary"}
    assert schemas["Animal"]["discriminator"] == {"propertyName": "kind"}
    # a $ref's siblings are ignored in 3.0: the flag goes next to a one-member allOf
    assert schemas["Owned"]["properties"]["pet"] == {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": True}


@pytest.mark.parametrize(
    ("host", "base", "schemes", "servers"),
    [
        ("api.example.com", "/v1", ["http", "https"], ["http://api.example.com/v1", "https://api.example.com/v1"]),
        ("api.example.com", None, None, ["https://api.example.com"]),
        (None, "/v1", ["http"], ["/v1"]),
        (None, None, None, None),
    ],
)
def test_host_base_path_and_schemes_become_servers(host: str | None, base: str | None, schemes: list[str] | None,
                                                   servers: list[str] | None) -> None:
    extra: dict[str, Any] = {k: v for k, v in (("host", host), ("basePath", base), ("schemes", schemes)) if v is not None}
    out = convert(doc(**extra)).document
    assert ([s["url"] for s in out["servers"]] if "servers" in out else None) == servers


@pytest.mark.parametrize(
    ("location", "collection", "style", "explode"),
    [("query", None, "form", False), ("query", "csv", "form", False), ("query", "multi", "form", True),
     ("query", "ssv", "spaceDelimited", False), ("query", "pipes", "pipeDelimited", False),
     ("header", None, "simple", False), ("path", "csv", "simple", False)],
)
def test_collection_format_becomes_style_and_explode(location: str, collection: str | None, style: str,
                                                     explode: bool) -> None:
    param = {"name": "ids", "in": location, "required": True, "type": "array", "items": {"type": "integer"}}
    if collection:
        param["collectionFormat"] = collection
    out = convert(doc({"/a/{ids}": {"get": op(param)}})).document
    (converted,) = out["paths"]["/a/{ids}"]["get"]["parameters"]
    assert converted == {"name": "ids", "in": location, "required": True, "style": style, "explode": explode,
                         "schema": {"type": "array", "items": {"type": "integer"}}}


def test_tsv_is_sent_as_csv_with_a_note() -> None:
    param = {"name": "ids", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "tsv"}
    conversion = convert(doc({"/a": {"get": op(param)}}))
    assert conversion.document["paths"]["/a"]["get"]["parameters"][0]["explode"] is False
    assert conversion.notes == (("/paths/~1a/get/parameters/0/collectionFormat",
                                 "collectionFormat 'tsv' has no OpenAPI 3 equivalent: sent as csv"),)


def test_body_parameter_becomes_request_body_per_consumes() -> None:
    body = {"name": "pet", "in": "body", "required": True, "description": "the pet",
            "schema": {"$ref": "#/definitions/Pet"}}
    out = convert(doc({"/pets": {"post": op(body, consumes=["application/json", "application/xml"])}},
                      definitions={"Pet": {"type": "object"}})).document
    operation = out["paths"]["/pets"]["post"]
    assert "parameters" not in operation
    schema = {"schema": {"$ref": "#/components/schemas/Pet"}}
    assert operation["requestBody"] == {"description": "the pet", "required": True,
                                        "content": {"application/json": schema, "application/xml": schema}}


def test_shared_body_parameters_are_inlined_and_path_level_ones_reach_every_operation() -> None:
    out = convert(doc(
        {"/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"},
                           {"$ref": "#/parameters/Patch"}],
            "patch": op(), "put": op({"name": "other", "in": "body", "schema": {"type": "string"}}),
        }},
        parameters={"Patch": {"name": "patch", "in": "body", "schema": {"type": "object"}},
                    "Limit": {"name": "limit", "in": "query", "type": "integer"}},
    )).document
    item = out["paths"]["/pets/{id}"]
    assert item["parameters"] == [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert item["patch"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    assert item["put"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}
    assert out["components"]["parameters"] == {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}


@pytest.mark.parametrize(
    ("consumes", "file", "media_types"),
    [(None, False, ["application/x-www-form-urlencoded"]), (None, True, ["multipart/form-data"]),
     (["multipart/form-data"], False, ["multipart/form-data"]),
     (["application/x-www-form-urlencoded", "multipart/form-data"], True, ["multipart/form-data"])],
)
def test_form_data_becomes_one_object_body(consumes: list[str] | None, file: bool, media_types: list[str]) -> None:
    fields: list[dict[str, Any]] = [{"name": "name", "in": "formData", "required": True, "type": "string", "description": "its name"},
              {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}}]
    if file:
        fields.append({"name": "photo", "in": "formData", "type": "file"})
    extra = {"consumes": consumes} if consumes else {}
    body = convert(doc({"/f": {"post": op(*fields, **extra)}})).document["paths"]["/f"]["post"]["requestBody"]
    assert list(body["content"]) == media_types and body["required"] is True
    media = body["content"][media_types[0]]
    assert media["schema"]["required"] == ["name"]
    assert media["schema"]["properties"]["name"] == {"type": "string", "description": "its name"}
    if file:
        assert media["schema"]["properties"]["photo"] == {"type": "string", "format": "binary"}
    elif media_types == ["application/x-www-form-urlencoded"]:  # 2.0's csv default for the array field
        assert media["encoding"] == {"tags": {"style": "form", "explode": False}}


def test_responses_get_content_per_produces_headers_and_examples() -> None:
    out = convert(doc(
        {"/a": {"get": {"produces": ["application/json", "text/csv"], "responses": {
            "200": {"description": "ok", "schema": {"type": "array", "items": {"type": "string"}},
                    "headers": {"X-Rate": {"type": "integer", "description": "left"}},
                    "examples": {"application/json": ["a"]}},
            "404": {"$ref": "#/responses/NotFound"},
        }}, "put": {"responses": {"404": {"$ref": "#/responses/NotFound"}}},
            "delete": {"produces": ["image/png"], "responses": {"200": {"description": "png", "schema": {"type": "file"}}}}}},
        responses={"NotFound": {"description": "missing", "schema": {"$ref": "#/definitions/Error"}}},
        definitions={"Error": {"type": "object"}},
    )).document
    get = out["paths"]["/a"]["get"]["responses"]
    assert get["200"]["content"]["application/json"] == {"schema": {"type": "array", "items": {"type": "string"}},
                                                          "example": ["a"]}
    assert set(get["200"]["content"]) == {"application/json", "text/csv"}
    assert get["200"]["headers"] == {"X-Rate": {"description": "left", "schema": {"type": "integer"}}}
    # the operation's produces differ from the document's: the shared response is inlined for them
    assert set(get["404"]["content"]) == {"application/json", "text/csv"}
    assert out["paths"]["/a"]["put"]["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert out["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert out["paths"]["/a"]["delete"]["responses"]["200"]["content"] == {
        "image/png": {"schema": {"type": "string", "format": "binary"}}}


def test_security_definitions_become_security_schemes() -> None:
    out = convert(doc(securityDefinitions={
        "basic": {"type": "basic", "description": "user and password"},
        "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {"r": "read"}},
        "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t",
                 "scopes": {}},
    }, security=[{"key": []}])).document
    schemes = out["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "user and password"}
    assert schemes["key"] == {"type": "apiKey", "in": "query", "name": "api_key"}
    assert schemes["app"] == {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {"r": "read"}}}}
    assert schemes["code"]["flows"]["authorizationCode"] == {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}
    assert out["security"] == [{"key": []}]


def test_malformed_parts_are_copied_for_validation_to_report() -> None:
    out = convert(doc({"/a": {"get": "not an operation", "post": {"parameters": "x", "responses": []}}},
                      definitions={"A": 3})).document
    assert out["paths"]["/a"]["get"] == "not an operation"
    assert out["paths"]["/a"]["post"]["responses"] == []
    assert out["components"]["schemas"] == {"A": 3}


def test_pointers_map_back_to_the_2_0_document() -> None:
    conversion = convert(doc(
        {"/p": {"post": op({"name": "q", "in": "query", "type": "string"},
                           {"name": "b", "in": "body", "schema": {"type": "object"}})}},
        definitions={"Pet": {"type": "object"}},
    ))
    back = conversion.original_pointer
    assert back("/components/schemas/Pet/properties/x") == "/definitions/Pet/properties/x"
    assert back("/paths/~1p/post/requestBody/content/application~1json/schema/type") == "/paths/~1p/post/parameters/1/schema/type"
    assert back("/paths/~1p/post/parameters/0/schema/type") == "/paths/~1p/post/parameters/0/type"
    assert back("/paths/~1p/post/responses/200/description") == "/paths/~1p/post/responses/200/description"


# --- validation, located in the 2.0 file --------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "api.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_findings_name_the_2_0_file_line_and_pointer(tmp_path: Path) -> None:
    spec = write(tmp_path, """swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          schema:
            $ref: "#/definitions/Pets"
definitions:
  Pet: {type: object}
""")
    prepared = prepare_job(spec)
    errors = [d for d in prepared.findings if d.severity is Severity.ERROR]
    assert len(errors) == 1, prepared.findings  # reported once, in 2.0 terms: not again after converting
    (error,) = errors
    assert error.pointer == "/paths/~1pets/get/responses/200/schema" and error.line == 9
    assert "#/definitions/Pets" in error.message and error.file == str(spec)


def test_an_unquoted_version_is_refused_with_a_hint(tmp_path: Path) -> None:
    (error,) = prepare_job(write(tmp_path, "swagger: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n")).findings
    assert error.pointer == "/swagger" and 'quote it: swagger: "2.0"' in error.message


def test_validator_warnings_are_located_and_type_file_is_no_finding(tmp_path: Path) -> None:
    spec = write(tmp_path, """swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      produces: [image/png]
      responses:
        "200": {description: ok, schema: {type: file}}
        "201": {schema: {type: string}}
""")
    prepared = prepare_job(spec)
    assert prepared.findings and all(d.severity is Severity.WARNING for d in prepared.findings)
    (finding,) = prepared.findings
    assert finding.pointer == "/paths/~1pets/get/responses/201" and finding.line == 9  # no description


def test_the_overlay_applies_to_the_2_0_document(tmp_path: Path) -> None:
    overlay = write(tmp_path, """overlay: 1.0.0
info: {title: fixes, version: "1"}
actions:
  - target: $.definitions.Pet.properties
    update: {nickname: {type: string, x-nullable: true}}
""", "fixes.yaml")
    spec = write(tmp_path, 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n'
                 "definitions:\n  Pet: {type: object, properties: {name: {type: string}}}\n")
    result = run_oapigen("generate", str(spec), "--overlay", str(overlay), "--output", str(tmp_path / "out"),
                         "--package", "pets")
    assert result.returncode == 0, result.stderr
    models = (tmp_path / "out" / "pets" / "models.py").read_text()
    assert re.search(r"nickname: str \| None", models), models


def prepare_job(spec: Path) -> Any:
    from oapigen.run.config import Job

    return prepare(Job(spec=spec, output=spec.parent, package="api"))


# --- the corpus's Swagger 2.0 spec and the feature spec, generated, imported, type-checked ------


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return swagger2_packages(tmp_path_factory)


def swagger2_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both Swagger 2.0 specs generated through the CLI (one config, two tables), once per session."""
    root = tmp_path_factory.getbasetemp() / "swagger2"
    if (root / "out").is_dir():
        return root / "out"
    root.mkdir()
    tables = [(FEATURES, "s2_features", "")] + ([(
        PETSTORE2, "s2_petstore",  # its $refs reach ../common: allowed by the config
        f'allow_ref_outside = ["{(PETSTORE2.parent.parent / "common").as_posix()}"]\n',
    )] if SHARED_SPECS.is_dir() else [])
    (root / "pyproject.toml").write_text("".join(
        f'[[tool.oapigen.specs]]\nspec = "{spec.as_posix()}"\noutput = "out"\npackage = "{name}"\n{extra}'
        for spec, name, extra in tables))
    result = run_oapigen("generate", cwd=root)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return root / "out"


def load(packages: Path, name: str) -> ModuleType:
    if str(packages) not in sys.path:
        sys.path.insert(0, str(packages))
    return importlib.import_module(name)


@needs_corpus
def test_split_petstore_generates_a_working_client_and_server(packages: Path) -> None:
    pkg = load(packages, "s2_petstore")
    server = importlib.import_module("s2_petstore.server")
    assert pkg.Client.__init__.__kwdefaults__["base_url"] == "http://petstore.swagger.io/api"

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()))
        async with pkg.AsyncClient(http_client=http, max_retries=0) as client:
            pets = await client.pets.find_pets(tags=["a", "b"], limit=2)
            assert pets and all(isinstance(p, pkg.models.Pet) for p in pets)
            created = await client.pets.add_pet(body={"name": "rex", "id": 1})
            assert isinstance(created, pkg.models.Pet)
            assert isinstance(await client.pets.find_pet_by_id(7), pkg.models.Pet)
            assert await client.pets.delete_pet(7) is None
        await http.aclose()

    asyncio.run(main())


def test_feature_spec_client_against_its_server(packages: Path) -> None:
    pkg = load(packages, "s2_features")
    server = importlib.import_module("s2_features.server")
    models = pkg.models
    calls: dict[str, dict[str, Any]] = {}

    base: Any = server.Handlers

    class Handlers(base):  # type: ignore[misc]
        async def list_items(self, **kw: Any) -> Any:
            calls["list_items"] = kw
            return [models.Item(id=1, kind="Item", name="a", note=None)]

        async def rename_item(self, **kw: Any) -> Any:
            calls["rename_item"] = kw
            return models.Item(id=kw["item_id"], kind="Item", name=kw["body"].name)

        async def upload_picture(self, **kw: Any) -> Any:
            calls["upload_picture"] = kw

    async def recorded(request: httpx.Request) -> None:
        calls.setdefault("requests", {})[f"{request.method} {request.url.path}"] = {
            "query": str(request.url.query, "ascii"), "type": request.headers.get("content-type", "")}

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app(Handlers())),
                                 event_hooks={"request": [recorded]})
        async with pkg.AsyncClient(http_client=http, api_key="k",
                                   basic_auth=("u", "p"), max_retries=0) as client:
            items = await client.items.list_items(tags=["a", "b"], limit=5, x_request_id="r")
            assert items[0].note is None
            renamed = await client.items.rename_item(3, body={"name": "new"})
            assert renamed.id == 3 and renamed.name == "new"
            assert await client.pictures.upload_picture(4, body={"file": b"PNG", "caption": "hi"}) is None
            assert isinstance(await client.pictures.get_picture(2), bytes)
            assert isinstance(await client.items.get_item(2), models.Item)  # basic auth, mock answer
            assert isinstance(await client.items.create_item(body={"name": "n"}), models.Item)
        await http.aclose()

    asyncio.run(main())
    assert calls["list_items"]["tags"] == ["a", "b"] and calls["list_items"]["credentials"].api_key == "k"
    assert calls["requests"]["GET /v2/items"]["query"] == "limit=5&tags=a&tags=b"  # collectionFormat: multi
    assert calls["requests"]["POST /v2/items/3/rename"]["type"] == "application/x-www-form-urlencoded"
    assert calls["requests"]["PUT /v2/items/4/picture"]["type"].startswith("multipart/form-data")
    assert calls["upload_picture"]["body"].file == b"PNG"


def test_csv_query_arrays_are_sent_comma_separated(packages: Path) -> None:
    pkg = load(packages, "s2_features")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    with pkg.Client(http_client=httpx.Client(transport=httpx.MockTransport(answer)), api_key="k") as client:
        client.items.list_items(ids=[1, 2], sort=["name", "id"])
    assert str(seen[0].url) == "https://api.example.com/v2/items?ids=1%2C2&sort=name%7Cid"


@mypy_strict_targets
def swagger2_targets(request: pytest.FixtureRequest) -> list[Path]:
    """The packages, and the client example of each generated README.md (a call to a real operation)."""
    packages = swagger2_packages(request.getfixturevalue("tmp_path_factory"))
    targets = sorted(p for p in packages.iterdir() if (p / "__init__.py").is_file())
    examples = []
    for target in targets:
        readme = (target / "README.md").read_text()
        example = re.search(r"^```python\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
        assert example is not None, readme
        examples.append(packages / f"readme_{target.name}.py")
        examples[-1].write_text(example.group(1))
    return [*targets, *examples]


def test_generated_packages_and_their_readme_examples_pass_mypy_strict(mypy_strict: MypyRun) -> None:
    assert not mypy_strict.errors(swagger2_targets)
