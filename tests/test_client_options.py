"""Per-call options (``with_options``, ``max_retries=``), idempotency keys (client and server)
and typed response headers, through the package generated from tests/data/client/options.yaml:
the generated client against the generated server over HTTP, or a recording MockTransport."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import serve_over_http
from .conftest_client import (
    DATA,
    Recorder,
    generate_files,
    install,
    mock_async_client,
    mock_client,
    patch_sleep,
)

OPTIONS_SPEC = DATA / "options.yaml"
PAYMENT = {"id": "p1", "amount": 5}
CREATED = httpx.Response(201, json=PAYMENT, headers={"Location": "/payments/p1"})


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "options", generate_files(OPTIONS_SPEC, "options"))


@pytest.fixture()
def no_wait(options: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait 0 s (a real sleep of nothing: the server's thread keeps its own timing)."""
    base = importlib.import_module(f"{options.__name__}._base_client")
    monkeypatch.setattr(base, "backoff", lambda attempt: 0.0)


class Counter:
    """What the handlers below did: calls per operation, and the keys they saw."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.keys: list[str | None] = []

    def count(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]


def make_app(options: ModuleType, counter: Counter, **kwargs: Any) -> Any:
    """The generated app with handlers that count: list_payments always fails (a 500)."""
    server = importlib.import_module(f"{options.__name__}.server")
    models = options.models

    class Impl(server.Handlers):  # type: ignore[misc,name-defined]
        async def list_payments(self) -> Any:
            counter.count("list_payments")
            raise RuntimeError("down")

        async def create_payment(self, *, idempotency_key: str | None, body: Any) -> Any:
            counter.keys.append(idempotency_key)
            n = counter.count("create_payment")
            return server.Reply(201, models.Payment(id=f"p{n}", amount=body.amount),
                                headers={"Location": f"/payments/p{n}", "X-RateLimit-Remaining": str(100 - n),
                                         "X-RateLimit-Reset": "2026-12-07T13:00:00Z"})

        async def create_refund(self, *, x_idempotency_key: str | None, body: Any, credentials: Any) -> Any:
            n = counter.count("create_refund")
            return models.Payment(id=f"r{n}", amount=body.amount)

        async def upload_document(self, *, idempotency_key: str | None, body: Any) -> None:
            counter.count("upload_document")

    return server.create_app(Impl(), **kwargs)


class LoseFirstAnswer:
    """ASGI middleware: the first POST runs, but its answer is lost and ``status`` sent instead
    (a proxy's 503, a crash after the work was done)."""

    def __init__(self, app: Any, status: int) -> None:
        self.app, self.status, self.lost = app, status, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or self.lost:
            await self.app(scope, receive, send)
            return
        self.lost += 1

        async def drop(message: Any) -> None:
            pass

        await self.app(scope, receive, drop)
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture()
def counter() -> Counter:
    return Counter()


@pytest.fixture()
def served(options: ModuleType, counter: Counter) -> Iterator[str]:
    with serve_over_http(make_app(options, counter)) as url:
        yield url


# -- 3. per-call options ------------------------------------------------------------------------


def test_with_options_shares_the_pool_and_leaves_the_original_unchanged(options: ModuleType) -> None:
    rec = Recorder(default=httpx.Response(200, json=[], headers={"X-Total-Count": "0"}))
    with mock_client(options, rec, headers={"X-App": "a"}) as client:
        copy = client.with_options(max_retries=0, timeout=3, headers={"X-Trace": "t"}, follow_redirects=False)
        assert copy._http is client._http and type(copy) is type(client)
        assert (copy.max_retries, copy.timeout.read, copy.follow_redirects) == (0, 3, False)
        assert (client.max_retries, client.timeout.read, client.follow_redirects) == (2, 60, True)
        assert copy.payments._client is copy and client.payments._client is client
        copy.payments.list_payments()
        copy.with_raw_response.payments.list_payments()
        client.payments.list_payments()
        sent = [(r.headers.get("X-App"), r.headers.get("X-Trace")) for r in rec.requests]
        assert sent == [("a", "t"), ("a", "t"), ("a", None)]
        copy.close()  # the pool is the original's
        assert not client._http.is_closed
        client.payments.list_payments()
    assert client._http.is_closed is False  # passed in by the caller: never closed by the client


def test_the_client_owns_and_closes_its_pool_not_the_copy(options: ModuleType) -> None:
    client = options.Client(base_url="http://testserver")
    copy = client.with_options(max_retries=5)
    copy.close()
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed


def test_per_call_max_retries_over_http(options: ModuleType, served: str, counter: Counter, no_wait: None) -> None:
    with options.Client(base_url=served, max_retries=0) as client:
        with pytest.raises(options.InternalServerError):
            client.payments.list_payments()
        assert counter.calls["list_payments"] == 1
        with pytest.raises(options.InternalServerError):
            client.payments.list_payments(max_retries=3)
        assert counter.calls["list_payments"] == 1 + 4
        with pytest.raises(options.InternalServerError):
            client.with_options(max_retries=1).payments.list_payments()
        assert counter.calls["list_payments"] == 5 + 2
        with pytest.raises(options.InternalServerError):
            client.with_options(max_retries=4).payments.list_payments(max_retries=0)  # the call wins
        assert counter.calls["list_payments"] == 7 + 1


def test_async_with_options_and_per_call_max_retries(options: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, options)
    rec = Recorder(default=httpx.Response(500))

    async def main() -> None:
        async with mock_async_client(options, rec, max_retries=0) as client:
            copy = client.with_options(max_retries=2, headers={"X-Trace": "t"})
            assert copy._http is client._http and client.max_retries == 0
            with pytest.raises(options.InternalServerError):
                await copy.payments.list_payments()
            assert len(rec.requests) == 3 and all(r.headers["X-Trace"] == "t" for r in rec.requests)
            with pytest.raises(options.InternalServerError):
                await client.payments.list_payments(max_retries=1)
            assert len(rec.requests) == 5 and "X-Trace" not in rec.last.headers
            await copy.aclose()
            assert not client._http.is_closed

    asyncio.run(main())
    assert len(sleeps.delays) == 3


def test_max_retries_is_a_keyword_of_every_method(options: ModuleType) -> None:
    import inspect

    for group in (options.Client, options.AsyncClient):
        client = group(base_url="http://x")
        for name in ("list_payments", "create_payment", "create_refund", "create_note", "upload_document"):
            parameter = inspect.signature(getattr(client.payments, name)).parameters["max_retries"]
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY


# -- 2. idempotency keys ----------------------------------------------------------------------------


def test_a_fresh_key_per_call_the_same_on_each_retry(options: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, options)
    rec = Recorder(httpx.Response(500), httpx.ReadError("reset"), default=CREATED)
    with mock_client(options, rec) as client:
        client.payments.create_payment(body={"amount": 5})  # a POST: retried after a 500 and a reset
        client.payments.create_payment(body={"amount": 5})
        client.payments.create_payment(body={"amount": 5}, idempotency_key="mine")
        client.payments.create_payment(body={"amount": 5}, extra_headers={"idempotency-key": "extra"})
    keys = [r.headers["Idempotency-Key"] for r in rec.requests]
    assert len(keys) == 6 and keys[0] == keys[1] == keys[2] != keys[3]
    assert uuid.UUID(keys[0]).version == 4 and uuid.UUID(keys[3]).version == 4
    assert keys[4:] == ["mine", "extra"]


def test_a_post_without_an_idempotency_header_is_not_retried(options: ModuleType,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, options)
    for failure in (httpx.Response(500), httpx.ReadError("reset")):
        rec = Recorder(failure, default=httpx.Response(200, json=PAYMENT))
        with mock_client(options, rec) as client, pytest.raises(options.ApiClientError):
            client.payments.create_note(body={"amount": 5})
        assert len(rec.requests) == 1 and "Idempotency-Key" not in rec.last.headers


def test_async_client_keeps_the_key_across_retries(options: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, options)
    rec = Recorder(httpx.Response(502), default=httpx.Response(200, json=PAYMENT))

    async def main() -> None:
        async with mock_async_client(options, rec, bearer="t") as client:
            await client.payments.create_refund(body={"amount": 1})

    asyncio.run(main())
    assert [r.headers["X-Idempotency-Key"] for r in rec.requests] == [rec.last.headers["X-Idempotency-Key"]] * 2


@pytest.mark.parametrize("lost_with", [503, 500])
def test_a_retried_post_runs_the_handler_once(options: ModuleType, counter: Counter, no_wait: None,
                                              lost_with: int) -> None:
    """The server ran the handler, but its answer was lost (a 503 or 500 instead): the client
    retries with the same key and the server replays the answer it kept."""
    app = LoseFirstAnswer(make_app(options, counter), lost_with)
    with serve_over_http(app) as url, options.Client(base_url=url) as client:
        raw = client.with_raw_response.payments.create_payment(body={"amount": 5})
        assert raw.parse() == options.models.Payment(id="p1", amount=5)
        assert raw.headers["Idempotent-Replayed"] == "true"
        assert raw.headers["Location"] == "/payments/p1"
        assert counter.calls["create_payment"] == 1 and len(set(counter.keys)) == 1
        assert client.payments.create_payment(body={"amount": 5}).id == "p2"  # a new call, a new key


def test_a_reused_key_with_another_body_gets_422(options: ModuleType, served: str, counter: Counter) -> None:
    with options.Client(base_url=served) as client:
        first = client.payments.create_payment(body={"amount": 5}, idempotency_key="k1")
        again = client.with_raw_response.payments.create_payment(body={"amount": 5}, idempotency_key="k1")
        assert again.parse() == first and again.headers["Idempotent-Replayed"] == "true"
        with pytest.raises(options.UnprocessableEntityError) as info:
            client.payments.create_payment(body={"amount": 6}, idempotency_key="k1")
        assert "Idempotency-Key was used with another request" in str(info.value.body)
        assert counter.calls["create_payment"] == 1
        assert client.payments.create_payment(body={"amount": 6}, idempotency_key="k2").id == "p2"


def test_the_same_request_is_recognized_whatever_its_json_key_order_or_multipart_boundary(
        options: ModuleType, served: str, counter: Counter) -> None:
    with httpx.Client(base_url=served) as http:
        headers = {"Idempotency-Key": "j", "Content-Type": "application/json"}
        first = http.post("/payments", content=b'{"amount": 5, "x": 1}', headers=headers)
        again = http.post("/payments", content=b'{"x":1,"amount":5}', headers=headers)
        assert first.status_code == again.status_code == 201 and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true" and counter.calls["create_payment"] == 1
    with options.Client(base_url=served) as client:  # a new boundary for each request
        for _ in range(2):
            raw = client.with_raw_response.payments.upload_document(body={"file": b"pdf", "note": "n"},
                                                                    idempotency_key="m")
        assert raw.status_code == 204 and raw.headers["Idempotent-Replayed"] == "true"
        with pytest.raises(options.UnprocessableEntityError):
            client.payments.upload_document(body={"file": b"PDF", "note": "n"}, idempotency_key="m")
    assert counter.calls["upload_document"] == 1


def test_keys_are_kept_apart_per_credentials(options: ModuleType, served: str, counter: Counter) -> None:
    with options.Client(base_url=served, bearer="alice") as alice, options.Client(base_url=served, bearer="bob") as bob:
        a = alice.payments.create_refund(body={"amount": 1}, x_idempotency_key="same")
        assert alice.payments.create_refund(body={"amount": 1}, x_idempotency_key="same") == a
        b = bob.payments.create_refund(body={"amount": 1}, x_idempotency_key="same")
    assert (a.id, b.id) == ("r1", "r2") and counter.calls["create_refund"] == 2


def test_a_store_of_ones_own(options: ModuleType, counter: Counter) -> None:
    server = importlib.import_module(f"{options.__name__}.server")

    class Store:
        def __init__(self) -> None:
            self.kept: dict[str, Any] = {}

        async def get(self, key: str) -> Any:
            return self.kept.get(key)

        async def put(self, key: str, answer: Any) -> None:
            assert isinstance(answer, server.StoredAnswer)
            self.kept[key] = answer

    store = Store()
    transport = httpx.ASGITransport(app=make_app(options, counter, idempotency_store=store))

    async def main() -> None:
        async with options.AsyncClient(base_url="http://t", http_client=httpx.AsyncClient(transport=transport)) as c:
            await c.payments.create_payment(body={"amount": 5}, idempotency_key="k")
            await c.payments.create_payment(body={"amount": 5}, idempotency_key="k")

    asyncio.run(main())
    assert len(store.kept) == 1 and counter.calls["create_payment"] == 1


def test_memory_store_forgets_the_oldest_and_expired_keys(options: ModuleType) -> None:
    server = importlib.import_module(f"{options.__name__}.server")
    runtime = importlib.import_module(f"{options.__name__}._server_runtime")
    answer = server.StoredAnswer("f", 200, (), b"")

    async def main() -> None:
        store = runtime.MemoryIdempotencyStore(size=2)
        for key in "abc":
            await store.put(key, answer)
        assert [await store.get(k) for k in "abc"] == [None, answer, answer]
        expired = runtime.MemoryIdempotencyStore(ttl=-1)
        await expired.put("a", answer)
        assert await expired.get("a") is None

    asyncio.run(main())


# -- 6. typed response headers ------------------------------------------------------------------


def test_declared_headers_are_typed_over_http(options: ModuleType, served: str) -> None:
    with options.Client(base_url=served) as client:
        raw = client.with_raw_response.payments.create_payment(body={"amount": 5})
    headers = raw.declared_headers
    assert isinstance(headers, options.ResponseHeaders)
    assert headers.location == "/payments/p1"
    assert headers.x_rate_limit_remaining == 99 and isinstance(headers.x_rate_limit_remaining, int)
    assert headers.x_rate_limit_reset == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert dict(headers) == {"location": "/payments/p1", "x_rate_limit_remaining": 99,
                             "x_rate_limit_reset": headers.x_rate_limit_reset}


def test_declared_headers_from_the_mock_server(options: ModuleType) -> None:
    server = importlib.import_module(f"{options.__name__}.server")

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=server.create_app()))
        async with options.AsyncClient(base_url="http://t", http_client=http) as client:
            raw = await client.with_raw_response.payments.list_payments()
            assert isinstance(raw.declared_headers.x_total_count, int)
            raw = await client.with_raw_response.payments.create_payment(body={"amount": 5})
            assert isinstance(raw.declared_headers.location, str)

    asyncio.run(main())


