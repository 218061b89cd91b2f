"""The intermediate representation: what the templates read, and nothing else.

Frozen, slotted dataclasses with tuples, computed once from the loaded document by
:mod:`oapigen.ir.builder`. Names here are already sanitized Python identifiers; wire names are
kept beside them. Code strings appear only at render time (``TypeRef.annotation``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..core import escape
from .kinds import (
    BodyKind,
    HttpMethod,
    OAuthFlowKind,
    PageStyle,
    ParamLocation,
    SecurityKind,
    TypeKind,
)

# Primitive name -> the import it needs (module, name), or None for builtins.
PRIMITIVE_IMPORTS: dict[str, tuple[str, str] | None] = {
    "str": None,
    "int": None,
    "float": None,
    "bool": None,
    "bytes": None,
    "UUID": ("uuid", "UUID"),
    "datetime": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "time": ("datetime", "time"),
    "timedelta": ("datetime", "timedelta"),
}


# What a schema written where it is used (an operation's parameter, body or response) may
# constrain: the keyword arguments of the generated package's ``Constraints`` (``_types.py``).
CONSTRAINT_KEYWORDS = ("min_length", "max_length", "ge", "gt", "le", "lt", "multiple_of", "pattern", "format_name", "unique")
CONSTRAINTS_IMPORT = ("._types", "Constraints")


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A Python type, structurally: ``list[Run]`` is LIST(args=(NAMED('Run'),)).

    ``constraints``: what the schema asks of the value beyond its type (``minItems: 2`` ->
    ``("min_length", 2)``), as ``Constraints`` keyword arguments, in :data:`CONSTRAINT_KEYWORDS`
    order; written only where values are validated (``annotation(validated=True)``).
    """

    kind: TypeKind
    name: str = ""
    args: tuple[TypeRef, ...] = ()
    literal: tuple[str | int | float | bool, ...] = ()
    constraints: tuple[tuple[str, str | int | float | bool], ...] = ()

    def annotation(self, models_prefix: str = "", *, validated: bool = False) -> str:
        """The annotation text; ``models_prefix`` (e.g. ``"models."``) qualifies model classes;
        ``validated``: with the constraints, as ``Annotated[..., Constraints(...)]``."""
        text = self._bare(models_prefix, validated)
        if validated and self.constraints:
            arguments = ", ".join(f"{key}={_constraint_literal(value)}" for key, value in self.constraints)
            return f"Annotated[{text}, Constraints({arguments})]"
        return text

    def _bare(self, models_prefix: str, validated: bool) -> str:
        match self.kind:
            case TypeKind.ANY:
                return "Any"
            case TypeKind.NONE:
                return "None"
            case TypeKind.PRIMITIVE:
                return self.name
            case TypeKind.NAMED:
                return models_prefix + self.name
            case TypeKind.LIST:
                return f"list[{self.args[0].annotation(models_prefix, validated=validated)}]"
            case TypeKind.DICT:
                return f"dict[str, {self.args[0].annotation(models_prefix, validated=validated)}]"
            case TypeKind.UNION:
                return " | ".join(a.annotation(models_prefix, validated=validated) for a in self.args)
            case TypeKind.LITERAL:
                return "Literal[" + ", ".join(repr(v) for v in self.literal) + "]"
        raise AssertionError(self.kind)  # pragma: no cover

    def walk(self) -> tuple[TypeRef, ...]:
        """This type and every type inside it, depth first."""
        out: list[TypeRef] = [self]
        for arg in self.args:
            out.extend(arg.walk())
        return tuple(out)

    def imports(self, *, validated: bool = False) -> frozenset[tuple[str, str]]:
        """Standard-library imports the annotation needs (model classes excluded; ``validated``:
        ``Annotated`` for the constraints, whose ``Constraints`` is :data:`CONSTRAINTS_IMPORT`)."""
        found: set[tuple[str, str]] = set()
        for t in self.walk():
            if t.kind is TypeKind.ANY:
                found.add(("typing", "Any"))
            elif t.kind is TypeKind.LITERAL:
                found.add(("typing", "Literal"))
            elif t.kind is TypeKind.PRIMITIVE and (imp := PRIMITIVE_IMPORTS.get(t.name)):
                found.add(imp)
        if validated and self.constrained:
            found.add(("typing", "Annotated"))
        return frozenset(found)

    def unconstrained(self) -> TypeRef:
        """This type without constraints, at any depth."""
        if not self.constrained:
            return self
        return TypeRef(self.kind, self.name, tuple(a.unconstrained() for a in self.args), self.literal)

    @property
    def constrained(self) -> bool:
        """Whether the type or one inside it has constraints."""
        return any(t.constraints for t in self.walk())

    def model_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.walk() if t.kind is TypeKind.NAMED)

    @property
    def nullable(self) -> bool:
        return self.kind is TypeKind.NONE or any(a.kind is TypeKind.NONE for a in self.args)


def _constraint_literal(value: str | int | float | bool) -> str:
    return escape.str_literal(value) if isinstance(value, str) else repr(value)


