"""The generated clients against the generated server over real HTTP: uvicorn on 127.0.0.1
(``serve_over_http``), no MockTransport, no ASGITransport.

One package (tests/data/client/features.yaml) holds both sides. Its server runs with handlers
that echo what they received; a small ASGI wrapper in front of it plays the network's part:
it answers 503 with ``Retry-After`` before letting a request through, or drops a connection in
the middle of an event stream. Each feature is checked with the blocking ``Client`` and the
``AsyncClient``: retries, an event stream resumed with ``Last-Event-ID`` after a dropped
connection, every auth scheme, a multipart upload and a binary download.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from .conftest import serve_over_http
from .conftest_client import FEATURES_SPEC, generate_files, install

BLOB = bytes(range(256)) * 512  # 128 KiB: several reads on the client side
CREDENTIALS = {
    "basic_auth": ("ann", "s3cret"),
    "bearer_auth": "tok-bearer",
    "cookie_auth": "ck-1",
    "header_key": "hk-1",
    "query_key": "qk-1",
}

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "features", generate_files(FEATURES_SPEC, "features"))


class Echo:
    """Handlers (subclassed from the generated ``Handlers`` at run time) that answer with what
    they received, and record it."""

    def __init__(self, server: ModuleType) -> None:
        self.server = server
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def names(self, operation: str) -> list[dict[str, Any]]:
        return [arguments for name, arguments in self.seen if name == operation]

    async def health(self, **arguments: Any) -> Any:
        self.seen.append(("health", arguments))
        return {"status": "ok"}

    async def get_item(self, *, item_id: str, credentials: Any) -> Any:
        self.seen.append(("get_item", {"item_id": item_id}))
        return {"id": item_id, "name": f"query_key={credentials.query_key}"}

    async def list_items(self, *, credentials: Any, **arguments: Any) -> Any:
        self.seen.append(("list_items", arguments))
        return [{"name": f"cookie_auth={credentials.cookie_auth}"}]

    async def create_item(self, *, body: Any, credentials: Any) -> Any:
        self.seen.append(("create_item", {"body": body}))
        return {"id": "new", "name": f"{body.name} header_key={credentials.header_key}"}

    async def login(self, *, body: Any, credentials: Any) -> Any:
        self.seen.append(("login", {"body": body}))
        basic = credentials.basic_auth
        return {"user": basic.username, "password": basic.password, "username": body.username,
                "scopes": ",".join(body.scopes or [])}

    async def who_am_i(self, *, credentials: Any) -> Any:
        return f"bearer_auth={credentials.bearer_auth} query_key={credentials.query_key} timeout_={credentials.timeout_}"

    async def attach(self, *, item_id: str, body: Any, credentials: Any) -> None:
        self.seen.append(("attach", {"item_id": item_id, "body": body}))

    async def get_blob(self, **arguments: Any) -> bytes:
        return BLOB

    async def watch_events(self, *, last_event_id: str | None, credentials: Any) -> AsyncIterator[Any]:
        self.seen.append(("watch_events", {"last_event_id": last_event_id}))
        return self._events(int(last_event_id or 0))

    async def _events(self, after: int) -> AsyncIterator[Any]:
        for n in range(after + 1, 5):
            # retry: 1 ms, so the client reconnects at once after the drop
            yield self.server.ServerSentEvent(data={"n": n}, event="tick", id=str(n), retry=1)


class Network:
    """ASGI middleware in front of the app: the first ``unavailable`` requests get 503 with
    ``headers``; an event stream opened without Last-Event-ID is cut after ``cut_after`` events
    (the connection drops: no end of the chunked body)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.unavailable = 0
        self.retry_headers: list[tuple[bytes, bytes]] = []
        self.cut_after: int | None = None
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], headers))
        if self.unavailable:
            self.unavailable -= 1
            headers = [(b"content-type", b"text/plain; charset=utf-8"), *self.retry_headers]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": b"busy"})
            return
        if self.cut_after is not None and "last-event-id" not in headers:
            await self.app(scope, receive, self._cutting(send, self.cut_after))
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _cutting(send: Send, events: int) -> Send:
        sent = 0

        async def cut(message: dict[str, Any]) -> None:
            nonlocal sent
            if message["type"] == "http.response.body":
                if sent >= events:
                    raise ConnectionAbortedError("the connection drops (test)")
                sent += message.get("body", b"").count(b"\n\n")
            await send(message)

        return cut


