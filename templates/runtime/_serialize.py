"""Arguments to the wire: parameters by location and style, and request bodies (JSON, text,
binary; form and multipart bodies are encoded by ``_forms``).

Parameters follow the OpenAPI ``style``/``explode`` rules: ``simple``, ``label`` and
``matrix`` in paths (percent-encoded), ``form``, ``spaceDelimited``, ``pipeDelimited`` and
``deepObject`` in queries, ``simple`` in headers and ``form`` in cookies; one declared with
``content: application/json`` (style ``json`` here) is its JSON text, anywhere. Values are first made
JSON-like (models, enums, UUIDs and dates become dicts and strings), booleans are written
``true``/``false`` and ``None`` is an empty value.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any, TypeAlias, cast
from urllib.parse import quote

import httpx
import pydantic
from pydantic_core import to_jsonable_python

from ._spec import Content, Param

_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def jsonable(value: object) -> Any:
    """A JSON-like copy of ``value``; models leave out the fields that were never set.

    Serialization warnings are off: a model received with a value this client does not know
    (see ``_response``) is sent back as received.
    """
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(
            mode="json", by_alias=True, exclude_unset=True, warnings=False
        )
    return to_jsonable_python(value, by_alias=True)


def scalar(value: Any) -> str:
    """One JSON-like value as text: ``true``/``false``, ``""`` for None, JSON for containers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _enc(value: Any) -> str:
    return quote(scalar(value), safe="")


def path_segment(param: Param, value: object) -> str:
    """The text that replaces ``{name}`` in the path, percent-encoded.

    A value of only dots is encoded too (``%2E%2E``): as ``..`` it would be a dot segment, and
    URL normalization would send the request to another path.
    """
    segment = _path_segment(param, value)
    return segment.replace(".", "%2E") if not segment.strip(".") else segment


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def _path_segment(param: Param, value: object) -> str:
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return quote(_json(data), safe="")
    if data is None or data in ("", [], {}):
        raise ValueError(f"path parameter {param.python_name!r} must not be empty")
    explode = param.explode
    if isinstance(data, dict):
        if explode:
            items = [f"{_enc(k)}={_enc(v)}" for k, v in data.items()]
        else:
            items = [_enc(x) for kv in data.items() for x in kv]
    elif isinstance(data, list):
        items = [_enc(x) for x in data]
    else:
        items = [_enc(data)]
    if param.style == "label":
        return "." + ("." if explode else ",").join(items)
    if param.style == "matrix":
        name = quote(param.name, safe="")
        if explode and isinstance(data, dict):
            return "".join(f";{x}" for x in items)
        if explode and isinstance(data, list):
            return "".join(f";{name}={x}" for x in items)
        return f";{name}=" + ",".join(items)
    return ",".join(items)


def query_pairs(param: Param, value: object) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of a query parameter (httpx percent-encodes them)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return [(param.name, _json(data))]
    if param.style == "deepObject" and isinstance(data, dict):
        return _deep_object(param.name, data)
    if isinstance(data, list):
        if param.explode:
            return [(param.name, scalar(x)) for x in data]
        delimiter = _DELIMITERS.get(param.style, ",")
        return [(param.name, delimiter.join(scalar(x) for x in data))]
    if isinstance(data, dict):
        if param.explode:
            return [(str(k), scalar(v)) for k, v in data.items()]
        return [(param.name, ",".join(scalar(x) for kv in data.items() for x in kv))]
    return [(param.name, scalar(data))]


def _deep_object(
    prefix: str, data: dict[str, Any] | list[Any]
) -> list[tuple[str, str]]:
    """``prefix[key]=value`` pairs, nested objects as ``prefix[key][inner]``; an array of scalars
    repeats its key, an array holding objects or arrays numbers its items (``prefix[key][0]``).
    """
    pairs: list[tuple[str, str]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        name = f"{prefix}[{key}]"
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(x, (dict, list)) for x in value)
        ):
            pairs.extend(_deep_object(name, value))
        elif isinstance(value, list):
            pairs.extend((name, scalar(x)) for x in value)
        else:
            pairs.append((name, scalar(value)))
    return pairs


