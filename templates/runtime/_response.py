"""Responses to Python values, and the raw-response wrappers.

A 2xx body becomes the type the spec declares for its status: a model (validated with
pydantic), ``None`` when there is no content, ``bytes`` for binary and ``str`` for text.

Unknown enum values: a newer server may send a value an older client does not know. Such a
mismatch never raises; the value is kept as the plain string (or number) the server sent,
inside models built with ``model_construct``. Any other mismatch raises
:class:`ResponseValidationError`, unless the client was made with ``strict_responses=False``:
then the value is built as far as it fits, the rest kept as received.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import types
import typing
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar, cast
from urllib.parse import parse_qsl

import httpx
import pydantic

from ._serialize import adapter
from ._spec import Content, Endpoint, Header
from .errors import ResponseValidationError

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

ENUM_ERRORS = frozenset({"enum", "literal_error"})


def _payload(content: Content, response: httpx.Response) -> object:
    if content.kind == "json":
        return response.json() if response.content else None
    if content.kind == "form":
        return dict(parse_qsl(response.text, keep_blank_values=True))
    if content.kind in ("text", "event_stream"):
        return response.text
    return response.content


def _content(endpoint: Endpoint[Any], response: httpx.Response) -> Content | None:
    reply = endpoint.reply_for(response.status_code)
    content_type = response.headers.get("content-type", "")
    if reply is not None:
        return reply.content_for(content_type) if response.content else None
    # Nothing declared for this status: decode by the Content-Type header.
    if not response.content:
        return None
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json" or mime.endswith("+json"):
        return Content(mime, "json", lambda: Any)
    if mime.startswith("text/"):
        return Content(mime, "text", lambda: str)
    return Content(mime, "binary", lambda: bytes)


def decode_success(
    endpoint: Endpoint[Any], response: httpx.Response, *, strict: bool
) -> object:
    """The value of a 2xx response, validated against the declared type; a plain array or map
    (a RootModel of a list or dict) as its list or dict."""
    content = _content(endpoint, response)
    if content is None:
        return None
    value = _decode(content, response, strict=strict)
    if content.unwrap and isinstance(value, pydantic.RootModel):
        return value.root
    return value


def _decode(content: Content, response: httpx.Response, *, strict: bool) -> object:
    if content.kind == "json":
        try:
            return adapter(content.type).validate_json(response.content)
        except pydantic.ValidationError:
            pass  # not JSON, or not the declared type: the general path below says which
    try:
        payload = _payload(content, response)
    except ValueError as exc:  # JSON that does not parse
        raise ResponseValidationError(response, content.media_type, str(exc)) from exc
    try:
        return adapter(content.type).validate_python(payload)
    except pydantic.ValidationError as exc:
        if strict and any(e["type"] not in ENUM_ERRORS for e in exc.errors()):
            raise ResponseValidationError(
                response, _type_name(content.type), str(exc)
            ) from exc
        log.debug(
            "lenient response for %s %s: %s",
            response.request.method,
            response.request.url.path,
            exc,
        )
        return construct(content.type, payload)


def decode_error_body(endpoint: Endpoint[Any], response: httpx.Response) -> object:
    """The body of an error response: the declared model if it fits, else JSON or text."""
    content = _content(endpoint, response)
    if content is None:
        return None
    try:
        payload = _payload(content, response)
    except ValueError:
        return response.text
    try:
        return adapter(content.type).validate_python(payload)
    except pydantic.ValidationError:
        return payload


def _type_name(tp: Any) -> str:
    """``list[models.Run]`` rather than the fully qualified repr."""
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "").replace(f"{__package__}.", "")


def construct(tp: Any, value: Any) -> Any:
    """``value`` as ``tp`` as far as it fits; what does not fit is kept as received."""
    try:
        return adapter(tp).validate_python(value)
    except (pydantic.ValidationError, TypeError):
        pass
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return construct(args[0], value)
    if isinstance(tp, type) and issubclass(tp, pydantic.RootModel):
        return tp.model_construct(construct(tp.model_fields["root"].annotation, value))
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return _construct_model(tp, value) if isinstance(value, dict) else value
    if origin is list and isinstance(value, list) and args:
        return [construct(args[0], x) for x in value]
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: construct(args[1], x) for k, x in value.items()}
    if origin in (typing.Union, types.UnionType):
        return _construct_union(args, value)
    return value


def _construct_model(
    tp: type[pydantic.BaseModel], value: dict[str, Any]
) -> pydantic.BaseModel:
    rest = dict(value)
    fields: dict[str, Any] = {}
    for name, info in tp.model_fields.items():
        key = info.alias if info.alias in rest else name
        if key in rest:
            fields[name] = construct(info.annotation, rest.pop(key))
    if tp.model_config.get("extra") == "allow":
        fields.update(rest)
    return tp.model_construct(**fields)


def _construct_union(members: tuple[Any, ...], value: Any) -> Any:
    for member in members:
        try:
            return adapter(member).validate_python(value)
        except (pydantic.ValidationError, TypeError):
            continue
    for member in members:
        shape = typing.get_origin(member) or member
        if (
            isinstance(value, dict)
            and isinstance(shape, type)
            and issubclass(shape, pydantic.BaseModel | dict)
        ):
            return construct(member, value)
        if isinstance(value, list) and shape is list:
            return construct(member, value)
    return value


class ResponseHeaders(Mapping[str, Any]):
    """The response headers the spec declares for a response's status, as their declared types.

    By Python name, as attributes or keys: ``headers.x_rate_limit_remaining`` (an ``int`` if
    the spec says ``integer``), ``headers["location"]``. A declared header the response lacks
    is None. Iterating gives the names of every declared header.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no declared response header {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._values!r})"


