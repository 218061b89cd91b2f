"""Server: mock mode serves real consumers (tests/data/server/streams.yaml). Event streams send
JSON data and named events (names from the schema of one event, from the spec's example, or
from its ``x-sse-events`` hint, else ``message``); ``Location`` and ``Content-Location`` name the member a request creates,
when a GET operation of the API reads it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from .test_server_generate import server_module
from .test_server_mock import parse_events

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return server_module(tmp_path_factory, "srv_streams")


@pytest.fixture()
async def mock(server: ModuleType) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def events(mock: httpx.AsyncClient, method: str, path: str) -> tuple[httpx.Response, list[tuple[str, Any]]]:
    """The response and its (event name, JSON-decoded data) pairs; every event has an id, a
    name and JSON data."""
    response = await mock.request(method, path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    parsed = parse_events(response.text)
    assert [e["id"] for e in parsed] == [str(n) for n in range(1, len(parsed) + 1)]
    return response, [(e["event"], json.loads(e["data"])) for e in parsed]


async def test_an_event_schema_names_the_events(mock: httpx.AsyncClient) -> None:
    _, named = await events(mock, "GET", "/named")
    assert [name for name, _ in named] == ["metadata", "values", "updates", "end"]
    assert named and all(isinstance(data["step"], int) and data["step"] >= 1 for _, data in named)


async def test_a_union_of_event_schemas_gives_each_event_its_data(mock: httpx.AsyncClient) -> None:
    _, union = await events(mock, "GET", "/union")
    assert [name for name, _ in union] == ["start", "stop", "start"]
    assert set(union[0][1]) == {"at"} and union[1][1] == {"reason": "done"}


async def test_an_example_in_sse_text_gives_the_events(mock: httpx.AsyncClient) -> None:
    _, example = await events(mock, "GET", "/example")
    assert example == [("ping", {"ok": True}), ("note", "plain words")]  # text sent as a JSON string


async def test_without_names_events_are_messages_of_the_data_schema(mock: httpx.AsyncClient) -> None:
    _, data = await events(mock, "GET", "/data")
    assert [name for name, _ in data] == ["message"] * 3
    assert data and all(uuid.UUID(d["job_id"]) and isinstance(d["name"], str) for _, d in data)
    _, text = await events(mock, "GET", "/text")  # a plain string schema: the stream's text
    assert text == [("message", {})] * 3


async def test_the_x_sse_events_hint_names_events_the_schema_does_not(mock: httpx.AsyncClient) -> None:
    """A media type's ``x-sse-events`` list names the events (cycling; non-strings ignored)."""
    _, hinted = await events(mock, "GET", "/hinted")
    assert [name for name, _ in hinted] == ["queued", "started", "done"]
    assert all(uuid.UUID(d["job_id"]) for _, d in hinted)
    _, text = await events(mock, "GET", "/hinted-text")
    assert text == [("ping", {})] * 3


async def test_location_names_the_created_member(mock: httpx.AsyncClient) -> None:
    created = await mock.post("/jobs")
    assert created.status_code == 201
    member = f"/jobs/{created.json()['job_id']}"
    assert created.headers["location"] == created.headers["content-location"] == member
    assert (await mock.get(member)).status_code == 200


async def test_the_location_of_a_stream_names_the_members_stream(mock: httpx.AsyncClient) -> None:
    response, _ = await events(mock, "POST", "/jobs/stream")
    job = re.fullmatch(r"/jobs/([^/]+)", response.headers["content-location"])
    assert job is not None and uuid.UUID(job[1])  # synthesized from the parameter's type
    assert response.headers["location"] == f"/jobs/{job[1]}/events"
    _, resumed = await events(mock, "GET", response.headers["location"])
    assert resumed


async def test_location_keeps_path_parameters_that_are_not_identifiers(mock: httpx.AsyncClient) -> None:
    created = await mock.post("/boards/17/pins")  # {board-id}: routed as board_id
    assert created.headers["location"] == f"/boards/17/pins/{created.json()['job_id']}"


async def test_without_a_member_to_read_location_is_the_request_path(mock: httpx.AsyncClient) -> None:
    created = await mock.post("/orphans")
    assert created.headers["location"] == "/orphans"
