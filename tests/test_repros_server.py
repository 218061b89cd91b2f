"""Repros on the server and mock side (issue 11): one spec of /work/shared/specs/repros per defect
class, generated with ``--lenient``, the named operation called through the generated client
against the package's own server (``create_app()``); and the mock under bad traffic (issue 19).
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pytest

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
    http = httpx.AsyncClient(transport=transport, base_url="http://test")
    async with pkg.AsyncClient(base_url="http://test", http_client=http, max_retries=0) as client:
        yield client


async def test_repro_02_mock_pattern(packages: Any) -> None:
    async with client_of(packages("02-mock-pattern-500.yaml")) as client:
        for ticket in ("t1", "t2", "t3"):
            ticket = await client.tickets.get_ticket(ticket)
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
