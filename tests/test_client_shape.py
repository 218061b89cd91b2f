"""The client's shape: one ``client.py`` for a small API; above ``RESOURCES_MIN`` operations, a
module per resource group (``resources/<group>.py``) that ``client.py`` imports the first time
the group is read. Checked through the generated code: which modules an import loads (in a
fresh interpreter), and calls through every kind of group attribute against the generated
server, blocking and async. And the optional runtime modules: only a package that sends form or
multipart bodies has ``_forms.py``."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.views.client_layout import RESOURCES_MIN

from .conftest_client import UPLOAD_SPEC, generate_files, install
from .test_models_split import fresh


def _spec(operations: int) -> dict[str, Any]:
    """``operations`` operations: one untagged, the rest on the tags ``aux`` (a name Windows
    refuses as a file name) and ``items``."""
    item = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
    paths: dict[str, Any] = {"/health": {"get": {"operationId": "health", "responses": ok}}}
    for i in range(operations - 1):
        tag = "aux" if i % 2 else "items"
        paths[f"/{tag}/n{i}/{{item_id}}"] = {
            "get": {
                "operationId": f"get_{tag}_{i}",
                "tags": [tag],
                "summary": f"Item {i}",
                "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": ok,
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shapes", "version": "1"},
        "tags": [{"name": "aux", "description": "The aux group."}, {"name": "items"}],
        "paths": paths,
        "components": {"schemas": {"Item": item}},
    }


def _files(tmp_path_factory: pytest.TempPathFactory, package: str, operations: int) -> dict[str, str]:
    spec = tmp_path_factory.mktemp(package) / "shapes.json"
    spec.write_text(json.dumps(_spec(operations)), encoding="utf-8")
    return generate_files(spec, package)


@pytest.fixture(scope="module")
def split_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _files(tmp_path_factory, "shapes_split", RESOURCES_MIN + 1)


@pytest.fixture(scope="module")
def shapes(split_files: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "shapes_split", split_files)


@pytest.fixture(scope="module")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)


def _group_modules(pkg: ModuleType) -> str:
    """Source of an expression: the group modules loaded so far, sorted."""
    return f"sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith({pkg.__name__ + '.resources.'!r}))"


def test_a_small_api_keeps_one_client_module(tmp_path_factory: pytest.TempPathFactory) -> None:
    files = _files(tmp_path_factory, "shapes_small", RESOURCES_MIN)
    assert not [p for p in files if p.startswith("resources/")]
    assert "class Items(SyncResource):" in files["client.py"]


def test_a_bigger_api_gets_a_module_per_group(split_files: dict[str, str], generated_packages: dict[str, Any]) -> None:
    # "aux" is a device name on Windows, whatever the extension: its module is aux_.py.
    assert sorted(p for p in split_files if p.startswith("resources/")) == [
        "resources/__init__.py",
        "resources/aux_.py",
        "resources/items.py",
    ]
    assert "class Items(" not in split_files["client.py"]
    assert "class Items(SyncResource):" in split_files["resources/items.py"]
    seed = generated_packages["agent_server"][1].files
    assert len([p for p in seed if p.startswith("resources/")]) == 1 + len(generated_packages["agent_server"][1].api.groups)
    # was 4,971 lines; 450 before with_streaming_response added its two wrapper classes (624)
    assert len(seed["client.py"].splitlines()) < 650


def test_importing_the_client_loads_no_group_module(seed: ModuleType) -> None:
    out = fresh(
        seed,
        f"from {seed.__name__} import Client\n"
        "client = Client(base_url='http://test')\n"
        f"print({_group_modules(seed)})\n"
        "client.threads\n"
        f"print({_group_modules(seed)})\n"
        "client.with_raw_response.assistants\n"
        f"print({_group_modules(seed)})\n",
    )
    assert out.splitlines() == ["[]", "['threads']", "['assistants', 'threads']"]


def test_each_group_attribute_is_made_once_and_typed(shapes: ModuleType) -> None:
    items_module = importlib.import_module(f"{shapes.__name__}.resources.items")
    client = shapes.Client(base_url="http://test")
    assert client.items is client.items
    assert isinstance(client.items, items_module.Items)
    assert isinstance(client.with_raw_response.items, items_module.ItemsWithRawResponse)
    assert client.aux.__doc__ == "The aux group."


def test_method_docstrings_name_the_request(shapes: ModuleType) -> None:
    client = shapes.AsyncClient(base_url="http://test")
    assert inspect.getdoc(client.items.get_items_0).startswith("Item 0\n\nGET /items/n0/{item_id}\n")
    assert inspect.getdoc(client.health).startswith("GET /health\n")  # no summary: the request comes first


def _server(pkg: ModuleType) -> ModuleType:
    return importlib.import_module(f"{pkg.__name__}.server")


def test_group_and_root_methods_call_the_generated_server(shapes: ModuleType) -> None:
    server = _server(shapes)
    with shapes.Client(base_url="http://test", http_client=httpx.Client(transport=server.BlockingASGITransport(server.create_app()))) as client:
        assert isinstance(client.items.get_items_0(1).id, int)
        assert isinstance(client.aux.get_aux_1(2).id, int)
        assert isinstance(client.health().id, int)
        raw = client.with_raw_response.aux.get_aux_1(2)
        assert raw.status_code == 200 and isinstance(raw.parse().id, int)


def test_async_group_methods_call_the_generated_server(shapes: ModuleType) -> None:
    server = _server(shapes)

    async def main() -> list[Any]:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()))
        async with shapes.AsyncClient(base_url="http://test", http_client=http) as client:
            raw = await client.with_raw_response.items.get_items_2(3)
            return [await client.items.get_items_0(1), await client.aux.get_aux_1(2), raw.status_code]

    first, second, status = asyncio.run(main())
    assert isinstance(first.id, int) and isinstance(second.id, int) and status == 200


def test_a_group_loaded_before_with_options_serves_the_copy(shapes: ModuleType) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1})

    client = shapes.Client(base_url="http://test", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    original = client.items  # loaded (and cached) on the original client
    copy = client.with_options(headers={"X-Copy": "1"})
    assert copy.items is not original and copy.items._client is copy
    copy.items.get_items_0(1)
    client.items.get_items_0(1)
    assert [r.headers.get("X-Copy") for r in seen] == ["1", None]


def test_the_group_modules_are_where_the_package_says(split_files: dict[str, str]) -> None:
    # Every group the client imports lazily has its module, and every module is imported.
    client = split_files["client.py"]
    for path in split_files:
        if path.startswith("resources/") and path != "resources/__init__.py":
            assert f"from .resources.{Path(path).stem} import" in client


# -- optional runtime modules ------------------------------------------------------------------


def test_only_a_package_that_sends_forms_has_the_forms_module(generated_packages: dict[str, Any]) -> None:
    upload = generate_files(UPLOAD_SPEC, "upload")  # multipart bodies
    assert "_forms.py" in upload
    assert "BODY_ENCODERS.update(_forms.ENCODERS)" in upload["_endpoints.py"]
    for name in ("petstore", "agent_server"):  # JSON bodies only
        files = generated_packages[name][1].files
        assert "_forms.py" not in files
        assert "_forms" not in files["_endpoints.py"]
        assert not [path for path, text in files.items() if "def form_field" in text or "def encode_multipart" in text]


def test_a_package_without_forms_says_so_instead_of_sending_json(
    generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    petstore = install(tmp_path_factory, "petstore", generated_packages["petstore"][1].files)
    serialize = importlib.import_module(f"{petstore.__name__}._serialize")
    content = serialize.Content("multipart/form-data", "multipart", lambda: dict)
    with pytest.raises(TypeError, match="no multipart encoder"):
        serialize.encode_body(content, {"a": 1})
