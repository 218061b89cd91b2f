"""Leftovers of issue 11 on the wire, each through the generated client against the generated
server over HTTP:

* formats of array items and map values (``items: {type: string, format: email}``) kept in the
  models, so the mock answers conform and /openapi.json shows them (and 3.0 ``nullable`` items);
* path parameters the generated server read as text: ``content: application/json`` (the client
  sends the JSON text, percent-encoded) and objects or arrays of style ``simple``;
* ``""`` and null told apart in form and multipart bodies where a property admits both.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from .conftest_client import dumped, recording, spec_package

# -- formats of array items ------------------------------------------------------------------------

ITEM_FORMATS_SPEC = """
openapi: {version}
info: {{title: item formats, version: "1"}}
paths:
  /contacts:
    get:
      operationId: getContacts
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Contacts'}}
  /emails:
    get:
      operationId: getEmails
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/EmailList'}}
components:
  schemas:
    EmailList: {{type: array, minItems: 2, items: {{type: string, format: email}}}}
    Contacts:
      type: object
      required: [emails, groups, by_name, links, ids, limited]
      properties:
        emails: {{type: array, minItems: 2, items: {{type: string, format: email}}}}
        groups:
          type: array
          minItems: 1
          items: {{type: array, minItems: 2, items: {{type: string, format: idn-email}}}}
        by_name:
          type: object
          minProperties: 2
          additionalProperties: {{type: string, format: email}}
        links: {{type: array, minItems: 2, items: {{type: string, format: json-pointer}}}}
        ids: {{type: array, minItems: 2, items: {{type: string, format: uuid}}}}
        limited: {{type: array, minItems: 2, maxItems: 3, items: {{type: string, format: email}}}}
"""

_CHECKER = jsonschema.FormatChecker()


def _check_answer(schema: dict[str, Any], value: Any) -> None:
    """``value`` fits the spec's own ``schema``, formats checked (email, idn-email, uuid...)."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    assert not errors, errors


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_formats_of_array_items_and_map_values_are_kept(
    tmp_path_factory: pytest.TempPathFactory, served: Any, version: str
) -> None:
    """The models library types ``items: {type: string, format: email}`` as ``list[str]``: the
    item format was gone from the models' JSON schema, so the mock answered ``word-123`` inside
    the array and /openapi.json showed no format. Each item (nested, map value, root list) keeps
    its format; the mock's answers pass the spec's own schema with formats checked."""
    text = ITEM_FORMATS_SPEC.format(version=version)
    pkg = spec_package(tmp_path_factory, "wire_item_formats_" + version.replace(".", ""), text)
    schemas = yaml.safe_load(text)["components"]["schemas"]
    client = served(pkg)
    url = str(client.base_url)
    for _ in range(3):
        raw = client.with_raw_response.contacts.get_contacts()
        _check_answer(schemas["Contacts"], raw.http_response.json())
        raw = client.with_raw_response.emails.get_emails()
        _check_answer(schemas["EmailList"], raw.http_response.json())
    contacts = client.contacts.get_contacts()
    assert all("@" in e for e in contacts.emails) and all("@" in e for e in client.emails.get_emails())
    shown = httpx.get(f"{url}/openapi.json").json()["components"]["schemas"]
    props = shown["Contacts"]["properties"]
    assert props["emails"]["items"]["format"] == "email"
    group = props["groups"]["items"]  # a class of its own (it has minItems)
    group = shown[group["$ref"].rsplit("/", 1)[-1]] if "$ref" in group else group
    assert group["items"]["format"] == "idn-email"
    assert props["by_name"]["additionalProperties"]["format"] == "email"
    assert props["links"]["items"]["format"] == "json-pointer"
    assert props["limited"]["items"]["format"] == "email"
    assert shown["EmailList"]["items"]["format"] == "email"
    assert json.dumps(shown).count('"format": "email"') >= 4


