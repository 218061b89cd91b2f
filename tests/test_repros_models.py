"""Repros of defect classes found on large public specs (../shared/specs/repros, README there):
the models, IR and client-serializer side. Each spec is generated with ``--lenient`` and the
named operation called through the generated client against the package's own server
(``create_app()``), over HTTP."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest

from .conftest import SHARED_SPECS, serve_over_http
from .conftest_client import generate_files, install, package_dir

REPROS = SHARED_SPECS / "repros"

pytestmark = pytest.mark.skipif(not REPROS.is_dir(), reason=f"{REPROS} is absent")


def repro(tmp_path_factory: pytest.TempPathFactory, stem: str) -> ModuleType:
    """The package generated (``--lenient``) from ``repros/<stem>.yaml``, imported."""
    package = "repro_" + stem.split("-", 1)[0]
    return install(tmp_path_factory, package, generate_files(REPROS / f"{stem}.yaml", package, lenient=True))


class Wire:
    """The requests a client sent (bodies read)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        request.read()
        self.requests.append(request)

    @property
    def body(self) -> bytes:
        return self.requests[-1].content


@pytest.fixture()
def served() -> Iterator[Callable[..., Any]]:
    """``served(pkg, handlers=None)``: a Client of ``pkg`` talking over HTTP to its server, and
    the record of what it sent (``.wire``)."""
    stack: list[Any] = []

    def start(pkg: ModuleType, handlers: Any = None) -> Any:
        server = importlib.import_module(f"{pkg.__name__}.server")
        app = server.create_app() if handlers is None else server.create_app(handlers)
        context = serve_over_http(app)
        url = context.__enter__()
        stack.append(context)
        wire = Wire()
        http = httpx.Client(event_hooks={"request": [wire]})
        stack.append(http)  # the Client leaves a given http_client open
        client = pkg.Client(base_url=url, http_client=http)
        client.wire = wire
        return client

    yield start
    for item in reversed(stack):
        item.__exit__(None, None, None)


def recording_handlers(pkg: ModuleType, method: str, answer: Any) -> tuple[Any, list[Any]]:
    """A Handlers subclass whose ``method`` records the body it is given and returns ``answer``."""
    server = importlib.import_module(f"{pkg.__name__}.server")
    seen: list[Any] = []

    async def handle(self: Any, *, body: Any, **params: Any) -> Any:
        seen.append(body)
        seen.extend(params.values())
        return answer

    return type("Recording", (server.Handlers,), {method: handle})(), seen


# -- 01: form bodies with array and object fields, and their `encoding` ---------------------------


