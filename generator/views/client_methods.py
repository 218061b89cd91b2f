"""The methods, resource groups and security arguments of the generated client (the modules
are put together in :mod:`.client_layout`).

Signature rules: path parameters positional, in path order; everything else keyword-only,
required first; optional arguments default to ``NOT_GIVEN`` (not sent), except a required
parameter that admits one value only (a one-value enum or const), which defaults to it.
Request bodies accept the model or a plain dict (validated into the model before sending).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.contract import MODELS_MODULE, MODELS_PREFIX, error_class
from ..core.escape import str_literal
from ..ir.model import (
    Api,
    BodyKind,
    Operation,
    Parameter,
    ParamLocation,
    RequestBody,
    ResourceGroup,
    TypeKind,
    TypeRef,
    union,
)
from .client_endpoints import EndpointRow, resumable, success_type
from .server_literals import py_literal

NOT_GIVEN_TYPE = TypeRef(TypeKind.PRIMITIVE, "NotGiven")  # the sentinel's type, in annotations

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
    lines: bool = False  # returns JsonLines / AsyncJsonLines of the items (``_jsonl``)

    # The method's statements, written out here (the templates only place them): names and
    # annotations from the view, the wire names of ``params`` through str_literal.

    @property
    def sync_def(self) -> str:
        """The sync method's ``def`` line."""
        return f"def {self.name}({self._signature()}) -> {self.returns}:"

    @property
    def async_def(self) -> str:
        """The async method's ``def`` line: ``async def``, but a plain ``def`` for a stream (it
        returns an AsyncStream) and for a paginated list (it returns an AsyncPager, which is
        awaited for its first page or iterated with ``async for``) and for a JSON-lines stream
        (an AsyncJsonLines, opened when first used)."""
        definition = "def" if self.streams or self.paginated or self.lines else "async def"
        return f"{definition} {self.name}({self._signature()}) -> {self.async_returns}:"

    def _signature(self) -> str:
        positional = "".join(f"{a.name}: {a.annotation}, " for a in self.positional)
        keyword = "".join(
            f"{a.name}: {a.annotation}{'' if a.default is None else f' = {a.default}'}, " for a in self.keyword
        )
        return f"self, {positional}*, {keyword}{_COMMON_PARAMETERS}"

    def _arguments(self) -> str:
        params = "".join(f"{str_literal(name)}: {name}, " for name in self.params)
        body = "body=body, " if self.has_body else ""
        return f"_endpoints.{self.endpoint}, {{{params}}}, {body}{_COMMON_ARGUMENTS}"

    @property
    def call(self) -> str:
        """The request, after ``<client>.`` (a stream's or a plain request's)."""
        builder = "_stream" if self.streams else "_request"
        return f"{builder}({self._arguments()})"

    def sync_return(self, target: str) -> str:
        """What the sync method returns: the request on ``target``, the first page of a list, or
        the JSON-lines stream."""
        if self.lines:
            return f"json_lines({target}, {self._arguments()})"
        return f"sync_page({target}, {self._arguments()})" if self.paginated else f"{target}.{self.call}"

    def async_return(self, target: str) -> str:
        """What the async method returns: the awaited request, a stream, or the list's pager."""
        if self.lines:
            return f"async_json_lines({target}, {self._arguments()})"
        if self.paginated:
            return f"async_pager({target}, {self._arguments()})"
        return f"{target}.{self.call}" if self.streams else f"await {target}.{self.call}"

# The per-call options every method takes, and passes on.
_COMMON_PARAMETERS = (
    "timeout: TimeoutTypes | NotGiven = NOT_GIVEN, max_retries: int | NotGiven = NOT_GIVEN, "
    "extra_headers: Mapping[str, str] | None = None, extra_query: Mapping[str, str] | None = None"
)
_COMMON_ARGUMENTS = (
    "timeout=timeout, max_retries=max_retries, extra_headers=extra_headers, extra_query=extra_query"
)


@dataclass(frozen=True, slots=True)
class GroupView:
    attribute: str
    sync_class: str
    async_class: str
    raw_class: str
    async_raw_class: str
    stream_class: str  # the group's methods that return a StreamedCall
    async_stream_class: str
    doc: str
    methods: tuple[MethodView, ...]

    @property
    def classes(self) -> tuple[str, ...]:
        """Every class of the group: sync, async, their raw-response and streaming wrappers."""
        return (
            self.sync_class,
            self.async_class,
            self.raw_class,
            self.async_raw_class,
            self.stream_class,
            self.async_stream_class,
        )


