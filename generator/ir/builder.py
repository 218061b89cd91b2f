"""Build the IR from a loaded (and, if asked, overlaid) document.

The same walk over operations runs twice (see :mod:`oapigen.ir.schemas`): once to plan which
inline schemas need classes, once, after the models stage, to build the frozen :class:`Api`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import naming
from ..core.diagnostics import Diagnostic, Severity, SpecError, escape_pointer_token
from ..core.diagnostics import pointer as ptr_of
from .model import (
    ANY,
    Api,
    BodyKind,
    FieldEncoding,
    Header,
    HttpMethod,
    MediaBody,
    Operation,
    Pagination,
    Parameter,
    ParamLocation,
    RequestBody,
    ResourceGroup,
    Response,
    SecurityKind,
    SecurityRequirement,
    SecurityScheme,
    TypeRef,
    primitive,
)
from .pagination import HINT_KEY, HintError
from .pagination import detect as detect_pagination
from .schemas import HoistPlan, SchemaTyper, component_classes, resolve_pointer

_PATH_PARAM = re.compile(r"{([^{}]+)}")
# OpenAPI: header parameters with these names "SHALL be ignored" (the IR drops them, so
# neither the client nor the server sees them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# Header fields the HTTP connection itself owns (RFC 9110/9112): the client library writes them
# (Host from the URL, Content-Length from the body), so a parameter of that name could never be
# sent as the spec says: left out, with a warning.
_TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade"}
)
# An HTTP field name (RFC 9110 "token"): what a header or cookie may be named on the wire.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_http_token(name: str) -> bool:
    """Whether ``name`` can be sent as a header or cookie name."""
    return _TOKEN.fullmatch(name) is not None


def body_kind(media_type: str) -> BodyKind:
    mt = media_type.split(";")[0].strip().lower()
    if mt == "application/json" or mt.endswith("+json") or mt == "*/json":
        return BodyKind.JSON
    if mt == "application/x-www-form-urlencoded":
        return BodyKind.FORM
    if mt.startswith("multipart/"):
        return BodyKind.MULTIPART
    if mt == "text/event-stream":
        return BodyKind.EVENT_STREAM
    if mt.startswith("text/") or mt in ("application/xml", "application/x-ndjson", "application/jsonl"):
        return BodyKind.TEXT
    return BodyKind.BINARY


_KIND_ORDER = {
    BodyKind.JSON: 0,
    BodyKind.EVENT_STREAM: 1,
    BodyKind.FORM: 2,
    BodyKind.MULTIPART: 3,
    BodyKind.TEXT: 4,
    BodyKind.BINARY: 5,
}


_STATUS = re.compile(r"[1-5](?:[0-9][0-9]|XX|xx)|default")  # a response key the server can send


def _status_key(status: str) -> tuple[int, str]:
    if status.isascii() and status.isdigit():
        return (0, status)
    if status.upper().endswith("XX"):
        return (1, status)
    return (2, status)


IDEMPOTENCY_HEADERS = frozenset({"idempotency-key", "x-idempotency-key"})
"""Header parameters that carry an idempotency key (case-insensitive); the config's
``idempotency_headers`` adds others."""


def idempotency_header(parameters: Iterable[Parameter], names: frozenset[str]) -> str | None:
    """The wire name of the operation's idempotency key header parameter, if it declares one."""
    return next(
        (p.name for p in parameters if p.location is ParamLocation.HEADER and p.name.lower() in names), None
    )


# The media type object key listing an event stream's event names (README, "The server").
EVENT_NAMES_KEY = "x-sse-events"


