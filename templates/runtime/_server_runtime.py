"""How the generated server answers: with the user's handler, from the spec, or with 501.

Each route of ``server.py`` lets FastAPI validate the request against the generated models,
then calls :meth:`ServerOperation.serve` with the handler's keyword arguments. ``serve`` finds
the handler method (or falls back: a mock answer from ``_server_mock``, or 501), turns what it
returns into an HTTP response checked against the responses the spec declares, and turns an
exception into a 500 whose traceback goes to the log of ``server.py`` (``<package>.server``),
never to the caller.

The server's own types are named apart from the client's (``_spec``: ``Endpoint``, ``Declared``,
``Content``, ``Header``): a ``ServerOperation`` has ``DeclaredResponse`` entries, each with
``ResponseContent`` and ``ResponseHeader`` entries.

An operation that declares an idempotency key header (``Idempotency-Key``) is served once per
key: the answer is kept in an :class:`IdempotencyStore` (in memory by default) and a request
repeating the key gets it again (with ``Idempotent-Replayed: true``) without calling the
handler; a request reusing the key with another method, path, query or body (JSON compared
whatever its key order, multipart whatever its boundary) gets 422, one
arriving while the first still runs gets 409. Keys are kept apart per credentials. Answers of
5xx and event streams are not kept: a retry runs the handler again.

Requests FastAPI needs help with are read by ``_server_requests``. Error bodies (422, 401,
500, ...) take the shape the spec declares for that status: one of the usual shapes when it
fits (``{"detail": ...}``, a bare message, ``{"code": ..., "message": ...}``, ...), else a
value of the declared type with the message and status in the fields named for them (the
mock's :func:`error_value`); FastAPI's ``{"detail": ...}`` when the spec declares none.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError
from starlette.exceptions import HTTPException

from . import _server_mock
from ._server_http import DocsAssets, SizeLimits, add_docs
from ._server_mock import adapter
from ._server_requests import DEFINITIONS, is_json, schema_of
from ._server_routing import index_routes
from ._server_streams import line, streamable, streamed
from ._sse import ServerSentEvent
from ._sse import json_text as _json_text

logger = logging.getLogger(f"{__package__}.server")

# The pagination runtime's mock pager, set by ``_server_pagination`` when imported (a package
# has that module only when an operation pages; ``server.py`` imports it then).
MOCK_PAGE: list[Callable[..., tuple[Any, dict[str, str | None]]]] = []

Fallback = Literal["mock", "501"]
"""What an operation the handlers do not implement answers: from the spec, or 501."""

_C = TypeVar("_C")


class Reply(Exception):
    """An answer with an explicit status, body and headers.

    Return it from a handler for any status the spec declares for the operation, e.g.
    ``Reply(404, models.ErrorResponse("no such thread"))``, or to add headers to the main
    answer; or raise it, e.g. from a streaming handler before its first event. The body is
    validated against the type the spec declares for that status; ``media_type`` picks one of
    the declared media types (default: the first).
    """

    def __init__(
        self,
        status: int,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        self.media_type = media_type


class Unimplemented(Exception):
    """Raised by the methods of ``Handlers`` that a subclass does not override.

    The server never lets it reach the caller: the operation answers from the spec, or with
    501. A handler may raise it (or call ``super()``) to fall back for one request.
    """


class _Undeclared(Exception):
    """A handler answered with a status or body the spec does not declare: a server error."""


@dataclass(frozen=True, slots=True)
class ResponseContent:
    """One media type of a declared response, with the Python type of its body."""

    media_type: str
    type: Any
    kind: str = "json"  # json, event_stream, json_lines, form, multipart, text, binary
    example: Any = None
    has_example: bool = False
    sent_as: str | None = None  # the concrete media type of a wildcard one (``*/*``)
    events: tuple[
        str, ...
    ] = ()  # an event stream's names from the spec's x-sse-events hint

    @property
    def content_type(self) -> str:
        """The media type answers are sent as."""
        return self.sent_as or self.media_type


@dataclass(frozen=True, slots=True)
class ResponseHeader:
    """A declared response header; ``link``: for a mock ``Location`` or ``Content-Location``, the
    path of the API it names, with the type of each parameter of that path."""

    name: str
    type: Any
    required: bool = False
    link: str | None = None
    link_types: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeclaredResponse:
    """A response the spec declares: status ("200", "4XX" or "default"), media types, headers."""

    status: str
    description: str
    contents: tuple[ResponseContent, ...] = ()
    headers: tuple[ResponseHeader, ...] = ()

    def content(self, media_type: str | None) -> ResponseContent | None:
        if media_type is None:
            return self.contents[0] if self.contents else None
        return next((c for c in self.contents if c.media_type == media_type), None)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer kept for an idempotency key, with the fingerprint of the request it answered."""

    fingerprint: str  # a digest of the method, operation, path, query and body
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def response(self) -> Response:
        response = Response(self.body, self.status)
        response.raw_headers = [*self.headers, (b"idempotent-replayed", b"true")]
        return response


