"""The mock answers what its own spec allows (issue 11, found by a new-user trial on Discord's
public spec): each repro spec of tests/data/mock/ generated, its client calling its own mock
server over HTTP, and every answer checked against the spec's own response schema with
jsonschema (2020-12: ``oneOf`` means exactly one), besides the typed result.

* an ``enum`` beside ``allOf: [$ref]`` whose target is 3.1's titled enum (a ``oneOf`` of
  ``const`` branches): the models typed the property as the whole referenced enum;
* optional properties that may not be null, in the answers the mock dumps itself (the pages of
  a paginated list, the data of server-sent events): a plain dump wrote them as null;
* ``uniqueItems``: the models left it out, so the mock answered repeated items; and what
  pydantic writes beside an optional field's ``anyOf`` (``uniqueItems``, a kept ``format``)
  was not applied to the field's value;
* ``allOf`` of one inline member beside annotations: the models lost the member's constraints.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jsonschema
import pydantic
import pytest
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from .conftest_client import generate_files, install

DATA = Path(__file__).parent / "data" / "mock"
SEEDS = 12  # requests per operation, each with its own path (the mock's seed)
_FORMATS = jsonschema.FormatChecker()  # e-mail addresses among them


def _package(tmp_path_factory: pytest.TempPathFactory, stem: str) -> tuple[ModuleType, dict[str, Any]]:
    """The package generated from ``data/mock/<stem>.yaml``, and the spec as data."""
    spec = DATA / f"{stem}.yaml"
    pkg = install(tmp_path_factory, "mock_" + stem, generate_files(spec, "mock_" + stem))
    return pkg, yaml.safe_load(spec.read_text(encoding="utf-8"))


def _checked(document: dict[str, Any], pointer: str, value: Any) -> list[str]:
    """What in ``value`` the schema at ``pointer`` in the spec forbids (formats checked)."""
    registry = referencing.Registry().with_resource(
        "urn:spec", referencing.Resource.from_contents(document, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:spec#{pointer}"}
    validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=_FORMATS)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(value)]


def _violations(document: dict[str, Any], path: str, method: str, status: str, value: Any) -> list[str]:
    """What in ``value`` the spec's own schema for that JSON answer forbids."""
    pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}/responses/{status}"
    return _checked(document, f"{pointer}/content/application~1json/schema", value)


# -- an enum beside allOf: [$ref] to a oneOf of consts ----------------------------------------------


