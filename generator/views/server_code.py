"""The statements of ``server.py``, written out from the server view (as oapi-codegen's template
data carries its statements ready-made): ``server.py.jinja`` only places them and passes each
through the ``layout`` filter.

Each statement is one line of Python: an import, the ``Handlers`` method's ``def`` line, the
``OPERATIONS`` entry, the route's decorator and ``def`` line and its ``return``, the security
objects, ``create_app``'s optional parts. Spec text reaches them only through
:func:`oapigen.core.escape.str_literal` (and :mod:`oapigen.views.server_literals`, which the view
already used for values); names and annotations come from the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import naming
from ..core.contract import MODELS_MODULE
from ..core.escape import str_literal
from ..ir.model import CONSTRAINTS_IMPORT
from ..pysource.imports import all_name_key

if TYPE_CHECKING:
    from .server_types import (
        AuthView,
        BodyView,
        OperationView,
        ParamView,
        ResponseView,
        SchemeView,
        ServerView,
    )


@dataclass(frozen=True, slots=True)
class OperationCode:
    """One operation's statements."""

    handler: str  # the method of Handlers
    doc: str  # its docstring text
    method: str  # the Handlers method's ``def`` line
    entry: str  # its ``OPERATIONS`` entry, with the trailing comma
    decorator: str  # the route's ``@router.get(...)``
    route: str  # the route function's ``async def`` line
    serve: str  # the route function's ``return`` statement


@dataclass(frozen=True, slots=True)
class AuthCode:
    """A security dependency's statements."""

    signature: str
    doc: str
    credentials: str
    returns: str


@dataclass(frozen=True, slots=True)
class CreateAppCode:
    """What ``create_app`` has only for some APIs (an idempotency store), each a tuple of lines
    (empty: nothing)."""

    params: tuple[str, ...]  # keyword parameters after ``docs_assets``
    doc: tuple[str, ...]  # docstring lines after the paragraph on the docs pages
    setup: tuple[str, ...]  # statements before ``install(...)``
    install: tuple[str, ...]  # positional arguments of ``install`` after ``fallback``
    app: str  # the ``app = FastAPI(...)`` statement


@dataclass(frozen=True, slots=True)
class ServerCode:
    noqa: tuple[str, ...]  # comment lines after the header
    std_imports: tuple[str, ...]
    third_party_imports: tuple[str, ...]
    package_import: str  # ``from . import models`` (and ``_server_pagination`` when an operation pages)
    local_imports: tuple[str, ...]  # after ``from ._server_http import (...)``
    all: str  # the ``__all__`` statement
    schemes: tuple[str, ...]  # the FastAPI security objects
    credentials: tuple[str, ...]  # the fields of ``Credentials``
    auths: tuple[AuthCode, ...]
    operations: tuple[OperationCode, ...]  # in the spec's order (Handlers, OPERATIONS)
    routes: tuple[OperationCode, ...]  # in matching order
    operations_open: str  # ``{`` or ``{}`` (no operations)
    router: tuple[str, ...]  # the ``router = APIRouter(...)`` lines
    create_app: CreateAppCode
    app_doc: str  # the docstring text of ``app``


def _call(function: str, args: list[str]) -> str:
    return f"{function}({', '.join(args)})"


