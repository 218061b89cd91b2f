"""The generated package's documents: ``API.md`` (every operation: its call, types and text)
and ``README.md`` (a quick start for this API), as template contexts computed from the IR.

Calls and signatures are taken from the client's own method views, so the documents show
exactly what ``client.py`` accepts. Spec text stays raw here: the templates escape it
(``md``, ``md_code``); code blocks are fenced with more backticks than they contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..core import escape
from ..core.contract import MODELS_MODULE, MODELS_PREFIX, error_class
from ..ir.model import Api, Operation, Response, TypeKind, TypeRef
from ..pysource.imports import from_import_lines
from . import server as server_view
from .client_credentials import credential_views
from .client_endpoints import declared_headers, endpoints_module
from .client_layout import ClientModule, client_module
from .client_methods import MethodView, default_base_url
from .docs_oauth2 import oauth2_docs, operation_scopes
from .pagination import pagination_doc
from .server_types import EVENTS, OperationView, ServerView
from .streaming_docs import streamed_calls, streaming_doc

README = "README.md"
API = "API.md"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

# A literal for a required argument of these types, and the import it needs.
_SAMPLES: dict[str, tuple[str, str | None]] = {
    "str": ('"example"', None),
    "int": ("1", None),
    "float": ("1.0", None),
    "bool": ("True", None),
    "UUID": ('UUID("00000000-0000-4000-8000-000000000001")', "from uuid import UUID"),
    "date": ("date(2024, 1, 1)", "from datetime import date"),
    "datetime": ("datetime(2024, 1, 1, tzinfo=timezone.utc)", "from datetime import datetime, timezone"),
}


@dataclass(frozen=True, slots=True)
class ParamDoc:
    name: str  # the Python argument
    wire_name: str | None  # the spec's name when it differs (the media type for the body)
    location: str  # path, query, header, cookie or body
    annotation: str  # what the client method accepts
    required: bool
    description: str | None

    @property
    def table_row(self) -> str:
        """Its row of the arguments table."""
        wire = f" {escape.md_code(self.wire_name)}" if self.wire_name else ""
        description = escape.md_cell(self.description) if self.description else ""
        required = "yes" if self.required else "no"
        return (f"| `{self.name}` | {self.location}{wire} | {escape.md_code(self.annotation)} | {required} "
                f"| {description} |")


@dataclass(frozen=True, slots=True)
class ResponseDoc:
    status: str
    annotation: str | None  # the body's type; None: no body
    media_type: str | None
    raises: str | None  # the exception the client raises for it; None for 2xx
    description: str

    @property
    def table_row(self) -> str:
        """Its row of the responses table."""
        body = escape.md_code(self.annotation) if self.annotation else "-"
        raises = f"`{self.raises}`" if self.raises else "-"
        return f"| {escape.md_cell(self.status)} | {body} | {raises} | {escape.md_cell(self.description)} |"


@dataclass(frozen=True, slots=True)
class HeadersDoc:
    status: str
    headers: tuple[tuple[str, str], ...]  # (attribute of RawResponse.declared_headers, type)

    @property
    def listing(self) -> str:
        """``200: `name: type`, ...`` (the sentence's punctuation is the template's)."""
        headers = ", ".join(escape.md_code(f"{name}: {annotation}") for name, annotation in self.headers)
        return f"{escape.md_cell(self.status)}: {headers}"


@dataclass(frozen=True, slots=True)
class OperationDoc:
    call: str  # client.thread_runs.create_run
    method: str
    path: str
    summary: str | None
    signature: str  # the call with typed arguments and its result type (one line of Python)
    fence: str  # a code fence longer than any backtick run of the signature
    params: tuple[ParamDoc, ...]
    responses: tuple[ResponseDoc, ...]
    paragraphs: tuple[str, ...]  # the description, one item per paragraph
    deprecated: bool
    streams: bool
    idempotency: tuple[str, str] | None  # (header, argument) of its idempotency key
    headers: tuple[HeadersDoc, ...]  # the responses that declare headers
    pagination: str | None = None  # a paginated list operation: how it pages, one sentence
    authorization_md: str | None = None  # the OAuth 2 scopes it needs, Markdown (docs_oauth2)
    streaming: str | None = None  # how its answer streams, one sentence (.streaming_docs)

    # Markdown written out here, spec text through escape.md_cell / md_code (the template only
    # places it).

    @property
    def heading(self) -> str:
        """The line under the operation's title: method, path, summary, deprecation."""
        summary = f": {escape.md_cell(self.summary)}" if self.summary else ""
        deprecated = " (deprecated)" if self.deprecated else ""
        return f"{self.method} {escape.md_code(self.path)}{summary}{deprecated}"

    @property
    def idempotency_key_md(self) -> str:
        """The idempotency key's header, as code (needs ``idempotency``)."""
        assert self.idempotency is not None
        return escape.md_code(self.idempotency[0])

    @property
    def idempotency_argument_md(self) -> str:
        """``argument=``, as code (needs ``idempotency``)."""
        assert self.idempotency is not None
        return escape.md_code(self.idempotency[1] + "=")


