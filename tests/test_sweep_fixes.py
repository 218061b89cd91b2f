"""Fixes the conformance sweep (tests/conformance.py) asked for, on the server side, each through
the generated client against the generated server over HTTP:

* object-valued query parameters, in each style the spec allows, read by the server as the
  client writes them;
* the mock's answers for ``oneOf``/``anyOf`` valid under exactly one branch (the spec's own
  schema, not only pydantic's first fitting member).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from .conftest_client import dumped, install, recording, spec_package

QUERY_SPEC = """
openapi: 3.1.0
info: {title: query objects, version: "1"}
paths:
  /boxes:
    get:
      operationId: findBoxes
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer}}
        - {name: box, in: query, required: true, schema: {$ref: '#/components/schemas/Box'}}
        - {name: second, in: query, schema: {$ref: '#/components/schemas/Box'}}
        - {name: flat, in: query, explode: false, schema: {$ref: '#/components/schemas/Box'}}
        - {name: deep, in: query, style: deepObject, schema: {$ref: '#/components/schemas/Flat'}}
        - {name: pick, in: query, schema: {$ref: '#/components/schemas/NumberOrText'}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /tags:
    get:
      operationId: findTags
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - name: tags
          in: query
          required: true
          schema: {type: object, additionalProperties: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    Box:
      type: object
      additionalProperties: false
      required: [w]
      properties:
        w: {type: integer}
        label: {type: string}
        size: {type: object, properties: {n: {type: integer}}}
        kind: {oneOf: [{type: integer}, {type: string, enum: [a, b]}]}
    Flat:
      type: object
      properties:
        x: {type: integer}
        y: {type: string}
    NumberOrText:
      type: [number, string]
"""


def test_query_objects_every_style_read_as_sent(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = spec_package(tmp_path_factory, "sweep_query_objects", QUERY_SPEC)
    handlers, seen = recording(pkg, "find_boxes")
    client = served(pkg, handlers)
    box = {"w": 3, "label": "x y", "size": {"n": 2}, "kind": 1}
    client.boxes.find_boxes(
        limit=5,
        box=box,  # form, exploded: w=3&label=x+y&size={"n":2}&kind=1
        second={"w": 4, "kind": "a"},  # the same keys again: the second of each
        flat={"w": 7, "label": "z"},  # form, not exploded: flat=w,7,label,z
        deep={"x": 1, "y": "q"},  # deepObject: deep[x]=1&deep[y]=q
        pick=2.5,  # a root model (a union), read from its own key
    )
    got = {k: dumped(v) for k, v in seen[-1].items()}
    assert got == {
        "limit": 5,
        "box": box,
        "second": {"w": 4, "kind": "a"},
        "flat": {"w": 7, "label": "z"},
        "deep": {"x": 1, "y": "q"},
        "pick": 2.5,
    }
    client.boxes.find_boxes(limit=1, box={"w": 1})  # the optional ones left out: None
    got = {k: dumped(v) for k, v in seen[-1].items()}
    assert got == {"limit": 1, "box": {"w": 1}, "second": None, "flat": None, "deep": None, "pick": None}


def test_query_open_object_exploded_takes_the_other_keys(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = spec_package(tmp_path_factory, "sweep_query_tags", QUERY_SPEC)
    handlers, seen = recording(pkg, "find_tags")
    client = served(pkg, handlers)
    client.tags.find_tags(page=2, tags={"red": 1, "blue": 2})
    assert seen[-1] == {"page": 2, "tags": {"red": 1, "blue": 2}}


def test_query_object_refused_is_a_422_located_at_the_parameter(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    pkg = spec_package(tmp_path_factory, "sweep_query_refused", QUERY_SPEC)
    client = served(pkg)
    errors = importlib.import_module(f"{pkg.__name__}.errors")
    with pytest.raises(errors.ApiError) as caught:
        client.boxes.find_boxes(limit=1, box={"w": 1}, extra_query={"flat": "w,1,label"})  # odd pairs
    assert caught.value.status_code == 422
    assert "flat" in str(caught.value)


def test_mock_answers_query_objects(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """The mock (no handlers) accepts what the client sends too."""
    pkg = spec_package(tmp_path_factory, "sweep_query_mock", QUERY_SPEC)
    client = served(pkg)
    assert client.boxes.find_boxes(limit=5, box={"w": 3, "kind": "b"}, flat={"w": 1}, deep={"x": 2}, pick="t") is not None
    assert client.tags.find_tags(tags={"a": 1}) is not None


ONE_OF_SPEC = """
openapi: 3.1.0
info: {title: one of, version: "1"}
paths:
  /holders/{n}:
    get:
      operationId: getHolder
      parameters:
        - {name: n, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Holder'}}}}
components:
  schemas:
    Open: {type: object}
    Closed:
      type: object
      additionalProperties: false
      properties: {a: {type: string}}
    Alpha:
      type: object
      required: [type]
      properties: {type: {const: alpha}, color: {type: string}}
    Beta:
      type: object
      required: [type]
      properties: {type: {const: beta}, texture: {type: string}}
    Holder:
      type: object
      required: [nullable, anything, tagged, either]
      properties:
        nullable: {oneOf: [{$ref: '#/components/schemas/Open'}, {$ref: '#/components/schemas/Closed'}, {type: 'null'}]}
        anything: {oneOf: [{$ref: '#/components/schemas/Open'}, {$ref: '#/components/schemas/Closed'}, {}]}
        tagged: {oneOf: [{$ref: '#/components/schemas/Alpha'}, {$ref: '#/components/schemas/Beta'}]}
        either: {anyOf: [{type: integer}, {type: string}]}
        maybe: {oneOf: [{$ref: '#/components/schemas/Open'}, {$ref: '#/components/schemas/Closed'}]}
"""


def test_mock_one_of_answers_fit_exactly_one_branch(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """Every branch of these oneOf fits ``{}`` (or, for Alpha/Beta, an object without the const
    the branch is told apart by) where pydantic's first fitting member is enough: the mock's
    answers must be valid under the spec's own schema, exactly one branch each."""
    import jsonschema
    import yaml

    pkg = spec_package(tmp_path_factory, "sweep_one_of", ONE_OF_SPEC)
    document = yaml.safe_load(ONE_OF_SPEC)
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/Holder", "components": document["components"]}
    )
    client = served(pkg)
    mock = importlib.import_module(f"{pkg.__name__}._server_mock")
    holder = importlib.import_module(f"{pkg.__name__}.models").Holder
    answers = [client.holders.get_holder(n=n).model_dump(mode="json", by_alias=True, exclude_unset=True) for n in range(4)]
    answers += [
        mock.value(holder, seed, example=(False, None), echo={}).model_dump(mode="json", by_alias=True, exclude_unset=True)
        for seed in range(40)
    ]
    problems = [f"{a}: {e.message}" for a in answers for e in validator.iter_errors(a)]
    assert not problems, "\n".join(problems[:5])
    assert {a["tagged"]["type"] for a in answers} == {"alpha", "beta"}  # both branches still made


BAD_STATUS_SPEC = """
openapi: 3.1.0
info: {title: bad status, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "abcdef": {description: not a status, content: {application/json: {schema: {type: string}}}}
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: integer}}}}}
"""


def test_invalid_response_status_left_out_with_a_warning(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """--lenient: a response key that is no status (FastAPI refused the route when the server
    was imported) is left out, located in a warning; the rest of the operation is served."""
    from oapigen.run.config import Job
    from oapigen.run.pipeline import generate

    spec = tmp_path_factory.mktemp("bad_status") / "bad_status.yaml"
    spec.write_text(BAD_STATUS_SPEC, encoding="utf-8")
    result = generate(Job(spec=spec, output=spec.parent, package="sweep_bad_status", lenient=True))
    assert any(
        d.pointer == "/paths/~1things/get/responses/abcdef" and "left out" in d.message for d in result.diagnostics
    )
    pkg = install(tmp_path_factory, "sweep_bad_status", result.files)
    things = served(pkg).things.list_things()
    assert things and all(isinstance(n, int) for n in things)


NULLABLE_30_SPEC = """
openapi: 3.0.3
info: {title: nullable combinations, version: "1"}
paths:
  /holders:
    get:
      operationId: getHolder
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Holder'}}}}
components:
  schemas:
    A: {type: object, properties: {a: {type: string}}}
    B: {type: object, additionalProperties: false, properties: {b: {type: integer}}}
    Holder:
      type: object
      required: [one, any, all]
      properties:
        one: {oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}], nullable: true}
        any: {anyOf: [{type: string}, {type: integer}], nullable: true}
        all: {allOf: [{$ref: '#/components/schemas/A'}], nullable: true}
"""


def test_openapi_30_nullable_beside_one_of_any_of_all_of(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """3.0's ``nullable: true`` beside a oneOf/anyOf/allOf allows null: the server sends it, the
    client reads it (the models refused it). The mock's ``one`` fits one branch alone."""
    pkg = spec_package(tmp_path_factory, "sweep_nullable_30", NULLABLE_30_SPEC)
    server = importlib.import_module(f"{pkg.__name__}.server")

    class Nulls(server.Handlers):  # type: ignore[name-defined,misc]
        async def get_holder(self) -> Any:
            return {"one": None, "any": None, "all": None}

    held = served(pkg, Nulls()).holders.get_holder()
    assert (held.one, held.any, held.all) == (None, None, None)
    mock = importlib.import_module(f"{pkg.__name__}._server_mock")
    holder = importlib.import_module(f"{pkg.__name__}.models").Holder
    answers = [served(pkg).holders.get_holder().model_dump(mode="json", exclude_unset=True)]
    answers += [mock.value(holder, n, example=(False, None), echo={}).model_dump(mode="json") for n in range(20)]
    assert answers and all(a["one"] is None or "a" in a["one"] for a in answers)  # {"a": ...} fits A alone


JSON_CONTENT_SPEC = """
openapi: 3.1.0
info: {title: json content parameters, version: "1"}
paths:
  /pets:
    get:
      operationId: findPets
      parameters:
        - name: filter
          in: query
          required: true
          content: {application/json: {schema: {$ref: '#/components/schemas/Filter'}}}
        - name: tag
          in: query
          content: {application/json: {schema: {type: string}}}
        - {name: id, in: query, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    Filter:
      type: object
      required: [id]
      properties: {id: {type: integer}, name: {type: string}}
"""


def test_query_parameter_with_json_content_is_json_text(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """``content: application/json``: the value is its JSON text under its own name (it was
    spread like a form object: ``id=1&name=x``, colliding with the ``id`` parameter)."""
    pkg = spec_package(tmp_path_factory, "sweep_json_content", JSON_CONTENT_SPEC)
    serialize = importlib.import_module(f"{pkg.__name__}._serialize")
    endpoints = importlib.import_module(f"{pkg.__name__}._endpoints")
    params = {p.python_name: p for p in endpoints.FIND_PETS.params}
    assert serialize.query_pairs(params["filter"], {"id": 1, "name": "x"}) == [("filter", '{"id":1,"name":"x"}')]
    handlers, seen = recording(pkg, "find_pets")
    client = served(pkg, handlers)
    client.pets.find_pets(filter={"id": 1, "name": "x"}, tag="7", id=2)
    got = {k: dumped(v) for k, v in seen[-1].items()}
    assert got == {"filter": {"id": 1, "name": "x"}, "tag": "7", "id": 2}


CLOSED_ALL_OF_SPEC = """
openapi: 3.1.0
info: {title: closed allOf, version: "1"}
paths:
  /things:
    get:
      operationId: getThing
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Extended'}}}}
components:
  schemas:
    Base:
      type: object
      additionalProperties: false
      required: [id]
      properties: {id: {type: integer}}
    Aliased: {allOf: [{$ref: '#/components/schemas/Base'}]}
    Extended:
      allOf:
        - {$ref: '#/components/schemas/Aliased'}
        - {type: object, properties: {extra: {type: string}}}
"""


def test_property_a_closed_all_of_member_forbids_is_left_out(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """JSON Schema applies each allOf member to the whole object: Base allows only ``id``, so
    ``extra`` is never valid. The model left it in (the mock answered it, the client could
    send it); it is left out with a located warning."""
    from oapigen.run.config import Job
    from oapigen.run.pipeline import generate

    spec = tmp_path_factory.mktemp("closed_all_of") / "closed_all_of.yaml"
    spec.write_text(CLOSED_ALL_OF_SPEC, encoding="utf-8")
    result = generate(Job(spec=spec, output=spec.parent, package="sweep_closed_all_of"))
    assert [d.pointer for d in result.diagnostics if "never be valid" in d.message] == [
        "/components/schemas/Extended/allOf/1/properties/extra"
    ]
    pkg = install(tmp_path_factory, "sweep_closed_all_of", result.files)
    assert "extra" not in pkg.models.Extended.model_fields
    mock = importlib.import_module(f"{pkg.__name__}._server_mock")
    made = [mock.value(pkg.models.Extended, n, example=(False, None), echo={}) for n in range(8)]
    assert made and all(set(m.model_dump(exclude_unset=True)) == {"id"} for m in made)
    assert set(served(pkg).things.get_thing().model_dump(exclude_unset=True)) == {"id"}


HEADER_COOKIE_SPEC = """
openapi: 3.1.0
info: {title: header and cookie objects, version: "1"}
paths:
  /prefs:
    get:
      operationId: getPrefs
      parameters:
        - {name: X-Box, in: header, required: true, schema: {$ref: '#/components/schemas/Box'}}
        - {name: X-Box-Exploded, in: header, explode: true, schema: {$ref: '#/components/schemas/Box'}}
        - name: X-Json
          in: header
          content: {application/json: {schema: {$ref: '#/components/schemas/Box'}}}
        - {name: theme, in: cookie, schema: {$ref: '#/components/schemas/Theme'}}
        - {name: flat, in: cookie, explode: false, schema: {$ref: '#/components/schemas/Box'}}
        - {name: sid, in: cookie, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    Box:
      type: object
      additionalProperties: false
      required: [w]
      properties: {w: {type: integer}, label: {type: string}}
    Theme:
      type: object
      additionalProperties: false
      properties: {color: {type: string}, size: {type: integer}}
"""


def test_header_and_cookie_objects_read_as_sent(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """Headers (simple: ``w,3,label,x``; exploded ``w=3,label=x``; JSON content) and cookies
    (form exploded: a cookie per property; not exploded: ``flat=w,7,label,a%20b``) of object
    types reach the handler typed as the client sent them (they were handed over as text)."""
    pkg = spec_package(tmp_path_factory, "sweep_header_cookie", HEADER_COOKIE_SPEC)
    handlers, seen = recording(pkg, "get_prefs")
    client = served(pkg, handlers)
    client.prefs.get_prefs(
        x_box={"w": 3, "label": "x"},
        x_box_exploded={"w": 4, "label": "y z"},
        x_json={"w": 5, "label": "a,b"},
        theme={"color": "red", "size": 2},
        flat={"w": 7, "label": "a b"},
        sid="s1",
    )
    got = {k: dumped(v) for k, v in seen[-1].items()}
    assert got == {
        "x_box": {"w": 3, "label": "x"},
        "x_box_exploded": {"w": 4, "label": "y z"},
        "x_json": {"w": 5, "label": "a,b"},
        "theme": {"color": "red", "size": 2},
        "flat": {"w": 7, "label": "a b"},
        "sid": "s1",
    }
    client.prefs.get_prefs(x_box={"w": 1})
    got = {k: dumped(v) for k, v in seen[-1].items()}
    assert got == {"x_box": {"w": 1}, "x_box_exploded": None, "x_json": None, "theme": None, "flat": None, "sid": None}


BARE_MULTIPART_SPEC = """
openapi: 3.1.0
info: {title: bare multipart bodies, version: "1"}
paths:
  /image:
    post:
      operationId: putImage
      requestBody:
        content:
          multipart/form-data:
            schema: {type: string, format: binary}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /images:
    post:
      operationId: putImages
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {type: array, items: {type: string, format: binary}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""


def test_bare_multipart_body_read_from_its_part(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """A multipart body that is no object of parts (a file, a list of files) goes in the part
    ``file`` (one per item) and the server reads it back as the bytes the client sent."""
    pkg = spec_package(tmp_path_factory, "sweep_bare_multipart", BARE_MULTIPART_SPEC)
    handlers, seen = recording(pkg, "put_image")
    client = served(pkg, handlers)
    client.image.put_image(body=b"\x89PNG\r\n\x00")
    assert seen[-1]["body"] == b"\x89PNG\r\n\x00"
    handlers, seen = recording(pkg, "put_images")
    client = served(pkg, handlers)
    client.images.put_images(body=[b"one", ("b.bin", b"two")])
    assert seen[-1]["body"] == [b"one", b"two"]
    client.images.put_images(body=[b"alone"])  # one part: still a list
    assert seen[-1]["body"] == [b"alone"]


NULL_FORM_SPEC = """
openapi: 3.1.0
info: {title: nulls in forms, version: "1"}
paths:
  /form:
    post:
      operationId: postForm
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Nulls'}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /parts:
    post:
      operationId: postParts
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {$ref: '#/components/schemas/Nulls'}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    OnlyNull: {enum: [null]}
    Mixed: {enum: [a, null]}
    Nulls:
      type: object
      properties:
        only_null: {type: array, items: {$ref: '#/components/schemas/OnlyNull'}}
        mixed: {$ref: '#/components/schemas/Mixed'}
        count: {type: [integer, 'null']}
        text: {type: [string, 'null']}
"""


@pytest.mark.parametrize("media", ["form", "parts"])
def test_form_and_multipart_null_read_back_as_none(
    tmp_path_factory: pytest.TempPathFactory, served: Any, media: str
) -> None:
    """Null in a form or multipart body: a form leaves a null property out (an optional one
    reads as not given) and writes a null array item as ``""``, which the server reads back as
    None where the item admits null and no ``""`` (an enum of null alone); multipart sends JSON
    ``null`` parts. ``""`` stays ``""`` where a string fits."""
    pkg = spec_package(tmp_path_factory, f"sweep_null_{media}", NULL_FORM_SPEC)
    method = f"post_{media}"
    handlers, seen = recording(pkg, method)
    client = served(pkg, handlers)
    sent = {"only_null": [None, None], "mixed": None, "count": None, "text": ""}
    getattr(getattr(client, media), method)(body=sent)
    got = seen[-1]["body"]
    assert dumped(got) == (sent if media == "parts" else {"only_null": [None, None], "text": ""})
    assert got.mixed is None and got.count is None
    getattr(getattr(client, media), method)(body={"only_null": [None], "mixed": "a", "count": 3})
    assert dumped(seen[-1]["body"]) == {"only_null": [None], "mixed": "a", "count": 3}


INDISTINCT_SPEC = """
openapi: {version}
info: {{title: indistinct branches, version: "1"}}
paths:
  /same:
    get:
      operationId: getSame
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Same'}}
  /consts:
    get:
      operationId: getConsts
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {{type: object, required: [kind], properties: {{kind: {{const: a}}, x: {{type: string}}}}}}
                  - {{type: object, required: [kind], properties: {{kind: {{const: b}}, y: {{type: string}}}}}}
  /fine:
    get:
      operationId: getFine
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf:
                  - {{$ref: '#/components/schemas/A'}}
                  - {{$ref: '#/components/schemas/C'}}
                  - {{type: object, required: [kind], properties: {{kind: {{type: string, enum: [b]}}}}}}
                  - {{type: object, required: [kind], properties: {{kind: {{type: string, enum: [c]}}}}}}
components:
  schemas:
    A: {{type: object, required: [kind], properties: {{kind: {{type: integer}}}}}}
    B: {{type: object, required: [kind], properties: {{kind: {{type: integer}}}}}}
    C: {{type: object, required: [kind], properties: {{kind: {{type: boolean}}}}}}
    Same:
      oneOf:
        - {{$ref: '#/components/schemas/A'}}
        - {{$ref: '#/components/schemas/B'}}
      discriminator: {{propertyName: kind}}
"""


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_indistinct_one_of_branches_warned_and_swept_as_unsatisfiable(tmp_path: Any, version: str) -> None:
    """A oneOf whose branches no value tells apart (the same schema once $ref is followed; in
    3.0, which has no ``const``, told apart by ``const`` alone) gets a located warning at
    generation (different $refs a discriminator names too: a validator does not read it); the
    sweep counts schemathesis' complaints about such an operation's answers as unsatisfiable,
    not as mock failures. In 3.1 ``const`` tells branches apart, and so do types and enums."""
    from oapigen.run.config import Job
    from oapigen.run.pipeline import generate

    from .conformance import run

    spec = tmp_path / "indistinct.yaml"
    spec.write_text(INDISTINCT_SPEC.format(version=version), encoding="utf-8")
    result = generate(Job(spec=spec, output=tmp_path / "out", package="sweep_indistinct"))
    warned = sorted(d.format() for d in result.diagnostics if "oneOf wants exactly one" in d.message)
    expected = [f"warning: {spec}:46: /components/schemas/Same/oneOf: oneOf branches 0 and 1 are the same schema ($ref"
                f" followed) (the discriminator names them apart; a JSON Schema validator does not read it)"]
    if version == "3.0.3":
        expected.insert(0, f"warning: {spec}:23: /paths/~1consts/get/responses/200/content/application~1json/schema/oneOf: "
                        "oneOf branches 0 and 1 differ only by `const`")
    assert [w[: len(e)] for w, e in zip(warned, expected, strict=True)] == expected
    sweep = run(spec, tmp_path / "swept", lenient=False, package=f"swept_indistinct_{version[2]}", examples=3)
    assert not sweep.failures() and not sweep.schemathesis
    assert sorted(line.split(":")[0] for line in sweep.unsatisfiable) == (
        ["GET /consts", "GET /same"] if version == "3.0.3" else ["GET /same"]
    )
