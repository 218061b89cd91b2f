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

For a big API ``server.py`` is split per resource group (``routers/<group>.py``), by the
client's rule: :mod:`.server_layout`, which also lists the files.

Everything the templates print is decided here: names (deduplicated against the module's own),
annotations, imports, and literals of spec values (through :mod:`oapigen.views.server_literals`).
The package ``__init__`` exports nothing from the server, so ``import package`` works without
FastAPI installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..core import naming
from ..core.contract import MODELS_PREFIX
from ..ir.model import (
    Api,
    BodyKind,
    HttpMethod,
    Operation,
    ParamLocation,
    Response,
    SecurityKind,
    TypeKind,
    TypeRef,
)
from ..pysource.imports import import_name_key
from .client_layout import split
from .server_parts import (
    CHALLENGES,
    body_view,
    mock_token_paths,
    object_reader,
    param_view,
    response_view,
    route_path,
    route_renames,
    scheme_view,
    segments,
)
from .server_types import (
    EVENTS,
    AuthView,
    OperationView,
    SchemeView,
    ServerView,
)

SERVER = "server.py"
RUNTIME = "_server_runtime.py"
REQUESTS = "_server_requests.py"
MOCK = "_server_mock.py"
ROUTING = "_server_routing.py"
HTTP = "_server_http.py"
PAGINATION = "_server_pagination.py"
OAUTH2 = "_server_oauth2.py"
STREAMS = "_server_streams.py"

# FastAPI's parameter function for each location.
# Names of the runtime module that server.py may import.
_RUNTIME_NAMES = frozenset(
    {"ResponseContent", "DeclaredResponse", "ServerOperation", "Reply", "ResponseHeader", "ServerSentEvent",
     "Unimplemented", "install", "raw_body", "form_body", "multipart_body", "deep_object", "query_object",
     "header_object", "cookie_object", "path_object",
     "require", "Fallback", "openapi_extra", "from_text", "percent_decoded", "comma_separated",
     "space_separated", "pipe_separated", "header_items"}
)
# Names of the runtime module that server.py re-exports (in ``__all__``), for handler modules.
# Every other public name server.py defines or imports: an operation whose handler name is one
# of these gets a route function with a trailing ``_``.
_FIXED_NAMES = frozenset(
    {"app", "create_app", "router", "models", "Handlers", "Credentials", "Annotated", "Any",
     "Literal", "Protocol", "AsyncIterator", "AsyncIterable", "Awaitable", "Iterable", "dataclass", "APIRouter", "Body", "Cookie",
     "Depends", "FastAPI", "Header", "Path", "Query", "Request", "Response", "Security",
     "APIKeyCookie", "APIKeyHeader", "APIKeyQuery", "HTTPAuthorizationCredentials",
     "HTTPBasic", "HTTPBasicCredentials", "HTTPBearer", "OPERATIONS", "UUID", "date",
     "datetime", "time", "timedelta"}
) | _RUNTIME_NAMES


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


def _returns(op: Operation, main: Response | None) -> str:
    body = main.preferred if main is not None else None
    if body is None:
        return "Reply | None"
    if body.kind is BodyKind.EVENT_STREAM:
        # A plain ``def`` in the Protocol: an async generator method (``async def`` with
        # ``yield``) implements it, and so does an ``async def`` returning a stream or a Reply.
        return f"{EVENTS} | Awaitable[{EVENTS} | Reply]"
    if body.kind is BodyKind.JSON_LINES:  # the items, as the events above (_server_streams)
        item = body.type.annotation(MODELS_PREFIX)
        return f"AsyncIterator[{item}] | Awaitable[AsyncIterable[{item}] | Iterable[{item}] | Reply]"
    if body.kind in (BodyKind.BINARY, BodyKind.TEXT):  # whole, or in chunks (_server_streams)
        chunk = body.type.annotation(MODELS_PREFIX)
        return f"{chunk} | Iterable[{chunk}] | AsyncIterable[{chunk}] | Reply"
    returned = body.unwrapped or body.type  # a plain array or map: its list or dict
    if returned.kind is TypeKind.ANY:
        return "Any"
    # `Reply` joins the union before a `None` member, which ends it (ruff's RUF036)
    members = returned.args if returned.kind is TypeKind.UNION else (returned,)
    nullable = any(m.kind is TypeKind.NONE for m in members)
    parts = [m.annotation(MODELS_PREFIX) for m in members if m.kind is not TypeKind.NONE]
    return " | ".join([*parts, "Reply", *(["None"] if nullable else [])])


# Path parameter names Starlette reads from a route's path; others are renamed there.
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


def _shadows(general: Operation, specific: Operation) -> bool:
    """Whether a route for ``general`` registered first would catch requests for ``specific``:
    same method, same shape, and ``specific`` has a literal segment first where ``general``
    has a template (``/threads/search`` against ``/threads/{thread_id}``)."""
    a, b = segments(general), segments(specific)
    if general.method is not specific.method or len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        x_template, y_template = x.startswith("{"), y.startswith("{")
        if x_template != y_template:
            return x_template  # the first difference in kind decides
        if not x_template and x != y:
            return False  # different literals: the paths never meet
    return False


def route_order(views: list[OperationView]) -> list[OperationView]:
    """The spec's order, except that a route goes before the first one that would shadow it."""
    ordered: list[OperationView] = []
    for view in views:
        at = next((i for i, o in enumerate(ordered) if _shadows(o.op, view.op)), len(ordered))
        ordered.insert(at, view)
    return ordered


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
    schemes = {s.key: v for s in api.security_schemes if (v := scheme_view(s)) is not None}
    fixed = _FIXED_NAMES | ({"routers"} if split(api) else set())  # server.py's import of routers/
    functions = naming.dedupe(
        (op.handler_name + "_" if op.handler_name in fixed else op.handler_name for op in api.operations), fixed
    )
    auths: dict[tuple[tuple[tuple[str, ...], ...], tuple[tuple[tuple[str, ...], ...], ...]], AuthView] = {}
    tokens = {s.key for s in api.security_schemes if s.kind is SecurityKind.OAUTH2}  # scopes checked
    views: list[OperationView] = []
    gets = tuple(op for op in api.operations if op.method is HttpMethod.GET)
    base = base_path(api)
    for op, function in zip(api.operations, functions, strict=True):
        # Requirements naming a scheme that is unsupported (or undefined) cannot be checked:
        # the operation is left open.
        checkable = all(k in schemes for req in op.security for k in req.schemes)
        checked = tuple(tuple(schemes[k].python_name for k in req.schemes) for req in op.security) if checkable else ()
        oauth2 = tuple(sorted({schemes[k].python_name for r in op.security for k in r.schemes if k in tokens}))
        scopes = tuple(r.scopes for r in op.security) if checkable and oauth2 else ()
        auth = None
        if checked:
            if (checked, scopes) not in auths:
                used = sorted({n for req in checked for n in req})
                text = " or ".join(" and ".join(req) if req else "no credentials" for req in checked)
                function_name = "_" + "_or_".join("_and_".join(req) or "anonymous" for req in checked)
                members = tuple(v for v in schemes.values() if v.python_name in used)
                auths[checked, scopes] = AuthView(
                    function=naming.dedupe([function_name], (a.function for a in auths.values()))[0],
                    schemes=members,
                    requirements=checked,
                    text=text,
                    challenge=", ".join(sorted({CHALLENGES[s.factory] for s in members})),
                    oauth2=oauth2,
                    scopes=scopes,
                )
            auth = auths[checked, scopes]
        renamed = route_renames(op)
        keys = {  # the query keys and cookies an exploded object does not take
            where: {p.name for p in op.parameters_in(where)}
            | {
                s.param_name
                for s in api.security_schemes
                if s.location is where and s.param_name and any(s.key in r.schemes for r in op.security)
            }
            for where in (ParamLocation.QUERY, ParamLocation.COOKIE)
        }
        spread = [p.name for p in op.parameters_in(ParamLocation.QUERY) if object_reader(p) and p.explode]
        params = tuple(
            param_view(
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
        body = body_view(op)
        views.append(
            OperationView(
                op=op,
                handler=op.handler_name,
                function=function,
                decorator=op.method.value.lower(),
                route_path=route_path(op),
                request_name=request_name,
                credentials_name=credentials_name,
                auth=auth,
                params=params,
                body=body,
                returns=_returns(op, main),
                status=status,
                plain_response_class=preferred is None or preferred.media_type != "application/json",
                responses=tuple(response_view(r, op, gets, base) for r in op.responses),
                doc=_doc(op),
                idempotency_header=op.idempotency_header,
            )
        )
    routes = route_order(views)
    return ServerView(
        api=api,
        operations=tuple(views),
        routes=tuple(routes),
        schemes=tuple(schemes.values()),
        auths=tuple(auths.values()),
        std_imports=std_imports(views, bool(schemes)),
        third_party_imports=third_party_imports(views, tuple(schemes.values())),
        runtime_imports=_runtime_imports(views),
        requests_imports=requests_imports(views),
        doc=_module_doc(api),
        constrained=_writes_constraints(views),
        base_path=base,
        token_paths=mock_token_paths(api.security_schemes, api.servers[0] if api.servers else "", base),
    )


def _types(views: list[OperationView]) -> list[TypeRef]:
    """The types server.py writes: parameters, bodies, answers, headers."""
    types: list[TypeRef] = []
    for v in views:
        types.extend(p.type for p in v.op.parameters)
        if v.op.request_body is not None:
            types.append(v.op.request_body.preferred.type)
        for r in v.op.responses:
            types.extend(c.type for c in r.contents)
            types.extend(c.unwrapped for c in r.contents if c.unwrapped is not None)
            types.extend(h.type for h in r.headers)
    return types


def _writes_constraints(views: list[OperationView]) -> bool:
    """Whether server.py writes a ``Constraints(...)``: in a route's parameter or body, in an
    answer's type, a header's or a link's."""
    texts: list[str] = []
    for v in views:
        texts += [t for p in v.params for t in (p.annotation, p.item_annotation)]
        texts += [v.body.annotation, v.body.item_type] if v.body is not None else []
        for r in v.responses:
            texts += [c.annotation for c in r.contents] + [h.annotation for h in r.headers]
            texts += [p.annotation for h in r.headers if h.link is not None for p in h.link.params]
    return any("Constraints(" in text for text in texts)


def std_imports(views: list[OperationView], dataclasses: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    std: dict[str, set[str]] = {"typing": {"Protocol"}}
    # Annotated marks every handler argument the route reads (parameters, the body, credentials)
    # and the security objects; a constrained type adds it below.
    if dataclasses or any(v.arguments for v in views):
        std["typing"].add("Annotated")
    for t in _types(views):
        for module, name in t.imports(validated=True):
            std.setdefault(module, set()).add(name)
    if any(v.returns == "Any" for v in views):
        std["typing"].add("Any")
    if any(v.streams for v in views):
        std.setdefault("collections.abc", set()).update({"AsyncIterator", "Awaitable"})
    for name in ("AsyncIterable", "AsyncIterator", "Awaitable", "Iterable"):  # streamed bodies
        if any(f"{name}[" in v.returns for v in views):
            std.setdefault("collections.abc", set()).add(name)
    if dataclasses:
        std.setdefault("dataclasses", set()).add("dataclass")
    return tuple((m, _sorted_names(names)) for m, names in sorted(std.items()))


def third_party_imports(
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
    names = {"ResponseContent", "DeclaredResponse", "ServerOperation", "Fallback", "Reply", "Unimplemented", "install"}
    for v in views:
        if any(r.headers for r in v.responses):
            names.add("ResponseHeader")
        if v.auth is not None and not v.auth.oauth2:
            names.add("require")
        if v.idempotency_header is not None:
            names |= {"IdempotencyStore", "MemoryIdempotencyStore"}
    return _sorted_names(names)


def requests_imports(views: list[OperationView]) -> tuple[str, ...]:
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


# -- the render.py interface (the files: :mod:`.server_layout`) ------------------------------


def exports(api: Api) -> list[tuple[str, str]]:
    """(module, name) pairs the package's __init__ re-exports: none, so that importing the
    package does not import FastAPI."""
    return []