def _tuple(items: list[str]) -> str:
    """A tuple display of ``items`` (Python source): ``()``, ``(a,)``, ``(a, b)``."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _strings(names: tuple[str, ...]) -> str:
    return _tuple([str_literal(n) for n in names])


# -- Handlers, OPERATIONS -----------------------------------------------------------------------


def handler_method(v: OperationView) -> str:
    """The ``def`` line of the Handlers method (keyword-only arguments)."""
    args = [f"{p.python_name}: {p.handler_annotation}" for p in v.params]
    if v.body is not None:
        args.append(f"body: {v.body.handler_annotation}")
    if v.credentials_name is not None:
        args.append(f"{v.credentials_name}: Credentials")
    keywords = "".join(f", {a}" for a in (["*", *args] if v.arguments else []))
    return f"{v.definition} {v.handler}(self{keywords}) -> {v.returns}:"


def _declared(r: ResponseView) -> str:
    args = [str_literal(r.status), str_literal(r.description)]
    if r.contents:
        contents = []
        for c in r.contents:
            parts = [str_literal(c.media_type), c.annotation]
            parts += [f"kind={str_literal(c.kind)}"] if c.kind else []
            parts += [f"sent_as={str_literal(c.sent_as)}"] if c.sent_as else []
            parts += [f"events={c.events}"] if c.events else []
            parts += [f"example={c.example}", "has_example=True"] if c.example is not None else []
            contents.append(_call("ResponseContent", parts) + ",")
        args.append(f"contents=({' '.join(contents)})")
    if r.headers:
        headers = []
        for h in r.headers:
            parts = [str_literal(h.name), h.annotation]
            parts += ["required=True"] if h.required else []
            if h.link is not None:
                types = ", ".join(f"{str_literal(p.name)}: {p.annotation}" for p in h.link.params)
                parts += [f"link={str_literal(h.link.template)}", f"link_types={{{types}}}"]
            headers.append(_call("ResponseHeader", parts) + ",")
        args.append(f"headers=({' '.join(headers)})")
    return _call("DeclaredResponse", args)


def operations_entry(v: OperationView) -> str:
    """The OPERATIONS entry of an operation: its declared responses (a magic trailing comma
    keeps the call exploded, one argument per line)."""
    responses = "".join(f"{_declared(r)}, " for r in v.responses)
    args = [str_literal(v.handler), f"status={v.status}", f"responses=({responses})"]
    if v.idempotency_header is not None:
        args.append(f"idempotency_header={str_literal(v.idempotency_header)}")
        if v.credentials_name is not None:
            args.append(f"credentials={str_literal(v.credentials_name)}")
    if v.paging is not None:
        args.append(f"paging={v.paging}")
    return f"{str_literal(v.handler)}: ServerOperation({', '.join(args)}, ),"


# -- routes -------------------------------------------------------------------------------------


def _openapi_extra(v: OperationView) -> str:
    """``openapi_extra=...``: what FastAPI cannot document by itself (runtime-read body and
    parameters)."""
    args = []
    if v.body is not None and v.body.reader is not None:
        args.append(f"body=({str_literal(v.body.media_type)}, {v.body.item_type}, {v.body.required})")
    if v.deep_objects:
        items = [f"({str_literal(p.wire_name)}, {p.item_annotation}, {p.required})" for p in v.deep_objects]
        args.append(f"deep_objects=[{', '.join(items)}]")
    if v.object_params:
        items = [
            f"({str_literal(p.location)}, {str_literal(p.wire_name)}, {p.item_annotation}, {p.required}, "
            f"{p.explode}, {p.json_content})"
            for p in v.object_params
        ]
        args.append(f"object_params=[{', '.join(items)}]")
    return _call("openapi_extra", args)


def route_decorator(v: OperationView) -> str:
    op = v.op
    args = [str_literal(v.route_path), f"name={str_literal(v.handler)}", f"operation_id={str_literal(op.operation_id)}"]
    args += [f"summary={str_literal(op.summary)}"] if op.summary else []
    args += [f"description={str_literal(op.description)}"] if op.description else []
    args += [f"tags=[{str_literal(op.tag)}]"] if op.tag else []
    args += ["deprecated=True"] if op.deprecated else []
    args.append(f"status_code={v.status}")
    args += ["response_class=Response"] if v.plain_response_class else []
    args.append(f"responses=OPERATIONS[{str_literal(v.handler)}].openapi()")
    args += [f"openapi_extra={_openapi_extra(v)}"] if v.openapi_extra else []
    return f"@router.{v.decorator}({', '.join(args)},)"


def _marker(p: ParamView) -> str:
    """FastAPI's ``Query(...)``/``Header(...)``/... of a parameter it reads."""
    args = [f"alias={str_literal(p.wire_name)}"] if p.alias else []
    args += ["convert_underscores=False"] if not p.convert_underscores else []
    args += [f"description={str_literal(p.description)}"] if p.description else []
    args += ["deprecated=True"] if p.deprecated else []
    return _call(p.marker, args)


def _route_param(p: ParamView) -> str:
    """A route function's keyword for a parameter: FastAPI's marker, or a runtime reader."""
    if p.deep_object:
        reader = f"deep_object({str_literal(p.wire_name)}, {p.item_annotation}, required={p.required})"
        return f"{p.python_name}: Annotated[{p.annotation}, Depends({reader})]"
    if p.object_reader:
        args = [str_literal(p.wire_name), p.item_annotation, f"explode={p.explode}"]
        args += ["json=True"] if p.json_content else []
        args += [f"others=({''.join(str_literal(o) + ',' for o in p.object_others)})"] if p.object_others else []
        args += [f"rank={p.object_rank}"] if p.object_rank else []
        args.append(f"required={p.required}")
        return f"{p.python_name}: Annotated[{p.annotation}, Depends({_call(p.object_reader, args)})]"
    extras = [_marker(p)]
    extras += ["from_text"] if p.from_text else []
    extras += ["percent_decoded"] if p.percent_decoded else []
    extras += [p.splitter] if p.splitter else []
    default = f" = {p.default}" if p.default is not None else ""
    return f"{p.python_name}: Annotated[{p.annotation}, {', '.join(extras)}]{default}"


