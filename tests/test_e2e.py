"""End to end: for every operation of the seed, the generated client calls the generated server
in mock mode and gets a valid typed result: in process (ASGI, async client) and over real HTTP
(uvicorn on 127.0.0.1, sync client). Streams are read event by event."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Literal

import httpx
import pytest
from oapigen.ir.model import Api, Operation, ParamLocation

from .conftest import serve_over_http
from .conftest_client import install


@pytest.fixture(scope="module")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Api]:
    _, result = generated_packages["agent_server"]
    return install(tmp_path_factory, "agent_server", result.files), result.api


def _type(annotation: str, package: ModuleType) -> Any:
    namespace = {"models": package.models, "UUID": uuid.UUID, "Any": Any, "Literal": Literal, **vars(datetime)}
    return eval(annotation, namespace)  # annotations come from the IR of our own spec


def call_arguments(op: Operation, package: ModuleType) -> tuple[list[Any], dict[str, Any]]:
    """Valid arguments for ``op``: positional path parameters, required keyword arguments."""
    mock = importlib.import_module(f"{package.__name__}._server_mock")
    seed_value = sum(map(ord, op.handler_name))

    def sample(annotation: str) -> Any:
        return mock.value(_type(annotation, package), seed_value, example=(False, None), echo={})

    args = [sample(p.type.annotation("models.")) for p in op.parameters_in(ParamLocation.PATH)]
    kwargs = {
        p.python_name: sample(p.type.annotation("models."))
        for p in op.parameters
        if p.required and p.location is not ParamLocation.PATH
    }
    if op.request_body is not None and op.request_body.required:
        kwargs["body"] = sample(op.request_body.preferred.type.annotation("models."))
    return args, kwargs


def method_of(client: Any, op: Operation) -> Any:
    owner = getattr(client, op.group) if op.group else client
    return getattr(owner, op.python_name)


def check_result(op: Operation, result: Any, package: ModuleType) -> None:
    ok = op.success
    body = ok.preferred if ok is not None else None
    if body is None:
        assert result is None, op.python_path
        return
    from pydantic import TypeAdapter

    if op.pagination is not None:  # a page of the body's items: the body is checked
        assert isinstance(result, package.SyncPage | package.AsyncPage), (op.python_path, type(result))
        result = result.body
    expected = _type((body.unwrapped or body.type).annotation("models."), package)  # a plain array or map: its list or dict
    # The client already returns typed values: validating again must give the same value.
    assert TypeAdapter(expected).validate_python(result) == result, op.python_path
    if isinstance(expected, type) and expected is not Any:
        assert isinstance(result, expected), (op.python_path, type(result))


SEED_OPERATIONS = 59


def test_every_operation_in_process(seed: tuple[ModuleType, Api]) -> None:
    package, api = seed
    server = importlib.import_module(f"{package.__name__}.server")
    assert len(api.operations) == SEED_OPERATIONS

    async def main() -> int:
        called = 0
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()))
        async with package.AsyncClient(base_url="http://test", http_client=http, max_retries=0) as client:
            for op in api.operations:
                args, kwargs = call_arguments(op, package)
                if op.success is None:  # e.g. GET /mcp/ declares only a 405: the client raises it
                    with pytest.raises(package.ApiError) as raised:
                        await method_of(client, op)(*args, **kwargs)
                    assert str(raised.value.status_code) in {r.status for r in op.responses}
                elif op.streams:
                    events = [e async for e in method_of(client, op)(*args, **kwargs)]
                    assert events and all(isinstance(e, package.ServerSentEvent) for e in events), op.python_path
                else:
                    check_result(op, await method_of(client, op)(*args, **kwargs), package)
                called += 1
        await http.aclose()
        return called

    assert asyncio.run(main()) == SEED_OPERATIONS


@pytest.fixture(scope="module")
def http_server(seed: tuple[ModuleType, Api]) -> Iterator[str]:
    package, _ = seed
    server = importlib.import_module(f"{package.__name__}.server")
    with serve_over_http(server.create_app()) as url:
        yield url


def test_every_operation_over_real_http(seed: tuple[ModuleType, Api], http_server: str) -> None:
    package, api = seed
    called = 0
    with package.Client(base_url=http_server, timeout=10.0, max_retries=0) as client:
        for op in api.operations:
            args, kwargs = call_arguments(op, package)
            if op.success is None:
                with pytest.raises(package.ApiError) as raised:
                    method_of(client, op)(*args, **kwargs)
                assert str(raised.value.status_code) in {r.status for r in op.responses}
            elif op.streams:
                with method_of(client, op)(*args, **kwargs) as stream:
                    events = list(stream)
                assert events and all(e.data is not None for e in events), op.python_path
            else:
                check_result(op, method_of(client, op)(*args, **kwargs), package)
            called += 1
    assert called == SEED_OPERATIONS
