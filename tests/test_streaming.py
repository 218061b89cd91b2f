"""Streamed bodies (issue 15 item 4), through the generated client against the generated server
over real HTTP (tests/data/client/streaming.yaml):

* ``client.with_streaming_response.<group>.<method>(...)``: the body read as it arrives (the
  first chunk before the server has sent the rest: the handler waits for the test to have it),
  saved with ``write_to``, read by lines, parsed; errors raised as the plain method raises them;
* uploads: binary bodies from files (read in chunks, never whole), iterables and async
  iterables, several MB compared by hash on the server; a seekable file sent again on a retry;
* NDJSON / JSON Lines / JSON text sequences: typed iterators of the item model, item by item as
  they arrive; a bad line raises ResponseValidationError; the server streams a handler's items
  and the mock answers the spec's example items.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import io
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import SHARED_SPECS, serve_over_http
from .conftest_client import DATA, generate_files, install

STREAMING_SPEC = DATA / "streaming.yaml"
WAIT = 20  # seconds a handler waits for the test before it gives up (a failure, not a hang)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return install(tmp_path_factory, "streaming_api", generate_files(STREAMING_SPEC, "streaming_api"))


@pytest.fixture(scope="module")
def server(pkg: ModuleType) -> ModuleType:
    return importlib.import_module(f"{pkg.__name__}.server")


def _blob(size: int, seed: int = 7) -> bytes:
    """``size`` bytes that are not all alike (a random-looking but fixed pattern)."""
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


class Gate:
    """A handler's pause: it sends its first part, then waits until the test has read it."""

    def __init__(self) -> None:
        self.released = threading.Event()

    async def wait(self) -> bool:
        return await asyncio.to_thread(self.released.wait, WAIT)


def handlers(server: ModuleType, gate: Gate, **more: Any) -> Any:
    """Handlers whose download and NDJSON answers pause after their first part."""

    class Handlers(server.Handlers):  # type: ignore[name-defined,misc]
        async def download_file(self, *, name: str) -> Any:
            if name == "missing":
                raise server.Reply(404, {"message": "no file missing"})
            if name == "big":
                return (_blob(MB, n) for n in range(5))  # a sync generator: 5 MiB
            return self._paused(name)

        async def _paused(self, name: str) -> AsyncIterator[bytes]:
            yield b"first:" + name.encode()
            yield b"|late" if await gate.wait() else b"|the test never read the first chunk"

        async def read_text(self, *, name: str) -> Any:
            return iter(["one\ntw", "o\n", "three"])

        def list_events(self, *, count: int) -> AsyncIterator[Any]:
            async def items() -> AsyncIterator[Any]:
                yield {"id": 1, "kind": "created"}
                released = await gate.wait()
                for n in range(2, count + 1):
                    yield {"id": n, "kind": "updated" if released else "deleted"}

            return items()

        async def event_lines(self) -> Any:
            return more.get("lines", [server_event(1), server_event(2)])

    def server_event(n: int) -> Any:
        return {"id": n, "kind": "created", "payload": {"n": n}}

    return Handlers()


@pytest.fixture()
def gate() -> Gate:
    return Gate()


@pytest.fixture()
def url(server: ModuleType, gate: Gate) -> Iterator[str]:
    with serve_over_http(server.create_app(handlers(server, gate))) as base:
        yield base


# -- with_streaming_response ---------------------------------------------------------------------


def test_a_streamed_response_gives_the_first_chunk_before_the_server_sends_the_rest(
    pkg: ModuleType, url: str, gate: Gate
) -> None:
    with pkg.Client(base_url=url, max_retries=0) as client:
        with client.with_streaming_response.files.download_file("a") as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/octet-stream"
            chunks = response.iter_bytes()
            first = next(chunks)
            # the server has not sent the rest: it waits for this line
            assert b"first:a".startswith(first) and not gate.released.is_set()
            gate.released.set()
            assert first + b"".join(chunks) == b"first:a|late"
        assert response.http_response.is_closed


