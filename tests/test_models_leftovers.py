"""The last leftovers of issue 11 in the models and the IR, each through the generated package:

* an ``allOf`` member redefining a property another member defines as a nullable union
  (openai.yaml's ``CreateModelResponseProperties.top_logprobs``) keeps the type both admit,
  in a class named by its context: the models library made ``TopLogprobs1(RootModel[None])``;
* a component named like a Python keyword or builtin (``None``) gets one rule's name
  (``NoneModel``), not a number (``None1``);
* schemas written inline in an operation (a parameter, a request body, a response) keep their
  constraints (item counts, unique items, item patterns, formats and bounds): the mock answers
  fit them, the server refuses a request breaking them with 422, the client checks what it sends.
"""

from __future__ import annotations

import importlib
import inspect
import json
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from pydantic import BaseModel, RootModel, ValidationError

from .conftest_client import generate_files, spec_package

# -- allOf redefinitions -------------------------------------------------------------------------

REDEFINED_SPEC = """
openapi: {version}
info: {{title: redefined, version: "1"}}
paths:
  /responses:
    post:
      operationId: createResponse
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/CreateResponseProperties'}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/CreateResponseProperties'}}
components:
  schemas:
    ResponseProperties:
      type: object
      properties:
        metadata: {{type: string}}
        top_logprobs:
          {nullable}
          anyOf:
            - {{type: integer, minimum: 0, maximum: 20, description: up to 20}}
            {null_member}
        temperature:
          {nullable}
          anyOf:
            - {{type: number, minimum: 0, maximum: 2}}
            - {{type: string, enum: [auto]}}
            {null_member}
    CreateResponseProperties:
      allOf:
        - $ref: '#/components/schemas/ResponseProperties'
        - type: object
          properties:
            prompt: {{type: string}}
            top_logprobs: {{type: integer, minimum: 0, maximum: 10, description: up to 10}}
            temperature: {{type: number, maximum: 1.5}}
"""


def _classes(models: Any) -> dict[str, type]:
    return {
        n: c for n, c in vars(models).items()
        if isinstance(c, type) and issubclass(c, BaseModel | RootModel) and c.__module__ == models.__name__
    }


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_an_allof_redefinition_of_a_nullable_union_keeps_what_both_admit(
    tmp_path_factory: pytest.TempPathFactory, version: str
) -> None:
    """``top_logprobs`` is ``anyOf: [integer 0..20, null]`` in the referenced schema and
    ``integer 0..10`` in the ``allOf`` member: both hold, so it is an integer of 0..10. The
    models library laid the redefinition over each union member and kept the null one as it
    was: ``TopLogprobs | TopLogprobs1 | None`` with ``class TopLogprobs1(RootModel[None])``. The
    field is now one class named by its context, of the type both admit (the tighter bound);
    ``temperature`` keeps only the union's number member (a string is no number). Null as a
    member (3.1) or as 3.0's ``nullable: true`` beside the union."""
    if version.startswith("3.1"):
        text = REDEFINED_SPEC.format(version=version, null_member='- {type: "null"}', nullable="")
    else:
        text = REDEFINED_SPEC.format(version=version, null_member="", nullable="nullable: true")
    pkg = spec_package(tmp_path_factory, "redefined_" + version.replace(".", ""), text)
    models = importlib.import_module(f"{pkg.__name__}.models")
    classes = _classes(models)
    numbered = sorted(n for n in classes if n[-1].isdigit())
    assert not numbered, numbered
    nothing = [n for n, c in classes.items() if issubclass(c, RootModel) and c.model_fields["root"].annotation is type(None)]
    assert not nothing, nothing
    create = models.CreateResponseProperties
    field = create.model_fields["top_logprobs"].annotation
    assert "CreateResponsePropertiesTopLogprobs" in str(field)
    got = create.model_validate({"top_logprobs": 7, "temperature": 1.25, "prompt": "p"})
    assert got.model_dump(mode="json", exclude_unset=True) == {"top_logprobs": 7, "temperature": 1.25, "prompt": "p"}
    for wrong in ({"top_logprobs": 15}, {"temperature": "auto"}, {"temperature": 1.75}):
        with pytest.raises(ValidationError):
            create.model_validate(wrong)
    # the referenced schema itself is unchanged: null and 20 still fit it
    base = models.ResponseProperties.model_validate({"top_logprobs": 20, "temperature": "auto"})
    assert base.model_dump(mode="json", exclude_unset=True) == {"top_logprobs": 20, "temperature": "auto"}


