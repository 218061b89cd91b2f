"""Streamed responses: ``client.with_streaming_response.<group>.<method>(...)``.

The call returns a context manager; entering it sends the request and returns as soon as the
status and headers have arrived, with the body left unread: read it in chunks as it arrives
(``iter_bytes``, ``iter_text``, ``iter_lines``), save it (``write_to``), or read it whole
(``read``, ``parse``). Leaving the block closes the connection, read to the end or not::

    with client.with_streaming_response.files.download(file_id) as response:
        response.write_to("out.bin")

A status outside 2xx raises the same :class:`ApiError` as the plain method (its body, read
whole, is the error's ``body``); a connection that breaks while the body is read raises
:class:`ApiConnectionError`. With :class:`AsyncClient`, ``async with`` and ``async for``, and
``read``, ``write_to`` and ``parse`` are awaited.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import IO, Any, Generic, ParamSpec, TypeVar, cast

import httpx

from ._response import ResponseHeaders, ResponseInfo, captured
from .errors import transport_error

P = ParamSpec("P")
T = TypeVar("T")

FilePath = str | os.PathLike[str]


class _Streamed(ResponseInfo):
    """What the sync and async streamed responses share: status, headers, the declared ones."""

    def __init__(
        self,
        http_response: httpx.Response,
        parse: Callable[[], Any] | None,
        result: Any,
        declared: Callable[[], ResponseHeaders] | None,
    ) -> None:
        super().__init__(http_response, declared)
        self._parse = parse  # the method's decoding, deferred (None: ``result`` is it)
        self._result = result

    def _value(self) -> Any:
        if self._parse is not None:
            self._result, self._parse = self._parse(), None
        return self._result


class StreamedResponse(_Streamed, Generic[T]):
    """A response whose body is read as it arrives (see the module's docstring)."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks as they arrive (decompressed; ``chunk_size`` bytes each, but
        the last, when given)."""
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """The body as text, in chunks as they arrive (decoded with the response's charset)."""
        try:
            yield from self.http_response.iter_text(chunk_size)
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    def iter_lines(self) -> Iterator[str]:
        """The body's lines as they arrive, without their line ends."""
        try:
            yield from self.http_response.iter_lines()
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    def write_to(
        self, file: FilePath | IO[bytes], chunk_size: int | None = None
    ) -> int:
        """Write the body to a path or a binary file as it arrives; the bytes written."""
        if isinstance(file, (str, os.PathLike)):
            with open(file, "wb") as out:
                return self.write_to(out, chunk_size)
        written = 0
        for chunk in self.iter_bytes(chunk_size):
            written += file.write(chunk) or 0
        return written

    def read(self) -> bytes:
        """The whole body (what is left of it, then kept)."""
        try:
            return self.http_response.read()
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    def parse(self) -> T:
        """The value the plain method returns: the body read whole and validated as it would
        (:class:`ResponseValidationError`). For an event or JSON-lines stream, the stream.
        """
        if self._parse is not None:
            self.read()
        return cast(T, self._value())

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.http_response.close()


class AsyncStreamedResponse(_Streamed, Generic[T]):
    """A response of :class:`AsyncClient` whose body is read as it arrives."""

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks as they arrive (see :meth:`StreamedResponse.iter_bytes`)."""
        try:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """The body as text, in chunks as they arrive."""
        try:
            async for text in self.http_response.aiter_text(chunk_size):
                yield text
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body's lines as they arrive, without their line ends."""
        try:
            async for line in self.http_response.aiter_lines():
                yield line
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    async def write_to(
        self, file: FilePath | IO[bytes], chunk_size: int | None = None
    ) -> int:
        """Write the body to a path or a binary file as it arrives (in a worker thread, so
        that the event loop never waits for the disk); the bytes written."""
        if isinstance(file, (str, os.PathLike)):
            out = await asyncio.to_thread(_open_binary, file)
            try:
                return await self.write_to(out, chunk_size)
            finally:
                await asyncio.to_thread(out.close)
        written = 0
        async for chunk in self.iter_bytes(chunk_size):
            written += await asyncio.to_thread(file.write, chunk) or 0
        return written

    async def read(self) -> bytes:
        """The whole body (what is left of it, then kept)."""
        try:
            return await self.http_response.aread()
        except httpx.TransportError as exc:
            raise transport_error(self.http_response.request, exc) from exc

    async def parse(self) -> T:
        """The value the plain method returns (see :meth:`StreamedResponse.parse`)."""
        if self._parse is not None:
            await self.read()
        return cast(T, self._value())

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        await self.http_response.aclose()


def _open_binary(path: FilePath) -> IO[bytes]:
    return open(path, "wb")


def _opened(slot: Any, result: Any) -> tuple[httpx.Response, tuple[Any, ...]]:
    if slot.response is None:  # pragma: no cover - every method sends a request
        raise RuntimeError("the call sent no request")
    return slot.response, (slot.parse, result, slot.headers)


class StreamedCall(Generic[T]):
    """A call of ``with_streaming_response``: ``with`` sends it and gives the response."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._response: StreamedResponse[T] | None = None

    def __enter__(self) -> StreamedResponse[T]:
        with captured(stream=True) as slot:
            result = self._call()
        response, parts = _opened(slot, result)
        self._response = StreamedResponse(response, *parts)
        return self._response

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncStreamedCall(Generic[T]):
    """A call of ``AsyncClient.with_streaming_response``: ``async with`` sends it."""

    def __init__(self, call: Callable[[], Awaitable[T]]) -> None:
        self._call = call
        self._response: AsyncStreamedResponse[T] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[T]:
        with captured(stream=True) as slot:
            result = await self._call()
        response, parts = _opened(slot, result)
        self._response = AsyncStreamedResponse(response, *parts)
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            await self._response.close()


def to_streamed_response(method: Callable[P, T]) -> Callable[P, StreamedCall[T]]:
    """Wrap a client method so that it returns a :class:`StreamedCall`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> StreamedCall[T]:
        return StreamedCall(lambda: method(*args, **kwargs))

    return wrapped


def async_to_streamed_response(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, AsyncStreamedCall[T]]:
    """Wrap an async client method so that it returns an :class:`AsyncStreamedCall`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncStreamedCall[T]:
        return AsyncStreamedCall(lambda: method(*args, **kwargs))

    return wrapped