@dataclass
class _Walk:
    """One pass over the document's operations."""

    document: Mapping[str, Any]
    typer: SchemaTyper
    renames: Mapping[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    file: str = ""
    fastapi_spec: bool = False
    idempotency_headers: frozenset[str] = IDEMPOTENCY_HEADERS  # lower case
    renamed: dict[str, bool] = field(default_factory=dict)  # operation pointer -> renamed by the config
    path_groups: dict[str, str] = field(default_factory=dict)  # path -> group, for a spec without tags
    # The config's pagination hints by operationId, and where the config is (file, pointer).
    pagination_hints: Mapping[str, Any] = field(default_factory=dict)
    hints_origin: tuple[str, str] = ("", "")

    def deref(self, obj: Any, ptr: str) -> tuple[Any, str]:
        """Follow internal $refs of non-schema objects (parameters, bodies, responses)."""
        seen: set[str] = set()
        while isinstance(obj, Mapping) and isinstance(obj.get("$ref"), str):
            ref = obj["$ref"]
            if ref in seen or not ref.startswith("#"):
                return {}, ptr
            seen.add(ref)
            obj, ptr = resolve_pointer(self.document, ref), ref[1:]
        return (obj if isinstance(obj, Mapping) else {}), ptr

    def warn(self, ptr: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.file, ptr, message, Severity.WARNING))

    # -- operations -------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        paths = self.document.get("paths") or {}
        all_paths = list(paths)
        ids = [
            (op["operationId"], path)
            for path, item in paths.items()
            if isinstance(item, Mapping)
            for method in naming.HTTP_METHODS
            if isinstance(op := item.get(method), Mapping) and isinstance(op.get("operationId"), str)
        ]
        self.fastapi_spec = sum(naming.is_fastapi_style(i, p) for i, p in ids) * 2 > len(ids) > 0
        drafts: list[dict[str, Any]] = []
        self.path_groups = path_groups(all_paths) if not _has_tags(paths) else {}
        for path, raw_item in paths.items():
            item, item_ptr = self.deref(raw_item, ptr_of("paths", path))
            for method in naming.HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, Mapping):
                    continue
                op_ptr = ptr_of("paths", path, method) if item_ptr.startswith("/paths") else f"{item_ptr}/{method}"
                drafts.append(self.draft(path, method, item, op, op_ptr, all_paths))
        self.unique_operation_ids(drafts)
        operations = self.name_operations(drafts)
        self.check_fragments(operations)
        return operations

    def check_fragments(self, operations: list[Operation]) -> None:
        """Warn about paths with a ``#fragment``: it is never sent, so the operation is served
        at the path without it; when another operation has the same method and URL, the two
        are one route, which answers for the one declared first."""
        first: dict[tuple[HttpMethod, str], Operation] = {}
        for op in operations:
            url = (op.method, _PATH_PARAM.sub("{}", op.url_path))
            other = first.setdefault(url, op)
            if other is not op and "#" in op.path + other.path:
                self.warn(
                    op.pointer,
                    f"{op.method.value} {op.path!r} and {other.method.value} {other.path!r} "
                    f"({other.pointer}) are one URL: a #fragment is never sent; the server "
                    f"routes {op.method.value} {op.url_path!r} to {other.operation_id!r}, "
                    f"declared first",
                )
            elif "#" in op.path:
                self.warn(
                    op.pointer,
                    f"the #fragment of {op.path!r} is never sent: served at {op.url_path!r}",
                )

    def unique_operation_ids(self, drafts: list[dict[str, Any]]) -> None:
        """OpenAPI: an operationId is unique. One used twice keeps it on its first operation; the
        others get ``<id>_2``, ``<id>_3``... (with a warning), so tools can tell them apart."""
        first: dict[str, dict[str, Any]] = {}
        taken = {d["operation_id"] for d in drafts}
        for d in drafts:
            original = d["operation_id"]
            other = first.setdefault(original, d)
            if other is d:
                continue
            unique = naming.dedupe([original], taken)[0]
            taken.add(unique)
            self.warn(
                d["pointer"],
                f"operationId {original!r} is also the id of {other['method'].value} {other['path']}; "
                f"this operation is {unique!r}",
            )
            d["operation_id"] = unique

    def draft(
        self, path: str, method: str, item: Mapping[str, Any], op: Mapping[str, Any], op_ptr: str, all_paths: list[str]
    ) -> dict[str, Any]:
        op_id = op.get("operationId")
        op_id = op_id if isinstance(op_id, str) and op_id else naming.synthesized_operation_id(method, path)
        renamed = self.renames.get(op_id)
        group_override = None
        if renamed and "." in renamed:
            group_override, renamed = renamed.split(".", 1)
        base = renamed or naming.operation_base_name(op_id, path, all_paths, fastapi_spec=self.fastapi_spec)
        self.renamed[op_ptr] = bool(renamed)
        hint = naming.pascal(base, prefix="Op")
        tags = op.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None
        parameters = self.parameters(path, item, op, op_ptr, hint)
        pagination = self.pagination(op_id, op, op_ptr, parameters, hint)
        return {
            "operation_id": op_id,
            "method": HttpMethod(method.upper()),
            "path": path,
            "base": base,
            "tag": group_override or tag,
            # a spec without tags: grouped by the path's first segment
            "group_key": group_override or tag or self.path_groups.get(path),
            "summary": _text(op.get("summary")),
            "description": _text(op.get("description")),
            "deprecated": op.get("deprecated") is True,
            "parameters": parameters,
            "request_body": self.request_body(op.get("requestBody"), f"{op_ptr}/requestBody", hint),
            "responses": self.responses(op.get("responses"), f"{op_ptr}/responses", hint),
            "security": self.security(op),
            "pointer": op_ptr,
            "idempotency_header": idempotency_header(parameters, self.idempotency_headers),
            "pagination": pagination,
        }

    def pagination(
        self, op_id: str, op: Mapping[str, Any], op_ptr: str, parameters: tuple[Parameter, ...], hint: str
    ) -> Pagination | None:
        """The operation's pagination (:mod:`oapigen.ir.pagination`); a hint that cannot be
        used is an error located at the hint (the config's, or the spec's ``x-`` key)."""
        if op_id in self.pagination_hints:
            given, source = self.pagination_hints[op_id], "config"
            file, where = self.hints_origin
            where = f"{where}/pagination/{escape_pointer_token(op_id)}"
        else:
            given, source = op.get(HINT_KEY), HINT_KEY
            file, where = self.file, f"{op_ptr}/{HINT_KEY}"
        if not self.file:
            return None  # the planning pass: pagination makes no classes
        responses = op.get("responses")
        ok = next((s for s in sorted(map(str, responses), key=_status_key) if s.startswith("2")), None) if isinstance(responses, Mapping) else None
        response, _ = self.deref(responses.get(ok) if ok is not None and isinstance(responses, Mapping) else None, "")
        media = _json_media(response.get("content"))
        body, _ = self.deref(op.get("requestBody"), "")
        try:
            return detect_pagination(
                hint=given,
                parameters=parameters,
                body_schema=_json_media(body.get("content")).get("schema"),
                response_schema=media.get("schema"),
                response_headers=[str(h) for h in response.get("headers") or {}],
                deref=self.deref_schema,
                item_type=self.item_type,
                source=source,
            )
        except HintError as exc:
            raise SpecError(Diagnostic(file or self.file, where, f"{HINT_KEY if source != 'config' else 'pagination'}: {exc}")) from None

    def item_type(self, schema: Any, items: tuple[str, ...]) -> TypeRef:
        """The type of a page's item when it needs no class of its own: a ``$ref``, a scalar,
        a union of those; else ``Any`` (an inline object's class is datamodel-code-generator's
        to name)."""
        if not _classless(schema):
            return ANY
        return self.typer.type_of(schema, "", "PageItem")

    def deref_schema(self, schema: Any) -> Any:
        """A schema with its internal ``$ref`` chain followed (None for a dangling one)."""
        seen: set[str] = set()
        while isinstance(schema, Mapping) and isinstance(ref := schema.get("$ref"), str) and ref.startswith("#"):
            if ref in seen:
                return None
            seen.add(ref)
            schema = resolve_pointer(self.document, ref)
        return schema

    def name_operations(self, drafts: list[dict[str, Any]]) -> list[Operation]:
        tags = sorted({d["group_key"] for d in drafts if d["group_key"] is not None})
        group_names = dict(
            zip(tags, naming.dedupe(naming.snake(t, prefix="group", reserved=naming.CLIENT_ATTRIBUTES) for t in tags), strict=True)
        )
        taken_on_client = set(group_names.values()) | naming.CLIENT_ATTRIBUTES
        by_group: dict[str | None, list[dict[str, Any]]] = {}
        for d in drafts:
            d["group"] = group_names.get(d["group_key"]) if d["group_key"] is not None else None
            by_group.setdefault(d["group"], []).append(d)
        for group, members in by_group.items():
            reserved = taken_on_client if group is None else frozenset()
            # Names from the spec avoid the names annotations use; a rename from the config is
            # the user's choice and is kept as written.
            names = [
                naming.snake(d["base"], prefix="op", reserved=reserved if self.renamed[d["pointer"]] else reserved | naming.ANNOTATION_NAMES)
                for d in members
            ]
            paths = [d["path"] for d in members]
            methods = [d["method"].value.lower() for d in members]
            for d, name in zip(members, naming.distinct_by_path(names, paths, methods, reserved), strict=True):
                d["python_name"] = name
        counts: dict[str, int] = {}
        for d in drafts:
            counts[d["python_name"]] = counts.get(d["python_name"], 0) + 1
        handlers = [
            d["python_name"] if counts[d["python_name"]] == 1 or d["group"] is None else f"{d['group']}_{d['python_name']}"
            for d in drafts
        ]
        for d, handler in zip(drafts, naming.dedupe(handlers), strict=True):
            d["handler_name"] = handler
        return [
            Operation(**{k: v for k, v in d.items() if k not in ("base", "group_key")})
            for d in drafts
        ]

    # -- parameters -------------------------------------------------------------------------

    def parameters(
        self, path: str, item: Mapping[str, Any], op: Mapping[str, Any], op_ptr: str, hint: str
    ) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], tuple[Mapping[str, Any], str]] = {}
        item_ptr = op_ptr.rsplit("/", 1)[0]
        for source, base_ptr in ((item.get("parameters"), item_ptr), (op.get("parameters"), op_ptr)):
            for i, raw in enumerate(source if isinstance(source, list) else []):
                p, p_ptr = self.deref(raw, f"{base_ptr}/parameters/{i}")
                name, loc = p.get("name"), p.get("in")
                if loc == "header" and isinstance(name, str) and name.lower() in _IGNORED_HEADERS:
                    continue  # OpenAPI: these header parameters are ignored (content negotiation, auth)
                if loc == "header" and isinstance(name, str) and name.lower() in _TRANSPORT_HEADERS:
                    self.warn(p_ptr, f"header parameter {name!r} is a field the HTTP connection sets itself; left out")
                    continue
                if loc in ("header", "cookie") and isinstance(name, str) and not is_http_token(name):
                    self.warn(p_ptr, f"{loc} parameter {name!r} is not a valid HTTP field name; left out")
                    continue
                if isinstance(name, str) and loc in ("path", "query", "header", "cookie"):
                    merged[(loc, name)] = (p, p_ptr)
        path_order = _PATH_PARAM.findall(path)
        params: list[tuple[Mapping[str, Any], str]] = list(merged.values())
        for name in path_order:
            if ("path", name) not in merged:
                self.warn(op_ptr, f"path parameter {{{name}}} is not declared; typed as str")
                params.append(({"name": name, "in": "path", "required": True, "schema": {"type": "string"}}, op_ptr))

        def order(entry: tuple[Mapping[str, Any], str]) -> tuple[int, int]:
            p = entry[0]
            if p["in"] == "path":
                return (0, path_order.index(p["name"]) if p["name"] in path_order else len(path_order))
            return (1 if p.get("required") is True else 2, 0)

        params.sort(key=order)
        names = naming.dedupe(
            (naming.snake(p["name"], prefix="param", reserved=naming.METHOD_KEYWORDS) for p, _ in params),
            naming.METHOD_KEYWORDS,
        )
        return tuple(self.parameter(p, p_ptr, py, hint) for (p, p_ptr), py in zip(params, names, strict=True))

    def parameter(self, p: Mapping[str, Any], p_ptr: str, python_name: str, hint: str) -> Parameter:
        location = ParamLocation(p["in"])
        schema, s_ptr = p.get("schema"), f"{p_ptr}/schema"
        content = p.get("content")
        json_content = False
        if schema is None and isinstance(content, Mapping) and content:
            mt = next(iter(content))
            schema, s_ptr = (content[mt] or {}).get("schema"), p_ptr + ptr_of("content", mt, "schema")
            json_content = body_kind(str(mt)) is BodyKind.JSON
        type_ = self.typer.type_of(schema, s_ptr, hint + naming.pascal(p["name"], prefix="P")) if schema is not None else primitive("str")
        default_style = "form" if location in (ParamLocation.QUERY, ParamLocation.COOKIE) else "simple"
        style: str = p["style"] if isinstance(p.get("style"), str) else default_style
        if json_content:
            style = "json"  # content: {application/json: ...}: the value is its JSON text
        explode: bool = p["explode"] if isinstance(p.get("explode"), bool) else style == "form"
        has_default = isinstance(schema, Mapping) and "default" in schema
        return Parameter(
            name=p["name"],
            python_name=python_name,
            location=location,
            required=location is ParamLocation.PATH or p.get("required") is True,
            type=type_,
            description=_text(p.get("description")),
            deprecated=p.get("deprecated") is True,
            style=style,
            explode=explode,
            has_default=has_default,
            default=schema.get("default") if has_default and isinstance(schema, Mapping) else None,
            pointer=p_ptr,
            enum=self.is_enum(schema),
        )

    def is_enum(self, schema: Any) -> bool:
        """Whether ``schema`` (its ``$ref``s followed) is an enum or a const."""
        for _ in range(64):  # a $ref loop is no enum
            if not isinstance(schema, Mapping):
                return False
            ref = schema.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#"):
                return "enum" in schema or "const" in schema
            schema = resolve_pointer(self.document, ref)
        return False

    # -- bodies -----------------------------------------------------------------------------

    def contents(self, content: Any, ptr: str, hint: str) -> tuple[MediaBody, ...]:
        if not isinstance(content, Mapping):
            return ()
        out: list[MediaBody] = []
        for mt, media in content.items():
            if not isinstance(media, Mapping):
                media = {}
            kind = body_kind(str(mt))
            m_ptr = ptr + ptr_of(str(mt))
            schema = media.get("schema")
            if kind is BodyKind.BINARY:
                type_ = primitive("bytes")
            elif kind is BodyKind.TEXT:
                type_ = primitive("str")
            elif schema is None:
                type_ = ANY
            else:
                type_ = self.typer.type_of(schema, f"{m_ptr}/schema", hint)
            unwrapped = self.typer.collection_of(schema, hint) if kind is BodyKind.JSON else None
            has_example, example = self.example(media)
            encoding = field_encodings(media.get("encoding")) if kind in (BodyKind.FORM, BodyKind.MULTIPART) else ()
            names = media.get(EVENT_NAMES_KEY) if kind is BodyKind.EVENT_STREAM else None
            event_names = tuple(n for n in names if isinstance(n, str) and n) if isinstance(names, list) else ()
            out.append(MediaBody(str(mt), kind, type_, has_example, example, encoding, unwrapped, event_names))
        out.sort(key=lambda m: _KIND_ORDER[m.kind])
        return tuple(out)

    def example(self, media: Mapping[str, Any]) -> tuple[bool, Any]:
        if "example" in media:
            return True, media["example"]
        examples = media.get("examples")
        if isinstance(examples, Mapping):
            for value in examples.values():
                ex, _ = self.deref(value, "")
                if "value" in ex:
                    return True, ex["value"]
        return False, None

    def request_body(self, raw: Any, ptr: str, hint: str) -> RequestBody | None:
        if raw is None:
            return None
        body, b_ptr = self.deref(raw, ptr)
        contents = self.contents(body.get("content"), f"{b_ptr}/content", hint + "Body")
        if not contents:
            return None
        return RequestBody(body.get("required") is True, contents, _text(body.get("description")))

    def responses(self, raw: Any, ptr: str, hint: str) -> tuple[Response, ...]:
        if not isinstance(raw, Mapping):
            return ()
        statuses = sorted((str(s) for s in raw), key=_status_key)
        first_success = next((s for s in statuses if s.startswith("2")), None)
        out = []
        for status in statuses:
            if not _STATUS.fullmatch(status):
                self.warn(
                    ptr + ptr_of(status),
                    f"response {status!r} is not an HTTP status code (100-599), a range (2XX) or 'default'; left out",
                )
                continue
            resp, r_ptr = self.deref(raw.get(status, raw.get(int(status)) if status.isascii() and status.isdigit() else None), f"{ptr}/{status}")
            suffix = "Response" if status == first_success else f"Response{naming.pascal(status, prefix='S')}"
            headers = []
            raw_headers = resp.get("headers")
            for h_name, h_raw in (raw_headers.items() if isinstance(raw_headers, Mapping) else ()):
                h, h_ptr = self.deref(h_raw, r_ptr + ptr_of("headers", h_name))
                if not is_http_token(h_name):
                    self.warn(h_ptr, f"response header {h_name!r} is not a valid HTTP field name; left out")
                    continue
                h_type = self.typer.type_of(h.get("schema"), f"{h_ptr}/schema", hint + naming.pascal(h_name)) if "schema" in h else primitive("str")
                headers.append(Header(h_name, naming.snake(h_name, prefix="header"), h.get("required") is True, h_type, _text(h.get("description"))))
            out.append(
                Response(
                    status,
                    _text(resp.get("description")) or "",
                    self.contents(resp.get("content"), f"{r_ptr}/content", hint + suffix),
                    tuple(headers),
                )
            )
        return tuple(out)

    # -- security ---------------------------------------------------------------------------

    def security(self, op: Mapping[str, Any]) -> tuple[SecurityRequirement, ...]:
        raw = op.get("security", self.document.get("security"))
        if not isinstance(raw, list):
            return ()
        return tuple(SecurityRequirement(tuple(sorted(r))) for r in raw if isinstance(r, Mapping))