class Served:
    def __init__(self, pkg: ModuleType, url: str, echo: Echo, network: Network) -> None:
        self.pkg, self.url, self.echo, self.network = pkg, url, echo, network


@pytest.fixture()
def served(features: ModuleType) -> Iterator[Served]:
    """A fresh app for each test, served by uvicorn on a free port of 127.0.0.1."""
    server = importlib.import_module(f"{features.__name__}.server")
    handlers = type("EchoHandlers", (Echo, server.Handlers), {})(server)
    network = Network(server.create_app(handlers))
    with serve_over_http(network) as url:
        yield Served(features, url, handlers, network)


class Sleeps:
    """Records the waits the CLIENT asks for (calls from the test's thread; uvicorn's own loop
    runs in another thread) and really waits them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.delays: list[float] = []
        self._thread = threading.current_thread()
        real_sleep, real_async_sleep = time.sleep, asyncio.sleep

        def sleep(seconds: float) -> None:
            if threading.current_thread() is self._thread:
                self.delays.append(seconds)
            real_sleep(seconds)

        async def async_sleep(seconds: float, *args: Any) -> Any:
            if threading.current_thread() is self._thread:
                self.delays.append(seconds)
            return await real_async_sleep(seconds, *args)

        monkeypatch.setattr(time, "sleep", sleep)
        monkeypatch.setattr(asyncio, "sleep", async_sleep)


def client(s: Served, **options: Any) -> Any:
    return s.pkg.Client(base_url=s.url + "/v1", **options)  # the spec's server URL's path


def async_client(s: Served, **options: Any) -> Any:
    return s.pkg.AsyncClient(base_url=s.url + "/v1", **options)


# -- retries ----------------------------------------------------------------------------------


def test_sync_client_retries_a_503_after_retry_after(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = Sleeps(monkeypatch)
    served.network.unavailable, served.network.retry_headers = 2, [(b"retry-after", b"1")]
    with client(served, max_retries=2) as c:
        assert c.health().status == "ok"
    assert [r[1] for r in served.network.requests] == ["/v1/health"] * 3
    assert sleeps.delays == [1.0, 1.0]
    assert len(served.echo.names("health")) == 1


def test_async_client_retries_a_503_after_retry_after_ms(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = Sleeps(monkeypatch)
    served.network.unavailable, served.network.retry_headers = 1, [(b"retry-after-ms", b"50")]

    async def main() -> Any:
        async with async_client(served, max_retries=2) as c:
            return await c.health()

    assert asyncio.run(main()).status == "ok"
    assert len(served.network.requests) == 2 and sleeps.delays[:1] == [0.05]


def test_both_clients_give_up_after_max_retries(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    Sleeps(monkeypatch)
    served.network.unavailable, served.network.retry_headers = 100, [(b"retry-after", b"0")]
    with client(served, max_retries=1) as c, pytest.raises(served.pkg.InternalServerError) as info:
        c.health()
    assert info.value.status_code == 503 and info.value.body == "busy"

    async def main() -> None:
        async with async_client(served, max_retries=2) as c:
            await c.health()

    with pytest.raises(served.pkg.InternalServerError):
        asyncio.run(main())
    assert len(served.network.requests) == 2 + 3
    assert served.echo.names("health") == []


# -- server-sent events: a dropped connection, resumed ------------------------------------------


def test_sync_stream_resumes_after_a_dropped_connection(served: Served) -> None:
    served.network.cut_after = 2
    with client(served, max_retries=2, header_key="hk") as c:
        events = list(c.stream.watch_events())
    assert [(e.event, e.data, e.id) for e in events] == [("tick", {"n": n}, str(n)) for n in (1, 2, 3, 4)]
    assert [a["last_event_id"] for a in served.echo.names("watch_events")] == [None, "2"]
    assert served.network.requests[1][2]["last-event-id"] == "2"


def test_async_stream_resumes_after_a_dropped_connection(served: Served) -> None:
    served.network.cut_after = 3

    async def main() -> list[Any]:
        async with async_client(served, max_retries=2, header_key="hk") as c:
            return [e async for e in await c.stream.watch_events()]

    assert [e.data["n"] for e in asyncio.run(main())] == [1, 2, 3, 4]
    assert [a["last_event_id"] for a in served.echo.names("watch_events")] == [None, "3"]


def test_a_stream_not_allowed_to_reconnect_raises(served: Served) -> None:
    served.network.cut_after = 1
    received: list[int] = []
    with client(served, max_retries=0, header_key="hk") as c, pytest.raises(served.pkg.ApiConnectionError):
        for event in c.stream.watch_events():
            received.append(event.data["n"])
    assert received == [1] and len(served.echo.names("watch_events")) == 1


# -- auth schemes ------------------------------------------------------------------------------


def check_credentials_arrive(results: dict[str, Any]) -> None:
    assert results["get_item"].name == "query_key=qk-1"
    assert [i.name for i in results["list_items"]] == ["cookie_auth=ck-1"]
    assert results["create_item"].name == "n header_key=hk-1"
    assert results["login"] == {"user": "ann", "password": "s3cret", "username": "u", "scopes": "a,b"}
    # bearerAuth and timeout are both HTTP bearer schemes: one Authorization header serves both
    assert results["who_am_i"] == "bearer_auth=tok-bearer query_key=None timeout_=tok-bearer"


def test_sync_client_sends_each_scheme_an_operation_names(served: Served) -> None:
    with client(served, **CREDENTIALS) as c:
        results = {
            "get_item": c.items.get_item("1"),
            "list_items": c.items.list_items(),
            "create_item": c.items.create_item(body={"name": "n"}),
            "login": c.items.login(body={"username": "u", "scopes": ["a", "b"]}),
            "who_am_i": c.items.who_am_i(),
        }
    check_credentials_arrive(results)
    sent = {path.removeprefix("/v1"): headers for _, path, headers in served.network.requests}
    assert sent["/me"]["authorization"] == "Bearer tok-bearer"
    assert "x-api-key" not in sent["/me"] and "cookie" not in sent["/me"]


def test_async_client_sends_each_scheme_an_operation_names(served: Served) -> None:
    async def main() -> dict[str, Any]:
        async with async_client(served, **CREDENTIALS) as c:
            return {
                "get_item": await c.items.get_item("1"),
                "list_items": await c.items.list_items(),
                "create_item": await c.items.create_item(body={"name": "n"}),
                "login": await c.items.login(body={"username": "u", "scopes": ["a", "b"]}),
                "who_am_i": await c.items.who_am_i(),
            }

    check_credentials_arrive(asyncio.run(main()))


def test_the_alternative_scheme_and_missing_credentials(served: Served) -> None:
    with client(served, query_key="qk-2", timeout_="t-2") as c:
        assert c.items.who_am_i() == "bearer_auth=t-2 query_key=qk-2 timeout_=t-2"
    with client(served) as c, pytest.raises(served.pkg.AuthenticationError) as info:
        c.items.get_item("1")
    assert info.value.status_code == 401
    assert served.echo.names("get_item") == []


# -- multipart upload, binary download ------------------------------------------------------------


def upload_body() -> dict[str, Any]:
    return {
        "file": ("report.bin", b"\x00\x01\xfe\xff" * 1000, "application/octet-stream"),
        "extra": [b"first", ("second.txt", b"second")],
        "tags": ["a", "b c"],
        "meta": {"k": 7},
        "count": 3,
    }


def check_upload(echo: Echo) -> None:
    ((arguments),) = echo.names("attach")
    body = arguments["body"]
    assert arguments["item_id"] == "it 1"
    assert body.file == b"\x00\x01\xfe\xff" * 1000
    assert body.extra == [b"first", b"second"]
    assert body.tags == ["a", "b c"] and body.meta.k == 7 and body.count == 3


def test_sync_multipart_upload(served: Served) -> None:
    with client(served, **CREDENTIALS) as c:
        assert c.items.attach("it 1", body=upload_body()) is None
    check_upload(served.echo)
    method, path, headers = served.network.requests[-1]
    assert (method, path) == ("POST", "/v1/items/it 1/attachments")
    assert headers["content-type"].startswith("multipart/form-data; boundary=")


def test_async_multipart_upload(served: Served) -> None:
    async def main() -> None:
        async with async_client(served, **CREDENTIALS) as c:
            assert await c.items.attach("it 1", body=upload_body()) is None

    asyncio.run(main())
    check_upload(served.echo)


def test_binary_download_sync_and_async(served: Served) -> None:
    with client(served, **CREDENTIALS) as c:
        assert c.stream.get_blob() == BLOB

    async def main() -> bytes:
        async with async_client(served, **CREDENTIALS) as c:
            return await c.stream.get_blob()  # type: ignore[no-any-return]

    assert asyncio.run(main()) == BLOB