class IdempotencyStore(Protocol):
    """Where answers are kept by idempotency key (``create_app(idempotency_store=...)``).

    ``key`` already includes the operation's credentials. A store shared by several server
    processes (Redis, a database) makes replays work across them; keep answers 24 hours at
    least, as clients may retry that long.
    """

    async def get(self, key: str) -> StoredAnswer | None:
        """The answer kept for ``key``, or None."""
        ...

    async def put(self, key: str, answer: StoredAnswer) -> None:
        """Keep ``answer`` for ``key``."""
        ...


class MemoryIdempotencyStore:
    """The default store: in this process's memory, the latest ``size`` keys, each for ``ttl``
    seconds (24 hours, as Stripe keeps them)."""

    def __init__(self, size: int = 10_000, ttl: float = 24 * 3600.0) -> None:
        self.size = size
        self.ttl = ttl
        self._answers: OrderedDict[str, tuple[float, StoredAnswer]] = OrderedDict()

    async def get(self, key: str) -> StoredAnswer | None:
        kept = self._answers.get(key)
        if kept is None or kept[0] < time.monotonic():
            self._answers.pop(key, None)
            return None
        return kept[1]

    async def put(self, key: str, answer: StoredAnswer) -> None:
        self._answers[key] = (time.monotonic() + self.ttl, answer)
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)