INLINE_MEMBERS_SPEC = """
openapi: 3.0.3
info: {title: fork, version: "1"}
paths: {}
components:
  schemas:
    Fork:
      type: object
      properties:
        forkee:
          allOf:
            - type: object
              properties:
                created_at: {oneOf: [{type: integer}, {type: string, format: date-time}]}
            - type: object
              properties:
                created_at: {type: string}
"""


def test_an_allof_of_inline_members_redefining_a_union_keeps_what_both_admit(tmp_path_factory: pytest.TempPathFactory) -> None:
    """GitHub's ``webhook-fork.forkee``: ``created_at`` is ``oneOf: [integer, date-time]`` in
    one inline member and a string in the other, so a date-time string; the library kept the
    first definition (``int | AwareDatetime``). The field is a datetime, in the one merged class."""
    pkg = spec_package(tmp_path_factory, "inline_members", INLINE_MEMBERS_SPEC)
    models = importlib.import_module(f"{pkg.__name__}.models")
    assert set(_classes(models)) == {"Fork", "Forkee"}
    fork = models.Fork.model_validate({"forkee": {"created_at": "2024-01-02T03:04:05Z"}})
    assert fork.forkee.created_at.year == 2024
    schema = models.Forkee.model_json_schema()["properties"]["created_at"]
    assert "integer" not in json.dumps(schema) and "date-time" in json.dumps(schema)


# -- keywords ------------------------------------------------------------------------------------

KEYWORD_SPEC = """
openapi: 3.1.0
info: {title: keywords, version: "1"}
paths:
  /nothing:
    get:
      operationId: getNothing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/None'}
components:
  schemas:
    None: {type: object, properties: {a: {type: string}}}
    "True": {type: object, properties: {b: {type: string}}}
    Exception: {type: object, properties: {c: {type: string}}}
    Holder:
      type: object
      properties:
        none: {$ref: '#/components/schemas/None'}
        truth: {$ref: '#/components/schemas/True'}
        error: {$ref: '#/components/schemas/Exception'}
      discriminator: {propertyName: kind, mapping: {n: '#/components/schemas/None'}}
"""