def _classless(schema: Any, depth: int = 0) -> bool:
    """Whether typing ``schema`` makes no class: refs, scalars, and arrays and plain unions of them."""
    if not isinstance(schema, Mapping) or depth > 8:
        return False
    if isinstance(schema.get("$ref"), str):
        return True
    if "discriminator" in schema or schema.get("properties"):
        return False
    for key in ("anyOf", "oneOf"):
        if isinstance(members := schema.get(key), list):
            return all(_classless(m, depth + 1) for m in members)
    if schema.get("type") == "array":
        return _classless(schema.get("items"), depth + 1)
    return schema.get("type") in ("string", "integer", "number", "boolean", "null")


def _json_media(content: Any) -> Mapping[str, Any]:
    """The JSON media type object of a ``content`` map (empty when there is none)."""
    if isinstance(content, Mapping):
        for mt, media in content.items():
            if body_kind(str(mt)) is BodyKind.JSON and isinstance(media, Mapping):
                return media
    return {}


def _has_tags(paths: Mapping[str, Any]) -> bool:
    return any(
        isinstance(item, Mapping) and isinstance(op := item.get(method), Mapping) and op.get("tags")
        for item in paths.values()
        for method in naming.HTTP_METHODS
    )


def path_groups(paths: list[str]) -> dict[str, str]:
    """For a spec without tags: each path's resource group, its first literal segment after the
    segments every path starts with (``/v1/chat/completions`` -> ``chat`` when every path starts
    with ``/v1``). A path with no such segment (``/``, ``/{id}``) has none: the client's own."""
    literal = [[seg for seg in p.split("/") if seg] for p in paths]
    prefix = 0
    while all(len(segs) > prefix + 1 for segs in literal) and len({segs[prefix] for segs in literal}) == 1:
        if "{" in literal[0][prefix]:
            break
        prefix += 1
    out: dict[str, str] = {}
    for path, segs in zip(paths, literal, strict=True):
        first = segs[prefix] if len(segs) > prefix else ""
        if first and "{" not in first:
            out[path] = first
    return out


