"""Server: mock mode on the seed spec. Every operation answers a status it declares, with a body
that validates against the declared model; streaming operations stream events."""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from oapigen.ir.model import Api, BodyKind, Operation, ParamLocation
from pydantic import TypeAdapter

from .test_server_generate import generated, server_module

PACKAGE = "srv_agent_server"
pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return server_module(tmp_path_factory, PACKAGE)


@pytest.fixture(scope="module")
def api() -> Api:
    return generated(PACKAGE).api


@pytest.fixture()
async def client(server: ModuleType) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _wire(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def valid_request(server: ModuleType, op: Operation, seed: int = 1) -> dict[str, Any]:
    """httpx request arguments for ``op`` with its required parameters and body, synthesized by
    the generated mock from the same types the route validates against."""
    mock = importlib.import_module(f"{server.__package__}._server_mock")
    # the module of the operation's route: server.py, or its group's routers/<group>.py
    route = next(r for r in server.router.routes if getattr(r, "name", None) == op.handler_name)
    namespace = vars(importlib.import_module(route.endpoint.__module__))

    def sample(annotation: str) -> Any:
        tp = eval(annotation, namespace)  # an annotation the generated route itself uses
        return TypeAdapter(tp).dump_python(
            mock.value(tp, seed, example=(False, None), echo={}), mode="json", by_alias=True, exclude_unset=True
        )

    path, params, headers = op.path, [], {}
    for p in op.parameters:
        if not p.required or (p.location is ParamLocation.HEADER and p.name.lower() == "accept"):
            continue
        value = sample(p.type.annotation("models."))
        if p.location is ParamLocation.PATH:
            path = path.replace("{" + p.name + "}", _wire(value))
        elif p.location is ParamLocation.QUERY:
            params.extend((p.name, _wire(v)) for v in (value if isinstance(value, list) else [value]))
        elif p.location is ParamLocation.HEADER:
            headers[p.name] = _wire(value)
    request: dict[str, Any] = {"method": op.method.value, "url": path, "params": params, "headers": headers}
    if op.request_body is not None and op.request_body.preferred.kind is BodyKind.JSON:
        request["json"] = sample(op.request_body.preferred.type.annotation("models."))
    return request


def parse_events(text: str) -> list[dict[str, str]]:
    events = []
    for block in re.split(r"\r\n\r\n|\n\n|\r\r", text.strip()):
        fields: dict[str, str] = {}
        for line in re.split(r"\r\n|\n|\r", block):
            name, _, value = line.partition(":")
            fields[name] = fields.get(name, "") + ("\n" if name in fields else "") + value.removeprefix(" ")
        events.append(fields)
    return events


def assert_declared(server: ModuleType, op: Operation, response: httpx.Response) -> None:
    """The status is one ``op`` declares; the body fits the declared type of that status."""
    endpoint = server.OPERATIONS[op.handler_name]
    declared = endpoint.declared(response.status_code)
    assert declared is not None, f"{op.method.value} {op.path}: undeclared {response.status_code} {response.text[:300]}"
    if not declared.contents:
        assert response.content == b""
        return
    media_type = response.headers["content-type"].split(";")[0]
    content = declared.content(media_type)
    assert content is not None, f"{op.path}: {media_type} is not declared"
    if content.kind == "json":
        TypeAdapter(content.type).validate_json(response.content)
    elif content.kind == "event_stream":
        events = parse_events(response.text)
        assert events and all("data" in e for e in events), response.text
        for event in events:
            TypeAdapter(content.type).validate_python(event["data"])


async def test_openapi_lists_every_operation(client: httpx.AsyncClient, api: Api) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    served = {
        (path, method.upper()): operation["operationId"]
        for path, item in response.json()["paths"].items()
        for method, operation in item.items()
    }
    assert served == {(op.path, op.method.value): op.operation_id for op in api.operations}
    assert len(served) == 59


async def test_every_operation_answers_from_the_spec(server: ModuleType, api: Api, client: httpx.AsyncClient) -> None:
    for op in api.operations:
        response = await client.request(**valid_request(server, op))
        assert response.status_code < 500, f"{op.method.value} {op.path}: {response.text}"
        assert_declared(server, op, response)
        if op.success is not None:
            assert str(response.status_code) == op.success.status, f"{op.path}: {response.text[:300]}"


async def test_answers_fit_the_spec_not_only_the_models(server: ModuleType, api: Api, client: httpx.AsyncClient) -> None:
    """Each JSON answer validates against the SPEC's schema (the overlaid document, with
    jsonschema-rs), not only against the generated models: those accept null for optional
    fields where the spec does not, so a mock sending null for a field it leaves unset would pass
    a check against its own types."""
    import jsonschema_rs
    from oapigen.spec.load import load_spec
    from oapigen.spec.overlay import apply_overlay

    from .test_server_generate import SEED, SEED_OVERLAY

    document = apply_overlay(load_spec(SEED).document, SEED_OVERLAY)
    checked: list[str] = []
    for op in api.operations:
        response = await client.request(**valid_request(server, op))
        declared = document["paths"][op.path][op.method.value.lower()]["responses"][str(response.status_code)]
        if response.headers.get("content-type", "").split(";")[0] != "application/json":
            continue
        schema = declared["content"]["application/json"]["schema"]
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(response.json())]
        assert not errors, f"{op.method.value} {op.path}: {errors[:5]}"
        checked.append(op.operation_id)
    assert len(checked) == 50  # every operation answering JSON (59 with the overlay)


