"""The methods, resource groups and constructors of the generated ``client.py``.

Signature rules: path parameters positional, in path order; everything else keyword-only,
required first; optional arguments default to ``NOT_GIVEN`` (not sent), except a required
parameter that admits one value only (a one-value enum or const), which defaults to it.
Request bodies accept the model or a plain dict (validated into the model before sending).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core import escape, naming
from ..ir.model import (
    Api,
    BodyKind,
    Operation,
    Parameter,
    ParamLocation,
    RequestBody,
    ResourceGroup,
    SecurityKind,
    SecurityScheme,
    TypeKind,
    TypeRef,
    union,
)
from .client_endpoints import EndpointRow, EndpointsModule, resumable, success_type
from .imports import ImportBlock, all_name_key, import_block

MODELS = "models."
NOT_GIVEN_TYPE = TypeRef(TypeKind.PRIMITIVE, "NotGiven")  # the sentinel's type, in annotations

# Keyword arguments of the Client constructors; security scheme arguments must avoid them.
CONSTRUCTOR_ARGUMENTS = (
    "self",
    "base_url",
    "headers",
    "timeout",
    "max_retries",
    "strict_responses",
    "http_client",
)

# Exceptions per status, as the generated errors module raises them.
ERRORS_BY_STATUS = {
    "400": "BadRequestError",
    "401": "AuthenticationError",
    "403": "PermissionDeniedError",
    "404": "NotFoundError",
    "409": "ConflictError",
    "422": "UnprocessableEntityError",
    "429": "RateLimitError",
}

# Security scheme kind -> (credential class in _auth, argument annotation, what to pass).
_CREDENTIALS = {
    SecurityKind.API_KEY: ("ApiKey", "str | None", "the API key"),
    SecurityKind.HTTP_BEARER: ("Bearer", "str | None", "the bearer token"),
    SecurityKind.OAUTH2: ("Bearer", "str | None", "an OAuth 2 access token, sent as a bearer token"),
    SecurityKind.OPENID_CONNECT: ("Bearer", "str | None", "an OpenID Connect token, sent as a bearer token"),
    SecurityKind.HTTP_BASIC: ("Basic", "tuple[str, str] | None", "``(username, password)``"),
}


@dataclass(frozen=True, slots=True)
class ArgumentView:
    name: str
    annotation: str
    default: str | None  # source of the default value; None: required


@dataclass(frozen=True, slots=True)
class MethodView:
    name: str
    endpoint: str  # constant in _endpoints
    positional: tuple[ArgumentView, ...]
    keyword: tuple[ArgumentView, ...]
    params: tuple[str, ...]  # argument names passed to the request builder by name
    has_body: bool
    streams: bool
    returns: str
    async_returns: str
    doc: str
    paginated: bool = False  # returns a SyncPage / AsyncPager of the items (``_pagination``)


@dataclass(frozen=True, slots=True)
class GroupView:
    attribute: str
    sync_class: str
    async_class: str
    raw_class: str
    async_raw_class: str
    doc: str
    methods: tuple[MethodView, ...]


@dataclass(frozen=True, slots=True)
class SchemeView:
    key: str  # name under components/securitySchemes
    argument: str
    annotation: str
    credential: str  # class in _auth
    credential_args: tuple[str, ...]  # spec strings passed before the secret
    doc: str


@dataclass(frozen=True, slots=True)
class ClientModule:
    imports: ImportBlock
    doc: str
    groups: tuple[GroupView, ...]
    methods: tuple[MethodView, ...]  # operations without a group, on the client itself
    schemes: tuple[SchemeView, ...]
    base_url: str | None  # the default base URL, when the spec gives a usable one
    sync_doc: str
    async_doc: str
    all: tuple[str, ...]


# -- arguments ---------------------------------------------------------------------------------


def py_literal(value: str | int | float | bool) -> str:
    """Source text of a scalar spec value."""
    return escape.str_literal(value) if isinstance(value, str) else repr(value)


def _single_value(t: TypeRef) -> str | None:
    if t.kind is TypeKind.LITERAL and len(t.literal) == 1:
        return py_literal(t.literal[0])
    return None


def body_input(body: RequestBody) -> tuple[str, frozenset[tuple[str, str]]]:
    """What ``body=`` accepts for the preferred media type, and the imports that needs."""
    content = body.preferred
    t = content.type
    if content.kind is BodyKind.BINARY:
        return "FileContent", frozenset({("._types", "FileContent")})
    if content.kind in (BodyKind.TEXT, BodyKind.EVENT_STREAM):
        return "str", frozenset()
    if content.kind is BodyKind.MULTIPART and t.kind is TypeKind.PRIMITIVE and t.name == "bytes":
        return "FileTypes", frozenset({("._types", "FileTypes")})
    if t.kind is TypeKind.NAMED:
        return f"{t.annotation(MODELS)} | dict[str, Any]", frozenset({("typing", "Any")})
    return t.annotation(MODELS), t.imports()


def _param_argument(p: Parameter) -> ArgumentView:
    if p.required:
        return ArgumentView(p.python_name, p.type.annotation(MODELS), _single_value(p.type))
    # union() keeps None last: ``str | NotGiven | None``.
    return ArgumentView(p.python_name, union(p.type, NOT_GIVEN_TYPE).annotation(MODELS), "NOT_GIVEN")


def _keyword_arguments(op: Operation) -> tuple[ArgumentView, ...]:
    """Required (the body last), then required with a default value, then optional."""
    required: list[ArgumentView] = []
    defaulted: list[ArgumentView] = []
    optional: list[ArgumentView] = []
    for p in op.parameters:
        if p.location is ParamLocation.PATH:
            continue
        argument = _param_argument(p)
        if not p.required:
            optional.append(argument)
        elif argument.default is None:
            required.append(argument)
        else:
            defaulted.append(argument)
    if op.request_body:
        annotation, _ = body_input(op.request_body)
        if op.request_body.required:
            required.append(ArgumentView("body", annotation, None))
        else:
            optional.append(ArgumentView("body", f"{annotation} | NotGiven", "NOT_GIVEN"))
    return (*required, *defaulted, *optional)


# -- docstrings --------------------------------------------------------------------------------


def _indent_rest(text: str, pad: str) -> str:
    first, *rest = text.strip().splitlines() or [""]
    return "\n".join([first, *(pad + line if line.strip() else "" for line in rest)])


def _describe_param(p: Parameter) -> str | None:
    parts = [p.description.strip()] if p.description else []
    if p.deprecated:
        parts.append("Deprecated.")
    if p.has_default:
        parts.append(f"The server's default: {json.dumps(p.default, default=str)}.")
    return " ".join(parts) or None


def _describe_body(body: RequestBody) -> str:
    content = body.preferred
    kinds = {
        BodyKind.JSON: "sent as JSON",
        BodyKind.FORM: "sent form-encoded",
        BodyKind.MULTIPART: "sent as multipart/form-data; files as bytes, file objects or (name, content[, type]) tuples",
        BodyKind.BINARY: "sent as is",
        BodyKind.TEXT: "sent as text",
        BodyKind.EVENT_STREAM: "sent as text",
    }
    how = kinds[content.kind]
    if content.type.kind is TypeKind.NAMED and content.kind is not BodyKind.BINARY:
        how = f"a {content.type.name} or a dict validated into it, {how}"
    lead = body.description.strip() if body.description else "The request body"
    return f"{lead.rstrip('.')} ({how}, {content.media_type})."


def _error_class(status: str) -> str:
    if status.startswith("5"):
        return "InternalServerError"
    return ERRORS_BY_STATUS.get(status, "ApiError")


def method_doc(op: Operation, order: Sequence[str]) -> str:
    """Summary, description, arguments (in ``order``), result and errors, as plain text."""
    request = f"{op.method.value} {op.path}"  # as openai-python's methods name theirs
    lines = [(op.summary or request).strip()]
    if lines[0] != request:
        lines += ["", request]
    if op.description and op.description.strip() != lines[0]:
        lines += ["", op.description.strip()]
    if op.deprecated:
        lines += ["", "Deprecated."]
    described = [(p.python_name, _describe_param(p)) for p in op.parameters]
    if op.request_body:
        described.append(("body", _describe_body(op.request_body)))
    args = sorted(((name, text) for name, text in described if text), key=lambda a: order.index(a[0]))
    if args:
        lines += ["", "Args:"]
        lines += [f"    {name}: {_indent_rest(text, ' ' * 8)}" for name, text in args]
    ok = op.success
    if op.streams:
        lines += ["", "Returns:", "    The server-sent events (also a context manager that closes the connection)."]
        if resumable(op):
            lines.append("    A broken connection is resumed with Last-Event-ID.")
    elif ok is not None and ok.description.strip():
        lines += ["", "Returns:", f"    {_indent_rest(ok.description, ' ' * 8)}"]
    errors = [(r.status, r.description) for r in op.responses if not r.is_success]
    if errors:
        lines += ["", "Raises:"]
        for status, description in errors:
            text = f"{status} {description.strip()}".strip() if status != "default" else description.strip()
            lines.append(f"    {_error_class(status)}: {_indent_rest(text or status, ' ' * 8)}")
    return "\n".join(lines)


# -- methods and groups ------------------------------------------------------------------------


def method_view(op: Operation, row: EndpointRow) -> MethodView:
    returns = success_type(op).annotation(MODELS)
    positional = tuple(
        ArgumentView(p.python_name, p.type.annotation(MODELS), None)
        for p in op.parameters_in(ParamLocation.PATH)
    )
    keyword = _keyword_arguments(op)
    paginated = op.pagination is not None and not op.streams
    sync_page, async_pager = "SyncPage", "AsyncPager"
    if paginated:
        assert op.pagination is not None
        page_args = f"{op.pagination.item_type.annotation(MODELS)}, {returns}"
        body = success_type(op)
        if body.kind is TypeKind.LIST:  # the body is the list of items: the shorter alias
            sync_page, async_pager = "SyncListPage", "AsyncListPager"
            page_args = body.args[0].annotation(MODELS)
    return MethodView(
        name=op.python_name,
        endpoint=row.constant,
        positional=positional,
        keyword=keyword,
        params=tuple(p.python_name for p in op.parameters),
        has_body=op.request_body is not None,
        streams=op.streams,
        returns="Stream" if op.streams else f"{sync_page}[{page_args}]" if paginated else returns,
        async_returns="AsyncStream" if op.streams else f"{async_pager}[{page_args}]" if paginated else returns,
        doc=method_doc(op, [a.name for a in (*positional, *keyword)]),
        paginated=paginated,
    )


def _class_names(base: str, taken: set[str]) -> tuple[str, str, str, str]:
    """Sync, async, raw and async raw class names for a group, avoiding ``taken``."""
    n = 1
    while True:
        stem = base if n == 1 else f"{base}{n}"
        names = (stem, f"Async{stem}", f"{stem}WithRawResponse", f"Async{stem}WithRawResponse")
        if taken.isdisjoint(names):
            taken.update(names)
            return names
        n += 1


def group_view(group: ResourceGroup, methods: Sequence[MethodView], taken: set[str]) -> GroupView:
    sync_class, async_class, raw_class, async_raw_class = _class_names(group.class_name, taken)
    doc = group.description.strip() if group.description else f"Operations tagged {group.tag!r}."
    return GroupView(group.name, sync_class, async_class, raw_class, async_raw_class, doc, tuple(methods))


# -- security ----------------------------------------------------------------------------------


def scheme_views(schemes: Iterable[SecurityScheme]) -> tuple[SchemeView, ...]:
    supported = [s for s in schemes if s.kind in _CREDENTIALS]
    names = naming.dedupe((s.python_name for s in supported), CONSTRUCTOR_ARGUMENTS)
    views = []
    for scheme, argument in zip(supported, names, strict=True):
        credential, annotation, what = _CREDENTIALS[scheme.kind]
        args: tuple[str, ...] = ()
        if scheme.kind is SecurityKind.API_KEY and scheme.location and scheme.param_name:
            args = (scheme.location.value, scheme.param_name)
            what = f"{what}, sent as the {scheme.location.value} {scheme.param_name!r}"
        doc = f"{what} ({scheme.key!r})."
        if scheme.description:
            doc += " " + scheme.description.strip()
        views.append(SchemeView(scheme.key, argument, annotation, credential, args, doc))
    return tuple(views)


# -- the module --------------------------------------------------------------------------------


def default_base_url(api: Api) -> str | None:
    """The first server URL if it is absolute and has no variables."""
    for url in api.servers[:1]:
        if url.startswith(("http://", "https://")) and "{" not in url:
            return url
    return None


def _client_doc(api: Api, schemes: Sequence[SchemeView], base_url: str | None, asynchronous: bool) -> str:
    kind = "asyncio" if asynchronous else "blocking"
    closing = (
        "an ``async with`` block, or call ``await client.aclose()``"
        if asynchronous
        else "a ``with`` block, or call ``client.close()``"
    )
    lines = [
        f"{api.title} {api.version} client ({kind}).".replace("  ", " "),
        "",
        f"Use it in {closing}, to release the connections.",
        "",
        "Args:",
        "    base_url: The server, e.g. ``http://127.0.0.1:8000``"
        + (f" (default: {base_url})." if base_url else "."),
    ]
    lines += [f"    {s.argument}: {_indent_rest(s.doc[0].upper() + s.doc[1:], ' ' * 8)}" for s in schemes]
    lines += [
        "    headers: Headers sent with every request.",
        "    timeout: Seconds, an ``httpx.Timeout`` or None (default: 60 s, 5 s to connect);",
        "        each call may pass its own ``timeout=``. Event streams wait for events forever.",
        "    max_retries: Retries after connection errors, 408, 429 and 5xx (default 2).",
        "    strict_responses: Raise ``ResponseValidationError`` when a response does not fit",
        "        its declared type (unknown enum values never raise); False returns it as built.",
        "    follow_redirects: Follow 301, 302, 303, 307 and 308 (default); credentials are not",
        "        sent to another origin. False: a 3xx raises ``RedirectError``.",
        "    http_client: An httpx client of your own (e.g. with a mock or ASGI transport); the",
        "        client does not close it. Without it, the client's pool holds up to 1,000",
        "        connections, all kept alive for 5 s when idle (``DEFAULT_CONNECTION_LIMITS``).",
    ]
    return "\n".join(lines)


def _module_doc(api: Api) -> str:
    lines = [
        f"{api.title} {api.version}: the HTTP client.".replace("  ", " "),
        "",
        "``Client`` (blocking) and ``AsyncClient`` (asyncio) have one method per operation, on a",
        "resource group per tag (``client.<group>.<method>(...)``); API.md lists them all.",
        "``client.with_raw_response.<group>.<method>(...)`` returns a ``RawResponse`` with the",
        "HTTP response (headers, status) around the same result.",
    ]
    if api.description:
        lines += ["", api.description.strip()]
    return "\n".join(lines)


def _imports(api: Api, schemes: Sequence[SchemeView], methods: Sequence[MethodView]) -> ImportBlock:
    stdlib: set[tuple[str, str]] = {("collections.abc", "Mapping"), ("functools", "cached_property")}
    types: list[TypeRef] = []
    for op in api.operations:
        types.extend(p.type for p in op.parameters)
        if not op.streams:
            types.append(success_type(op))
    stdlib.update(imp for t in types for imp in t.imports())
    local = {
        ("._base_client", "DEFAULT_MAX_RETRIES"),
        ("._base_client", "DEFAULT_TIMEOUT"),
        ("._base_client", "AsyncAPIClient"),
        ("._base_client", "SyncAPIClient"),
        ("._types", "TimeoutTypes"),
    }
    if methods:
        local |= {
            (".", "_endpoints"),
            ("._response", "async_to_raw_response"),
            ("._response", "to_raw_response"),
            ("._types", "NOT_GIVEN"),
            ("._types", "NotGiven"),
        }
    if api.groups:
        local |= {("._base_client", "AsyncResource"), ("._base_client", "SyncResource")}
    if any(m.streams for m in methods):
        local |= {("._sse", "AsyncStream"), ("._sse", "Stream")}
    if any(m.paginated for m in methods):
        local |= {("._pagination", n) for n in ("async_pager", "sync_page")}
        local |= {("._pagination", m.returns.partition("[")[0]) for m in methods if m.paginated}
        local |= {("._pagination", m.async_returns.partition("[")[0]) for m in methods if m.paginated}
        stdlib.update(i for op in api.operations if op.pagination for i in op.pagination.item_type.imports())
    for op in api.operations:
        if op.request_body:
            for module, name in body_input(op.request_body)[1]:
                (local if module.startswith(".") else stdlib).add((module, name))
    local.update(("._auth", s.credential) for s in schemes)
    bodies = [op.request_body.preferred.type for op in api.operations if op.request_body]
    if any(t.model_names() for t in (*types, *bodies)):
        local.add((".", "models"))
    return import_block(stdlib, ("httpx",), local)


def client_module(api: Api, endpoints: EndpointsModule) -> ClientModule:
    """The ``client.py`` context."""
    rows = dict(zip((op.pointer for op in api.operations), endpoints.rows, strict=True))
    views = {op.pointer: method_view(op, rows[op.pointer]) for op in api.operations}
    schemes = scheme_views(api.security_schemes)
    imports = _imports(api, schemes, list(views.values()))
    taken = {"Client", "AsyncClient", "ClientWithRawResponse", "AsyncClientWithRawResponse", *imports.names}
    groups = tuple(group_view(g, [views[op.pointer] for op in g.operations], taken) for g in api.groups)
    classes = {"Client", "AsyncClient", "ClientWithRawResponse", "AsyncClientWithRawResponse"}
    for g in groups:
        classes |= {g.sync_class, g.async_class, g.raw_class, g.async_raw_class}
    base_url = default_base_url(api)
    return ClientModule(
        imports=imports,
        doc=_module_doc(api),
        groups=groups,
        methods=tuple(views[op.pointer] for op in api.ungrouped),
        schemes=schemes,
        base_url=base_url,
        sync_doc=_client_doc(api, schemes, base_url, asynchronous=False),
        async_doc=_client_doc(api, schemes, base_url, asynchronous=True),
        all=tuple(sorted(classes, key=all_name_key)),
    )