def test_a_missing_or_mistyped_header_raises_unless_lenient(options: ModuleType) -> None:
    rec = Recorder(httpx.Response(201, json=PAYMENT, headers={"X-RateLimit-Remaining": "many"}),
                   httpx.Response(201, json=PAYMENT, headers={"Location": "/p", "X-RateLimit-Remaining": "many"}),
                   httpx.Response(201, json=PAYMENT, headers={"X-RateLimit-Remaining": "many"}))
    with mock_client(options, rec) as client:
        raw = client.with_raw_response.payments.create_payment(body={"amount": 5})
        assert raw.parse().id == "p1"  # the body is fine: only the headers do not fit
        with pytest.raises(options.ResponseValidationError, match="header Location"):
            _ = raw.declared_headers
        with pytest.raises(options.ResponseValidationError, match="header X-RateLimit-Remaining"):
            _ = client.with_raw_response.payments.create_payment(body={"amount": 5}).declared_headers
    with mock_client(options, rec, strict_responses=False) as lenient:
        headers = lenient.with_raw_response.payments.create_payment(body={"amount": 5}).declared_headers
    assert headers.location is None and headers.x_rate_limit_remaining == "many"
    assert headers.x_rate_limit_reset is None
    with pytest.raises(AttributeError):
        _ = headers.x_total_count


