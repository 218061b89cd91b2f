"""The server view's types: what ``server.py.jinja`` and :mod:`.server_code` read.

Computed from the IR by :mod:`.server` (``build``); here only their shape and the properties
derived from it, so the code writer and the builder both import them without a cycle."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.model import Api, Operation
from ..pysource.imports import all_name_key
from .pagination import paging_literal

EVENTS = "AsyncIterator[ServerSentEvent]"  # what a streaming handler yields
_EXPORTED_RUNTIME = frozenset({"Fallback", "Reply", "Unimplemented"})


@dataclass(frozen=True, slots=True)
class ParamView:
    """One parameter of a route (and keyword of its handler)."""

    python_name: str
    wire_name: str
    marker: str  # Path / Query / Header / Cookie
    alias: bool  # the wire name differs from the Python name
    convert_underscores: bool  # False for a header whose wire name has underscores
    annotation: str  # of the route's keyword: with a schema's constraints (FastAPI checks them)
    handler_annotation: str  # of the handler's keyword: the plain type
    item_annotation: str  # the type without the ``| None`` of an optional parameter
    default: str | None  # Python literal; None: required
    required: bool
    mutable_default: bool  # a list or dict: FastAPI copies it for each request
    description: str | None
    deprecated: bool
    deep_object: bool  # read by the runtime (query style deepObject), not by FastAPI
    location: str  # query, header, cookie or path
    object_reader: str | None  # runtime reader of an object or root model (query_object...), not FastAPI
    object_others: tuple[str, ...]  # object_reader: the keys of the operation's other query parameters/cookies
    explode: bool
    json_content: bool  # content: application/json: the value is JSON text
    object_rank: int  # query_object exploded: how many exploded object parameters come before it
    from_text: bool  # has number/boolean literals, which pydantic does not read from text
    percent_decoded: bool  # a cookie: its value arrives percent-encoded (style form)
    splitter: str | None  # a list sent as one delimited value: the runtime's splitter


@dataclass(frozen=True, slots=True)
class BodyView:
    annotation: str  # of the route's ``body`` keyword: with a schema's constraints
    handler_annotation: str  # of the handler's ``body`` keyword: the plain type
    required: bool
    media_type: str
    body_media_type: str | None  # Body(media_type=...) when not application/json
    reader: str | None  # runtime function reading bodies FastAPI cannot; None: FastAPI's Body()
    item_type: str  # the annotation without ``| None``: what the runtime validates against
    encoding: str | None = None  # form and multipart: the properties' declared encoding, a literal
    part: str | None = None  # a multipart body that is no object: the name of its part, a literal


@dataclass(frozen=True, slots=True)
class SchemeView:
    python_name: str
    constant: str  # module constant holding FastAPI's security object
    factory: str  # APIKeyHeader, HTTPBearer, ...
    param_name: str | None  # apiKey: the header/query/cookie name
    key: str  # name under components/securitySchemes
    description: str | None
    reads: str  # annotation of what FastAPI's security object returns
    credential: str  # annotation of the Credentials attribute
    unwrap: bool  # HTTPAuthorizationCredentials -> its token


@dataclass(frozen=True, slots=True)
class AuthView:
    """One dependency: the credentials of the operations with the same security requirements."""

    function: str
    schemes: tuple[SchemeView, ...]
    requirements: tuple[tuple[str, ...], ...]  # Python names of schemes; empty tuple: optional
    text: str  # for the docstring
    challenge: str  # WWW-Authenticate of the 401
    # OAuth 2 (``_server_oauth2.authorize``): the schemes whose token is verified, and per
    # requirement the scopes each scheme needs (in the order of ``requirements``).
    oauth2: tuple[str, ...] = ()
    scopes: tuple[tuple[tuple[str, ...], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class ContentView:
    media_type: str
    sent_as: str | None  # the concrete media type answers are sent as, for a wildcard one
    kind: str | None  # BodyKind value; None for JSON, the runtime's default
    annotation: str  # runtime type of the body
    example: str | None  # Python literal
    events: str | None  # event names from the spec's x-sse-events hint: a tuple literal


@dataclass(frozen=True, slots=True)
class LinkParam:
    name: str  # wire name
    annotation: str  # its type, what the mock synthesizes a value of when nothing gives it


@dataclass(frozen=True, slots=True)
class LinkView:
    """The URL a mock ``Location`` or ``Content-Location`` header names (see :func:`_link`)."""

    template: str  # a path of the API: ``/threads/{thread_id}/runs/{run_id}`` (wire names)
    params: tuple[LinkParam, ...]  # each ``{...}`` in it


@dataclass(frozen=True, slots=True)
class HeaderView:
    name: str
    annotation: str
    required: bool
    link: LinkView | None = None


@dataclass(frozen=True, slots=True)
class ResponseView:
    status: str
    description: str
    contents: tuple[ContentView, ...]
    headers: tuple[HeaderView, ...]


@dataclass(frozen=True, slots=True)
class OperationView:
    op: Operation
    handler: str  # method of Handlers, key of OPERATIONS
    function: str  # the route function
    decorator: str  # get / post / ...
    route_path: str  # the spec's path, with path parameters Starlette cannot name renamed
    request_name: str
    credentials_name: str | None  # None: the operation has no security
    auth: AuthView | None
    params: tuple[ParamView, ...]
    body: BodyView | None
    returns: str  # annotation of the handler's result
    status: int  # the main response's status: what a plain return value is sent with
    plain_response_class: bool  # main response is not application/json: no JSON in the docs
    responses: tuple[ResponseView, ...]
    doc: str  # handler docstring text
    idempotency_header: str | None = None  # the idempotency key header's wire name

    @property
    def paging(self) -> str | None:
        """A paginated operation's ``Paging(...)`` (:mod:`oapigen.views.pagination`)."""
        return paging_literal(self.op, "_server_pagination.ServerPaging", server=True)

    @property
    def streams(self) -> bool:
        """An event stream: the handler may be an async generator method."""
        return self.returns.startswith(EVENTS)

    @property
    def definition(self) -> str:
        """How the Protocol defines the method: ``def`` for a stream of events or JSON lines
        (so that an async generator method implements it), ``async def`` otherwise."""
        return "def" if self.returns.startswith("AsyncIterator[") else "async def"

    @property
    def deep_objects(self) -> tuple[ParamView, ...]:
        return tuple(p for p in self.params if p.deep_object)

    @property
    def object_params(self) -> tuple[ParamView, ...]:
        return tuple(p for p in self.params if p.object_reader)

    @property
    def runtime_read(self) -> bool:
        """Whether a parameter is read by the runtime (a dependency), not by FastAPI."""
        return bool(self.deep_objects or self.object_params)

    @property
    def openapi_extra(self) -> bool:
        """Whether FastAPI needs help documenting the request (runtime-read body or parameters)."""
        return self.runtime_read or (self.body is not None and self.body.reader is not None)

    @property
    def arguments(self) -> tuple[str, ...]:
        """Keyword names the handler takes, in order."""
        names = [p.python_name for p in self.params]
        if self.body is not None:
            names.append("body")
        if self.credentials_name is not None:
            names.append(self.credentials_name)
        return tuple(names)