def _path_head(path: str, segment: str) -> str:
    """``/v1/chat/completions``, ``chat`` -> ``/v1/chat``."""
    at = path.find("/" + segment)
    return path[: at + len(segment) + 1] if at >= 0 else "/" + segment


_STYLES = frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"})


def field_encodings(raw: Any) -> tuple[FieldEncoding, ...]:
    """A media type's ``encoding`` map, by property name (sorted; unusable entries left out).

    As OpenAPI 3.1.1 says, giving ``style``, ``explode`` or ``allowReserved`` means RFC 6570
    serialization (``style`` defaults to ``form``, ``explode`` to ``style == "form"``); giving
    none of them means the value is sent as its ``contentType``.
    """
    out: list[FieldEncoding] = []
    for name, enc in sorted(raw.items()) if isinstance(raw, Mapping) else ():
        if not isinstance(enc, Mapping) or not isinstance(name, str):
            continue
        content_type = enc.get("contentType") if isinstance(enc.get("contentType"), str) else None
        style = enc.get("style")
        if (isinstance(style, str) and style in _STYLES) or any(k in enc for k in ("explode", "allowReserved")):
            style = style if isinstance(style, str) and style in _STYLES else "form"
            explode = enc["explode"] if isinstance(enc.get("explode"), bool) else style == "form"
            out.append(FieldEncoding(name, style, explode, content_type))
        elif content_type is not None:
            out.append(FieldEncoding(name, None, True, content_type))
    return tuple(out)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def security_schemes(document: Mapping[str, Any]) -> tuple[SecurityScheme, ...]:
    raw = (document.get("components") or {}).get("securitySchemes") or {}
    keys = sorted(raw) if isinstance(raw, Mapping) else []
    reserved = naming.CLIENT_ATTRIBUTES | naming.ANNOTATION_NAMES
    names = naming.dedupe(naming.snake(k, prefix="auth", reserved=reserved) for k in keys)
    out = []
    for key, py in zip(keys, names, strict=True):
        s = raw[key] if isinstance(raw[key], Mapping) else {}
        kind, location, param = SecurityKind.UNSUPPORTED, None, None
        t = s.get("type")
        if (
            t == "apiKey"
            and s.get("in") in ("header", "query", "cookie")
            and isinstance(s.get("name"), str)
            and (s["in"] == "query" or is_http_token(s["name"]))
        ):  # a header or cookie that cannot be sent on the wire leaves the scheme unsupported
            kind, location, param = SecurityKind.API_KEY, ParamLocation(s["in"]), s["name"]
        elif t == "http" and str(s.get("scheme", "")).lower() == "bearer":
            kind = SecurityKind.HTTP_BEARER
        elif t == "http" and str(s.get("scheme", "")).lower() == "basic":
            kind = SecurityKind.HTTP_BASIC
        elif t == "oauth2":
            kind = SecurityKind.OAUTH2
        elif t == "openIdConnect":
            kind = SecurityKind.OPENID_CONNECT
        out.append(SecurityScheme(key, py, kind, location, param, _text(s.get("description"))))
    return tuple(out)