@dataclass(frozen=True, slots=True)
class ServerOperation:
    """One operation as the server sees it: its handler's name and its declared responses (an
    entry of ``server.OPERATIONS``)."""

    handler: str
    status: int  # of the main response: what a plain return value is sent with
    responses: tuple[DeclaredResponse, ...]
    idempotency_header: str | None = None  # the header carrying an idempotency key
    credentials: str | None = None  # the argument with the request's credentials
    # A paginated list operation: its ``_server_pagination.ServerPaging`` (mock answers are its
    # pages); that module is written only into a package with one.
    paging: Any = None
    _by_status: dict[str, DeclaredResponse] = field(
        init=False, repr=False, compare=False
    )
    _main: ResponseContent | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_status = {d.status.upper(): d for d in self.responses}
        object.__setattr__(self, "_by_status", by_status)
        main = self.declared(self.status)
        object.__setattr__(self, "_main", main.content(None) if main else None)

    def declared(self, status: int) -> DeclaredResponse | None:
        """The declared response covering ``status``: exact, then ``4XX``-style, then default."""
        by_status = self._by_status
        return (
            by_status.get(str(status))
            or by_status.get(f"{status // 100}XX")
            or by_status.get("DEFAULT")
        )

    def openapi(self) -> dict[int | str, dict[str, Any]]:
        """The ``responses`` argument of the route decorator: what /openapi.json shows."""
        out: dict[int | str, dict[str, Any]] = {}
        for d in self.responses:
            entry: dict[str, Any] = {"description": d.description}
            for c in d.contents:
                if c.media_type == "application/json" and "model" not in entry:
                    entry["model"] = c.type
                else:
                    entry.setdefault("content", {})[c.media_type] = {
                        "schema": schema_of(c.type)
                    }
            if d.headers:
                entry["headers"] = {
                    h.name: {
                        "required": h.required,
                        "schema": adapter(h.type).json_schema(),
                    }
                    for h in d.headers
                }
            out[int(d.status) if d.status.isdigit() else d.status] = entry
        return out

    async def serve(self, request: Request, /, **arguments: Any) -> Response:
        """Answer one validated request: handler, else the fallback; errors become 500."""
        server: _Server = request.app.state.server
        if self.idempotency_header is not None:
            key = request.headers.get(self.idempotency_header)
            if key:
                return await server.once(self, request, key, arguments)
        return await self.answer(request, arguments)

    async def answer(self, request: Request, arguments: Mapping[str, Any]) -> Response:
        """The handler's answer (or the fallback's), whatever the idempotency key."""
        server: _Server = request.app.state.server
        method = server.methods.get(self.handler)
        try:
            if method is None:
                return await server.fall_back(self, request)
            try:
                result = method(**arguments)
                if inspect.isawaitable(result):
                    result = await result
                return await self.respond(result)
            except Unimplemented:
                return await server.fall_back(self, request)
            except Reply as reply:
                # Raised by the handler, or by a stream before its first event.
                return await self.respond(reply)
        except HTTPException:
            raise
        except Exception:
            logger.exception(
                "%s %s: %s failed", request.method, request.url.path, self.handler
            )
            return self.error(500, "Internal Server Error")

    async def respond(self, result: Any) -> Response:
        """The HTTP response for what a handler returned (a plain value or a Reply)."""
        main = self._main
        if (
            not isinstance(result, Reply)
            and main
            and main.kind != "event_stream"
            and not streamable(main, result)
        ):
            # What the lines below come to for a plain value, without making a Reply of it.
            body = _encode(main, result)
            return Response(body, self.status, media_type=main.content_type)
        reply = result if isinstance(result, Reply) else Reply(self.status, result)
        content = self._content(reply)
        if (
            content is not None
            and content.kind == "event_stream"
            and not isinstance(reply.body, str | bytes)
        ):
            return await _stream(reply, content)
        if content is not None and streamable(content, reply.body):
            return await streamed(
                reply, content
            )  # chunks or JSON lines (_server_streams)
        return self._encoded(reply, content).response()

    def _content(self, reply: Reply) -> ResponseContent | None:
        """The declared content ``reply`` is sent as (None: no body); _Undeclared if the spec
        declares no such answer."""
        declared = self.declared(reply.status)
        if declared is None and (self.responses or reply.status != self.status):
            raise _Undeclared(
                f"{self.handler} answered {reply.status}, which the spec does not declare"
            )
        content = declared.content(reply.media_type) if declared is not None else None
        if content is None and (reply.body is not None or reply.media_type is not None):
            raise _Undeclared(
                f"{self.handler} answered {reply.status} with a body the spec does not declare"
            )
        return content

    def _encoded(self, reply: Reply, content: ResponseContent | None) -> _Encoded:
        if content is None:
            return _Encoded(reply.status, None, reply.headers, None)
        body = _encode(content, reply.body)
        return _Encoded(reply.status, body, reply.headers, content.content_type)

    def error(
        self, status: int, detail: Any, headers: Mapping[str, str] | None = None
    ) -> Response:
        """An error response in the shape the spec declares for ``status``: one of the usual
        shapes when it fits, else a value of the declared type carrying the message where it
        can; FastAPI's ``{"detail": ...}`` when the spec declares none."""
        declared = self.declared(status)
        content = declared.content(None) if declared is not None else None
        if content is None or content.kind not in ("json", "text"):
            return JSONResponse({"detail": detail}, status, headers=headers)
        shapes = _error_shapes(status, detail)
        if content.kind == "text":
            body = str(shapes[1]).encode()
            return Response(
                body, status, headers=headers, media_type=content.content_type
            )
        ta = adapter(content.type)
        for candidate in shapes:
            try:
                value = ta.validate_python(candidate)
            except ValidationError:
                continue
            body = ta.dump_json(value, by_alias=True, exclude_unset=True)
            if json.loads(body) == candidate:
                return Response(
                    body, status, headers=headers, media_type=content.content_type
                )
        try:
            value = _server_mock.error_value(content.type, status, str(shapes[1]))
            body = ta.dump_json(value, by_alias=True, exclude_unset=True)
        except (_server_mock.MockError, PydanticSerializationError):
            return JSONResponse({"detail": detail}, status, headers=headers)
        return Response(body, status, headers=headers, media_type=content.content_type)