ANY = TypeRef(TypeKind.ANY)
NONE = TypeRef(TypeKind.NONE)


def primitive(name: str) -> TypeRef:
    return TypeRef(TypeKind.PRIMITIVE, name)


def union(*members: TypeRef) -> TypeRef:
    flat: list[TypeRef] = []
    for m in members:
        for x in m.args if m.kind is TypeKind.UNION else (m,):
            if x not in flat:
                flat.append(x)
    if any(x.kind is TypeKind.ANY for x in flat):
        return ANY
    # None last, as people write it.
    flat.sort(key=lambda t: t.kind is TypeKind.NONE)
    return flat[0] if len(flat) == 1 else TypeRef(TypeKind.UNION, args=tuple(flat))


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str  # wire name
    python_name: str
    location: ParamLocation
    required: bool
    type: TypeRef
    description: str | None = None
    deprecated: bool = False
    style: str = "form"  # or "json": a parameter with content application/json, sent as JSON text
    explode: bool = True
    has_default: bool = False
    default: Any = None  # a JSON value
    pointer: str = ""
    enum: bool = False  # the schema (its $refs followed) is an enum or a const: one scalar value


@dataclass(frozen=True, slots=True)
class FieldEncoding:
    """How one property of a form or multipart body goes on the wire (the spec's ``encoding``).

    ``style`` set: RFC 6570 serialization as for a query parameter (``form``, ``spaceDelimited``,
    ``pipeDelimited``, ``deepObject``); ``style`` None: the value as ``content_type`` says
    (None: the default for its type: JSON for objects, text for scalars, one value per item
    for arrays).
    """

    name: str  # wire name of the property
    style: str | None = None
    explode: bool = True
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class MediaBody:
    """One media type of a request body or a response."""

    media_type: str
    kind: BodyKind
    type: TypeRef
    has_example: bool = False
    example: Any = None  # a JSON value from the spec
    encoding: tuple[FieldEncoding, ...] = ()  # form and multipart bodies: declared per property
    # The schema is a $ref to a plain array or map (a class that is a RootModel of a list or
    # dict): its list/dict type, what a method returns instead of the RootModel. None otherwise.
    unwrapped: TypeRef | None = None
    # An event stream: the event names its media type object lists under ``x-sse-events``
    # (a hint for the mock where the schema names none).
    event_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestBody:
    required: bool
    contents: tuple[MediaBody, ...]  # preferred first (JSON, then form, multipart, ...)
    description: str | None = None

    @property
    def preferred(self) -> MediaBody:
        return self.contents[0]


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    python_name: str
    required: bool
    type: TypeRef
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    status: str  # "200", "2XX", "default"
    description: str
    contents: tuple[MediaBody, ...] = ()
    headers: tuple[Header, ...] = ()

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")

    @property
    def preferred(self) -> MediaBody | None:
        return self.contents[0] if self.contents else None


