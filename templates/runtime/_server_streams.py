"""Streamed answers: a handler's binary, text or JSON-lines body given as an iterable.

A handler of an operation answering a binary or text body may return (or ``Reply`` with) an
iterable or async iterable of chunks (``bytes``, or ``str`` sent as UTF-8) instead of the whole
body: each chunk is sent as it comes, never the whole body in memory (a sync iterable is read
in a worker thread, so it may read a file). A handler of an operation answering NDJSON, JSON
Lines or a JSON text sequence returns its items (an iterable, an async iterable or an async
generator method): each is validated against the item type and sent as one line (``\\x1e``
before each of a JSON text sequence) as it comes.

An async iterable's first chunk or item is awaited before the answer starts, so that a
``Reply`` it raises (or an error) still becomes the answer. A failure after that is logged and
the connection is dropped without the body's end, so that the client sees a broken body
(``ApiConnectionError``), never a short one taken for whole.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, Protocol

from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from ._server_mock import adapter


class ResponseContent(Protocol):
    """What this module reads of ``_server_runtime.ResponseContent`` (which imports it)."""

    @property
    def media_type(self) -> str: ...
    @property
    def type(self) -> Any: ...
    @property
    def kind(self) -> str: ...
    @property
    def content_type(self) -> str: ...


class Reply(Protocol):
    """What this module reads of ``_server_runtime.Reply``."""

    @property
    def status(self) -> int: ...
    @property
    def body(self) -> Any: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


logger = logging.getLogger(__name__)

_STREAMED_KINDS = frozenset({"binary", "text", "json_lines"})
_WHOLE = (str, bytes, bytearray, memoryview, Mapping, BaseModel)


def streamable(content: ResponseContent, body: Any) -> bool:
    """Whether ``body`` is an iterable to stream as ``content`` (not a whole body)."""
    return (
        content.kind in _STREAMED_KINDS
        and not isinstance(body, _WHOLE)
        and isinstance(body, Iterable | AsyncIterable)
    )


def line(content: ResponseContent, item: Any) -> bytes:
    """One item of a JSON-lines body as sent: validated, its JSON on one line."""
    ta = adapter(content.type)
    text = ta.dump_json(ta.validate_python(item), by_alias=True, exclude_unset=True)
    if content.media_type.split(";")[0].strip().lower() == "application/json-seq":
        return b"\x1e" + text + b"\n"
    return text + b"\n"


def _chunk(content: ResponseContent, part: Any) -> bytes:
    if content.kind == "json_lines":
        return line(content, part)
    if isinstance(part, str):
        return part.encode()
    if isinstance(part, bytes | bytearray | memoryview):
        return bytes(part)
    raise TypeError(
        f"a streamed {content.media_type} body yields bytes or str, not {type(part).__name__}"
    )


async def streamed(reply: Reply, content: ResponseContent) -> StreamingResponse:
    """The answer whose body is the chunks or items of ``reply.body``, sent as they come."""
    body = reply.body
    if isinstance(body, AsyncIterable):
        iterator: AsyncIterator[Any] = aiter(body)
        try:
            first: list[Any] = [await anext(iterator)]
        except StopAsyncIteration:
            first = []
        chunks: AsyncIterator[bytes] | Iterator[bytes] = _async_chunks(
            content, first, iterator
        )
    else:
        chunks = _sync_chunks(content, body)
    return StreamingResponse(
        chunks,
        status_code=reply.status,
        headers=reply.headers,
        media_type=content.content_type,
    )


async def _async_chunks(
    content: ResponseContent, first: list[Any], rest: AsyncIterator[Any]
) -> AsyncIterator[bytes]:
    try:
        for part in first:
            yield _chunk(content, part)
        async for part in rest:
            yield _chunk(content, part)
    except Exception:
        logger.exception(
            "a streamed %s body failed after it started", content.media_type
        )
        raise


def _sync_chunks(content: ResponseContent, parts: Iterable[Any]) -> Iterator[bytes]:
    try:
        for part in parts:
            yield _chunk(content, part)
    except Exception:
        logger.exception(
            "a streamed %s body failed after it started", content.media_type
        )
        raise