# -- arguments ---------------------------------------------------------------------------------


def _single_value(t: TypeRef) -> str | None:
    if t.kind is TypeKind.LITERAL and len(t.literal) == 1:
        return py_literal(t.literal[0])
    return None


def body_input(body: RequestBody) -> tuple[str, frozenset[tuple[str, str]]]:
    """What ``body=`` accepts for the preferred media type, and the imports that needs."""
    content = body.preferred
    t = content.type
    if content.kind is BodyKind.BINARY:
        return "BinaryContent", frozenset({("._types", "BinaryContent")})
    if content.kind in (BodyKind.TEXT, BodyKind.EVENT_STREAM):
        return "str", frozenset()
    if content.kind is BodyKind.MULTIPART and t.kind is TypeKind.PRIMITIVE and t.name == "bytes":
        return "FileTypes", frozenset({("._types", "FileTypes")})
    if t.kind is TypeKind.NAMED:
        return f"{t.annotation(MODELS_PREFIX)} | dict[str, Any]", frozenset({("typing", "Any")})
    return t.annotation(MODELS_PREFIX), t.imports()


def _param_argument(p: Parameter) -> ArgumentView:
    if p.required:
        return ArgumentView(p.python_name, p.type.annotation(MODELS_PREFIX), _single_value(p.type))
    # union() keeps None last: ``str | NotGiven | None``.
    return ArgumentView(p.python_name, union(p.type, NOT_GIVEN_TYPE).annotation(MODELS_PREFIX), "NOT_GIVEN")


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


def indent_rest(text: str, pad: str) -> str:
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
        BodyKind.BINARY: "bytes, a binary file or an iterable of bytes, sent as read",
        BodyKind.TEXT: "sent as text",
        BodyKind.EVENT_STREAM: "sent as text",
        BodyKind.JSON_LINES: "sent as text",
    }
    how = kinds[content.kind]
    if content.type.kind is TypeKind.NAMED and content.kind is not BodyKind.BINARY:
        how = f"a {content.type.name} or a dict validated into it, {how}"
    lead = body.description.strip() if body.description else "The request body"
    return f"{lead.rstrip('.')} ({how}, {content.media_type})."


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
        lines += [f"    {name}: {indent_rest(text, ' ' * 8)}" for name, text in args]
    ok = op.success
    if op.json_lines:
        lines += [
            "",
            "Returns:",
            "    The items of the JSON-lines stream, as they arrive (also a context manager that",
            "    closes the connection); a line that does not fit raises ResponseValidationError.",
        ]
    elif op.streams:
        lines += ["", "Returns:", "    The server-sent events (also a context manager that closes the connection)."]
        if resumable(op):
            lines.append("    A broken connection is resumed with Last-Event-ID.")
    elif ok is not None and ok.description.strip():
        lines += ["", "Returns:", f"    {indent_rest(ok.description, ' ' * 8)}"]
    errors = [(r.status, r.description) for r in op.responses if not r.is_success]
    if errors:
        lines += ["", "Raises:"]
        for status, description in errors:
            text = f"{status} {description.strip()}".strip() if status != "default" else description.strip()
            lines.append(f"    {error_class(status)}: {indent_rest(text or status, ' ' * 8)}")
    return "\n".join(lines)


# -- methods and groups ------------------------------------------------------------------------


def _page_classes(op: Operation, returns: str) -> tuple[str, str, str]:
    """(sync page class, async pager class, their type arguments) of a paginated operation."""
    assert op.pagination is not None
    body = success_type(op)
    if body.kind is TypeKind.LIST:  # the body is the list of items: the shorter alias
        return "SyncListPage", "AsyncListPager", body.args[0].annotation(MODELS_PREFIX)
    return "SyncPage", "AsyncPager", f"{op.pagination.item_type.annotation(MODELS_PREFIX)}, {returns}"