@dataclass(frozen=True, slots=True)
class Snippet:
    """A call to one real operation, with the imports its arguments need."""

    operation: Operation
    call: str  # client.pets.list_pets(limit=1)
    imports: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuickStart:
    package: str
    fence: str  # opens and closes every code block
    base_url: str  # Python literal
    client_args: str  # the constructor's arguments
    imports: tuple[str, ...]  # import lines of the client example
    example: Snippet | None
    stream: Snippet | None  # an event-stream operation, when the API has one
    handler: str | None  # the Handlers method of the example operation (a signature line)
    handler_imports: tuple[str, ...]  # of the handler example (both methods)
    stream_handler: str | None  # the Handlers method of the stream operation, an async generator
    test_args: str  # ``base_url=...,`` when the client has no default base URL, else ""
    base_path: str  # where the server serves the operations ("": at the root)
    idempotent: tuple[str, ...]  # the calls of the operations with an idempotency key header
    paginated: tuple[str, ...] = ()  # the calls of the paginated list operations
    json_lines: tuple[str, ...] = ()  # the calls answering JSON lines
    downloads: tuple[str, ...] = ()  # the calls answering a binary body

    # Lines written out here (the template only places them).

    @property
    def in_process_client(self) -> str:
        """The example's ``client = Client(...)`` on the app in process."""
        return f"client = Client({self.test_args}http_client=httpx.Client(transport=BlockingASGITransport(create_app())))"

    @property
    def in_process_async_client(self) -> str:
        """The example's ``aclient = AsyncClient(...)`` on the app in process."""
        transport = "httpx.ASGITransport(app=create_app())"
        return f"aclient = AsyncClient({self.test_args}http_client=httpx.AsyncClient(transport={transport}))"

    @property
    def idempotent_md(self) -> str:
        """The calls of ``idempotent``, as code, separated by commas."""
        return ", ".join(escape.md_code(call) for call in self.idempotent)

    @property
    def paginated_md(self) -> str:
        """The calls of ``paginated``, as code, separated by commas."""
        return self.calls_md(self.paginated)

    def calls_md(self, calls: tuple[str, ...]) -> str:
        """``calls`` as code, separated by commas."""
        return ", ".join(escape.md_code(call) for call in calls)


def method_views(api: Api, module: ClientModule | None = None) -> dict[str, MethodView]:
    """Operation pointer -> the client's method view (what the generated method accepts);
    ``module``: the client view already built from ``api``."""
    module = client_module(api, endpoints_module(api)) if module is None else module
    out: dict[str, MethodView] = {}
    for group, view in zip(api.groups, module.groups, strict=True):
        out.update((op.pointer, m) for op, m in zip(group.operations, view.methods, strict=True))
    out.update((op.pointer, m) for op, m in zip(api.ungrouped, module.methods, strict=True))
    return out


def signature(op: Operation, m: MethodView) -> str:
    args = [f"{a.name}: {a.annotation}" + (f" = {a.default}" if a.default is not None else "") for a in m.positional]
    if m.keyword:
        args.append("*")
        args += [f"{a.name}: {a.annotation}" + (f" = {a.default}" if a.default is not None else "") for a in m.keyword]
    return f"client.{op.python_path}({', '.join(args)}) -> {m.returns}"


def _paragraphs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def idempotency(op: Operation) -> tuple[str, str] | None:
    """The idempotency key header and its argument, or None: the operation has none."""
    header = op.idempotency_header
    if header is None:
        return None
    return header, next(p.python_name for p in op.parameters if p.name == header)


def headers_docs(op: Operation) -> tuple[HeadersDoc, ...]:
    """The responses that declare headers, with ``declared_headers``' attributes and types."""
    return tuple(
        HeadersDoc(r.status, tuple((h.python_name, h.type.annotation()) for h in headers))
        for r in op.responses
        if (headers := declared_headers(r))
    )