def test_an_async_streamed_response_gives_the_first_chunk_before_the_server_sends_the_rest(
    pkg: ModuleType, url: str, gate: Gate
) -> None:
    async def main() -> bytes:
        async with pkg.AsyncClient(base_url=url, max_retries=0) as client:
            async with client.with_streaming_response.files.download_file("b") as response:
                assert response.status_code == 200
                chunks = response.iter_bytes()
                first = await anext(chunks)
                assert b"first:b".startswith(first) and not gate.released.is_set()
                gate.released.set()
                rest = [chunk async for chunk in chunks]
            assert response.http_response.is_closed
            return first + b"".join(rest)

    assert asyncio.run(main()) == b"first:b|late"


def test_write_to_saves_a_big_body_as_it_arrives_and_parse_read_lines_work(
    pkg: ModuleType, url: str, tmp_path: Path
) -> None:
    expected = b"".join(_blob(MB, n) for n in range(5))
    with pkg.Client(base_url=url, max_retries=0) as client:
        with client.with_streaming_response.files.download_file("big") as response:
            written = response.write_to(tmp_path / "big.bin", chunk_size=64 * 1024)
        assert written == len(expected)
        assert hashlib.sha256((tmp_path / "big.bin").read_bytes()).digest() == hashlib.sha256(expected).digest()
        with client.with_streaming_response.files.download_file("big") as response, open(tmp_path / "b2", "wb") as f:
            response.write_to(f)
        assert (tmp_path / "b2").read_bytes() == expected
        with client.with_streaming_response.files.read_text("t") as response:
            assert list(response.iter_lines()) == ["one", "two", "three"]
        with client.with_streaming_response.files.read_text("t") as response:
            assert response.parse() == "one\ntwo\nthree"  # what the plain method returns
            assert response.read() == b"one\ntwo\nthree"
        assert client.files.read_text("t") == "one\ntwo\nthree"

    async def main() -> int:
        async with (
            pkg.AsyncClient(base_url=url, max_retries=0) as client,
            client.with_streaming_response.files.download_file("big") as response,
        ):
            return int(await response.write_to(tmp_path / "async.bin"))

    assert asyncio.run(main()) == len(expected) and (tmp_path / "async.bin").read_bytes() == expected


def test_a_streamed_call_raises_the_plain_methods_error_with_its_body(pkg: ModuleType, url: str) -> None:
    with (
        pkg.Client(base_url=url, max_retries=0) as client,
        pytest.raises(pkg.NotFoundError) as caught,
        client.with_streaming_response.files.download_file("missing"),
    ):
        pytest.fail("the block runs only for a 2xx answer")
    assert caught.value.body.message == "no file missing"

    async def main() -> None:
        async with (
            pkg.AsyncClient(base_url=url, max_retries=0) as client,
            client.with_streaming_response.files.download_file("missing"),
        ):
            pytest.fail("the block runs only for a 2xx answer")

    with pytest.raises(pkg.NotFoundError):
        asyncio.run(main())


def test_a_streamed_json_answer_parses_into_its_model(pkg: ModuleType, server: ModuleType) -> None:
    """The mock's answer to a JSON operation, through ``parse()`` (read whole, validated)."""
    with serve_over_http(server.create_app()) as base, pkg.Client(base_url=base, max_retries=0) as client:
        with client.with_streaming_response.files.upload_file("n", body=b"xyz") as response:
            stored = response.parse()
        assert isinstance(stored, pkg.models.Stored)
        assert response.declared_headers == {}


# -- uploads ---------------------------------------------------------------------------------------


class ReadSizes(io.BufferedReader):
    """A binary file that notes how much each read asks for."""

    def __init__(self, path: Path) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self.asked: list[int] = []

    def read(self, size: int | None = -1, /) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


