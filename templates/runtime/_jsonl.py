"""JSON-lines streams: NDJSON (``application/x-ndjson``), JSON Lines (``application/jsonl``) and
JSON text sequences (``application/json-seq``, RFC 7464), decoded item by item as they arrive.

A method whose response is one returns a :class:`JsonLines` (``AsyncClient``: an
:class:`AsyncJsonLines`) of the item type the spec gives (the schema's ``items`` for an array
schema, else the schema)::

    with client.<group>.<method>(...) as items:
        for item in items:
            print(item)

Each line is validated as it arrives: one that is not JSON, or (with ``strict_responses``, the
default) does not fit the item type, raises :class:`ResponseValidationError` naming the line.
Blank lines are skipped; a last line without its line end is still an item.
"""

from __future__ import annotations

import json
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._response import ENUM_ERRORS, construct
from ._serialize import adapter
from ._spec import Endpoint
from ._sse import AsyncOpening, Opened
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .errors import ResponseValidationError, transport_error

T = TypeVar("T")

_RS = b"\x1e"  # a JSON text sequence's record separator


class JsonLinesDecoder(Generic[T]):
    """Feed it bytes as they arrive; it returns the complete items, validated."""

    def __init__(
        self, response: httpx.Response, item_type: Any, *, strict: bool
    ) -> None:
        self._response = response
        self._type = item_type
        self._strict = strict
        mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
        self._separator = _RS if mime == "application/json-seq" else b"\n"
        self._buffer = b""
        self.line = 0  # the number of the last record split off

    def feed(self, chunk: bytes) -> Iterator[T]:
        """The items the chunk completes, each validated when it is reached (a bad line
        raises after the items before it)."""
        records = (self._buffer + chunk).split(self._separator)
        self._buffer = records.pop()
        for text in records:
            yield from self._item(text)

    def end(self) -> Iterator[T]:
        """The last record, when the stream ends without its separator."""
        text, self._buffer = self._buffer, b""
        return self._item(text)

    def _item(self, text: bytes) -> Iterator[T]:
        self.line += 1
        text = text.strip(b" \t\r\n" + _RS)
        if not text:
            return
        try:
            yield adapter(self._type).validate_json(text)
            return
        except pydantic.ValidationError as exc:
            error = exc
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise self._invalid(f"not JSON: {exc}") from exc
        if self._strict and any(e["type"] not in ENUM_ERRORS for e in error.errors()):
            raise self._invalid(str(error)) from error
        yield construct(self._type, value)

    def _invalid(self, message: str) -> ResponseValidationError:
        return ResponseValidationError(self._response, f"line {self.line}", message)


class JsonLines(Opened[T]):
    """The items of a JSON-lines response, as an iterator; ``.response`` is the
    :class:`httpx.Response`. Use it in a ``with`` block, or iterate to the end, to close the
    connection."""

    def __init__(
        self, response: httpx.Response, item_type: Any, *, strict: bool
    ) -> None:
        self.response = response
        self._decoder: JsonLinesDecoder[T] = JsonLinesDecoder(
            response, item_type, strict=strict
        )
        self._iterator = self._items()

    def _items(self) -> Generator[T, None, None]:
        try:
            for chunk in self.response.iter_bytes():
                yield from self._decoder.feed(chunk)
            yield from self._decoder.end()
        except httpx.TransportError as exc:
            raise transport_error(self.response.request, exc) from exc
        finally:
            self.response.close()


class AsyncJsonLines(AsyncOpening[T]):
    """The items of a JSON-lines response, as an async iterator. The request is sent when it is
    first used: ``async for``, ``async with`` or ``await`` (which returns it opened)."""

    def __init__(
        self,
        open: Callable[[], Awaitable[httpx.Response]],
        item_type: Callable[[httpx.Response], Any],
        *,
        strict: bool,
    ) -> None:
        self._open = open
        self._item_type = item_type
        self._strict = strict
        self._response = None
        self._iterator = self._items()

    async def _connect(self) -> httpx.Response:
        return await self._open()

    async def _items(self) -> AsyncIterator[T]:
        response = (await self.open()).response
        decoder: JsonLinesDecoder[T] = JsonLinesDecoder(
            response, self._item_type(response), strict=self._strict
        )
        try:
            async for chunk in response.aiter_bytes():
                for item in decoder.feed(chunk):
                    yield item
            for item in decoder.end():
                yield item
        except httpx.TransportError as exc:
            raise transport_error(response.request, exc) from exc
        finally:
            await self.aclose()


def item_type(endpoint: Endpoint[Any], response: httpx.Response) -> Any:
    """The item type of the response's declared content (``Any`` when none is declared)."""
    reply = endpoint.reply_for(response.status_code)
    content = (
        reply.content_for(response.headers.get("content-type", "")) if reply else None
    )
    return content.type if content is not None else Any


def json_lines(
    client: SyncAPIClient,
    endpoint: Endpoint[T],
    args: Mapping[str, object],
    *,
    body: object = NOT_GIVEN,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    max_retries: int | NotGiven = NOT_GIVEN,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> JsonLines[T]:
    """Send a ``Client`` call whose answer is a JSON-lines stream; its items as they arrive."""
    request = client._build_request(
        client._http,
        endpoint,
        args,
        body=body,
        timeout=timeout,
        extra_headers=extra_headers,
        extra_query=extra_query,
        stream=True,
    )
    response = client._send(
        endpoint, request, stream=True, retries=client._retries(max_retries)
    )
    return JsonLines(
        response, item_type(endpoint, response), strict=client._strict_responses
    )


def async_json_lines(
    client: AsyncAPIClient,
    endpoint: Endpoint[T],
    args: Mapping[str, object],
    *,
    body: object = NOT_GIVEN,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    max_retries: int | NotGiven = NOT_GIVEN,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> AsyncJsonLines[T]:
    """An ``AsyncClient`` call whose answer is a JSON-lines stream (sent when first used)."""

    async def open_stream() -> httpx.Response:
        request = client._build_request(
            client._http,
            endpoint,
            args,
            body=body,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            stream=True,
        )
        return await client._send(
            endpoint, request, stream=True, retries=client._retries(max_retries)
        )

    return AsyncJsonLines(
        open_stream,
        lambda response: item_type(endpoint, response),
        strict=client._strict_responses,
    )