NULLABLE_ITEMS_SPEC = """
openapi: 3.0.3
info: {title: nullable items, version: "1"}
paths:
  /boxes:
    post:
      operationId: putBox
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Box'}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Box'}
components:
  schemas:
    Box:
      type: object
      required: [tags, scores, kinds, note, size]
      properties:
        note: {type: string, nullable: true}
        size: {type: string, enum: [s, m], nullable: true}
        tags: {type: array, items: {type: string, format: email, nullable: true}}
        scores: {type: object, additionalProperties: {type: integer, nullable: true}}
        kinds: {type: array, items: {type: string, enum: [small, large], nullable: true}}
"""


def test_openapi_30_nullable_items_map_values_and_required_admit_null(tmp_path_factory: pytest.TempPathFactory, served: Any) -> None:
    """``items: {type: string, nullable: true}`` (3.0) admits null items: the models library
    typed them ``list[str]`` (and a required nullable property ``str``), so the client refused
    to send a null and would refuse to read one. The body goes to the server and back with its
    nulls; the item keeps its format."""
    pkg = spec_package(tmp_path_factory, "wire_nullable_items", NULLABLE_ITEMS_SPEC)
    server = importlib.import_module(f"{pkg.__name__}.server")

    class Echo(server.Handlers):  # type: ignore[name-defined,misc]
        async def put_box(self, body: Any) -> Any:
            return body

    client = served(pkg, Echo())
    url = str(client.base_url)
    sent = {"tags": ["a@example.com", None], "scores": {"a": 1, "b": None}, "kinds": ["small", None],
            "note": None, "size": None}
    got = client.boxes.put_box(body=sent)
    assert got.model_dump(mode="json") == sent
    shown = httpx.get(f"{url}/openapi.json").json()["components"]["schemas"]
    assert {"type": "string", "format": "email"} in shown["Box"]["properties"]["tags"]["items"]["anyOf"]