def header_value(param: Param, value: object) -> str:
    """A header parameter (style ``simple``)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return _json(data)
    if isinstance(data, list):
        return ",".join(scalar(x) for x in data)
    if isinstance(data, dict):
        if param.explode:
            return ",".join(f"{k}={scalar(v)}" for k, v in data.items())
        return ",".join(scalar(x) for kv in data.items() for x in kv)
    return scalar(data)


def cookie_pairs(param: Param, value: object) -> list[str]:
    """``name=value`` items of the Cookie header (style ``form``, values percent-encoded)."""
    data = jsonable(value)
    if param.style == "json":  # content: application/json
        return [f"{param.name}={quote(_json(data), safe='')}"]
    if isinstance(data, list):
        if param.explode:
            return [f"{param.name}={_enc(x)}" for x in data]
        return [f"{param.name}=" + ",".join(_enc(x) for x in data)]
    if isinstance(data, dict):
        if param.explode:
            return [f"{k}={_enc(v)}" for k, v in data.items()]
        return [f"{param.name}=" + ",".join(_enc(x) for kv in data.items() for x in kv)]
    return [f"{param.name}={_enc(data)}"]


@lru_cache(maxsize=512)
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """A cached TypeAdapter for a type from the endpoint table."""
    return pydantic.TypeAdapter(tp)


@dataclass
class EncodedBody:
    """What httpx needs to send a body: raw content, or multipart parts."""

    content: bytes | None = None
    parts: list[tuple[str, Any]] = field(default_factory=list)
    content_type: str | None = None
    stream: BodyStream | None = None  # a file or an iterable, sent in chunks


class BodyStream:
    """A binary body sent in chunks as it is read, never whole in memory: a binary file (from
    where it stands when the call is made; with ``AsyncClient``, read in a worker thread), an
    iterable of bytes, or (``AsyncClient`` only) an async iterable of bytes.

    Sent again (a retry, a 307 or 308 redirect), a seekable file is read again from the same
    place, a list again from its start; a one-pass iterator or a pipe cannot be, and raises
    ``httpx.StreamConsumed``. A file's length goes in ``Content-Length`` when it can be told
    (a seekable file); other bodies are sent chunked.
    """

    CHUNK = 64 * 1024

    def __init__(self, source: object) -> None:
        self._source = source
        self._start: int | None = None
        self.length: int | None = None
        seekable = getattr(source, "seekable", None)
        if hasattr(source, "read") and callable(seekable) and seekable():
            file = cast(IO[bytes], source)
            self._start = file.tell()
            self.length = file.seek(0, io.SEEK_END) - self._start
            file.seek(self._start)
        self._sent = False

    @property
    def headers(self) -> dict[str, str]:
        """The framing header when the length is known (else httpx sends it chunked)."""
        return {} if self.length is None else {"Content-Length": str(self.length)}

    def content(self, asynchronous: bool) -> Iterable[bytes] | AsyncIterable[bytes]:
        """What to pass httpx as ``content``: iterable again on each send, by the client's kind."""
        return _AsyncChunks(self) if asynchronous else _Chunks(self)

    def _again(self) -> None:
        source = self._source
        once = (
            self._start is None
            and not isinstance(source, (list, tuple))
            and (
                hasattr(source, "read")
                or not isinstance(source, Iterable)
                or iter(source) is source
            )
        )
        if self._sent and once:
            raise httpx.StreamConsumed()
        self._sent = True
        if self._start is not None:
            cast(IO[bytes], source).seek(self._start)

    def chunks(self) -> Iterator[bytes]:
        """The body's chunks, read as they are sent (``Client``)."""
        self._again()
        source = self._source
        if hasattr(source, "read"):
            read = cast(IO[bytes], source).read
            while chunk := read(self.CHUNK):
                yield bytes(chunk)
        elif isinstance(source, Iterable):
            for chunk in source:
                yield bytes(chunk)
        else:
            raise TypeError("an async iterable body can only be sent by AsyncClient")

    async def achunks(self) -> AsyncIterator[bytes]:
        """The body's chunks, read as they are sent (``AsyncClient``)."""
        self._again()
        source = self._source
        if hasattr(source, "read"):
            read = cast(IO[bytes], source).read
            while chunk := await asyncio.to_thread(read, self.CHUNK):
                yield bytes(chunk)
        elif isinstance(source, AsyncIterable):
            async for chunk in source:
                yield bytes(chunk)
        else:
            for chunk in cast(Iterable[bytes], source):
                yield bytes(chunk)


class _Chunks:
    def __init__(self, body: BodyStream) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        return self._body.chunks()


class _AsyncChunks:
    def __init__(self, body: BodyStream) -> None:
        self._body = body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._body.achunks()


BodyEncoder: TypeAlias = Callable[[Content, object], EncodedBody]

BODY_ENCODERS: dict[str, BodyEncoder] = {}
"""Encoders of the body kinds with a module of their own: ``form`` and ``multipart`` (in
``_forms``, which a package has only when one of its operations sends such a body; its
``_endpoints`` adds them here)."""


def encode_body(spec: Content, body: object) -> EncodedBody:
    """Validate ``body`` against the declared type and encode it for its media type."""
    encoder = BODY_ENCODERS.get(spec.kind)
    if encoder is not None:
        return encoder(spec, body)
    if spec.kind in ("form", "multipart"):
        raise TypeError(
            f"no {spec.kind} encoder: no operation of this package sends a {spec.media_type} body"
        )
    if spec.kind == "binary":
        if isinstance(body, (bytes, bytearray, memoryview)):
            return EncodedBody(content=bytes(body), content_type=spec.media_type)
        if isinstance(body, (str, Mapping)) or not (
            hasattr(body, "read") or isinstance(body, (Iterable, AsyncIterable))
        ):
            raise TypeError(
                f"a {spec.media_type} body must be bytes, a binary file or an iterable of bytes"
            )
        return EncodedBody(stream=BodyStream(body), content_type=spec.media_type)
    if spec.kind in ("text", "event_stream"):
        return EncodedBody(
            content=str(body).encode(), content_type=f"{spec.media_type}; charset=utf-8"
        )
    ad = adapter(spec.type)
    content = ad.dump_json(
        ad.validate_python(body), by_alias=True, exclude_unset=True, warnings=False
    )
    return EncodedBody(content=content, content_type=spec.media_type)


def merge_query(
    pairs: list[tuple[str, str]], extra: Mapping[str, str] | None
) -> httpx.QueryParams:
    """Query pairs, with ``extra`` replacing parameters of the same name."""
    params = httpx.QueryParams(tuple(pairs))
    for key, value in (extra or {}).items():
        params = params.set(key, value)
    return params