def _route_body(body: BodyView) -> str:
    if body.reader is not None:
        args = [body.item_type, f"required={body.required}"]
        args += [f"encoding={body.encoding}"] if body.encoding else []
        args += [f"part={body.part}"] if body.part else []
        return f"body: Annotated[{body.annotation}, Depends({_call(body.reader, args)})]"
    media_type = [f"media_type={str_literal(body.body_media_type)}"] if body.body_media_type else []
    return f"body: Annotated[{body.annotation}, {_call('Body', media_type)}]" + ("" if body.required else " = None")


def route_function(v: OperationView) -> str:
    """The route function's ``async def`` line (every argument with a trailing comma: black
    keeps them one per line)."""
    args = [_route_param(p) for p in v.params]
    args += [_route_body(v.body)] if v.body is not None else []
    if v.auth is not None:
        args.append(f"{v.credentials_name}: Annotated[Credentials, Depends({v.auth.function})]")
    keywords = ", *," + "".join(f" {a}," for a in args) if v.arguments else ""
    return f"async def {v.function}({v.request_name}: Request{keywords}) -> Response:"


def route_serve(v: OperationView) -> str:
    arguments = "".join(f", {name}={name}" for name in v.arguments)
    return f"return await OPERATIONS[{str_literal(v.handler)}].serve({v.request_name}{arguments})"


def operation_code(v: OperationView) -> OperationCode:
    return OperationCode(
        handler=v.handler,
        doc=v.doc,
        method=handler_method(v),
        entry=operations_entry(v),
        decorator=route_decorator(v),
        route=route_function(v),
        serve=route_serve(v),
    )


# -- security -----------------------------------------------------------------------------------


def scheme_object(s: SchemeView) -> str:
    """The module constant holding FastAPI's security object of a scheme."""
    args = [f"name={str_literal(s.param_name)}"] if s.param_name is not None else []
    args.append(f"scheme_name={str_literal(s.key)}")
    args += [f"description={str_literal(s.description)}"] if s.description else []
    args.append("auto_error=False")
    return f"{s.constant} = {_call(s.factory, args)}"


def auth_code(a: AuthView) -> AuthCode:
    params = "".join(f"{s.python_name}: Annotated[{s.reads}, Security({s.constant})], " for s in a.schemes)
    values = [
        f"{s.python_name}={s.python_name}" + (f".credentials if {s.python_name} else None" if s.unwrap else "")
        for s in a.schemes
    ]
    if a.oauth2:
        return _oauth2_auth_code(a, params, values)
    requirements = _tuple([_strings(req) for req in a.requirements])
    return AuthCode(
        signature=f"async def {a.function}({params}) -> Credentials:",
        doc=f"The credentials of an operation that takes {a.text}; 401 without them.",
        credentials=f"credentials = {_call('Credentials', values)}",
        returns=f"return require(credentials, {requirements}, {str_literal(a.challenge)})",
    )


def _oauth2_auth_code(a: AuthView, params: str, values: list[str]) -> AuthCode:
    """The dependency of an operation with OAuth 2 scopes: ``_server_oauth2.authorize``."""
    requirements = _tuple(
        [
            "{" + ", ".join(f"{str_literal(name)}: {_strings(scopes)}" for name, scopes in zip(req, needs, strict=True)) + "}"
            for req, needs in zip(a.requirements, a.scopes, strict=True)
        ]
    )
    needs = " or ".join(
        " and ".join(f"{name} ({' '.join(scopes)})" if scopes else name for name, scopes in zip(req, s, strict=True))
        or "no credentials"
        for req, s in zip(a.requirements, a.scopes, strict=True)
    )
    request = naming.dedupe(["request"], (s.python_name for s in a.schemes))[0]  # a scheme may be named so
    return AuthCode(
        signature=f"async def {a.function}({request}: Request, {params}) -> Credentials:",
        doc=f"The credentials of an operation that takes {needs}; 401 or 403 without them.",
        credentials=f"credentials = {_call('Credentials', values)}",
        returns=f"return await authorize({request}, credentials, {requirements}, {_strings(a.oauth2)}, {str_literal(a.challenge)})",
    )


# -- the module -----------------------------------------------------------------------------------