def decode_headers(
    endpoint: Endpoint[Any], response: httpx.Response, *, strict: bool
) -> ResponseHeaders:
    """The declared headers of ``response``, validated against their types: a missing required
    header or a value that does not fit raises :class:`ResponseValidationError` (with
    ``strict=False``, such a value is kept as the string received)."""
    reply = endpoint.reply_for(response.status_code)
    values: dict[str, Any] = {}
    for header in reply.headers if reply is not None else ():
        text = response.headers.get(header.name)
        if text is None:
            if header.required and strict:
                raise ResponseValidationError(
                    response, f"header {header.name}", "required, missing"
                )
            values[header.python_name] = None
            continue
        try:
            values[header.python_name] = _header_value(header, text)
        except pydantic.ValidationError as exc:
            if strict:
                raise ResponseValidationError(
                    response, f"header {header.name}", str(exc)
                ) from exc
            values[header.python_name] = text
    return ResponseHeaders(values)


def _header_value(header: Header, text: str) -> Any:
    """A header's value as its type: a list is comma-separated (the ``simple`` style)."""
    shape = typing.get_origin(header.type) or header.type
    if shape in (list, tuple, set, frozenset):
        return adapter(header.type).validate_strings(
            [part.strip() for part in text.split(",")]
        )
    if header.type is str:
        return text
    return adapter(header.type).validate_strings(text)


class ResponseInfo:
    """What the raw and streamed responses share: the HTTP response, its status and headers,
    and the headers the spec declares."""

    def __init__(
        self,
        http_response: httpx.Response,
        declared: Callable[[], ResponseHeaders] | None,
    ) -> None:
        self.http_response = http_response
        self._declared = declared
        self._declared_headers: ResponseHeaders | None = None

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def declared_headers(self) -> ResponseHeaders:
        """The response headers the spec declares for this status, as their declared types
        (validated on first use: :class:`ResponseValidationError` as for the body)."""
        if self._declared_headers is None:
            declared = self._declared
            self._declared_headers = declared() if declared else ResponseHeaders({})
        return self._declared_headers

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}]>"


class RawResponse(ResponseInfo, Generic[T]):
    """A method's result together with the HTTP response it came from.

    ``client.with_raw_response.<group>.<method>(...)`` returns one: ``.http_response`` (the
    :class:`httpx.Response`), ``.headers``, ``.status_code``, ``.declared_headers`` (the
    response headers the spec declares, typed: :class:`ResponseHeaders`) and ``.parse()`` for
    the value the plain method returns. The body is not validated until ``.parse()`` is called,
    which raises :class:`ResponseValidationError` as the plain method would; so a body that does
    not fit can still be read from ``.http_response``. For event streams the response is open
    and ``.parse()`` is the stream.
    """

    def __init__(
        self,
        http_response: httpx.Response,
        parse: Callable[[], T],
        declared: Callable[[], ResponseHeaders] | None = None,
    ) -> None:
        super().__init__(http_response, declared)
        self._parse: Callable[[], T] | None = parse
        self._parsed: T | None = None

    def parse(self) -> T:
        """The value the plain method returns (validated on the first call, then kept)."""
        if self._parse is not None:
            self._parsed, self._parse = self._parse(), None
        return cast(T, self._parsed)


class _Slot:
    response: httpx.Response | None = None
    parse: Callable[[], Any] | None = None
    headers: Callable[[], ResponseHeaders] | None = None
    stream: bool = (
        False  # a streamed call: the response is left unread (``_streaming``)
    )


_CAPTURE: ContextVar[_Slot | None] = ContextVar("_CAPTURE", default=None)


@contextlib.contextmanager
def captured(*, stream: bool = False) -> Iterator[_Slot]:
    """While the block runs, the client's calls record their response here instead of decoding
    it (the raw and streamed response wrappers); ``stream``: and leave its body unread.
    """
    slot = _Slot()
    slot.stream = stream
    token = _CAPTURE.set(slot)
    try:
        yield slot
    finally:
        _CAPTURE.reset(token)


def streaming() -> bool:
    """Whether the running call is a streamed one, whose response body is not read before the
    method returns (``client.with_streaming_response``)."""
    slot = _CAPTURE.get()
    return slot is not None and slot.stream


def record(response: httpx.Response, endpoint: Endpoint[Any], *, strict: bool) -> None:
    """Called by the client with each successful response; kept while a raw call runs."""
    slot = _CAPTURE.get()
    if slot is not None and slot.response is None:
        slot.response = response
        slot.headers = lambda: decode_headers(endpoint, response, strict=strict)


def deferred(parse: Callable[[], T]) -> T | None:
    """``parse()``; while a raw call runs, None instead, and ``parse`` is kept for later."""
    slot = _CAPTURE.get()
    if slot is None:
        return parse()
    slot.parse = parse
    return None


def _raw(slot: _Slot, parsed: T) -> RawResponse[T]:
    if slot.response is None:  # pragma: no cover - every method sends a request
        raise RuntimeError("the call sent no request")
    parse = slot.parse if slot.parse is not None else (lambda: parsed)
    return RawResponse(slot.response, parse, slot.headers)


def to_raw_response(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """Wrap a client method so that it returns a :class:`RawResponse`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with captured() as slot:
            parsed = method(*args, **kwargs)
        return _raw(slot, parsed)

    return wrapped


def async_to_raw_response(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[RawResponse[T]]]:
    """Wrap an async client method so that it returns a :class:`RawResponse`."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with captured() as slot:
            parsed = await method(*args, **kwargs)
        return _raw(slot, parsed)

    return wrapped
