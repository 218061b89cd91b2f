"""The endpoint table of the generated client (``_endpoints.py``), computed from the IR.

One row per operation: what the shared request builder and the response decoder need to
know, as data. Types appear as runtime type expressions (``list[models.Run]``): pydantic
validates responses against them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core import naming
from ..core.contract import MODELS_MODULE, MODELS_PREFIX
from ..core.escape import str_literal
from ..ir.model import (
    ANY,
    CONSTRAINTS_IMPORT,
    NONE,
    Api,
    BodyKind,
    Header,
    MediaBody,
    Operation,
    ParamLocation,
    Response,
    TypeRef,
    primitive,
    union,
)
from ..pysource.imports import ImportBlock, import_block
from .pagination import paging_literal
from .server_literals import body_part, encoding_literal

LAST_EVENT_ID = "last-event-id"


@dataclass(frozen=True, slots=True)
class ParamRow:
    python_name: str
    name: str  # wire name
    location: str
    style: str
    explode: bool


@dataclass(frozen=True, slots=True)
class ContentRow:
    media_type: str
    kind: str
    type: str  # runtime type expression
    encoding: str | None = None  # form and multipart bodies: the declared encoding, a literal
    part: str | None = None  # a multipart body that is no object: the name of its part, a literal
    unwrap: bool = False  # a RootModel of a list/dict, returned as its list/dict


@dataclass(frozen=True, slots=True)
class HeaderRow:
    name: str  # wire name
    python_name: str  # attribute of the client's ResponseHeaders
    type: str  # runtime type expression
    required: bool


@dataclass(frozen=True, slots=True)
class ReplyRow:
    status: str
    contents: tuple[ContentRow, ...]
    headers: tuple[HeaderRow, ...]


@dataclass(frozen=True, slots=True)
class EndpointRow:
    constant: str  # name in _endpoints.py
    operation_id: str
    result: str  # the Endpoint's type parameter
    method: str
    path: str
    params: tuple[ParamRow, ...]
    body: ContentRow | None
    replies: tuple[ReplyRow, ...]
    security: tuple[tuple[str, ...], ...]
    idempotent: bool
    resumable: bool
    idempotency_header: str | None  # wire name of the operation's idempotency key header
    name: str  # the client method: ``store.put_item``
    paging: str | None = None  # a paginated list operation: the ``Paging(...)`` source

    @property
    def statement(self) -> str:
        """The row's ``CONSTANT: Endpoint[...] = Endpoint(...)`` statement."""
        return endpoint_statement(self)


@dataclass(frozen=True, slots=True)
class EndpointsModule:
    imports: ImportBlock
    rows: tuple[EndpointRow, ...]  # in the order of ``Api.operations``
    forms: bool  # some request body is form-encoded or multipart: ``_forms`` adds its encoders


# Request bodies encoded by ``_forms.py`` (a runtime module only the packages that send one get).
FORM_KINDS = frozenset({BodyKind.FORM, BodyKind.MULTIPART})


def sends_forms(api: Api) -> bool:
    """Whether some operation's request body is form-encoded or multipart (as the client sends
    it: its preferred media type)."""
    return any(op.request_body is not None and op.request_body.preferred.kind in FORM_KINDS for op in api.operations)


def decoded_type(content: MediaBody) -> TypeRef:
    """The Python type a response body of this media type is decoded to."""
    if content.kind is BodyKind.MULTIPART:
        return primitive("bytes")
    if content.kind in (BodyKind.TEXT, BodyKind.EVENT_STREAM):
        return primitive("str")
    return content.type


def returned_type(content: MediaBody) -> TypeRef:
    """The Python type a method returns for a response body of this media type: the decoded
    type, but a plain array or map as its ``list``/``dict`` rather than its RootModel class."""
    return content.unwrapped or decoded_type(content)


def success_type(op: Operation) -> TypeRef:
    """What the operation's method returns: the union over its 2xx responses (None: no content)."""
    successes = [r for r in op.responses if r.is_success]
    if not successes:
        return ANY
    return union(*(returned_type(c) if c else NONE for r in successes for c in (r.contents or (None,))))


def resumable(op: Operation) -> bool:
    """An event stream the client may reopen with Last-Event-ID: idempotent, and declares it."""
    return (
        op.streams
        and op.method.idempotent
        and any(p.name.lower() == LAST_EVENT_ID for p in op.parameters_in(ParamLocation.HEADER))
    )


# Methods of ResponseHeaders (a Mapping): header attributes avoid them.
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})


def declared_headers(response: Response) -> tuple[Header, ...]:
    """The response headers the client decodes: all declared but Content-Type (which OpenAPI
    says to ignore), with distinct Python names."""
    headers = [h for h in response.headers if h.name.lower() != "content-type"]
    names = naming.dedupe(
        (h.python_name + "_" if h.python_name in _MAPPING_METHODS else h.python_name for h in headers),
        _MAPPING_METHODS,
    )
    return tuple(replace(h, python_name=name) for h, name in zip(headers, names, strict=True))


# -- the statements of _endpoints.py (written out here, as oapi-codegen's template data carries
# them: the template only places them; spec text only through str_literal) ------------------


def _content_call(c: ContentRow) -> str:
    encoding = f", {c.encoding}" if c.encoding else ""
    part = f", part={c.part}" if c.part else ""
    unwrap = ", unwrap=True" if c.unwrap else ""
    return f"Content({str_literal(c.media_type)}, {str_literal(c.kind)}, lambda: {c.type}{encoding}{part}{unwrap})"