def test_a_component_named_like_a_python_keyword_or_builtin_gets_a_name_not_a_number(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """``None`` (a keyword) was written ``None1`` by the models library, ``Exception`` shadowed
    the builtin: each is named by one rule, ``Model`` after it, and every reference to it
    follows (the operation answering a ``None`` is typed with its class, not ``Any``)."""
    pkg = spec_package(tmp_path_factory, "keywords", KEYWORD_SPEC)
    models = importlib.import_module(f"{pkg.__name__}.models")
    classes = _classes(models)
    assert {"NoneModel", "TrueModel", "ExceptionModel", "Holder"} <= set(classes)
    assert not [n for n in classes if n[-1].isdigit()]
    assert "Exception" not in classes
    holder = models.Holder.model_validate({"none": {"a": "x"}, "truth": {"b": "y"}, "error": {"c": "z"}})
    assert isinstance(holder.none, models.NoneModel) and isinstance(holder.error, models.ExceptionModel)
    client = served(pkg)
    assert isinstance(client.nothing.get_nothing(), models.NoneModel)
    signature = inspect.signature(type(client.nothing).get_nothing)
    assert "NoneModel" in str(signature.return_annotation)


# -- inline operation schemas ----------------------------------------------------------------------

INLINE_SPEC = """
openapi: {version}
info: {{title: inline constraints, version: "1"}}
paths:
  /mails:
    get:
      operationId: listMails
      parameters:
        - name: tags
          in: query
          schema:
            type: array
            minItems: 2
            maxItems: 3
            uniqueItems: true
            items: {{type: string, pattern: "^(?!x)[a-z]{{2,5}}$"}}
        - name: scores
          in: query
          schema: {{type: array, items: {{type: integer, minimum: 1, maximum: 9}}}}
        - name: limit
          in: query
          schema: {{type: integer, minimum: 1, maximum: 50, multipleOf: 5}}
        - name: ratio
          in: query
          schema: {{type: number, exclusiveMaximum: {exclusive_max}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                minItems: 2
                maxItems: 4
                items: {{type: string, format: email, minLength: 6}}
    post:
      operationId: sendMails
      requestBody:
        required: true
        content:
          application/json:
            schema: {{type: array, minItems: 2, uniqueItems: true, items: {{type: string, format: email}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                minProperties: 1
                additionalProperties: {{type: array, minItems: 1, items: {{type: string, format: uri}}}}
"""

_CHECKER = jsonschema.FormatChecker()


def _inline_spec(version: str) -> str:
    # 3.0: a boolean exclusiveMaximum beside maximum; 3.1: a number
    exclusive = ("true, maximum: 1" if version.startswith("3.0") else "1")
    return INLINE_SPEC.format(version=version, exclusive_max=exclusive)


def _operation_schemas(text: str) -> dict[str, Any]:
    paths = yaml.safe_load(text)["paths"]["/mails"]
    return {
        "list": paths["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        "send": paths["post"]["responses"]["200"]["content"]["application/json"]["schema"],
    }


def _fits(schema: dict[str, Any], value: Any) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    assert not errors, (value, errors)


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_inline_operation_schemas_keep_their_constraints(
    tmp_path_factory: pytest.TempPathFactory, served: Any, version: str
) -> None:
    """``{type: array, minItems: 2, items: {type: string, format: email}}`` written in a
    response, a request body or a parameter was typed ``list[str]``: no count, no uniqueness, no
    item pattern, bound or format reached the mock (one-item answers of non-emails), the
    server (any request accepted) or the client. Each is kept: the mock's answers fit the
    spec's schemas (formats checked), the server answers 422 to a request breaking one, the
    client refuses to send a body breaking one, and the signatures stay plain types."""
    text = _inline_spec(version)
    pkg = spec_package(tmp_path_factory, "inline_constraints_" + version.replace(".", ""), text)
    schemas = _operation_schemas(text)
    client = served(pkg)
    url = str(client.base_url)
    for _ in range(4):
        _fits(schemas["list"], client.with_raw_response.mails.list_mails().http_response.json())
        raw = client.with_raw_response.mails.send_mails(body=["a@example.com", "b@example.com"])
        _fits(schemas["send"], raw.http_response.json())
    good = {"tags": ["ab", "cd"], "scores": ["1", "9"], "limit": "25", "ratio": "0.5"}
    assert httpx.get(f"{url}/mails", params=good).status_code == 200
    wrong_queries = [
        {"tags": ["ab"]},  # minItems
        {"tags": ["ab", "cd", "ef", "gh"]},  # maxItems
        {"tags": ["ab", "ab"]},  # uniqueItems
        {"tags": ["ab", "xb"]},  # the item pattern (a lookahead: Python's re)
        {"tags": ["ab", "TOOLONG"]},
        {"scores": ["0"]},  # item minimum
        {"limit": "51"},
        {"limit": "7"},  # multipleOf
        {"ratio": "1"},  # exclusiveMaximum
    ]
    for params in wrong_queries:
        assert httpx.get(f"{url}/mails", params=params).status_code == 422, params
    for body in (["a@example.com"], ["a@example.com", "a@example.com"]):
        assert httpx.post(f"{url}/mails", json=body).status_code == 422, body
    errors = importlib.import_module(f"{pkg.__name__}.errors")
    with pytest.raises(errors.RequestValidationError):
        client.mails.send_mails(body=["a@example.com"])
    assert client.mails.list_mails(tags=["ab", "cd"], limit=5)
    signature = inspect.signature(type(client.mails).list_mails)
    assert str(signature.parameters["tags"].annotation) == "list[str] | NotGiven"
    assert str(signature.parameters["limit"].annotation) == "int | NotGiven"
    shown = httpx.get(f"{url}/openapi.json").json()
    listing = shown["paths"]["/mails"]["get"]
    tags = next(p for p in listing["parameters"] if p["name"] == "tags")["schema"]
    tags = next((m for m in tags.get("anyOf", [tags]) if m.get("type") == "array"), tags)
    assert (tags["minItems"], tags["maxItems"], tags["uniqueItems"], tags["items"]["pattern"]) == (2, 3, True, "^(?!x)[a-z]{2,5}$")
    answer = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["minItems"] == 2 and answer["items"]["format"] == "email"


def test_inline_constraints_are_written_only_where_values_are_checked(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The constraints are in the rows the client validates with and in server.py's routes; the
    client's methods, the handlers' protocol and the docs keep the plain types."""
    text = _inline_spec("3.1.0")
    spec = tmp_path_factory.mktemp("inline_rows") / "rows.yaml"
    spec.write_text(text, encoding="utf-8")
    files = generate_files(spec, "rows")
    assert "Constraints(min_length=2, unique=True)" in files["_endpoints.py"]
    assert 'Constraints(pattern="^(?!x)[a-z]{2,5}$")' in files["server.py"]
    assert "Constraints" not in files["client.py"] and "Constraints" not in files["API.md"]
    assert "Constraints" not in files["README.md"]
    handlers = files["server.py"].split("class Handlers", 1)[1].split("\nOPERATIONS", 1)[0]
    assert "tags: list[str] | None" in handlers and "Constraints" not in handlers


# -- union variants extending two components -------------------------------------------------------

SHARED_BASE_SPEC = """
openapi: 3.1.0
info: {title: rules, version: "1"}
paths: {}
components:
  schemas:
    RuleCreation: {type: object, required: [type], properties: {type: {type: string, enum: [creation]}}}
    RuleUpdate:
      type: object
      required: [type]
      properties: {type: {type: string, enum: [update]}, parameters: {type: object}}
    RulesetInfo: {type: object, properties: {ruleset_id: {type: integer}}}
    RuleDetailed:
      title: Repository Rule
      type: object
      oneOf:
        - allOf: [{$ref: '#/components/schemas/RuleCreation'}, {$ref: '#/components/schemas/RulesetInfo'}]
        - allOf: [{$ref: '#/components/schemas/RuleUpdate'}, {$ref: '#/components/schemas/RulesetInfo'}]
"""


def test_union_variants_extending_a_shared_component_are_named_by_the_one_they_do_not_share(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """GitHub's ``repository-rule-detailed`` is a ``oneOf`` of 23 ``allOf: [{$ref: rule-X},
    {$ref: ruleset-info}]``: every variant extends two components, so none was named by the
    component it extends, and the library numbered them (``RepositoryRuleDetailed1`` ... ``23``).
    The component a variant extends that not every variant extends names it."""
    pkg = spec_package(tmp_path_factory, "shared_base", SHARED_BASE_SPEC)
    models = importlib.import_module(f"{pkg.__name__}.models")
    classes = _classes(models)
    assert {"RuleDetailedRuleCreation", "RuleDetailedRuleUpdate"} <= set(classes)
    assert not [n for n in classes if n[-1].isdigit()]
    rule = models.RuleDetailed.model_validate({"type": "update", "parameters": {}, "ruleset_id": 3})
    assert isinstance(rule.root, models.RuleDetailedRuleUpdate) and rule.root.ruleset_id == 3


UNWRAPPED_SPEC = """
openapi: 3.1.0
info: {title: unwrapped, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pets'}
components:
  schemas:
    Pets: {type: array, maxItems: 100, items: {type: string}}
"""


def test_constraints_are_imported_only_where_written(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A named array answered as its list (``Pets`` -> ``list[str]``) is checked by its class,
    whose ``maxItems`` the library writes: neither module imports ``Constraints`` for it (ruff
    refuses an unused import)."""
    spec = tmp_path_factory.mktemp("unwrapped") / "unwrapped.yaml"
    spec.write_text(UNWRAPPED_SPEC, encoding="utf-8")
    files = generate_files(spec, "unwrapped")
    assert "lambda: models.Pets, unwrap=True" in files["_endpoints.py"]
    assert "Constraints" not in files["_endpoints.py"] and "Annotated" not in files["_endpoints.py"]
    assert "Constraints" not in files["server.py"]