@dataclass(slots=True)
class _Encoded:
    """An answer with its body encoded, from which each request gets a Response of its own."""

    status: int
    body: bytes | None
    headers: Mapping[str, str]
    media_type: str | None

    def response(self) -> Response:
        return Response(self.body, self.status, self.headers, self.media_type)


def _error_shapes(status: int, detail: Any) -> list[Any]:
    """The usual shapes of an error body, richest first; ``detail`` is JSON data already."""
    if isinstance(detail, list):
        message = "; ".join(
            (
                ".".join(str(part) for part in e.get("loc", ()))
                + ": "
                + str(e.get("msg", ""))
                if isinstance(e, dict)
                else str(e)
            )
            for e in detail
        )
    else:
        message = str(detail)
    return [
        {"detail": detail},
        message,
        {"code": status, "message": message},
        {"status": status, "message": message},
        {"message": message},
        {"error": message},
        {"detail": message},
        {"error": {"code": status, "message": message}},
    ]


def _encode(content: ResponseContent, body: Any) -> bytes:
    if content.kind == "json_lines" and not isinstance(body, str | bytes):
        items = body if streamable(content, body) else [body]  # the items, or one item
        try:
            return b"".join(line(content, item) for item in items)
        except ValidationError as exc:
            raise _Undeclared(
                f"an item does not match the declared {content.media_type} type: {exc}"
            ) from exc
    if content.kind in ("text", "binary", "event_stream", "json_lines"):
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode()
        raise _Undeclared(
            f"a {content.media_type} body must be str or bytes, not {type(body).__name__}"
        )
    ta = adapter(content.type)
    try:
        value = ta.validate_python(body)
    except ValidationError as exc:
        raise _Undeclared(
            f"the body does not match the declared {content.media_type} type: {exc}"
        ) from exc
    return ta.dump_json(value, by_alias=True, exclude_unset=True)


async def _stream(reply: Reply, content: ResponseContent) -> Response:
    """A text/event-stream response; a Reply raised before the first event replaces it."""
    events = reply.body
    if not hasattr(events, "__aiter__"):
        raise _Undeclared(
            f"a {content.media_type} body must be an async iterator of events"
        )
    iterator: AsyncIterator[Any] = aiter(events)
    try:
        first: list[Any] = [await anext(iterator)]
    except StopAsyncIteration:
        first = []

    async def encoded() -> AsyncIterator[bytes]:
        try:
            for event in first:
                yield _event(event)
            async for event in iterator:
                yield _event(event)
        except Exception:
            logger.exception("an event stream failed after it started")

    return StreamingResponse(
        encoded(),
        status_code=reply.status,
        headers=reply.headers,
        media_type=content.content_type,
    )


def _event(event: Any) -> bytes:
    """An event as sent; anything but a ServerSentEvent (the package's one, or another
    generated package's, which has the same fields) is the data of a ``message`` event.
    """
    if (
        not isinstance(event, ServerSentEvent)
        and type(event).__name__ == "ServerSentEvent"
    ):
        event = ServerSentEvent(
            getattr(event, "data", None),
            getattr(event, "event", None) or "message",
            getattr(event, "id", None),
            getattr(event, "retry", None),
        )
    return (
        event if isinstance(event, ServerSentEvent) else ServerSentEvent(event)
    ).encode()


