"""Server: the split shape of a big API (views/server_layout.py). Above the client's threshold
(more than 12 operations, with resource groups) each group gets ``routers/<group>.py``: its
handler protocol, declared responses and routes; ``server.py`` keeps ``Handlers`` (every
group's protocol as a base), ``OPERATIONS``, ``router``, ``create_app`` and ``app``.

The spec below has 14 operations in four groups (one named like the package's ``models``
module (``routers/models_.py``), one like a Windows device, ``aux``), one with bearer security, and two operations of
no group; routes of different groups (and of no group) shadow each other, so the one matching
order interleaves them. Served over real HTTP, called through the generated client.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from .conftest import ROOT, MypyRun, mypy_strict_targets
from .conftest_client import module_name, package_dir, packages_root, spec_package

SPLIT_SPEC = """
openapi: 3.1.0
info: {title: split, version: "1"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Widget:
      type: object
      required: [id, name]
      properties: {id: {type: string}, name: {type: string}}
    Gadget:
      type: object
      required: [id, size]
      properties: {id: {type: string}, size: {type: integer}}
    Model:
      type: object
      required: [id]
      properties: {id: {type: string}}
    Thing:
      type: object
      required: [id, kind]
      properties: {id: {type: string}, kind: {type: string}}
paths:
  /aux/ping:
    get:
      operationId: pingAux
      tags: [aux]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {ok: {type: boolean}}}}}}
  /gadgets:
    get:
      operationId: listGadgets
      tags: [gadgets]
      security: [{bearer: []}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Gadget'}}}}}
    post:
      operationId: createGadget
      tags: [gadgets]
      security: [{bearer: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Gadget'}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Gadget'}}}}
  /gadgets/{gadget_id}:
    delete:
      operationId: deleteGadget
      tags: [gadgets]
      security: [{bearer: []}]
      parameters: [{name: gadget_id, in: path, required: true, schema: {type: string}}]
      responses:
        "204": {description: gone}
  /things/{thing_id}:
    get:
      operationId: getThing
      tags: [gadgets]
      parameters: [{name: thing_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /models:
    get:
      operationId: listModels
      tags: [models]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Model'}}}}}
  /models/{model_id}:
    get:
      operationId: getModel
      tags: [models]
      parameters: [{name: model_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Model'}}}}
  /models/{model_id}/copy:
    post:
      operationId: copyModel
      tags: [models]
      parameters: [{name: model_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Model'}}}}
  /widgets:
    get:
      operationId: listWidgets
      tags: [widgets]
      parameters: [{name: limit, in: query, schema: {type: integer, default: 10, maximum: 50}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Widget'}}}}}
    post:
      operationId: createWidget
      tags: [widgets]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
  /widgets/{widget_id}:
    get:
      operationId: getWidget
      tags: [widgets]
      parameters: [{name: widget_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
  /things/special:
    get:
      operationId: getSpecialThing
      tags: [widgets]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /health:
    get:
      operationId: health
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
  /things/latest:
    get:
      operationId: getLatestThing
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
"""

# group -> (module, protocol, its handler methods)
GROUPS = {
    "aux": ("aux_", "AuxHandlers", {"ping_aux"}),
    "gadgets": ("gadgets", "GadgetsHandlers", {"list_gadgets", "create_gadget", "delete_gadget", "get_thing"}),
    "models": ("models_", "ModelsHandlers", {"list_models", "get_model", "copy_model"}),
    "widgets": ("widgets", "WidgetsHandlers", {"list_widgets", "create_widget", "get_widget", "get_special_thing"}),
}
UNGROUPED = {"health", "get_latest_thing"}
PACKAGE = "srv_split"
MODULE = module_name(PACKAGE)  # the name it is imported as


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return spec_package(tmp_path_factory, PACKAGE, SPLIT_SPEC)


def _server(pkg: ModuleType) -> ModuleType:
    return importlib.import_module(f"{pkg.__name__}.server")


def _methods(cls: type) -> set[str]:
    """The handler methods a class defines itself (not inherited, not dunder)."""
    return {name for name, value in vars(cls).items() if inspect.isfunction(value) and not name.startswith("_")}


def test_each_group_has_a_module_with_its_handlers_operations_and_routes(pkg: ModuleType) -> None:
    folder = package_dir(pkg)
    assert sorted(p.name for p in (folder / "routers").glob("*.py")) == sorted(
        ["__init__.py", "_security.py", *(f"{module}.py" for module, _, _ in GROUPS.values())]
    )
    server = _server(pkg)
    assert len(server.OPERATIONS) == 14 and len(server.router.routes) == 14
    for module, protocol, methods in GROUPS.values():
        group = importlib.import_module(f"{pkg.__name__}.routers.{module}")
        assert _methods(getattr(group, protocol)) == methods, module
        assert set(group.OPERATIONS) == methods
        assert {route.name for route in group.router.routes} == methods
        assert getattr(group, protocol) in server.Handlers.__mro__
        assert set(group.__all__) == {"OPERATIONS", "router", protocol}
    # server.py: the operations of no group, and the public names it always had
    assert _methods(server.Handlers) == UNGROUPED
    assert {"Handlers", "OPERATIONS", "Credentials", "Reply", "Unimplemented", "create_app", "app", "router", "models"} <= set(
        server.__all__
    )
    assert server.models is pkg.models and server.Credentials.__module__ == f"{pkg.__name__}.routers._security"
    lines = (folder / "server.py").read_text(encoding="utf-8").count("\n")
    assert lines < sum((folder / "routers" / f"{m}.py").read_text(encoding="utf-8").count("\n") for m, _, _ in GROUPS.values())


def test_the_routes_keep_one_matching_order_across_groups(pkg: ModuleType) -> None:
    """``/things/special`` (widgets) and ``/things/latest`` (no group) go before ``/things/{thing_id}``
    (gadgets, an earlier group): server.py joins the groups' routes by slices."""
    order = [route.name for route in _server(pkg).router.routes]
    assert order.index("get_special_thing") < order.index("get_thing")
    assert order.index("get_latest_thing") < order.index("get_thing")
    text = (package_dir(pkg) / "server.py").read_text(encoding="utf-8")
    assert "*routers.widgets.router.routes[:" in text and "*router.routes[" in text


def test_an_operation_of_each_group_is_served_over_http(pkg: ModuleType, served: Any) -> None:
    server, models = _server(pkg), pkg.models
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorded(server.Handlers):  # type: ignore[name-defined,misc]
        async def ping_aux(self) -> Any:
            calls.append(("ping_aux", {}))
            return {"ok": True}

        async def create_gadget(self, *, body: Any, credentials: Any) -> Any:
            calls.append(("create_gadget", {"size": body.size, "token": credentials.bearer}))
            return server.Reply(201, models.Gadget(id="g1", size=body.size))

        async def get_thing(self, *, thing_id: str) -> Any:
            calls.append(("get_thing", {"thing_id": thing_id}))
            return models.Thing(id=thing_id, kind="plain")

        async def get_model(self, *, model_id: str) -> Any:
            calls.append(("get_model", {"model_id": model_id}))
            return models.Model(id=model_id)

        async def list_widgets(self, *, limit: int) -> Any:
            calls.append(("list_widgets", {"limit": limit}))
            return [models.Widget(id="w", name="n")] * limit

        async def get_special_thing(self) -> Any:
            calls.append(("get_special_thing", {}))
            return models.Thing(id="special", kind="special")

        async def get_latest_thing(self) -> Any:
            calls.append(("get_latest_thing", {}))
            return models.Thing(id="latest", kind="latest")

    client = served(pkg, Recorded())
    assert client.aux.ping_aux().ok is True
    with pkg.Client(base_url=str(client.base_url), bearer="tok", max_retries=0) as authorized:
        assert authorized.gadgets.create_gadget(body={"id": "x", "size": 3}).size == 3
    with pytest.raises(pkg.AuthenticationError):  # the security dependency of routers/_security.py
        client.gadgets.list_gadgets()
    assert client.gadgets.get_thing("t1").kind == "plain"
    assert client.models_.get_model("m1").id == "m1"
    assert len(client.widgets.list_widgets(limit=2)) == 2
    # an inline constraint checked in the group's module (it imports Constraints from .._types)
    assert httpx.get(f"{client.base_url}/widgets", params={"limit": 51}).status_code == 422
    assert client.widgets.get_special_thing().kind == "special"
    assert client.get_latest_thing().kind == "latest"
    assert client.health()  # not implemented: the mock answers from the spec
    assert [name for name, _ in calls] == [
        "ping_aux", "create_gadget", "get_thing", "get_model", "list_widgets", "get_special_thing", "get_latest_thing",
    ]
    assert calls[1][1] == {"size": 3, "token": "tok"} and calls[4][1] == {"limit": 2}
    # every operation is in the app's OpenAPI document, under its group's tag
    shown = httpx.get(f"{client.base_url}/openapi.json").json()["paths"]
    spec = yaml.safe_load(SPLIT_SPEC)["paths"]
    assert {(p, m) for p, item in shown.items() for m in item} == {(p, m) for p, item in spec.items() for m in item}


def test_an_api_at_the_threshold_keeps_one_module(tmp_path_factory: pytest.TempPathFactory) -> None:
    """12 operations (the client's threshold): server.py alone, as before the split."""
    document = yaml.safe_load(SPLIT_SPEC)
    del document["paths"]["/health"], document["paths"]["/things/latest"]
    pkg = spec_package(tmp_path_factory, "srv_split_small", yaml.safe_dump(document))
    assert not (package_dir(pkg) / "routers").exists()
    server = _server(pkg)
    assert _methods(server.Handlers) == set().union(*(methods for _, _, methods in GROUPS.values()))
    assert server.Handlers.__mro__[1].__name__ == "Protocol"


# -- mypy --strict and ruff ---------------------------------------------------------------------

HANDLERS_MODULE = f'''
"""Handlers typed against the interface: Handlers, and a group's protocol."""

from {MODULE} import models
from {MODULE}.routers.gadgets import GadgetsHandlers
from {MODULE}.routers.widgets import WidgetsHandlers
from {MODULE}.server import Credentials, Handlers, Reply, create_app


class Mine(Handlers):
    async def get_widget(self, *, widget_id: str) -> models.Widget | Reply:
        return models.Widget(id=widget_id, name="w")

    async def create_gadget(self, *, body: models.Gadget, credentials: Credentials) -> models.Gadget | Reply:
        return body


widgets: WidgetsHandlers = Mine()
gadgets: GadgetsHandlers = Mine()
app = create_app(Mine())
'''

# A handler whose signature does not fit its group's protocol: mypy must say so.
WRONG_MODULE = f'''
"""A handler that does not fit the interface."""

from {MODULE} import models
from {MODULE}.server import Handlers


class Wrong(Handlers):
    async def get_widget(self, *, widget_id: int) -> models.Widget:
        return models.Widget(id=str(widget_id), name="w")
'''


@mypy_strict_targets
def split_package(request: pytest.FixtureRequest) -> list[Path]:
    tmp = request.getfixturevalue("tmp_path_factory")
    pkg = spec_package(tmp, PACKAGE, SPLIT_SPEC)
    root = packages_root(tmp)
    (root / "split_handlers.py").write_text(HANDLERS_MODULE, encoding="utf-8")
    (root / "split_wrong.py").write_text(WRONG_MODULE, encoding="utf-8")
    return [package_dir(pkg), root / "split_handlers.py", root / "split_wrong.py"]


def test_the_split_package_and_handlers_type_check(mypy_strict: MypyRun) -> None:
    errors = mypy_strict.errors(split_package).splitlines()
    wrong = [line for line in errors if "split_wrong.py" in line]
    assert [line for line in errors if line not in wrong and "note:" not in line] == []
    # the wrong handler breaks the protocol of its group, which Handlers inherits
    assert any("get_widget" in line and "incompatible with supertype" in line and "WidgetsHandlers" in line for line in wrong), wrong


def test_the_split_package_is_lint_clean(pkg: ModuleType) -> None:
    folder = package_dir(pkg)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
         "--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "E501", str(folder)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for path in folder.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))


def test_operations_one_route_serves_keep_the_spec_order_across_groups(
        tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """Box's shape: ``GET /links/{id}`` (group ``links``, declared first) and
    ``GET /links/{id}#shared`` (group ``aaa``, listed first, a required query) are one route;
    the server serves the one declared first, as its warning says, whatever the group order."""
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
    paths: dict[str, Any] = {"/aaa/first": {"get": {"operationId": "aaaFirst", "tags": ["aaa"], "responses": ok}}}
    paths["/links/{id}"] = {"get": {"operationId": "getLink", "tags": ["links"], "responses": ok,
                                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}}
    paths["/links/{id}#shared"] = {"get": {"operationId": "getSharedLink", "tags": ["aaa"], "responses": ok, "parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "fields", "in": "query", "required": True, "schema": {"type": "string"}}]}}
    for i in range(11):  # past the split threshold
        paths[f"/more/{i}"] = {"get": {"operationId": f"more{i}", "tags": ["more"], "responses": ok}}
    document = {"openapi": "3.1.0", "info": {"title": "links", "version": "1"}, "paths": paths}
    pkg = spec_package(tmp_path_factory, "srv_split_same_route", yaml.safe_dump(document, sort_keys=False))
    assert (package_dir(pkg) / "routers").is_dir()
    client = served(pkg, None)
    assert httpx.get(f"{client.base_url}/links/1").status_code == 200  # getLink: no query needed


def test_a_group_whose_answers_alone_are_constrained_imports_annotated(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No handler argument, but a constrained inline answer (``Annotated[list[str], Constraints(...)]``):
    the group module needs ``Annotated`` all the same (it failed at import: NameError)."""
    answer = {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "array", "maxItems": 3, "items": {"type": "string"}}}}}}
    paths = {f"/a/{i}": {"get": {"operationId": f"a{i}", "tags": ["aaa"], "responses": answer}} for i in range(13)}
    document = {"openapi": "3.1.0", "info": {"title": "answers", "version": "1"}, "paths": paths}
    pkg = spec_package(tmp_path_factory, "srv_split_answers", yaml.safe_dump(document))
    assert (package_dir(pkg) / "routers").is_dir()
    assert len(_server(pkg).create_app().routes) > 13