def operation_doc(op: Operation, m: MethodView) -> OperationDoc:
    annotations = {a.name: a.annotation for a in (*m.positional, *m.keyword)}
    params = [
        ParamDoc(p.python_name, p.name if p.name != p.python_name else None, p.location.value,
                 annotations.get(p.python_name, p.type.annotation(MODELS_PREFIX)), p.required, p.description)
        for p in op.parameters
    ]
    if op.request_body is not None:
        body = op.request_body
        params.append(ParamDoc("body", body.preferred.media_type, "body", annotations.get("body", "Any"),
                               body.required, body.description))
    responses = tuple(
        ResponseDoc(
            r.status,
            _shown(r) if r.preferred is not None and r.preferred.type.kind is not TypeKind.NONE else None,
            r.preferred.media_type if r.preferred is not None else None,
            None if r.is_success else error_class(r.status),
            r.description,
        )
        for r in op.responses
    )
    return OperationDoc(
        call=f"client.{op.python_path}",
        method=op.method.value,
        path=op.path,
        summary=op.summary,
        signature=signature(op, m),
        fence=_fence([signature(op, m)]),
        params=tuple(params),
        responses=responses,
        paragraphs=_paragraphs(op.description),
        deprecated=op.deprecated,
        streams=op.streams,
        idempotency=idempotency(op),
        headers=headers_docs(op),
        pagination=pagination_doc(op),
        streaming=streaming_doc(op),
    )


# -- the quick start ---------------------------------------------------------------------------


def _sample(t: TypeRef) -> tuple[str, str | None] | None:
    """A literal for an argument of type ``t`` (and its import), or None when there is no easy one."""
    if t.kind is TypeKind.PRIMITIVE:
        return _SAMPLES.get(t.name)
    if t.kind is TypeKind.LITERAL and t.literal:
        value = t.literal[0]
        return (escape.str_literal(value) if isinstance(value, str) else repr(value)), None
    if t.kind is TypeKind.UNION:
        for member in t.args:
            sample = _sample(member)
            if sample is not None:
                return sample
    return None


def _shown(r: Response) -> str:
    """A response's type as the method returns it: a 2xx plain array or map as its list/dict."""
    assert r.preferred is not None
    unwrapped = r.preferred.unwrapped if r.is_success else None
    return (unwrapped or r.preferred.type).annotation()


def snippet(op: Operation, m: MethodView) -> Snippet | None:
    """A call with a literal for every required argument; None if one has no easy literal."""
    types = {p.python_name: p.type for p in op.parameters}
    args: list[str] = []
    imports: set[str] = set()
    for a in m.positional:
        sample = _sample(types[a.name])
        if sample is None:
            return None
        args.append(sample[0])
        imports.update(i for i in (sample[1],) if i)
    for a in m.keyword:
        if a.default is not None:
            continue
        if a.name == "body":
            body = op.request_body
            if body is None or body.preferred.type.kind is not TypeKind.NAMED:
                return None
            args.append("body={}")
            continue
        sample = _sample(types[a.name])
        if sample is None:
            return None
        args.append(f"{a.name}={sample[0]}")
        imports.update(i for i in (sample[1],) if i)
    return Snippet(op, f"client.{op.python_path}({', '.join(args)})", tuple(sorted(imports)))


def _cost(op: Operation) -> tuple[int, int, int, int]:
    """GET first, then without a body, then with a typed result, then with few required arguments."""
    required = sum(1 for p in op.parameters if p.required) + (1 if op.request_body and op.request_body.required else 0)
    ok = op.success
    typed = ok is not None and ok.preferred is not None and ok.preferred.type.kind not in (TypeKind.ANY, TypeKind.NONE)
    return (0 if op.method.value == "GET" else 1, 1 if op.request_body is not None else 0, 0 if typed else 1, required)


def pick(api: Api, views: dict[str, MethodView], *, streams: bool) -> Snippet | None:
    """The simplest operation to show (a GET with few required arguments first)."""
    candidates = sorted((op for op in api.operations if op.streams is streams and not op.deprecated), key=_cost)
    for op in candidates:
        found = snippet(op, views[op.pointer])
        if found is not None:
            return found
    return None


