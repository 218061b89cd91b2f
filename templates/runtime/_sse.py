"""Server-sent events: an incremental decoder and the streams methods return.

The decoder follows the WHATWG rules: lines end with CR, LF or CRLF (even when a chunk
boundary splits a CRLF); ``:`` starts a comment; ``data`` lines are joined with newlines; an
event is dispatched at a blank line, and only if it has data, so comments and keep-alives
yield nothing; an ``id`` containing NUL is ignored; ``retry`` must be all digits; a last
event without its blank line is dropped when the stream ends. ``data`` is JSON-decoded when
it parses, else it stays a string.

Reconnection: when the connection breaks in the middle of a stream whose operation declares
a ``Last-Event-ID`` header (and is idempotent), the stream sends the request again with
``Last-Event-ID`` set to the last id received, waiting the server's ``retry`` delay (or the
client's backoff), at most ``max_retries`` times in a row. Without an id received so far, or
for other operations, the break raises :class:`ApiConnectionError`. A stream that ends
normally is over: it is not reopened.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel
from pydantic_core import to_json

from .errors import transport_error

_LINE_END = re.compile(r"\r\n|\r|\n")
ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One event of a ``text/event-stream``, as the client receives it and as a server handler
    sends it (``server.ServerSentEvent`` is this class): ``ServerSentEvent(data, event="name",
    id="7")``. ``event`` defaults to ``"message"``, SSE's default name. Received ``data`` is
    JSON-decoded when it parses, else the text; sent, a str is the text and anything else
    (a model, a dict, ...) is sent as JSON."""

    data: Any = None
    event: str = "message"
    id: str | None = None
    retry: int | None = None

    def encode(self) -> bytes:
        """The event as sent: its ``event``, ``id`` and ``retry`` fields and ``data`` lines."""
        lines = ["event: " + _one_line(self.event)]
        if self.id is not None:
            lines.append("id: " + _one_line(self.id))
        if self.retry is not None:
            lines.append(f"retry: {int(self.retry)}")
        # Always a data line: clients drop events without data (None is sent as null).
        text = self.data if isinstance(self.data, str) else json_text(self.data)
        lines.extend("data: " + line for line in _LINE_END.split(text))
        return ("\n".join(lines) + "\n\n").encode()


def _one_line(text: str) -> str:
    return _LINE_END.sub(" ", text).replace("\0", "")


def json_text(value: Any) -> str:
    """``value`` as JSON text: a model by its wire names, without the fields left unset."""
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True, exclude_unset=True)
    return to_json(value, by_alias=True).decode()


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the complete events."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._started = False
        self._after_cr = False
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self.last_event_id: str | None = None
        self.retry: int | None = (
            None  # the reconnection delay the server asked for, in ms
        )

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        text = self._text.decode(chunk)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._after_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split across chunks
        if text:
            self._after_cr = text.endswith("\r")
        lines = _LINE_END.split(self._buffer + text)
        self._buffer = lines.pop()
        events = []
        for line in lines:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = self.last_event_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = self.retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        event, data, id_, retry = self._event, self._data, self._id, self._retry
        self._event, self._data, self._id, self._retry = "", [], None, None
        if not data:
            return None
        text = "\n".join(data)
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        return ServerSentEvent(value, event or "message", id_, retry)


class Opened(Generic[ItemT]):
    """An iterator over the items of an open response, closed by a ``with`` block or at the
    end; the base of :class:`Stream` and ``_jsonl.JsonLines``."""

    response: httpx.Response
    _iterator: Iterator[ItemT]

    def __iter__(self) -> Iterator[ItemT]:
        return self

    def __next__(self) -> ItemT:
        return next(self._iterator)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.response.close()


