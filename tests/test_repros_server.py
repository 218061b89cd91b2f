"""Repros on the server and mock side (issue 11): one spec of /work/shared/specs/repros per defect
class, generated with ``--lenient``, the named operation called through the generated client
against the package's own server (``create_app()``); and the mock under bad traffic (issue 19).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml
from oapigen.core.diagnostics import Severity
from oapigen.run.config import Job

from .conftest import SHARED_SPECS, serve_over_http
from .conftest_client import generate_files, install

REPROS = SHARED_SPECS / "repros"
pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``packages("02-mock-pattern-500.yaml")``: that repro's generated package."""

    def get(spec: str) -> ModuleType:
        package = "repro_" + re.sub(r"\W", "_", spec.removesuffix(".yaml"))
        return install(tmp_path_factory, package, generate_files(REPROS / spec, package, lenient=True))

    return get


@contextlib.asynccontextmanager
async def client_of(pkg: ModuleType, app: Any = None) -> AsyncIterator[Any]:
    """The package's AsyncClient talking to ``app`` (default: its own mock, ``create_app()``)."""
    server = importlib.import_module(f"{pkg.__name__}.server")
    transport = httpx.ASGITransport(app=app if app is not None else server.create_app())
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
        pkg.AsyncClient(base_url="http://test", http_client=http, max_retries=0) as client,
    ):
        yield client


async def test_repro_02_mock_pattern(packages: Any) -> None:
    async with client_of(packages("02-mock-pattern-500.yaml")) as client:
        for ticket_id in ("t1", "t2", "t3"):
            ticket = await client.tickets.get_ticket(ticket_id)
            assert re.fullmatch(r"TK[0-9]{4}", ticket.code)


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]+")


async def test_repro_04_mock_format_email(packages: Any) -> None:
    pkg = packages("04-mock-format-email.yaml")
    # The model keeps the spec's format (a plain str, but documented as an e-mail address).
    assert pkg.models.GetMemberResponse.model_json_schema()["properties"]["login"]["format"] == "email"
    async with client_of(pkg) as client:
        for member in ("m1", "m2", "m3"):
            assert EMAIL.fullmatch((await client.members.get_member(member)).login)


async def test_repro_05_mock_star_content_type(packages: Any) -> None:
    async with client_of(packages("05-mock-star-content-type.yaml")) as client:
        raw = await client.with_raw_response.relay.relay_get("x")
        media_type = raw.headers["content-type"].split(";")[0]
        assert media_type == "application/octet-stream"
        assert isinstance(raw.parse(), bytes | str)


async def test_repro_08_mock_echo_nested_null(packages: Any) -> None:
    async with client_of(packages("08-mock-echo-nested-null.yaml")) as client:
        raw = await client.with_raw_response.notes.create_note(body={"style": {"color": None}})
        answer = raw.http_response.json()
        assert raw.status_code == 201
        # The response schema's color is a string, not nullable: never null, at any depth.
        assert answer.get("style", {}).get("color", "") is not None
        raw = await client.with_raw_response.notes.create_note(body={"style": {"color": "red"}})
        assert raw.http_response.json()["style"] == {"color": "red"}  # echoed when it fits


async def test_repro_09_mock_writeonly_in_response(packages: Any) -> None:
    async with client_of(packages("09-mock-writeonly-in-response.yaml")) as client:
        raw = await client.with_raw_response.logins.create_login(body={"user": "u", "secret": "hunter2"})
        answer = raw.http_response.json()
        assert answer["user"] == "u"  # echoed
        assert "secret" not in answer  # writeOnly: never in an answer