@dataclass(frozen=True, slots=True)
class ServerView:
    api: Api
    operations: tuple[OperationView, ...]  # in the spec's order (Handlers, OPERATIONS)
    routes: tuple[OperationView, ...]  # in matching order
    schemes: tuple[SchemeView, ...]
    auths: tuple[AuthView, ...]
    std_imports: tuple[tuple[str, tuple[str, ...]], ...]  # (module, names), sorted as isort does
    third_party_imports: tuple[tuple[str, tuple[str, ...]], ...]
    runtime_imports: tuple[str, ...]
    requests_imports: tuple[str, ...]  # from _server_requests; empty: no import line
    doc: str
    base_path: str = ""  # the routes' prefix: the spec's server URL's path (``/v1``)
    token_paths: tuple[str, ...] = ()  # where the mock serves OAuth 2 tokens (server_parts)
    constrained: bool = False  # a type has constraints: server.py imports ``Constraints``

    @property
    def streams(self) -> bool:
        """An operation streams events: server.py imports ``ServerSentEvent`` (from ``_sse``)."""
        return any(v.streams for v in self.operations)

    @property
    def exports(self) -> tuple[str, ...]:
        """``__all__``: what a module implementing the handlers imports from ``server.py``
        (re-exported names too: ``mypy --strict`` refuses implicit re-exports)."""
        names = {"BlockingASGITransport", "Handlers", "OPERATIONS", "app", "create_app", "router"}
        names |= {n for n in self.runtime_imports if n in _EXPORTED_RUNTIME}
        if self.streams:
            names.add("ServerSentEvent")  # from _sse: the client's class
        if self.schemes:
            names.add("Credentials")
        return tuple(sorted(names, key=all_name_key))

    @property
    def mutable_defaults(self) -> bool:
        return any(p.mutable_default for v in self.operations for p in v.params)

    @property
    def idempotency(self) -> bool:
        """Whether an operation declares an idempotency key header (create_app takes a store)."""
        return any(v.idempotency_header is not None for v in self.operations)

    @property
    def oauth2(self) -> bool:
        """Whether an operation checks OAuth 2 scopes (``_server_oauth2``, ``token_verifier``)."""
        return any(a.oauth2 for a in self.auths)

    @property
    def paging(self) -> bool:
        """Whether an operation is paginated (``server.py`` names ``_server_pagination``)."""
        return any(v.paging is not None for v in self.operations)