def test_a_key_in_flight_gets_409(options: ModuleType) -> None:
    server = importlib.import_module(f"{options.__name__}.server")
    entered, release = asyncio.Event(), asyncio.Event()

    class Slow(server.Handlers):  # type: ignore[misc,name-defined]
        async def create_payment(self, *, idempotency_key: str | None, body: Any) -> Any:
            entered.set()
            await release.wait()
            return server.Reply(201, options.models.Payment(id="p1", amount=body.amount), headers={"Location": "/p1"})

    transport = httpx.ASGITransport(app=server.create_app(Slow()))

    async def main() -> None:
        async with options.AsyncClient(base_url="http://t", http_client=httpx.AsyncClient(transport=transport),
                                       max_retries=0) as client:
            first = asyncio.ensure_future(client.payments.create_payment(body={"amount": 5}, idempotency_key="k"))
            await entered.wait()  # the first request is in its handler
            with pytest.raises(options.ConflictError):  # bounded: without the check, it would wait
                await asyncio.wait_for(client.payments.create_payment(body={"amount": 5}, idempotency_key="k"), 30)
            release.set()
            assert (await first).id == "p1"
            assert (await client.payments.create_payment(body={"amount": 5}, idempotency_key="k")).id == "p1"

    asyncio.run(main())


def test_the_generated_docs_name_the_options() -> None:
    files = generate_files(OPTIONS_SPEC, "options")
    api, readme = files["API.md"], files["README.md"]
    assert "Idempotent: each call sends `Idempotency-Key` (a fresh UUID unless you pass `idempotency_key=`)" in api
    assert "Idempotent: each call sends `X-Idempotency-Key`" in api and api.count("Idempotent:") == 3
    assert "201: `location: str`, `x_rate_limit_remaining: int`, `x_rate_limit_reset: datetime`." in api
    assert "`client.payments.create_payment`, `client.payments.create_refund`, `client.payments.upload_document` send" in readme
    assert "`max_retries=`" in readme and "client.with_options(" in readme and ".declared_headers" in readme