class Stream(Opened[ServerSentEvent]):
    """The events of a ``text/event-stream`` response, as an iterator.

    Use it in a ``with`` block, or iterate to the end, to close the connection::

        with client.<group>.<method>(...) as stream:
            for event in stream:
                print(event.event, event.data)

    ``.response`` is the :class:`httpx.Response` (headers are there).
    """

    def __init__(
        self,
        response: httpx.Response,
        reconnect: Callable[[str], httpx.Response] | None,
        delay: Callable[[int, int | None], float],
        sleep: Callable[[float], None],
        max_reconnects: int,
    ) -> None:
        self.response = response
        self._reconnect = reconnect
        self._delay = delay
        self._sleep = sleep
        self._max_reconnects = max_reconnects
        self._iterator = self._events()

    def _events(self) -> Generator[ServerSentEvent, None, None]:
        decoder, failures = SSEDecoder(), 0
        try:
            while True:
                try:
                    for chunk in self.response.iter_bytes():
                        for event in decoder.feed(chunk):
                            failures = 0
                            yield event
                    return
                except httpx.TransportError as exc:
                    last_id = decoder.last_event_id
                    if (
                        self._reconnect is None
                        or last_id is None
                        or failures >= self._max_reconnects
                    ):
                        raise transport_error(self.response.request, exc) from exc
                    self.response.close()
                    self._sleep(self._delay(failures, decoder.retry))
                    failures += 1
                    self.response = self._reconnect(last_id)
                    decoder = _resumed(decoder)
        finally:
            self.response.close()


class AsyncOpening(Generic[ItemT]):
    """An async iterator over the items of a response that is requested when first used:
    ``async for``, ``async with`` or ``await`` (which returns it opened, e.g. to read
    ``.response.headers``); the base of :class:`AsyncStream` and ``_jsonl.AsyncJsonLines``.
    """

    _response: httpx.Response | None = None
    _iterator: AsyncIterator[ItemT]

    async def _connect(
        self,
    ) -> httpx.Response:  # pragma: no cover - each subclass has one
        raise NotImplementedError

    @property
    def response(self) -> httpx.Response:
        """The HTTP response; the stream must have been opened (awaited or iterated)."""
        if self._response is None:
            raise RuntimeError(
                "the stream is not open yet: await it, or use it in async with / async for"
            )
        return self._response

    async def open(self) -> Self:
        """Send the request, if not done yet; raises :class:`ApiError` on a status outside 2xx."""
        if self._response is None:
            self._response = await self._connect()
        return self

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self

    async def __anext__(self) -> ItemT:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection (idempotent)."""
        if self._response is not None:
            await self._response.aclose()


class AsyncStream(AsyncOpening[ServerSentEvent]):
    """The events of a ``text/event-stream`` response, as an async iterator.

    The request is sent when the stream is first used: ``async for``, ``async with`` or
    ``await`` (which returns the opened stream, e.g. to read ``.response.headers``)::

        async with client.<group>.<method>(...) as stream:
            async for event in stream:
                print(event.event, event.data)
    """

    def __init__(
        self,
        open: Callable[[str | None], Awaitable[httpx.Response]],
        resumable: bool,
        delay: Callable[[int, int | None], float],
        sleep: Callable[[float], Awaitable[None]],
        max_reconnects: int,
    ) -> None:
        self._open = open
        self._resumable = resumable
        self._delay = delay
        self._sleep = sleep
        self._max_reconnects = max_reconnects
        self._response = None
        self._iterator = self._events()

    async def _connect(self) -> httpx.Response:
        return await self._open(None)

    async def _events(self) -> AsyncIterator[ServerSentEvent]:
        response = (await self.open()).response
        decoder, failures = SSEDecoder(), 0
        try:
            while True:
                try:
                    async for chunk in response.aiter_bytes():
                        for event in decoder.feed(chunk):
                            failures = 0
                            yield event
                    return
                except httpx.TransportError as exc:
                    last_id = decoder.last_event_id
                    if (
                        not self._resumable
                        or last_id is None
                        or failures >= self._max_reconnects
                    ):
                        raise transport_error(response.request, exc) from exc
                    await response.aclose()
                    await self._sleep(self._delay(failures, decoder.retry))
                    failures += 1
                    response = self._response = await self._open(last_id)
                    decoder = _resumed(decoder)
        finally:
            await self.aclose()


def _resumed(old: SSEDecoder) -> SSEDecoder:
    """A decoder for a new connection that remembers the last id and retry delay."""
    new = SSEDecoder()
    new.last_event_id, new.retry = old.last_event_id, old.retry
    return new