def _handler(api: Api, view: OperationView | None) -> tuple[str | None, set[tuple[str, str]]]:
    """The ``Handlers`` method of an operation as a signature line, and the (module, name)
    imports it needs. A streaming operation's method is shown as an async generator."""
    if view is None:
        return None, set()
    args = [f"{p.python_name}: {p.handler_annotation}" for p in view.params]
    if view.body is not None:
        args.append(f"body: {view.body.handler_annotation}")
    returns = EVENTS if view.streams else view.returns
    server = f"{api.package}.server"
    imports = {(server, "Handlers"), (server, "create_app")}
    imports.add((server, "ServerSentEvent") if view.streams else (server, "Unimplemented"))
    if view.credentials_name is not None:
        args.append(f"{view.credentials_name}: Credentials")
        imports.add((server, "Credentials"))
    text = ", ".join(["self", *(["*", *args] if args else [])])
    line = f"async def {view.handler}({text}) -> {returns}:"
    types = [p.type for p in view.op.parameters]
    types += [view.op.request_body.preferred.type] if view.op.request_body is not None else []
    types += [t for r in view.op.responses for c in r.contents for t in (c.type, c.unwrapped) if t is not None]
    candidates = {imp for t in types for imp in t.imports()}
    candidates |= {(server, "Reply"), ("collections.abc", "AsyncIterator"), ("typing", "Any"), (api.package, MODELS_MODULE)}
    imports |= {(m, name) for m, name in candidates if re.search(rf"\b{name}\b", line)}
    return line, imports


def _fence(texts: Sequence[str]) -> str:
    longest = max((len(run) for text in texts for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def quick_start(
    api: Api, views: dict[str, MethodView] | None = None, server: ServerView | None = None
) -> QuickStart:
    """The README's quick start; ``views`` and ``server``: the client's and the server's views,
    when already built from ``api``."""
    views = method_views(api) if views is None else views
    server = server_view.build(api) if server is None else server
    example = pick(api, views, streams=False)
    stream = pick(api, views, streams=True)
    base_url = escape.str_literal(default_base_url(api) or DEFAULT_BASE_URL)
    schemes = credential_views(api.security_schemes)
    credentials = [f"{s.argument}=" + ('("user", "password")' if s.annotation.startswith("tuple") else '"..."')
                   for s in schemes[:1]]
    client_args = ", ".join([f"base_url={base_url}", *credentials])
    imports = sorted({i for s in (example, stream) if s is not None for i in s.imports})
    handlers = {v.op.pointer: v for v in server.operations}
    handler, handler_imports = _handler(api, handlers.get(example.operation.pointer) if example else None)
    stream_handler, stream_imports = _handler(api, handlers.get(stream.operation.pointer) if stream else None)
    texts = [base_url, client_args, *(s.call for s in (example, stream) if s is not None), handler or "", stream_handler or ""]
    return QuickStart(
        package=api.package,
        fence=_fence(texts),
        base_url=base_url,
        client_args=client_args,
        imports=tuple(imports),
        example=example,
        stream=stream,
        handler=handler,
        handler_imports=from_import_lines(handler_imports | stream_imports, first_party=(api.package,)),
        stream_handler=stream_handler,
        test_args="" if default_base_url(api) else 'base_url="http://test", ',
        base_path=server_view.base_path(api),
        idempotent=tuple(f"client.{op.python_path}" for op in api.operations if op.idempotency_header),
        paginated=tuple(f"client.{op.python_path}" for op in api.operations if op.pagination),
        json_lines=streamed_calls(api)[0],
        downloads=streamed_calls(api)[1],
    )


def files(
    api: Api, client: ClientModule | None = None, server: ServerView | None = None
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output file -> (template, extra context); ``client`` and ``server``: the views that
    render the client and the server, when already built from ``api`` (else built here)."""
    views = method_views(api, client)
    operations = tuple(
        replace(operation_doc(op, views[op.pointer]), authorization_md=operation_scopes(api, op)) for op in api.operations
    )
    oauth2 = oauth2_docs(api, escape.str_literal(default_base_url(api) or DEFAULT_BASE_URL))
    return {
        API: ("API.md.jinja", {"operations": operations, "oauth2": oauth2}),
        README: ("README.md.jinja", {"quick": quick_start(api, views, server), "oauth2": oauth2}),
    }


def exports(api: Api) -> list[tuple[str, str]]:
    """Documents export nothing from the package."""
    del api
    return []


__all__ = ["API", "README", "OperationDoc", "ParamDoc", "QuickStart", "ResponseDoc", "Snippet", "exports", "files", "quick_start"]