class _Server:
    """What one app serves with: the handler methods found, and the fallback (mock answers
    are remembered: the same request gets the same answer)."""

    def __init__(
        self,
        endpoints: Mapping[str, ServerOperation],
        handlers: object,
        base: type,
        fallback: Fallback,
        idempotency_store: IdempotencyStore | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.fallback = fallback
        self.idempotency_store = idempotency_store or MemoryIdempotencyStore()
        self.in_flight: set[str] = (
            set()
        )  # idempotency keys whose first request still runs
        self.answers: dict[tuple[str, int], _Encoded] = {}  # mock answers, oldest first
        self.remembered = 0  # bytes the answers take, as _size counts them
        self.methods: dict[str, Callable[..., Any]] = {}
        for name in endpoints:
            method = getattr(handlers, name, None) if handlers is not None else None
            if callable(method) and getattr(type(handlers), name, None) is not getattr(
                base, name, None
            ):
                self.methods[name] = method

    async def once(
        self,
        endpoint: ServerOperation,
        request: Request,
        key: str,
        arguments: Mapping[str, Any],
    ) -> Response:
        """Serve a request carrying an idempotency key: the kept answer if the key was seen."""
        scope = (
            repr(arguments.get(endpoint.credentials)) if endpoint.credentials else ""
        )
        kept_as = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()
        seed = _seed(
            endpoint.handler, request, _canonical(request, await request.body())
        )
        fingerprint = (
            f"{request.method} {seed:016x}"  # the operation, path, query and body
        )
        stored = await self.idempotency_store.get(kept_as)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                detail = f"{endpoint.idempotency_header} was used with another request"
                return endpoint.error(422, detail)
            return stored.response()
        if kept_as in self.in_flight:
            detail = f"a request with this {endpoint.idempotency_header} is in progress"
            return endpoint.error(409, detail)
        self.in_flight.add(kept_as)
        try:
            response = await endpoint.answer(request, arguments)
            if response.status_code < 500 and not isinstance(
                response, StreamingResponse
            ):
                answer = StoredAnswer(
                    fingerprint,
                    response.status_code,
                    tuple(response.raw_headers),
                    bytes(response.body),
                )
                await self.idempotency_store.put(kept_as, answer)
            return response
        finally:
            self.in_flight.discard(kept_as)

    async def fall_back(self, endpoint: ServerOperation, request: Request) -> Response:
        if self.fallback == "501":
            return endpoint.error(501, "Not Implemented")
        body = await request.body()
        seed = _seed(endpoint.handler, request, body)
        answer = self.answers.get((endpoint.handler, seed))
        if answer is None:
            reply = _mock_reply(endpoint, request, seed, body)
            if hasattr(reply.body, "__aiter__"):  # streams are made anew each time
                return await endpoint.respond(reply)
            answer = endpoint._encoded(reply, endpoint._content(reply))
            self.remember((endpoint.handler, seed), answer)
        return answer.response()

    def remember(self, key: tuple[str, int], answer: _Encoded) -> None:
        """Keep ``answer`` (dropping the oldest ones past :data:`_REMEMBERED_BYTES`)."""
        size = _size(answer)
        if size > _REMEMBERED_BYTES // 16:
            return  # a big answer is made again rather than kept
        if key in self.answers:  # made twice by requests at the same time
            self.remembered -= _size(self.answers.pop(key))
        while self.answers and self.remembered + size > _REMEMBERED_BYTES:
            self.remembered -= _size(self.answers.pop(next(iter(self.answers))))
        self.answers[key] = answer
        self.remembered += size


# Mock answers kept per app (the same request gets the same answer), by the bytes they take:
# requests echoed into answers make answers of any size.
_REMEMBERED_BYTES = 8 * 1024 * 1024


def _size(answer: _Encoded) -> int:
    """The bytes an answer takes, roughly: its body and headers, and its entry."""
    headers = sum(len(k) + len(v) for k, v in answer.headers.items())
    return len(answer.body or b"") + headers + 256


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def _canonical(request: Request, body: bytes) -> bytes:
    """The body as an idempotency key's request is compared: JSON with its keys sorted, a
    multipart body without its boundary (a client picks a new one for each request)."""
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    if is_json(mime):
        try:
            return json.dumps(json.loads(body), sort_keys=True).encode()
        except ValueError:
            return body
    boundary = _BOUNDARY.search(content_type) if mime.startswith("multipart/") else None
    if boundary is not None:
        return body.replace(b"--" + boundary[1].encode("latin-1"), b"--")
    return body


def _mock_reply(
    endpoint: ServerOperation, request: Request, seed: int, body: bytes
) -> Reply:
    """The spec's answer: its example, or a value synthesized from the type, with the declared
    headers; a streaming operation sends a few events."""
    declared = endpoint.declared(endpoint.status)
    if declared is None:
        return Reply(endpoint.status)
    content = declared.content(None)
    answer: Any = None
    paged: dict[str, str | None] = {}  # a page's Link or cursor header (None: not sent)
    if content is not None and content.kind == "json_lines":
        example = (content.has_example, content.example)
        answer = _server_mock.items(content.type, seed, example=example)
    elif content is not None and content.kind == "event_stream":
        last = request.headers.get("last-event-id", "")
        answer = _mock_events(
            _server_mock.events(
                content.type,
                seed,
                example=(content.has_example, content.example),
                names=content.events,
            ),
            after=int(last) if last.isdigit() else 0,
        )
    elif content is not None:
        echo: dict[str, Any] = dict(request.path_params)
        sent = None
        if body and content.kind == "json":
            try:
                sent = json.loads(body)
            except ValueError:
                sent = None
            if isinstance(sent, dict):
                echo = {**sent, **echo}
        answer = _server_mock.value(
            content.type,
            seed,
            example=(content.has_example, content.example),
            echo=echo,
        )
        if endpoint.paging is not None and content.kind == "json" and MOCK_PAGE:
            answer, paged = MOCK_PAGE[0](
                endpoint.paging, content.type, answer, request, sent, endpoint.handler
            )
    fields = (
        adapter(content.type).dump_python(answer, mode="json", by_alias=True)
        if content is not None and content.kind == "json"
        else None
    )
    headers = {
        h.name: _server_mock.header_value(
            h.name,
            h.type,
            _url_path(request),
            seed,
            link=h.link,
            link_types=h.link_types,
            values=(request.path_params, fields if isinstance(fields, dict) else {}),
        )
        for h in declared.headers
    }
    for name, text in paged.items():  # a page's own Link or cursor header
        for declared_name in [h for h in headers if h.lower() == name.lower()]:
            del headers[declared_name]
        if text is not None:
            headers[name] = text
    return Reply(endpoint.status, answer, headers=headers)


async def _mock_events(
    events: Sequence[tuple[str, Any]], *, after: int
) -> AsyncIterator[ServerSentEvent]:
    """The events of a mock stream, numbered from 1, resuming after the request's
    Last-Event-ID; their data is always sent as JSON."""
    for number, (name, data) in enumerate(events, start=1):
        if number > after:
            yield ServerSentEvent(_json_text(data), event=name, id=str(number))


def _seed(handler: str, request: Request, body: bytes) -> int:
    digest = hashlib.sha256()
    query = request.query_params.multi_items() if request.scope["query_string"] else []
    for part in (handler, _url_path(request), *sorted(query)):
        digest.update(repr(part).encode() + b"\0")
    digest.update(body)
    return int.from_bytes(digest.digest()[:8], "big")


def _url_path(request: Request) -> str:
    """``request.url.path`` without making the URL: the path, escaped as the URL writes it."""
    path: str = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def require(
    credentials: _C, requirements: Sequence[Sequence[str]], challenge: str
) -> _C:
    """``credentials`` if it meets one of the requirements (all its schemes present), else 401.

    Only presence is checked: whether a credential is valid is the handler's business.
    """
    for requirement in requirements:
        if all(getattr(credentials, name) is not None for name in requirement):
            return credentials
    raise HTTPException(
        401, "Not authenticated", headers={"WWW-Authenticate": challenge}
    )


# -- the app -------------------------------------------------------------------------------------


def install(
    app: FastAPI,
    endpoints: Mapping[str, ServerOperation],
    handlers: object,
    base: type,
    fallback: Fallback,
    idempotency_store: IdempotencyStore | None = None,
    *,
    limits: tuple[int | None, int | None, int | None] = (None, None, None),
    docs_assets: DocsAssets = None,
) -> None:
    """Attach the handlers to ``app``, make its errors follow the spec, add the docs pages
    and the size ``limits`` (body, URL, headers), index its routes."""
    if fallback not in ("mock", "501"):
        raise ValueError(f"fallback must be 'mock' or '501', not {fallback!r}")
    app.state.server = _Server(endpoints, handlers, base, fallback, idempotency_store)
    add_docs(app, app.title, docs_assets)
    index_routes(app)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(HTTPException, _on_http_error)
    body, url, headers = limits
    app.add_middleware(
        SizeLimits, max_body_size=body, max_url_size=url, max_header_size=headers
    )
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = generate()
        if fresh and DEFINITIONS:
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for key, definition in DEFINITIONS.items():
                schemas.setdefault(key, definition)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _endpoint(request: Request) -> ServerOperation | None:
    route = request.scope.get("route")
    server: _Server = request.app.state.server
    return server.endpoints.get(getattr(route, "name", ""))


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # At most _QUOTED_ERRORS errors, each quoting the invalid input abridged (_bounded): a
    # 10 MB body would otherwise be encoded, matched against the error shapes and sent back.
    found = exc.errors()
    errors = [
        {k: _bounded(v) if k == "input" else v for k, v in e.items() if k != "url"}
        for e in found[:_QUOTED_ERRORS]
    ]
    if len(found) > _QUOTED_ERRORS:
        more = len(found) - _QUOTED_ERRORS
        errors.append(
            {"type": "too_many_errors", "loc": [], "msg": f"and {more} more error(s)"}
        )
    errors = _plain(errors)
    endpoint = _endpoint(request)
    if endpoint is None:
        return JSONResponse({"detail": errors}, 422)
    return endpoint.error(422, errors)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    endpoint = _endpoint(request)
    if endpoint is None or exc.status_code < 400:
        return JSONResponse(
            {"detail": exc.detail}, exc.status_code, headers=exc.headers
        )
    return endpoint.error(exc.status_code, _plain(exc.detail), exc.headers)


def _plain(detail: Any) -> Any:
    """``detail`` as JSON data (bytes as text), encoded once for every error shape tried."""
    encoded = jsonable_encoder(
        detail, custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")}
    )
    return json.loads(json.dumps(encoded, default=str))


_QUOTED_ERRORS = 20  # validation errors listed in a 422
_QUOTED_ITEMS = 20  # items of a list or object quoted in an error, in all
_QUOTED_TEXT = 200  # characters of a string quoted in an error


def _bounded(value: Any) -> Any:
    """A bounded stand-in for a (possibly huge) invalid input: at most ``_QUOTED_ITEMS``
    items in all, strings cut to ``_QUOTED_TEXT`` characters, ``"..."`` where cut."""
    budget = _QUOTED_ITEMS

    def cut(node: Any, depth: int) -> Any:
        nonlocal budget
        if isinstance(node, str):
            return node if len(node) <= _QUOTED_TEXT else node[:_QUOTED_TEXT] + "..."
        if isinstance(node, bytes):
            return cut(node[: _QUOTED_TEXT * 4].decode("utf-8", "replace"), depth)
        if isinstance(node, Mapping):
            out: dict[Any, Any] = {}
            for key, item in node.items():
                if budget <= 0 or depth > 8:
                    out["..."] = "..."
                    break
                budget -= 1
                out[cut(key, depth) if isinstance(key, str) else key] = cut(
                    item, depth + 1
                )
            return out
        if isinstance(node, list | tuple):
            items: list[Any] = []
            for item in node:
                if budget <= 0 or depth > 8:
                    items.append("...")
                    break
                budget -= 1
                items.append(cut(item, depth + 1))
            return items
        return node

    return cut(value, 0)
