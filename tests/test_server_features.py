"""Server: what the seed does not have, on tests/data/server/features.yaml: security schemes
(apiKey, bearer; or, and), deepObject and array query parameters, header and cookie wire names,
number literals in the query, form, multipart and raw bodies, spec examples, 2XX and default
responses with required headers, streams resumed with Last-Event-ID."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from .test_server_generate import server_module
from .test_server_mock import parse_events

PACKAGE = "srv_features"
ITEM = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
KEY = {"X-Api-Key": "secret"}
pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return server_module(tmp_path_factory, PACKAGE)


class Recorder:
    """Handlers that record the keyword arguments they get."""

    def __init__(self, server: ModuleType) -> None:
        self.server = server
        self.seen: dict[str, dict[str, Any]] = {}

    async def get_item(self, **arguments: Any) -> Any:
        self.seen["get_item"] = arguments
        return self.server.models.Item(id=arguments["item_id"], name="recorded")

    async def search_items(self, **arguments: Any) -> Any:
        self.seen["search_items"] = arguments
        return self.server.Reply(206, [], headers={"X-Total": "0"})

    async def login(self, **arguments: Any) -> Any:
        self.seen["login"] = arguments
        return f"token-for-{arguments['body'].user}"

    async def upload(self, **arguments: Any) -> Any:
        self.seen["upload"] = arguments
        return {"id": str(uuid.UUID(int=7)), "name": arguments["body"].title}

    async def put_blob(self, **arguments: Any) -> Any:
        self.seen["put_blob"] = arguments


async def _client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture()
async def mock(server: ModuleType) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(server.create_app()):
        yield client


@pytest.fixture()
def recorder(server: ModuleType) -> Recorder:
    return Recorder(server)


@pytest.fixture()
async def recorded(server: ModuleType, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(server.create_app(recorder)):
        yield client


async def test_missing_credentials_get_401(mock: httpx.AsyncClient) -> None:
    missing = await mock.get(f"/items/{ITEM}")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "APIKey, Bearer"
    assert (await mock.get(f"/items/{ITEM}", headers=KEY)).status_code == 200
    assert (await mock.get(f"/items/{ITEM}", headers={"Authorization": "Bearer t"})).status_code == 200
    # /uploads wants both schemes at once.
    upload = {"data": {"title": "t"}, "files": {"file": ("a.txt", b"x")}}
    assert (await mock.post("/uploads", headers=KEY, **upload)).status_code == 401
    both = {**KEY, "Authorization": "Bearer t"}
    assert (await mock.post("/uploads", headers=both, **upload)).status_code == 201
    # No security: no credential needed.
    assert (await mock.get("/items")).status_code == 200


async def test_cookie_values_arrive_as_the_generated_client_sent_them(recorded: httpx.AsyncClient, recorder: Recorder, server: ModuleType) -> None:
    """The client percent-encodes cookie values (style form); the handler gets them decoded."""
    package = importlib.import_module(server.__package__)
    async with package.AsyncClient(base_url="http://test", http_client=recorded, api_key="k", max_retries=0) as client:
        for value in ('a b;c\\"', "100%", "plain"):
            await client.items.get_item(uuid.UUID(ITEM), session=value)  # no tags: grouped by path
            assert recorder.seen["get_item"]["session"] == value


async def test_handlers_get_credentials_and_wire_named_parameters(
    recorded: httpx.AsyncClient, recorder: Recorder, server: ModuleType
) -> None:
    recorded.cookies.set("session", "s1")
    response = await recorded.get(
        f"/items/{ITEM}", params={"level": "1"}, headers={"Authorization": "Bearer tok", "X-Trace_Id": "trace"}
    )
    assert response.json() == {"id": ITEM, "name": "recorded"}
    assert recorder.seen["get_item"] == {
        "item_id": uuid.UUID(ITEM),
        "x_trace_id": "trace",
        "session": "s1",
        "level": 1,
        "credentials": server.Credentials(api_key=None, bearer="tok"),
    }
    assert (await recorded.get(f"/items/{ITEM}", params={"level": "2"}, headers=KEY)).status_code == 422
    recorded.cookies.clear()
    await recorded.get(f"/items/{ITEM}", headers=KEY)
    assert recorder.seen["get_item"]["level"] == 0  # the spec's default
    assert recorder.seen["get_item"]["session"] is None


async def test_deep_object_and_array_query(recorded: httpx.AsyncClient, recorder: Recorder, server: ModuleType) -> None:
    response = await recorded.get("/items?filter[color]=red&filter[size]=3&tags=a&tags=b")
    assert response.status_code == 206
    assert response.headers["x-total"] == "0"
    assert recorder.seen["search_items"] == {"filter": server.models.Filter(color="red", size=3), "tags": ["a", "b"]}
    await recorded.get("/items")
    assert recorder.seen["search_items"] == {"filter": None, "tags": None}
    bad = await recorded.get("/items?filter[size]=big")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "filter", "size"]


async def test_form_multipart_and_raw_bodies(recorded: httpx.AsyncClient, recorder: Recorder) -> None:
    login = await recorded.post("/login", data={"user": "ann", "password": "pw"})
    assert login.text == "token-for-ann"
    assert login.headers["content-type"].startswith("text/plain")
    assert (await recorded.post("/login", data={"user": "ann"})).status_code == 422

    upload = await recorded.post(
        "/uploads",
        data={"title": "report"},
        files={"file": ("r.bin", b"\x00\xff")},
        headers={**KEY, "Authorization": "Bearer t"},
    )
    assert upload.status_code == 201
    assert upload.json() == {"id": str(uuid.UUID(int=7)), "name": "report"}
    assert recorder.seen["upload"]["body"].file == b"\x00\xff"

    blob = await recorded.put("/blobs", content=b"\x01\x02")
    assert (blob.status_code, blob.content) == (204, b"")
    assert recorder.seen["put_blob"] == {"body": b"\x01\x02"}


async def test_mock_uses_examples_defaults_and_headers(mock: httpx.AsyncClient) -> None:
    item = await mock.get(f"/items/{ITEM}", headers=KEY)
    assert item.json() == {"id": ITEM, "name": 'from the "spec" example'}
    items = await mock.get("/items")
    assert items.status_code == 200  # 2XX answers 200
    assert int(items.headers["x-total"]) >= 0  # a required header, synthesized
    clock = await mock.get("/time")  # only a default response: 200
    assert clock.status_code == 200 and clock.json().startswith("2024-")
    events = await mock.get("/events", headers={"Last-Event-ID": "1"})
    assert [e["id"] for e in parse_events(events.text)] == ["2", "3"]


async def test_openapi_documents_what_fastapi_cannot(mock: httpx.AsyncClient) -> None:
    spec = (await mock.get("/openapi.json")).json()
    search = spec["paths"]["/items"]["get"]
    deep = next(p for p in search["parameters"] if p["name"] == "filter")
    assert (deep["style"], deep["explode"], deep["in"]) == ("deepObject", True, "query")
    login = spec["paths"]["/login"]["post"]["requestBody"]
    assert list(login["content"]) == ["application/x-www-form-urlencoded"]
    assert list(spec["paths"]["/uploads"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]
    assert list(spec["paths"]["/blobs"]["put"]["requestBody"]["content"]) == ["application/octet-stream"]
    assert set(spec["components"]["securitySchemes"]) == {"apiKey", "bearer"}
    header = next(p for p in spec["paths"]["/items/{item_id}"]["get"]["parameters"] if p["in"] == "header")
    assert header["name"] == "X-Trace_Id"