@pytest.fixture()
def stored(server: ModuleType) -> Iterator[tuple[str, list[tuple[str, int, str]], list[int]]]:
    """A server whose upload handlers keep what they received (name, size, sha256); the first
    PUT of a file named ``retry`` answers 503 (the client sends it again)."""
    received: list[tuple[str, int, str]] = []
    failures: list[int] = []

    class Handlers(server.Handlers):  # type: ignore[name-defined,misc]
        async def upload_file(self, *, name: str, body: bytes) -> Any:
            if name == "retry" and not failures:
                failures.append(len(body))
                raise server.Reply(503, {"message": "later"})
            received.append((name, len(body), hashlib.sha256(body).hexdigest()))
            return {"name": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}

        async def attach(self, *, body: Any) -> Any:
            data = body.file
            received.append(("part", len(data), hashlib.sha256(data).hexdigest()))
            return {"name": body.note or "", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    with serve_over_http(server.create_app(Handlers())) as base:
        yield base, received, failures


def test_a_file_body_is_sent_in_chunks_and_arrives_intact(pkg: ModuleType, stored: Any, tmp_path: Path) -> None:
    base, received, failures = stored
    data = _blob(6 * MB + 123)
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    with pkg.Client(base_url=base, max_retries=0) as client:
        with ReadSizes(path) as file:
            result = client.files.upload_file("f", body=file)
        assert (result.size, result.sha256) == (len(data), digest)
        assert file.asked and all(0 < size <= 64 * 1024 for size in file.asked)  # never read whole
        with open(path, "rb") as plain:
            plain.seek(100)  # sent from where the file stands
            assert client.files.upload_file("g", body=plain).size == len(data) - 100
        assert client.files.upload_file("i", body=iter([b"ab", b"cd"])).sha256 == hashlib.sha256(b"abcd").hexdigest()
        with open(path, "rb") as part:
            attached = client.files.attach(body={"note": "n", "file": part})
        assert (attached.size, attached.sha256) == (len(data), digest)
    # (the retry waits its backoff, under 0.5 s: patching the sleeps would patch the server's too)
    with pkg.Client(base_url=base, max_retries=1) as client, open(path, "rb") as file:
        again = client.files.upload_file("retry", body=file)  # 503, then sent again from the start
    assert failures == [len(data)] and (again.size, again.sha256) == (len(data), digest)
    with pkg.Client(base_url=base) as client, pytest.raises(pkg.RequestValidationError):
        client.files.upload_file("x", body="text is not a binary body")  # refused, nothing sent
    assert [r[0] for r in received] == ["f", "g", "i", "part", "retry"]


def test_the_async_client_uploads_async_iterables_and_files(pkg: ModuleType, stored: Any, tmp_path: Path) -> None:
    base, received, _ = stored
    data = _blob(5 * MB, seed=3)
    path = tmp_path / "async.bin"
    path.write_bytes(data)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), MB // 2):
            yield data[start : start + MB // 2]
            await asyncio.sleep(0)

    async def main() -> tuple[Any, Any]:
        async with pkg.AsyncClient(base_url=base, max_retries=0) as client:
            streamed = await client.files.upload_file("async", body=chunks())
            with open(path, "rb") as file:
                from_file = await client.files.upload_file("file", body=file)
            return streamed, from_file

    streamed, from_file = asyncio.run(main())
    digest = hashlib.sha256(data).hexdigest()
    assert (streamed.size, streamed.sha256) == (len(data), digest)
    assert (from_file.size, from_file.sha256) == (len(data), digest)
    assert [r[0] for r in received] == ["async", "file"]


# -- JSON lines --------------------------------------------------------------------------------------


def test_ndjson_items_arrive_one_by_one_as_models(pkg: ModuleType, url: str, gate: Gate) -> None:
    with pkg.Client(base_url=url, max_retries=0) as client:
        with client.events.list_events(count=3) as items:
            first = next(items)
            assert isinstance(first, pkg.models.Event) and first.id == 1
            assert not gate.released.is_set()  # the server sends the rest only after this
            gate.released.set()
            rest = list(items)
        assert [(e.id, e.kind.value) for e in rest] == [(2, "updated"), (3, "updated")]
        assert items.response.headers["content-type"].startswith("application/x-ndjson")
        lines = list(client.events.event_lines())  # a handler's list; the schema is the item's
        assert [e.payload for e in lines] == [{"n": 1}, {"n": 2}]


def test_async_ndjson_items_arrive_one_by_one(pkg: ModuleType, url: str, gate: Gate) -> None:
    async def main() -> list[Any]:
        async with pkg.AsyncClient(base_url=url, max_retries=0) as client:
            stream = client.events.list_events(count=2)
            async with stream:
                first = await anext(stream)
                assert not gate.released.is_set()
                gate.released.set()
                return [first, *[item async for item in stream]]

    items = asyncio.run(main())
    assert all(isinstance(item, pkg.models.Event) for item in items)
    assert [item.id for item in items] == [1, 2]


def test_the_mock_streams_the_examples_items_and_json_seq_items(pkg: ModuleType, server: ModuleType) -> None:
    with serve_over_http(server.create_app()) as base, pkg.Client(base_url=base, max_retries=0) as client:
        items = list(client.events.list_events())
        assert [(e.id, e.kind.value, e.payload) for e in items] == [(1, "created", {"a": 1}), (2, "updated", None)]
        raw = client.with_raw_response.events.event_sequence(body={})
        assert raw.headers["content-type"].startswith("application/json-seq")
        sequence = list(raw.parse())
        assert len(sequence) >= 3 and all(isinstance(e, pkg.models.Event) for e in sequence)
        with client.with_streaming_response.events.event_sequence(body={}) as response:
            text = response.read()
        assert text.startswith(b"\x1e{") and text.count(b"\x1e") == len(sequence)


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ('{"id": 1, "kind": "created"}\n{"id": "x", "kind": "created"}\n', 2, "id"),
        ('{"id": 1, "kind": "created"}\n\nnot json\n', 3, "not JSON"),
    ],
)
def test_a_bad_line_raises_response_validation_error_naming_it(
    pkg: ModuleType, server: ModuleType, gate: Gate, body: str, line: int, fragment: str
) -> None:
    app = server.create_app(handlers(server, gate, lines=server.Reply(200, body)))
    with serve_over_http(app) as base, pkg.Client(base_url=base, max_retries=0) as client:
        items = client.events.event_lines()
        assert next(items).id == 1
        with pytest.raises(pkg.ResponseValidationError, match=f"line {line}") as caught:
            next(items)
        assert fragment in str(caught.value)
    if fragment == "id":  # kept as received when the client is lenient
        with serve_over_http(app) as base, pkg.Client(base_url=base, strict_responses=False) as lenient:
            assert [e.id for e in lenient.events.event_lines()] == [1, "x"]


