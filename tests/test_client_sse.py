"""Server-sent events: the decoder, and the seed's streaming methods (sync and async)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest_client import Recorder, install, mock_async_client, mock_client, patch_sleep

THREAD = uuid.UUID("00000000-0000-4000-8000-000000000001")
RUN = uuid.UUID("00000000-0000-4000-8000-000000000002")


@pytest.fixture(scope="session")
def seed(generated_packages: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "agent_server", generated_packages["agent_server"][1].files)


def decode(seed: ModuleType, *chunks: bytes) -> list[Any]:
    decoder = seed._sse.SSEDecoder()
    return [e for chunk in chunks for e in decoder.feed(chunk)]


# -- the decoder ------------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_line_endings(seed: ModuleType, eol: bytes) -> None:
    text = eol.join([b"event: a", b"data: 1", b"", b"data: x", b"data: y", b"", b""])
    events = decode(seed, text)
    assert [(e.event, e.data) for e in events] == [("a", 1), ("message", "x\ny")]


def test_crlf_split_across_chunks_and_bytes_split_inside_a_character(seed: ModuleType) -> None:
    body = "data: é\r\n\r\ndata: 2\r\n\r\n".encode()
    chunks = [body[i : i + 1] for i in range(len(body))]
    assert [e.data for e in decode(seed, *chunks)] == ["é", 2]


def test_comments_keepalives_ids_and_retry(seed: ModuleType) -> None:
    text = (
        b"\xef\xbb\xbf: hello\n\n"  # BOM, comment, blank line: nothing
        b"\n\n"  # keep-alives
        b"id: 7\nretry: 1500\ndata: {\"a\": [1]}\n\n"
        b"id: bad\x00id\nretry: soon\ndata:no-space\n\n"
        b"event: only-name\n\n"
        b"field-without-colon\ndata\n\n"
        b"data: dropped at the end"
    )
    decoder = seed._sse.SSEDecoder()
    events = decoder.feed(text)
    assert [(e.event, e.data, e.id, e.retry) for e in events] == [
        ("message", {"a": [1]}, "7", 1500),
        ("message", "no-space", None, None),
        ("message", "", None, None),
    ]
    assert decoder.last_event_id == "7"
    assert decoder.retry == 1500


# -- the seed's streams -----------------------------------------------------------------------

STREAM_BODY = (
    b": keep-alive\r\n\r\n"
    b"event: metadata\r\ndata: {\"run_id\": \"r1\"}\r\nid: 1\r\n\r\n"
    b"event: values\r\ndata: {\"messages\": []}\r\nid: 2\r\n\r\n"
    b": ping\r\n\r\n"
    b"event: end\r\ndata: null\r\n\r\n"
)


def sse_response(body: bytes | Iterator[bytes], **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream", **headers})


def test_stream_run_yields_events_and_closes(seed: ModuleType) -> None:
    rec = Recorder(sse_response(STREAM_BODY, **{"Content-Location": "/threads/t/runs/r1"}))
    with mock_client(seed, rec) as client:
        with client.thread_runs.stream_run(THREAD, body={"assistant_id": "agent"}) as stream:
            assert stream.response.headers["Content-Location"] == "/threads/t/runs/r1"
            events = list(stream)
        assert stream.response.is_closed
    assert [(e.event, e.data, e.id) for e in events] == [
        ("metadata", {"run_id": "r1"}, "1"),
        ("values", {"messages": []}, "2"),
        ("end", None, None),
    ]
    request = rec.last
    assert request.headers["Accept"] == "text/event-stream"
    assert request.extensions["timeout"]["read"] is None  # streams wait for events forever
    assert request.extensions["timeout"]["connect"] == 5.0


def test_stream_timeout_can_be_set_per_call(seed: ModuleType) -> None:
    rec = Recorder(sse_response(b""))
    with mock_client(seed, rec) as client:
        list(client.stateless_runs.stream_run_stateless(body={"assistant_id": "a"}, timeout=3.0))
    assert rec.last.extensions["timeout"]["read"] == 3.0


def test_stream_error_status_raises_before_iteration(seed: ModuleType) -> None:
    rec = Recorder(httpx.Response(404, json={"detail": "no such thread"}))
    with mock_client(seed, rec) as client, pytest.raises(seed.NotFoundError) as info:
        client.thread_runs.stream_run(THREAD, body={"assistant_id": "agent"})
    assert info.value.body == seed.models.ErrorResponse(detail="no such thread")


class Broken(httpx.SyncByteStream):
    """A response body that breaks after some bytes, like a dropped connection."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise httpx.ReadError("connection reset")