def method_view(op: Operation, row: EndpointRow) -> MethodView:
    returns = success_type(op).annotation(MODELS_PREFIX)
    positional = tuple(
        ArgumentView(p.python_name, p.type.annotation(MODELS_PREFIX), None)
        for p in op.parameters_in(ParamLocation.PATH)
    )
    keyword = _keyword_arguments(op)
    paginated = op.pagination is not None and not op.streams and not op.json_lines
    sync_page, async_pager, page_args = _page_classes(op, returns) if paginated else ("", "", "")
    if op.json_lines:  # the item type (MediaBody.type is the items')
        sync_page, async_pager, page_args = "JsonLines", "AsyncJsonLines", returns
    return MethodView(
        name=op.python_name,
        endpoint=row.constant,
        positional=positional,
        keyword=keyword,
        params=tuple(p.python_name for p in op.parameters),
        has_body=op.request_body is not None,
        streams=op.streams,
        returns="Stream" if op.streams else f"{sync_page}[{page_args}]" if page_args else returns,
        async_returns="AsyncStream" if op.streams else f"{async_pager}[{page_args}]" if page_args else returns,
        doc=method_doc(op, [a.name for a in (*positional, *keyword)]),
        paginated=paginated,
        lines=op.json_lines,
    )


_WRAPPERS = ("", "WithRawResponse", "WithStreamingResponse")  # the group's class, then its wrappers


def _class_names(base: str, taken: set[str]) -> tuple[str, ...]:
    """Sync, async, raw, async raw, streaming and async streaming class names for a group,
    avoiding ``taken``."""
    n = 1
    while True:
        stem = base if n == 1 else f"{base}{n}"
        names = tuple(f"{sync_or_async}{stem}{wrapper}" for wrapper in _WRAPPERS for sync_or_async in ("", "Async"))
        if taken.isdisjoint(names):
            taken.update(names)
            return names
        n += 1


def group_view(group: ResourceGroup, methods: Sequence[MethodView], taken: set[str]) -> GroupView:
    sync_class, async_class, raw, async_raw, stream, async_stream = _class_names(group.class_name, taken)
    doc = group.description.strip() if group.description else f"Operations tagged {group.tag!r}."
    return GroupView(group.name, sync_class, async_class, raw, async_raw, stream, async_stream, doc, tuple(methods))


# -- shared by the client module and the group modules ---------------------------------------


def default_base_url(api: Api) -> str | None:
    """The first server URL if it is absolute and has no variables."""
    for url in api.servers[:1]:
        if url.startswith(("http://", "https://")) and "{" not in url:
            return url
    return None


def method_imports(ops: Sequence[Operation]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(standard library, package) imports of the methods of ``ops``, relative to the package."""
    stdlib: set[tuple[str, str]] = set()
    local: set[tuple[str, str]] = set()
    if not ops:
        return stdlib, local
    stdlib.add(("collections.abc", "Mapping"))
    local |= {
        (".", "_endpoints"),
        ("._response", "async_to_raw_response"),
        ("._response", "to_raw_response"),
        ("._streaming", "async_to_streamed_response"),
        ("._streaming", "to_streamed_response"),
        ("._types", "NOT_GIVEN"),
        ("._types", "NotGiven"),
        ("._types", "TimeoutTypes"),
    }
    types: list[TypeRef] = []
    for op in ops:
        types.extend(p.type for p in op.parameters)
        if not op.streams:
            types.append(success_type(op))
    stdlib.update(imp for t in types for imp in t.imports())
    if any(op.streams for op in ops):
        local |= {("._sse", "AsyncStream"), ("._sse", "Stream")}
    if any(op.json_lines for op in ops):
        local |= {("._jsonl", n) for n in ("AsyncJsonLines", "JsonLines", "async_json_lines", "json_lines")}
    paged = [op for op in ops if op.pagination is not None and not op.streams and not op.json_lines]
    if paged:
        local |= {("._pagination", n) for n in ("async_pager", "sync_page")}
        for op in paged:
            sync_page, async_pager, _ = _page_classes(op, "")
            local |= {("._pagination", sync_page), ("._pagination", async_pager)}
            assert op.pagination is not None
            stdlib.update(op.pagination.item_type.imports())
    bodies: list[TypeRef] = []
    for op in ops:
        if op.request_body:
            bodies.append(op.request_body.preferred.type)
            for module, name in body_input(op.request_body)[1]:
                (local if module.startswith(".") else stdlib).add((module, name))
    if any(t.model_names() for t in (*types, *bodies)):
        local.add((".", MODELS_MODULE))
    return stdlib, local