async def test_repro_12_error_body_shape(packages: Any) -> None:
    pkg = packages("12-error-body-shape.yaml")
    server = importlib.import_module(f"{pkg.__name__}.server")
    transport = httpx.ASGITransport(app=server.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        raw = await http.get("/orders", params={"limit": "many"})  # what the client cannot send
    assert raw.status_code == 422
    error = pkg.models.ListOrdersResponseDefault.model_validate_json(raw.content).error
    assert error.kind == "invalid_request"
    assert "limit" in error.message


async def test_repro_13_query_array_explode_false(packages: Any) -> None:
    pkg = packages("13-query-array-explode-false.yaml")
    server = importlib.import_module(f"{pkg.__name__}.server")
    seen: dict[str, Any] = {}

    class Recording(server.Handlers):  # type: ignore[misc,name-defined]
        async def list_events(self, **arguments: Any) -> list[str]:
            seen.update(arguments)
            return ["ok"]

    async with client_of(pkg) as client:
        assert isinstance(await client.events.list_events(kinds=["created", "deleted"]), list)
    async with client_of(pkg, server.create_app(Recording())) as client:
        await client.events.list_events(kinds=["created", "deleted"], tags=["a", "b"], sizes=[1, 2])
    assert seen == {"kinds": ["created", "deleted"], "tags": ["a", "b"], "sizes": [1, 2]}


async def test_repro_10_path_param_encoded_slash(packages: Any) -> None:
    pkg = packages("10-path-param-encoded-slash.yaml")
    server = importlib.import_module(f"{pkg.__name__}.server")
    seen: list[tuple[str, dict[str, Any]]] = []

    class Recording(server.Handlers):  # type: ignore[misc,name-defined]
        async def get_note(self, **arguments: Any) -> Any:
            seen.append(("get_note", arguments))
            return {"key": arguments["key"], "text": "t"}

        async def get_revision(self, **arguments: Any) -> Any:
            seen.append(("get_revision", arguments))
            return {"number": 1}

    async with client_of(pkg) as client:
        assert (await client.notes.get_note("a/b")).key == "a/b"  # the mock echoes the key
    async with client_of(pkg, server.create_app(Recording())) as client:
        await client.notes.get_note("a/b")
        await client.notes.get_note("100%/x%2Fy")
        await client.notes.get_revision("a/b", "2")
    assert seen == [
        ("get_note", {"key": "a/b"}),
        ("get_note", {"key": "100%/x%2Fy"}),
        ("get_revision", {"key": "a/b", "rev": "2"}),
    ]
    # The same over a real server (uvicorn's scope: raw_path as sent).
    with serve_over_http(server.create_app(Recording())) as url:
        async with pkg.AsyncClient(base_url=url, max_retries=0) as client:
            assert (await client.notes.get_note("c/d")).key == "c/d"


async def test_repro_06_path_with_fragment(
    packages: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from oapigen.run.pipeline import generate

    spec = REPROS / "06-path-with-fragment.yaml"
    done = generate(Job(spec=spec, output=Path("unused"), package="fragments", lenient=True))
    warnings = [(d.pointer, d.message) for d in done.diagnostics if d.severity is Severity.WARNING]
    assert warnings == [
        (
            "/paths/~1lookups#bundles/get",
            "GET '/lookups#bundles' and GET '/lookups' (/paths/~1lookups/get) are one URL: a #fragment"
            " is never sent; the server routes GET '/lookups' to 'lookupDoc', declared first",
        )
    ]
    async with client_of(packages("06-path-with-fragment.yaml")) as client:
        assert (await client.lookups.lookup_doc()).kind == "doc"  # declared first: answers /lookups
    # Without the other operation on that URL, the fragment's operation answers at /lookups.
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    del document["paths"]["/lookups"]
    alone = tmp_path / "fragment-alone.yaml"
    alone.write_text(yaml.safe_dump(document), encoding="utf-8")
    pkg = install(tmp_path_factory, "repro_06_alone", generate_files(alone, "repro_06_alone", lenient=True))
    async with client_of(pkg) as client:
        bundle = await client.lookups.lookup_bundle()
        assert bundle.kind == "bundle" and isinstance(bundle.count, int)


# -- the mock under bad traffic (issue 19) ------------------------------------------------------

_THING = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "metadata": {"type": "object", "additionalProperties": True}},
}


def _robust_spec(depth: int) -> dict[str, Any]:
    """POST /things echoing a free-form ``metadata``; GET /deep answering a chain of ``depth``
    nested models, each required."""
    chain = {
        f"Level{i}": {
            "type": "object",
            "required": ["name", "next"] if i + 1 < depth else ["name"],
            "properties": {
                "name": {"type": "string"},
                **({"next": {"$ref": f"#/components/schemas/Level{i + 1}"}} if i + 1 < depth else {}),
            },
        }
        for i in range(depth)
    }
    created = {"description": "the thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Robust", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "tags": ["things"],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"201": created},
                }
            },
            "/deep": {
                "get": {
                    "operationId": "getDeep",
                    "tags": ["deep"],
                    "responses": {"200": {"description": "deep", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Level0"}}}}},
                }
            },
        },
        "components": {"schemas": {"Thing": _THING, **chain}},
    }