def test_resumable_stream_reconnects_with_last_event_id(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps = patch_sleep(monkeypatch, seed)
    first = httpx.Response(200, stream=Broken(b"retry: 250\nid: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: lost"),
                           headers={"content-type": "text/event-stream"})
    rec = Recorder(first, sse_response(b"id: 3\ndata: c\n\n"))
    with mock_client(seed, rec) as client:
        events = list(client.threads.join_thread_stream(THREAD))
    assert [e.data for e in events] == ["a", "b", "c"]
    assert "Last-Event-ID" not in rec.requests[0].headers
    assert rec.requests[1].headers["Last-Event-ID"] == "2"
    assert sleeps.delays == [0.25]


def test_non_resumable_stream_raises_connection_error(seed: ModuleType) -> None:
    broken = httpx.Response(200, stream=Broken(b"id: 1\ndata: a\n\n"), headers={"content-type": "text/event-stream"})
    rec = Recorder(broken)
    with mock_client(seed, rec) as client:
        stream = client.thread_runs.stream_run(THREAD, body={"assistant_id": "agent"})
        assert next(stream).data == "a"
        with pytest.raises(seed.ApiConnectionError, match="ReadError"):
            next(stream)
    assert len(rec.requests) == 1  # a POST that created a run is never sent again


def test_async_stream(seed: ModuleType) -> None:
    rec = Recorder(sse_response(STREAM_BODY), sse_response(STREAM_BODY, **{"Content-Location": "/x"}))

    async def main() -> tuple[list[str], str]:
        async with mock_async_client(seed, rec) as client:
            names = [e.event async for e in client.thread_runs.stream_run(THREAD, body={"assistant_id": "a"})]
            stream = await client.thread_runs.stream_run(THREAD, body={"assistant_id": "a"})
            async with stream:
                location = stream.response.headers["Content-Location"]
            return names, location

    names, location = asyncio.run(main())
    assert names == ["metadata", "values", "end"]
    assert location == "/x"


def test_raw_response_of_streams(seed: ModuleType) -> None:
    rec = Recorder(sse_response(STREAM_BODY, **{"Content-Location": "/sync"}), sse_response(STREAM_BODY, **{"Content-Location": "/async"}))
    with mock_client(seed, rec) as client:
        raw = client.with_raw_response.thread_runs.stream_run(THREAD, body={"assistant_id": "a"})
        with raw.parse() as stream:
            assert raw.headers["Content-Location"] == "/sync"
            assert len(list(stream)) == 3

    async def main() -> tuple[str, int]:
        async with mock_async_client(seed, rec) as client:
            raw = await client.with_raw_response.thread_runs.stream_run(THREAD, body={"assistant_id": "a"})
            async with raw.parse() as stream:
                return raw.headers["Content-Location"], len([e async for e in stream])

    assert asyncio.run(main()) == ("/async", 3)


def test_async_stream_reconnects(seed: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, seed)

    class AsyncBroken(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[override]
            yield b"id: 9\ndata: a\n\n"
            raise httpx.ReadError("reset")

    first = httpx.Response(200, stream=AsyncBroken(), headers={"content-type": "text/event-stream"})
    rec = Recorder(first, sse_response(b"data: b\n\n"))

    async def main() -> list[Any]:
        async with mock_async_client(seed, rec) as client:
            return [e.data async for e in client.thread_runs.stream_run_http(THREAD, RUN)]

    assert asyncio.run(main()) == ["a", "b"]
    assert rec.requests[1].headers["Last-Event-ID"] == "9"