def _declared_call(r: ReplyRow) -> str:
    contents = "".join(f"{_content_call(c)}, " for c in r.contents)
    headers = "".join(
        f"Header({str_literal(h.name)}, {str_literal(h.python_name)}, lambda: {h.type}{', True' if h.required else ''}), "
        for h in r.headers
    )
    return (
        f"Declared({str_literal(r.status)}"
        + (f", ({contents})" if r.contents else ", ()" if r.headers else "")
        + (f", ({headers})" if r.headers else "")
        + ")"
    )


def endpoint_statement(row: EndpointRow) -> str:
    """The row's statement in ``_endpoints.py``, on one line (the ``layout`` filter lays it out)."""
    out = [f"{row.constant}: Endpoint[{row.result}] = Endpoint({str_literal(row.method)}, {str_literal(row.path)},"]
    if row.params:
        params = "".join(
            f"Param({str_literal(p.python_name)}, {str_literal(p.name)}, {str_literal(p.location)}, "
            f"{str_literal(p.style)}, {p.explode}), "
            for p in row.params
        )
        out.append(f" params=({params}),")
    if row.body is not None:
        out.append(f" body={_content_call(row.body)},")
    if row.replies:
        out.append(f" replies=({''.join(f'{_declared_call(r)}, ' for r in row.replies)}),")
    if row.security:
        requirements = "".join(f"({''.join(f'{str_literal(n)}, ' for n in req)}), " for req in row.security)
        out.append(f" security=({requirements}),")
    if not row.idempotent:
        out.append(" idempotent=False,")
    if row.resumable:
        out.append(" resumable=True,")
    if row.idempotency_header is not None:
        out.append(f" idempotency_header={str_literal(row.idempotency_header)},")
    out.append(f" name={str_literal(row.name)},")
    if row.paging is not None:
        out.append(f" paging={row.paging},")
    out.append(")")
    return "".join(out)


def _reply(response: Response) -> ReplyRow:
    return ReplyRow(
        response.status,
        tuple(
            ContentRow(c.media_type, c.kind.value, decoded_type(c).annotation(MODELS_PREFIX, validated=True), unwrap=c.unwrapped is not None)
            for c in response.contents
        ),
        tuple(
            HeaderRow(h.name, h.python_name, h.type.annotation(MODELS_PREFIX, validated=True), h.required)
            for h in declared_headers(response)
        ),
    )


def _row(op: Operation, constant: str) -> EndpointRow:
    body = op.request_body.preferred if op.request_body else None
    return EndpointRow(
        constant=constant,
        operation_id=op.operation_id,
        result="ServerSentEvent" if op.streams else success_type(op).annotation(MODELS_PREFIX),
        method=op.method.value,
        path=op.path,
        params=tuple(
            ParamRow(p.python_name, p.name, p.location.value, p.style, p.explode) for p in op.parameters
        ),
        body=(
            ContentRow(
                body.media_type,
                body.kind.value,
                body.type.annotation(MODELS_PREFIX, validated=True),
                encoding_literal(body.encoding),
                body_part(body),
            )
            if body
            else None
        ),
        replies=tuple(_reply(r) for r in op.responses),
        security=tuple(req.schemes for req in op.security),
        idempotent=op.method.idempotent,
        resumable=resumable(op),
        idempotency_header=op.idempotency_header,
        name=op.python_path,
        paging=paging_literal(op, "Paging"),
    )


def _checked_types(op: Operation) -> list[TypeRef]:
    """The types a row gives the client to validate with (written with their constraints)."""
    types = [op.request_body.preferred.type] if op.request_body else []
    types.extend(decoded_type(c) for r in op.responses for c in r.contents)
    types.extend(h.type for r in op.responses for h in declared_headers(r))
    return types


def endpoints_module(api: Api) -> EndpointsModule:
    """The ``_endpoints.py`` context: rows in operation order, and their imports."""
    checked = [t for op in api.operations for t in _checked_types(op)]
    types = [success_type(op) for op in api.operations if not op.streams] + checked
    local = [("._spec", "Endpoint")]
    if any(op.parameters for op in api.operations):
        local.append(("._spec", "Param"))
    if any(op.request_body or any(r.contents for r in op.responses) for op in api.operations):
        local.append(("._spec", "Content"))
    if any(op.responses for op in api.operations):
        local.append(("._spec", "Declared"))
    if any(declared_headers(r) for op in api.operations for r in op.responses):
        local.append(("._spec", "Header"))
    if any(op.streams for op in api.operations):
        local.append(("._sse", "ServerSentEvent"))
    if any(op.pagination for op in api.operations):
        local.append(("._pagination", "Paging"))
    if any(t.model_names() for t in types):
        local.append((".", MODELS_MODULE))
    forms = sends_forms(api)
    if forms:
        local += [(".", "_forms"), ("._serialize", "BODY_ENCODERS")]
    if any(t.constrained for t in checked):
        local.append(CONSTRAINTS_IMPORT)
    stdlib = {imp for t in types for imp in t.imports()} | {imp for t in checked for imp in t.imports(validated=True)}
    taken = {name for _, name in (*stdlib, *local)}
    constants = naming.dedupe((op.handler_name.upper() for op in api.operations), taken)
    rows = tuple(_row(op, c) for op, c in zip(api.operations, constants, strict=True))
    return EndpointsModule(import_block(stdlib, (), local), rows, forms)


__all__ = [
    "FORM_KINDS",
    "EndpointRow",
    "EndpointsModule",
    "decoded_type",
    "endpoint_statement",
    "endpoints_module",
    "resumable",
    "returned_type",
    "sends_forms",
    "success_type",
]