def test_an_enum_beside_allof_ref_to_a_const_union_narrows_the_model_and_the_mock(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """``type: {enum: [10, 11, 12], allOf: [{$ref: ChannelTypes}]}`` with ChannelTypes a
    ``oneOf`` of titled consts: the models typed ``type`` as the whole ChannelTypes (the mock
    answered 13 for a thread, the ``oneOf`` of a text channel and a thread matched neither or
    both); now each is an enum of its own values, the members named by the titles."""
    pkg, document = _package(tmp_path_factory, "narrowed_const_enums")
    models = pkg.models
    assert [(m.name, m.value) for m in models.ThreadType] == [
        ("ANNOUNCEMENT_THREAD", 10), ("PUBLIC_THREAD", 11), ("PRIVATE_THREAD", 12)]
    assert [m.value for m in models.TextChannelType] == [0, 2, 4, 15]
    assert [m.value for m in models.InstallParamsScope] == ["applications.commands", "bot"]
    with pytest.raises(pydantic.ValidationError):
        models.Thread.model_validate({"id": "1", "type": 0})
    with pytest.raises(pydantic.ValidationError):
        models.InstallParams.model_validate({"scopes": ["rpc"]})
    union = pydantic.TypeAdapter(models.TextChannel | models.Thread)
    assert type(union.validate_python({"id": "1", "type": 11})) is models.Thread
    assert type(union.validate_python({"id": "1", "type": 15})) is models.TextChannel

    client = served(pkg)
    kinds = set()
    for n in range(SEEDS):
        raw = client.with_raw_response.channels.get_channel(f"c{n}")
        answer = raw.http_response.json()
        assert not _violations(document, "/channels/{channel_id}", "get", "200", answer), answer
        kinds.add(type(raw.parse()))
        raw = client.with_raw_response.installs.get_install(f"i{n}")
        answer = raw.http_response.json()
        assert not _violations(document, "/installs/{install_id}", "get", "200", answer), answer
        assert set(raw.parse().scopes) <= {"applications.commands", "bot"}
    assert kinds == {models.TextChannel, models.Thread}


def test_a_oneof_told_apart_by_narrowed_enums_is_answered_under_exactly_one_member(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """Integrations of three kinds, told apart only by ``type: {enum: [...], allOf: [{$ref:
    IntegrationTypes}]}``; a subscription's required fields are a subset of the others'. With
    ``type`` typed as the whole IntegrationTypes, every discord or external integration the mock
    made fitted the subscription too (``oneOf`` needs exactly one), and a subscription typed
    ``twitch`` fitted none of the spec's members. Each answer now fits one member only, and the
    client reads each item as that member's class."""
    pkg, document = _package(tmp_path_factory, "narrowed_const_enums")
    models = pkg.models
    members = {"discord": models.DiscordIntegration, "twitch": models.ExternalIntegration,
               "youtube": models.ExternalIntegration, "guild_subscription": models.SubscriptionIntegration}
    client = served(pkg)
    seen = set()
    for n in range(SEEDS):
        raw = client.with_raw_response.integrations.list_integrations(extra_query={"n": str(n)})
        answer = raw.http_response.json()
        assert not _violations(document, "/integrations", "get", "200", answer), answer
        for item, parsed in zip(answer, raw.parse(), strict=True):
            assert type(parsed) is members[item["type"]], item
            seen.add(type(parsed))
    assert seen == set(members.values())


# -- unset optional fields in mock pages and events --------------------------------------------------


def _event_data(text: str) -> list[Any]:
    """The JSON data of each event of a text/event-stream body."""
    return [json.loads(line[len("data:"):]) for line in text.splitlines() if line.startswith("data:")]


def test_mock_pages_and_events_leave_unset_optional_fields_out(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """The mock made a page (and each event's data) by dumping a value it had validated: every
    optional field it had left out was written as null, which the spec forbids (``title: {type:
    string}``); the client's models read the nulls, so only the wire showed it (Discord's
    GET /channels/{channel_id}/messages, the seed's POST /threads/search). Now the fields the
    value was not given stay out, as in every answer the server sends."""
    pkg, document = _package(tmp_path_factory, "unset_optional_fields")
    client = served(pkg)
    url = str(client.base_url).rstrip("/")
    checked = 0
    for offset in range(0, 25, 5):
        answer = httpx.get(f"{url}/notes", params={"offset": offset}).json()
        assert not _violations(document, "/notes", "get", "200", answer), answer
        checked += len(answer)
    token: str | None = ""
    while token is not None:
        answer = httpx.get(f"{url}/pages", params={"pageToken": token} if token else {}).json()
        assert not _violations(document, "/pages", "get", "200", answer), answer
        checked += len(answer["items"])
        token = answer.get("nextPageToken")
    for path in ("/events", "/named-events"):
        for data in _event_data(httpx.get(f"{url}{path}").text):
            assert not _checked(document, "/components/schemas/Note", data), (path, data)
            checked += 1
    assert checked >= 56  # 25 notes twice, at least three events a stream
    notes = list(client.notes.list_notes())
    assert len(notes) == 25
    assert all(None not in n.model_dump(exclude_unset=True).values() for n in notes)


# -- uniqueItems ----------------------------------------------------------------------------------


def test_the_mock_answers_distinct_items_where_the_spec_says_unique_items(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """``uniqueItems: true`` on arrays whose items can repeat (four enum values, three of them
    wanted; booleans; integers 0..4): the models left the keyword out of their JSON schemas
    (the mock's source), so the mock answered ``["read", "admin", "read"]``. The models keep it
    (``json_schema_extra``, shown in /openapi.json) and the mock makes distinct items, also for
    an optional field, where pydantic writes the keyword beside ``anyOf: [array, null]`` (and a
    kept ``format: email``: the mock answered ``golf-940``)."""
    pkg, document = _package(tmp_path_factory, "unique_items")
    client = served(pkg)
    optional = 0
    for n in range(SEEDS):
        raw = client.with_raw_response.labels.get_label(f"l{n}")
        answer = raw.http_response.json()
        assert not _violations(document, "/labels/{label_id}", "get", "200", answer), answer
        assert len(set(raw.parse().scopes)) == 3
        optional += "tags" in answer and "contact" in answer
        answer = client.with_raw_response.labels.get_codes(f"c{n}").http_response.json()
        assert not _violations(document, "/codes/{code_id}", "get", "200", answer), answer
    assert optional >= SEEDS // 2  # the optional fields are in most answers
    shown = httpx.get(str(client.base_url).rstrip("/") + "/openapi.json").json()["components"]["schemas"]
    assert shown["Label"]["properties"]["scopes"]["uniqueItems"] is True
    assert shown["Label"]["properties"]["tags"]["uniqueItems"] is True


# -- allOf of one inline member ---------------------------------------------------------------------


def test_an_allof_of_one_inline_member_keeps_its_constraints(
    tmp_path_factory: pytest.TempPathFactory, served: Any
) -> None:
    """``labels: {allOf: [{type: array, minItems: 2}, {nullable: false}]}`` (Box's ``tags``):
    the library wrote the member as a RootModel class without ``minItems`` (or ``minLength``,
    ``minimum``...), so the client took ``[]`` and the mock answered one label. The member's
    keywords are now the property's own: the models check them and the mock meets them."""
    pkg, document = _package(tmp_path_factory, "all_of_one_member")
    item = pkg.models.Item
    good = {"labels": ["a", "b"], "code": "c" * 12, "size": 1000}
    for bad in ({"labels": ["a"]}, {"code": "short"}, {"size": 5}, {"tags": []}):
        with pytest.raises(pydantic.ValidationError):
            item.model_validate({**good, **bad})
    assert item.model_validate(good).labels == ["a", "b"]  # a list, no class of its own
    assert item.model_validate({**good, "size": None}).size is None  # nullable beside the allOf
    client = served(pkg)
    for n in range(SEEDS):
        raw = client.with_raw_response.items.get_item(f"i{n}")
        answer = raw.http_response.json()
        assert not _violations(document, "/items/{item_id}", "get", "200", answer), answer
        assert len(raw.parse().labels) >= 2
