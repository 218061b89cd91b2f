"""The server part of the generated package: template contexts computed from the IR.

The generated server is five modules:

* ``server.py``: ``Handlers`` (a Protocol, one async method per operation), one FastAPI route per
  operation, the table of declared responses the runtime reads, ``create_app`` and ``app``;
* ``_server_runtime.py``: how a route answers (the user's handler, the spec, or 501), replies,
  server-sent events, error bodies;
* ``_server_requests.py``: what FastAPI cannot read by itself (forms, multipart, raw bodies,
  deepObject parameters, number literals in text);
* ``_server_mock.py``: values synthesized from a JSON schema, deterministic for a seed;
* ``_server_routing.py``: dispatch that tries only the routes a request's path can match.
* ``_server_http.py``: size limits (413, 414, 431) and the docs pages (a strict CSP).

Everything the templates print is decided here: names (deduplicated against the module's own),
annotations, imports, and literals of spec values (through :mod:`oapigen.views.server_literals`).
The package ``__init__`` exports nothing from the server, so ``import package`` works without
FastAPI installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from ..core import naming
from ..ir.model import (
    NONE,
    Api,
    BodyKind,
    HttpMethod,
    MediaBody,
    Operation,
    Parameter,
    ParamLocation,
    Response,
    SecurityKind,
    SecurityScheme,
    TypeKind,
    TypeRef,
    primitive,
    union,
)
from .imports import all_name_key, import_name_key
from .pagination import paging_literal
from .server_literals import body_part, encoding_literal, fits, try_literal

SERVER = "server.py"
RUNTIME = "_server_runtime.py"
REQUESTS = "_server_requests.py"
MOCK = "_server_mock.py"
ROUTING = "_server_routing.py"
HTTP = "_server_http.py"
PAGINATION = "_server_pagination.py"

# FastAPI's parameter function for each location.
_MARKERS = {
    ParamLocation.PATH: "Path",
    ParamLocation.QUERY: "Query",
    ParamLocation.HEADER: "Header",
    ParamLocation.COOKIE: "Cookie",
}

# Names of the runtime module that server.py may import.
_RUNTIME_NAMES = frozenset(
    {"Content", "Declared", "Endpoint", "Reply", "ResponseHeader", "ServerSentEvent",
     "Unimplemented", "install", "raw_body", "form_body", "multipart_body", "deep_object", "query_object",
     "header_object", "cookie_object",
     "require", "Fallback", "openapi_extra", "from_text", "percent_decoded", "comma_separated",
     "space_separated", "pipe_separated", "header_items"}
)
# Names of the runtime module that server.py re-exports (in ``__all__``), for handler modules.
_EXPORTED_RUNTIME = frozenset({"Fallback", "Reply", "Unimplemented"})
# Every other public name server.py defines or imports: an operation whose handler name is one
# of these gets a route function with a trailing ``_``.
_FIXED_NAMES = frozenset(
    {"app", "create_app", "router", "models", "Handlers", "Credentials", "Annotated", "Any",
     "Literal", "Protocol", "AsyncIterator", "dataclass", "APIRouter", "Body", "Cookie",
     "Depends", "FastAPI", "Header", "Path", "Query", "Request", "Response", "Security",
     "APIKeyCookie", "APIKeyHeader", "APIKeyQuery", "HTTPAuthorizationCredentials",
     "HTTPBasic", "HTTPBasicCredentials", "HTTPBearer", "OPERATIONS", "UUID", "date",
     "datetime", "time", "timedelta"}
) | _RUNTIME_NAMES


def _with_none(annotation: str, t: TypeRef) -> str:
    return annotation if t.nullable or t.kind is TypeKind.ANY else f"{annotation} | None"


# -- views ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParamView:
    """One parameter of a route (and keyword of its handler)."""

    python_name: str
    wire_name: str
    marker: str  # Path / Query / Header / Cookie
    alias: bool  # the wire name differs from the Python name
    convert_underscores: bool  # False for a header whose wire name has underscores
    annotation: str  # of the handler's keyword
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
    annotation: str  # of the handler's ``body`` keyword
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
        return paging_literal(self.op, "_server_pagination.Paging", server=True)

    @property
    def streams(self) -> bool:
        """An event stream: the handler may be an async generator method."""
        return self.returns.startswith(EVENTS)

    @property
    def definition(self) -> str:
        """How the Protocol defines the method: ``def`` for a stream (so that an async
        generator method implements it), ``async def`` otherwise."""
        return "def" if self.streams else "async def"

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


# -- computing them ---------------------------------------------------------------------------


def _annotation(t: TypeRef) -> str:
    return t.annotation("models.")


def _main_response(op: Operation) -> tuple[Response | None, int]:
    """The response a plain return value is sent as, and its status code.

    The first declared 2xx; else ``default`` (sent as 200); else the first declared response
    (a range such as ``4XX`` is sent as its first status, 400).
    """
    if op.success is not None:
        status = op.success.status
        return op.success, int(status) if status.isascii() and status.isdigit() else 200
    for r in op.responses:
        if r.status == "default":
            return r, 200
    for r in op.responses:
        if r.status.isascii() and r.status.isdigit():
            return r, int(r.status)
    for r in op.responses:  # only ranges: "4XX" is sent as 400
        if r.status[:1].isascii() and r.status[:1].isdigit() and r.status[1:].upper() == "XX":
            return r, int(r.status[0]) * 100
    return None, 200


EVENTS = "AsyncIterator[ServerSentEvent]"  # what a streaming handler yields


def _returns(op: Operation, main: Response | None) -> str:
    body = main.preferred if main is not None else None
    if body is None:
        return "Reply | None"
    if body.kind is BodyKind.EVENT_STREAM:
        # A plain ``def`` in the Protocol: an async generator method (``async def`` with
        # ``yield``) implements it, and so does an ``async def`` returning a stream or a Reply.
        return f"{EVENTS} | Awaitable[{EVENTS} | Reply]"
    returned = body.unwrapped or body.type  # a plain array or map: its list or dict
    if returned.kind is TypeKind.ANY:
        return "Any"
    # `Reply` joins the union before a `None` member, which ends it (ruff's RUF036)
    members = returned.args if returned.kind is TypeKind.UNION else (returned,)
    nullable = any(m.kind is TypeKind.NONE for m in members)
    parts = [_annotation(m) for m in members if m.kind is not TypeKind.NONE]
    return " | ".join([*parts, "Reply", *(["None"] if nullable else [])])


# Path parameter names Starlette reads from a route's path; others are renamed there.
_ROUTE_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPLATE = re.compile(r"{([^{}]+)}")


def _renamed_in_route(op: Operation) -> frozenset[str]:
    """Wire names of the path parameters the route names by their Python name instead.

    Those that are not identifiers (``{user-id}``); and when such a renamed parameter would
    take the route name of another one (``{user-id}`` -> ``user_id`` beside ``{user_id}``),
    every path parameter whose Python name differs (Python names are distinct).
    """
    params = op.parameters_in(ParamLocation.PATH)
    renamed = {p.name for p in params if not _ROUTE_PARAM.fullmatch(p.name)}
    kept = {p.name for p in params if p.name not in renamed}
    if any(p.python_name in kept for p in params if p.name in renamed):
        renamed |= {p.name for p in params if p.name != p.python_name}
    return frozenset(renamed)


_BASE_PATH = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+")  # segments of RFC 3986 characters


def base_path(api: Api) -> str:
    """The path of the spec's first server URL (``http://petstore.swagger.io/v1`` -> ``/v1``),
    where the app serves the operations, so that the client, whose default base URL that
    server is, reaches them. "" when the client has no such default (a relative URL, one with
    a ``{variable}``, another scheme) or the path needs percent-encoding."""
    url = api.servers[0] if api.servers else ""
    if not url.startswith(("http://", "https://")) or "{" in url:
        return ""
    path = urlsplit(url).path.rstrip("/")
    return path if _BASE_PATH.fullmatch(path) else ""


def _route_path(op: Operation) -> str:
    """The path FastAPI routes: the spec's without a ``#fragment`` (never sent), with the
    parameters of :func:`_renamed_in_route` named by their Python names."""
    renamed = _renamed_in_route(op)
    names = {p.name: p.python_name for p in op.parameters_in(ParamLocation.PATH) if p.name in renamed}
    return _TEMPLATE.sub(lambda m: "{" + names.get(m[1], m[1]) + "}", op.url_path)  # one pass: no renaming twice


def _scalar(t: TypeRef) -> bool:
    if t.kind is TypeKind.UNION:
        return all(_scalar(a) for a in t.args)
    return t.kind in (TypeKind.PRIMITIVE, TypeKind.LITERAL, TypeKind.ANY, TypeKind.NONE)


def fastapi_reads(p: Parameter) -> bool:
    """Whether FastAPI reads and validates the parameter as typed. In a path, only scalars; in
    headers and cookies, scalars and lists of them; in a query, those or one model (its fields
    as query parameters). FastAPI refuses most of the rest when the route is defined (dicts,
    lists of models, unions of models), or cannot read it from the wire."""
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    if all(_scalar(m) for m in members):
        return True
    if p.location is ParamLocation.PATH:
        return False
    if all(_scalar(m) or (m.kind is TypeKind.LIST and _scalar(m.args[0])) for m in members):
        return True
    return p.location is ParamLocation.QUERY and len(members) == 1 and members[0].kind is TypeKind.NAMED


# The runtime's splitter for a list sent as one value, by the style delimiting it.
_SPLITTERS = {"form": "comma_separated", "spaceDelimited": "space_separated", "pipeDelimited": "pipe_separated"}


def _splitter(p: Parameter) -> str | None:
    """The splitter of a list parameter FastAPI reads that arrives as one delimited value (it
    reads only repeated keys): a query or cookie parameter not exploded, a header (``simple``
    style: always one comma-separated value)."""
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    if not any(m.kind is TypeKind.LIST for m in members):
        return None
    if p.location is ParamLocation.HEADER:
        return "header_items"
    if p.location in (ParamLocation.QUERY, ParamLocation.COOKIE) and not p.explode:
        return _SPLITTERS.get(p.style)
    return None


_OBJECT_READERS = {
    ParamLocation.QUERY: "query_object",
    ParamLocation.HEADER: "header_object",
    ParamLocation.COOKIE: "cookie_object",
}


def _object_reader(p: Parameter) -> str | None:
    """The runtime function reading a query, header or cookie parameter FastAPI cannot (None:
    FastAPI reads it): an object (FastAPI would read every query key into a model, and no dict,
    or hand the handler the text) or a model of another schema (a root model), not an enum;
    and any parameter sent as JSON text (``content: application/json``). deepObject:
    ``deep_object``."""
    if p.location not in _OBJECT_READERS or p.style == "deepObject":
        return None
    members = [a for a in (p.type.args if p.type.kind is TypeKind.UNION else (p.type,)) if a.kind is not TypeKind.NONE]
    spread = len(members) == 1 and (
        members[0].kind is TypeKind.DICT or (members[0].kind is TypeKind.NAMED and not p.enum)
    )
    return _OBJECT_READERS[p.location] if spread or p.style == "json" else None


def _param(p: Parameter, renamed_in_route: bool = False, others: tuple[str, ...] = (), rank: int = 0) -> ParamView:
    deep = p.location is ParamLocation.QUERY and p.style == "deepObject"
    reader = _object_reader(p)
    if not deep and not reader and not fastapi_reads(p):
        # Handed to the handler as the text on the wire, rather than refused by FastAPI.
        listed = p.type.kind is TypeKind.LIST and p.location is not ParamLocation.PATH
        text = TypeRef(TypeKind.LIST, args=(primitive("str"),)) if listed else primitive("str")
        p = replace(p, type=union(text, NONE) if p.type.nullable else text, has_default=False, default=None)
    if reader:  # the runtime's reader answers None for a parameter not sent
        p = replace(p, has_default=False, default=None)
    annotation = _annotation(p.type)
    default: str | None = None
    if not p.required:
        literal = try_literal(p.default) if p.has_default and fits(p.type, p.default) else None
        if literal is None or p.default is None:
            annotation, literal = _with_none(annotation, p.type), "None"
        default = literal
    return ParamView(
        python_name=p.python_name,
        wire_name=p.name,
        marker=_MARKERS[p.location],
        alias=p.name != p.python_name and not renamed_in_route,
        convert_underscores=not (p.location is ParamLocation.HEADER and "_" in p.name),
        annotation=annotation,
        item_annotation=_annotation(p.type),
        default=default,
        required=default is None,
        mutable_default=default is not None and default[:1] in ("[", "{"),
        description=p.description,
        deprecated=p.deprecated,
        deep_object=deep,
        location=p.location.value,
        object_reader=reader,
        object_others=others if reader and p.location is not ParamLocation.HEADER else (),
        explode=p.explode,
        json_content=p.style == "json",
        object_rank=rank if reader and p.explode else 0,
        percent_decoded=p.location is ParamLocation.COOKIE and not reader,
        splitter=None if deep else _splitter(p),
        from_text=not reader and any(
            t.kind is TypeKind.LITERAL and any(not isinstance(v, str) for v in t.literal)
            for t in p.type.walk()
        ),
    )


_CHALLENGES = {
    "APIKeyHeader": "APIKey",
    "APIKeyQuery": "APIKey",
    "APIKeyCookie": "APIKey",
    "HTTPBearer": "Bearer",
    "HTTPBasic": "Basic",
}

_READERS = {
    BodyKind.FORM: "form_body",
    BodyKind.MULTIPART: "multipart_body",
    BodyKind.TEXT: "raw_body",
    BodyKind.BINARY: "raw_body",
}


def _body(op: Operation) -> BodyView | None:
    if op.request_body is None:
        return None
    media = op.request_body.preferred
    item = _annotation(media.type)
    required = op.request_body.required
    return BodyView(
        annotation=item if required else _with_none(item, media.type),
        required=required,
        media_type=media.media_type,
        body_media_type=None if media.media_type == "application/json" else media.media_type,
        reader=_READERS.get(media.kind),
        item_type=item,
        encoding=encoding_literal(media.encoding),
        part=body_part(media),
    )


# The concrete media type of an answer declared with a wildcard one (``*/*``, ``image/*``): by
# the body's kind, then by the wildcard's type; anything else is application/octet-stream.
_CONCRETE_BY_KIND = {
    BodyKind.JSON: "application/json",
    BodyKind.TEXT: "text/plain",
    BodyKind.EVENT_STREAM: "text/event-stream",
    BodyKind.FORM: "application/x-www-form-urlencoded",
    BodyKind.MULTIPART: "multipart/form-data",
}
_CONCRETE_BY_TYPE = {
    "text": "text/plain",
    "image": "image/png",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "font": "font/woff2",
    "multipart": "multipart/mixed",
}


def concrete_media_type(media_type: str, kind: BodyKind) -> str | None:
    """What an answer declared as ``media_type`` is sent as when that is a wildcard (None: it
    is not): a Content-Type header names one media type, never ``*/*``."""
    main, _, sub = media_type.split(";")[0].strip().lower().partition("/")
    if "*" not in (main, sub):
        return None
    by_kind = _CONCRETE_BY_KIND.get(kind)
    if by_kind is not None and (main == "*" or by_kind.startswith(main + "/")):
        return by_kind
    return _CONCRETE_BY_TYPE.get(main, "application/octet-stream")


def _content(m: MediaBody) -> ContentView:
    return ContentView(
        media_type=m.media_type,
        sent_as=concrete_media_type(m.media_type, m.kind),
        kind=None if m.kind is BodyKind.JSON else m.kind.value,
        annotation=_annotation(m.type),
        example=try_literal(m.example) if m.has_example else None,
        events=try_literal(m.event_names) if m.event_names else None,
    )


def _response(r: Response, op: Operation, gets: tuple[Operation, ...], base: str) -> ResponseView:
    streams = any(c.kind is BodyKind.EVENT_STREAM for c in r.contents)
    return ResponseView(
        status=r.status,
        description=r.description,
        contents=tuple(_content(c) for c in r.contents),
        headers=tuple(
            HeaderView(
                h.name,
                _annotation(h.type),
                h.required,
                _link(op, gets, base, stream=streams and h.name.lower() == "location")
                if h.name.lower() in _LINK_HEADERS
                else None,
            )
            for h in r.headers
        ),
    )


_LINK_HEADERS = ("location", "content-location")


def _link(op: Operation, gets: tuple[Operation, ...], base: str, *, stream: bool) -> LinkView | None:
    """The path a mock ``Location`` / ``Content-Location`` of ``op`` names: the member a request
    to ``op`` creates or acts on, when a GET operation of the API reads it.

    The member is a GET path of one more template segment than ``op``'s (``POST /threads/{t}/runs``
    -> ``/threads/{t}/runs/{run_id}``), else of ``op``'s length with its last, literal segment a
    template instead (``POST /threads/{t}/runs/stream`` -> ``/threads/{t}/runs/{run_id}``). For
    the ``Location`` of an event stream (where a client reconnects), a streaming GET one literal
    segment below the member is preferred (``/threads/{t}/runs/{run_id}/stream``). The runtime
    fills the template from the request's path parameters, the answer's top-level fields, or a
    value synthesized from the parameter's type. None: no path fits (the mock names the request's
    own path).
    """
    own = _route_path(op).strip("/").split("/")  # names as the request's path parameters have them
    by_shape = {tuple(_shape(_segments(g))): g for g in gets}
    literal_last = bool(own) and not own[-1].startswith("{")
    for prefix in (own, own[:-1] if literal_last else []):
        member = by_shape.get((*_shape(prefix), "{}")) if prefix else None
        if member is None:
            continue
        chosen, tail = member, _segments(member)[-1:]
        below = [
            g
            for g in gets
            if stream and g.streams and _shape(_segments(g))[:-1] == _shape(_segments(member))
            and not _segments(g)[-1].startswith("{")
        ]
        if below:
            chosen, tail = below[0], [*tail, _segments(below[0])[-1]]
        path = base + "/" + "/".join([*prefix, *tail])
        renamed = _renamed_in_route(op)
        params = {p.name: p for p in chosen.parameters_in(ParamLocation.PATH)}
        params.update({p.python_name if p.name in renamed else p.name: p for p in op.parameters_in(ParamLocation.PATH)})
        return LinkView(
            path,
            tuple(
                LinkParam(name, _annotation(params[name].type) if name in params and fastapi_reads(params[name]) else "str")
                for name in dict.fromkeys(_TEMPLATE.findall(path))
            ),
        )
    return None


def _shape(segments: list[str]) -> list[str]:
    """Path segments with every template written ``{}``: paths that match the same requests."""
    return ["{}" if s.startswith("{") else s for s in segments]


def _scheme(s: SecurityScheme) -> SchemeView | None:
    const = "_" + s.python_name.upper()
    match s.kind:
        case SecurityKind.API_KEY:
            assert s.location is not None
            factory = {"header": "APIKeyHeader", "query": "APIKeyQuery", "cookie": "APIKeyCookie"}[s.location.value]
            return SchemeView(s.python_name, const, factory, s.param_name, s.key, s.description, "str | None", "str | None", False)
        case SecurityKind.HTTP_BEARER | SecurityKind.OAUTH2 | SecurityKind.OPENID_CONNECT:
            return SchemeView(
                s.python_name, const, "HTTPBearer", None, s.key, s.description,
                "HTTPAuthorizationCredentials | None", "str | None", True,
            )
        case SecurityKind.HTTP_BASIC:
            return SchemeView(
                s.python_name, const, "HTTPBasic", None, s.key, s.description,
                "HTTPBasicCredentials | None", "HTTPBasicCredentials | None", False,
            )
    return None  # unsupported schemes are not checked


def _segments(op: Operation) -> list[str]:
    return op.url_path.strip("/").split("/")


def _shadows(general: Operation, specific: Operation) -> bool:
    """Whether a route for ``general`` registered first would catch requests for ``specific``:
    same method, same shape, and ``specific`` has a literal segment first where ``general``
    has a template (``/threads/search`` against ``/threads/{thread_id}``)."""
    a, b = _segments(general), _segments(specific)
    if general.method is not specific.method or len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        x_template, y_template = x.startswith("{"), y.startswith("{")
        if x_template != y_template:
            return x_template  # the first difference in kind decides
        if not x_template and x != y:
            return False  # different literals: the paths never meet
    return False


def _route_order(views: list[OperationView]) -> list[OperationView]:
    """The spec's order, except that a route goes before the first one that would shadow it."""
    ordered: list[OperationView] = []
    for view in views:
        at = next((i for i, o in enumerate(ordered) if _shadows(o.op, view.op)), len(ordered))
        ordered.insert(at, view)
    return ordered


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
    def paging(self) -> bool:
        """Whether an operation is paginated (``server.py`` names ``_server_pagination``)."""
        return any(v.paging is not None for v in self.operations)


def _doc(op: Operation) -> str:
    head = op.summary or op.description or op.operation_id
    parts = [head, f"{op.method.value} {op.path}"]
    if op.description and op.description != head:
        parts.append(op.description)
    if op.deprecated:
        parts.append("Deprecated.")
    return "\n\n".join(parts)


def _sorted_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=import_name_key))


def build(api: Api) -> ServerView:
    schemes = {s.key: v for s in api.security_schemes if (v := _scheme(s)) is not None}
    functions = naming.dedupe(
        (op.handler_name + "_" if op.handler_name in _FIXED_NAMES else op.handler_name for op in api.operations),
        _FIXED_NAMES,
    )
    auths: dict[tuple[tuple[str, ...], ...], AuthView] = {}
    views: list[OperationView] = []
    gets = tuple(op for op in api.operations if op.method is HttpMethod.GET)
    base = base_path(api)
    for op, function in zip(api.operations, functions, strict=True):
        # Requirements naming a scheme that is unsupported (or undefined) cannot be checked:
        # the operation is left open.
        checkable = all(k in schemes for req in op.security for k in req.schemes)
        checked = tuple(tuple(schemes[k].python_name for k in req.schemes) for req in op.security) if checkable else ()
        auth = None
        if checked:
            if checked not in auths:
                used = sorted({n for req in checked for n in req})
                text = " or ".join(" and ".join(req) if req else "no credentials" for req in checked)
                function_name = "_" + "_or_".join("_and_".join(req) or "anonymous" for req in checked)
                members = tuple(v for v in schemes.values() if v.python_name in used)
                auths[checked] = AuthView(
                    function=naming.dedupe([function_name], (a.function for a in auths.values()))[0],
                    schemes=members,
                    requirements=checked,
                    text=text,
                    challenge=", ".join(sorted({_CHALLENGES[s.factory] for s in members})),
                )
            auth = auths[checked]
        renamed = _renamed_in_route(op)
        keys = {  # the query keys and cookies an exploded object does not take
            where: {p.name for p in op.parameters_in(where)}
            | {
                s.param_name
                for s in api.security_schemes
                if s.location is where and s.param_name and any(s.key in r.schemes for r in op.security)
            }
            for where in (ParamLocation.QUERY, ParamLocation.COOKIE)
        }
        spread = [p.name for p in op.parameters_in(ParamLocation.QUERY) if _object_reader(p) and p.explode]
        params = tuple(
            _param(
                p,
                p.location is ParamLocation.PATH and p.name in renamed,
                tuple(sorted(keys.get(p.location, set()) - {p.name})),
                spread.index(p.name) if p.location is ParamLocation.QUERY and p.name in spread else 0,
            )
            for p in op.parameters
        )
        taken = {p.python_name for p in params} | {"body"}
        request_name = naming.dedupe(["request"], taken)[0]
        credentials_name = naming.dedupe(["credentials"], taken | {request_name})[0] if auth else None
        main, status = _main_response(op)
        preferred = main.preferred if main is not None else None
        body = _body(op)
        views.append(
            OperationView(
                op=op,
                handler=op.handler_name,
                function=function,
                decorator=op.method.value.lower(),
                route_path=_route_path(op),
                request_name=request_name,
                credentials_name=credentials_name,
                auth=auth,
                params=params,
                body=body,
                returns=_returns(op, main),
                status=status,
                plain_response_class=preferred is None or preferred.media_type != "application/json",
                responses=tuple(_response(r, op, gets, base) for r in op.responses),
                doc=_doc(op),
                idempotency_header=op.idempotency_header,
            )
        )
    routes = _route_order(views)
    return ServerView(
        api=api,
        operations=tuple(views),
        routes=tuple(routes),
        schemes=tuple(schemes.values()),
        auths=tuple(auths.values()),
        std_imports=_std_imports(views, bool(schemes)),
        third_party_imports=_third_party_imports(views, tuple(schemes.values())),
        runtime_imports=_runtime_imports(views),
        requests_imports=_requests_imports(views),
        doc=_module_doc(api),
        base_path=base,
    )


def _std_imports(views: list[OperationView], dataclasses: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    std: dict[str, set[str]] = {"typing": {"Annotated", "Protocol"}}
    types: list[TypeRef] = []
    for v in views:
        types.extend(p.type for p in v.op.parameters)
        if v.op.request_body is not None:
            types.append(v.op.request_body.preferred.type)
        for r in v.op.responses:
            types.extend(c.type for c in r.contents)
            types.extend(c.unwrapped for c in r.contents if c.unwrapped is not None)
            types.extend(h.type for h in r.headers)
    for t in types:
        for module, name in t.imports():
            std.setdefault(module, set()).add(name)
    if any(v.returns == "Any" for v in views):
        std["typing"].add("Any")
    if any(v.streams for v in views):
        std.setdefault("collections.abc", set()).update({"AsyncIterator", "Awaitable"})
    if dataclasses:
        std.setdefault("dataclasses", set()).add("dataclass")
    return tuple((m, _sorted_names(names)) for m, names in sorted(std.items()))


def _third_party_imports(
    views: list[OperationView], schemes: tuple[SchemeView, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    fastapi = {"APIRouter", "FastAPI", "Request"}
    for v in views:
        fastapi.update(p.marker for p in v.params if not (p.deep_object or p.object_reader))
        if v.body is not None and v.body.reader is None:
            fastapi.add("Body")
        if v.auth is not None or v.runtime_read or (v.body is not None and v.body.reader is not None):
            fastapi.add("Depends")
    if schemes:
        fastapi.add("Security")
    security = {s.factory for s in schemes}
    for s in schemes:
        security.update(part.strip() for part in s.reads.split("|") if part.strip() not in ("str", "None"))
    modules = [("fastapi", fastapi), ("fastapi.responses", {"Response"})]
    if security:
        modules.append(("fastapi.security", security))
    return tuple((m, _sorted_names(names)) for m, names in modules)


def _runtime_imports(views: list[OperationView]) -> tuple[str, ...]:
    names = {"Content", "Declared", "Endpoint", "Fallback", "Reply", "Unimplemented", "install"}
    for v in views:
        if any(r.headers for r in v.responses):
            names.add("ResponseHeader")
        if v.auth is not None:
            names.add("require")
        if v.idempotency_header is not None:
            names |= {"IdempotencyStore", "MemoryIdempotencyStore"}
    return _sorted_names(names)


def _requests_imports(views: list[OperationView]) -> tuple[str, ...]:
    names: set[str] = set()
    for v in views:
        if v.body is not None and v.body.reader is not None:
            names.add(v.body.reader)
        if v.deep_objects:
            names.add("deep_object")
        names.update(p.object_reader for p in v.params if p.object_reader)
        if v.openapi_extra:
            names.add("openapi_extra")
        if any(p.from_text for p in v.params):
            names.add("from_text")
        if any(p.percent_decoded for p in v.params):
            names.add("percent_decoded")
        names.update(p.splitter for p in v.params if p.splitter)
    return _sorted_names(names)


def _module_doc(api: Api) -> str:
    return (
        f"{api.title} {api.version}: a FastAPI server, one route per operation of the spec.\n\n"
        "``app`` answers every operation from the spec (mock mode): the spec's example, or a value\n"
        "synthesized from the response model. To implement operations, subclass ``Handlers`` in\n"
        "your own module and serve ``create_app(YourHandlers())``: operations you do not implement\n"
        "still answer from the spec, or with 501 given ``create_app(handlers, fallback='501')``.\n\n"
        f"    uvicorn {api.package}.server:app"
    )


# -- the render.py interface ------------------------------------------------------------------


def files(api: Api) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context)."""
    view = build(api)
    return {
        SERVER: ("server.py.jinja", {"server": view}),
        RUNTIME: ("_server_runtime.py.jinja", {}),
        REQUESTS: ("_server_requests.py.jinja", {}),
        MOCK: ("_server_mock.py.jinja", {}),
        ROUTING: ("_server_routing.py.jinja", {}),
        HTTP: ("_server_http.py.jinja", {}),
        PAGINATION: ("_server_pagination.py.jinja", {}),
    }


def exports(api: Api) -> list[tuple[str, str]]:
    """(module, name) pairs the package's __init__ re-exports: none, so that importing the
    package does not import FastAPI."""
    return []