@dataclass(frozen=True, slots=True)
class OAuthScope:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class OAuthFlow:
    """One flow of an oauth2 scheme, its URLs as the spec writes them (may be relative)."""

    kind: OAuthFlowKind
    token_url: str | None  # None: the implicit flow (or a flow the spec left without one)
    authorization_url: str | None  # implicit and authorizationCode
    refresh_url: str | None
    scopes: tuple[OAuthScope, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    key: str  # name under components/securitySchemes
    python_name: str
    kind: SecurityKind
    location: ParamLocation | None = None  # apiKey only
    param_name: str | None = None  # apiKey only: the header/query/cookie name
    description: str | None = None
    flows: tuple[OAuthFlow, ...] = ()  # oauth2 only, in OAuthFlowKind's order

    def flow(self, kind: OAuthFlowKind) -> OAuthFlow | None:
        return next((f for f in self.flows if f.kind is kind), None)

    @property
    def client_credentials(self) -> OAuthFlow | None:
        """The clientCredentials flow with a token URL: the client can fetch its own tokens."""
        flow = self.flow(OAuthFlowKind.CLIENT_CREDENTIALS)
        return flow if flow is not None and flow.token_url else None


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """All of ``schemes`` together (AND). An operation lists alternatives (OR)."""

    schemes: tuple[str, ...]
    scopes: tuple[tuple[str, ...], ...] = ()  # per scheme, in the order of ``schemes``: its scopes

    def scopes_of(self, scheme: str) -> tuple[str, ...]:
        """The scopes (OAuth 2) or roles the requirement names for ``scheme``."""
        for name, scopes in zip(self.schemes, self.scopes, strict=False):
            if name == scheme:
                return scopes
        return ()


@dataclass(frozen=True, slots=True)
class Pagination:
    """A paginated list operation: where its items are, and how the next page is asked for.

    Paths are the wire names of properties, outside in (``("meta", "next_page_url")``); an
    empty ``items`` path means the body is the list itself.
    """

    style: PageStyle
    items: tuple[str, ...]
    item_type: TypeRef
    param: str | None = None  # wire name of the parameter taking the cursor, offset or page number
    param_in: str = "query"  # "query" or "body" (a property of the JSON request body)
    cursor: tuple[str, ...] = ()  # body path of the next cursor (CURSOR) or of the next URL (NEXT_URL)
    cursor_header: str | None = None  # CURSOR: a response header with the next cursor
    item_cursor: str | None = None  # CURSOR: the property of the last item that is the cursor
    has_more: tuple[str, ...] = ()  # body path of a boolean "there are more pages"
    limit: str | None = None  # wire name of the page size parameter
    limit_in: str = "query"
    limit_default: int | None = None  # the page size parameter's default in the spec
    start: int | None = None  # OFFSET / PAGE: the parameter's default in the spec (the first page)
    source: str = "detected"  # or "x-oapigen-pagination", or "config"


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: HttpMethod
    path: str
    python_name: str  # method name inside its group
    handler_name: str  # unique across the API
    group: str | None  # attribute name of the resource group; None: on the client itself
    tag: str | None
    summary: str | None
    description: str | None
    deprecated: bool
    parameters: tuple[Parameter, ...]  # path (in path order), then required, then optional
    request_body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[SecurityRequirement, ...]  # empty: no auth
    pointer: str  # JSON pointer of the operation object
    idempotency_header: str | None = None  # wire name of its idempotency key header parameter
    pagination: Pagination | None = None  # a paginated list operation

    @property
    def success(self) -> Response | None:
        """The first declared 2xx response (numeric before ``2XX``)."""
        return next((r for r in self.responses if r.is_success), None)

    @property
    def streams(self) -> bool:
        ok = self.success
        return ok is not None and any(c.kind is BodyKind.EVENT_STREAM for c in ok.contents)

    @property
    def json_lines(self) -> bool:
        """The first 2xx response is a stream of JSON values, one per line (NDJSON, JSON Lines,
        JSON text sequences), decoded item by item as they arrive."""
        ok = self.success
        return ok is not None and ok.preferred is not None and ok.preferred.kind is BodyKind.JSON_LINES

    @property
    def python_path(self) -> str:
        return f"{self.group}.{self.python_name}" if self.group else self.python_name

    @property
    def url_path(self) -> str:
        """The path as requested: without a ``#fragment``, which is never sent."""
        return self.path.partition("#")[0]

    def parameters_in(self, location: ParamLocation) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location is location)

    def types(self) -> Iterator[TypeRef]:
        """Every type the operation names: parameters, request bodies, responses and their headers."""
        yield from (p.type for p in self.parameters)
        if self.request_body:
            yield from (c.type for c in self.request_body.contents)
        for response in self.responses:
            yield from (c.type for c in response.contents)
            yield from (h.type for h in response.headers)


@dataclass(frozen=True, slots=True)
class ResourceGroup:
    name: str  # attribute on the client: thread_runs
    class_name: str  # ThreadRuns
    tag: str
    description: str | None
    operations: tuple[Operation, ...]


@dataclass(frozen=True, slots=True)
class Webhook:
    """One (webhook, method) of the document's ``webhooks``."""

    name: str  # the key under ``webhooks`` (the wire name)
    method: HttpMethod
    summary: str | None
    description: str | None
    body: MediaBody | None  # the preferred request body media type; None: no body
    body_required: bool
    status: int  # what the receiver answers: the first declared numeric 2xx status, else 200
    tag: tuple[str, str] | None  # (property, constant): a required constant string of the payload
    pointer: str
    deprecated: bool = False
    # -- a callback (an operation's ``callbacks``): its operation and its URL's runtime expression --
    operation_id: str | None = None
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str | None
    package: str
    spec_name: str  # the spec file as named in headers
    spec_sha256: str
    servers: tuple[str, ...]
    operations: tuple[Operation, ...]  # sorted by (path, method)
    groups: tuple[ResourceGroup, ...]  # sorted by name
    security_schemes: tuple[SecurityScheme, ...]
    model_names: tuple[str, ...] = field(default=())  # every class in models.py
    # -- webhooks (oapigen.ir.webhooks) --
    webhooks: tuple[Webhook, ...] = ()  # the document's 3.1 ``webhooks``, in document order
    webhook_signing: bool = False  # the document says they are signed (``x-webhook-signing``)
    callbacks: tuple[Webhook, ...] = ()  # the operations' ``callbacks``, in operation order

    @property
    def ungrouped(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.group is None)


# The enumerations live in .kinds; importers name them from here as from the rest of the model.
__all__ = [
    "ANY", "CONSTRAINTS_IMPORT", "CONSTRAINT_KEYWORDS", "NONE", "PRIMITIVE_IMPORTS", "Api",
    "BodyKind", "FieldEncoding", "Header", "HttpMethod", "MediaBody", "OAuthFlow", "OAuthFlowKind",
    "OAuthScope", "Operation", "PageStyle", "Pagination", "ParamLocation", "Parameter",
    "RequestBody", "ResourceGroup", "Response", "SecurityKind", "SecurityRequirement",
    "SecurityScheme", "TypeKind", "TypeRef", "Webhook", "primitive", "union"
]