def _from(module: str, names: tuple[str, ...]) -> str:
    return f"from {module} import {', '.join(names)}"


def _create_app(server: ServerView) -> CreateAppCode:
    api = server.api
    args = [f"title={str_literal(api.title)}", f"version={str_literal(api.version)}"]
    args += [f"description={str_literal(api.description)}"] if api.description else []
    args += ["routes=router.routes", "docs_url=None", "redoc_url=None"]
    app = f"app = {_call('FastAPI', args)}"
    params: list[str] = []
    doc: list[str] = []
    setup: list[str] = []
    install: list[str] = []
    if server.idempotency:
        params.append("idempotency_store: IdempotencyStore | None = None,")
        doc += [
            "",
            "    Operations with an idempotency key header answer a repeated key from",
            "    ``idempotency_store`` (default: a ``MemoryIdempotencyStore`` of this app).",
        ]
        setup.append("store = idempotency_store if idempotency_store is not None else MemoryIdempotencyStore()")
        install.append("store,")
    if server.oauth2:
        params.append("token_verifier: TokenVerifier | None = None,")
        doc += [
            "",
            "    OAuth 2 bearer tokens are checked by ``token_verifier``: a token -> the scopes it",
            "    grants (or an awaitable of them), None when the token is not valid (401). A request",
            "    whose token lacks a scope the operation names gets 403; the handler gets the",
            "    granted scopes as ``credentials.scopes``. Without a verifier any token is valid and",
            "    grants the operation's scopes (mock mode).",
        ]
        setup.append("verify_tokens_with(app, token_verifier)")
        if server.token_paths:
            doc += [
                "    The mock server (no handlers, no verifier) answers as a token endpoint at the",
                "    spec's token URLs on this server: " + ", ".join(f"``{p}``" for p in server.token_paths) + ".",
            ]
            setup += [
                "if handlers is None and token_verifier is None:",
                f"    serve_mock_tokens(app, {_strings(server.token_paths)})",
            ]
    return CreateAppCode(tuple(params), tuple(doc), tuple(setup), tuple(install), app)


def server_code(server: ServerView) -> ServerCode:
    local = [_from("._server_requests", server.requests_imports)] if server.requests_imports else []
    local.append(_from("._server_runtime", server.runtime_imports))
    if server.oauth2:  # sorted before _server_requests and _server_runtime
        names = ("TokenVerifier", "authorize", *(("serve_mock_tokens",) if server.token_paths else ()), "verify_tokens_with")
        local.insert(0, _from("._server_oauth2", names))
    local += ["from ._sse import ServerSentEvent"] if server.streams else []
    if server.idempotency:
        local.append("from ._server_runtime import StoredAnswer as StoredAnswer  # for an IdempotencyStore of yours")
    local += [_from(CONSTRAINTS_IMPORT[0], (CONSTRAINTS_IMPORT[1],))] if server.constrained else []
    router = (
        ("# Under the path of the spec's server URL, where the client sends them.",
         f"router = APIRouter(prefix={str_literal(server.base_path)})")
        if server.base_path
        else ("router = APIRouter()",)
    )
    noqa = (
        ("# Parameter defaults that are lists or dicts are safe: FastAPI copies them for each request.",
         "# ruff: noqa: B006")
        if server.mutable_defaults
        else ()
    )
    codes = {v.handler: operation_code(v) for v in server.operations}
    return ServerCode(
        noqa=noqa,
        std_imports=tuple(_from(m, names) for m, names in server.std_imports),
        third_party_imports=tuple(_from(m, names) for m, names in server.third_party_imports),
        package_import="from . import _server_pagination, models" if server.paging else "from . import models",
        local_imports=tuple(local),
        # models: exported, so that ``from . import models`` is used where no route names it, as in
        # the split shape (server_layout)
        all=f"__all__ = [{', '.join(str_literal(n) for n in sorted({*server.exports, MODELS_MODULE}, key=all_name_key))}]",
        schemes=tuple(scheme_object(s) for s in server.schemes),
        credentials=tuple(f"{s.python_name}: {s.credential} = None" for s in server.schemes)
        + (("scopes: frozenset[str] = frozenset()  # OAuth 2: the scopes the token grants",) if server.oauth2 else ()),
        auths=tuple(auth_code(a) for a in server.auths),
        operations=tuple(codes[v.handler] for v in server.operations),
        routes=tuple(codes[v.handler] for v in server.routes),
        operations_open="{" if server.operations else "{}",
        router=router,
        create_app=_create_app(server),
        app_doc=f"The mock server: ``uvicorn {server.api.package}.server:app``.",
    )