async def test_streaming_operations_stream_events(server: ModuleType, api: Api, client: httpx.AsyncClient) -> None:
    streaming = [op for op in api.operations if op.streams]
    assert len(streaming) == 4
    for op in streaming:
        response = await client.request(**valid_request(server, op))
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_events(response.text)
        assert [e["id"] for e in events] == ["1", "2", "3"]
        request = valid_request(server, op)
        request["headers"]["Last-Event-ID"] = "2"
        resumed = await client.request(**request)
        assert [e["id"] for e in parse_events(resumed.text)] == ["3"]


async def test_answers_are_deterministic_per_request(client: httpx.AsyncClient) -> None:
    first, second = (uuid.UUID(int=n) for n in (1, 2))
    one = (await client.get(f"/threads/{first}")).json()
    assert one == (await client.get(f"/threads/{first}")).json()
    assert one != (await client.get(f"/threads/{second}")).json()


async def test_answers_differ_beyond_the_echo(client: httpx.AsyncClient) -> None:
    """The path and the query (in any order) make the answer, not only the echoed fields: a
    run of another thread has another run_id, a listing of another page other runs."""
    first, second = (uuid.UUID(int=n) for n in (1, 2))
    body = {"assistant_id": "agent"}
    one = (await client.post(f"/threads/{first}/runs", json=body)).json()
    assert one["run_id"] != (await client.post(f"/threads/{second}/runs", json=body)).json()["run_id"]
    page = (await client.get(f"/threads/{first}/runs?limit=5&offset=1")).json()
    assert page == (await client.get(f"/threads/{first}/runs?offset=1&limit=5")).json()
    assert page != (await client.get(f"/threads/{first}/runs?limit=5&offset=2")).json()


async def test_answers_echo_the_request(client: httpx.AsyncClient) -> None:
    thread_id = str(uuid.uuid4())
    assert (await client.get(f"/threads/{thread_id}")).json()["thread_id"] == thread_id
    created = await client.post("/threads", json={"metadata": {"owner": "me"}})
    assert created.json()["metadata"] == {"owner": "me"}
    run = await client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "agent"})
    assert run.status_code == 200
    assert run.json()["thread_id"] == thread_id
    uuid.UUID(run.json()["assistant_id"])  # a graph name does not fit Run.assistant_id: not echoed


async def test_declared_headers_are_sent(client: httpx.AsyncClient) -> None:
    thread_id = str(uuid.uuid4())
    run = await client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "agent"})
    # the run's URL: thread_id from the request's path, run_id from the answer
    assert run.headers["content-location"] == f"/threads/{thread_id}/runs/{run.json()['run_id']}"
    assert (await client.get(run.headers["content-location"])).status_code == 200
    stream = await client.post(f"/threads/{thread_id}/runs/stream", json={"assistant_id": "agent"})
    run_id = stream.headers["content-location"].removeprefix(f"/threads/{thread_id}/runs/")
    uuid.UUID(run_id)  # no run in a stream's answer: an id synthesized from the parameter's type


async def test_invalid_requests_get_422_with_details(client: httpx.AsyncClient) -> None:
    bad_uuid = await client.get("/threads/not-a-uuid")
    assert bad_uuid.status_code == 422
    # The seed declares 422 as ErrorResponse, {"detail": "<message>"}: the details become one message.
    assert "thread_id" in bad_uuid.json()["detail"] and "UUID" in bad_uuid.json()["detail"]
    bad_body = await client.post("/threads/search", json={"limit": "many"})
    assert bad_body.status_code == 422
    assert "body.limit" in bad_body.json()["detail"]
    not_json = await client.post("/threads", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 422


async def test_errors_declared_as_a_string_are_bare_messages(tmp_path_factory: pytest.TempPathFactory) -> None:
    server = server_module(tmp_path_factory, "srv_string_errors")

    class Failing(server.Handlers):  # type: ignore[name-defined,misc]
        async def get_thing(self, **arguments: Any) -> Any:
            raise RuntimeError("boom")

    cases = ((server.create_app(), "/things/not-a-uuid", 422, "thing_id"),
             (server.create_app(Failing()), f"/things/{uuid.uuid4()}", 500, "Internal Server Error"))
    for app, path, status, message in cases:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answer = await client.get(path)
        assert answer.status_code == status and isinstance(answer.json(), str), answer.text
        assert message in answer.json()