def plan_models(document: dict[str, Any], renames: Mapping[str, str]) -> HoistPlan:
    """Copy every inline operation schema that needs a class under components/schemas.

    Mutates ``document`` (the caller's private copy) and returns the plan the build pass uses.
    """
    plan = HoistPlan()
    typer = SchemaTyper(document, plan.namer(document), component_classes(document))
    _Walk(document, typer, renames).operations()
    return plan


def build_api(
    document: Mapping[str, Any],
    *,
    plan: HoistPlan,
    class_by_ref: Mapping[str, str],
    renames: Mapping[str, str],
    package: str,
    idempotency_headers: Iterable[str] = (),
    pagination: Mapping[str, Any] | None = None,
    pagination_origin: tuple[str, str] = ("", ""),
    spec_name: str,
    spec_sha256: str,
    model_names: tuple[str, ...],
) -> tuple[Api, list[Diagnostic]]:
    typer = SchemaTyper(document, plan.lookup(class_by_ref), class_by_ref, unwrap_collections=True)
    walk = _Walk(
        document,
        typer,
        renames,
        file=spec_name,
        idempotency_headers=IDEMPOTENCY_HEADERS | {name.lower() for name in idempotency_headers},
        pagination_hints=pagination or {},
        hints_origin=pagination_origin,
    )
    operations = tuple(walk.operations())
    groups: dict[str, list[Operation]] = {}
    for op in operations:
        if op.group is not None:
            groups.setdefault(op.group, []).append(op)
    tag_docs = {
        t.get("name"): _text(t.get("description"))
        for t in document.get("tags") or []
        if isinstance(t, Mapping)
    }
    info: Mapping[str, Any] = document["info"] if isinstance(document.get("info"), Mapping) else {}
    servers = tuple(
        s["url"] for s in document.get("servers") or [] if isinstance(s, Mapping) and isinstance(s.get("url"), str)
    )
    api = Api(
        title=str(info.get("title") or package),
        version=str(info.get("version") or ""),
        description=_text(info.get("description")),
        package=package,
        spec_name=spec_name,
        spec_sha256=spec_sha256,
        servers=servers,
        operations=operations,
        groups=tuple(
            ResourceGroup(
                name=name,
                class_name=naming.pascal(ops[0].tag or walk.path_groups.get(ops[0].path) or name, prefix="Group"),
                tag=ops[0].tag or name,
                description=(
                    tag_docs.get(ops[0].tag)
                    if ops[0].tag
                    else f"Operations on the paths under `{_path_head(ops[0].path, walk.path_groups.get(ops[0].path, name))}` (the spec has no tags)."
                ),
                operations=tuple(ops),
            )
            for name, ops in sorted(groups.items())
        ),
        security_schemes=security_schemes(document),
        model_names=model_names,
    )
    return api, walk.diagnostics


__all__ = ["TypeRef", "body_kind", "build_api", "is_http_token", "plan_models", "security_schemes"]
