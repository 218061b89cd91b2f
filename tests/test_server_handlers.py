"""Server: user handlers on the seed spec. A handler object with an in-memory store runs the
create-background-run flow; what it does not implement falls back to mock answers or 501;
errors are 422 (bad input, before the handler), 500 (handler failure, no stack trace sent)."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest

from .test_server_generate import server_module
from .test_server_mock import parse_events

PACKAGE = "srv_agent_server"
pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return server_module(tmp_path_factory, PACKAGE)


ClientFor = Callable[..., httpx.AsyncClient]


@pytest.fixture()
def client_for(server: ModuleType) -> ClientFor:
    """An in-process client for ``create_app(*args, **kwargs)``."""

    def make(*args: Any, **kwargs: Any) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=server.create_app(*args, **kwargs))
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    return make


def store_handlers(server: ModuleType) -> Any:
    """Handlers for threads and runs, kept in memory; the rest of the API stays mocked."""
    models, Reply, Event = server.models, server.Reply, server.ServerSentEvent

    class StoreHandlers(server.Handlers):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            self.threads: dict[uuid.UUID, Any] = {}
            self.runs: dict[uuid.UUID, Any] = {}
            self.calls: list[str] = []

        @staticmethod
        def not_found(what: str) -> Any:
            return Reply(404, models.ErrorResponse(detail=f"{what} not found"))

        async def create_thread(self, *, body: Any) -> Any:
            self.calls.append("create_thread")
            now = dt.datetime.now(dt.UTC)
            thread = models.Thread(
                thread_id=body.thread_id or uuid.uuid4(),
                created_at=now,
                updated_at=now,
                metadata=body.metadata or {},
                status="idle",
            )
            self.threads[thread.thread_id] = thread
            return thread

        async def create_run(self, *, thread_id: uuid.UUID, body: Any) -> Any:
            self.calls.append("create_run")
            if thread_id not in self.threads:
                return self.not_found("thread")
            now = dt.datetime.now(dt.UTC)
            run = models.Run(
                run_id=uuid.uuid4(),
                thread_id=thread_id,
                assistant_id=uuid.uuid5(uuid.NAMESPACE_URL, str(body.assistant_id)),
                created_at=now,
                updated_at=now,
                status="pending",
                metadata=body.metadata or {},
                kwargs={"input": body.input},
                multitask_strategy="reject",
            )
            self.runs[run.run_id] = run
            location = f"/threads/{thread_id}/runs/{run.run_id}"
            return Reply(200, run, headers={"Content-Location": location})

        async def get_run_http(self, *, thread_id: uuid.UUID, run_id: uuid.UUID) -> Any:
            self.calls.append("get_run_http")
            run = self.runs.get(run_id)
            return run if run is not None and run.thread_id == thread_id else self.not_found("run")

        async def stream_run_http(self, *, thread_id: uuid.UUID, run_id: uuid.UUID, **_: Any) -> Any:
            self.calls.append("stream_run_http")
            run = self.runs.get(run_id)
            if run is None:
                return self.not_found("run")
            return self.events(run)

        async def events(self, run: Any) -> AsyncIterator[Any]:
            yield Event({"run_id": str(run.run_id), "attempt": 1}, event="metadata", id="1")
            self.runs[run.run_id] = run.model_copy(update={"status": models.RunStatus("success")})
            yield Event({"output": "hello\nworld"}, event="values", id="2")
            yield Event(None, event="end")

    return StoreHandlers()


async def test_user_handlers_replace_mock_answers(server: ModuleType, client_for: ClientFor) -> None:
    handlers = store_handlers(server)
    async with client_for(handlers) as client:
        thread = await client.post("/threads", json={"metadata": {"owner": "me"}})
        assert thread.status_code == 200, thread.text
        assert thread.json()["status"] == "idle"
        thread_id = thread.json()["thread_id"]

        run = await client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "agent", "input": {"x": 1}})
        assert run.status_code == 200, run.text
        run_id = run.json()["run_id"]
        assert run.json()["kwargs"] == {"input": {"x": 1}}
        assert run.headers["content-location"] == f"/threads/{thread_id}/runs/{run_id}"

        got = await client.get(f"/threads/{thread_id}/runs/{run_id}")
        assert got.json() == run.json()

        stream = await client.get(f"/threads/{thread_id}/runs/{run_id}/stream")
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = parse_events(stream.text)
        assert [e.get("event") for e in events] == ["metadata", "values", "end"]
        assert events[1]["data"] == '{"output":"hello\\nworld"}'
        assert events[2]["data"] == "null"
        assert (await client.get(f"/threads/{thread_id}/runs/{run_id}")).json()["status"] == "success"

        missing = await client.get(f"/threads/{thread_id}/runs/{uuid.uuid4()}/stream")
        assert (missing.status_code, missing.json()) == (404, {"detail": "run not found"})
        orphan = await client.post(f"/threads/{uuid.uuid4()}/runs", json={"assistant_id": "agent"})
        assert (orphan.status_code, orphan.json()) == (404, {"detail": "thread not found"})

        # Not implemented by the handlers: answered from the spec.
        info = await client.get("/info")
        assert info.status_code == 200 and "version" in info.json()
    assert handlers.calls == [
        "create_thread", "create_run", "get_run_http", "stream_run_http", "get_run_http",
        "stream_run_http", "create_run",
    ]


async def test_fallback_501(server: ModuleType, client_for: ClientFor) -> None:
    async with client_for(store_handlers(server), fallback="501") as client:
        assert (await client.post("/threads", json={})).status_code == 200
        unimplemented = await client.get("/info")
        assert unimplemented.status_code == 501
        assert unimplemented.json() == {"detail": "Not Implemented"}
    async with client_for(fallback="501") as client:
        assert (await client.post("/threads", json={})).status_code == 501
    with pytest.raises(ValueError, match="fallback"):
        server.create_app(fallback="none")


async def test_plain_objects_and_unimplemented_fall_back(server: ModuleType, client_for: ClientFor) -> None:
    async def server_info() -> Any:
        raise server.Unimplemented("server_info")

    async def health_check(*, check_db: int) -> Any:
        return {"ok": check_db == 1}

    handlers = SimpleNamespace(server_info=server_info, health_check=health_check)
    async with client_for(handlers, fallback="501") as client:
        assert (await client.get("/info")).status_code == 501
        assert (await client.get("/ok", params={"check_db": 1})).json() == {"ok": True}


async def test_handler_errors_are_500_without_traceback(
    server: ModuleType, client_for: ClientFor, caplog: pytest.LogCaptureFixture
) -> None:
    class Failing(server.Handlers):  # type: ignore[name-defined,misc]
        async def get_thread(self, *, thread_id: uuid.UUID) -> Any:
            raise RuntimeError("database is on fire")

        async def health_check(self, *, check_db: int) -> Any:
            return server.Reply(418, "teapot")  # a status the spec does not declare

        async def server_info(self) -> Any:
            return {"version": 1}  # not a ServerInfoResponse

    with caplog.at_level(logging.ERROR, logger=f"{PACKAGE}.server"):
        async with client_for(Failing()) as client:
            failed = await client.get(f"/threads/{uuid.uuid4()}")
            undeclared = await client.get("/ok")
            malformed = await client.get("/info")
    assert failed.status_code == 500
    assert failed.json() == {"detail": "Internal Server Error"}
    assert "Traceback" not in failed.text and "fire" not in failed.text
    # /ok declares 500 as ErrorResponse ({"detail": ...}): the error takes that shape.
    assert (undeclared.status_code, undeclared.json()) == (500, {"detail": "Internal Server Error"})
    assert malformed.status_code == 500
    logged = "\n".join(r.getMessage() + "\n" + (r.exc_text or "") for r in caplog.records)
    assert "database is on fire" in logged and "Traceback" in logged
    assert "418" in logged and "does not match" in logged


async def test_nothing_unvalidated_reaches_the_handler(server: ModuleType, client_for: ClientFor) -> None:
    handlers = store_handlers(server)
    async with client_for(handlers) as client:
        bad_uuid = await client.get("/threads/abc/runs/def")
        assert bad_uuid.status_code == 422
        assert "thread_id" in bad_uuid.json()["detail"] and "run_id" in bad_uuid.json()["detail"]
        bad_body = await client.post("/threads", json={"metadata": "not an object"})
        assert bad_body.status_code == 422
        assert "body.metadata" in bad_body.json()["detail"]
        missing_body = await client.post(f"/threads/{uuid.uuid4()}/runs")
        assert missing_body.status_code == 422
    assert handlers.calls == []


async def test_one_event_class_for_client_and_server(server: ModuleType, client_for: ClientFor) -> None:
    """``server.ServerSentEvent`` is the client's class (data first, ``event`` defaults to
    "message"): events a client received are re-sent by a handler as they are, and an async
    generator method is a streaming handler."""
    sse = importlib.import_module(f"{PACKAGE}._sse")
    assert server.ServerSentEvent is sse.ServerSentEvent
    received = sse.SSEDecoder().feed(b'event: values\nid: 3\ndata: {"a": 1}\n\ndata: plain\n\n')
    assert received == [server.ServerSentEvent({"a": 1}, "values", "3"), server.ServerSentEvent("plain")]

    class Relay(server.Handlers):  # type: ignore[name-defined,misc]
        async def stream_run(self, *, thread_id: uuid.UUID, body: Any) -> AsyncIterator[Any]:
            for event in received:
                yield event

    async with client_for(Relay()) as client:
        answer = await client.post(f"/threads/{uuid.uuid4()}/runs/stream", json={"assistant_id": "agent"})
    assert answer.status_code == 200, answer.text
    assert parse_events(answer.text) == [
        {"event": "values", "id": "3", "data": '{"a":1}'},
        {"event": "message", "data": "plain"},
    ]
    assert sse.SSEDecoder().feed(answer.content) == received