def test_repro_01_form_nested_fields(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = repro(tmp_path_factory, "01-form-nested-fields")
    client = served(pkg)  # the mock
    assert client.widgets.create_widget(body={"name": "a", "labels": ["x"]}).name is not None
    assert client.widgets.create_widget(body={"name": "a", "size": {"width": 2}}).name is not None
    assert client.wire.body == b"name=a&size%5Bwidth%5D=2"  # size[width]=2: deepObject, as declared

    handlers, seen = recording_handlers(pkg, "create_widget", {"name": "ok"})
    client = served(pkg, handlers)
    client.widgets.create_widget(body={"name": "a", "labels": ["x"], "size": {"width": 2}})
    client.widgets.create_widget(body={"name": "b", "labels": ["x", "y"]})
    assert [(b.name, b.labels, b.size and b.size.width) for b in seen] == [("a", ["x"], 2), ("b", ["x", "y"], None)]


FORM_STYLES = """
openapi: 3.0.3
info: {title: Form styles, version: "1"}
paths:
  /things:
    post:
      operationId: put_thing
      parameters:
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema:
            type: object
            properties:
              ids: {type: array, items: {type: integer}}
              range: {type: object, properties: {min: {type: integer}}}
              rows: {type: array, items: {type: object, properties: {n: {type: integer}}}}
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                piped: {type: array, items: {type: integer}}
                csv: {type: array, items: {type: string}}
                pairs: {type: object, properties: {a: {type: string}, b: {type: integer}}}
                flat: {type: object, properties: {x: {type: integer}, y: {type: string}}}
                as_json: {type: array, items: {type: integer}}
                plain_object: {type: object, properties: {k: {type: boolean}}}
                objects: {type: array, items: {type: object, properties: {v: {type: integer}}}}
                deep:
                  type: object
                  properties:
                    tags: {type: array, items: {type: string}}
                    lines: {type: array, items: {type: object, properties: {price: {type: integer}}}}
                    inner: {type: object, properties: {z: {type: number}}}
                words: {type: array, items: {type: string}}
            encoding:
              piped: {style: pipeDelimited, explode: false}
              csv: {style: form, explode: false}
              pairs: {style: form, explode: false}
              flat: {style: form, explode: true}
              as_json: {contentType: application/json}
              deep: {style: deepObject, explode: true}
              words: {style: deepObject, explode: true}
      responses:
        "204": {description: stored}
"""


def test_form_body_every_encoding_style_round_trips(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """Client and server agree on each style a form property may declare, with one-item arrays."""
    spec = tmp_path_factory.mktemp("form_styles") / "form-styles.yaml"
    spec.write_text(FORM_STYLES, encoding="utf-8")
    pkg = install(tmp_path_factory, "form_styles", generate_files(spec, "form_styles"))
    handlers, seen = recording_handlers(pkg, "put_thing", None)
    client = served(pkg, handlers)
    body = {
        "piped": [1, 2],
        "csv": ["a"],
        "pairs": {"a": "x", "b": 3},
        "flat": {"x": 1, "y": "two"},
        "as_json": [5],
        "plain_object": {"k": True},
        "objects": [{"v": 1}],
        "deep": {"tags": ["t"], "lines": [{"price": 4}, {"price": 5}], "inner": {"z": 1.5}},
        "words": ["w"],
    }
    query = {"ids": [7], "range": {"min": 1}, "rows": [{"n": 1}, {"n": 2}]}
    client.things.put_thing(body=body, filter=query)  # no tags: grouped by the path
    sent = httpx.QueryParams(client.wire.body.decode())
    assert sent.get("piped") == "1|2" and sent.get("csv") == "a" and sent.get("pairs") == "a,x,b,3"
    assert sent.get("x") == "1" and sent.get("y") == "two"  # form, explode: the object's own keys
    assert sent.get("as_json") == "[5]" and sent.get("plain_object") == '{"k":true}'
    assert sent.get("deep[lines][1][price]") == "5" and sent.get("words[0]") == "w"
    assert seen[0].model_dump(exclude_unset=True) == body
    assert client.wire.requests[-1].url.params.get("filter[rows][1][n]") == "2"  # deepObject query, nested
    assert seen[1].model_dump(exclude_unset=True) == query


# -- 03: an enum beside `allOf: [$ref]` narrows it ------------------------------------------------


def test_repro_03_enum_narrowed_by_allof_ref(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = repro(tmp_path_factory, "03-enum-narrowed-by-allof-ref")
    models = pkg.models
    with pytest.raises(pydantic.ValidationError):
        models.Circle.model_validate({"kind": "triangle", "size": 1})
    union = pydantic.TypeAdapter(models.Circle | models.Square)
    assert type(union.validate_python({"kind": "square", "size": 1})) is models.Square
    assert type(union.validate_python({"kind": "circle", "size": 1})) is models.Circle
    client = served(pkg)
    for shape_id in ("s1", "s2", "s3", "s4"):
        shape = client.shapes.get_shape(shape_id)
        assert shape.kind == {models.Circle: "circle", models.Square: "square"}[type(shape)]


# -- 07: multipart JSON parts ---------------------------------------------------------------------


def test_repro_07_multipart_object_part(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = repro(tmp_path_factory, "07-multipart-object-part")
    assert served(pkg).uploads.upload(body={"meta": {"name": "a.txt"}, "file": b"hello"}) is not None
    handlers, seen = recording_handlers(pkg, "upload", {"id": "u1"})
    client = served(pkg, handlers)
    assert client.uploads.upload(body={"meta": {"name": "a.txt"}, "file": b"hello"}).id == "u1"
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"name":"a.txt"}' in client.wire.body
    assert (seen[0].meta.name, seen[0].file) == ("a.txt", b"hello")


# -- 11: enum members named like str methods ------------------------------------------------------


def test_repro_11_enum_member_shadows_str_method(tmp_path_factory: pytest.TempPathFactory) -> None:
    pkg = repro(tmp_path_factory, "11-enum-member-shadows-str-method")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(package_dir(pkg) / "models.py")],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    op = pkg.models.ApplyEditBodyOp  # named from its context: the property op of applyEdit's body
    assert [m.value for m in op] == ["replace", "title", "count"]  # the wire values are kept
    assert op("replace").replace("e", "E") == "rEplacE"  # str's methods still work on members


# -- 14: --lenient and draft 4's tuple `items: [A, B]` --------------------------------------------


def test_repro_14_lenient_tuple_items(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = repro(tmp_path_factory, "14-lenient-tuple-items")
    example = {"room": {"id": "R1"}}  # the spec's own example
    assert pkg.models.GetRoomResponse.model_validate(example).room == {"id": "R1"}
    assert pkg.models.GetRoomResponse.model_validate({"room": [{"id": "R1"}, {"ref": "x"}, 3]})
    assert served(pkg).rooms.get_room("r1").room == example["room"]