@pytest.fixture(scope="module")
def robust(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = tmp_path_factory.mktemp("robust") / "robust.json"
    spec.write_text(json.dumps(_robust_spec(60)), encoding="utf-8")
    return install(tmp_path_factory, "repro_robust", generate_files(spec, "repro_robust"))


@contextlib.asynccontextmanager
async def http_of(pkg: ModuleType) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = importlib.import_module(f"{pkg.__name__}.server").create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield app, http


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


async def test_mock_echo_of_bad_metadata_is_never_a_500(robust: ModuleType) -> None:
    bodies = [
        '{"name": "n", "metadata": {"k": "\\ud800"}}',  # a lone surrogate: JSON, but no UTF-8
        '{"name": "\\udfff", "metadata": {}}',
        '{"name": "n", "metadata": ' + _nested(300) + "}",  # deeper than pydantic encodes
        '{"name": "n", "metadata": ' + _nested(5000) + "}",  # deeper than Python's json reads
    ]
    async with http_of(robust) as (_, http):
        for body in bodies:
            answer = await http.post("/things", content=body, headers={"content-type": "application/json"})
            assert answer.status_code < 500, (body[:60], answer.text[:200])
            if answer.status_code == 201:
                thing = robust.models.Thing.model_validate_json(answer.content)
                assert "\ud800" not in json.dumps(thing.model_dump())
        fine = await http.post("/things", json={"name": "n", "metadata": {"k": "v"}})
        assert fine.status_code == 201 and fine.json()["metadata"] == {"k": "v"}  # still echoed


async def test_mock_answers_a_chain_of_60_nested_models(robust: ModuleType) -> None:
    async with client_of(robust) as client:
        level = await client.deep.get_deep()
        for _ in range(59):
            level = level.next
        assert type(level).__name__ == "Level59"


async def test_mock_answer_cache_is_capped_by_bytes(robust: ModuleType) -> None:
    runtime = importlib.import_module(f"{robust.__name__}._server_runtime")
    big = "x" * 100_000
    async with http_of(robust) as (app, http):
        for i in range(400):  # 400 distinct answers of ~100 kB: 40 MB if all were kept
            answer = await http.post("/things", json={"name": f"n{i}", "metadata": {"k": big}})
            assert answer.status_code == 201
        kept = app.state.server.answers
        assert 0 < sum(len(a.body or b"") for a in kept.values()) <= runtime._REMEMBERED_BYTES
        again = await http.post("/things", json={"name": "n399", "metadata": {"k": big}})
        assert again.content == answer.content  # the same request, the same answer


@pytest.mark.parametrize(
    "pattern",
    [
        r"^TK[0-9]{4}$",
        r"^[A-Z]{2}-\d{3,5}$",
        r"^(foo|bar)_[a-z]+$",
        r"^\w+@\w+\.com$",
        r"^[^\s,]{8,}$",
        r"^#?[0-9a-fA-F]{6}$",
        r"^(\d{1,3}\.){3}\d{1,3}$",
        r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z]{2,}$",
        r"^sk_(live|test)_[A-Za-z0-9]{24}$",
        r"^\+?[1-9]\d{1,14}$",
    ],
)
def test_mock_strings_match_patterns(robust: ModuleType, pattern: str) -> None:
    from typing import Annotated

    from pydantic import StringConstraints

    mock = importlib.import_module(f"{robust.__name__}._server_mock")
    tp = Annotated[str, StringConstraints(pattern=pattern)]
    for seed in range(5):
        assert re.search(pattern, mock.value(tp, seed, example=(False, None), echo={}))



@pytest.mark.parametrize(("pattern", "low", "high"), [(r"^[a-z]+$", 20, 24), (r"^[a-z0-9]{2,}-[0-9]+$", 12, 12), (r"^x+$", 0, 2)])
def test_mock_strings_match_patterns_and_lengths(robust: ModuleType, pattern: str, low: int, high: int) -> None:
    from typing import Annotated

    from pydantic import StringConstraints

    mock = importlib.import_module(f"{robust.__name__}._server_mock")
    tp = Annotated[str, StringConstraints(pattern=pattern, min_length=low, max_length=high)]
    for seed in range(5):
        text = mock.value(tp, seed, example=(False, None), echo={})
        assert re.search(pattern, text) and low <= len(text) <= high


async def test_lists_sent_as_one_value_are_split_in_every_location(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Repro 13's class beyond the query's form style: pipeDelimited and spaceDelimited query
    lists, a cookie list not exploded, a header list (always one comma-separated value)."""
    strings = {"type": "array", "items": {"type": "string"}}
    parameters = [
        {"name": "pipes", "in": "query", "style": "pipeDelimited", "explode": False, "schema": strings},
        {"name": "spaces", "in": "query", "style": "spaceDelimited", "explode": False, "schema": strings},
        {"name": "crumbs", "in": "cookie", "explode": False, "schema": strings},
        {"name": "X-Tags", "in": "header", "schema": strings},
    ]
    spec = tmp_path_factory.mktemp("lists") / "lists.json"
    spec.write_text(json.dumps({
        "openapi": "3.0.3",
        "info": {"title": "Lists", "version": "1"},
        "paths": {"/items": {"get": {
            "operationId": "listItems", "tags": ["items"], "parameters": parameters,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": strings}}}},
        }}},
    }), encoding="utf-8")
    pkg = install(tmp_path_factory, "repro_lists", generate_files(spec, "repro_lists"))
    server = importlib.import_module(f"{pkg.__name__}.server")
    seen: dict[str, Any] = {}

    class Recording(server.Handlers):  # type: ignore[misc,name-defined]
        async def list_items(self, **arguments: Any) -> list[str]:
            seen.update(arguments)
            return []

    lists = {"pipes": ["a", "b c"], "spaces": ["d", "e"], "crumbs": ["f,", "g h"], "x_tags": ["i", "j"]}
    async with client_of(pkg, server.create_app(Recording())) as client:
        await client.items.list_items(**lists)
    assert seen == lists
    transport = httpx.ASGITransport(app=server.create_app(Recording()))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await http.get("/items", headers=[("X-Tags", "k, l"), ("X-Tags", "m")])
    assert seen["x_tags"] == ["k", "l", "m"]