PATH_CONTENT_SPEC = """
openapi: 3.1.0
info: {title: path content, version: "1"}
paths:
  /items/{filter}/{ids}/{word}/{count}:
    get:
      operationId: getItem
      parameters:
        - name: filter
          in: path
          required: true
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}, name: {type: string}}}
        - {name: ids, in: path, required: true, content: {application/json: {schema: {type: array, items: {type: integer}}}}}
        - {name: word, in: path, required: true, content: {application/json: {schema: {type: string}}}}
        - {name: count, in: path, required: true, content: {application/json: {schema: {type: integer}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /simple/{tags}/{box}/{flat}:
    get:
      operationId: getSimple
      parameters:
        - {name: tags, in: path, required: true, schema: {type: array, items: {type: integer}}}
        - name: box
          in: path
          required: true
          explode: true
          schema: {type: object, properties: {w: {type: integer}, label: {type: string}}}
        - name: flat
          in: path
          required: true
          schema: {type: object, properties: {w: {type: integer}, label: {type: string}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""


def test_path_parameters_with_json_content_and_simple_objects_read_as_sent(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """A path parameter with ``content: application/json``: the client sends its JSON text,
    percent-encoded (``/`` as ``%2F``); the server handed the handler that text (``'{"id":1}'``,
    a string's quotes included), or refused it. Objects and arrays of style ``simple`` were
    handed over as text too (``"1,2"``). Each is read back as the value sent, in handler mode
    and in mock mode; /openapi.json shows the JSON parameters with their content."""
    pkg = spec_package(tmp_path_factory, "wire_path_content", PATH_CONTENT_SPEC)
    handlers, seen = recording(pkg, "get_item")
    client = served(pkg, handlers)
    filt = {"id": 1, "name": "a/b %2F c,d é"}
    client.items.get_item(filter=filt, ids=[3, 4], word='say "hi"/ok', count=7)
    assert {k: dumped(v) for k, v in seen[-1].items()} == {"filter": filt, "ids": [3, 4], "word": 'say "hi"/ok', "count": 7}
    handlers, seen = recording(pkg, "get_simple")
    client = served(pkg, handlers)
    client.simple.get_simple(tags=[1, 2], box={"w": 3, "label": "x"}, flat={"w": 4, "label": "y"})
    assert {k: dumped(v) for k, v in seen[-1].items()} == {"tags": [1, 2], "box": {"w": 3, "label": "x"}, "flat": {"w": 4, "label": "y"}}
    mock = served(pkg)
    url = str(mock.base_url)
    assert isinstance(mock.items.get_item(filter=filt, ids=[1], word="w", count=1), dict)
    with httpx.Client(base_url=url) as http:
        assert http.get("/items/%7Bnope/%5B1%5D/%22w%22/1").status_code == 422  # not JSON: refused
        operation = http.get("/openapi.json").json()["paths"]["/items/{filter}/{ids}/{word}/{count}"]["get"]
    shown = {p["name"]: p for p in operation["parameters"]}
    assert set(shown) == {"filter", "ids", "word", "count"}
    assert all(p["in"] == "path" and p["required"] and "application/json" in p["content"] for p in shown.values())


FORM_NULL_SPEC = """
openapi: {version}
info: {{title: form nulls, version: "1"}}
paths:
  /form:
    post:
      operationId: postForm
      requestBody:
        required: {required}
        content:
          application/x-www-form-urlencoded:
            schema: {{$ref: '#/components/schemas/Note'}}
            encoding:
              meta: {{contentType: application/json}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
  /parts:
    post:
      operationId: postParts
      requestBody:
        required: {required}
        content:
          multipart/form-data:
            schema: {{$ref: '#/components/schemas/Note'}}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
components:
  schemas:
    Note:
      type: object
      required: [title, meta]
      properties:
        title: {nullable_string}
        subtitle: {nullable_string}
        meta: {{type: object, {nullable}properties: {{k: {{type: string}}}}}}
        lines: {{type: array, items: {nullable_string}}}
"""
_NULLABLE = {
    "3.0.3": ("{type: string, nullable: true}", "nullable: true, "),
    "3.1.0": ("{type: [string, 'null']}", "type: [object, 'null'], "),
}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize("media", ["form", "parts"])
def test_form_bodies_tell_empty_text_from_null(
    tmp_path_factory: pytest.TempPathFactory, served: Any, version: str, media: str
) -> None:
    """Where a property admits both ``""`` and null (a nullable string), null in a form or
    multipart body was written as ``""`` and read back as ``""``. Now a form leaves a null
    property out (RFC 6570: null is undefined) and the server reads a required one left out as
    null; multipart sends null as a JSON part (exact, array items too). ``""`` is the empty
    string in both; a body whose every property is null still arrives (an empty form)."""
    nullable_string, nullable = _NULLABLE[version]
    text = FORM_NULL_SPEC.format(version=version, nullable_string=nullable_string, nullable=nullable, required="false")
    pkg = spec_package(tmp_path_factory, f"wire_form_null_{media}_{version.replace('.', '')}", text)
    method = f"post_{media}"
    handlers, seen = recording(pkg, method)
    client = served(pkg, handlers)
    call = getattr(getattr(client, media), method)
    for body in (
        {"title": None, "subtitle": "", "meta": None},
        {"title": "", "subtitle": None, "meta": {"k": ""}},
        {"title": "", "meta": None, "lines": ["", "a"]},
        {"title": None, "meta": None},
    ):
        call(body=body)
        got = seen[-1]["body"]
        assert got is not None, body
        expected = {k: v for k, v in body.items() if v is not None or media == "parts" or k in ("title", "meta")}
        assert dumped(got) == expected, (body, dumped(got))
        assert got.subtitle == body.get("subtitle")
    if media == "parts":  # null items are exact in multipart only (a form item has no null)
        call(body={"title": "t", "meta": None, "lines": [None, "", "x"]})
        assert seen[-1]["body"].lines == [None, "", "x"]