def test_a_handler_item_that_does_not_fit_breaks_the_stream_rather_than_ending_it(
    pkg: ModuleType, server: ModuleType, gate: Gate
) -> None:
    async def bad() -> AsyncIterator[Any]:
        yield {"id": 1, "kind": "created"}
        yield {"id": 2, "kind": "unknown-kind"}

    app = server.create_app(handlers(server, gate, lines=bad()))
    with serve_over_http(app) as base, pkg.Client(base_url=base, max_retries=0) as client:
        items = client.events.event_lines()
        assert next(items).id == 1
        with pytest.raises(pkg.ApiConnectionError):
            next(items)


def test_only_a_package_with_a_json_lines_answer_has_the_json_lines_runtime(generated_packages: Any) -> None:
    files = generate_files(STREAMING_SPEC, "streaming_api")
    assert "_jsonl.py" in files and "_streaming.py" in files
    petstore = generated_packages["petstore"][1].files
    assert "_jsonl.py" not in petstore and "_streaming.py" in petstore
    docs = files["API.md"] + files["README.md"]
    assert "with_streaming_response" in docs and "JsonLines" in docs


def _inspected(spec: Path) -> list[dict[str, Any]]:
    args = [sys.executable, "-m", "oapigen", "inspect", "--json", str(spec)]
    rows: list[dict[str, Any]] = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    return rows


def test_inspect_names_the_json_lines_item_type_and_the_corpus_counts() -> None:
    """``inspect --json`` says ``JsonLines[Event]``; in the shared specs, the operations that
    answer a binary body or take one (streamed with ``with_streaming_response``, sent from
    files), or answer JSON lines (none in the corpus: tests/data/client/streaming.yaml has them)."""
    rows = _inspected(STREAMING_SPEC)
    assert {r["python"]: r["response"] for r in rows if r["python"].startswith("events.")} == {
        "events.list_events": "JsonLines[Event]",
        "events.event_lines": "JsonLines[Event]",
        "events.event_sequence": "JsonLines[Event]",
    }
    # openai.yaml: realtime.create_realtime_call answers application/sdp (bytes)
    for spec, counts in (("opc-baseline-3.1.yaml", (2, 2, 0)), ("openai.yaml", (1, 0, 0))):
        if not (SHARED_SPECS / spec).exists():
            continue
        rows = _inspected(SHARED_SPECS / spec)
        found = (
            sum(r["response"] == "bytes" for r in rows),
            sum(r["request"] == "bytes" for r in rows),
            sum((r["response"] or "").startswith("JsonLines[") for r in rows),
        )
        assert found == counts, spec
